/** What the gateway needs from authentication (implemented by src/auth). */
import type { SessionUser } from './session.ts';

export interface LoginResult {
  user: SessionUser;
  token: string;
  /** ms epoch */
  expiresAt: number;
}

export type TokenCheck = { ok: true; user: SessionUser; expiresAt: number } | { ok: false; reason: 'expired' | 'revoked' | 'unknown' };

export interface AuthPort {
  login(username: string, password: string): Promise<LoginResult | null>;
  verifyToken(token: string): TokenCheck;
}
