import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld({ proxy: true });
  await admin(w, '/queues/sales', { ringTimeoutS: 1, maxMisses: 3 });
});
afterAll(async () => w?.close());

it('a call promised to an agent while still on its way to the queue device gets there only after that offer lapsed: it stays in the queue and is not sent to that agent late', async () => {
  const a2 = await w.login('a1002');
  await a2.call('agent.signIn', { extension: '2002' });
  w.proxy!.hold();
  const sim = await w.dial('13900000921', '8000');
  await w.proxy!.waitForHeld('<RouteSelect'); // on its way to 8900
  await a2.call('agent.setState', { state: 'ready' }); // promised to a2, to be sent on from 8900
  await new Promise((r) => setTimeout(r, 1300)); // a2's offer lapses: the call never rang there
  w.proxy!.release();
  await atDevice(w, sim, '8900');

  const a3 = await w.readyAgent('a1003');
  const offer = await a3.waitFor('call.offered', () => true, 2000);
  expect(offer.data.from).toBe('13900000921');
  expect(a2.events.some((e) => e.event === 'call.offered')).toBe(false);
  expect((await routingOf(w, offer.data.callId)).decisions.map((d: any) => d.agent)).toEqual(['a1002', 'a1003']);
});
