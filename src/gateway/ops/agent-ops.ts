/** Agent ops: sign in and out at a phone, choose a state, read one's own state. */
import { AGENT, obj, str, number, type OpContext, type OpTable } from './op.ts';

function agentView({ session, services }: OpContext) {
  const agentId = session.user.username;
  const s = services.presence.status(agentId);
  const a = services.directory.agent(agentId);
  return {
    agentId,
    extension: s.extension,
    state: s.state,
    reason: s.reason,
    since: new Date(s.since).toISOString(),
    pending: s.pending,
    skills: a?.skills ?? [],
    queues: a?.queues ?? [],
  };
}

export const agentOps: OpTable = {
  'agent.signIn': {
    roles: AGENT,
    schema: obj({ extension: number }, ['extension']),
    async handle(ctx, data: { extension: string }) {
      await ctx.services.presence.signIn(ctx.session.user.username, data.extension);
      return agentView(ctx);
    },
  },
  'agent.signOut': {
    roles: AGENT,
    schema: obj({}),
    async handle(ctx) {
      await ctx.services.presence.signOut(ctx.session.user.username);
      return agentView(ctx);
    },
  },
  'agent.setState': {
    roles: AGENT,
    schema: obj({ state: { enum: ['ready', 'notReady', 'workingAfterCall'] }, reason: str(64) }, ['state']),
    handle(ctx, data: { state: 'ready' | 'notReady' | 'workingAfterCall'; reason?: string }) {
      const { pending } = ctx.services.presence.choose(ctx.session.user.username, data.state, data.reason ?? null);
      return { ...agentView(ctx), pending };
    },
  },
  'agent.getState': {
    roles: AGENT,
    schema: obj({}),
    handle: (ctx) => agentView(ctx),
  },
};
