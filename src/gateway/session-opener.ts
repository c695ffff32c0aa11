/**
 * The first request of a connection: `auth.login` (password or token) or `session.resume`. Turns
 * it into a live Session — or into the error response and close code of ws-api.md:
 * 4001 no authentication, 4002 wrong password or unknown token, 4003 expired or revoked token or a
 * session that cannot be resumed, 4008 login throttled (too many failures for the username or the
 * address, or the password-hashing queue full: `RATE_LIMITED` with `details.retryAfterS`).
 */
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ErrorCode } from '../core/errors.ts';
import type { AuthPort } from './auth-port.ts';
import type { Hub } from './hub.ts';
import type { GatewayServices } from './ops/op.ts';
import { centreSnapshot } from './ops/supervisor-ops.ts';
import { CLOSE, type Request } from './protocol.ts';
import { Session, type MemoryMeter, type SessionLimits, type SessionUser } from './session.ts';

export interface OpenerDeps {
  auth: AuthPort;
  hub: Hub;
  services: GatewayServices;
  limits: SessionLimits;
  meter: MemoryMeter;
  closeWith(ws: WebSocket, code: number, errCode: ErrorCode, message: string, session?: Session | null): void;
  drop(session: Session): void;
}

export function sendError(ws: WebSocket, id: string | number, code: ErrorCode, message: string, details?: unknown): void {
  if (ws.readyState !== ws.OPEN) return;
  const error: Record<string, unknown> = { code, message };
  if (details !== undefined) error.details = details;
  ws.send(JSON.stringify({ id, ok: false, error }));
}

export class SessionOpener {
  constructor(private readonly d: OpenerDeps) {}

  /** The session the first request opens, or null (the socket is then answered and closed). */
  async open(ws: WebSocket, r: Request, log: Logger, address: string): Promise<Session | null> {
    if (r.op === 'session.resume') return this.resume(ws, r);
    if (r.op !== 'auth.login') {
      sendError(ws, r.id, 'UNAUTHENTICATED', 'log in first (auth.login)');
      ws.close(CLOSE.NO_AUTH, 'not authenticated');
      return null;
    }
    const who = await this.authenticate(ws, r, log, address);
    if (!who || ws.readyState !== ws.OPEN) return null;
    const { user, token, tokenHash, expiresAt } = who;
    // A newer session of the same user replaces the older ones (4009).
    for (const old of this.d.hub.sessionsOf(user.username)) {
      if (old.socket) this.d.closeWith(old.socket, CLOSE.REPLACED, 'CONFLICT', 'replaced by a newer session of the same user', old);
      this.d.drop(old);
    }
    const session = new Session(user, expiresAt, this.d.limits, { tokenHash, meter: this.d.meter });
    session.socket = ws;
    this.d.hub.add(session);
    log.info({ username: user.username, roles: user.roles }, 'session started');
    session.respond(r.id, {
      user: { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles },
      token,
      expiresAt: new Date(expiresAt).toISOString(),
      sessionToken: session.token,
    });
    session.emit('link.status', JSON.stringify({ pbx: this.d.services.pbx.linkUp ? 'up' : 'down' }), this.d.services.clock.now());
    return session;
  }

  private async authenticate(ws: WebSocket, r: Request, log: Logger, address: string): Promise<{ user: SessionUser; token: string; tokenHash: string; expiresAt: number } | null> {
    const d = r.data;
    if (typeof d.token === 'string' && d.token && d.username === undefined) {
      const check = this.d.auth.verifyToken(d.token);
      if (!check.ok) {
        sendError(ws, r.id, 'UNAUTHENTICATED', `token ${check.reason}`);
        ws.close(check.reason === 'unknown' ? CLOSE.AUTH_FAILED : CLOSE.TOKEN_EXPIRED, `token ${check.reason}`);
        return null;
      }
      return { user: check.user, token: d.token, tokenHash: check.tokenHash, expiresAt: check.expiresAt };
    }
    if (typeof d.username === 'string' && typeof d.password === 'string' && d.username.length <= 64 && d.password.length <= 1024) {
      const attempt = await this.d.auth.login(d.username, d.password, address);
      if (attempt.ok) return attempt.result;
      if (attempt.reason === 'invalid') {
        log.info({ username: d.username }, 'login failed');
        sendError(ws, r.id, 'UNAUTHENTICATED', 'wrong username or password');
        ws.close(CLOSE.AUTH_FAILED, 'authentication failed');
        return null;
      }
      const why = attempt.reason === 'throttled' ? 'too many failed logins' : 'too many logins at once';
      log.info({ username: d.username, reason: attempt.reason, retryAfterS: attempt.retryAfterS }, 'login refused');
      sendError(ws, r.id, 'RATE_LIMITED', `${why}; try again in ${attempt.retryAfterS} s`, { retryAfterS: attempt.retryAfterS });
      ws.close(CLOSE.RATE_LIMIT, 'login throttled');
      return null;
    }
    sendError(ws, r.id, 'BAD_REQUEST', 'auth.login needs {username, password} or {token}');
    ws.close(CLOSE.AUTH_FAILED, 'authentication failed');
    return null;
  }

  private resume(ws: WebSocket, r: Request): Session | null {
    const { sessionToken, lastSeq } = r.data;
    if (typeof sessionToken !== 'string' || typeof lastSeq !== 'number' || !Number.isInteger(lastSeq) || lastSeq < 0) {
      sendError(ws, r.id, 'BAD_REQUEST', 'session.resume needs {sessionToken, lastSeq}');
      ws.close(CLOSE.NO_AUTH, 'not authenticated');
      return null;
    }
    const session = this.d.hub.byResumeToken(sessionToken);
    if (!session || session.expiresAt <= this.d.services.clock.now()) {
      sendError(ws, r.id, 'UNAUTHENTICATED', 'session expired or unknown; log in again');
      ws.close(CLOSE.TOKEN_EXPIRED, 'session expired');
      return null;
    }
    if (session.socket && session.socket !== ws) {
      const old = session.socket;
      session.socket = null;
      this.d.closeWith(old, CLOSE.REPLACED, 'CONFLICT', 'session resumed elsewhere');
    }
    if (session.detachedTimer) clearTimeout(session.detachedTimer);
    session.detachedTimer = null;
    const missed = session.since(lastSeq);
    session.socket = ws;
    this.d.meter.unsent(session, 0);
    if (missed) {
      session.respond(r.id, { replayed: missed.length, user: session.user });
      for (const frame of missed) ws.send(frame);
    } else {
      session.respond(r.id, { snapshot: this.snapshotFor(session), seq: session.seq, user: session.user });
    }
    return session;
  }

  private snapshotFor(session: Session): object {
    const s = this.d.services;
    const me = session.user.username;
    const st = s.presence.status(me);
    const calls = st.extension ? s.calls.callsAtDevice(st.extension).map(({ call, state }) => ({ callId: call.id, state, from: call.from, to: call.to, direction: call.direction, queue: call.queue })) : [];
    const base = { agent: { agentId: me, state: st.state, reason: st.reason, since: new Date(st.since).toISOString(), extension: st.extension }, calls, pbx: s.pbx.linkUp ? 'up' : 'down' };
    return session.hasRole('supervisor', 'admin') ? { ...base, centre: centreSnapshot(s) } : base;
  }
}
