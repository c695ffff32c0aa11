import { afterAll, beforeAll, expect, it } from 'vitest';
import { routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('skill-based: the best proficiency gets the call before agents idle longer; then the next best', async () => {
  // Demo support agents: a1006 level 1 … a1010 level 5. Ready worst first, so idle time would
  // pick a1010; proficiency must pick a1006.
  const a10 = await w.readyAgent('a1010');
  const a08 = await w.readyAgent('a1008');
  const a06 = await w.readyAgent('a1006');

  await w.dial('13900000101', '8001');
  const first = await a06.waitFor('call.offered');
  expect(first.data.queue).toBe('support');
  await a06.call('call.answer', { callId: first.data.callId });

  await w.dial('13900000102', '8001');
  const second = await a08.waitFor('call.offered');
  expect(a10.events.some((e) => e.event === 'call.offered')).toBe(false);

  const ex = (await routingOf(w, first.data.callId)).decisions[0].detail.explanation;
  expect(ex).toMatchObject({ rule: 'skillBased', winner: 'a1006', tieBreak: 'skillScore', keyNames: ['skillScore', 'idleSince', 'agentId'] });
  expect(ex.top.map((c: any) => [c.id, c.key[0]])).toEqual([
    ['a1006', 1],
    ['a1008', 3],
    ['a1010', 5],
  ]);
  expect((await routingOf(w, second.data.callId)).decisions[0].detail.explanation.top.map((c: any) => c.id)).toEqual(['a1008', 'a1010']);
});
