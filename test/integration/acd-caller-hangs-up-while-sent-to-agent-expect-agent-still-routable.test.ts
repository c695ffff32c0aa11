import { afterAll, beforeAll, expect, it } from 'vitest';
import { atDevice } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld({ proxy: true });
});
afterAll(async () => w?.close());

it('a waiting caller hangs up while the daemon is sending the call to a newly ready agent: the agent, whose phone never rang, gets the next caller', async () => {
  const sim = await w.dial('13900000891', '8000');
  await atDevice(w, sim, '8900');
  const a1 = await w.login('a1001');
  await a1.call('agent.signIn', { extension: '2001' });

  // The DeflectCall to a1's phone is still on its way to the switch when the caller gives up.
  w.proxy!.hold();
  await a1.call('agent.setState', { state: 'ready' });
  await w.proxy!.waitForHeld('<DeflectCall');
  await w.simApi('POST', `/sim/calls/${sim}/hangup`);
  const callId = await eventually(() => w.daemon.storage.repos.calls.search({ number: '13900000891' }).find((r) => r.endedAt !== null)?.id);
  w.proxy!.release();

  await w.dial('13900000892', '8000');
  const offer = await a1.waitFor('call.offered', () => true, 2000);
  expect(offer.data.from).toBe('13900000892');
  expect(offer.data.callId).not.toBe(callId);
  expect(a1.events.filter((e) => e.event === 'call.offered')).toHaveLength(1);
});

it('a caller hangs up while the call is still on its way to the queue device and already promised to a newly ready agent: the agent gets the next caller', async () => {
  const a2 = await w.login('a1002');
  await a2.call('agent.signIn', { extension: '2002' });
  // The daemon has sent the call to the queue device (RouteSelect), the switch has not moved it yet.
  w.proxy!.hold();
  const sim = await w.dial('13900000893', '8000');
  await w.proxy!.waitForHeld('<RouteSelect');
  // a2 becomes free: the call is promised to a2, to be sent on once it is queued (a pending move).
  await a2.call('agent.setState', { state: 'ready' });
  await w.simApi('POST', `/sim/calls/${sim}/hangup`);
  await eventually(() => w.daemon.storage.repos.calls.search({ number: '13900000893' }).find((r) => r.endedAt !== null));
  w.proxy!.release();

  await w.dial('13900000894', '8000');
  const offer = await a2.waitFor('call.offered', () => true, 2000);
  expect(offer.data.from).toBe('13900000894');
  expect(a2.events.filter((e) => e.event === 'call.offered')).toHaveLength(1);
});
