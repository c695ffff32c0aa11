import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('a pilot with its own skills and priority (business-based): its calls go only to agents with those skills, and wait ahead of the queue’s other callers', async () => {
  // 8003: premium support line — the support queue, but only agents with the vip skill, priority 5.
  await admin(w, '/pilots', { number: '8003', kind: 'queue', queueId: 'support', priority: 5, requiredSkills: [{ skill: 'vip', minLevel: 1 }], description: 'Premium support' }, 'POST');
  // The switch must know the daemon routes 8003 before a caller dials it.
  await eventually(async () => (await w.simApi('GET', '/sim/devices/8003')).routeRegistered === true);

  const a7 = await w.readyAgent('a1007'); // support 2, no vip: idle longest
  const a6 = await w.readyAgent('a1006'); // support 1, vip 1
  await w.dial('13900001301', '8003');
  const offered = await a6.waitFor('call.offered');
  expect(offered.data.queue).toBe('support');
  expect(a7.events.some((e) => e.event === 'call.offered')).toBe(false);
  const ex = (await routingOf(w, offered.data.callId)).decisions[0].detail.explanation;
  expect(ex).toMatchObject({ lane: 'support@8003', winner: 'a1006', considered: 1 });

  // With a1006 busy, a regular support call and then a premium call wait; the premium caller is
  // ahead (priority 5) although later, and the plain support agent a1007 takes the regular one.
  await a6.call('call.answer', { callId: offered.data.callId });
  await a6.waitFor('call.established');
  await a7.call('agent.setState', { state: 'notReady', reason: 'break' });
  const regular = await w.dial('13900001302', '8001');
  await atDevice(w, regular, '8901');
  const premium = await w.dial('13900001303', '8003');
  await atDevice(w, premium, '8901');
  const waiting = (await w.http('GET', '/api/v1/queues/support/calls', { token: (await w.http('POST', '/api/v1/auth/login', { body: { username: 'sup1', password: 'demo-sup1' } })).body.token })).body.calls;
  expect(waiting.map((c: any) => c.from)).toEqual(['13900001303', '13900001302']);
  const mark = a7.events.length;
  await a7.call('agent.setState', { state: 'ready' });
  const next = await a7.waitFor('call.offered', () => true, 5000, mark);
  expect(next.data.from).toBe('13900001302');
});
