import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('dialling a number the switch does not have: call.failed with the cause, then the call is gone and the agent free', async () => {
  const agent = await w.readyAgent('a1001');
  const r = await agent.call('call.make', { to: '7777' });
  // The switch answers MakeCall before its events; the id returned is the id of the events.
  const failed = await agent.waitFor('call.failed', (d) => d.callId === r.callId);
  expect(failed.data.cause).toBeTruthy();
  await agent.waitFor('call.cleared', (d) => d.callId === r.callId);
  await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, 3);
  expect((await w.simApi('GET', '/sim/calls')).calls).toHaveLength(0);
});
