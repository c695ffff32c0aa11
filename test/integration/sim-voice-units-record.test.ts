/**
 * Recording over the CSTA link, both ends: CstaPbx asks the simulated switch's IVR port to record
 * the caller (RecordMessage); the switch answers with the file it writes, sends RecordEvent, and
 * StopEvent (length, private bytes) when `#` ends it, at maxDuration, on Stop, or when the caller
 * hangs up. The file is a valid 8 kHz mono 16-bit WAV whose length is the recorded span within
 * 100 ms (voiceTimeScale 1), with audible content; GET /sim/recordings lists it.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWavHeader } from '../../src/pbx-adapters/oxo-sim/wav.ts';
import { voiceWorld, type VoiceWorld } from '../helpers/voice-sim.ts';

let w: VoiceWorld | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

async function recordingCall(): Promise<{ v: VoiceWorld; callId: string; conn: { callId: string; deviceId: string } }> {
  const v = (w = await voiceWorld({ voiceTimeScale: 1 }));
  const callId = await v.dial('8100');
  await v.next('established', (e) => e.callId === callId && e.deviceId === '8100');
  return { v, callId, conn: { callId, deviceId: '8100' } };
}

/** Checks the WAV at `path`: format, length (ms) and that it is not silent. */
function checkWav(path: string, bytes: number): number {
  const buf = readFileSync(path);
  expect(buf.length).toBe(bytes);
  expect(statSync(path).size).toBe(bytes);
  const info = parseWavHeader(buf);
  expect(info).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
  const pcm = new Int16Array(buf.buffer, buf.byteOffset + info.dataOffset, info.dataBytes / 2);
  expect(pcm.reduce((m, s) => Math.max(m, Math.abs(s)), 0)).toBeGreaterThan(1000);
  return info.durationMs;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('voice units: recording the caller', () => {
  it('ended by #: RecordEvent, the DtmfDetectedEvent then StopEvent dtmf with length and bytes; the file matches the span', async () => {
    const { v, callId, conn } = await recordingCall();
    const t0 = performance.now();
    const { message: path } = await v.pbx.recordMessage({ conn, maxDurationMs: 30_000, stopOnKey: true });
    expect(isAbsolute(path)).toBe(true);
    expect(path.startsWith(v.sim.recordingsDir)).toBe(true);
    expect(await v.next('voiceRecording')).toMatchObject({ callId, deviceId: '8100', message: path });
    await pause(700); // the caller speaks
    const t1 = performance.now();
    await v.http('POST', `/sim/calls/${callId}/digits`, { digits: '#' });
    const span = (t1 + performance.now()) / 2 - t0;
    const digit = await v.next('digits', (e) => e.monitoredDevice === '8100');
    const stopped = await v.next('voiceStopped');
    expect(digit.digits).toBe('#');
    expect(v.events.indexOf(digit)).toBeLessThan(v.events.indexOf(stopped));
    expect(stopped).toMatchObject({ callId, deviceId: '8100', message: path, cause: 'dtmf' });
    expect(Math.abs(stopped.lengthMs! - span)).toBeLessThan(100);
    const lengthMs = checkWav(path, stopped.bytes!);
    expect(Math.abs(lengthMs - stopped.lengthMs!)).toBeLessThanOrEqual(1);
    const list = (await v.http('GET', '/sim/recordings')).body.items as { path: string; simCallId: string; bytes: number; startedAt: string; endedAt: string }[];
    expect(list).toEqual([expect.objectContaining({ path, simCallId: callId, bytes: stopped.bytes })]);
    expect(Date.parse(list[0]!.endedAt) - Date.parse(list[0]!.startedAt)).toBeGreaterThanOrEqual(600);
    // the call goes on, nothing records any more
    expect(v.sim.voiceActivity()).toEqual({ timers: 0, units: 0 });
  });

  it('ended at maxDuration: StopEvent durationExceeded, the file as long as asked', async () => {
    const { v, conn } = await recordingCall();
    const { message: path } = await v.pbx.recordMessage({ conn, maxDurationMs: 600, stopOnKey: true });
    const stopped = await v.next('voiceStopped');
    expect(stopped).toMatchObject({ message: path, cause: 'durationExceeded' });
    expect(Math.abs(stopped.lengthMs! - 600)).toBeLessThan(100);
    expect(Math.abs(checkWav(path, stopped.bytes!) - 600)).toBeLessThan(100);
  });

  it('ended by the caller hanging up: StopEvent normalClearing, the file closed and kept', async () => {
    const { v, callId, conn } = await recordingCall();
    const t0 = performance.now();
    const { message: path } = await v.pbx.recordMessage({ conn, maxDurationMs: 30_000, stopOnKey: false });
    await v.http('POST', `/sim/calls/${callId}/digits`, { digits: '1' }); // a key does not end this one
    await pause(500);
    const t1 = performance.now();
    await v.http('POST', `/sim/calls/${callId}/hangup`, {});
    const span = (t1 + performance.now()) / 2 - t0;
    const stopped = await v.next('voiceStopped');
    expect(stopped).toMatchObject({ message: path, cause: 'cleared' });
    expect(Math.abs(stopped.lengthMs! - span)).toBeLessThan(100);
    expect(Math.abs(checkWav(path, stopped.bytes!) - span)).toBeLessThan(100);
    await v.next('callCleared', (e) => e.callId === callId);
    expect(v.sim.voiceActivity()).toEqual({ timers: 0, units: 0 });
  });

  it('stopped by the CTI (Stop naming the recording): StopEvent earlyStop; a second recording on the same port at once is refused', async () => {
    const { v, conn } = await recordingCall();
    const { message: path } = await v.pbx.recordMessage({ conn, maxDurationMs: 30_000, stopOnKey: true });
    await expect(v.pbx.recordMessage({ conn, maxDurationMs: 1000, stopOnKey: true })).rejects.toMatchObject({ code: 'PBX_REJECTED', cstaError: { category: 'systemResourceAvailability', value: 'resourceBusy' } });
    await pause(300);
    await v.pbx.stopMessage(conn, path);
    const stopped = await v.next('voiceStopped');
    expect(stopped).toMatchObject({ message: path, cause: 'stopped' });
    checkWav(path, stopped.bytes!);
  });
});
