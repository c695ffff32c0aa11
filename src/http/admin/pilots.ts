/** /pilots: the numbers callers dial and where each goes (a queue, an IVR flow, recording replay). */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import type { NewPilot, PilotPatch } from '../../storage/repositories/pilots.ts';
import type { AdminContext } from './admin-context.ts';
import { closed, int, level, nullable, number, paramOf, patchOf, pilotKind, queueId, skillName, str, text } from './schemas.ts';

type Params = { number: string };
const params = paramOf('number', number);

const fields = {
  kind: pilotKind,
  queueId: nullable(queueId),
  ivrFlow: nullable(str(1, 64, '^[A-Za-z0-9._-]+$')),
  description: nullable(text),
  /** Business-based routing: caller priority and skills of calls to this number. */
  priority: int(0, 100),
  requiredSkills: nullable({ type: 'array', maxItems: 50, items: closed({ skill: skillName, minLevel: level }, ['skill', 'minLevel']) }),
};

export function pilotRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { repos } = ctx;

  app.get('/pilots', async () => ({ items: repos.pilots.list() }));

  app.get<{ Params: Params }>('/pilots/:number', { schema: { params } }, async (req) => repos.pilots.get(req.params.number) ?? notFoundPilot(req.params.number));

  app.post<{ Body: NewPilot }>('/pilots', { schema: { body: closed({ number, ...fields }, ['number', 'kind']) } }, async (req, reply) => {
    const pilot = await ctx.mutate(req, 'pilot', 'create', () => {
      const p = repos.pilots.create(req.body);
      return { result: p, audit: { action: 'pilot.create', target: p.number, details: req.body } };
    });
    return reply.status(201).send(pilot);
  });

  app.patch<{ Params: Params; Body: PilotPatch }>('/pilots/:number', { schema: { params, body: patchOf(fields) } }, async (req) =>
    ctx.mutate(req, 'pilot', 'update', () => {
      const p = repos.pilots.update(req.params.number, req.body) ?? notFoundPilot(req.params.number);
      return { result: p, audit: { action: 'pilot.update', target: p.number, details: req.body } };
    }),
  );

  app.delete<{ Params: Params }>('/pilots/:number', { schema: { params } }, async (req, reply) => {
    await ctx.mutate(req, 'pilot', 'delete', () => {
      if (!repos.pilots.delete(req.params.number)) notFoundPilot(req.params.number);
      return { result: null, audit: { action: 'pilot.delete', target: req.params.number } };
    });
    return reply.status(204).send();
  });
}

function notFoundPilot(n: string): never {
  throw notFound(`no pilot number ${n}`);
}
