/** What the gateway needs from authentication (implemented by src/auth, wired in wiring/storage.ts). */
import type { Role, SessionUser } from './session.ts';

export interface LoginResult {
  user: SessionUser;
  token: string;
  /** sha256 of the token: the session remembers it, so revoking the token ends the session. */
  tokenHash: string;
  /** ms epoch */
  expiresAt: number;
}

/** `throttled`: too many failed logins for the username or the address; `busy`: the password
 * hashing queue is full. Both say when to try again. */
export type LoginAttempt =
  | { ok: true; result: LoginResult }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled' | 'busy'; retryAfterS: number };

export type TokenCheck = { ok: true; user: SessionUser; tokenHash: string; expiresAt: number } | { ok: false; reason: 'expired' | 'revoked' | 'unknown' };

/** A committed change that ends (or changes the rights of) live sessions. */
export type AccessChange =
  | { kind: 'tokenRevoked'; tokenHash: string }
  | { kind: 'userChanged'; userId: number; change: 'disabled' | 'passwordChanged' | 'deleted' | 'sessionsRevoked' }
  | { kind: 'userChanged'; userId: number; change: 'rolesChanged'; roles: Role[] };

export interface AuthPort {
  /** A password login from `address` (the client's IP), throttled. */
  login(username: string, password: string, address: string): Promise<LoginAttempt>;
  verifyToken(token: string): TokenCheck;
  /** The same check by the token's sha256 (a session resumed after a restart). */
  verifyTokenHash(tokenHash: string): TokenCheck;
  /** Subscribes to access changes; returns the unsubscribe. */
  onAccessChanged(listener: (change: AccessChange) => void): () => void;
}
