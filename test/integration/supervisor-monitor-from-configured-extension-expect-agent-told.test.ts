/**
 * A supervisor who is not signed in at a phone (the web console signs nobody in) listens in from
 * their configured extension (`supervisor.monitor` falls back to it): barging in or whispering is
 * told to the agent on the call (`call.conferenced` with `monitoredBy`), as when the supervisor is
 * signed in there; listening silently is not.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('sup1, signed in nowhere, listens from 2901, then barges in: the agent is told of the barge only', async () => {
  const agent = await w.readyAgent('a1001');
  const sup = await w.login('sup1');
  const simCallId = await w.dial('13900000111', '8000');
  const offered = await agent.waitFor('call.offered');
  const callId = offered.data.callId;
  await agent.call('call.answer', { callId });
  await agent.waitFor('call.established', (d) => d.callId === callId);

  expect(await sup.call('supervisor.monitor', { agentId: 'a1001', mode: 'silent' })).toEqual({ callId, mode: 'silent' });
  const at2901 = async () => (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId)?.connections.find((c: any) => c.deviceId === '2901')?.participation;
  await eventually(async () => (await at2901()) === 'silent');

  expect(await sup.call('supervisor.setMode', { callId, mode: 'barge' })).toEqual({ callId, mode: 'barge' });
  const told = await agent.waitFor('call.conferenced', (d) => d.callId === callId);
  expect(told.data).toMatchObject({ agentId: 'a1001', monitoredBy: 'sup1', participation: 'barge', state: 'connected' });
  expect(await at2901()).toBe('barge');
  // The silent phase before it was not announced.
  expect(agent.events.filter((e) => e.event === 'call.conferenced')).toHaveLength(1);
});
