import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';
import type { WsClient } from '../helpers/ws-client.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

/** Offered, answered and hung up: the agent is ready again afterwards. */
async function takeAndFinish(agent: WsClient, from: number): Promise<string> {
  const offered = await agent.waitFor('call.offered', () => true, 5000, from);
  await agent.call('call.answer', { callId: offered.data.callId });
  await agent.waitFor('call.established', (d) => d.callId === offered.data.callId, 5000, from);
  const beforeHangup = agent.events.length;
  await agent.call('call.hangup', { callId: offered.data.callId });
  await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, beforeHangup);
  return offered.data.callId as string;
}

it('linear: the lowest rank gets every call while free, whoever has been idle longest', async () => {
  await admin(w, '/queues/sales', { strategy: 'linear' });
  await admin(w, '/agents/a1001', { rank: 30 });
  await admin(w, '/agents/a1002', { rank: 20 });
  await admin(w, '/agents/a1003', { rank: 10 });
  const a1 = await w.readyAgent('a1001');
  const a2 = await w.readyAgent('a1002');
  const a3 = await w.readyAgent('a1003');
  for (const n of ['13900001001', '13900001002']) {
    const mark = a3.events.length;
    await w.dial(n, '8000');
    const callId = await takeAndFinish(a3, mark);
    const ex = (await routingOf(w, callId)).decisions[0].detail.explanation;
    expect(ex).toMatchObject({ rule: 'linear', winner: 'a1003', tieBreak: 'rank' });
    expect(ex.top.map((c: any) => c.id)).toEqual(['a1003', 'a1002', 'a1001']);
  }
  expect([a1, a2].some((a) => a.events.some((e) => e.event === 'call.offered'))).toBe(false);
});

it('roundRobin: offers go round the agents in rank order, starting after the last one offered', async () => {
  await admin(w, '/queues/sales', { strategy: 'roundRobin' });
  const agents = { a1001: await w.login('a1001'), a1002: await w.login('a1002'), a1003: await w.login('a1003') };
  const got: string[] = [];
  for (let i = 0; i < 4; i++) {
    const marks = Object.fromEntries(Object.entries(agents).map(([id, c]) => [id, c.events.length]));
    await w.dial(`1390000110${i}`, '8000');
    const [who, client] = await Promise.any(Object.entries(agents).map(async ([id, c]) => (await c.waitFor('call.offered', () => true, 5000, marks[id])) && ([id, c] as const)));
    got.push(who);
    await takeAndFinish(client, marks[who]!);
  }
  // No roundRobin offer yet in this queue: the round starts at the lowest rank (a1003, 10), goes
  // on to 20 and 30, then wraps back to a1003, although it is the agent idle the shortest by then.
  expect(got).toEqual(['a1003', 'a1002', 'a1001', 'a1003']);
});
