import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('an admin edits a queue while callers wait: a ready agent who now qualifies gets the first caller at once, the others keep their order under the new strategy', async () => {
  const first = await w.dial('13900000871', '8001');
  await atDevice(w, first, '8901');
  const second = await w.dial('13900000872', '8001');
  await atDevice(w, second, '8901');
  const a1 = await w.readyAgent('a1001'); // sales only: not for support yet
  const a2 = await w.readyAgent('a1002');
  expect(a1.events.some((e) => e.event === 'call.offered')).toBe(false);

  // Support now takes sales skills, by strategy longest idle: a1001 (idle longest) gets the first caller.
  await admin(w, '/queues/support', { strategy: 'longestIdle', requiredSkills: [{ skill: 'sales', minLevel: 5 }] });
  const offer1 = await a1.waitFor('call.offered', () => true, 2000);
  expect(offer1.data).toMatchObject({ from: '13900000871', queue: 'support' });
  const offer2 = await a2.waitFor('call.offered', () => true, 2000);
  expect(offer2.data).toMatchObject({ from: '13900000872', queue: 'support' });
  await atDevice(w, first, '2001', 'alerting');
  await atDevice(w, second, '2002', 'alerting');
  const d = (await routingOf(w, offer1.data.callId)).decisions;
  expect(d.map((x: any) => [x.agent, x.detail.explanation.trigger])).toEqual([['a1001', 'reconfigured']]);
});
