import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('a call needing support level 1 waits; after 1 s the relax step accepts level 3 and the agent gets it', async () => {
  await admin(w, '/queues/support', { requiredSkills: [{ skill: 'support', minLevel: 1 }], members: [], steps: [{ afterS: 1, kind: 'relax', by: 2 }] });
  const a8 = await w.readyAgent('a1008'); // support level 3
  const t0 = Date.now();
  const sim = await w.dial('13900000301', '8001');
  await atDevice(w, sim, '8901');
  const offered = await a8.waitFor('call.offered', () => true, 5000);
  const waited = Date.now() - t0;
  expect(waited).toBeGreaterThanOrEqual(900);
  expect(waited).toBeLessThan(3000);
  const ex = (await routingOf(w, offered.data.callId)).decisions[0].detail.explanation;
  expect(ex).toMatchObject({ direction: 'callToAgent', trigger: 'tick', step: 0, relaxBy: 2, winner: 'a1008' });
});

it('a level-5 agent is still refused after the step: minLevel 1 relaxed by 2 accepts level 3 at worst', async () => {
  const a10 = await w.readyAgent('a1010'); // support level 5: needs relax 4
  const sim = await w.dial('13900000302', '8001');
  await atDevice(w, sim, '8901');
  await new Promise((r) => setTimeout(r, 1500));
  expect(a10.events.some((e) => e.event === 'call.offered')).toBe(false);
  const calls = (await w.simApi('GET', '/sim/calls')).calls;
  expect(calls.find((c: any) => c.simCallId === sim).connections.some((c: any) => c.deviceId === '8901' && c.state === 'queued')).toBe(true);
});
