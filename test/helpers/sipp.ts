/**
 * Runs sipp (Debian's sip-tester, /usr/bin/sipp) as an independent SIP peer for the interop tests
 * (test/interop/, docs/sip-interop.md): one sipp process per run, in a temp directory of its own,
 * with its error log, message trace and last screen kept there, so that a failed run can say why
 * (`report()`: exit code, errors, screen, the last messages).
 *
 * Also: a port free for both UDP and TCP (sipp as the UAS listens on one number for both), waiting
 * until sipp has bound it, and the message trace parsed into messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SIPP = '/usr/bin/sipp';
export const SCENARIOS = resolve(import.meta.dirname, '../interop/scenarios');

export type SipTransport = 'udp' | 'tcp';

export interface SippOptions {
  /** Scenario file name under test/interop/scenarios. */
  scenario: string;
  transport: SipTransport;
  /** Local SIP port (0: sipp picks one; a UAC). */
  localPort?: number;
  /** `host:port` of the peer (a UAC); none for a UAS. */
  remote?: string;
  /** Extra arguments (`-key name value`, `-aa`, `-nr`, …). */
  args?: string[];
  /** sipp gives up (and fails) after this long. */
  timeoutS?: number;
}

export interface SippExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One message of sipp's trace: what sipp sent or received, the start line, headers and body. */
export interface TracedMessage {
  dir: 'sent' | 'received';
  startLine: string;
  headers: Map<string, string>;
  body: string;
}

export class SippRun {
  readonly exited: Promise<SippExit>;
  private exit: SippExit | null = null;
  private stdout = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly args: string[],
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.stdout = (this.stdout + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (this.stdout = (this.stdout + d.toString()).slice(-4000)));
    this.exited = new Promise((res) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        res(this.exit);
      });
    });
  }

  static start(opts: SippOptions): SippRun {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-sipp-'));
    const args = [
      '-sf', join(SCENARIOS, opts.scenario),
      '-t', opts.transport === 'udp' ? 'u1' : 't1',
      '-i', '127.0.0.1',
      '-p', String(opts.localPort ?? 0),
      '-m', '1',
      '-nostdin',
      '-trace_err', '-trace_msg', '-trace_screen',
      '-timeout', `${opts.timeoutS ?? 30}s`, '-timeout_error',
      ...(opts.args ?? []),
      ...(opts.remote ? [opts.remote] : []),
    ];
    const child = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    return new SippRun(child, dir, args);
  }

  /** Kills sipp if it still runs (it is ours: by its own pid). */
  kill(): void {
    if (this.exit === null) this.child.kill('SIGKILL');
  }

  /** Everything sipp wrote: its error log, last screen, and the tail of the message trace. */
  report(): string {
    const parts = [`sipp ${this.args.join(' ')}`, `exit: ${JSON.stringify(this.exit)}`];
    for (const kind of ['errors', 'screens'] as const) {
      const text = this.logText(kind);
      if (text) parts.push(`--- ${kind}\n${text.slice(-6000)}`);
    }
    parts.push(`--- messages (tail)\n${this.logText('messages').slice(-8000)}`);
    if (this.stdout.trim()) parts.push(`--- output\n${this.stdout}`);
    return parts.join('\n');
  }

  /** The message trace, parsed. */
  messages(): TracedMessage[] {
    return parseTrace(this.logText('messages'));
  }

  cleanup(): void {
    this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private logText(kind: 'errors' | 'screens' | 'messages'): string {
    if (!existsSync(this.dir)) return '';
    const file = readdirSync(this.dir).find((f) => f.endsWith(`_${kind}.log`));
    return file ? readFileSync(join(this.dir, file), 'utf8') : '';
  }
}

/** Parses sipp's `-trace_msg` file: blocks opened by a dashed line, then `UDP|TCP message sent|received`. */
export function parseTrace(text: string): TracedMessage[] {
  const out: TracedMessage[] = [];
  for (const block of text.split(/^-{10,} .*$/m)) {
    const m = /^\s*(?:UDP|TCP) message (sent|received)[^\n]*\n\n([\s\S]*)$/.exec(block);
    if (!m) continue;
    const raw = m[2]!.replace(/\n$/, '');
    const sep = raw.indexOf('\r\n\r\n');
    const head = sep >= 0 ? raw.slice(0, sep) : raw;
    const body = sep >= 0 ? raw.slice(sep + 4).trim() : '';
    const [startLine = '', ...lines] = head.split('\r\n');
    const headers = new Map<string, string>();
    for (const line of lines) {
      const i = line.indexOf(':');
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    out.push({ dir: m[1] as 'sent' | 'received', startLine: startLine.trim(), headers, body });
  }
  return out;
}

/** A port number free for both UDP and TCP on 127.0.0.1 (bound with port 0, then released). */
export async function freeSipPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = createServer();
    const port = await new Promise<number>((res, rej) => {
      server.once('error', rej);
      server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port));
    });
    const udpFree = await canBindUdp(port);
    await new Promise<void>((res) => server.close(() => res()));
    if (udpFree) return port;
  }
  throw new Error('no port free for both UDP and TCP');
}

/** Resolves once something (sipp) holds `port` for `transport` on 127.0.0.1. */
export async function waitForBound(port: number, transport: SipTransport, run: SippRun, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void run.exited.then(() => (done = true));
  while (!(transport === 'udp' ? !(await canBindUdp(port)) : !(await canListenTcp(port)))) {
    if (done) throw new Error(`sipp exited before it listened on ${transport} ${port}\n${run.report()}`);
    if (Date.now() > deadline) throw new Error(`sipp did not listen on ${transport} ${port} in ${timeoutMs} ms\n${run.report()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function canBindUdp(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      res(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

function canListenTcp(port: number): Promise<boolean> {
  return new Promise((res) => {
    const server = createServer();
    server.once('error', () => res(false));
    server.listen(port, '127.0.0.1', () => server.close(() => res(true)));
  });
}
