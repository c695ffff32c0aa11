/**
 * Runs the Switchboard daemon as a child process for the benchmarks (`node --import tsx
 * src/main.ts`), against a switch given as `csta://host:port` (or any other `PBX=` value), so
 * that its CPU and memory can be read from /proc alone. Waits for `GET /health` to report the
 * switch link up; keeps the last lines of its output for diagnostics and counts the log lines at
 * warn level or above; stops it with SIGTERM (SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface DaemonOptions {
  cstaHost: string;
  cstaPort: number;
  /** The `PBX=` value when it is not `csta://cstaHost:cstaPort` (e.g. `sip-csta://…;transport=udp`). */
  pbx?: string;
  dataDir: string;
  port: number;
  logLevel?: string;
  /** Extra node flags before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not allow). */
  nodeArgs?: string[];
  /** Modules preloaded after tsx (`--import`), e.g. the diagnostic probe. */
  preload?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  startTimeoutMs?: number;
  /** `dist`: the compiled daemon (`node dist/main.js`, as the Docker image runs it; `npm run
   * build` first), without tsx's transpiler in the process; default `tsx` (`src/main.ts`). */
  entry?: 'tsx' | 'dist';
}

export interface DaemonProcess {
  readonly pid: number;
  readonly url: string;
  readonly wsUrl: string;
  /** Log lines at warn level or above seen so far. */
  readonly warnings: number;
  /** The last lines of its stdout and stderr. */
  tail(): string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (or signal name). */
  stop(graceMs?: number): Promise<number | string | null>;
}

/** A TCP port free on the loopback interface right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startDaemon(opts: DaemonOptions): Promise<DaemonProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PBX: opts.pbx ?? `csta://${opts.cstaHost}:${opts.cstaPort}`,
    DATA_DIR: opts.dataDir,
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    DEMO: '1',
    LOG_LEVEL: opts.logLevel ?? 'warn',
    ...opts.env,
  };
  const preload = (opts.preload ?? []).flatMap((m) => ['--import', m]);
  const script = opts.entry === 'dist' ? ['dist/main.js'] : ['--import', 'tsx', ...preload, 'src/main.ts'];
  if (opts.entry === 'dist' && preload.length > 0) throw new Error('preloads need the tsx entry');
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...script], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not start the daemon');
  const pid = child.pid;

  const lines: string[] = [];
  let warnings = 0;
  // BENCH_DAEMON_LOG=FILE keeps every line of the daemon's log there (the run's own directory goes).
  const logFile = process.env.BENCH_DAEMON_LOG;
  const keep = (line: string) => {
    if (logFile) appendFileSync(logFile, `${line}\n`);
    lines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    if (lines.length > 200) lines.shift();
    // pino levels: 40 warn, 50 error, 60 fatal.
    const m = /"level":(\d+)/.exec(line);
    if (m && Number(m[1]) >= 40) warnings++;
  };
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);

  let exited: { code: number | null; signal: string | null } | null = null;
  const exit = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(code ?? signal);
    });
  });

  const url = `http://127.0.0.1:${opts.port}`;
  const stop = async (graceMs = 10_000): Promise<number | string | null> => {
    if (exited) return exited.code ?? exited.signal;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await exit;
    } finally {
      clearTimeout(kill);
    }
  };

  // Up once /health answers with the switch link up.
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`the daemon exited (${JSON.stringify(exited)}) before it was up:\n${lines.slice(-30).join('\n')}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the daemon was not up within ${opts.startTimeoutMs ?? 60_000} ms:\n${lines.slice(-30).join('\n')}`);
    }
    try {
      const res = await fetch(`${url}/health`);
      const body = (await res.json()) as { pbx?: string };
      if (body.pbx === 'up') break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }

  return {
    pid,
    url,
    wsUrl: `ws://127.0.0.1:${opts.port}/ws`,
    get warnings() {
      return warnings;
    },
    tail: () => [...lines],
    stop,
  };
}
