/**
 * Replay by phone on 8009 (shared/spec/recordings.md), over the real daemon and the simulated
 * switch: two calls of a1001 are recorded (queue sales), then a QA user calls 8009, presses *,
 * keys phone id and PIN, the agent's digits, today (#) and the whole day (#). The switch plays the
 * two recordings' own files, newest first (the heard log names them); 2 repeats; each play is an
 * access-ledger row `phone` via `phone`. Three refusals clear the call, each a `denied` row. And an
 * IVR node marked sensitive (the verify flow's PIN) pauses the call's recording while the caller
 * keys it: the span is stored, by `ivr`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { heard, ivrWorld, press, waitGone, waitHeard } from '../helpers/ivr.ts';
import { answeredCall, closedRecording, pauses, sleep } from '../helpers/recording-capture.ts';
import { eventually, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await ivrWorld();
}, 60_000);
afterAll(async () => w?.close());

interface LedgerRow {
  user: string;
  recordingId: string | null;
  action: string;
  via: string;
}

function ledger(since: number): LedgerRow[] {
  return w.daemon.storage.sqlite.prepare('SELECT user, recording_id AS recordingId, action, via FROM access_ledger WHERE seq > ? ORDER BY seq').all(since) as LedgerRow[];
}

function lastSeq(): number {
  return (w.daemon.storage.sqlite.prepare('SELECT coalesce(max(seq), 0) AS s FROM access_ledger').get() as { s: number }).s;
}

/** The files the caller heard, in order. */
async function filesHeard(sim: string): Promise<string[]> {
  return (await heard(w, sim)).filter((i) => i.kind === 'file').map((i) => i.ref ?? '');
}

/** Dials 8009 and signs in with phone id and PIN. */
async function signIn(sim: string, phoneId: string, pin: string): Promise<void> {
  await waitHeard(w, sim, '请按星号键开始');
  await press(w, sim, '*');
  await waitHeard(w, sim, '请输入您的回放工号');
  await press(w, sim, `${phoneId}#`);
  await waitHeard(w, sim, '请输入您的密码');
  await press(w, sim, `${pin}#`);
}

it('qa1 replays today\'s recordings of a1001: the files newest first, 2 repeats, each play a ledger row', async () => {
  const agent = await w.readyAgent('a1001');
  const recordings = [];
  for (const caller of ['13900000301', '13900000302']) {
    const { callId, simCallId } = await answeredCall(w, agent, caller, '8000');
    await sleep(300);
    await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
    recordings.push(await closedRecording(w, callId));
  }
  await agent.call('agent.signOut', {});
  const [older, newer] = recordings;
  const since = lastSeq();

  const sim = await w.dial('13900000399', '8009');
  await signIn(sim, '7001', '2468');
  await waitHeard(w, sim, '请输入座席工号中的数字');
  await press(w, sim, '1001#');
  await waitHeard(w, sim, '请输入日期');
  await press(w, sim, '#');
  await waitHeard(w, sim, '请输入开始的小时');
  await press(w, sim, '#');
  // Both recordings play through, newest first, then the end of the list.
  await waitHeard(w, sim, '以上是全部录音');
  expect(await filesHeard(sim)).toEqual([newer.path, older.path]);
  // 2: the last one again.
  await press(w, sim, '2');
  await waitHeard(w, sim, '以上是全部录音', 2);
  expect(await filesHeard(sim)).toEqual([newer.path, older.path, older.path]);
  const texts = (await heard(w, sim)).map((i) => i.text ?? '');
  expect(texts.filter((t) => t.includes('条录音'))).toHaveLength(3);
  expect(texts.filter((t) => t.includes('播放录音时'))).toHaveLength(1);
  await w.simApi('POST', `/sim/calls/${sim}/hangup`);

  expect(ledger(since)).toEqual([
    { user: 'qa1', recordingId: newer.id, action: 'phone', via: 'phone' },
    { user: 'qa1', recordingId: older.id, action: 'phone', via: 'phone' },
    { user: 'qa1', recordingId: older.id, action: 'phone', via: 'phone' },
  ]);
});

it('three refusals (wrong PIN, unknown id, another user\'s PIN) clear the call; each is a denied row', async () => {
  const since = lastSeq();
  const sim = await w.dial('13900000398', '8009');
  await signIn(sim, '7001', '1111');
  await waitHeard(w, sim, '工号或密码不正确');
  await waitHeard(w, sim, '请输入您的回放工号', 2);
  await press(w, sim, '7999#');
  await waitHeard(w, sim, '请输入您的密码', 2);
  await press(w, sim, '2468#');
  await waitHeard(w, sim, '工号或密码不正确', 2);
  await waitHeard(w, sim, '请输入您的回放工号', 3);
  await press(w, sim, '7002#');
  await waitHeard(w, sim, '请输入您的密码', 3);
  await press(w, sim, '2468#');
  await waitHeard(w, sim, '错误次数过多');
  await waitGone(w, sim);
  expect(await filesHeard(sim)).toEqual([]);
  expect(ledger(since)).toEqual([
    { user: 'qa1', recordingId: null, action: 'denied', via: 'phone' },
    { user: 'phone:7999', recordingId: null, action: 'denied', via: 'phone' },
    { user: 'sup1', recordingId: null, action: 'denied', via: 'phone' },
  ]);
});

it('an agent on a recorded call sends the caller to verify: the PIN is keyed while the recording is paused', async () => {
  // 13800000001 is the VIP customer whose preferred agent is a1001 (and whose PIN is 246810).
  const agent = await w.readyAgent('a1001');
  const { callId, simCallId } = await answeredCall(w, agent, '13800000001', '8000');
  await sleep(300);
  const mark = agent.events.length;
  await agent.call('call.toIvr', { callId, flow: 'verify' });
  await waitHeard(w, simCallId, '请输入六位密码');
  // The pause reaches the switch as the node starts; the PIN is keyed once it is there.
  await eventually(() => w.daemon.storage.sqlite.prepare("SELECT 1 FROM recording_pauses p JOIN recordings r ON r.id = p.recording_id WHERE r.call_id = ? AND p.by = 'ivr'").get(callId));
  await press(w, simCallId, '246810#');
  await agent.waitFor('call.offered', (d) => d.callId === callId, 8000, mark);
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  const rec = await closedRecording(w, callId);
  const spans = pauses(w, rec.id);
  expect(spans).toHaveLength(1);
  expect(spans[0]).toMatchObject({ by: 'ivr' });
  // Closed when the flow moved on (not left open to the end of the call).
  expect(spans[0].toMs).toBeGreaterThan(spans[0].fromMs);
  expect(spans[0].toMs).toBeLessThan(rec.duration_ms);
  await agent.call('agent.signOut', {});
});
