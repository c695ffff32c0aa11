import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('the caller hangs up while an ACD call rings at the agent: the agent is ready again and gets the next waiting call for a full ring time; the router forgets the abandoned call', async () => {
  await admin(w, '/queues/sales', { ringTimeoutS: 1, maxMisses: 1 });
  const a1 = await w.readyAgent('a1001');
  const first = await w.dial('13900000811', '8000');
  const offer1 = await a1.waitFor('call.offered');
  const second = await w.dial('13900000812', '8000');
  await atDevice(w, second, '8900');

  // Hang up well into the first offer's ring time, so a timer left over from it would cut the
  // second offer short.
  await new Promise((r) => setTimeout(r, 500));
  await w.simApi('POST', `/sim/calls/${first}/hangup`);
  await a1.waitFor('call.cleared', (d) => d.callId === offer1.data.callId);
  const offer2 = await a1.waitFor('call.offered', (d) => d.callId !== offer1.data.callId, 2000);
  const offeredAt = Date.now();
  expect(offer2.data.from).toBe('13900000812');

  // Unanswered, the second call rings its whole ring timeout, then goes back to the queue.
  const st = await a1.waitFor('agent.state', (d) => d.state === 'notReady', 3000, a1.events.indexOf(offer2));
  expect(st.data.reason).toBe('noAnswer');
  expect(Date.now() - offeredAt).toBeGreaterThanOrEqual(900);
  await atDevice(w, second, '8900');

  // The router forgot the abandoned call: one caller waits, the first call had one decision.
  const [q] = (await a1.call('queue.list')).queues.filter((x: any) => x.id === 'sales');
  expect(q.waiting).toBe(1);
  expect((await routingOf(w, offer1.data.callId)).decisions.map((d: any) => d.agent)).toEqual(['a1001']);
  const row = await eventually(() => {
    const r = w.daemon.storage.repos.calls.get(offer1.data.callId);
    return r?.endedAt ? r : null;
  });
  expect(row.outcome).toBe('abandoned');
});
