/**
 * Phones that are not there (issue: real switch, point 4), over real TCP and WebSocket: sign-in at
 * an extension the switch refuses to monitor or at an unplugged phone is refused with a clear
 * error; a phone unplugged while its agent is ready makes the agent notReady/phoneOutOfService and
 * no call is offered there; plugged back, the agent chooses ready and gets the call; an offer the
 * switch refuses (the unplug event lost on the way) does not leave the agent first in line.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { atDevice } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld({ config: { cstaMonitorRetryMs: 200 } });
});
afterAll(async () => w?.close());

it('sign-in at an extension the switch refuses to monitor is refused: PBX_REJECTED, reason monitorRefused', async () => {
  const a = await w.login('a1009');
  const r = await a.request('agent.signIn', { extension: '1999' });
  expect(r.ok).toBe(false);
  expect(r.error).toMatchObject({ code: 'PBX_REJECTED', details: { reason: 'monitorRefused', extension: '1999', csta: { value: 'invalidDeviceID' } } });
  expect(r.error!.message).toMatch(/refuses to monitor extension 1999/);
  expect((await a.call('agent.getState')).state).toBe('loggedOut');
});

it('sign-in at an unplugged phone is refused: PBX_REJECTED, reason phoneOutOfService', async () => {
  await w.simApi('POST', '/sim/devices/2008/service', { inService: false });
  const a = await w.login('a1008');
  const r = await a.request('agent.signIn', { extension: '2008' });
  expect(r.ok).toBe(false);
  expect(r.error).toMatchObject({ code: 'PBX_REJECTED', details: { reason: 'phoneOutOfService', extension: '2008' } });
  await w.simApi('POST', '/sim/devices/2008/service', { inService: true });
  // plugged back in: the sign-in is taken
  await eventually(async () => (await a.request('agent.signIn', { extension: '2008' })).ok);
});

it('phone unplugged while ready: notReady/phoneOutOfService, no call offered there; back in service the agent chooses ready and gets it', async () => {
  const a = await w.readyAgent('a1001');
  await w.simApi('POST', '/sim/devices/2001/service', { inService: false });
  await a.waitFor('agent.state', (d) => d.state === 'notReady' && d.reason === 'phoneOutOfService');
  const refused = await a.request('agent.setState', { state: 'ready' });
  expect(refused.error).toMatchObject({ code: 'INVALID_STATE' });
  const sim = await w.dial('13900000401', '8000');
  await atDevice(w, sim, '8900'); // waits in the queue: nobody usable is ready
  expect(a.events.some((e) => e.event === 'call.offered')).toBe(false);
  await w.simApi('POST', '/sim/devices/2001/service', { inService: true });
  await a.waitFor('agent.state', (d) => d.state === 'notReady' && d.reason === 'phoneBackInService');
  await a.call('agent.setState', { state: 'ready' });
  const offered = await a.waitFor('call.offered');
  expect(offered.data.from).toBe('13900000401');
  await w.simApi('POST', `/sim/calls/${sim}/hangup`);
  await a.waitFor('agent.state', (d) => d.state === 'ready');
  await a.call('agent.setState', { state: 'notReady' });
});

it('an offer the switch refuses (the unplug news lost) makes the agent notReady and the call goes to the next agent', async () => {
  const first = await w.readyAgent('a1002');
  const second = await w.readyAgent('a1003');
  // The phone goes out of service while every event is lost: the daemon does not know.
  await w.simApi('POST', '/sim/faults', { dropEventsPercent: 100 });
  await w.simApi('POST', '/sim/devices/2002/service', { inService: false });
  await w.simApi('DELETE', '/sim/faults');
  // a1002 has been idle longest: the ACD picks them, the switch refuses the route to 2002
  const sim = await w.dial('13900000402', '8000');
  await first.waitFor('agent.state', (d) => d.state === 'notReady' && d.reason === 'phoneOutOfService');
  const offered = await second.waitFor('call.offered', (d) => d.from === '13900000402');
  expect(offered.data.agentId).toBe('a1003');
  await w.simApi('POST', `/sim/calls/${sim}/hangup`);
  await w.simApi('POST', '/sim/devices/2002/service', { inService: true });
});
