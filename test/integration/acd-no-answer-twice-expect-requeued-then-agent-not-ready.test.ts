import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('with maxMisses 2 the first unanswered offer leaves the agent ready, the second makes it notReady (noAnswer); the call keeps its place', async () => {
  await admin(w, '/queues/sales', { ringTimeoutS: 1, maxMisses: 2 });
  const a1 = await w.readyAgent('a1001');
  const first = await w.dial('13900000701', '8000');
  const offer1 = await a1.waitFor('call.offered');
  const afterOffer = a1.events.length;
  await a1.waitFor('call.cleared', (d) => d.callId === offer1.data.callId, 5000);
  // Back in the queue; the agent is ready again and is not offered the same call.
  await atDevice(w, first, '8900');
  await a1.waitFor('agent.state', (d) => d.state === 'ready', 5000, afterOffer);
  expect(a1.events.slice(afterOffer).some((e) => e.event === 'agent.state' && e.data.state === 'notReady')).toBe(false);

  // A second caller is offered to the same agent (the first caller excludes a1001), no answer again.
  await w.dial('13900000702', '8000');
  const offer2 = await a1.waitFor('call.offered', (d) => d.callId !== offer1.data.callId, 5000);
  expect(offer2.data.from).toBe('13900000702');
  const st = await a1.waitFor('agent.state', (d) => d.state === 'notReady', 5000, a1.events.indexOf(offer2));
  expect(st.data.reason).toBe('noAnswer');

  // The next agent gets the first caller first: it kept its place at the head of the queue.
  const a2 = await w.readyAgent('a1002');
  const offer3 = await a2.waitFor('call.offered');
  expect(offer3.data.callId).toBe(offer1.data.callId);
  const decisions = (await routingOf(w, offer1.data.callId)).decisions;
  expect(decisions.map((d: any) => d.agent)).toEqual(['a1001', 'a1002']);
  expect(decisions[1].detail.explanation.trigger).toBe('agentAvailable');
});
