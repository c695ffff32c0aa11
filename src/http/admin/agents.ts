/**
 * /agents: the agent side of users holding the `agent` role (create agents by giving a user that
 * role): default extension, team, skills with levels (1 best … 5) and explicit queue memberships.
 * Lists in a PATCH replace the whole list.
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import type { AgentPatch } from '../../storage/repositories/agents.ts';
import type { AdminContext } from './admin-context.ts';
import { closed, int, label, level, nullable, number, paramOf, patchOf, queueId, skillName, username } from './schemas.ts';

type Params = { username: string };
const params = paramOf('username', username);

export function agentRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { repos } = ctx;

  app.get('/agents', async () => ({ items: repos.agents.list() }));

  app.get<{ Params: Params }>('/agents/:username', { schema: { params } }, async (req) => {
    return repos.agents.get(req.params.username) ?? notFoundAgent(req.params.username);
  });

  app.patch<{ Params: Params; Body: AgentPatch }>(
    '/agents/:username',
    {
      schema: {
        params,
        body: patchOf({
          defaultExtension: nullable(number),
          team: nullable(label),
          rank: int(0, 1_000_000),
          skills: { type: 'array', maxItems: 200, items: closed({ skill: skillName, level }, ['skill', 'level']) },
          queues: { type: 'array', maxItems: 200, items: queueId },
        }),
      },
    },
    async (req) =>
      ctx.mutate(req, 'agent', 'update', () => {
        const a = repos.agents.update(req.params.username, req.body) ?? notFoundAgent(req.params.username);
        return { result: a, audit: { action: 'agent.update', target: a.username, details: req.body } };
      }),
  );
}

function notFoundAgent(username: string): never {
  throw notFound(`no agent ${username}`);
}
