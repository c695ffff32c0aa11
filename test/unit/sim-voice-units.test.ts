/**
 * The simulated switch's voice units without sockets: message ids and their lengths, WAV headers
 * and conversion, the voice settings' validation, the heard log's retention, and the model with
 * its voice units: the PlayMessage duration limit, a port transferred away mid-play, Stop naming a
 * queued message, a PlayMessage the switch cannot decode, a request to a switch without voice units.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { CstaMessage, MessageOf } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { errorAnswerFor, decodeMessage } from '../../src/pbx-adapters/csta/protocol/codec.ts';
import { resolveSimConfig, SimConfigError, type SimConfig } from '../../src/pbx-adapters/oxo-sim/config.ts';
import type { EventMessage, Output } from '../../src/pbx-adapters/oxo-sim/core.ts';
import { HeardLog, MAX_ENDED_CALLS, RETAIN_MS } from '../../src/pbx-adapters/oxo-sim/heard-log.ts';
import { SwitchModel, type ModelRequest } from '../../src/pbx-adapters/oxo-sim/switch-model.ts';
import { estimateSpeechMs, parseMessageId } from '../../src/pbx-adapters/oxo-sim/voice-messages.ts';
import { VoiceUnits } from '../../src/pbx-adapters/oxo-sim/voice-units.ts';
import { decodeTo8kMono, encodeWav, hash, parseWavHeader, tone, voiceLike, voiceSamples, WavError } from '../../src/pbx-adapters/oxo-sim/wav.ts';

const dir = mkdtempSync(join(tmpdir(), 'voice-unit-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('message ids', () => {
  const parse = (id: string, text?: string) => parseMessageId({ id, bargeIn: false, promptDurationsMs: { hi: 800 }, ...(text !== undefined ? { text } : {}) });
  it('each scheme and its length', () => {
    expect(parse('prompt:hi')).toMatchObject({ kind: 'prompt', ref: 'hi', nominalMs: 800 });
    expect(parse('prompt:other')).toMatchObject({ kind: 'prompt', nominalMs: 1500 });
    expect(parse('tts:a', 'Hi')).toMatchObject({ kind: 'tts', ref: 'a', text: 'Hi', nominalMs: 400 });
    expect(parse('tts:b', 'Hi there.')).toMatchObject({ nominalMs: 7 * 65 + 200 });
    expect(parse('tone:beep')).toMatchObject({ kind: 'tone', nominalMs: 300 });
    expect(parse('silence:250')).toMatchObject({ kind: 'silence', nominalMs: 250 });
    expect(parse('music')).toMatchObject({ kind: 'music', nominalMs: null });
  });
  it('speech length: 220 ms per CJK character, 65 ms per letter or digit, 200 ms per pause mark, at least 400 ms', () => {
    expect(estimateSpeechMs('您好')).toBe(440);
    expect(estimateSpeechMs('您好，欢迎')).toBe(4 * 220 + 200);
    expect(estimateSpeechMs('Your balance is 12 yuan')).toBe(19 * 65);
    expect(estimateSpeechMs('ok')).toBe(400);
  });
  it('refused: unknown scheme, no scheme, tts without text, bad silence, a relative or missing file', () => {
    for (const id of ['x:y', 'hello', 'tts:a', 'silence:abc', 'silence:700000', 'prompt:', 'file:a.wav', 'tone:siren']) {
      expect(() => parse(id), id).toThrow(expect.objectContaining({ value: 'invalidParameterValue' }));
    }
    expect(() => parse(`file:${join(dir, 'nope.wav')}`)).toThrow(expect.objectContaining({ value: 'invalidFile' }));
  });
});

describe('WAV', () => {
  it('header of a file we write; 16 kHz stereo converted to 8 kHz mono; formats refused', () => {
    const wav = encodeWav(tone(250, 440));
    expect(parseWavHeader(wav)).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16, dataOffset: 44, dataBytes: 4000, durationMs: 250 });
    const stereo16k = Buffer.from(wav);
    stereo16k.writeUInt16LE(2, 22); // 2 channels at 16 kHz: 1000 frames → 62.5 ms, 500 samples at 8 kHz
    stereo16k.writeUInt32LE(16000, 24);
    expect(decodeTo8kMono(stereo16k)).toHaveLength(500);
    const cd = Buffer.from(wav);
    cd.writeUInt32LE(44100, 24);
    expect(() => parseWavHeader(cd)).toThrow(WavError);
    const alaw = Buffer.from(wav);
    alaw.writeUInt16LE(6, 20);
    expect(() => parseWavHeader(alaw)).toThrow(/not PCM/);
    expect(() => parseWavHeader(Buffer.from('RIFF....WAVEjunk'))).toThrow(/no data chunk/);
    // a data size that runs past the end of the file is cut to what is there
    const lying = Buffer.from(wav);
    lying.writeUInt32LE(1_000_000, 40);
    expect(parseWavHeader(lying).dataBytes).toBe(4000);
  });
});

describe('recorded voices', () => {
  it('a voice read from its tables is the voice by the formula (to one step of rounding), at any offset', () => {
    for (const [seed, offset, ms] of [['13900000001', 0, 1000], ['a1001', 71_500, 500], ['2001', 72_000 * 3 + 17, 12_000], ['x', 5, 0]] as const) {
      const copied = voiceLike(ms, seed, offset);
      const computed = voiceSamples(hash(seed), copied.length, offset);
      expect(copied.length).toBe(ms * 8);
      let worst = 0;
      for (let i = 0; i < copied.length; i++) worst = Math.max(worst, Math.abs(copied[i]! - computed[i]!));
      expect(worst, seed).toBeLessThanOrEqual(1);
    }
    // Two callers still sound different.
    expect(voiceLike(200, '13900000001')).not.toEqual(voiceLike(200, '13900000002'));
  });
});

describe('voice settings', () => {
  it('are validated with the rest of the configuration', () => {
    expect(resolveSimConfig({ voiceTimeScale: 10, promptDurationsMs: { welcome: 2000 }, recordingsDir: '/tmp/x' })).toMatchObject({ voiceTimeScale: 10, recordingsDir: '/tmp/x' });
    const bad = () => resolveSimConfig({ voiceTimeScale: 0, promptDurationsMs: { 'a b': 10, ok: -1 }, recordingsDir: 5 } as unknown as Partial<SimConfig>);
    expect(bad).toThrow(SimConfigError);
    try {
      bad();
    } catch (err) {
      expect((err as SimConfigError).problems.join('\n')).toMatch(/voiceTimeScale[\s\S]*recordingsDir[\s\S]*"a b"[\s\S]*promptDurationsMs\.ok/);
    }
  });
});

describe('heard log', () => {
  it('kept 10 minutes after the call ended, at most MAX_ENDED_CALLS ended calls', () => {
    let now = 1_000_000;
    const log = new HeardLog(() => now);
    const item = () => ({ at: now, port: '8100', kind: 'prompt' as const, durationMs: 100, nominalMs: 100, scale: 1 });
    log.add('c1', item());
    log.end('c1');
    now += RETAIN_MS - 1;
    expect(log.view('c1')).toHaveLength(1);
    now += 1;
    expect(log.view('c1')).toBeUndefined();
    for (let i = 0; i < MAX_ENDED_CALLS + 5; i++) {
      log.add(`k${i}`, item());
      log.end(`k${i}`);
    }
    expect(log.size).toBe(MAX_ENDED_CALLS);
    expect(log.has('k0')).toBe(false);
    expect(log.has(`k${MAX_ENDED_CALLS + 4}`)).toBe(true);
  });
});

function harness(cfg: Partial<SimConfig> = {}) {
  const out: Output[] = [];
  let voice: VoiceUnits | null = null;
  const model = new SwitchModel(resolveSimConfig(cfg), {
    sink: (o) => {
      if (o.kind === 'notice') voice?.onNotice(o.notice);
      out.push(o);
    },
    callIdSeed: 700,
  });
  voice = new VoiceUnits({ core: model.core, logger: pino({ level: 'silent' }), recordingsDir: dir });
  model.voice = voice;
  const monitors = new Map<string, string>();
  const req = (m: ModelRequest): CstaMessage | null => model.request('L1', m);
  for (const d of ['8100', '2001']) {
    const r = req({ type: 'MonitorStart', deviceId: d }) as MessageOf<'MonitorStartResponse'>;
    monitors.set(r.monitorCrossRefId, d);
  }
  const voiceEvents = () =>
    out.flatMap((o) => {
      const m = o.kind === 'event' ? (o.message as EventMessage) : null;
      if (!m || !['PlayEvent', 'StopEvent', 'RecordEvent'].includes(m.type)) return [];
      const x = m as MessageOf<'StopEvent'>;
      return [`${m.type}@${monitors.get(m.monitorCrossRefId)} ${x.message}${x.cause ? ` ${x.cause}` : ''}`];
    });
  const flush = () => {
    const r = voiceEvents();
    out.splice(0);
    return r;
  };
  return { model, voice: voice as VoiceUnits, req, flush };
}

const until = async (pred: () => boolean) => {
  const deadline = Date.now() + 3000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('voice units in the model', () => {
  it('PlayMessage duration cuts a message short (durationExceeded); Stop naming a queued message removes only it', async () => {
    const h = harness({ voiceTimeScale: 10, promptDurationsMs: { long: 60_000, a: 500, b: 500 } });
    const callId = h.model.placeCall('0611223344', '8100');
    h.flush();
    const conn = { callId, deviceId: '8100' };
    expect(h.req({ type: 'PlayMessage', messageToBePlayed: 'prompt:long', overConnection: conn, duration: 1000 })).toEqual({ type: 'PlayMessageResponse' });
    h.req({ type: 'PlayMessage', messageToBePlayed: 'prompt:a', overConnection: conn });
    h.req({ type: 'PlayMessage', messageToBePlayed: 'prompt:b', overConnection: conn });
    expect(h.req({ type: 'Stop', connection: conn, messageToBeStopped: 'prompt:a' })).toEqual({ type: 'StopResponse' });
    const seen: string[] = [];
    await until(() => (seen.push(...h.flush()), seen.length >= 4));
    expect(seen).toEqual(['PlayEvent@8100 prompt:long', 'StopEvent@8100 prompt:long durationExceeded', 'PlayEvent@8100 prompt:b', 'StopEvent@8100 prompt:b endOfMessageDetected']);
    expect(h.voice.heard.view(callId)!.map((i) => [i.ref, i.durationMs])).toEqual([['long', 1000], ['b', 500]]);
  });

  it('the port transfers the caller away mid-play: StopEvent normalClearing to the port, nothing left running', () => {
    const h = harness({ promptDurationsMs: { long: 60_000 } });
    const callId = h.model.placeCall('0611223344', '8100');
    h.req({ type: 'PlayMessage', messageToBePlayed: 'prompt:long', overConnection: { callId, deviceId: '8100' }, termination: ['dTMFDigitDetected'] });
    h.flush();
    expect(h.req({ type: 'SingleStepTransferCall', activeCall: { callId, deviceId: '8100' }, transferredTo: '2001' })).toMatchObject({ type: 'SingleStepTransferCallResponse' });
    expect(h.flush()).toEqual(['StopEvent@8100 prompt:long normalClearing']);
    expect(h.voice.active).toEqual({ timers: 0, units: 0 });
    expect(h.voice.heard.view(callId)![0]).toMatchObject({ interruptedBy: 'hangup' });
    // the caller is now at 2001, an extension: no voice unit plays there
    expect(h.req({ type: 'PlayMessage', messageToBePlayed: 'tone:beep', overConnection: { callId, deviceId: '2001' } })).toMatchObject({ type: 'CSTAErrorCode', error: { value: 'invalidConnectionID' } });
  });

  it('a PlayMessage without its connection is answered invalidParameterValue; a switch without voice units answers serviceNotSupported', () => {
    const bad = '<PlayMessage><messageToBePlayed>prompt:x</messageToBePlayed></PlayMessage>';
    let err: unknown;
    try {
      decodeMessage(bad);
    } catch (e) {
      err = e;
    }
    expect(errorAnswerFor(err)).toEqual({ type: 'CSTAErrorCode', error: { category: 'operation', value: 'invalidParameterValue' } });
    const model = new SwitchModel(resolveSimConfig({}), { sink: () => {} });
    const callId = model.placeCall('0611223344', '8100');
    expect(model.request('L1', { type: 'PlayMessage', messageToBePlayed: 'tone:beep', overConnection: { callId, deviceId: '8100' } })).toEqual({
      type: 'CSTAErrorCode', error: { category: 'operation', value: 'serviceNotSupported' },
    });
  });

  it('a queued caller taken to an agent: the music just ends (not interrupted), nothing left running', () => {
    const h = harness();
    const callId = h.model.placeCall('0611223344', '8900');
    expect(h.req({ type: 'DeflectCall', callToBeDiverted: { callId, deviceId: '8900' }, newDestination: '2001' })).toEqual({ type: 'DeflectCallResponse' });
    const heard = h.voice.heard.view(callId)!;
    expect(heard.map((i) => [i.kind, i.port, i.interruptedBy])).toEqual([['music', '8900', undefined]]);
    expect(h.voice.active).toEqual({ timers: 0, units: 0 });
    expect(h.flush()).toEqual([]);
  });
});
