/**
 * The call audit (issue: real switch, point 2), over real TCP and WebSocket: events do get lost on
 * real links. With every event dropped on the way (simulator fault injection), a caller hangs up
 * and the daemon hears nothing: its agent still looks busy. The periodic audit asks the switch about
 * calls it has heard nothing of for a while and ends those the switch no longer has — the row closed
 * with cause `lostAtSwitch`, the agent free and routable — while a call that is merely quiet (a long
 * conversation) is confirmed by the switch and kept, still controllable.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { supervisorToken } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';
import type { WsClient } from '../helpers/ws-client.ts';

const AUDIT_MS = 250;
const SILENCE_MS = 1000;

let w: World;
let supToken: string;
beforeAll(async () => {
  w = await startWorld({ config: { callAuditMs: AUDIT_MS, callAuditSilenceMs: SILENCE_MS } });
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

it('a hang-up whose events are all lost: the audit ends the call (lostAtSwitch) and frees the agent; a quiet live call is kept and controllable', async () => {
  // A long, quiet conversation at a1002: the switch has it, so the audit must keep it.
  const quiet = await w.readyAgent('a1002');
  const kept = await answeredCall(quiet, '13900000601');
  await quiet.call('agent.setState', { state: 'notReady' }); // pending until the call ends: no other call offered there

  const agent = await w.readyAgent('a1001');
  const lost = await answeredCall(agent, '13900000602');
  const mark = agent.events.length;

  // Every event is lost on the way: the caller's hang-up never reaches the daemon.
  await w.simApi('POST', '/sim/faults', { dropEventsPercent: 100 });
  const tHangup = Date.now();
  await w.simApi('POST', `/sim/calls/${lost.simCallId}/hangup`);
  await w.simApi('DELETE', '/sim/faults');
  expect((await w.simApi('GET', '/sim/calls')).calls.some((c: any) => c.simCallId === lost.simCallId)).toBe(false);
  expect((await agent.call('agent.getState')).state).toBe('busy'); // the daemon does not know yet
  expect((await row(lost.callId)).endedAt).toBeNull();

  // The audit: silent for SILENCE_MS, checked within one AUDIT_MS period after that (plus slack).
  const ended = await eventually(async () => {
    const r = await row(lost.callId);
    return r.endedAt !== null ? r : null;
  }, SILENCE_MS + 4 * AUDIT_MS + 3000);
  expect(ended).toMatchObject({ cause: 'lostAtSwitch', outcome: 'answered', firstAgent: 'a1001' });
  // Not before it was silent that long (its answer is the last the daemon heard of it).
  expect(ended.endedAt - ended.answeredAt).toBeGreaterThanOrEqual(SILENCE_MS);
  const cleared = await agent.waitFor('call.cleared', (d) => d.callId === lost.callId, 5000, mark);
  expect(cleared.data.cause).toBe('lostAtSwitch');
  await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, mark);

  // The agent is routable again.
  const next = await answeredCall(agent, '13900000603');
  await agent.call('call.hangup', { callId: next.callId });
  await eventually(async () => (await row(next.callId)).endedAt !== null);

  // The quiet call has been silent for several audit periods and is still up, at the same id.
  await eventually(async () => Date.now() - tHangup > SILENCE_MS + 3 * AUDIT_MS, 10_000);
  expect((await row(kept.callId)).endedAt).toBeNull();
  expect((await quiet.call('agent.getState')).state).toBe('busy');
  const qmark = quiet.events.length;
  await quiet.call('call.hold', { callId: kept.callId });
  await quiet.waitFor('call.held', (d) => d.callId === kept.callId, 5000, qmark);
  await quiet.call('call.retrieve', { callId: kept.callId });
  await quiet.waitFor('call.retrieved', (d) => d.callId === kept.callId, 5000, qmark);
  await quiet.call('call.hangup', { callId: kept.callId });
  const closed = await eventually(async () => {
    const r = await row(kept.callId);
    return r.endedAt !== null ? r : null;
  });
  expect(closed).toMatchObject({ outcome: 'answered', cause: null });
  await quiet.waitFor('agent.state', (d) => d.state === 'notReady', 5000, qmark);
});
