import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// sup1 serves sales and support (all skills at level 3).
it('an agent serving two queues takes the call that waited longest, not the first queue in its list', async () => {
  const older = await w.dial('13900000601', '8001'); // support
  await atDevice(w, older, '8901');
  await sleep(200);
  const newer = await w.dial('13900000602', '8000'); // sales
  await atDevice(w, newer, '8900');
  const sup = await w.readyAgent('sup1');
  const offered = await sup.waitFor('call.offered');
  expect(offered.data.from).toBe('13900000601');
  expect(offered.data.queue).toBe('support');
  const ex = (await routingOf(w, offered.data.callId)).decisions[0].detail.explanation;
  expect(ex).toMatchObject({ direction: 'agentToCall', rule: 'fairness', considered: 2, tieBreak: 'weightedWait' });
  await sup.call('call.answer', { callId: offered.data.callId });
  await sup.waitFor('call.established');
  await sup.call('call.hangup', { callId: offered.data.callId });
  await sup.waitFor('call.cleared', (d) => d.callId === offered.data.callId);
  // The sales call is next.
  const next = await sup.waitFor('call.offered', (d) => d.callId !== offered.data.callId);
  expect(next.data.from).toBe('13900000602');
  await sup.call('call.answer', { callId: next.data.callId });
  await sup.waitFor('call.established', (d) => d.callId === next.data.callId);
  await sup.call('call.hangup', { callId: next.data.callId });
  await sup.waitFor('call.cleared', (d) => d.callId === next.data.callId);
});

it('with sales weighted 5×, a sales call waiting half as long wins over an older support call', async () => {
  await admin(w, '/queues/sales', { weight: 5 });
  const sup = await w.login('sup1');
  await sup.call('agent.setState', { state: 'notReady', reason: 'break' });
  const support = await w.dial('13900000603', '8001');
  await atDevice(w, support, '8901');
  await sleep(300);
  const sales = await w.dial('13900000604', '8000');
  await atDevice(w, sales, '8900');
  await sleep(300);
  const mark = sup.events.length;
  await sup.call('agent.setState', { state: 'ready' });
  const offered = await sup.waitFor('call.offered', () => true, 5000, mark);
  expect(offered.data.from).toBe('13900000604');
  expect(offered.data.queue).toBe('sales');
});
