/**
 * /teams: the shift rules of a team, by the team name agents carry (PATCH /agents `team`): at most
 * `maxNotReady` agents of the team notReady at once, and an alert to supervisors when one stays
 * away longer than `awayAlertS`. A change reloads the daemon's directory, which applies the new
 * rules from then on.
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import type { NewTeam, TeamPatch } from '../../storage/repositories/teams.ts';
import type { AdminContext } from './admin-context.ts';
import { closed, int, label, nullable, paramOf, patchOf } from './schemas.ts';

type Params = { name: string };
const params = paramOf('name', label);

const fields = { maxNotReady: nullable(int(0, 10_000)), awayAlertS: nullable(int(1, 86_400)) };

export function teamRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { repos } = ctx;

  app.get('/teams', async () => ({ items: repos.teams.list() }));

  app.get<{ Params: Params }>('/teams/:name', { schema: { params } }, async (req) => repos.teams.get(req.params.name) ?? notFoundTeam(req.params.name));

  app.post<{ Body: NewTeam }>('/teams', { schema: { body: closed({ name: label, ...fields }, ['name']) } }, async (req, reply) => {
    const team = await ctx.mutate(req, 'team', 'create', () => {
      const t = repos.teams.create(req.body);
      return { result: t, audit: { action: 'team.create', target: t.name, details: req.body } };
    });
    return reply.status(201).send(team);
  });

  app.patch<{ Params: Params; Body: TeamPatch }>('/teams/:name', { schema: { params, body: patchOf(fields) } }, async (req) =>
    ctx.mutate(req, 'team', 'update', () => {
      const t = repos.teams.update(req.params.name, req.body) ?? notFoundTeam(req.params.name);
      return { result: t, audit: { action: 'team.update', target: t.name, details: req.body } };
    }),
  );

  app.delete<{ Params: Params }>('/teams/:name', { schema: { params } }, async (req, reply) => {
    await ctx.mutate(req, 'team', 'delete', () => {
      if (!repos.teams.delete(req.params.name)) notFoundTeam(req.params.name);
      return { result: null, audit: { action: 'team.delete', target: req.params.name } };
    });
    return reply.status(204).send();
  });
}

function notFoundTeam(name: string): never {
  throw notFound(`no team ${name}`);
}
