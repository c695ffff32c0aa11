/**
 * A client session: the authenticated user, the per-session event sequence and the buffer of
 * recent events for `session.resume`. A session outlives its socket for a grace period, so a
 * softphone that lost its network can resume and get every event it missed, in order, with the
 * original `seq`.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';

/** Bytes queued on a socket, unsent, before its client counts as not reading. */
export const MAX_UNSENT_BYTES = 64 * 1024 * 1024;

export type Role = 'agent' | 'supervisor' | 'qa' | 'admin';

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
}

export interface SessionLimits {
  bufferEvents: number;
  bufferBytes: number;
}

interface Buffered {
  seq: number;
  frame: string;
}

export class Session {
  readonly token = randomBytes(24).toString('base64url');
  seq = 0;
  socket: WebSocket | null = null;
  subscribed = false;
  /** Bearer token expiry (ms epoch); requests after it close the socket with 4003. */
  expiresAt: number;
  detachedTimer: NodeJS.Timeout | null = null;
  private buffer: Buffered[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    readonly user: SessionUser,
    expiresAt: number,
    private readonly limits: SessionLimits,
  ) {
    this.expiresAt = expiresAt;
  }

  hasRole(...roles: Role[]): boolean {
    return this.user.roles.some((r) => roles.includes(r));
  }

  /** Sends (or, when detached, only buffers) one event; `dataJson` is the serialized data. */
  emit(event: string, dataJson: string, now: number): void {
    const seq = ++this.seq;
    const frame = `{"event":${JSON.stringify(event)},"seq":${seq},"ts":"${new Date(now).toISOString()}","data":${dataJson}}`;
    this.remember(seq, frame);
    const ws = this.socket;
    if (!ws || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_UNSENT_BYTES) {
      // A client that does not read would make us hold its events in memory without end. Cut it
      // off; the events stay buffered here, so it can resume (session.resume) once it reads again.
      ws.close(1008, 'slow consumer: resume when ready');
      return;
    }
    ws.send(frame);
  }

  respond(id: string | number, data: unknown): void {
    this.socket?.send(JSON.stringify({ id, ok: true, data }));
  }

  /** Events after `lastSeq`, or null when some of them are no longer buffered. */
  since(lastSeq: number): string[] | null {
    if (lastSeq >= this.seq) return [];
    const first = this.buffer[this.head];
    if (!first || first.seq > lastSeq + 1) return null;
    const out: string[] = [];
    for (let i = this.head; i < this.buffer.length; i++) if (this.buffer[i]!.seq > lastSeq) out.push(this.buffer[i]!.frame);
    return out;
  }

  private remember(seq: number, frame: string): void {
    this.buffer.push({ seq, frame });
    this.bytes += frame.length;
    while (this.buffer.length - this.head > this.limits.bufferEvents || (this.bytes > this.limits.bufferBytes && this.buffer.length - this.head > 1)) {
      this.bytes -= this.buffer[this.head]!.frame.length;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
  }
}
