import { afterAll, beforeAll, expect, it } from 'vitest';
import { routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('longest idle: of three ready sales agents the one idle longest gets the call, and the decision is explained', async () => {
  // Ready in this order: a1003 has been idle longest, then a1001, then a1002.
  const a3 = await w.readyAgent('a1003');
  await new Promise((r) => setTimeout(r, 20));
  const a1 = await w.readyAgent('a1001');
  await new Promise((r) => setTimeout(r, 20));
  const a2 = await w.readyAgent('a1002');

  await w.dial('13900000001', '8000');
  const offered = await a3.waitFor('call.offered');
  expect(offered.data.queue).toBe('sales');
  expect(a1.events.some((e) => e.event === 'call.offered')).toBe(false);
  await a3.call('call.answer', { callId: offered.data.callId });
  await a3.waitFor('call.established');

  // The next caller goes to the next longest idle: a1001.
  await w.dial('13900000002', '8000');
  const next = await a1.waitFor('call.offered');
  expect(a2.events.some((e) => e.event === 'call.offered')).toBe(false);

  const why = await routingOf(w, offered.data.callId);
  expect(why.decisions).toHaveLength(1);
  const d = why.decisions[0];
  expect(d).toMatchObject({ kind: 'assign', queueId: 'sales', agent: 'a1003' });
  expect(d.detail.explanation).toMatchObject({ direction: 'callToAgent', rule: 'longestIdle', queue: 'sales', considered: 3, winner: 'a1003', tieBreak: 'idleSince' });
  expect(d.detail.explanation.top.map((c: any) => c.id)).toEqual(['a1003', 'a1001', 'a1002']);
  expect((await routingOf(w, next.data.callId)).decisions[0].detail.explanation).toMatchObject({ winner: 'a1001', considered: 2 });
});

it('the routing explanation is for supervisors: an unknown call is 404, an agent token 403', async () => {
  const login = await w.http('POST', '/api/v1/auth/login', { body: { username: 'a1005', password: 'demo-a1005' } });
  expect((await w.http('GET', '/api/v1/calls/nope/routing', { token: login.body.token })).status).toBe(403);
  const sup = await w.http('POST', '/api/v1/auth/login', { body: { username: 'sup1', password: 'demo-sup1' } });
  const res = await w.http('GET', '/api/v1/calls/nope/routing', { token: sup.body.token });
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('NOT_FOUND');
});
