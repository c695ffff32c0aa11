/**
 * Voice units over the CSTA link, both ends: the product's CSTA adapter (CstaPbx) drives the
 * simulated switch's IVR ports and queue devices over real TCP. A prompt, a WAV file and
 * synthesised text play (PlayEvent, then StopEvent endOfMessageDetected) and reach the heard log;
 * a key stops a barge-in play and drops what was queued behind it; a play without barge-in goes
 * on; plays queue in order; Stop; a caller hanging up mid-play (StopEvent normalClearing, nothing
 * left running); a queue device announcing between music; the heard audio as one WAV; message ids
 * the switch cannot play are refused with a CSTAErrorCode.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PbxError } from '../../src/core/pbx-port.ts';
import { encodeWav, parseWavHeader, tone } from '../../src/pbx-adapters/oxo-sim/wav.ts';
import { heardOf, voiceWorld, type VoiceWorld } from '../helpers/voice-sim.ts';

const dir = mkdtempSync(join(tmpdir(), 'voice-play-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 16 kHz mono 16-bit WAV of `ms` (the switch accepts 8 and 16 kHz). */
function wav16k(name: string, ms: number): string {
  const at8k = tone(ms, 440);
  const samples = new Int16Array(at8k.length * 2);
  for (let i = 0; i < at8k.length; i++) samples[2 * i] = samples[2 * i + 1] = at8k[i]!;
  const buf = encodeWav(samples);
  buf.writeUInt32LE(16000, 24);
  buf.writeUInt32LE(32000, 28);
  const path = join(dir, name);
  writeFileSync(path, buf);
  return path;
}

let w: VoiceWorld | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

async function world(scale = 10): Promise<VoiceWorld> {
  w = await voiceWorld({ voiceTimeScale: scale, promptDurationsMs: { welcome: 1200, menu: 4000, long: 60000 } });
  return w;
}

async function callAtPort(v: VoiceWorld, port = '8100'): Promise<{ callId: string; conn: { callId: string; deviceId: string } }> {
  const callId = await v.dial(port);
  await v.next('established', (e) => e.callId === callId && e.deviceId === port);
  return { callId, conn: { callId, deviceId: port } };
}

