/**
 * A client session: the authenticated user, the per-session event sequence and the buffer of
 * recent events for `session.resume`. A session outlives its socket for a grace period, so a
 * softphone that lost its network can resume and get every event it missed, in order, with the
 * original `seq`.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { ClientKind } from './protocol.ts';
import { resumeHash } from './session-store.ts';
import type { TurnOutbox } from './turn-outbox.ts';

/** Bytes queued on a socket, unsent, before its client counts as not reading. */
export const MAX_UNSENT_BYTES = 64 * 1024 * 1024;

/** How long a socket cut off for not reading gets to take its close frame before it is
 * destroyed (which is what frees its unsent bytes). */
export const CUT_OFF_GRACE_MS = 1000;

/** Where a session reports the memory it holds (memory-budget.ts keeps the running totals). */
export interface MemoryMeter {
  /** The session's resume buffer grew (or shrank, negative) by this many bytes. */
  resumeDelta(bytes: number): void;
  /** The session's socket now holds this many bytes unsent (read after each send). */
  unsent(session: Session, bytes: number): void;
}

/** The TCP socket under a `ws` WebSocket (ws keeps it as `_socket`; null once closed, or should a
 * later ws rename it, in which case frames are written one by one as before). */
function rawSocket(ws: WebSocket): { cork(): void; uncork(): void } | null {
  const raw = (ws as unknown as { _socket?: { cork?: unknown; uncork?: unknown } | null })._socket;
  return raw && typeof raw.cork === 'function' && typeof raw.uncork === 'function' ? (raw as { cork(): void; uncork(): void }) : null;
}

/** Closes a socket whose client does not read (1008): it can `session.resume` once it reads
 * again. The close frame waits behind the unsent bytes, so the socket is destroyed after a grace
 * if the client has not taken them by then. */
export function cutOff(ws: WebSocket, reason: string): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.close(1008, reason);
  setTimeout(() => ws.terminate(), CUT_OFF_GRACE_MS).unref();
}

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
  /** While a socket is attached, events older than this are not kept (none: no age limit). */
  bufferMs?: number;
}

/** One published event: created once per publish and shared by every session it went to, so a
 * resume buffer holds a reference per event, not a copy of its frame (a queue's figures sent to
 * 10,000 members are one string, not 10,000). */
export interface Published {
  readonly event: string;
  /** The serialized data. */
  readonly json: string;
  /** When it was published (ms epoch): the frame's `ts`. */
  readonly at: number;
  /** The frame around the seq, made once for every session (`frameOf`). */
  head: string | null;
  tail: string | null;
}

export function published(event: string, json: string, at: number): Published {
  return { event, json, at, head: null, tail: null };
}

/** The frame of `p` as the session with this `seq` sends it. The parts around the seq (the
 * event's name, the ISO time, the data) are made once per publish, not once per session. */
/** The fan-out of `p` is over: its frame parts are let go, so that a resume buffer holding it
 * holds only the data (a replay, rare, makes them again). About half an event's memory. */
export function fannedOut(p: Published): void {
  p.head = null;
  p.tail = null;
}

export function frameOf(p: Published, seq: number): string {
  if (p.head === null || p.tail === null) {
    p.head = `{"event":${JSON.stringify(p.event)},"seq":`;
    p.tail = `,"ts":"${new Date(p.at).toISOString()}","data":${p.json}}`;
  }
  return p.head + seq + p.tail;
}

export interface SessionOptions {
  /** sha256 of the bearer token the session was opened with (revoking it ends the session). */
  tokenHash?: string | null;
  meter?: MemoryMeter;
  /** The resume token of a session taken back after a restart (default: a new one). */
  token?: string;
  /** What kind of client opened it (default `softphone`). */
  client?: ClientKind;
  /** Group commit: frames held to the end of the turn, after its commit (turn-outbox.ts). */
  outbox?: TurnOutbox;
}

export class Session {
  readonly token: string;
  /** sha256 of `token`: the session store's key (session-store.ts). */
  readonly resumeHash: string;
  seq = 0;
  socket: WebSocket | null = null;
  subscribed = false;
  /** `queue.stats` events wanted (`queue.statsEvents`); a softphone that shows no queue figures
   * turns them off. Not kept across a daemon restart. */
  queueStats = true;
  /** Taken back from the session store after a restart, not yet answered (session-opener.ts). */
  takenBack = false;
  /** Bearer token expiry (ms epoch); requests after it close the socket with 4003. */
  expiresAt: number;
  readonly tokenHash: string | null;
  /** A new session of the user replaces only those of its own kind (session-opener.ts). */
  readonly client: ClientKind;
  detachedTimer: NodeJS.Timeout | null = null;
  /** Unsent bytes on the socket when last looked at (memory-budget.ts). */
  lastUnsent = 0;
  /** Events kept for `session.resume`: `buffer[head + i]` had seq `firstSeq + i` (seqs are
   * consecutive); `sizes` are their frames' lengths. Slots before `head` are emptied as events
   * are dropped, so a dropped event is not held until the next compaction. */
  private buffer: (Published | undefined)[] = [];
  private sizes: number[] = [];
  private head = 0;
  private firstSeq = 1;
  private bytes = 0;
  private readonly meter: MemoryMeter | undefined;
  private readonly outbox: TurnOutbox | undefined;
  /** Frames held for the end of this turn (outbox), and the socket they were meant for. */
  private held: string[] = [];
  private heldOn: WebSocket | null = null;

