import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('a sales call nobody takes overflows to support after 1 s, keeps its call id, and a support agent gets it', async () => {
  await admin(w, '/queues/sales', { steps: [{ afterS: 1, kind: 'overflow', target: 'support' }] });
  const a6 = await w.readyAgent('a1006'); // support only
  const sim = await w.dial('13900000401', '8000');
  await atDevice(w, sim, '8900');
  const offered = await a6.waitFor('call.offered', () => true, 5000);
  expect(offered.data.queue).toBe('support');
  await a6.call('call.answer', { callId: offered.data.callId });
  await a6.waitFor('call.established');
  const decisions = (await routingOf(w, offered.data.callId)).decisions;
  expect(decisions.map((d: any) => d.kind)).toEqual(['moved', 'assign']);
  expect(decisions[0].detail).toMatchObject({ from: 'sales', to: 'support', reason: 'overflow' });
  expect(w.daemon.storage.repos.calls.get(offered.data.callId)).toMatchObject({ queueId: 'support', firstAgent: 'a1006' });
});
