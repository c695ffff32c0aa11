import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('the only agent lets a call ring out: it is offered to that agent again after the queue’s retry time, not straight away and not never', async () => {
  await admin(w, '/queues/sales', { ringTimeoutS: 1, maxMisses: 3, retryS: 2 });
  const a1 = await w.readyAgent('a1001');
  await w.dial('13900001201', '8000');
  const first = await a1.waitFor('call.offered');
  const cleared = await a1.waitFor('call.cleared', (d) => d.callId === first.data.callId, 5000);
  const t0 = Date.now();
  const again = await a1.waitFor('call.offered', (d) => d.callId === first.data.callId, 6000, a1.events.indexOf(cleared) + 1);
  // Ring timeout 1 s, then 2 s of retry counted from the requeue.
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
  await a1.call('call.answer', { callId: again.data.callId });
  await a1.waitFor('call.established', (d) => d.callId === first.data.callId);
  const decisions = (await routingOf(w, first.data.callId)).decisions;
  expect(decisions.map((d: any) => [d.agent, d.detail.explanation.trigger])).toEqual([
    ['a1001', 'callQueued'],
    ['a1001', 'tick'],
  ]);
});