  constructor(
    readonly user: SessionUser,
    expiresAt: number,
    private readonly limits: SessionLimits,
    opts: SessionOptions = {},
  ) {
    this.token = opts.token ?? randomBytes(24).toString('base64url');
    this.resumeHash = resumeHash(this.token);
    this.expiresAt = expiresAt;
    this.tokenHash = opts.tokenHash ?? null;
    this.client = opts.client ?? 'softphone';
    this.meter = opts.meter;
    this.outbox = opts.outbox;
  }

  /** Bytes of events held for `session.resume`. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  hasRole(...roles: Role[]): boolean {
    return this.user.roles.some((r) => roles.includes(r));
  }

  /** Sends (or, when detached, only buffers) one event; `dataJson` is the serialized data. */
  emit(event: string, dataJson: string, now: number): void {
    const p = published(event, dataJson, now);
    this.emitPublished(p);
    fannedOut(p);
  }

  /** Sends (or, when detached, only buffers) an event published to several sessions at once. */
  emitPublished(p: Published): void {
    const seq = ++this.seq;
    const frame = frameOf(p, seq);
    this.remember(p, frame.length, p.at);
    const ws = this.socket;
    if (!ws || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_UNSENT_BYTES) {
      // A client that does not read would make us hold its events in memory without end. Cut it
      // off; the events stay buffered here, so it can resume (session.resume) once it reads again.
      cutOff(ws, 'slow consumer: resume when ready');
      return;
    }
    if (this.outbox) {
      if (this.heldOn !== ws) {
        this.held = [];
        this.heldOn = ws;
      }
      this.held.push(frame);
      this.outbox.hold(this);
      return;
    }
    ws.send(frame);
    this.meter?.unsent(this, ws.bufferedAmount);
  }

  /** Sends the frames held for this turn (turn-outbox.ts), unless the socket they were meant for
   * is gone: a resumed session gets them from its buffer instead. */
  flushHeld(): void {
    const frames = this.held;
    const on = this.heldOn;
    this.held = [];
    this.heldOn = null;
    const ws = this.socket;
    if (frames.length === 0 || !ws || ws !== on || ws.readyState !== ws.OPEN) return;
    if (frames.length === 1) ws.send(frames[0]!);
    else {
      // One write to the socket for the turn's frames, not one each: ws corks per frame
      // (header and payload), and an outer cork holds them all until the last.
      const raw = rawSocket(ws);
      raw?.cork();
      for (const f of frames) ws.send(f);
      raw?.uncork();
    }
    this.meter?.unsent(this, ws.bufferedAmount);
  }

  respond(id: string | number, data: unknown): void {
    this.outbox?.beforeAnswer(this);
    const ws = this.socket;
    if (!ws) return;
    ws.send(JSON.stringify({ id, ok: true, data }));
    this.meter?.unsent(this, ws.bufferedAmount);
  }

  /** Before an error answer sent around `respond` (ws-gateway.ts): the same order as an answer. */
  beforeAnswer(): void {
    this.outbox?.beforeAnswer(this);
  }

  /** Drops the oldest buffered events until `bytes` are freed (the newest one stays); a later
   * resume from before them gets a snapshot instead of a replay. Returns the bytes freed. */
  shed(bytes: number): number {
    let freed = 0;
    while (freed < bytes && this.buffer.length - this.head > 1) freed += this.dropOldest();
    this.compact();
    this.meter?.resumeDelta(-freed);
    return freed;
  }

  /** The session is gone: its buffer no longer counts. */
  dispose(): void {
    this.meter?.resumeDelta(-this.bytes);
    this.meter?.unsent(this, 0);
    this.buffer = [];
    this.sizes = [];
    this.head = 0;
    this.firstSeq = this.seq + 1;
    this.bytes = 0;
  }

  /** Events after `lastSeq`, or null when some of them are no longer buffered. */
  since(lastSeq: number): string[] | null {
    if (lastSeq >= this.seq) return [];
    if (this.buffer.length === this.head || this.firstSeq > lastSeq + 1) return null;
    const out: string[] = [];
    for (let i = this.head + (lastSeq + 1 - this.firstSeq); i < this.buffer.length; i++) out.push(frameOf(this.buffer[i]!, this.firstSeq + (i - this.head)));
    return out;
  }

  /** Keeps the event just sent (its seq is `this.seq`), then drops the oldest beyond the limits:
   * a count, bytes, and, while a socket is attached, an age (`bufferMs`): an event older than that
   * has reached a live client or the client's socket was found dead (ws pings) and detached, from
   * when on everything is kept until the session resumes or ends. */
  private remember(p: Published, size: number, now: number): void {
    if (this.buffer.length === this.head) this.firstSeq = this.seq;
    this.buffer.push(p);
    this.sizes.push(size);
    this.bytes += size;
    let delta = size;
    const oldest = this.socket !== null && this.limits.bufferMs !== undefined ? now - this.limits.bufferMs : -Infinity;
    while (
      this.buffer.length - this.head > 1 &&
      (this.buffer.length - this.head > this.limits.bufferEvents || this.bytes > this.limits.bufferBytes || this.buffer[this.head]!.at < oldest)
    ) {
      delta -= this.dropOldest();
    }
    this.compact();
    this.meter?.resumeDelta(delta);
  }

  private dropOldest(): number {
    const n = this.sizes[this.head]!;
    this.buffer[this.head] = undefined;
    this.bytes -= n;
    this.head++;
    this.firstSeq++;
    return n;
  }

  private compact(): void {
    if (this.head > 256 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }
}
