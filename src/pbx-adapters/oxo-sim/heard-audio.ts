/**
 * `GET /sim/calls/:id/audio`: what the caller heard as one 8 kHz mono 16-bit WAV, item after item
 * of the heard log, each exactly its heard length (to the sample): a WAV file's own samples (16 kHz
 * halved, stereo mixed; a file that can no longer be read is heard as the speech pattern), prompts
 * and synthesised text without a file as a beep pattern pitched by the message, `tone:beep` a
 * 1 kHz tone, music a simple melody, silence as silence. At most MAX_AUDIO_MS in all (the rest is cut).
 */
import { readFile } from 'node:fs/promises';
import { heardMs, type HeardItem } from './heard-log.ts';
import { decodeTo8kMono, encodeWav, melody, samplesFor, speechPattern, tone } from './wav.ts';

export const MAX_AUDIO_MS = 30 * 60_000;
/** Files larger than this are not read for the audio (heard as the speech pattern instead). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

async function fileSamples(path: string): Promise<Int16Array | null> {
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_FILE_BYTES) return null;
    return decodeTo8kMono(buf);
  } catch {
    return null;
  }
}

async function render(item: HeardItem, ms: number): Promise<Int16Array> {
  const n = samplesFor(ms);
  const seed = item.ref ?? item.text ?? item.kind;
  switch (item.kind) {
    case 'silence':
      return new Int16Array(n);
    case 'music':
      return melody(ms);
    case 'tone':
      return tone(ms, 1000);
    default: {
      const fromFile = item.file !== undefined ? await fileSamples(item.file) : null;
      if (!fromFile) return speechPattern(ms, seed);
      // Exactly n samples: the file's own, padded with silence if the file is shorter.
      const out = new Int16Array(n);
      out.set(fromFile.subarray(0, n));
      return out;
    }
  }
}

export async function renderHeard(items: readonly HeardItem[], now: number): Promise<Buffer> {
  const parts: Int16Array[] = [];
  let left = MAX_AUDIO_MS;
  for (const item of items) {
    if (left <= 0) break;
    const ms = Math.min(heardMs(item, now), left);
    left -= ms;
    parts.push(await render(item, ms));
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const all = new Int16Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return encodeWav(all);
}
