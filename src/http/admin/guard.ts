/**
 * Bearer-token authentication for the admin API: every request needs a live token of a user with
 * the `admin` role. Runs as an onRequest hook, before the body is parsed, so an anonymous client
 * learns nothing about the routes' schemas (401 before 400).
 */
import type { FastifyRequest } from 'fastify';
import { AppError, forbidden } from '../../core/errors.ts';
import type { AuthService, AuthUser } from '../../auth/auth-service.ts';
import type { Role } from '../../storage/schema.ts';

const REASON_TEXT = { expired: 'token expired', revoked: 'token revoked', unknown: 'unknown token' } as const;

/** The user behind the request's bearer token; UNAUTHENTICATED otherwise. */
export function authenticate(req: FastifyRequest, auth: AuthService): AuthUser {
  const r = auth.checkToken(bearerToken(req));
  if (!r.ok) throw new AppError('UNAUTHENTICATED', REASON_TEXT[r.reason], { reason: r.reason });
  return r.user;
}

/** The token of an `Authorization: Bearer <token>` header; UNAUTHENTICATED when there is none. */
export function bearerToken(req: FastifyRequest): string {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) throw new AppError('UNAUTHENTICATED', 'a bearer token is required');
  return m[1]!;
}

export function requireRole(user: AuthUser, role: Role): void {
  if (!user.roles.includes(role)) throw forbidden(`the ${role} role is required`);
}
