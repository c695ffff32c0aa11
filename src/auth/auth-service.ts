/**
 * Logs users in with a password and checks session tokens; shared by the HTTP login route, the
 * admin routes and the WebSocket gateway (`auth.login` with a password or a token).
 *
 * A failed login costs one scrypt derivation whether the username exists, is disabled, or the
 * password is wrong, so timing does not tell which usernames exist. A successful login with a
 * hash made under older parameters is re-hashed under the current ones.
 *
 * `attemptLogin` is the door from outside: it asks the login throttle first (login-throttle.ts;
 * a throttled attempt costs no scrypt at all) and runs the password check through the bounded
 * hashing pool (hash-pool.ts), each login taking its turn of the event loop
 * (services/event-loop-turns.ts). Whoever ends sessions (logout, the admin API disabling a user,
 * changing a password or roles) publishes an `AccessChange`; the WebSocket gateway subscribes and
 * closes the live sessions it concerns.
 */
import type { Logger } from 'pino';
import type { AuthTokensRepository } from '../storage/repositories/auth-tokens.ts';
import type { Clock } from '../storage/repositories/context.ts';
import type { UsersRepository } from '../storage/repositories/users.ts';
import type { Role } from '../storage/schema.ts';
import { EventLoopTurns } from '../services/event-loop-turns.ts';
import { HashPool, HashPoolBusy } from './hash-pool.ts';
import { LoginThrottle } from './login-throttle.ts';
import { burnVerification, DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password.ts';
import { hashToken, looksLikeToken, newToken } from './tokens.ts';

export const DEFAULT_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

export interface AuthUser {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
}

export interface LoginResult {
  user: AuthUser;
  token: string;
  /** sha256 of the token (hex), as stored: names the token without being it. */
  tokenHash: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** What a login attempt came to. `throttled`: too many failures for the username or the address
 * (login-throttle.ts); `busy`: the password-hashing queue is full (hash-pool.ts). Both carry when
 * to try again and cost no password check. */
export type LoginAttempt =
  | { ok: true; result: LoginResult }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled' | 'busy'; retryAfterS: number };

export type TokenFailure = 'expired' | 'revoked' | 'unknown';

export type TokenCheck = { ok: true; user: AuthUser; tokenHash: string; expiresAt: number } | { ok: false; reason: TokenFailure };

/** Something that ends or changes a user's sessions, published once it is committed. */
export type AccessChange =
  | { kind: 'tokenRevoked'; tokenHash: string }
  | { kind: 'userChanged'; userId: number; change: 'disabled' | 'passwordChanged' | 'deleted' | 'sessionsRevoked' }
  | { kind: 'userChanged'; userId: number; change: 'rolesChanged'; roles: Role[] };

export type AccessListener = (change: AccessChange) => void;

export interface AuthServiceOptions {
  users: UsersRepository;
  tokens: AuthTokensRepository;
  clock?: Clock;
  /** Session lifetime in milliseconds; default 12 h. */
  tokenTtlMs?: number;
  /** Cost for re-hashing on login and for the unknown-user decoy; default DEFAULT_SCRYPT. */
  scrypt?: ScryptParams;
  log?: Logger;
  /** Login throttling per username and address; default DEFAULT_THROTTLE. */
  throttle?: LoginThrottle;
  /** Bounds concurrent password hashing; default: HashPool's defaults. */
  hashPool?: HashPool;
  /** One login's turn per event-loop iteration (services/event-loop-turns.ts); default: a new one. */
  turns?: EventLoopTurns;
}

export class AuthService {
  readonly tokenTtlMs: number;
  readonly throttle: LoginThrottle;
  readonly hashPool: HashPool;
  private readonly turns: EventLoopTurns;
  private readonly clock: Clock;
  private readonly scrypt: ScryptParams;
  private readonly listeners = new Set<AccessListener>();

  constructor(private readonly opts: AuthServiceOptions) {
    this.tokenTtlMs = opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
    if (!(this.tokenTtlMs > 0)) throw new RangeError('tokenTtlMs must be positive');
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.scrypt = opts.scrypt ?? DEFAULT_SCRYPT;
    this.throttle = opts.throttle ?? new LoginThrottle();
    this.hashPool = opts.hashPool ?? new HashPool(opts.log ? { log: opts.log } : {});
    this.turns = opts.turns ?? new EventLoopTurns();
  }

  /**
   * A login from outside (`address`: the client's IP): refused at once while the username or the
   * address is throttled or the hashing queue is full; otherwise the password is checked and a
   * failure counts towards the throttle.
   */
  async attemptLogin(username: string, password: string, address: string): Promise<LoginAttempt> {
    // A crowd's logins arrive together; their synchronous first steps run one per loop
    // iteration, so that the switch's events are not held behind them (event-loop-turns.ts).
    await this.turns.take();
    const gate = this.throttle.begin(username, address, this.clock.now());
    if (!gate.ok) return { ok: false, reason: 'throttled', retryAfterS: gate.retryAfterS };
    let outcome: 'success' | 'failure' | 'abandoned' = 'abandoned';
    try {
      const result = await this.login(username, password);
      outcome = result ? 'success' : 'failure';
      return result ? { ok: true, result } : { ok: false, reason: 'invalid' };
    } catch (err) {
      if (err instanceof HashPoolBusy) return { ok: false, reason: 'busy', retryAfterS: err.retryAfterS };
      throw err;
    } finally {
      this.throttle.end(gate.ticket, outcome, this.clock.now());
    }
  }

  /** A new session for a valid username and password of an enabled user, else null. Not
   * throttled (attemptLogin is); the password work goes through the hashing pool and throws
   * HashPoolBusy when its queue is full. */
  async login(username: string, password: string): Promise<LoginResult | null> {
    const cred = this.opts.users.findCredentials(username);
    if (!cred) {
      await burnVerification(password, this.scrypt, this.hashPool.scrypt);
      return null;
    }
    const ok = await verifyPassword(password, cred.passwordHash, this.hashPool.scrypt);
    if (!ok || cred.user.disabled) return null;
    if (needsRehash(cred.passwordHash, this.scrypt)) await this.rehash(cred.user.id, password);
    return this.issue(toAuthUser(cred.user));
  }

  /**
   * Replay by phone (shared/spec/recordings.md): the enabled user keyed on `phoneId` whose PIN
   * matches, or why not. The same scrypt work is spent for an unknown phone id, so the time taken
   * tells a caller nothing. Roles are the caller's business (the user is returned with them).
   */
  async verifyPhonePin(phoneId: string, pin: string): Promise<{ user: AuthUser } | { user: null; reason: 'unknownPhoneId' | 'wrongPin' | 'disabled'; username?: string }> {
    const cred = this.opts.users.findPhoneCredentials(phoneId);
    if (!cred) {
      await burnVerification(pin, this.scrypt, this.hashPool.scrypt);
      return { user: null, reason: 'unknownPhoneId' };
    }
    const ok = await verifyPassword(pin, cred.pinHash, this.hashPool.scrypt);
    if (!ok) return { user: null, reason: 'wrongPin', username: cred.user.username };
    if (cred.user.disabled) return { user: null, reason: 'disabled', username: cred.user.username };
    return { user: toAuthUser(cred.user) };
  }

  /** A password hash for storing (admin API), made through the hashing pool. */
  hashPassword(password: string, params: ScryptParams = this.scrypt): Promise<string> {
    return hashPassword(password, params, this.hashPool.scrypt);
  }

  /** A new session for a user already authenticated some other way (e.g. tests, SSO later). */
  issue(user: AuthUser): LoginResult {
    const token = newToken();
    const now = this.clock.now();
    const expiresAt = now + this.tokenTtlMs;
    const tokenHash = hashToken(token);
    this.opts.tokens.insert({ tokenHash, userId: user.id, createdAt: now, expiresAt });
    return { user, token, tokenHash, expiresAt };
  }

  /** Stops the hashing pool's worker threads. */
  close(): Promise<void> {
    return this.hashPool.close();
  }

  /** Subscribes to access changes; returns the unsubscribe. */
  onAccessChanged(listener: AccessListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the subscribers (the WebSocket gateway) about a committed change. A failing listener
   * is logged; the change itself stands. */
  publishAccessChange(change: AccessChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.opts.log?.error({ err, change: change.kind }, 'access change listener failed');
      }
    }
  }

  /** The token's user, or null when unknown, expired, revoked or the user is disabled. */
  verifyToken(token: string): AuthUser | null {
    const r = this.checkToken(token);
    return r.ok ? r.user : null;
  }

  /** Like verifyToken, with the reason on failure (the gateway closes 4003 on expired/revoked).
   * A disabled user's tokens count as revoked. */
  checkToken(token: string): TokenCheck {
    if (!looksLikeToken(token)) return { ok: false, reason: 'unknown' };
    return this.checkTokenHash(hashToken(token));
  }

  /** checkToken by the token's sha256 (a session kept across a restart knows only that). */
  checkTokenHash(tokenHash: string): TokenCheck {
    const row = this.opts.tokens.find(tokenHash);
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revokedAt !== null || row.user.disabled) return { ok: false, reason: 'revoked' };
    if (row.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, user: toAuthUser(row.user), tokenHash: row.tokenHash, expiresAt: row.expiresAt };
  }

  /** Ends a session (and the live WebSocket sessions logged in with it); false when the token was
   * unknown or already revoked. */
  revoke(token: string): boolean {
    if (!looksLikeToken(token)) return false;
    const tokenHash = hashToken(token);
    const done = this.opts.tokens.revoke(tokenHash, this.clock.now());
    if (done) this.publishAccessChange({ kind: 'tokenRevoked', tokenHash });
    return done;
  }

  /** Ends every session of a user, live WebSocket sessions included. */
  revokeAllForUser(userId: number): number {
    const n = this.opts.tokens.revokeAllForUser(userId, this.clock.now());
    this.publishAccessChange({ kind: 'userChanged', userId, change: 'sessionsRevoked' });
    return n;
  }

  /** Deletes tokens that ended more than `graceMs` ago (housekeeping; the scheduler may call it). */
  purgeExpired(graceMs = 24 * 60 * 60 * 1000): number {
    return this.opts.tokens.purge(this.clock.now() - graceMs);
  }

  private async rehash(userId: number, password: string): Promise<void> {
    try {
      this.opts.users.setPasswordHash(userId, await this.hashPassword(password, this.scrypt));
    } catch (err) {
      // The login itself succeeded; an old-parameter hash still verifies next time (and a full
      // hashing queue just postpones the rehash to a later login).
      if (!(err instanceof HashPoolBusy)) this.opts.log?.warn({ err, userId }, 'password rehash failed');
    }
  }
}

export function toAuthUser(u: AuthUser): AuthUser {
  return { id: u.id, username: u.username, displayName: u.displayName, roles: [...u.roles] };
}

/** The wire shape of a login (HTTP and `auth.login` alike): expiresAt as ISO-8601. */
export function loginResponse(r: Pick<LoginResult, 'user' | 'token' | 'expiresAt'>): { user: AuthUser; token: string; expiresAt: string } {
  return { user: r.user, token: r.token, expiresAt: new Date(r.expiresAt).toISOString() };
}
