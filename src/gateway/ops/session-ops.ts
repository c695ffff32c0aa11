/** `session.ping` (login and resume are part of the connection, see ws-gateway.ts). */
import { obj, type OpTable } from './op.ts';

export const sessionOps: OpTable = {
  'session.ping': {
    schema: obj({}),
    handle: ({ services }) => ({ now: new Date(services.clock.now()).toISOString() }),
  },
};
