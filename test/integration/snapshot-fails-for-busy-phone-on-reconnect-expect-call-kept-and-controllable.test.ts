/**
 * Reconnect without killing calls (issue: real switch, point 3), over real TCP and WebSocket. The
 * link drops while an agent is on a call, and when it comes back the switch refuses the snapshot of
 * that agent's phone (fault injection). The daemon must not take "no snapshot" for "no call": the
 * call keeps its id, stays up and controllable, and once the switch answers again (the daemon asks
 * again for the devices it could not snapshot) it ends the ordinary way. And what the late answer
 * does prove is acted on: a call the caller hung up while the link was down ends then.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { supervisorToken } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';
import type { WsClient } from '../helpers/ws-client.ts';

let w: World;
let supToken: string;
beforeAll(async () => {
  w = await startWorld();
  supToken = await supervisorToken(w);
});
afterAll(async () => w?.close());

async function answeredCall(agent: WsClient, from: string): Promise<{ callId: string; simCallId: string }> {
  const mark = agent.events.length;
  const simCallId = await w.dial(from, '8000');
  const offered = await agent.waitFor('call.offered', (d) => d.from === from, 8000, mark);
  await agent.call('call.answer', { callId: offered.data.callId });
  await agent.waitFor('call.established', (d) => d.callId === offered.data.callId, 8000, mark);
  return { callId: offered.data.callId, simCallId };
}

async function row(callId: string): Promise<any> {
  const r = await w.http('GET', `/api/v1/calls/${callId}`, { token: supToken });
  expect(r.status).toBe(200);
  return r.body.call;
}

/** Drops the link and resolves once the agent has seen it down and up again. */
async function dropAndReconnect(agent: WsClient): Promise<void> {
  const mark = agent.events.length;
  await w.simApi('POST', '/sim/link/drop');
  await agent.waitFor('link.status', (d) => d.pbx === 'down', 5000, mark);
  await agent.waitFor('link.status', (d) => d.pbx === 'up', 5000, mark);
}

/** Checks `ok` again and again for `ms` (an observation window: something must NOT happen). */
async function holdsFor(ms: number, ok: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    expect(await ok()).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('the snapshot of a busy phone fails at the reconnect: the call keeps its id, stays up and controllable, and ends normally later', async () => {
  const agent = await w.readyAgent('a1001');
  const { callId, simCallId } = await answeredCall(agent, '13900000701');
  const mark = agent.events.length;

  await w.simApi('POST', '/sim/faults', { snapshotFails: ['2001'] });
  await dropAndReconnect(agent);

  // Not proven gone, so not ended: same id, still busy, longer than the departure grace.
  await holdsFor(1500, async () => (await row(callId)).endedAt === null && (await agent.call('agent.getState')).state === 'busy');
  expect(agent.events.slice(mark).some((e) => e.event === 'call.cleared' || (e.event === 'call.offered' && e.data.callId !== callId))).toBe(false);
  const snap = await agent.call('agent.getState');
  expect(snap).toMatchObject({ state: 'busy', extension: '2001' });

  // Controllable while the switch still refuses the snapshot...
  await agent.call('call.hold', { callId });
  await agent.waitFor('call.held', (d) => d.callId === callId, 5000, mark);

  // ...and after the fault clears (the daemon's re-query then proves the call is there).
  await w.simApi('DELETE', '/sim/faults');
  await agent.call('call.retrieve', { callId });
  await agent.waitFor('call.retrieved', (d) => d.callId === callId, 5000, mark);
  await holdsFor(1500, async () => (await row(callId)).endedAt === null);
  const again = agent.events.length;
  await agent.call('call.hold', { callId });
  await agent.waitFor('call.held', (d) => d.callId === callId, 5000, again);
  await agent.call('call.retrieve', { callId });
  await agent.waitFor('call.retrieved', (d) => d.callId === callId, 5000, again);
  await agent.call('call.hangup', { callId });
  await agent.waitFor('call.cleared', (d) => d.callId === callId, 5000, mark);
  await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, mark);
  const closed = await eventually(async () => {
    const r = await row(callId);
    return r.endedAt !== null ? r : null;
  });
  expect(closed).toMatchObject({ outcome: 'answered', cause: null, leftTo: null, firstAgent: 'a1001', agents: ['a1001'] });
  expect(closed.talkMs).toBeGreaterThan(1000);
  expect((await w.simApi('GET', '/sim/calls')).calls.some((c: any) => c.simCallId === simCallId)).toBe(false);
  await agent.call('agent.setState', { state: 'notReady' });
});

it('the caller hung up while the link was down and the phone cannot be snapshotted: the call is kept until the switch answers, then ended (lostAtSwitch)', async () => {
  const agent = await w.readyAgent('a1002');
  const { callId, simCallId } = await answeredCall(agent, '13900000702');
  const mark = agent.events.length;

  await w.simApi('POST', '/sim/faults', { snapshotFails: ['2002'] });
  const down = agent.events.length;
  await w.simApi('POST', '/sim/link/drop');
  await agent.waitFor('link.status', (d) => d.pbx === 'down', 5000, down);
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`); // nobody hears it: the link is down
  await agent.waitFor('link.status', (d) => d.pbx === 'up', 5000, down);

  await holdsFor(600, async () => (await row(callId)).endedAt === null);
  expect((await agent.call('agent.getState')).state).toBe('busy');

  await w.simApi('DELETE', '/sim/faults');
  const ended = await eventually(async () => {
    const r = await row(callId);
    return r.endedAt !== null ? r : null;
  }, 8000);
  expect(ended).toMatchObject({ cause: 'lostAtSwitch', outcome: 'answered', firstAgent: 'a1002' });
  await agent.waitFor('call.cleared', (d) => d.callId === callId, 5000, mark);
  await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, mark);
  // Routable again.
  const next = await answeredCall(agent, '13900000703');
  const before = agent.events.length;
  await agent.call('call.hangup', { callId: next.callId });
  await agent.waitFor('call.cleared', (d) => d.callId === next.callId, 5000, before);
});
