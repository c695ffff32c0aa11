/**
 * The switch refuses RecordMessage (here: its recordings folder cannot be written): the recording's
 * row is marked failed, the call goes on as if nothing happened (answered, talked, held, hung up,
 * its row closed), and pausing it answers INVALID_STATE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { answeredCall, callRow, closedRecording, sleep } from '../helpers/recording-capture.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
const dir = join(mkdtempSync(join(tmpdir(), 'switchboard-rec-')), 'switch-recordings');
beforeAll(async () => {
  w = await startWorld({ sim: { recordingsDir: dir } });
  // The switch's recordings folder becomes a file: every RecordMessage is refused.
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(dir, 'not a folder');
});
afterAll(async () => {
  await w?.close();
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

it('RecordMessage refused: the row is failed, the call unaffected', async () => {
  const a = await w.readyAgent('a1001');
  const { callId, simCallId } = await answeredCall(w, a, '13900000201', '8000');
  const rec = await closedRecording(w, callId, 'failed');
  expect(rec).toMatchObject({ status: 'failed', sha256: null, bytes: null });
  expect(rec.ended_at).toBeGreaterThanOrEqual(rec.started_at);
  expect(callRow(w, callId)).toMatchObject({ decision: 'recorded' });
  expect((await a.request('recording.pause', { callId })).error?.code).toBe('INVALID_STATE');

  await a.call('call.hold', { callId });
  await a.waitFor('call.held', (d) => d.callId === callId);
  await a.call('call.retrieve', { callId });
  await sleep(100);
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  const row = await eventually(() => {
    const r = w.daemon.storage.repos.calls.get(callId);
    return r?.endedAt ? r : null;
  });
  expect(row).toMatchObject({ outcome: 'answered', agents: ['a1001'] });
});
