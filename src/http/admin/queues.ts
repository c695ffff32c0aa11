/**
 * /queues: routing settings, required skills (every one required, agent level <= minLevel) and
 * explicit members. A queue a pilot number routes to cannot be deleted (CONFLICT).
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import type { NewQueue, QueuePatch } from '../../storage/repositories/queues.ts';
import type { AdminContext } from './admin-context.ts';
import { kpiConfig, SL_FORMULA_IDS, type KpiConfig } from '../../reports/kpi.ts';
import { closed, int, label, level, nullable, number, paramOf, patchOf, queueId, skillName, str, strategy, username } from './schemas.ts';

type Params = { id: string };
const params = paramOf('id', queueId);

const settings = {
  name: label,
  strategy,
  queueDevice: number,
  ringTimeoutS: int(1, 600),
  wrapUpS: int(0, 3600),
  maxWaitS: nullable(int(1, 86_400)),
  /** Where a call goes when maxWaitS runs out: another queue's id, `ivr:<flow>`, `voicemail:<number>` or a number. */
  overflowTarget: nullable(str(1, 64, '^[A-Za-z0-9*#+._:-]+$')),
  priority: int(-1000, 1000),
  /** Fairness across queues of the same priority: longest wait × weight wins. */
  weight: int(1, 100),
  leastBusyBy: { type: 'string', enum: ['calls', 'talkTime'] },
  /** Unanswered offers in a row before the agent is made notReady (noAnswer). */
  maxMisses: int(1, 100),
  /** Seconds before a call an agent let ring unanswered may be offered to that agent again. */
  retryS: int(0, 3600),
  customerRules: nullable(closed({ vipBoost: int(0, 100), preferredWaitS: int(0, 3600) }, ['vipBoost', 'preferredWaitS'])),
  steps: {
    type: 'array',
    maxItems: 20,
    items: {
      oneOf: [
        closed({ afterS: int(0, 86_400), kind: { const: 'relax' }, by: int(0, 4) }, ['afterS', 'kind', 'by']),
        closed({ afterS: int(0, 86_400), kind: { const: 'addQueue' }, queue: queueId }, ['afterS', 'kind', 'queue']),
        closed({ afterS: int(1, 86_400), kind: { const: 'overflow' }, target: str(1, 64, '^[A-Za-z0-9*#+._:-]+$') }, ['afterS', 'kind', 'target']),
      ],
    },
  },
  /** Report settings (docs/reports.md, "Settings per queue"); null: the defaults. */
  kpi: nullable(
    closed({
      serviceLevelSeconds: int(1, 3600),
      shortAbandonSeconds: int(0, 3600),
      formula: { type: 'string', enum: [...SL_FORMULA_IDS] },
      targetServiceLevel: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    }),
  ),
  requiredSkills: { type: 'array', maxItems: 50, items: closed({ skill: skillName, minLevel: level }, ['skill', 'minLevel']) },
  members: { type: 'array', maxItems: 5000, items: username },
};

export function queueRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { repos } = ctx;

  app.get('/queues', async () => ({ items: repos.queues.list() }));

  app.get<{ Params: Params }>('/queues/:id', { schema: { params } }, async (req) => repos.queues.get(req.params.id) ?? notFoundQueue(req.params.id));

  app.post<{ Body: NewQueue }>('/queues', { schema: { body: closed({ id: queueId, ...settings }, ['id', 'name', 'strategy', 'queueDevice']) } }, async (req, reply) => {
    if (req.body.kpi) kpiConfig(req.body.kpi as Partial<KpiConfig>);
    const queue = await ctx.mutate(req, 'queue', 'create', () => {
      const q = repos.queues.create(req.body);
      return { result: q, audit: { action: 'queue.create', target: q.id, details: req.body } };
    });
    return reply.status(201).send(queue);
  });

  app.patch<{ Params: Params; Body: QueuePatch }>('/queues/:id', { schema: { params, body: patchOf(settings) } }, async (req) => {
    // T, S, formula and goal checked together (S ≤ T): BAD_REQUEST with the kpi module's reason.
    if (req.body.kpi) kpiConfig(req.body.kpi as Partial<KpiConfig>);
    return ctx.mutate(req, 'queue', 'update', () => {
      const q = repos.queues.update(req.params.id, req.body) ?? notFoundQueue(req.params.id);
      return { result: q, audit: { action: 'queue.update', target: q.id, details: req.body } };
    });
  });

  app.delete<{ Params: Params }>('/queues/:id', { schema: { params } }, async (req, reply) => {
    await ctx.mutate(req, 'queue', 'delete', () => {
      if (!repos.queues.delete(req.params.id)) notFoundQueue(req.params.id);
      return { result: null, audit: { action: 'queue.delete', target: req.params.id } };
    });
    return reply.status(204).send();
  });
}

function notFoundQueue(id: string): never {
  throw notFound(`no queue ${id}`);
}
