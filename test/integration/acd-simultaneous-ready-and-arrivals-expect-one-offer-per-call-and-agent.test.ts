import { afterAll, beforeAll, expect, it } from 'vitest';
import { atDevice, routingOf } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

/** Where each of the callers' calls is at the switch: device → state. */
async function where(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const c of (await w.simApi('GET', '/sim/calls')).calls) {
    out.set(c.simCallId, c.connections.filter((x: any) => !/^139/.test(x.deviceId)).map((x: any) => `${x.deviceId}:${x.state}`));
  }
  return out;
}

it('two agents go ready at the same instant with one caller waiting: exactly one of them is offered it; several callers arriving at once for one ready agent: one offer, the rest wait', async () => {
  const waiting = await w.dial('13900000851', '8000');
  await atDevice(w, waiting, '8900');
  const a1 = await w.login('a1001');
  const a2 = await w.login('a1002');
  await Promise.all([a1.call('agent.signIn', { extension: '2001' }), a2.call('agent.signIn', { extension: '2002' })]);
  await Promise.all([a1.call('agent.setState', { state: 'ready' }), a2.call('agent.setState', { state: 'ready' })]);
  const offer = await Promise.race([a1.waitFor('call.offered'), a2.waitFor('call.offered')]);
  const [winner, other] = a1.events.includes(offer) ? [a1, a2] : [a2, a1];
  await winner.waitFor('agent.state', (d) => d.state === 'reserved');
  await winner.call('call.answer', { callId: offer.data.callId });
  await winner.waitFor('call.established');
  expect(other.events.some((e) => e.event === 'call.offered')).toBe(false);
  expect((await other.call('agent.getState')).state).toBe('ready');

  // Three callers at once, one ready agent: one rings there, two wait on the queue device.
  const sims = await Promise.all(['13900000852', '13900000853', '13900000854'].map((n) => w.dial(n, '8000')));
  await other.waitFor('call.offered');
  const states = await eventually(async () => {
    const at = await where();
    const all = sims.map((s) => at.get(s)?.join(','));
    return all.filter((x) => x === '8900:queued').length === 2 ? all : null;
  }, 2000);
  expect(states.filter((x) => x === `${other === a1 ? '2001' : '2002'}:alerting`)).toHaveLength(1);
  expect(other.events.filter((e) => e.event === 'call.offered')).toHaveLength(1);
  for (const id of [offer.data.callId]) expect((await routingOf(w, id)).decisions).toHaveLength(1);
});
