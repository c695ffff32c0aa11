import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('an agent on a call cannot sign out; after the call they can', async () => {
  const agent = await w.readyAgent('a1005');
  const simCallId = await w.dial('13800000002', '8000');
  const { data } = await agent.waitFor('call.offered');
  await agent.call('call.answer', { callId: data.callId });
  await agent.waitFor('agent.state', (d) => d.state === 'busy');

  const refused = await agent.request('agent.signOut');
  expect(refused.ok).toBe(false);
  expect(refused.error?.code).toBe('INVALID_STATE');
  expect((await agent.call('agent.getState')).state).toBe('busy');

  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  await agent.waitFor('call.cleared');
  const out = await agent.call('agent.signOut');
  expect(out.state).toBe('loggedOut');
  await agent.waitFor('agent.state', (d) => d.state === 'loggedOut');
});
