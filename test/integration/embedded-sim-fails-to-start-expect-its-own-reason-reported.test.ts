/**
 * The simulator's reason (issue: real switch, point 11). With PBX=sim the daemon starts the
 * simulated switch as a process of its own; when that process cannot start — here its port is
 * taken — the daemon's error says what the simulator said (which port, on which address, in use),
 * not only its exit code: from buildDaemon, and from the daemon's own process (`npm start`), on
 * stderr, with exit code 1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import { buildDaemon } from '../../src/daemon.ts';
import { TEST_SCRYPT } from '../../src/storage/test-support.ts';

let taken: Server;
let takenPort: number;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'switchboard-simfail-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it("the simulator's control port is in use: buildDaemon fails with the simulator's reason, even at LOG_LEVEL silent", async () => {
  const config = defaultConfig({ port: 0, simPort: takenPort, cstaPort: 0, dataDir: tempDir(), logLevel: 'silent' });
  const err: Error = await buildDaemon(config, { scrypt: TEST_SCRYPT, logger: pino({ level: 'silent' }) }).then(
    () => {
      throw new Error('the daemon started although the simulator could not');
    },
    (e: Error) => e,
  );
  expect(err.message).toMatch(/^simulator exited with code 1 before it was ready: /);
  expect(err.message).toContain(`control port ${takenPort} (SIM_PORT) on 127.0.0.1 is in use (EADDRINUSE)`);
});

it("the simulator's CSTA port is in use: the error names the CSTA port", async () => {
  const config = defaultConfig({ port: 0, simPort: 0, cstaPort: takenPort, dataDir: tempDir(), logLevel: 'silent' });
  const err: Error = await buildDaemon(config, { scrypt: TEST_SCRYPT, logger: pino({ level: 'silent' }) }).catch((e: Error) => e) as Error;
  expect(err).toBeInstanceOf(Error);
  expect(err.message).toContain(`CSTA port ${takenPort} (CSTA_PORT) on 127.0.0.1 is in use (EADDRINUSE)`);
});

// Fails (mostly) until src/storage/checkpointer.ts close() keeps the process alive while it waits
// for its worker: the daemon's clean-up after the failed start awaits an unref'd worker's exit and
// an unref'd timer, the event loop empties, and node exits 0 with nothing printed. With
// WAL_CHECKPOINT_MS=0 (no checkpointer) it passes every time.
it('the daemon process (npm start) prints the simulator\'s reason on stderr and exits 1', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', SIM_PORT: String(takenPort), CSTA_PORT: '0', DATA_DIR: tempDir(), PBX: 'sim' };
  delete env.LOG_LEVEL; // the default an operator has: info
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the daemon did not exit in 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.once('close', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  expect(code).toBe(1);
  expect(stderr).toContain('switchboard failed to start: SimStartError: simulator exited with code 1 before it was ready');
  expect(stderr).toContain(`control port ${takenPort} (SIM_PORT) on 127.0.0.1 is in use (EADDRINUSE)`);
  // The daemon's log (stdout, JSON) has the simulator's last lines too.
  const failure = stdout.split('\n').filter((l) => l.includes('the simulator did not start')).map((l) => JSON.parse(l));
  expect(failure).toHaveLength(1);
  expect(failure[0]).toMatchObject({ level: 50, component: 'sim-process', code: 1 });
  expect(failure[0].output.join('\n')).toContain('EADDRINUSE');
}, 40_000);
