/**
 * WAV files for the simulated voice units: reading the RIFF header of a file the CTI asks to play
 * (its real length), decoding one to 8 kHz mono 16-bit samples (what the caller heard), writing
 * 8 kHz mono 16-bit PCM files (recordings, the heard-audio endpoint), and the synthetic sounds the
 * switch makes: tones, a melody for music on hold, a "speech" pattern for prompts and text the
 * switch renders itself, and a voice-like signal per caller for recordings.
 *
 * Accepted files: PCM (format 1), mono or stereo, 8 or 16 bits, 8 000 or 16 000 Hz.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export const RATE = 8000;
export const WAV_HEADER_BYTES = 44;
/** The header is looked for in the first bytes only (chunks before `data` are small: fmt, LIST). */
const HEADER_SCAN_BYTES = 64 * 1024;

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Byte offset and length of the PCM data. */
  dataOffset: number;
  dataBytes: number;
  durationMs: number;
}

export class WavError extends Error {}

/** Parses a RIFF/WAVE header; `fileBytes` bounds a data chunk whose size field runs past the end. */
export function parseWavHeader(buf: Buffer, fileBytes = buf.length): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new WavError('not a RIFF/WAVE file');
  let pos = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new WavError('truncated fmt chunk');
      fmt = { format: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new WavError('data chunk before fmt chunk');
      if (fmt.format !== 1) throw new WavError(`not PCM (format ${fmt.format})`);
      if (fmt.channels < 1 || fmt.channels > 2) throw new WavError(`${fmt.channels} channels (mono or stereo only)`);
      if (fmt.bits !== 8 && fmt.bits !== 16) throw new WavError(`${fmt.bits}-bit samples (8 or 16 only)`);
      if (fmt.rate !== 8000 && fmt.rate !== 16000) throw new WavError(`${fmt.rate} Hz (8000 or 16000 only)`);
      const frame = fmt.channels * (fmt.bits / 8);
      const available = Math.max(0, fileBytes - body);
      const dataBytes = Math.min(size, available) - (Math.min(size, available) % frame);
      return {
        sampleRate: fmt.rate,
        channels: fmt.channels,
        bitsPerSample: fmt.bits,
        dataOffset: body,
        dataBytes,
        durationMs: Math.round((dataBytes / frame / fmt.rate) * 1000),
      };
    }
    pos = body + size + (size % 2);
  }
  throw new WavError('no data chunk');
}

