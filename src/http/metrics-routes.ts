/**
 * `GET /metrics`: the daemon's metrics in the Prometheus text format (docs/metrics.md).
 *
 * Who may read them: with METRICS_TOKEN set, a client that sends it as a bearer token
 * (`Authorization: Bearer <METRICS_TOKEN>`, Prometheus' `authorization` scrape option), from
 * anywhere; without it, loopback clients only. The figures name queues and count agents and
 * calls: not secrets, but not for the network at large either; login tokens (a person's
 * session) are not asked for, because a scraper is not a user. The address is the socket's own,
 * never X-Forwarded-For; a reverse proxy on the same host makes every client local, so set the
 * token there.
 *
 * Scrapes are logged at warn and above only: one every 15 s would otherwise fill the info log.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError, forbidden } from '../core/errors.ts';

export interface MetricsRouteDeps {
  /** METRICS_TOKEN; null: loopback clients only, without a token. */
  token: string | null;
  contentType: string;
  scrape(): Promise<string>;
}

export function registerMetricsRoutes(app: FastifyInstance, deps: MetricsRouteDeps): void {
  const allowed = deps.token === null ? null : digest(deps.token);
  app.get('/metrics', { logLevel: 'warn' }, async (req, reply) => {
    if (allowed === null) {
      if (!isLoopback(req.socket.remoteAddress)) throw forbidden('metrics are served to loopback clients only unless METRICS_TOKEN is set');
    } else {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!m) throw new AppError('UNAUTHENTICATED', 'a bearer token (METRICS_TOKEN) is required');
      if (!timingSafeEqual(digest(m[1]!), allowed)) throw new AppError('UNAUTHENTICATED', 'wrong metrics token');
    }
    const text = await deps.scrape();
    return reply.header('content-type', deps.contentType).header('cache-control', 'no-store').send(text);
  });
}

/** Equal-length digests, so the comparison takes the same time whatever the candidate's length. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

