/**
 * `queue.list`: the queues a user serves (agents) or all of them (supervisors). `queue.calls`: who
 * waits in a queue, in the order they will be served, with position and estimated wait.
 * `queue.statsEvents`: this session's `queue.stats` events on or off.
 */
import { notFound } from '../../core/errors.ts';
import { obj, SUPERVISOR, type OpTable } from './op.ts';

export const queueOps: OpTable = {
  'queue.list': {
    schema: obj({}),
    handle({ session, services }) {
      const all = session.hasRole('supervisor', 'admin');
      const mine = new Set(services.directory.agent(session.user.username)?.queues ?? []);
      const queues = [...services.directory.allQueues()].filter((q) => all || mine.has(q.id));
      return { queues: queues.map((q) => services.queueStats.stats(q)) };
    },
  },
  'queue.statsEvents': {
    schema: obj({ enabled: { type: 'boolean' } }, ['enabled']),
    handle({ session }, d: { enabled: boolean }) {
      session.queueStats = d.enabled;
      return { enabled: d.enabled };
    },
  },
  'queue.calls': {
    roles: SUPERVISOR,
    schema: obj({ queueId: { type: 'string', minLength: 1, maxLength: 64 } }, ['queueId']),
    handle({ services }, d: { queueId: string }) {
      const calls = services.routing.waitingCalls(d.queueId);
      if (!calls) throw notFound(`no queue ${d.queueId}`);
      return { queue: d.queueId, calls };
    },
  },
};
