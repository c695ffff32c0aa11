import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

// Demo customer 13800000001 is VIP (level 1) with preferred agent a1001; every demo queue has
// customer rules. The wait for a busy preferred agent is cut to 1 s here to keep the test short.
it('a VIP caller reaches the preferred agent even when another agent has been idle longer', async () => {
  const a2 = await w.readyAgent('a1002');
  const a1 = await w.readyAgent('a1001');
  await w.dial('13800000001', '8000');
  const offered = await a1.waitFor('call.offered');
  expect(offered.data.customer).toMatchObject({ vipLevel: 1 });
  expect(a2.events.some((e) => e.event === 'call.offered')).toBe(false);
  const ex = (await routingOf(w, offered.data.callId)).decisions[0].detail.explanation;
  expect(ex).toMatchObject({ rule: 'preferredAgent', winner: 'a1001' });
  await a1.call('call.answer', { callId: offered.data.callId });
  await a1.waitFor('call.established');
});

it('while the preferred agent is busy the VIP call waits for them, then goes by the queue rule after the wait', async () => {
  await admin(w, '/queues/sales', { customerRules: { vipBoost: 10, preferredWaitS: 1 } });
  // a1001 is still on the first call; a1002 is ready.
  const a2 = await w.login('a1002');
  const mark = a2.events.length;
  const t0 = Date.now();
  const sim = await w.dial('13800000001', '8000');
  await atDevice(w, sim, '8900');
  const offered = await a2.waitFor('call.offered', () => true, 5000, mark);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  const decisions = (await routingOf(w, offered.data.callId)).decisions;
  expect(decisions.at(-1)).toMatchObject({ kind: 'assign', agent: 'a1002' });
  expect(decisions.at(-1).detail.explanation.rule).toBe('longestIdle');
});

it('a VIP caller waits ahead of regular callers who called earlier', async () => {
  const regular = await w.dial('13900000201', '8000');
  await atDevice(w, regular, '8900');
  const vip = await w.dial('13800000001', '8000');
  await atDevice(w, vip, '8900');
  await new Promise((r) => setTimeout(r, 1200)); // past the preferred-agent wait
  const a3 = await w.readyAgent('a1003');
  const first = await a3.waitFor('call.offered');
  expect(first.data.from).toBe('13800000001');
});