/** Reads the header of the WAV file at `path` (synchronously: the first 64 KiB only). */
export function readWavInfo(path: string): WavInfo {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new WavError(`cannot open: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(HEADER_SCAN_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return parseWavHeader(buf.subarray(0, n), fstatSync(fd).size);
  } catch (err) {
    if (err instanceof WavError) throw err;
    throw new WavError(`cannot read: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** A whole WAV file → 8 kHz mono 16-bit samples (16 kHz halved by averaging, stereo mixed). */
export function decodeTo8kMono(file: Buffer): Int16Array {
  const info = parseWavHeader(file);
  const bytesPerSample = info.bitsPerSample / 8;
  const frame = info.channels * bytesPerSample;
  const frames = info.dataBytes / frame;
  const read = (i: number, ch: number): number => {
    const at = info.dataOffset + i * frame + ch * bytesPerSample;
    return bytesPerSample === 2 ? file.readInt16LE(at) : (file.readUInt8(at) - 128) << 8;
  };
  const mono = (i: number): number => (info.channels === 1 ? read(i, 0) : (read(i, 0) + read(i, 1)) / 2);
  const step = info.sampleRate / RATE;
  const out = new Int16Array(Math.floor(frames / step));
  for (let j = 0; j < out.length; j++) {
    let sum = 0;
    for (let k = 0; k < step; k++) sum += mono(j * step + k);
    out[j] = Math.round(sum / step);
  }
  return out;
}

/** An 8 kHz mono 16-bit PCM WAV file holding `samples`. */
export function encodeWav(samples: Int16Array): Buffer {
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(WAV_HEADER_BYTES + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(RATE, 24);
  buf.writeUInt32LE(RATE * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  Buffer.from(samples.buffer, samples.byteOffset, dataBytes).copy(buf, WAV_HEADER_BYTES);
  return buf;
}

export const samplesFor = (ms: number): number => Math.max(0, Math.round((ms * RATE) / 1000));

/** A steady tone (`tone:beep` and the like). */
export function tone(ms: number, hz: number, amplitude = 8000): Int16Array {
  const out = new Int16Array(samplesFor(ms));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
  return out;
}

/** Music on hold: a simple repeating melody (quarter notes of a C major arpeggio). */
export function melody(ms: number): Int16Array {
  const notes = [262, 330, 392, 523, 392, 330];
  const noteSamples = samplesFor(250);
  const out = new Int16Array(samplesFor(ms));
  for (let i = 0; i < out.length; i++) {
    const k = Math.floor(i / noteSamples);
    const inNote = i % noteSamples;
    const env = Math.min(1, inNote / 80, (noteSamples - inNote) / 400);
    out[i] = Math.round(6000 * env * Math.sin((2 * Math.PI * notes[k % notes.length]! * i) / RATE));
  }
  return out;
}

/** What a prompt or synthesised text sounds like here: beeps in a syllable rhythm, pitched by `seed`
 * so that two different messages sound different. */
export function speechPattern(ms: number, seed: string): Int16Array {
  const base = 500 + (hash(seed) % 400);
  const out = new Int16Array(samplesFor(ms));
  const syllable = samplesFor(160);
  const gap = samplesFor(60);
  for (let i = 0; i < out.length; i++) {
    const k = Math.floor(i / (syllable + gap));
    const inSyl = i % (syllable + gap);
    if (inSyl >= syllable) continue;
    const hz = base + ((k * 37) % 5) * 40;
    out[i] = Math.round(5000 * Math.sin((Math.PI * inSyl) / syllable) * Math.sin((2 * Math.PI * hz * i) / RATE));
  }
  return out;
}

/** A voice-like signal for one party (recordings): harmonics of a pitch chosen by `seed`, in
 * syllables with pauses, so a listener hears someone speak and can tell two callers apart.
 *
 * Made from tables (`voiceSamples` is the formula): the syllable envelope repeats with the phrase
 * (2.25 s) and is the same for every voice; the harmonics of a pitch (a whole number of Hz) repeat
 * every second, one table per pitch and vowel. Six sines a sample for every recorded call were
 * most of the simulator's time at a few hundred calls a second (docs/performance.md, 2026-12-03
 * (fifth session)). The samples are the formula's, give or take one step of rounding. */
export function voiceLike(ms: number, seed: string, offsetSamples = 0): Int16Array {
  const h = hash(seed);
  const harmonics = harmonicsOf(100 + (h % 120));
  const { envelope, syllable } = phraseTables();
  const out = new Int16Array(samplesFor(ms));
  for (let j = 0; j < out.length; j++) {
    const i = j + offsetSamples;
    const p = i % CYCLE;
    const e = envelope[p]!;
    if (e === 0) continue;
    out[j] = Math.round(7000 * e * harmonics[(syllable[p]! + h) % 3]![i % RATE]!);
  }
  return out;
}

const SYLLABLE = samplesFor(180);
const GAP = samplesFor(70);
const PHRASE = 7 * (SYLLABLE + GAP);
const PAUSE = samplesFor(500);
const CYCLE = PHRASE + PAUSE;

let phrase: { envelope: Float64Array; syllable: Uint8Array } | null = null;
function phraseTables(): { envelope: Float64Array; syllable: Uint8Array } {
  if (phrase) return phrase;
  const envelope = new Float64Array(CYCLE);
  const syllable = new Uint8Array(CYCLE);
  for (let p = 0; p < PHRASE; p++) {
    const inSyl = p % (SYLLABLE + GAP);
    syllable[p] = Math.floor(p / (SYLLABLE + GAP));
    if (inSyl < SYLLABLE) envelope[p] = Math.sin((Math.PI * inSyl) / SYLLABLE);
  }
  return (phrase = { envelope, syllable });
}

/** Per pitch (100–219 Hz), per vowel: one second of its six harmonics, weighted. 120 pitches at
 * most, 192 KiB each. */
const pitches = new Map<number, Float64Array[]>();
function harmonicsOf(f0: number): Float64Array[] {
  let tables = pitches.get(f0);
  if (tables) return tables;
  tables = [0, 1, 2].map((vowel) => {
    const t = new Float64Array(RATE);
    for (let i = 0; i < RATE; i++) {
      let v = 0;
      for (let n = 1; n <= 6; n++) {
        const formant = n === 2 + vowel || n === 4 + (vowel % 2) ? 1 : 0.35;
        v += (formant / n) * Math.sin((2 * Math.PI * f0 * n * i) / RATE);
      }
      t[i] = v;
    }
    return t;
  });
  pitches.set(f0, tables);
  return tables;
}

/** The voice's samples from `offsetSamples` on, by the formula (what `voiceLike` reads from its
 * tables). */
export function voiceSamples(h: number, count: number, offsetSamples: number): Int16Array {
  const f0 = 100 + (h % 120);
  const out = new Int16Array(count);
  for (let j = 0; j < out.length; j++) {
    const i = j + offsetSamples;
    const inPhrase = i % (PHRASE + PAUSE);
    if (inPhrase >= PHRASE) continue;
    const inSyl = inPhrase % (SYLLABLE + GAP);
    if (inSyl >= SYLLABLE) continue;
    const vowel = (Math.floor(inPhrase / (SYLLABLE + GAP)) + h) % 3;
    const env = Math.sin((Math.PI * inSyl) / SYLLABLE);
    let v = 0;
    for (let n = 1; n <= 6; n++) {
      const formant = n === 2 + vowel || n === 4 + (vowel % 2) ? 1 : 0.35;
      v += (formant / n) * Math.sin((2 * Math.PI * f0 * n * i) / RATE);
    }
    out[j] = Math.round(7000 * env * v);
  }
  return out;
}

export function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
