/**
 * A call the switch answers `invalidCallID` for is gone (issue: real switch, point 10), over real
 * TCP and WebSocket. The switch forgets a call without telling us (the caller hangs up while every
 * event is lost on the way); then the agent's hang-up, a supervisor's force-release (of the call or
 * of the agent) or the agent's answer of a call that was ringing meets `invalidCallID`. The daemon
 * ends the call locally — `call.cleared` to the agent, the row closed (cause `lostAtSwitch`) — and
 * the agent is not left busy or reserved: ready again and routable. The hang-up and the
 * force-release succeed (what was asked is true); the answer fails NOT_FOUND.
 *
 * The call audit is left at its defaults (30 s / 60 s silence), so it is not what ends these calls.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { supervisorToken, switchForgets } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';
import type { WsClient } from '../helpers/ws-client.ts';

let w: World;
let supToken: string;
let sup: WsClient;
beforeAll(async () => {
  w = await startWorld();
  supToken = await supervisorToken(w);
  sup = await w.login('sup1');
});
afterAll(async () => w?.close());

async function offeredCall(agent: WsClient, from: string): Promise<{ callId: string; simCallId: string }> {
  const mark = agent.events.length;
  const simCallId = await w.dial(from, '8000');
  const offered = await agent.waitFor('call.offered', (d) => d.from === from, 8000, mark);
  return { callId: offered.data.callId, simCallId };
}

async function answeredCall(agent: WsClient, from: string): Promise<{ callId: string; simCallId: string }> {
  const c = await offeredCall(agent, from);
  const mark = agent.events.length;
  await agent.call('call.answer', { callId: c.callId });
  await agent.waitFor('call.established', (d) => d.callId === c.callId, 8000, mark);
  return c;
}

async function endedRow(callId: string): Promise<any> {
  return eventually(async () => {
    const r = await w.http('GET', `/api/v1/calls/${callId}`, { token: supToken });
    return r.status === 200 && r.body.call.endedAt !== null ? r.body.call : null;
  }, 3000);
}

/** Ended locally, at once: the agent hears call.cleared, the row is closed, the agent is ready and
 * takes the next call. */
async function expectClearedLocally(agent: WsClient, agentId: string, callId: string, mark: number, nextFrom: string): Promise<void> {
  const cleared = await agent.waitFor('call.cleared', (d) => d.callId === callId, 2000, mark);
  expect(cleared.data.cause).toBe('lostAtSwitch');
  expect(await endedRow(callId)).toMatchObject({ cause: 'lostAtSwitch', firstAgent: agentId });
  await agent.waitFor('agent.state', (d) => d.state === 'ready', 2000, mark);
  const snap = await sup.call('supervisor.snapshot');
  expect(snap.agents.find((a: any) => a.agentId === agentId)).toMatchObject({ state: 'ready', calls: [] });
  const next = await answeredCall(agent, nextFrom);
  const before = agent.events.length;
  await agent.call('call.hangup', { callId: next.callId });
  await agent.waitFor('call.cleared', (d) => d.callId === next.callId, 5000, before);
  await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, before);
}

it("the agent's hang-up of a call the switch no longer has succeeds and clears it locally", async () => {
  const agent = await w.readyAgent('a1001');
  const { callId, simCallId } = await answeredCall(agent, '13900000801');
  await switchForgets(w, simCallId);
  expect((await agent.call('agent.getState')).state).toBe('busy');

  const mark = agent.events.length;
  const r = await agent.request('call.hangup', { callId });
  expect(r).toMatchObject({ ok: true });
  await expectClearedLocally(agent, 'a1001', callId, mark, '13900000802');
  // Asked again: the call is gone here too.
  expect((await agent.request('call.hangup', { callId })).error).toMatchObject({ code: 'NOT_FOUND' });
  await agent.call('agent.setState', { state: 'notReady' });
});

it("a supervisor's force-release of the whole call the switch no longer has succeeds and clears it locally", async () => {
  const agent = await w.readyAgent('a1002');
  const { callId, simCallId } = await answeredCall(agent, '13900000803');
  await switchForgets(w, simCallId);

  const mark = agent.events.length;
  const r = await sup.request('supervisor.forceRelease', { callId });
  expect(r).toMatchObject({ ok: true, data: { callId } });
  await expectClearedLocally(agent, 'a1002', callId, mark, '13900000804');
  await agent.call('agent.setState', { state: 'notReady' });
});

it("a supervisor's force-release of an agent whose call the switch no longer has succeeds and clears it locally", async () => {
  const agent = await w.readyAgent('a1003');
  const { callId, simCallId } = await answeredCall(agent, '13900000805');
  await switchForgets(w, simCallId);

  const mark = agent.events.length;
  const r = await sup.request('supervisor.forceRelease', { agentId: 'a1003' });
  expect(r).toMatchObject({ ok: true, data: { callId, agentId: 'a1003' } });
  await expectClearedLocally(agent, 'a1003', callId, mark, '13900000806');
  await agent.call('agent.setState', { state: 'notReady' });
});

it('answering a ringing call the switch no longer has fails NOT_FOUND, and the agent is not left reserved', async () => {
  const agent = await w.readyAgent('a1004');
  const { callId, simCallId } = await offeredCall(agent, '13900000807');
  await switchForgets(w, simCallId);

  const mark = agent.events.length;
  const r = await agent.request('call.answer', { callId });
  expect(r.error).toMatchObject({ code: 'NOT_FOUND' });
  await expectClearedLocally(agent, 'a1004', callId, mark, '13900000808');
  // Not counted against the agent as a missed offer: still ready after the next call, not notReady.
  expect((await agent.call('agent.getState')).state).toBe('ready');
  await agent.call('agent.setState', { state: 'notReady' });
});
