import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('a supervisor signs out an agent whose phone is ringing with an ACD call: the call goes back at once to its place in the queue, the agent is offered nothing more', async () => {
  // A ring timeout far beyond the test: only the sign-out can bring the call back.
  await admin(w, '/queues/sales', { ringTimeoutS: 30 });
  const a1 = await w.readyAgent('a1001');
  const first = await w.dial('13900000801', '8000');
  const offer1 = await a1.waitFor('call.offered');
  await atDevice(w, first, '2001', 'alerting');
  const second = await w.dial('13900000802', '8000');
  await atDevice(w, second, '8900');

  const sup = await w.login('sup1');
  const mark = a1.events.length;
  const out = await sup.call('supervisor.setAgentState', { agentId: 'a1001', state: 'loggedOut' });
  expect(out.state).toBe('loggedOut');
  // Back on the queue device within a moment, no longer ringing at the empty desk.
  await atDevice(w, first, '8900', 'queued', 2000);
  const calls = (await w.simApi('GET', '/sim/calls')).calls;
  expect(calls.some((c: any) => c.connections.some((x: any) => x.deviceId === '2001'))).toBe(false);

  // It kept its place: the next agent gets it before the caller who came later.
  const a2 = await w.readyAgent('a1002');
  const offer2 = await a2.waitFor('call.offered');
  expect(offer2.data.callId).toBe(offer1.data.callId);
  expect(a1.events.slice(mark).some((e) => e.event === 'call.offered')).toBe(false);
});
