/**
 * The first request of a connection: `auth.login` (password or token) or `session.resume`. Turns
 * it into a live Session — or into the error response and close code of ws-api.md:
 * 4001 no authentication, 4002 wrong password or unknown token, 4003 expired or revoked token or a
 * session that cannot be resumed, 4008 login throttled (too many failures for the username or the
 * address, or the password-hashing queue full: `RATE_LIMITED` with `details.retryAfterS`).
 *
 * Sessions are kept in the session store (session-store.ts) so that a `session.resume` after a
 * daemon restart finds them: the session comes back under the same resume token with a snapshot,
 * its numbering continued from the client's `lastSeq`, and an agent gets back the state it had.
 */
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ErrorCode } from '../core/errors.ts';
import type { AuthPort } from './auth-port.ts';
import type { Hub } from './hub.ts';
import type { GatewayServices } from './ops/op.ts';
import { centreSnapshot } from './ops/supervisor-ops.ts';
import { CLOSE, CLIENT_KINDS, isClientKind, type Request } from './protocol.ts';
import { Session, type MemoryMeter, type SessionLimits, type SessionUser } from './session.ts';
import { resumableAt, resumeHash, type SessionStore } from './session-store.ts';
import type { TurnOutbox } from './turn-outbox.ts';

export interface OpenerDeps {
  auth: AuthPort;
  hub: Hub;
  services: GatewayServices;
  limits: SessionLimits;
  meter: MemoryMeter;
  /** Group commit: frames held to the end of the turn (turn-outbox.ts); none: sent at once. */
  outbox?: TurnOutbox;
  closeWith(ws: WebSocket, code: number, errCode: ErrorCode, message: string, session?: Session | null): void;
  drop(session: Session): void;
  store: SessionStore;
  resumeGraceMs: number;
  /** When the previous run was last known alive (sessions attached then may resume); null: none. */
  previousRunEnd: number | null;
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
    if (r.op === 'session.resume') return this.resume(ws, r, log);
    if (r.op !== 'auth.login') {
      sendError(ws, r.id, 'UNAUTHENTICATED', 'log in first (auth.login)');
      ws.close(CLOSE.NO_AUTH, 'not authenticated');
      return null;
    }
    const client = r.data.client ?? 'softphone';
    if (!isClientKind(client)) {
      sendError(ws, r.id, 'BAD_REQUEST', `auth.login: client must be one of ${CLIENT_KINDS.join(', ')}`);
      ws.close(CLOSE.AUTH_FAILED, 'authentication failed');
      return null;
    }
    const who = await this.authenticate(ws, r, log, address);
    if (!who || ws.readyState !== ws.OPEN) return null;
    const { user, token, tokenHash, expiresAt } = who;
    // A newer session of the same user and kind of client replaces the older ones (4009).
    for (const old of this.d.hub.sessionsOf(user.username)) {
      if (old.client !== client) continue;
      if (old.socket) this.d.closeWith(old.socket, CLOSE.REPLACED, 'CONFLICT', `replaced by a newer ${client} session of the same user`, old);
      this.d.drop(old);
    }
    const session = new Session(user, expiresAt, this.d.limits, { tokenHash, meter: this.d.meter, client, ...(this.d.outbox ? { outbox: this.d.outbox } : {}) });
    session.socket = ws;
    this.d.hub.add(session);
    this.d.store.saved({ resumeHash: session.resumeHash, userId: user.id, username: user.username, tokenHash, expiresAt, createdAt: this.d.services.clock.now(), detachedAt: null, client });
    log.info({ username: user.username, roles: user.roles, client }, 'session started');
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

  private resume(ws: WebSocket, r: Request, log: Logger): Session | null {
    const { sessionToken, lastSeq } = r.data;
    if (typeof sessionToken !== 'string' || typeof lastSeq !== 'number' || !Number.isInteger(lastSeq) || lastSeq < 0) {
      sendError(ws, r.id, 'BAD_REQUEST', 'session.resume needs {sessionToken, lastSeq}');
      ws.close(CLOSE.NO_AUTH, 'not authenticated');
      return null;
    }
    const session = this.d.hub.byResumeToken(sessionToken) ?? this.takeBack(sessionToken, lastSeq, log);
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
    // A session taken back after a restart answers with a snapshot: what happened while the daemon
    // was away was never numbered.
    const missed = session.takenBack ? null : session.since(lastSeq);
    session.takenBack = false;
    session.socket = ws;
    this.d.meter.unsent(session, 0);
    this.d.store.attached(session.resumeHash);
    if (missed) {
      session.respond(r.id, { replayed: missed.length, user: session.user });
      for (const frame of missed) ws.send(frame);
    } else {
      session.respond(r.id, { snapshot: this.snapshotFor(session), seq: session.seq, user: session.user });
    }
    return session;
  }

  /**
   * A session of the previous run, taken back after a restart: the same resume token, the user as
   * the token says now (revoked, expired or disabled: no), numbering continued from `lastSeq`, and
   * for an agent the state it had before the restart. Its events before now are not replayable
   * (`since` finds none buffered), so the answer is a snapshot.
   */
  private takeBack(token: string, lastSeq: number, log: Logger): Session | null {
    const now = this.d.services.clock.now();
    const record = this.d.store.find(resumeHash(token));
    if (!record || !resumableAt(record, now, this.d.resumeGraceMs, this.d.previousRunEnd)) return null;
    const check = this.d.auth.verifyTokenHash(record.tokenHash);
    if (!check.ok || check.user.id !== record.userId) {
      this.d.store.removed(record.resumeHash);
      return null;
    }
    const session = new Session(check.user, check.expiresAt, this.d.limits, { tokenHash: record.tokenHash, meter: this.d.meter, token, client: record.client, ...(this.d.outbox ? { outbox: this.d.outbox } : {}) });
    session.seq = lastSeq;
    session.takenBack = true;
    this.d.hub.add(session);
    const restored = check.user.roles.includes('agent') && this.d.services.presence.resumeAfterRestart(check.user.username);
    log.info({ username: check.user.username, awayMs: now - (record.detachedAt ?? this.d.previousRunEnd ?? now), agentStateRestored: restored }, 'session of the previous run resumed');
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
