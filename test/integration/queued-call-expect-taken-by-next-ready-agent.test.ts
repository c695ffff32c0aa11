import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('calls waiting in the queue go to agents as they become ready, longest-waiting first', async () => {
  const first = await w.dial('13800000011', '8000');
  await eventually(async () => (await w.simApi('GET', '/sim/calls')).calls.some((c: any) => c.simCallId === first && c.connections.some((x: any) => x.state === 'queued')));
  const second = await w.dial('13800000012', '8000');
  await eventually(async () => (await w.simApi('GET', '/sim/calls')).calls.some((c: any) => c.simCallId === second && c.connections.some((x: any) => x.state === 'queued')));

  const a = await w.readyAgent('a1003');
  const offered = await a.waitFor('call.offered');
  expect(offered.data.from).toBe('13800000011');
  expect(offered.data.queue).toBe('sales');
  await a.call('call.answer', { callId: offered.data.callId });

  const b = await w.readyAgent('a1004');
  const offeredB = await b.waitFor('call.offered');
  expect(offeredB.data.from).toBe('13800000012');
});
