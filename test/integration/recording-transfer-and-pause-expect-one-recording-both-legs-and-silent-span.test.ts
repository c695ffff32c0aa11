/**
 * Capture over the simulator with the real daemon: a call consulted and transferred from one
 * agent to another has ONE recording with both agents' legs; a pause and resume over WebSocket
 * store the span and the WAV is silent there (RMS ≈ 0) and audible around it; a pause left open
 * resumes by itself after RECORDING_PAUSE_MAX_S; a call not recorded answers INVALID_STATE.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentLegs, answeredCall, callRow, closedRecording, pauses, rms, sleep } from '../helpers/recording-capture.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld({ config: { recordingPauseMaxS: 1 } });
});
afterAll(async () => w?.close());

it('consulted and transferred: a single recording with both agents\' legs, the file whole', async () => {
  const a = await w.readyAgent('a1001');
  const { callId, simCallId } = await answeredCall(w, a, '13900000101', '8000');
  const b = await w.login('a1002');
  await b.call('agent.signIn', { extension: '2002' });
  await sleep(200);
  const { callId: consultId } = await a.call('call.consult', { callId, to: '2002' });
  const offered = await b.waitFor('call.offered', (d) => d.callId === consultId);
  await b.call('call.answer', { callId: offered.data.callId });
  await a.waitFor('call.established', (d) => d.callId === consultId);
  await a.call('call.transfer', { callId, consultCallId: consultId });
  await b.waitFor('call.transferred', (d) => d.callId === callId);
  await sleep(300);
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);

  const rec = await closedRecording(w, callId);
  const legs = agentLegs(w, rec.id);
  expect(legs.map((l) => [l.agent, l.extension])).toEqual([
    ['a1001', '2001'],
    ['a1002', '2002'],
  ]);
  expect(legs[0].toMs).toBeGreaterThanOrEqual(legs[1].fromMs - 50);
  expect(legs[1].toMs).toBeGreaterThan(legs[1].fromMs);
  expect(rec.duration_ms).toBeGreaterThanOrEqual(legs[1].toMs - 150);
  // The consultation was not recorded on its own.
  expect(w.daemon.storage.sqlite.prepare('SELECT count(*) AS n FROM recordings WHERE call_id = ?').get(consultId)).toEqual({ n: 0 });
  await a.call('agent.signOut', {});
  await b.call('agent.signOut', {});
});

it('pause and resume: the span is stored, the WAV is silent there and audible around it', async () => {
  const a = await w.readyAgent('a1003');
  const { callId, simCallId } = await answeredCall(w, a, '13900000102', '8000');
  await sleep(600);
  const paused = await a.call('recording.pause', { callId });
  expect(paused).toMatchObject({ callId });
  const ev = await a.waitFor('recording.paused', (d) => d.callId === callId);
  expect(ev.data.at).toBe(paused.at);
  await sleep(700);
  const resumed = await a.call('recording.resume', { callId });
  await a.waitFor('recording.resumed', (d) => d.callId === callId);
  expect(Date.parse(resumed.at)).toBeGreaterThan(Date.parse(paused.at));
  await sleep(600);
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);

  const rec = await closedRecording(w, callId);
  const [span] = pauses(w, rec.id);
  expect(span).toMatchObject({ by: 'a1003' });
  expect(span.toMs - span.fromMs).toBeGreaterThan(600);
  expect(rec.duration_ms).toBeGreaterThan(span.toMs + 400);
  const wav = readFileSync(rec.path);
  // 60 ms margins: the daemon's clock and the switch's read "now" a few ms apart.
  expect(rms(wav, span.fromMs + 60, span.toMs - 60)).toBeLessThan(1);
  expect(rms(wav, 0, span.fromMs - 60)).toBeGreaterThan(100);
  expect(rms(wav, span.toMs + 60, rec.duration_ms)).toBeGreaterThan(100);
  await a.call('agent.signOut', {});
});

it('a pause left open resumes by itself after RECORDING_PAUSE_MAX_S; not recorded → INVALID_STATE', async () => {
  const a = await w.readyAgent('a1004');
  const { callId, simCallId } = await answeredCall(w, a, '13900000103', '8000');
  await sleep(200);
  await a.call('recording.pause', { callId });
  const back = await a.waitFor('recording.resumed', (d) => d.callId === callId, 4000);
  expect(Date.parse(back.data.at)).toBeGreaterThan(0);
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  const rec = await closedRecording(w, callId);
  const [span] = pauses(w, rec.id);
  expect(span.by).toBe('a1004');
  expect(span.toMs - span.fromMs).toBeGreaterThanOrEqual(950);

  const plain = await answeredCall(w, a, '13900000104', '2004');
  await eventually(() => (callRow(w, plain.callId)?.decision === 'noPolicy' ? true : null));
  const refused = await a.request('recording.pause', { callId: plain.callId });
  expect(refused.error?.code).toBe('INVALID_STATE');
  const other = await w.login('a1005');
  expect((await other.request('recording.pause', { callId: plain.callId })).error?.code).toBe('FORBIDDEN');
  await w.simApi('POST', `/sim/calls/${plain.simCallId}/hangup`);
});
