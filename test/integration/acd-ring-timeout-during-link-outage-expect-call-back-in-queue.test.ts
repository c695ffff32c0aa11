import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';
import type { WsClient } from '../helpers/ws-client.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld({ proxy: true });
  await admin(w, '/queues/sales', { ringTimeoutS: 1, maxMisses: 3 });
});
afterAll(async () => w?.close());

const agents: WsClient[] = [];
afterEach(async () => {
  for (const c of (await w.simApi('GET', '/sim/calls')).calls) await w.simApi('POST', `/sim/calls/${c.simCallId}/hangup`, {}, true);
  for (const c of agents.splice(0)) await c.request('agent.signOut');
});

/** An ACD call rings at `agent`; then the link is down for longer than the ring timeout. */
async function ringThroughOutage(agent: string, from: string, duringOutage: () => Promise<void> = async () => {}) {
  const a1 = await w.readyAgent(agent);
  agents.push(a1);
  const sim = await w.dial(from, '8000');
  const offer = await a1.waitFor('call.offered');
  const mark = a1.events.length;
  w.proxy!.cut();
  await a1.waitFor('link.status', (d) => d.pbx === 'down', 2000, mark);
  await new Promise((r) => setTimeout(r, 1300)); // the ring timeout passes while nothing reaches the switch
  await duringOutage();
  w.proxy!.restore();
  await a1.waitFor('link.status', (d) => d.pbx === 'up', 2000, mark);
  return { a1, sim, callId: offer.data.callId as string, mark };
}

it('an offer times out while the link is down: once the link is back the call returns to its queue, the agent is ready, and the next agent gets the call', async () => {
  const { a1, sim, callId } = await ringThroughOutage('a1001', '13900000901');
  await atDevice(w, sim, '8900', 'queued', 2000);
  await a1.waitFor('agent.state', (d) => d.state === 'ready', 2000, a1.events.findIndex((e) => e.event === 'call.offered'));
  const a2 = await w.readyAgent('a1002');
  agents.push(a2);
  const offer = await a2.waitFor('call.offered', () => true, 2000);
  expect(offer.data.callId).toBe(callId);
});

it('an offer times out while the link is down and the agent answers it by handset meanwhile: the call stays with that agent and nobody else is offered it', async () => {
  const { a1, sim, callId, mark } = await ringThroughOutage('a1003', '13900000902', () => w.simApi('POST', '/sim/devices/2003/offhook'));
  await a1.waitFor('call.established', (d) => d.callId === callId, 2000, mark);
  const a2 = await w.readyAgent('a1004');
  agents.push(a2);
  await w.dial('13900000903', '8000');
  const offer = await a2.waitFor('call.offered', () => true, 2000);
  expect(offer.data.from).toBe('13900000903');
  await atDevice(w, sim, '2003', 'connected');
  expect((await routingOf(w, callId)).decisions.map((d: any) => d.agent)).toEqual(['a1003']);
  const [q] = (await a2.call('queue.list')).queues.filter((x: any) => x.id === 'sales');
  expect(q.waiting).toBe(0);
});