describe('voice units: plays on an IVR port', () => {
  it('a prompt, a WAV file and synthesised text play in turn: PlayEvent then StopEvent endOfMessage, and the heard log says what the caller heard', async () => {
    const v = await world();
    const { callId, conn } = await callAtPort(v);
    const file = wav16k('hello.wav', 700);
    await v.pbx.playMessage({ conn, message: 'prompt:welcome', bargeIn: false });
    await v.pbx.playMessage({ conn, message: `file:${file}`, bargeIn: false });
    await v.pbx.playMessage({ conn, message: 'tts:greet-1', bargeIn: false, text: '您好，欢迎致电', lang: 'zh-CN' });
    await v.pbx.playMessage({ conn, message: `file:${file}`, bargeIn: false, text: 'Hello there', lang: 'en-US' });
    for (const message of ['prompt:welcome', `file:${file}`, 'tts:greet-1', `file:${file}`]) {
      const started = await v.next('voicePlaying');
      expect(started).toMatchObject({ callId, deviceId: '8100', message, monitoredDevice: '8100' });
      const stopped = await v.next('voiceStopped');
      expect(stopped).toMatchObject({ callId, deviceId: '8100', message, cause: 'endOfMessage' });
    }
    const heard = await heardOf(v, callId);
    expect(heard.map((h) => [h.kind, h.ref, h.durationMs, h.interruptedBy])).toEqual([
      ['prompt', 'welcome', 1200, undefined],
      ['file', file, 700, undefined],
      ['tts', 'greet-1', 6 * 220 + 200, undefined],
      ['tts', file, 700, undefined],
    ]);
    expect(heard[2]).toMatchObject({ port: '8100', text: '您好，欢迎致电', lang: 'zh-CN' });
    expect(heard[3]).toMatchObject({ text: 'Hello there', lang: 'en-US' });
    expect(Date.parse(heard[0]!.at)).toBeLessThanOrEqual(Date.parse(heard[1]!.at));

    // What the caller heard, as one WAV: its length is the sum of the heard durations (±1 frame per item).
    const audio = await v.raw(`/sim/calls/${callId}/audio`);
    expect(audio.status).toBe(200);
    expect(audio.type).toMatch(/^audio\/wav/);
    const info = parseWavHeader(audio.bytes);
    expect(info).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    const samples = info.dataBytes / 2;
    const expected = heard.reduce((a, h) => a + h.durationMs * 8, 0);
    expect(Math.abs(samples - expected)).toBeLessThanOrEqual(heard.length);
    // the file's own samples are in it (a 440 Hz tone, not silence)
    const fileAt = (1200 * 8) * 2 + info.dataOffset;
    expect(audio.bytes.subarray(fileAt, fileAt + 800).some((b) => b !== 0)).toBe(true);
  });

  it('barge-in: the key stops the play (after its DtmfDetectedEvent) and drops the plays queued behind it; the next play starts at once', async () => {
    const v = await world();
    const { callId, conn } = await callAtPort(v);
    await v.pbx.playMessage({ conn, message: 'prompt:long', bargeIn: true });
    await v.pbx.playMessage({ conn, message: 'prompt:menu', bargeIn: true });
    await v.next('voicePlaying', (e) => e.message === 'prompt:long');
    expect((await v.http('POST', `/sim/calls/${callId}/digits`, { digits: '5' })).status).toBe(200);
    const digit = await v.next('digits', (e) => e.monitoredDevice === '8100');
    const stopped = await v.next('voiceStopped');
    expect(digit).toMatchObject({ callId, digits: '5' });
    expect(stopped).toMatchObject({ message: 'prompt:long', cause: 'dtmf' });
    expect(v.events.indexOf(digit)).toBeLessThan(v.events.indexOf(stopped));
    expect(stopped.lengthMs).toBeLessThan(60000);
    // prompt:menu was dropped: the next play to start is the one asked for now
    await v.pbx.playMessage({ conn, message: 'tone:beep', bargeIn: false });
    expect(await v.next('voicePlaying')).toMatchObject({ message: 'tone:beep' });
    expect(await v.next('voiceStopped')).toMatchObject({ message: 'tone:beep', cause: 'endOfMessage', lengthMs: 300 });
    const heard = await heardOf(v, callId);
    expect(heard.map((h) => [h.kind, h.ref, h.interruptedBy])).toEqual([['prompt', 'long', '5'], ['tone', 'beep', undefined]]);
    expect(heard[0]!.durationMs).toBe(stopped.lengthMs);
  });

  it('a play without barge-in is not stopped by a key: the key is reported, the play runs to its end', async () => {
    const v = await world();
    const { callId, conn } = await callAtPort(v);
    await v.pbx.playMessage({ conn, message: 'prompt:menu', bargeIn: false });
    await v.next('voicePlaying');
    await v.http('POST', `/sim/calls/${callId}/digits`, { digits: '1' });
    await v.next('digits', (e) => e.monitoredDevice === '8100' && e.digits === '1');
    expect(await v.next('voiceStopped')).toMatchObject({ message: 'prompt:menu', cause: 'endOfMessage', lengthMs: 4000 });
    expect((await heardOf(v, callId))[0]).toMatchObject({ kind: 'prompt', durationMs: 4000 });
    expect((await heardOf(v, callId))[0]!.interruptedBy).toBeUndefined();
  });

  it('plays on one connection queue and play in order (silence and a beep among them)', async () => {
    const v = await world();
    const { callId, conn } = await callAtPort(v);
    const ids = ['prompt:welcome', 'silence:500', 'tone:beep', 'prompt:menu'];
    for (const message of ids) await v.pbx.playMessage({ conn, message, bargeIn: false });
    const order: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      order.push(`play ${(await v.next('voicePlaying')).message}`);
      order.push(`stop ${(await v.next('voiceStopped')).message}`);
    }
    expect(order).toEqual(ids.flatMap((m) => [`play ${m}`, `stop ${m}`]));
    expect((await heardOf(v, callId)).map((h) => [h.kind, h.durationMs])).toEqual([['prompt', 1200], ['silence', 500], ['tone', 300], ['prompt', 4000]]);
  });

  it('Stop ends the current play (earlyStop) and what waits behind it; music plays until stopped', async () => {
    const v = await world();
    const { callId, conn } = await callAtPort(v);
    await v.pbx.playMessage({ conn, message: 'music', bargeIn: false });
    await v.pbx.playMessage({ conn, message: 'prompt:welcome', bargeIn: false });
    await v.next('voicePlaying', (e) => e.message === 'music');
    await v.pbx.stopMessage(conn);
    expect(await v.next('voiceStopped')).toMatchObject({ message: 'music', cause: 'stopped' });
    // nothing left: the next play starts at once; Stop of nothing is answered all the same
    await v.pbx.stopMessage(conn);
    await v.pbx.playMessage({ conn, message: 'tone:beep', bargeIn: false });
    expect(await v.next('voicePlaying')).toMatchObject({ message: 'tone:beep' });
    await v.next('voiceStopped', (e) => e.message === 'tone:beep');
    expect((await heardOf(v, callId)).map((h) => [h.kind, h.interruptedBy])).toEqual([['music', 'stop'], ['tone', undefined]]);
    expect(v.sim.voiceActivity()).toEqual({ timers: 0, units: 0 });
  });

  it('the caller hangs up mid-play: StopEvent normalClearing before the connection clears, no timer or unit left, the heard log kept', async () => {
    const v = await world(1);
    const { callId, conn } = await callAtPort(v);
    await v.pbx.playMessage({ conn, message: 'prompt:long', bargeIn: true });
    await v.pbx.playMessage({ conn, message: 'prompt:menu', bargeIn: true });
    await v.next('voicePlaying');
    expect(v.sim.voiceActivity()).toEqual({ timers: 1, units: 1 });
    await v.http('POST', `/sim/calls/${callId}/hangup`, {});
    const stopped = await v.next('voiceStopped');
    expect(stopped).toMatchObject({ callId, message: 'prompt:long', cause: 'cleared', monitoredDevice: '8100' });
    const cleared = await v.next('connectionCleared', (e) => e.deviceId === '8100' && e.monitoredDevice === '8100');
    expect(v.events.indexOf(stopped)).toBeLessThan(v.events.indexOf(cleared));
    await v.next('callCleared', (e) => e.callId === callId);
    expect(v.sim.voiceActivity()).toEqual({ timers: 0, units: 0 });
    const heard = await heardOf(v, callId);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ kind: 'prompt', ref: 'long', interruptedBy: 'hangup' });
    expect(heard[0]!.durationMs).toBeLessThan(60000);
    // a voice request on the call that is gone
    await expect(v.pbx.playMessage({ conn, message: 'tone:beep', bargeIn: false })).rejects.toMatchObject({ code: 'PBX_REJECTED', cstaError: { category: 'operation', value: 'invalidCallID' } });
    expect((await v.http('GET', '/sim/calls/1/heard')).body).toMatchObject({ error: { code: 'UNKNOWN_CALL' } });
  });

  it('message ids the switch cannot play, and connections that are no voice unit, are refused with a CSTAErrorCode', async () => {
    const v = await world();
    const { callId, conn } = await callAtPort(v);
    const notWav = join(dir, 'not.wav');
    writeFileSync(notWav, 'hello, I am text');
    const refused = async (message: string, text?: string) => {
      const err = await v.pbx.playMessage({ conn, message, bargeIn: false, ...(text !== undefined ? { text } : {}) }).then(() => null, (e: unknown) => e);
      expect(err, message).toBeInstanceOf(PbxError);
      return (err as PbxError).cstaError;
    };
    expect(await refused('foo:bar')).toEqual({ category: 'operation', value: 'invalidParameterValue' });
    expect(await refused('welcome')).toEqual({ category: 'operation', value: 'invalidParameterValue' });
    expect(await refused('tts:t1')).toEqual({ category: 'operation', value: 'invalidParameterValue' });
    expect(await refused('silence:0')).toEqual({ category: 'operation', value: 'invalidParameterValue' });
    expect(await refused('tone:siren')).toEqual({ category: 'operation', value: 'invalidParameterValue' });
    expect(await refused('file:relative/x.wav')).toEqual({ category: 'operation', value: 'invalidParameterValue' });
    expect(await refused(`file:${join(dir, 'missing.wav')}`)).toEqual({ category: 'operation', value: 'invalidFile' });
    expect(await refused(`file:${notWav}`)).toEqual({ category: 'operation', value: 'invalidFile' });
    // not a voice unit's connection; a call that does not exist
    await expect(v.pbx.playMessage({ conn: { callId, deviceId: '13800000001' }, message: 'tone:beep', bargeIn: false })).rejects.toMatchObject({ cstaError: { value: 'invalidConnectionID' } });
    await expect(v.pbx.playMessage({ conn: { callId, deviceId: '8101' }, message: 'tone:beep', bargeIn: false })).rejects.toMatchObject({ cstaError: { value: 'invalidConnectionID' } });
    await expect(v.pbx.stopMessage({ callId: '42', deviceId: '8100' })).rejects.toMatchObject({ cstaError: { value: 'invalidCallID' } });
    // nothing was played, and the link is still up
    expect(v.pending().filter((e) => e.kind === 'voicePlaying')).toEqual([]);
    expect(await heardOf(v, callId)).toEqual([]);
    expect(v.pbx.linkUp).toBe(true);
  });
});

