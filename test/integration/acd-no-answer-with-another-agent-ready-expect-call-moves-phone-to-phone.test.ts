import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('an offer is not answered while another agent is ready: the call goes straight from the first phone to the second, the first agent is free again and gets the next caller', async () => {
  await admin(w, '/queues/sales', { ringTimeoutS: 1, maxMisses: 3 });
  const a1 = await w.readyAgent('a1001');
  const sim = await w.dial('13900000881', '8000');
  const offer = await a1.waitFor('call.offered');
  const a2 = await w.readyAgent('a1002');

  const offer2 = await a2.waitFor('call.offered', () => true, 2500);
  expect(offer2.data.callId).toBe(offer.data.callId);
  await a1.waitFor('call.cleared', (d) => d.callId === offer.data.callId);
  await atDevice(w, sim, '2002', 'alerting');
  const calls = (await w.simApi('GET', '/sim/calls')).calls;
  expect(calls).toHaveLength(1);
  expect(calls[0].connections.map((c: any) => c.deviceId).sort()).toEqual(['13900000881', '2002']);
  await a2.call('call.answer', { callId: offer.data.callId });
  await a2.waitFor('call.established');

  // a1 is ready again (one miss of three) and takes the next caller.
  await a1.waitFor('agent.state', (d) => d.state === 'ready', 2000, a1.events.indexOf(offer));
  await w.dial('13900000882', '8000');
  const next = await a1.waitFor('call.offered', (d) => d.callId !== offer.data.callId, 2000);
  expect(next.data.from).toBe('13900000882');
  const decisions = (await routingOf(w, offer.data.callId)).decisions;
  expect(decisions.map((d: any) => [d.kind, d.agent])).toEqual([['assign', 'a1001'], ['assign', 'a1002']]);
  expect(decisions[1].detail.explanation.trigger).toBe('requeue');
});
