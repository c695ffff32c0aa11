/**
 * The Annex G channel: CSTA XML documents in ECMA-323 Annex G frames over one TCP connection (the
 * invoke id in the frame header). Used by both ends: the daemon connects (`connectAnnexG`), the
 * simulated switch wraps each accepted socket (`new AnnexGChannel(socket)`).
 *
 * Framing issues are reported, never fatal here: what to do about a stream that keeps breaking is
 * the link's decision.
 */
import net from 'node:net';
import { PbxError } from '../../../core/pbx-port.ts';
import { TickCork } from '../../net/tick-cork.ts';
import { encodeFrame, FrameDecoder } from '../protocol/framing.ts';
import type { CstaChannel, CstaChannelHandlers } from './channel.ts';

export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

export interface AnnexGConnectOptions {
  host: string;
  port: number;
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface AnnexGChannelOptions {
  /** Frames written in the same tick leave in one TCP write (the switch's side: a response and
   * the events it caused). */
  corkPerTick?: boolean;
  /** Who is at the other end, for the close reason: `switch` (the CTI's side) or `CTI`. */
  peer?: string;
}

/** Opens a TCP connection to a switch; rejects with PBX_UNAVAILABLE when it cannot be made. */
export function connectAnnexG(opts: AnnexGConnectOptions): Promise<AnnexGChannel> {
  const where = `${opts.host}:${opts.port}`;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new PbxError('PBX_UNAVAILABLE', `connect to ${where} aborted`));
    const socket = net.connect({ host: opts.host, port: opts.port });
    const fail = (why: string): void => {
      cleanup();
      socket.destroy();
      reject(new PbxError('PBX_UNAVAILABLE', `cannot connect to CSTA switch at ${where}: ${why}`));
    };
    const onError = (err: Error): void => fail(err.message);
    const onAbort = (): void => fail('aborted');
    const timer = setTimeout(() => fail('timed out'), opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    socket.once('error', onError);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      cleanup();
      socket.setKeepAlive(true, 10_000);
      resolve(new AnnexGChannel(socket, { peer: 'switch' }));
    });
  });
}

export class AnnexGChannel implements CstaChannel {
  readonly kind = 'annex-g' as const;
  readonly remote: string;
  private readonly decoder = new FrameDecoder();
  private handlers: CstaChannelHandlers | null = null;
  /** Chunks that arrived before the handlers were set. */
  private early: Buffer[] = [];
  private lastSocketError: string | undefined;
  private open = true;
  private readonly cork: TickCork | null;

  constructor(
    private readonly socket: net.Socket,
    private readonly opts: AnnexGChannelOptions = {},
  ) {
    this.remote = `tcp ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.cork = opts.corkPerTick ? new TickCork(socket) : null;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => (this.handlers ? this.onData(chunk) : this.early.push(chunk)));
    socket.on('error', (err) => {
      this.lastSocketError = err.message;
    });
    socket.on('close', () => this.close(this.lastSocketError ? `socket error: ${this.lastSocketError}` : `closed by the ${opts.peer ?? 'peer'}`));
  }

  get isOpen(): boolean {
    return this.open;
  }

  get writableLength(): number {
    return this.socket.writableLength;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.decoder.pending;
  }

  setHandlers(handlers: CstaChannelHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = [];
    for (const chunk of early) if (this.open) this.onData(chunk);
  }

  send(invokeId: number, xml: string, cb?: (err?: Error | null) => void): void {
    const frame = encodeFrame(invokeId, xml); // throws FrameTooLargeError before anything is sent
    if (!this.open) {
      cb?.(new Error('channel closed'));
      return;
    }
    this.cork?.hold();
    this.socket.write(frame, cb);
  }

  writeRaw(bytes: Buffer): void {
    if (this.open) this.socket.write(bytes);
  }

  close(reason: string, graceful = false): void {
    if (!this.open) return;
    this.open = false;
    if (graceful) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    } else {
      this.socket.destroy();
    }
    this.handlers?.onClose(reason);
  }

  private onData(chunk: Buffer): void {
    const handlers = this.handlers!;
    const { frames, issues } = this.decoder.push(chunk);
    for (const issue of issues) {
      handlers.onIssue({ reason: issue.reason, detail: issue.detail, skippedBytes: issue.skippedBytes, ...(issue.invokeId !== undefined ? { invokeId: issue.invokeId } : {}) });
    }
    for (const frame of frames) {
      if (!this.open) return;
      handlers.onMessage(frame.invokeId, frame.xml);
    }
  }
}
