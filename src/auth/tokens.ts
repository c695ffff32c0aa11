/**
 * Session tokens: 32 random bytes, base64url (43 characters), handed to the client once. The
 * database keeps only sha256(token) in hex, so a copy of the database cannot be replayed as
 * sessions. A token is looked up by its hash, so no secret comparison happens in JS.
 */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_BYTES = 32;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Cheap shape check before touching the database. */
export function looksLikeToken(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}
