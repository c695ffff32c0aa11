/**
 * The WebSocket gateway (`GET /ws`, ws-api.md): one connection per socket, which must log in (or
 * resume a session) within 10 s (session-opener.ts); then requests are parsed, validated against
 * each op's schema, authorized by role, rate-limited and dispatched. Every failing request gets
 * exactly one error response; protocol violations get an `error` event and the close code of the
 * spec. Nothing a client sends can take the daemon down: every handler runs inside a catch.
 *
 * Security that reaches live sessions: the gateway subscribes to the auth service's access changes
 * and closes (4003) every live session of a user who is disabled, deleted, has a new password or
 * new roles, and every session opened with a token that is revoked. Before authentication a
 * socket may send at most 64 KiB per frame and 128 KiB in all. The memory held for slow clients
 * is bounded as a whole (memory-budget.ts).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { AppError, type ErrorCode } from '../core/errors.ts';
import { EventLoopTurns } from '../services/event-loop-turns.ts';
import type { AccessChange, AuthPort } from './auth-port.ts';
import { Hub } from './hub.ts';
import { MemoryBudget } from './memory-budget.ts';
import { agentOps } from './ops/agent-ops.ts';
import { callOps } from './ops/call-ops.ts';
import type { GatewayServices, OpDef, OpTable } from './ops/op.ts';
import { queueOps } from './ops/queue-ops.ts';
import { sessionOps } from './ops/session-ops.ts';
import { supervisorOps } from './ops/supervisor-ops.ts';
import { recordingOps } from './ops/recording-ops.ts';
import { CLOSE, LOGIN_TIMEOUT_MS, MAX_FRAME_BYTES, PRE_AUTH_MAX_FRAME_BYTES, PRE_AUTH_MAX_STREAM_BYTES, WS_MAX_PAYLOAD, parseFrame, type Request } from './protocol.ts';
import { TokenBucket } from './rate-limit.ts';
import { sendError, SessionOpener } from './session-opener.ts';
import { TurnOutbox, type TurnCommit } from './turn-outbox.ts';
import { cutOff, CUT_OFF_GRACE_MS, type Session, type SessionLimits } from './session.ts';
import { NO_SESSION_STORE, type SessionStore } from './session-store.ts';

export interface GatewayOptions {
  auth: AuthPort;
  services: Omit<GatewayServices, 'hub'>;
  hub: Hub;
  log: Logger;
  loginTimeoutMs?: number;
  /** How long a session whose socket dropped can be resumed. */
  resumeGraceMs?: number;
  limits?: Partial<SessionLimits>;
  rate?: { burst: number; perSecond: number };
  /** Bytes held for all clients at most: unsent on sockets plus resume buffers (default 256 MiB). */
  memoryBudgetBytes?: number;
  /** Where resumable sessions are kept across restarts (default: nowhere). */
  sessions?: SessionStore;
  /** When the previous daemon run was last alive: its sessions may be resumed within the grace. */
  previousRunEnd?: number | null;
  /** Group commit (DB_GROUP_COMMIT=1): every frame waits for the turn's commit, every answer
   * commits first (turn-outbox.ts). None: frames and answers are sent at once. */
  commit?: TurnCommit;
  /** Every this many ms each socket is pinged; one that has not answered the previous ping is
   * dead (a peer gone without a close: power, network) and is terminated, which detaches its
   * session for `session.resume` (default 30,000; 0: no pings). While a socket is attached, its
   * session keeps events for three intervals (older ones reached a live client, or the client was
   * found dead and detached, from when on everything is kept). */
  pingIntervalMs?: number;
}

export const OPS: OpTable = { ...sessionOps, ...agentOps, ...callOps, ...queueOps, ...supervisorOps, ...recordingOps };
/** Looked up by name only among the ops themselves: `__proto__`, `constructor` or `toString` are
 * unknown ops, not properties of Object.prototype. */
const OP_BY_NAME: ReadonlyMap<string, OpDef> = new Map(Object.entries(OPS));

const ACCESS_CHANGE_TEXT = {
  tokenRevoked: 'token revoked',
  disabled: 'user disabled',
  deleted: 'user deleted',
  passwordChanged: 'password changed; log in again',
  sessionsRevoked: 'sessions ended by an administrator',
  rolesChanged: 'roles changed; log in again (the token still works)',
} as const;

/** Liveness pings of client sockets (GatewayOptions.pingIntervalMs). */
const DEFAULT_PING_MS = 30_000;
/** Pings are sent in up to this many slices per interval (one a second at the default). */
const PING_SLICES = 30;

