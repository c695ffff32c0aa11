/**
 * The simulated switch records a whole call over the outside party's connection (the recording a
 * CTI asks for to follow a call) and pauses it with Suspend / Resume: events to the monitors of
 * the devices in the call, silence in the file for the paused span, refusals in the wrong state,
 * the recording ended with the call and nothing left running.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import type { CstaMessage, MessageOf } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { resolveSimConfig } from '../../src/pbx-adapters/oxo-sim/config.ts';
import type { EventMessage, Output } from '../../src/pbx-adapters/oxo-sim/core.ts';
import { SwitchModel, type ModelRequest } from '../../src/pbx-adapters/oxo-sim/switch-model.ts';
import { VoiceUnits } from '../../src/pbx-adapters/oxo-sim/voice-units.ts';
import { rms, sleep } from '../helpers/recording-capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-call-recording-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function harness() {
  const out: Output[] = [];
  let voice: VoiceUnits | null = null;
  const model = new SwitchModel(resolveSimConfig({}), {
    sink: (o) => {
      if (o.kind === 'notice') voice?.onNotice(o.notice);
      out.push(o);
    },
    callIdSeed: 900,
  });
  voice = new VoiceUnits({ core: model.core, logger: pino({ level: 'silent' }), recordingsDir: dir });
  model.voice = voice;
  const monitors = new Map<string, string>();
  const req = (m: ModelRequest): CstaMessage | null => model.request('L1', m);
  for (const d of ['2001', '2002']) {
    const r = req({ type: 'MonitorStart', deviceId: d }) as MessageOf<'MonitorStartResponse'>;
    monitors.set(r.monitorCrossRefId, d);
  }
  const flush = () => {
    const r = out.flatMap((o) => {
      const m = o.kind === 'event' ? (o.message as EventMessage) : null;
      if (!m || !['StopEvent', 'RecordEvent', 'SuspendRecordEvent'].includes(m.type)) return [];
      return [`${m.type}@${monitors.get(m.monitorCrossRefId)}`];
    });
    out.splice(0);
    return r;
  };
  return { model, voice: voice as VoiceUnits, req, flush };
}

it('RecordMessage over the caller\'s connection records the call; Suspend/Resume write silence; the call ending ends it', async () => {
  const h = harness();
  const callId = h.model.placeCall('13900000001', '2001');
  h.req({ type: 'AnswerCall', callToBeAnswered: { callId, deviceId: '2001' } });
  h.flush();
  const caller = { callId, deviceId: '13900000001' };
  // The switch's clock around each request: the silence written is exactly the paused span by that
  // clock, wherever a loaded machine lets the sleeps end.
  const clock = h.model.core.clock;
  const t0a = clock();
  const r = h.req({ type: 'RecordMessage', callToBeRecorded: caller, maxDuration: 60_000 }) as MessageOf<'RecordMessageResponse'>;
  expect(r.type).toBe('RecordMessageResponse');
  const t0b = clock();
  const path = r.resultingMessage;
  expect(h.flush()).toEqual(['RecordEvent@2001']);
  await sleep(300);
  const tSa = clock();
  expect(h.req({ type: 'Suspend', connection: caller, message: path })).toEqual({ type: 'SuspendResponse' });
  const tSb = clock();
  expect(h.flush()).toEqual(['SuspendRecordEvent@2001']);
  expect(h.req({ type: 'Suspend', connection: caller })).toMatchObject({ type: 'CSTAErrorCode', error: { value: 'invalidConnectionState' } });
  expect(h.req({ type: 'Suspend', connection: caller, message: '/other.wav' })).toMatchObject({ type: 'CSTAErrorCode', error: { value: 'invalidConnectionState' } });
  await sleep(400);
  const tRa = clock();
  expect(h.req({ type: 'Resume', connection: caller, messageToResume: path })).toEqual({ type: 'ResumeResponse' });
  const tRb = clock();
  expect(h.flush()).toEqual(['RecordEvent@2001']);
  expect(h.req({ type: 'Resume', connection: caller })).toMatchObject({ type: 'CSTAErrorCode', error: { value: 'invalidConnectionState' } });
  await sleep(300);
  h.req({ type: 'ClearConnection', connectionToBeCleared: { callId, deviceId: '2001' } });
  expect(h.flush()).toEqual(['StopEvent@2001']);
  expect(h.voice.active).toEqual({ timers: 0, units: 0 });

  const wav = readFileSync(path);
  const ms = (wav.length - 44) / 16;
  expect(ms).toBeGreaterThan(950);
  const silent = [tSb - t0a + 5, tRa - t0b - 5];
  expect(silent[1]! - silent[0]!).toBeGreaterThan(300);
  expect(rms(wav, silent[0]!, silent[1]!)).toBe(0);
  expect(rms(wav, 0, tSa - t0b - 5)).toBeGreaterThan(100);
  expect(rms(wav, tRb - t0a + 5, ms)).toBeGreaterThan(100);
  // Nothing records there any more.
  expect(h.req({ type: 'Suspend', connection: caller })).toMatchObject({ type: 'CSTAErrorCode' });
});
