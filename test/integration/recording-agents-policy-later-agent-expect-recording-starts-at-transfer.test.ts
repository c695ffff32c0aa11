/**
 * The `agents` policy and a transfer: a call no policy covers (dialled straight to a1003's phone)
 * is not recorded; blind-transferred to a1010 (the demo's recorded agent), it is recorded from the
 * moment a1010 answers — the decision on the call row becomes `recorded` by that policy, and the
 * recording has a1010's leg only.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentLegs, answeredCall, callRow, closedRecording, recordingRows, sleep } from '../helpers/recording-capture.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('not recorded until an agent a policy names is established on it', async () => {
  const a = await w.readyAgent('a1003');
  const b = await w.readyAgent('a1010');
  const { callId, simCallId } = await answeredCall(w, a, '13900000301', '2003');
  await eventually(() => (callRow(w, callId)?.decision === 'noPolicy' ? true : null));
  expect(recordingRows(w, callId)).toEqual([]);

  await a.call('call.transfer', { callId, to: '2010' });
  await b.waitFor('call.offered', (d) => d.callId === callId);
  await b.call('call.answer', { callId });
  await b.waitFor('call.established', (d) => d.callId === callId);
  const policy = w.daemon.storage.sqlite.prepare("SELECT id FROM recording_policies WHERE name = 'demo: agent a1010'").get() as { id: number };
  await eventually(() => (callRow(w, callId)?.decision === 'recorded' ? true : null));
  expect(callRow(w, callId)).toMatchObject({ decision: 'recorded', policyId: policy.id, policyVersion: 1 });
  await sleep(300);
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  const rec = await closedRecording(w, callId);
  expect(agentLegs(w, rec.id).map((l) => l.agent)).toEqual(['a1010']);
  expect(rec.duration_ms).toBeGreaterThan(200);
});
