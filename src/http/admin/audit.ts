/** GET /audit: the audit log, newest first; page with `before` (an entry id). Read-only. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from './admin-context.ts';
import { closed, int, username } from './schemas.ts';

interface Query {
  limit?: number;
  actor?: string;
  before?: number;
}

export function auditRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get<{ Querystring: Query }>(
    '/audit',
    { schema: { querystring: closed({ limit: int(1, 1000), actor: username, before: int(1, Number.MAX_SAFE_INTEGER) }) } },
    async (req) => ({ items: ctx.repos.audit.list(req.query) }),
  );
}
