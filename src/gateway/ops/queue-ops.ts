/** `queue.list`: the queues a user serves (agents) or all of them (supervisors). */
import { obj, type OpTable } from './op.ts';

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
};
