/** /skills: the names agents hold and queues require. Renaming keeps every holder; a skill in use
 * cannot be deleted (CONFLICT). */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import type { AdminContext } from './admin-context.ts';
import { closed, paramOf, skillName } from './schemas.ts';

type Params = { name: string };
const params = paramOf('name', skillName);
const body = closed({ name: skillName }, ['name']);

export function skillRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { repos } = ctx;

  app.get('/skills', async () => ({ items: repos.skills.list() }));

  app.post<{ Body: { name: string } }>('/skills', { schema: { body } }, async (req, reply) => {
    const skill = await ctx.mutate(req, 'skill', 'create', () => {
      const s = repos.skills.create(req.body.name);
      return { result: s, audit: { action: 'skill.create', target: s.name } };
    });
    return reply.status(201).send(skill);
  });

  app.patch<{ Params: Params; Body: { name: string } }>('/skills/:name', { schema: { params, body } }, async (req) =>
    ctx.mutate(req, 'skill', 'update', () => {
      const s = repos.skills.rename(req.params.name, req.body.name) ?? notFoundSkill(req.params.name);
      return { result: s, audit: { action: 'skill.rename', target: s.name, details: { from: req.params.name } } };
    }),
  );

  app.delete<{ Params: Params }>('/skills/:name', { schema: { params } }, async (req, reply) => {
    await ctx.mutate(req, 'skill', 'delete', () => {
      if (!repos.skills.delete(req.params.name)) notFoundSkill(req.params.name);
      return { result: null, audit: { action: 'skill.delete', target: req.params.name } };
    });
    return reply.status(204).send();
  });
}

function notFoundSkill(name: string): never {
  throw notFound(`no skill ${name}`);
}
