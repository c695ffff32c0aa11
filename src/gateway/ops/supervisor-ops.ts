/**
 * Supervisor ops: the whole centre at a glance, every event from now on, listening in (silent,
 * whisper, barge = 强插) from the supervisor's own phone, force-release (强拆), forcing an agent's
 * state, announcements; ➕ leaving a call listened to. Every action is written to the audit log.
 */
import { invalidState, notFound, badRequest } from '../../core/errors.ts';
import type { MonitorMode } from '../../core/pbx-port.ts';
import type { GatewayServices, OpContext } from './op.ts';
import { SUPERVISOR, callId, obj, str, type OpTable } from './op.ts';

const agentId = { type: 'string', minLength: 1, maxLength: 64 };
const mode = { enum: ['silent', 'whisper', 'barge'] };

function audit(ctx: OpContext, action: string, target: string, details?: unknown): void {
  ctx.services.audit.append({ actor: ctx.session.user.username, action, target, details });
  ctx.log.info({ action, target, details }, 'supervisor action');
}

export function centreSnapshot(services: GatewayServices) {
  const agents = [...services.directory.allAgents()].map((a) => {
    const s = services.presence.status(a.username);
    const calls = s.extension ? services.calls.callsAtDevice(s.extension).map(({ call, state }) => ({ callId: call.id, state, from: call.from, to: call.to, queue: call.queue })) : [];
    return { agentId: a.username, displayName: a.displayName, state: s.state, reason: s.reason, since: new Date(s.since).toISOString(), extension: s.extension, calls };
  });
  const queues = [...services.directory.allQueues()].map((q) => services.queueStats.stats(q));
  return { agents, queues, pbx: services.pbx.linkUp ? 'up' : 'down' };
}

/** The supervisor's own phone: where they are signed in, else their configured extension. */
function supervisorPhone(ctx: OpContext): string {
  const me = ctx.session.user.username;
  const ext = ctx.services.presence.status(me).extension ?? ctx.services.directory.agent(me)?.defaultExtension;
  if (!ext) throw invalidState('you have no extension to listen from; sign in at a phone first');
  return ext;
}

function agentCall(services: GatewayServices, target: string) {
  const s = services.presence.status(target);
  if (!services.directory.agent(target)) throw notFound(`no agent ${target}`);
  if (!s.extension) throw invalidState(`${target} is not signed in`);
  const active = services.calls.callsAtDevice(s.extension).find((c) => c.state === 'connected' || c.state === 'hold');
  if (!active) throw invalidState(`${target} is not on a call`);
  return { call: active.call, extension: s.extension };
}

