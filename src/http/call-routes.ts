/**
 * Call history over HTTP: search by agent, number, queue and time, and one call by id; the queues
 * (id, name, report settings) and their waiting calls. For supervisors, QA and admins (Bearer
 * token).
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import { forbidden, notFound } from '../core/errors.ts';
import type { Repositories } from '../storage/repositories/index.ts';
import { authenticate } from './admin/guard.ts';

const READERS = ['supervisor', 'qa', 'admin'];

export interface CallRoutesDeps {
  repos: Repositories;
  auth: AuthService;
  /** A waiting call's position and estimated wait, from the live router; null when not waiting. */
  waitEstimate?: (callId: string) => { queue: string; position: number; estimatedWaitS: number | null } | null;
  /** A queue's waiting calls with position and estimated wait; null for an unknown queue. */
  waitingCalls?: (queueId: string) => object[] | null;
}

export function registerCallRoutes(app: FastifyInstance, deps: CallRoutesDeps): void {
  const guard = (req: Parameters<typeof authenticate>[0]) => {
    const user = authenticate(req, deps.auth);
    if (!user.roles.some((r) => READERS.includes(r))) throw forbidden('call history needs the supervisor, qa or admin role');
  };
  const iso = { type: 'string', format: 'date-time' };
  app.get<{ Querystring: { agent?: string; number?: string; queue?: string; from?: string; to?: string; limit?: number } }>(
    '/api/v1/calls',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { agent: { type: 'string', maxLength: 64 }, number: { type: 'string', maxLength: 32 }, queue: { type: 'string', maxLength: 64 }, from: iso, to: iso, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
        },
      },
    },
    async (req) => {
      guard(req);
      const q = req.query;
      const rows = deps.repos.calls.search({
        ...(q.agent ? { handledBy: q.agent } : {}),
        ...(q.number ? { number: q.number } : {}),
        ...(q.queue ? { queueId: q.queue } : {}),
        ...(q.from ? { from: Date.parse(q.from) } : {}),
        ...(q.to ? { to: Date.parse(q.to) } : {}),
        limit: q.limit ?? 100,
      });
      return { calls: rows };
    },
  );
  app.get<{ Params: { callId: string } }>('/api/v1/calls/:callId', { schema: { params: { type: 'object', properties: { callId: { type: 'string', maxLength: 64 } } } } }, async (req) => {
    guard(req);
    const row = deps.repos.calls.get(req.params.callId);
    if (!row) throw notFound(`no call ${req.params.callId}`);
    return { call: row };
  });
  // Why the call went where it went: every routing decision with its explanation (strategy, rule
  // step, candidates considered, the best few with their sort keys, winner and tie-break), and
  // while it waits, its position and estimated wait.
  app.get<{ Params: { callId: string } }>('/api/v1/calls/:callId/routing', { schema: { params: { type: 'object', properties: { callId: { type: 'string', maxLength: 64 } } } } }, async (req) => {
    guard(req);
    const row = deps.repos.calls.get(req.params.callId);
    const decisions = deps.repos.routingDecisions.forCall(req.params.callId);
    if (!row && decisions.length === 0) throw notFound(`no call ${req.params.callId}`);
    const waiting = deps.waitEstimate?.(req.params.callId) ?? null;
    return {
      callId: req.params.callId,
      queue: row?.queueId ?? null,
      waiting,
      decisions: decisions.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
    };
  });
  // Who is waiting in a queue, in the order they will be served, with position and estimated wait.
  // The queues by id and name with their report settings, for pickers and reports (the full
  // configuration stays with the admin API).
  app.get('/api/v1/queues', async (req) => {
    guard(req);
    return { items: deps.repos.queues.list().map((q) => ({ id: q.id, name: q.name, strategy: q.strategy, kpi: q.kpi })) };
  });

  app.get<{ Params: { queueId: string } }>('/api/v1/queues/:queueId/calls', { schema: { params: { type: 'object', properties: { queueId: { type: 'string', maxLength: 64 } } } } }, async (req) => {
    guard(req);
    const calls = deps.waitingCalls?.(req.params.queueId) ?? null;
    if (!calls) throw notFound(`no queue ${req.params.queueId}`);
    return { queue: req.params.queueId, calls };
  });
}
