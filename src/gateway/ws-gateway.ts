/**
 * The WebSocket gateway (`GET /ws`, ws-api.md): one connection per socket, which must log in (or
 * resume a session) within 10 s; then requests are parsed, validated against each op's schema,
 * authorized by role, rate-limited and dispatched. Every failing request gets exactly one error
 * response; protocol violations get an `error` event and the close code of the spec. Nothing a
 * client sends can take the daemon down: every handler runs inside a catch.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { AppError, type ErrorCode } from '../core/errors.ts';
import type { AuthPort } from './auth-port.ts';
import { Hub } from './hub.ts';
import { agentOps } from './ops/agent-ops.ts';
import { callOps } from './ops/call-ops.ts';
import type { GatewayServices, OpDef, OpTable } from './ops/op.ts';
import { queueOps } from './ops/queue-ops.ts';
import { sessionOps } from './ops/session-ops.ts';
import { centreSnapshot, supervisorOps } from './ops/supervisor-ops.ts';
import { CLOSE, LOGIN_TIMEOUT_MS, WS_MAX_PAYLOAD, parseFrame, type Request } from './protocol.ts';
import { TokenBucket } from './rate-limit.ts';
import { Session, type SessionLimits } from './session.ts';

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
}

export const OPS: OpTable = { ...sessionOps, ...agentOps, ...callOps, ...queueOps, ...supervisorOps };

export class WsGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly services: GatewayServices;
  private readonly sockets = new Set<WebSocket>();
  private readonly limits: SessionLimits;

  constructor(private readonly o: GatewayOptions) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    for (const [name, op] of Object.entries(OPS)) this.validators.set(name, ajv.compile(op.schema));
    this.services = { ...o.services, hub: o.hub };
    this.limits = { bufferEvents: o.limits?.bufferEvents ?? 1000, bufferBytes: o.limits?.bufferBytes ?? 32 * 1024 * 1024 };
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/ws') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req));
    });
  }

  get sessionCount(): number {
    return this.o.hub.size;
  }

  async close(): Promise<void> {
    for (const s of this.o.hub.all()) if (s.detachedTimer) clearTimeout(s.detachedTimer);
    for (const ws of this.sockets) ws.close(1001, 'daemon shutting down');
    // A peer that does not answer the close handshake within a second is cut off.
    const deadline = Date.now() + 1000;
    while (this.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  // ------------------------------------------------------------------------------ connection

  private onSocket(ws: WebSocket, req: IncomingMessage): void {
    this.sockets.add(ws);
    const log = this.o.log.child({ remote: req.socket.remoteAddress });
    const clock = this.o.services.clock;
    const bucket = new TokenBucket(this.o.rate?.burst ?? 100, this.o.rate?.perSecond ?? 50, clock.now());
    let session: Session | null = null;
    let chain = Promise.resolve();
    const loginTimer = setTimeout(() => {
      if (!session) this.closeWith(ws, CLOSE.NO_AUTH, 'UNAUTHENTICATED', 'no auth.login within 10 s');
    }, this.o.loginTimeoutMs ?? LOGIN_TIMEOUT_MS);

    ws.on('message', (raw: RawData, isBinary: boolean) => {
      const parsed = parseFrame(raw as Buffer, isBinary);
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
          session = await this.authenticate(ws, r, log);
          if (session) clearTimeout(loginTimer);
          return;
        }
        await this.dispatch(session, ws, r, log);
      }).catch((err: unknown) => log.error({ err }, 'request chain failed'));
    });

    ws.on('close', () => {
      clearTimeout(loginTimer);
      this.sockets.delete(ws);
      const s = session;
      if (s && s.socket === ws) this.detach(s);
    });
    ws.on('error', (err) => log.warn({ err: err.message }, 'websocket error'));
  }

  /** An `error` event (numbered in the session's sequence when there is one), then the close. */
  private closeWith(ws: WebSocket, code: number, errCode: ErrorCode, message: string, session?: Session | null): void {
    if (ws.readyState === ws.OPEN) {
      const data = JSON.stringify({ code: errCode, message });
      const now = this.o.services.clock.now();
      if (session && session.socket === ws) session.emit('error', data, now);
      else ws.send(`{"event":"error","ts":"${new Date(now).toISOString()}","data":${data}}`);
      ws.close(code, message.slice(0, 120));
    }
  }

  /** The first request: auth.login (password or token) or session.resume. */
  private async authenticate(ws: WebSocket, r: Request, log: Logger): Promise<Session | null> {
    if (r.op === 'session.resume') return this.resume(ws, r);
    if (r.op !== 'auth.login') {
      sendError(ws, r.id, 'UNAUTHENTICATED', 'log in first (auth.login)');
      ws.close(CLOSE.NO_AUTH, 'not authenticated');
      return null;
    }
    const d = r.data;
    let user, token, expiresAt: number;
    if (typeof d.token === 'string' && d.token && d.username === undefined) {
      const check = this.o.auth.verifyToken(d.token);
      if (!check.ok) {
        sendError(ws, r.id, 'UNAUTHENTICATED', `token ${check.reason}`);
        ws.close(check.reason === 'unknown' ? CLOSE.AUTH_FAILED : CLOSE.TOKEN_EXPIRED, `token ${check.reason}`);
        return null;
      }
      ({ user, expiresAt } = check);
      token = d.token;
    } else if (typeof d.username === 'string' && typeof d.password === 'string' && d.username.length <= 64 && d.password.length <= 1024) {
      const result = await this.o.auth.login(d.username, d.password);
      if (!result) {
        log.info({ username: d.username }, 'login failed');
        sendError(ws, r.id, 'UNAUTHENTICATED', 'wrong username or password');
        ws.close(CLOSE.AUTH_FAILED, 'authentication failed');
        return null;
      }
      ({ user, token, expiresAt } = result);
    } else {
      sendError(ws, r.id, 'BAD_REQUEST', 'auth.login needs {username, password} or {token}');
      ws.close(CLOSE.AUTH_FAILED, 'authentication failed');
      return null;
    }
    if (ws.readyState !== ws.OPEN) return null;
    // A newer session of the same user replaces the older ones (4009).
    for (const old of this.o.hub.sessionsOf(user.username)) {
      if (old.socket) this.closeWith(old.socket, CLOSE.REPLACED, 'CONFLICT', 'replaced by a newer session of the same user', old);
      this.drop(old);
    }
    const session = new Session(user, expiresAt, this.limits);
    session.socket = ws;
    this.o.hub.add(session);
    log.info({ username: user.username, roles: user.roles }, 'session started');
    session.respond(r.id, {
      user: { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles },
      token,
      expiresAt: new Date(expiresAt).toISOString(),
      sessionToken: session.token,
    });
    session.emit('link.status', JSON.stringify({ pbx: this.services.pbx.linkUp ? 'up' : 'down' }), this.services.clock.now());
    return session;
  }

  private resume(ws: WebSocket, r: Request): Session | null {
    const { sessionToken, lastSeq } = r.data;
    if (typeof sessionToken !== 'string' || typeof lastSeq !== 'number' || !Number.isInteger(lastSeq) || lastSeq < 0) {
      sendError(ws, r.id, 'BAD_REQUEST', 'session.resume needs {sessionToken, lastSeq}');
      ws.close(CLOSE.NO_AUTH, 'not authenticated');
      return null;
    }
    const session = this.o.hub.byResumeToken(sessionToken);
    if (!session || session.expiresAt <= this.services.clock.now()) {
      sendError(ws, r.id, 'UNAUTHENTICATED', 'session expired or unknown; log in again');
      ws.close(CLOSE.TOKEN_EXPIRED, 'session expired');
      return null;
    }
    if (session.socket && session.socket !== ws) {
      const old = session.socket;
      session.socket = null;
      this.closeWith(old, CLOSE.REPLACED, 'CONFLICT', 'session resumed elsewhere');
    }
    if (session.detachedTimer) clearTimeout(session.detachedTimer);
    session.detachedTimer = null;
    const missed = session.since(lastSeq);
    session.socket = ws;
    if (missed) {
      session.respond(r.id, { replayed: missed.length, user: session.user });
      for (const frame of missed) ws.send(frame);
    } else {
      session.respond(r.id, { snapshot: this.snapshotFor(session), seq: session.seq, user: session.user });
    }
    return session;
  }

  private snapshotFor(session: Session): object {
    const s = this.services;
    const me = session.user.username;
    const st = s.presence.status(me);
    const calls = st.extension ? s.calls.callsAtDevice(st.extension).map(({ call, state }) => ({ callId: call.id, state, from: call.from, to: call.to, direction: call.direction, queue: call.queue })) : [];
    const base = { agent: { agentId: me, state: st.state, reason: st.reason, since: new Date(st.since).toISOString(), extension: st.extension }, calls, pbx: s.pbx.linkUp ? 'up' : 'down' };
    return session.hasRole('supervisor', 'admin') ? { ...base, centre: centreSnapshot(s) } : base;
  }

  private detach(session: Session): void {
    session.socket = null;
    session.detachedTimer = setTimeout(() => this.drop(session), this.o.resumeGraceMs ?? 120_000);
    session.detachedTimer.unref();
  }

  private drop(session: Session): void {
    if (session.detachedTimer) clearTimeout(session.detachedTimer);
    session.detachedTimer = null;
    this.o.hub.remove(session);
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
    const op: OpDef | undefined = OPS[r.op];
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

function sendError(ws: WebSocket, id: string | number, code: ErrorCode, message: string, details?: unknown): void {
  if (ws.readyState !== ws.OPEN) return;
  const error: Record<string, unknown> = { code, message };
  if (details !== undefined) error.details = details;
  ws.send(JSON.stringify({ id, ok: false, error }));
}
