/**
 * Logs users in with a password and checks session tokens; shared by the HTTP login route, the
 * admin routes and the WebSocket gateway (`auth.login` with a password or a token).
 *
 * A failed login costs one scrypt derivation whether the username exists, is disabled, or the
 * password is wrong, so timing does not tell which usernames exist. A successful login with a
 * hash made under older parameters is re-hashed under the current ones.
 */
import type { Logger } from 'pino';
import type { AuthTokensRepository } from '../storage/repositories/auth-tokens.ts';
import type { Clock } from '../storage/repositories/context.ts';
import type { UsersRepository } from '../storage/repositories/users.ts';
import type { Role } from '../storage/schema.ts';
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
  /** Epoch ms. */
  expiresAt: number;
}

export type TokenFailure = 'expired' | 'revoked' | 'unknown';

export type TokenCheck = { ok: true; user: AuthUser; expiresAt: number } | { ok: false; reason: TokenFailure };

export interface AuthServiceOptions {
  users: UsersRepository;
  tokens: AuthTokensRepository;
  clock?: Clock;
  /** Session lifetime in milliseconds; default 12 h. */
  tokenTtlMs?: number;
  /** Cost for re-hashing on login and for the unknown-user decoy; default DEFAULT_SCRYPT. */
  scrypt?: ScryptParams;
  log?: Logger;
}

export class AuthService {
  readonly tokenTtlMs: number;
  private readonly clock: Clock;
  private readonly scrypt: ScryptParams;

  constructor(private readonly opts: AuthServiceOptions) {
    this.tokenTtlMs = opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
    if (!(this.tokenTtlMs > 0)) throw new RangeError('tokenTtlMs must be positive');
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.scrypt = opts.scrypt ?? DEFAULT_SCRYPT;
  }

  /** A new session for a valid username and password of an enabled user, else null. */
  async login(username: string, password: string): Promise<LoginResult | null> {
    const cred = this.opts.users.findCredentials(username);
    if (!cred) {
      await burnVerification(password, this.scrypt);
      return null;
    }
    const ok = await verifyPassword(password, cred.passwordHash);
    if (!ok || cred.user.disabled) return null;
    if (needsRehash(cred.passwordHash, this.scrypt)) await this.rehash(cred.user.id, password);
    return this.issue(toAuthUser(cred.user));
  }

  /** A new session for a user already authenticated some other way (e.g. tests, SSO later). */
  issue(user: AuthUser): LoginResult {
    const token = newToken();
    const now = this.clock.now();
    const expiresAt = now + this.tokenTtlMs;
    this.opts.tokens.insert({ tokenHash: hashToken(token), userId: user.id, createdAt: now, expiresAt });
    return { user, token, expiresAt };
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
    const row = this.opts.tokens.find(hashToken(token));
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revokedAt !== null || row.user.disabled) return { ok: false, reason: 'revoked' };
    if (row.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, user: toAuthUser(row.user), expiresAt: row.expiresAt };
  }

  /** Ends a session; false when the token was unknown or already revoked. */
  revoke(token: string): boolean {
    if (!looksLikeToken(token)) return false;
    return this.opts.tokens.revoke(hashToken(token), this.clock.now());
  }

  /** Ends every session of a user (password change, disabling). */
  revokeAllForUser(userId: number): number {
    return this.opts.tokens.revokeAllForUser(userId, this.clock.now());
  }

  /** Deletes tokens that ended more than `graceMs` ago (housekeeping; the scheduler may call it). */
  purgeExpired(graceMs = 24 * 60 * 60 * 1000): number {
    return this.opts.tokens.purge(this.clock.now() - graceMs);
  }

  private async rehash(userId: number, password: string): Promise<void> {
    try {
      this.opts.users.setPasswordHash(userId, await hashPassword(password, this.scrypt));
    } catch (err) {
      // The login itself succeeded; an old-parameter hash still verifies next time.
      this.opts.log?.warn({ err, userId }, 'password rehash failed');
    }
  }
}

export function toAuthUser(u: AuthUser): AuthUser {
  return { id: u.id, username: u.username, displayName: u.displayName, roles: [...u.roles] };
}

/** The wire shape of a login (HTTP and `auth.login` alike): expiresAt as ISO-8601. */
export function loginResponse(r: LoginResult): { user: AuthUser; token: string; expiresAt: string } {
  return { user: r.user, token: r.token, expiresAt: new Date(r.expiresAt).toISOString() };
}