describe('voice units: a queue device announces to a waiting caller', () => {
  it('music, the announcement, music again; hanging up ends the music', async () => {
    const v = await world();
    const callId = await v.dial('8900');
    await v.next('queued', (e) => e.callId === callId && e.monitoredDevice === '8900');
    const conn = { callId, deviceId: '8900' };
    await v.pbx.playMessage({ conn, message: 'prompt:welcome', bargeIn: false });
    expect(await v.next('voicePlaying')).toMatchObject({ callId, deviceId: '8900', message: 'prompt:welcome', monitoredDevice: '8900' });
    expect(await v.next('voiceStopped')).toMatchObject({ message: 'prompt:welcome', cause: 'endOfMessage' });
    let heard = await heardOf(v, callId);
    expect(heard.map((h) => [h.kind, h.port])).toEqual([['music', '8900'], ['prompt', '8900'], ['music', '8900']]);
    expect(heard[0]!.interruptedBy).toBeUndefined();
    await v.http('POST', `/sim/calls/${callId}/hangup`, {});
    await v.next('callCleared', (e) => e.callId === callId);
    heard = await heardOf(v, callId);
    expect(heard[2]).toMatchObject({ kind: 'music', interruptedBy: 'hangup' });
    expect(v.sim.voiceActivity()).toEqual({ timers: 0, units: 0 });
    // no StopEvent for the queue's own music
    expect(v.pending().filter((e) => e.kind === 'voiceStopped' || e.kind === 'voicePlaying')).toEqual([]);
  });
});
