import { afterAll, beforeAll, expect, it } from 'vitest';
import { atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('the CSTA link drops while callers wait and one rings at an agent: an agent who goes ready during the outage gets the first waiting caller once the link is back; nothing is offered twice', async () => {
  const a1 = await w.readyAgent('a1001');
  const ringing = await w.dial('13900000861', '8000');
  const offer1 = await a1.waitFor('call.offered');
  const waiting1 = await w.dial('13900000862', '8000');
  await atDevice(w, waiting1, '8900');
  const waiting2 = await w.dial('13900000863', '8000');
  await atDevice(w, waiting2, '8900');
  const a2 = await w.login('a1002');
  await a2.call('agent.signIn', { extension: '2002' });

  const mark = a1.events.length;
  await w.simApi('POST', '/sim/link/drop');
  await a2.waitFor('link.status', (d) => d.pbx === 'down', 2000);
  // During the outage: a2 goes ready (nothing can be sent to the switch now).
  await a2.call('agent.setState', { state: 'ready' });
  await a2.waitFor('link.status', (d) => d.pbx === 'up', 2000);

  const offer2 = await a2.waitFor('call.offered', () => true, 2000);
  expect(offer2.data.from).toBe('13900000862');
  await atDevice(w, waiting1, '2002', 'alerting');
  // The call ringing at a1 through the outage is still a1's to answer.
  await atDevice(w, ringing, '2001', 'alerting');
  await a1.call('call.answer', { callId: offer1.data.callId });
  await a1.waitFor('call.established', (d) => d.callId === offer1.data.callId, 2000, mark);
  const a3 = await w.readyAgent('a1003');
  const offer3 = await a3.waitFor('call.offered', () => true, 2000);
  expect(offer3.data.from).toBe('13900000863');
  // Each call reached one phone once; the decision made during the outage went to a2 too.
  const offered = [a1, a2, a3].flatMap((c) => c.events.filter((e) => e.event === 'call.offered').map((e) => e.data.callId));
  expect(offered.sort()).toEqual([offer1, offer2, offer3].map((o) => o.data.callId).sort());
  const decided = (await routingOf(w, offer2.data.callId)).decisions.filter((d: any) => d.kind === 'assign').map((d: any) => d.agent);
  expect(new Set(decided)).toEqual(new Set(['a1002']));
});