export class WsGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  private readonly upgrades = new EventLoopTurns();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly services: GatewayServices;
  private readonly sockets = new Set<WebSocket>();
  private readonly limits: SessionLimits;
  private readonly memory: MemoryBudget;
  private readonly opener: SessionOpener;
  private readonly unsubscribe: () => void;
  private readonly store: SessionStore;
  private closing = false;
  private readonly pingMs: number;
  private pinger: NodeJS.Timeout | null = null;
  /** Pings are spread over the interval: each socket belongs to one of these slices, and each
   * tick (interval / slices) pings one slice. 5,000 pings in one turn hold the event loop 40–50 ms,
   * and their pongs come back together (docs/performance.md, 2026-12-03 (fifth session)). */
  private readonly pingSlices: Set<WebSocket>[];
  private pingTick = 0;
  private nextSlice = 0;
  /** Sockets pinged and not heard from since (a pong, or any frame). */
  private readonly unanswered = new Set<WebSocket>();
  /** Sockets terminated because they did not answer a ping. */
  deadPeers = 0;

  /** Group commit: frames held to the end of the turn (turn-outbox.ts). */
  private readonly outbox: TurnOutbox | null;

  constructor(private readonly o: GatewayOptions) {
    this.outbox = o.commit ? new TurnOutbox(o.commit) : null;
    const ajv = new Ajv({ allErrors: false, strict: false });
    for (const [name, op] of OP_BY_NAME) this.validators.set(name, ajv.compile(op.schema));
    this.services = { ...o.services, hub: o.hub };
    this.store = o.sessions ?? NO_SESSION_STORE;
    const pingMs = o.pingIntervalMs ?? DEFAULT_PING_MS;
    this.limits = { bufferEvents: o.limits?.bufferEvents ?? 1000, bufferBytes: o.limits?.bufferBytes ?? 32 * 1024 * 1024, ...(pingMs > 0 ? { bufferMs: o.limits?.bufferMs ?? 3 * pingMs } : {}) };
    this.pingMs = pingMs;
    this.pingSlices = Array.from({ length: Math.min(PING_SLICES, Math.max(1, Math.floor(pingMs / 100))) }, () => new Set<WebSocket>());
    this.memory = new MemoryBudget({
      budgetBytes: o.memoryBudgetBytes ?? 256 * 1024 * 1024,
      sessions: () => o.hub.all(),
      cutOff: (s) => s.socket && cutOff(s.socket, 'slow consumer (memory budget): resume when ready'),
      log: o.log,
    });
    this.opener = new SessionOpener({
      auth: o.auth,
      hub: o.hub,
      services: this.services,
      limits: this.limits,
      meter: this.memory,
      ...(this.outbox ? { outbox: this.outbox } : {}),
      closeWith: (...args) => this.closeWith(...args),
      drop: (s) => this.drop(s),
      store: this.store,
      resumeGraceMs: o.resumeGraceMs ?? 120_000,
      previousRunEnd: o.previousRunEnd ?? null,
    });
    this.unsubscribe = o.auth.onAccessChanged((change) => this.accessChanged(change));
  }

  /** Memory held for clients (running totals) and what the budget has cut or shed. */
  memoryStats(): ReturnType<MemoryBudget['stats']> {
    return this.memory.stats();
  }

  attach(server: Server): void {
    this.memory.start();
    if (this.pingMs > 0) {
      this.pinger = setInterval(() => this.pingSlice(), this.pingMs / this.pingSlices.length);
      this.pinger.unref();
    }
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/ws') {
        socket.destroy();
        return;
      }
      // A crowd's handshakes arrive in one poll; each takes its own turn of the event loop, so
      // that the switch's events get through between them (services/event-loop-turns.ts). The
      // socket is not read meanwhile (node leaves it paused after 'upgrade'); ws destroys one that
      // closed while it waited.
      this.upgrades
        .take()
        .then(() => {
          if (this.closing) socket.destroy();
          else this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req));
        })
        .catch((err: unknown) => {
          // Not off the 'upgrade' event any more: a failure here would be an unhandled rejection.
          this.o.log.error({ err }, 'WebSocket upgrade failed; connection dropped');
          socket.destroy();
        });
    });
  }

  get sessionCount(): number {
    return this.o.hub.size;
  }

  async close(): Promise<void> {
    // The sessions stay in the store, detached now: after a restart within RESUME_GRACE_S they
    // can be resumed.
    this.closing = true;
    if (this.pinger) clearInterval(this.pinger);
    this.outbox?.flushAll(); // what the last turn pushed goes before the sockets close
    this.unsubscribe();
    this.memory.stop();
    for (const s of this.o.hub.all()) if (s.detachedTimer) clearTimeout(s.detachedTimer);
    for (const ws of this.sockets) ws.close(1001, 'daemon shutting down');
    // A peer that does not answer the close handshake within a second is cut off.
    const deadline = Date.now() + 1000;
    while (this.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** Terminates the sockets that did not answer the last ping, pings the others. */
  /** One slice's sockets: each is pinged once per interval, and one that did not answer the
   * previous ping (an interval ago) is terminated. */
  private pingSlice(): void {
    const slice = this.pingSlices[this.pingTick++ % this.pingSlices.length]!;
    for (const ws of slice) {
      if (ws.readyState !== ws.OPEN) continue;
      if (this.unanswered.has(ws)) {
        this.unanswered.delete(ws);
        this.deadPeers++;
        this.o.log.info({ pingIntervalMs: this.pingMs }, 'websocket peer did not answer a ping; terminated (its session can be resumed)');
        ws.terminate();
        continue;
      }
      this.unanswered.add(ws);
      ws.ping();
    }
  }

  // ------------------------------------------------------------------------------ connection

  private onSocket(ws: WebSocket, req: IncomingMessage): void {
    this.sockets.add(ws);
    const slice = this.pingSlices[this.nextSlice++ % this.pingSlices.length]!;
    slice.add(ws);
    const address = req.socket.remoteAddress ?? 'unknown';
    const log = this.o.log.child({ remote: address });
    const clock = this.o.services.clock;
    const bucket = new TokenBucket(this.o.rate?.burst ?? 100, this.o.rate?.perSecond ?? 50, clock.now());
    let session: Session | null = null;
    let chain = Promise.resolve();
    const loginTimer = setTimeout(() => {
      if (!session) this.closeWith(ws, CLOSE.NO_AUTH, 'UNAUTHENTICATED', 'no auth.login within 10 s');
    }, this.o.loginTimeoutMs ?? LOGIN_TIMEOUT_MS);
    const stopCounting = this.countBeforeLogin(ws, req, log);
    const loggedIn = (s: Session) => {
      session = s;
      clearTimeout(loginTimer);
      stopCounting();
    };

    const heard = (): void => void this.unanswered.delete(ws);
    ws.on('pong', heard);
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      this.unanswered.delete(ws);
      const parsed = parseFrame(raw as Buffer, isBinary, session ? MAX_FRAME_BYTES : PRE_AUTH_MAX_FRAME_BYTES);
      if (parsed.kind === 'protocolError') {
        log.info({ code: parsed.code, reason: parsed.message, username: session?.user.username }, 'protocol error; closing');
        this.closeWith(ws, CLOSE.PROTOCOL, parsed.code, parsed.message, session);
        return;
      }
      if (parsed.kind === 'badRequest') {
        sendError(ws, parsed.id, 'BAD_REQUEST', parsed.message);
        return;
      }
      const r = parsed.request;
      const verdict = bucket.take(clock.now());
      if (verdict === 'abusive') return this.closeWith(ws, CLOSE.RATE_LIMIT, 'RATE_LIMITED', 'too many requests', session);
      if (verdict === 'limited') return sendError(ws, r.id, 'RATE_LIMITED', 'slow down');
      // Requests of one connection are handled in order; a slow switch command does not reorder them.
      chain = chain.then(async () => {
        if (!session) {
          const opened = await this.opener.open(ws, r, log, address);
          if (opened) loggedIn(opened);
          return;
        }
        await this.dispatch(session, ws, r, log);
      }).catch((err: unknown) => {
        log.error({ err }, 'request failed outside its handler');
        sendError(ws, r.id, 'INTERNAL', 'internal error');
      });
    });

    ws.on('close', () => {
      clearTimeout(loginTimer);
      stopCounting();
      this.sockets.delete(ws);
      this.unanswered.delete(ws);
      slice.delete(ws);
      const s = session;
      if (s && s.socket === ws) this.detach(s);
    });
    ws.on('error', (err) => log.warn({ err: err.message }, 'websocket error'));
  }

  /**
   * Counts the bytes a socket sends on the TCP stream until it is authenticated: beyond
   * PRE_AUTH_MAX_STREAM_BYTES it gets TOO_LARGE and 4004, and is no longer read (so the WebSocket
   * layer does not go on buffering a frame it would take up to 16 MiB to finish), then destroyed.
   * Returns the function that stops counting.
   */
  private countBeforeLogin(ws: WebSocket, req: IncomingMessage, log: Logger): () => void {
    const stream = req.socket;
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= PRE_AUTH_MAX_STREAM_BYTES) return;
      stream.off('data', onData);
      log.info({ bytes }, 'too much data before authentication; closing');
      this.closeWith(ws, CLOSE.PROTOCOL, 'TOO_LARGE', `more than ${PRE_AUTH_MAX_STREAM_BYTES} bytes before authentication`);
      ws.pause();
      setTimeout(() => ws.terminate(), CUT_OFF_GRACE_MS).unref();
    };
    stream.on('data', onData);
    return () => stream.off('data', onData);
  }

  /** An `error` event (numbered in the session's sequence when there is one), then the close. */
  private closeWith(ws: WebSocket, code: number, errCode: ErrorCode, message: string, session?: Session | null): void {
    if (ws.readyState === ws.OPEN) {
      const data = JSON.stringify({ code: errCode, message });
      const now = this.o.services.clock.now();
      if (session && session.socket === ws) {
        session.emit('error', data, now);
        session.beforeAnswer(); // group commit: what it holds for this socket goes before the close
      } else ws.send(`{"event":"error","ts":"${new Date(now).toISOString()}","data":${data}}`);
      ws.close(code, message.slice(0, 120));
    }
  }

  private detach(session: Session): void {
    session.socket = null;
    this.store.detached(session.resumeHash, this.services.clock.now());
    if (this.closing) return;
    session.detachedTimer = setTimeout(() => this.drop(session), this.o.resumeGraceMs ?? 120_000);
    session.detachedTimer.unref();
  }

  private drop(session: Session): void {
    if (session.detachedTimer) clearTimeout(session.detachedTimer);
    session.detachedTimer = null;
    session.socket = null;
    this.o.hub.remove(session);
    this.store.removed(session.resumeHash);
    session.dispose();
  }

  /**
   * A user lost their access or their rights changed: each live session concerned (resumable ones
   * too) gets an `error` event and close 4003, and is dropped, so it cannot be resumed. On a role
   * change the session's roles are replaced first: a request already queued behind the change is
   * checked against the new roles.
   */
  private accessChanged(change: AccessChange): void {
    const affected = [...this.o.hub.all()].filter((s) => (change.kind === 'tokenRevoked' ? s.tokenHash === change.tokenHash : s.user.id === change.userId));
    const text = ACCESS_CHANGE_TEXT[change.kind === 'tokenRevoked' ? 'tokenRevoked' : change.change];
    for (const s of affected) {
      if (change.kind === 'userChanged' && change.change === 'rolesChanged') s.user.roles = [...change.roles];
      this.o.log.info({ username: s.user.username, reason: text }, 'session ended: access changed');
      if (s.socket) this.closeWith(s.socket, CLOSE.TOKEN_EXPIRED, 'UNAUTHENTICATED', text, s);
      this.drop(s);
    }
  }

  // -------------------------------------------------------------------------------- dispatch

  private async dispatch(session: Session, ws: WebSocket, r: Request, log: Logger): Promise<void> {
    if (session.socket !== ws) return; // this socket was replaced
    if (session.expiresAt <= this.services.clock.now()) {
      sendError(ws, r.id, 'UNAUTHENTICATED', 'token expired');
      ws.close(CLOSE.TOKEN_EXPIRED, 'token expired');
      return;
    }
    if (r.op === 'auth.login' || r.op === 'session.resume') {
      sendError(ws, r.id, 'INVALID_STATE', 'already authenticated on this connection');
      return;
    }
    const op = OP_BY_NAME.get(r.op);
    if (!op) return sendError(ws, r.id, 'UNKNOWN_OP', `unknown op ${r.op}`);
    if (op.roles && !session.hasRole(...op.roles)) return sendError(ws, r.id, 'FORBIDDEN', `${r.op} needs role ${op.roles.join(' or ')}`);
    const validate = this.validators.get(r.op)!;
    if (!validate(r.data)) {
      const e = validate.errors?.[0];
      return sendError(ws, r.id, 'BAD_REQUEST', `data${e?.instancePath ?? ''} ${e?.message ?? 'is invalid'}`, { errors: validate.errors });
    }
    const opLog = log.child({ agentId: session.user.username, op: r.op });
    try {
      const result = await op.handle({ session, services: this.services, log: opLog }, r.data);
      if (ws.readyState === ws.OPEN) session.respond(r.id, result ?? {});
    } catch (err) {
      session.beforeAnswer();
      if (err instanceof AppError) {
        opLog.info({ code: err.code, err: err.message }, 'request refused');
        sendError(ws, r.id, err.code, err.message, err.details);
      } else {
        opLog.error({ err }, 'request failed');
        sendError(ws, r.id, 'INTERNAL', 'internal error');
      }
    }
  }
}
