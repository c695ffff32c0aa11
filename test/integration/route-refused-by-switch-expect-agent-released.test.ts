import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('when the switch refuses the route to an agent phone it does not have, the agent is not left reserved', async () => {
  // An agent signed in at an extension the switch does not know (misconfiguration).
  const agent = await w.readyAgent('a1001', '1999');
  const sup = await w.login('sup1');
  await w.dial('13800000002', '8000');
  // The switch ends the routing dialogue with an error and fails the call.
  await eventually(async () => (await w.simApi('GET', '/sim/calls')).calls.length === 0);
  // The agent is still available to routing, not stuck in a reservation.
  await eventually(async () => (await sup.call('queue.list')).queues.find((q: any) => q.id === 'sales').agentsReady === 1);
  expect((await agent.call('agent.getState')).state).toBe('ready');
});
