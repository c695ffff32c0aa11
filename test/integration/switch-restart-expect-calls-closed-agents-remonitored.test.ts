import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('the switch restarts: calls are closed with a cause, agents are re-monitored and take new calls, nothing dangles', async () => {
  const a = await w.readyAgent('a1001');
  const b = await w.readyAgent('a1002');
  await w.dial('13800000002', '8000');
  const first = await a.waitFor('call.offered').catch(() => null);
  const offeredTo = first ? a : b;
  const { data } = first ?? (await b.waitFor('call.offered'));
  await offeredTo.call('call.answer', { callId: data.callId });
  await offeredTo.waitFor('call.established');
  await w.dial('13800000003', '8000'); // rings the other agent
  const other = offeredTo === a ? b : a;
  const ringing = await other.waitFor('call.offered');

  const mark = { a: a.events.length, b: b.events.length };
  await w.simApi('POST', '/sim/restart');
  await a.waitFor('link.status', (d) => d.pbx === 'up', 5000, mark.a);

  // Both calls are closed, with a cause, for the agents and in the database.
  const c1 = await offeredTo.waitFor('call.cleared', (d) => d.callId === data.callId, 5000);
  expect(c1.data.cause).toBe('lostAtSwitch');
  await other.waitFor('call.cleared', (d) => d.callId === ringing.data.callId, 5000);
  for (const id of [data.callId, ringing.data.callId]) {
    const row = await eventually(() => {
      const r = w.daemon.storage.repos.calls.get(id);
      return r?.endedAt ? r : null;
    });
    expect(row.cause).toBe('lostAtSwitch');
  }
  // Agents are free again and logged on at the switch anew.
  await a.waitFor('agent.state', (d) => d.state === 'ready', 5000, mark.a);
  await b.waitFor('agent.state', (d) => d.state === 'ready', 5000, mark.b);
  const dev = await w.simApi('GET', '/sim/devices/2001');
  expect(JSON.stringify(dev)).toContain('a1001');

  // A new call after the restart is routed and offered: monitors and routing are back.
  await w.dial('13800000004', '8000');
  const fresh = await Promise.race([a.next('call.offered'), b.next('call.offered')]);
  expect(fresh.data.from).toBe('13800000004');
  expect((await w.simApi('GET', '/sim/calls')).calls).toHaveLength(1);
});
