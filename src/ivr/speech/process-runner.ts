/**
 * Runs a program with arguments — never through a shell — with text on its stdin and a time
 * limit past which the child is killed (SIGKILL). Injectable, so tests can count or fake runs.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the child's stdin, which is then closed. */
  input?: string;
  timeoutMs: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The first 64 KiB of each stream. */
  stdout: string;
  stderr: string;
}

export type ProcessRunner = (file: string, args: readonly string[], opts: RunOptions) => Promise<RunResult>;

/** `missing`: the program was not found (ENOENT/EACCES); `timeout`: killed after `timeoutMs`;
 * `spawn`: any other failure to start it. */
export class ProcessError extends Error {
  constructor(
    readonly kind: 'missing' | 'timeout' | 'spawn',
    message: string,
  ) {
    super(message);
    this.name = 'ProcessError';
  }
}

const OUTPUT_CAP = 64 * 1024;

export const runProcess: ProcessRunner = (file, args, opts) =>
  new Promise<RunResult>((resolve, reject) => {
    const child = spawn(file, args, { shell: false, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const done = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(() => reject(new ProcessError('timeout', `${file} ran past ${opts.timeoutMs} ms and was killed`)));
    }, opts.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < OUTPUT_CAP) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < OUTPUT_CAP) stderr += d;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const missing = err.code === 'ENOENT' || err.code === 'EACCES';
      done(() => reject(new ProcessError(missing ? 'missing' : 'spawn', `${file}: ${err.message}`)));
    });
    child.on('close', (code, signal) => done(() => resolve({ code, signal, stdout: stdout.slice(0, OUTPUT_CAP), stderr: stderr.slice(0, OUTPUT_CAP) })));
    // A child that exits before reading its input closes the pipe (EPIPE): its exit code says what went wrong.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });

/** At most `max` tasks at a time; the others wait their turn, first come first served. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`Limiter max must be a whole number ≥ 1, got ${max}`);
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next task
      else this.active--;
    }
  }
}
