/**
 * Recordings of the simulated switch (RecordMessage): one 8 kHz mono 16-bit PCM WAV file per
 * recording in the configured folder. The file exists (empty) from the start; when the recording
 * ends it is written whole, its length the recorded span (× voiceTimeScale) to the sample, its
 * content a voice-like signal per party in the call (the parties take turns), so a listener hears
 * who spoke; a paused span (Suspend … Resume) is silence. `GET /sim/recordings` lists them (the latest MAX_LISTED).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { CstaFault } from './errors.ts';
import { encodeWav, samplesFor, voiceLike, WAV_HEADER_BYTES } from './wav.ts';

export const MAX_LISTED = 1000;
/** A recording without maxDuration stops by itself after this long (durationExceeded). */
export const DEFAULT_MAX_RECORDING_MS = 15 * 60_000;
/** One speaker's turn when several parties are recorded. */
const TURN_MS = 2250;

export interface Recording {
  path: string;
  callId: string;
  deviceId: string;
  /** The parties heard, in the order they joined (a call recording adds those who join later:
   * transfer, conference). */
  speakers: string[];
  /** Paused spans (Suspend … Resume), clock ms; `to` undefined while paused. */
  pauses: { from: number; to?: number }[];
  stopOnKey: boolean;
  startedAt: number;
  scale: number;
  timer: NodeJS.Timeout | undefined;
  view: RecordingView;
}

export interface RecordingView {
  path: string;
  simCallId: string;
  deviceId: string;
  startedAt: string;
  endedAt?: string;
  bytes: number;
  lengthMs?: number;
}

export class Recorder {
  readonly defaultMaxMs = DEFAULT_MAX_RECORDING_MS;
  private readonly list: RecordingView[] = [];
  private readonly dir: string;
  private seq = 0;

  constructor(private readonly opts: { dir: string; logger: Logger; clock: () => number }) {
    this.dir = resolve(opts.dir);
  }

  get folder(): string {
    return this.dir;
  }

  start(init: { callId: string; deviceId: string; speakers: string[]; stopOnKey: boolean; maxMs: number; scale: number }): Recording {
    const path = join(this.dir, `call-${init.callId}-${init.deviceId}-${++this.seq}.wav`);
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(path, encodeWav(new Int16Array(0)));
    } catch (err) {
      this.opts.logger.error({ err, path }, 'cannot create the recording file');
      throw new CstaFault('systemResourceAvailability', 'generic', `cannot write ${path}`);
    }
    const startedAt = this.opts.clock();
    const view: RecordingView = { path, simCallId: init.callId, deviceId: init.deviceId, startedAt: new Date(startedAt).toISOString(), bytes: WAV_HEADER_BYTES };
    this.list.push(view);
    if (this.list.length > MAX_LISTED) this.list.shift();
    return { path, callId: init.callId, deviceId: init.deviceId, speakers: [...init.speakers], pauses: [], stopOnKey: init.stopOnKey, startedAt, scale: init.scale, timer: undefined, view };
  }

  /** Writes the file; returns its length (ms) and size (bytes). */
  finish(rec: Recording): { lengthMs: number; bytes: number } {
    const now = this.opts.clock();
    const lengthMs = Math.max(0, Math.round((now - rec.startedAt) * rec.scale));
    const samples = conversation(lengthMs, rec.speakers.length > 0 ? rec.speakers : [rec.callId]);
    // Pause and resume write silence for the paused span (a pause still open runs to the end).
    for (const p of rec.pauses) {
      const from = samplesFor(Math.max(0, (p.from - rec.startedAt) * rec.scale));
      const to = samplesFor(Math.max(0, ((p.to ?? now) - rec.startedAt) * rec.scale));
      samples.fill(0, Math.min(from, samples.length), Math.min(to, samples.length));
    }
    const wav = encodeWav(samples);
    try {
      writeFileSync(rec.path, wav);
    } catch (err) {
      this.opts.logger.error({ err, path: rec.path }, 'cannot write the recording file');
    }
    rec.view.endedAt = new Date(now).toISOString();
    rec.view.bytes = wav.length;
    rec.view.lengthMs = Math.round((samples.length * 1000) / 8000);
    return { lengthMs, bytes: wav.length };
  }

  views(): RecordingView[] {
    return [...this.list];
  }
}

/** Parties taking turns, each with its own voice. */
export function conversation(ms: number, speakers: string[]): Int16Array {
  const out = new Int16Array(samplesFor(ms));
  const turn = samplesFor(TURN_MS);
  for (let start = 0, k = 0; start < out.length; start += turn, k++) {
    const n = Math.min(turn, out.length - start);
    const part = voiceLike((n * 1000) / 8000, speakers[k % speakers.length]!, start);
    out.set(part.subarray(0, n), start);
  }
  return out;
}
