/**
 * Starts the simulated switch as its own process (PBX=sim) and waits for its ready line, which
 * tells the ports it bound. The daemon then talks to it only over CSTA, like to any switch.
 *
 * When the simulator cannot start (its port in use, a bad SIM_CONFIG), it says why on stderr and
 * exits: the last lines it wrote are kept (bounded) and its own reason — the message of its
 * error/fatal log lines, or its last lines as they are — is put in the error this rejects with, so
 * the operator reads "port 7070 on 127.0.0.1 is in use", not only an exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';

export interface SimProcess {
  cstaPort: number;
  controlPort: number;
  pid: number;
  stop(): Promise<void>;
}

/** The simulator could not start; `output` is the last of what it wrote (stderr and stdout). */
export class SimStartError extends Error {
  constructor(
    message: string,
    readonly reason: string | null,
    readonly output: readonly string[],
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'SimStartError';
  }
}

/** Lines kept of the simulator's output, and their length at most. */
export const SIM_OUTPUT_LINES = 20;
export const SIM_OUTPUT_LINE_CHARS = 2000;
/** pino's level number of `error` (fatal is 60). */
const PINO_ERROR = 50;

/** The last lines a child process wrote (bounded), and the reason they give for its failure. */
export class SimOutput {
  private readonly lines: string[] = [];

  constructor(private readonly max = SIM_OUTPUT_LINES) {}

  push(line: string): void {
    const text = line.trimEnd();
    if (text === '') return;
    this.lines.push(text.length > SIM_OUTPUT_LINE_CHARS ? `${text.slice(0, SIM_OUTPUT_LINE_CHARS)}…` : text);
    if (this.lines.length > this.max) this.lines.shift();
  }

  get tail(): readonly string[] {
    return this.lines;
  }

  /**
   * Why it failed, in its own words: the messages of its error and fatal log lines (pino JSON,
   * with their `err` message when the line's message does not already say it); without such a
   * line, its last few lines as written (a crash before logging started, a stack trace).
   */
  reason(): string | null {
    const said: string[] = [];
    for (const line of this.lines) {
      const parsed = parseLogLine(line);
      if (!parsed || parsed.level < PINO_ERROR) continue;
      const text = [parsed.msg, parsed.err && !parsed.msg.includes(parsed.err) ? parsed.err : ''].filter(Boolean).join(': ');
      if (text && !said.includes(text)) said.push(text);
    }
    if (said.length > 0) return said.join('; ');
    const raw = this.lines.filter((l) => parseLogLine(l) === null).slice(-5);
    return raw.length > 0 ? raw.join(' | ') : null;
  }
}

function parseLogLine(line: string): { level: number; msg: string; err: string } | null {
  if (!line.startsWith('{')) return null;
  try {
    const o = JSON.parse(line) as { level?: unknown; msg?: unknown; err?: { message?: unknown; code?: unknown } | string };
    if (typeof o.level !== 'number') return null;
    const err = typeof o.err === 'string' ? o.err : typeof o.err?.message === 'string' ? o.err.message : '';
    return { level: o.level, msg: typeof o.msg === 'string' ? o.msg : '', err };
  } catch {
    return null;
  }
}

export async function startSimProcess(opts: { simPort: number; cstaPort: number; host: string; logLevel: string; log: Logger; timeoutMs?: number; recordingsDir?: string }): Promise<SimProcess> {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./oxo-sim/main.${fromSource ? 'ts' : 'js'}`, here));
  const args = fromSource ? ['--import', 'tsx', entry] : [entry];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, SIM_PORT: String(opts.simPort), CSTA_PORT: String(opts.cstaPort), SIP_PORT: 'off', HOST: opts.host, LOG_LEVEL: opts.logLevel, ...(opts.recordingsDir ? { SIM_RECORDINGS_DIR: opts.recordingsDir } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = opts.log.child({ component: 'sim-process', pid: child.pid });
  const output = new SimOutput();
  // The simulator logs JSON lines to stderr; pass them through at debug, keep the last ones.
  createInterface({ input: child.stderr! }).on('line', (line) => {
    output.push(line);
    log.debug({ sim: line.slice(0, SIM_OUTPUT_LINE_CHARS) }, 'simulator');
  });
  // Both streams drained and the process gone: everything it said has been read.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  let spawnError: Error | null = null;
  child.once('error', (err) => {
    spawnError = err;
  });

  const failed = (what: string, code: number | null): SimStartError => {
    const reason = spawnError ? spawnError.message : output.reason();
    const err = new SimStartError(reason ? `${what}: ${reason}` : what, reason, [...output.tail], code);
    log.error({ code, reason, output: output.tail }, 'the simulator did not start');
    return err;
  };

  const ready = await new Promise<{ cstaPort: number; controlPort: number }>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      child.kill('SIGKILL');
      reject(failed(`simulator did not start within ${opts.timeoutMs ?? 20_000} ms`, null));
    }, opts.timeoutMs ?? 20_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { sim?: string; cstaPort?: number; controlPort?: number };
        if (!done && msg.sim === 'ready' && typeof msg.cstaPort === 'number' && typeof msg.controlPort === 'number') {
          done = true;
          clearTimeout(timer);
          resolve({ cstaPort: msg.cstaPort, controlPort: msg.controlPort });
          return;
        }
      } catch {
        log.debug({ line }, 'simulator stdout');
      }
      output.push(line);
    });
    void closed.then(({ code, signal }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(failed(`simulator exited with ${code !== null ? `code ${code}` : `signal ${signal}`} before it was ready`, code));
    });
  });
  void closed.then(({ code, signal }) => log.warn({ code, signal, reason: output.reason() }, 'simulator process exited'));

  return {
    ...ready,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
