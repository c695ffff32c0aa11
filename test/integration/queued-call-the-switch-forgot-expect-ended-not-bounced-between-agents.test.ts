/**
 * A call waiting in a queue that the switch has forgotten without telling us (the caller hung up
 * while every event was lost on the way) is gone, not refused by the agents it is sent to (issue:
 * real switch, points 4 and 10). Over real TCP and WebSocket: the first agent to go ready is
 * chosen for it, the deflection from the queue device meets `invalidConnectionID`, and the daemon
 * ends the call there — the row closed with cause `lostAtSwitch`, the queue empty — and counts no
 * miss: neither ready agent is made notReady, the call is not sent on to the second agent, and both
 * take the next real caller. (Before: the call went from agent to agent, each refused and made
 * notReady `offerRefused` in turn — hundreds of times in a 10-minute fault run.)
 *
 * The call audit is left at its defaults (30 s / 60 s silence), so it is not what ends the call.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { atDevice, supervisorToken, switchForgets } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';
import type { WsClient } from '../helpers/ws-client.ts';

let w: World;
let supToken: string;
let sup: WsClient;
beforeAll(async () => {
  w = await startWorld();
  supToken = await supervisorToken(w);
  sup = await w.login('sup1');
  await sup.call('supervisor.subscribe');
});
afterAll(async () => w?.close());

it('a queued call the switch no longer has ends when routed; no agent counts a miss, none is made notReady', async () => {
  // The caller waits: nobody in sales is ready.
  const statsMark = sup.events.length;
  const simCallId = await w.dial('13900000951', '8000');
  await atDevice(w, simCallId, '8900');
  await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.waiting === 1, 5000, statsMark);
  const callId = (await eventually(() => w.daemon.storage.repos.calls.search({ number: '13900000951' })[0])).id;

  // The caller hangs up; the switch forgets the call and every event of it is lost.
  await switchForgets(w, simCallId);

  // Two agents go ready; the first is chosen for the forgotten call.
  const first = await w.readyAgent('a1001');
  const firstMark = first.events.length;
  const second = await w.readyAgent('a1002');
  const secondMark = second.events.length;

  const row = await eventually(async () => {
    const r = await w.http('GET', `/api/v1/calls/${callId}`, { token: supToken });
    return r.status === 200 && r.body.call.endedAt !== null ? r.body.call : null;
  }, 3000);
  expect(row.cause).toBe('lostAtSwitch');
  await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.waiting === 0, 3000, statsMark);

  // Nobody was made notReady, and the call was not sent on to the second agent.
  const snap = await eventually(async () => {
    const s = await sup.call('supervisor.snapshot');
    const states = ['a1001', 'a1002'].map((id) => s.agents.find((a: any) => a.agentId === id));
    return states.every((a: any) => a.state === 'ready' && a.calls.length === 0) ? states : null;
  }, 3000);
  expect(snap).toHaveLength(2);
  // (Signing in passes through notReady; what counts is after each went ready.)
  expect(first.events.slice(firstMark).filter((e) => e.event === 'agent.state' && e.data.state === 'notReady')).toEqual([]);
  expect(second.events.slice(secondMark).filter((e) => e.event === 'agent.state' && e.data.state === 'notReady')).toEqual([]);
  // The call never rang at either phone: neither agent hears of it at all.
  for (const agent of [first, second]) expect(agent.events.filter((e) => e.data?.callId === callId).map((e) => e.event)).toEqual([]);

  // Both still take real callers (longest idle: one each).
  const took: WsClient[] = [];
  for (const from of ['13900000952', '13900000953']) {
    const marks = [first.events.length, second.events.length];
    const sim = await w.dial(from, '8000');
    const offered = await Promise.any([first.waitFor('call.offered', (d) => d.from === from, 8000, marks[0]).then((e) => ({ e, agent: first })), second.waitFor('call.offered', (d) => d.from === from, 8000, marks[1]).then((e) => ({ e, agent: second }))]);
    const mark = offered.agent.events.length;
    await offered.agent.call('call.answer', { callId: offered.e.data.callId });
    await offered.agent.waitFor('call.established', (d) => d.callId === offered.e.data.callId, 5000, mark);
    await w.simApi('POST', `/sim/calls/${sim}/hangup`);
    await offered.agent.waitFor('call.cleared', (d) => d.callId === offered.e.data.callId, 5000, mark);
    took.push(offered.agent);
  }
  expect(new Set(took).size).toBe(2);
});
