import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';
import type { WsClient } from '../helpers/ws-client.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

// Each scenario starts with nobody signed in and no call at the switch.
const agents: WsClient[] = [];
async function ready(username: string): Promise<WsClient> {
  const c = await w.readyAgent(username);
  agents.push(c);
  return c;
}
afterEach(async () => {
  for (const c of (await w.simApi('GET', '/sim/calls')).calls) await w.simApi('POST', `/sim/calls/${c.simCallId}/hangup`, {}, true);
  for (const c of agents.splice(0)) await eventually(async () => (await c.request('agent.signOut')).ok);
});

/** `agent` answers a call to the sales pilot. */
async function answeredBy(agent: WsClient, from: string): Promise<{ sim: string; callId: string }> {
  const sim = await w.dial(from, '8000');
  const offer = await agent.waitFor('call.offered', (d) => d.from === from);
  await agent.call('call.answer', { callId: offer.data.callId });
  await agent.waitFor('call.established', (d) => d.callId === offer.data.callId);
  return { sim, callId: offer.data.callId };
}

it('a sales agent blind-transfers an answered call to the support pilot: a support agent is offered the same call id in queue support', async () => {
  const a1 = await ready('a1001');
  const { callId } = await answeredBy(a1, '13900000831');
  const a6 = await ready('a1006');
  await a1.call('call.transfer', { callId, to: '8001' });
  const offer = await a6.waitFor('call.offered');
  expect(offer.data).toMatchObject({ callId, queue: 'support' });
  await a6.call('call.answer', { callId });
  await a6.waitFor('call.established', (d) => d.callId === callId);
  const decisions = (await routingOf(w, callId)).decisions;
  expect(decisions.map((d: any) => [d.agent, d.queueId])).toEqual([['a1001', 'sales'], ['a1006', 'support']]);
});

it('an agent transfers a caller back to its own queue pilot: another ready agent gets the call, not the agent who just handed it over', async () => {
  const a1 = await ready('a1001');
  const { callId } = await answeredBy(a1, '13900000832');
  const a2 = await ready('a1002');
  const mark = a1.events.length;
  await a1.call('call.transfer', { callId, to: '8000' });
  const offer = await a2.waitFor('call.offered');
  expect(offer.data).toMatchObject({ callId, queue: 'sales' });
  expect(a1.events.slice(mark).some((e) => e.event === 'call.offered')).toBe(false);
});

it('a call transferred to the support queue device waits there as a support call behind the callers already waiting, even when its first pilot had business skills', async () => {
  // Calls to 8000 need sales skills (business-based): that must not follow the call into support.
  await admin(w, '/pilots/8000', { requiredSkills: [{ skill: 'sales', minLevel: 5 }] });
  const salesCaller = await w.dial('13900000833', '8000'); // waits in sales first
  await atDevice(w, salesCaller, '8900');
  const supportCaller = await w.dial('13900000834', '8001'); // then a support caller waits
  await atDevice(w, supportCaller, '8901');
  const a1 = await ready('a1001');
  const offer = await a1.waitFor('call.offered');
  const callId = offer.data.callId as string;
  await a1.call('call.answer', { callId });
  await a1.waitFor('call.established', (d) => d.callId === callId);
  const a2 = await ready('a1002'); // a free sales agent: must not be offered the support call
  await a1.call('call.transfer', { callId, to: '8901' });
  await atDevice(w, salesCaller, '8901');
  // While it waits there it counts as a support call (statistics, call history).
  await eventually(() => w.daemon.storage.repos.calls.get(callId)?.queueId === 'support');

  const a6 = await ready('a1006');
  const first = await a6.waitFor('call.offered');
  expect(first.data.from).toBe('13900000834'); // waiting in support since before the transfer
  await a6.call('call.answer', { callId: first.data.callId });
  const a7 = await ready('a1007');
  const second = await a7.waitFor('call.offered');
  expect(second.data).toMatchObject({ callId, queue: 'support' });
  expect(a2.events.some((e) => e.event === 'call.offered')).toBe(false);
  expect((await routingOf(w, callId)).decisions.map((d: any) => [d.agent, d.queueId])).toEqual([['a1001', 'sales'], ['a1007', 'support']]);
});
