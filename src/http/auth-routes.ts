/**
 * HTTP login for pages and tools: POST /api/v1/auth/login exchanges a username and password for
 * a session token (the same token `auth.login {token}` accepts on the WebSocket); GET
 * /api/v1/auth/me tells who a token belongs to; POST /api/v1/auth/logout revokes it.
 * Every failed login answers the same 401, whatever failed. Logins are throttled per username and
 * per address (auth/login-throttle.ts): while throttled, or while the password-hashing queue is
 * full, the answer is 429 `RATE_LIMITED` with a `Retry-After` header (seconds) and
 * `details.retryAfterS`, and no password is checked.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, RawServerDefault } from 'fastify';
import { loginResponse, type AuthService } from '../auth/auth-service.ts';
import { AppError } from '../core/errors.ts';
import { authenticate, bearerToken } from './admin/guard.ts';
import { errorHandler, notFoundHandler } from './http-errors.ts';
import { closed, str } from './admin/schemas.ts';

export const AUTH_PREFIX = '/api/v1/auth';

export interface AuthRoutesOptions {
  auth: AuthService;
}

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, { auth }) => {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  app.post<{ Body: { username: string; password: string } }>(
    '/login',
    // Loose bounds on purpose: a login form must not reveal the password policy through 400s.
    { schema: { body: closed({ username: str(1, 256), password: str(1, 1024) }, ['username', 'password']) } },
    async (req, reply) => {
      const r = await auth.attemptLogin(req.body.username, req.body.password, req.ip);
      if (r.ok) return loginResponse(r.result);
      if (r.reason === 'invalid') {
        req.log.info({ username: req.body.username }, 'login failed');
        throw new AppError('UNAUTHENTICATED', 'invalid username or password');
      }
      req.log.info({ username: req.body.username, reason: r.reason, retryAfterS: r.retryAfterS }, 'login refused');
      void reply.header('retry-after', String(r.retryAfterS));
      const why = r.reason === 'throttled' ? 'too many failed logins' : 'too many logins at once';
      throw new AppError('RATE_LIMITED', `${why}; try again in ${r.retryAfterS} s`, { retryAfterS: r.retryAfterS });
    },
  );

  app.get('/me', async (req) => ({ user: authenticate(req, auth) }));

  app.post('/logout', async (req, reply) => {
    authenticate(req, auth);
    auth.revoke(bearerToken(req));
    return reply.status(204).send();
  });
};

/** Registers the auth routes on `app` under /api/v1/auth. Await it before `app.ready()`/`listen()`. */
export async function registerAuthRoutes<L extends FastifyBaseLogger>(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L>, opts: AuthRoutesOptions): Promise<void> {
  // Any logger type will do (the daemon passes a pino instance); the routes only use the base
  // logger methods, which fastify's generics cannot see through, hence the widening cast.
  await (app as unknown as FastifyInstance).register(authRoutes, { ...opts, prefix: AUTH_PREFIX });
}
