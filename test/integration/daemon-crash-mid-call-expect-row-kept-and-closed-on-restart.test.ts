import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSimulator, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { createRepositories } from '../../src/storage/repositories/index.ts';
import { WsClient } from '../helpers/ws-client.ts';
import { eventually } from '../helpers/world.ts';

// The daemon as its own process (the README's start command, pointed at a simulator in this
// process), so that it can really be killed.
let sim: Simulator;
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function startDaemonProcess(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, PBX: `csta://127.0.0.1:${sim.cstaPort}`, DATA_DIR: dataDir, PORT: String(port), DEMO: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  await eventually(async () => {
    const r = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
    return r?.ok ? ((await r.json()) as { pbx: string }).pbx === 'up' : false;
  }, 30_000, 100);
  return child;
}

beforeAll(async () => {
  sim = await buildSimulator({ cstaPort: 0, controlPort: 0, logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('a daemon killed mid-call keeps the call row; the restarted daemon closes it as daemonRestart, adopts the call still up at the switch and keeps the agent signed in', async () => {
  const port = await freePort();
  const first = await startDaemonProcess(port);
  const agent = await WsClient.login(`ws://127.0.0.1:${port}/ws`, 'a1001');
  await agent.call('agent.signIn', { extension: '2001' });
  await agent.call('agent.setState', { state: 'ready' });
  const res = await fetch(`http://127.0.0.1:${sim.controlPort}/sim/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '13800000002', to: '8000' }) });
  const { simCallId } = (await res.json()) as { simCallId: string };
  const offered = await agent.waitFor('call.offered');
  await agent.call('call.answer', { callId: offered.data.callId });
  await agent.waitFor('call.established');

  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));

  // Nothing was lost: the row is on disk, open, with what was known when the process died.
  const db1 = openDatabase({ file: join(dataDir, 'switchboard.db') });
  const before = createRepositories(db1.db).calls.get(offered.data.callId);
  db1.close();
  expect(before).toMatchObject({ fromNumber: '13800000002', firstAgent: 'a1001', endedAt: null });
  expect(before!.answeredAt).not.toBeNull();

  const second = await startDaemonProcess(port);
  const db2 = openDatabase({ file: join(dataDir, 'switchboard.db') });
  const repos = createRepositories(db2.db);
  const after = repos.calls.get(offered.data.callId);
  expect(after).toMatchObject({ cause: 'daemonRestart', outcome: 'answered' });
  expect(after!.endedAt).not.toBeNull();
  // The call is still up at the switch; the new daemon adopted it under a new id.
  const adopted = repos.calls.listOpen();
  db2.close();
  expect(adopted.some((r) => r.pbxCallIds.includes(simCallId))).toBe(true);

  // The agent is still signed in at 2001 and, with the adopted call up at the phone, busy.
  const again = await WsClient.login(`ws://127.0.0.1:${port}/ws`, 'a1001');
  const me = await again.call('agent.getState');
  expect(me).toMatchObject({ extension: '2001', state: 'busy' });
  await fetch(`http://127.0.0.1:${sim.controlPort}/sim/calls/${simCallId}/hangup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  // After the call: notReady, because the daemon restarted (the agent chooses ready again).
  const after2 = await again.waitFor('agent.state', (d) => d.state === 'notReady');
  expect(after2.data.reason).toBe('daemonRestart');
  again.close();
  second.kill('SIGTERM');
  await new Promise((r) => second.once('exit', r));
}, 60_000);