export const supervisorOps: OpTable = {
  'supervisor.snapshot': {
    roles: SUPERVISOR,
    schema: obj({}),
    handle: ({ services }) => centreSnapshot(services),
  },
  'supervisor.subscribe': {
    roles: SUPERVISOR,
    schema: obj({}),
    handle(ctx) {
      ctx.session.subscribed = true;
      ctx.services.hub.subscribers.add(ctx.session);
      return { subscribed: true };
    },
  },
  'supervisor.monitor': {
    roles: SUPERVISOR,
    schema: obj({ agentId, mode }, ['agentId', 'mode']),
    async handle(ctx, d: { agentId: string; mode: MonitorMode }) {
      const { call, extension } = agentCall(ctx.services, d.agentId);
      const from = supervisorPhone(ctx);
      if (from === extension) throw badRequest('cannot monitor your own phone');
      await ctx.services.callControl.monitor(call, extension, from, d.mode);
      audit(ctx, 'supervisor.monitor', d.agentId, { callId: call.id, mode: d.mode, from });
      return { callId: call.id, mode: d.mode };
    },
  },
  'supervisor.setMode': {
    roles: SUPERVISOR,
    schema: obj({ callId, mode }, ['callId', 'mode']),
    async handle(ctx, d: { callId: string; mode: MonitorMode }) {
      const call = ctx.services.calls.get(d.callId);
      if (!call) throw notFound(`no call ${d.callId}`);
      const from = supervisorPhone(ctx);
      if (!call.connections.has(from)) throw invalidState(`you are not monitoring call ${d.callId}`);
      const agentConn = [...call.connections.keys()].find((dev) => dev !== from && ctx.services.presence.agentAt(dev));
      if (!agentConn) throw invalidState('no agent left on that call');
      await ctx.services.callControl.monitor(call, agentConn, from, d.mode);
      audit(ctx, 'supervisor.setMode', d.callId, { mode: d.mode });
      return { callId: d.callId, mode: d.mode };
    },
  },
  'supervisor.stopMonitor': {
    roles: SUPERVISOR,
    schema: obj({ callId }, ['callId']),
    async handle(ctx, d: { callId: string }) {
      const call = ctx.services.calls.get(d.callId);
      if (!call) throw notFound(`no call ${d.callId}`);
      const from = supervisorPhone(ctx);
      if (!call.connections.has(from)) throw invalidState(`you are not monitoring call ${d.callId}`);
      // The supervisor's phone leaves; the agent and the caller talk on.
      await ctx.services.callControl.forceClearConnection(call, from);
      audit(ctx, 'supervisor.stopMonitor', d.callId, { from });
      return { callId: d.callId };
    },
  },
  'supervisor.forceRelease': {
    roles: SUPERVISOR,
    schema: { ...obj({ agentId, callId }), oneOf: [{ required: ['agentId'] }, { required: ['callId'] }] },
    async handle(ctx, d: { agentId?: string; callId?: string }) {
      if (d.callId) {
        await ctx.services.callControl.forceClearCall(d.callId);
        audit(ctx, 'supervisor.forceRelease', d.callId, { scope: 'call' });
        return { callId: d.callId };
      }
      const { call, extension } = agentCall(ctx.services, d.agentId!);
      await ctx.services.callControl.forceClearConnection(call, extension);
      audit(ctx, 'supervisor.forceRelease', d.agentId!, { scope: 'agent', callId: call.id });
      return { callId: call.id, agentId: d.agentId };
    },
  },
  'supervisor.setAgentState': {
    roles: SUPERVISOR,
    schema: obj({ agentId, state: { enum: ['ready', 'notReady', 'workingAfterCall', 'loggedOut'] }, reason: str(64) }, ['agentId', 'state']),
    async handle(ctx, d: { agentId: string; state: 'ready' | 'notReady' | 'workingAfterCall' | 'loggedOut'; reason?: string }) {
      if (!ctx.services.directory.agent(d.agentId)) throw notFound(`no agent ${d.agentId}`);
      const status = d.state === 'loggedOut'
        ? await ctx.services.presence.signOut(d.agentId, true)
        : ctx.services.presence.setState(d.agentId, d.state, d.reason ?? 'supervisor').status;
      audit(ctx, 'supervisor.setAgentState', d.agentId, { state: d.state, reason: d.reason ?? null });
      return { agentId: d.agentId, state: status.state, reason: status.reason, pending: status.pending };
    },
  },
  'announce.send': {
    roles: SUPERVISOR,
    schema: obj(
      {
        text: str(4000),
        to: {
          type: 'object',
          oneOf: [
            obj({ all: { const: true } }, ['all']),
            obj({ agentIds: { type: 'array', items: agentId, minItems: 1, maxItems: 10000 } }, ['agentIds']),
            obj({ queues: { type: 'array', items: str(64), minItems: 1, maxItems: 1000 } }, ['queues']),
          ],
        },
      },
      ['text', 'to'],
    ),
    handle(ctx, d: { text: string; to: { all?: true; agentIds?: string[]; queues?: string[] } }) {
      const { services } = ctx;
      const data = { from: ctx.session.user.username, text: d.text, sentAt: new Date(services.clock.now()).toISOString() };
      let users: string[];
      if (d.to.all) users = [...services.directory.allAgents()].map((a) => a.username);
      else if (d.to.agentIds) users = d.to.agentIds;
      else {
        const set = new Set<string>();
        for (const q of d.to.queues!) {
          if (!services.directory.queue(q)) throw notFound(`no queue ${q}`);
          for (const a of services.directory.membersOf(q)) set.add(a.username);
        }
        users = [...set];
      }
      services.hub.publish('announce', data, { users });
      audit(ctx, 'announce.send', d.to.all ? 'all' : (d.to.agentIds ?? d.to.queues ?? []).join(','), { text: d.text });
      return { recipients: users.length };
    },
  },
};
