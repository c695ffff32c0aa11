import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('an agent answers an ACD call by lifting the handset: established and busy, the ring timeout no longer applies, the router is done with the call', async () => {
  await admin(w, '/queues/sales', { ringTimeoutS: 1, maxMisses: 1 });
  const a1 = await w.readyAgent('a1001');
  const sim = await w.dial('13900000821', '8000');
  const offer = await a1.waitFor('call.offered');
  await w.simApi('POST', '/sim/devices/2001/offhook');
  await a1.waitFor('call.established', (d) => d.callId === offer.data.callId);
  await a1.waitFor('agent.state', (d) => d.state === 'busy');

  // Past the ring timeout: still connected at the agent, who stays busy (no noAnswer).
  const mark = a1.events.length;
  await new Promise((r) => setTimeout(r, 1200));
  expect(a1.events.slice(mark).filter((e) => e.event !== 'queue.stats').map((e) => e.event)).toEqual([]);
  await atDevice(w, sim, '2001', 'connected');
  expect((await a1.call('agent.getState')).state).toBe('busy');

  // A new caller is not offered to the busy agent; a free agent gets it.
  const a2 = await w.readyAgent('a1002');
  await w.dial('13900000822', '8000');
  const offer2 = await a2.waitFor('call.offered');
  expect(offer2.data.from).toBe('13900000822');
  expect((await routingOf(w, offer.data.callId)).decisions.map((d: any) => d.agent)).toEqual(['a1001']);
});
