/**
 * Waveform peaks for the console's player (docs/recording.md, "Playback"): the WAV's samples
 * (16-bit PCM, 8 kHz mono) split into `points` equal buckets, the min and max of each. Read as a
 * stream (a long recording is never held in memory) and computed once: the result is cached as
 * JSON in DATA_DIR/peaks, keyed by recording, points and the file's sha256/size (a file replaced
 * or moved to the archive with the same content reuses it).
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Peaks {
  points: number;
  sampleRate: number;
  channels: number;
  samplesPerPoint: number;
  durationMs: number;
  /** Per bucket, int16 values. */
  min: number[];
  max: number[];
}

export class WavFormatError extends Error {}

/** Streams `path` once and returns its peaks. */
export async function computePeaks(path: string, points: number): Promise<Peaks> {
  let header = Buffer.alloc(0);
  let dataLeft = -1;
  let sampleRate = 8000;
  let channels = 1;
  let bits = 16;
  let total = 0;
  let carry: number | null = null;
  // The data size is known from the header, so the buckets are fixed before the samples arrive.
  let samplesPerPoint = 1;
  let min: Int16Array = new Int16Array(0);
  let max: Int16Array = new Int16Array(0);
  let index = 0;
  const take = (s: number) => {
    const b = Math.min(points - 1, Math.floor(index / samplesPerPoint));
    if (s < min[b]!) min[b] = s;
    if (s > max[b]!) max[b] = s;
    index++;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    let buf = chunk;
    if (dataLeft < 0) {
      header = Buffer.concat([header, buf]);
      const found = parseHeader(header);
      if (!found) {
        if (header.length > 1 << 20) throw new WavFormatError('no data chunk in the first MiB');
        continue;
      }
      ({ sampleRate, channels, bits } = found);
      if (bits !== 16) throw new WavFormatError(`${bits}-bit samples: only 16-bit PCM is supported`);
      dataLeft = found.dataBytes;
      total = Math.floor(found.dataBytes / 2);
      samplesPerPoint = Math.max(1, Math.ceil(total / points));
      min = new Int16Array(points).fill(32767);
      max = new Int16Array(points).fill(-32768);
      buf = header.subarray(found.dataOffset);
      header = Buffer.alloc(0);
    }
    const usable = buf.subarray(0, Math.max(0, Math.min(buf.length, dataLeft)));
    dataLeft -= usable.length;
    let i = 0;
    if (carry !== null && usable.length > 0) {
      take(((usable[0]! << 8) | carry) << 16 >> 16);
      carry = null;
      i = 1;
    }
    for (; i + 1 < usable.length; i += 2) take(usable.readInt16LE(i));
    if (i < usable.length) carry = usable[i]!;
    if (dataLeft <= 0) break;
  }
  if (dataLeft < 0) throw new WavFormatError('not a WAV file');
  const used = Math.min(points, Math.ceil(total / samplesPerPoint));
  return {
    points: used,
    sampleRate,
    channels,
    samplesPerPoint,
    durationMs: Math.round((total / channels / sampleRate) * 1000),
    min: Array.from(min.subarray(0, used)),
    max: Array.from(max.subarray(0, used)),
  };
}

function parseHeader(h: Buffer): { sampleRate: number; channels: number; bits: number; dataOffset: number; dataBytes: number } | null {
  if (h.length < 12) return null;
  if (h.toString('ascii', 0, 4) !== 'RIFF' || h.toString('ascii', 8, 12) !== 'WAVE') throw new WavFormatError('not a RIFF/WAVE file');
  let off = 12;
  let fmt: { sampleRate: number; channels: number; bits: number } | null = null;
  while (off + 8 <= h.length) {
    const id = h.toString('ascii', off, off + 4);
    const size = h.readUInt32LE(off + 4);
    if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt');
      return { ...fmt, dataOffset: off + 8, dataBytes: size };
    }
    if (off + 8 + size > h.length) return null;
    if (id === 'fmt ') {
      if (h.readUInt16LE(off + 8) !== 1) throw new WavFormatError('not PCM');
      fmt = { channels: h.readUInt16LE(off + 10), sampleRate: h.readUInt32LE(off + 12), bits: h.readUInt16LE(off + 22) };
    }
    off += 8 + size + (size & 1);
  }
  return null;
}

/** Peaks from the cache, or computed now and cached. */
export class PeaksCache {
  private readonly inflight = new Map<string, Promise<Peaks>>();
  computed = 0;

  constructor(private readonly dir: string) {}

  get(recordingId: string, path: string, points: number, fingerprint: string): Promise<Peaks> {
    const key = `${recordingId.replace(/[^A-Za-z0-9_-]/g, '_')}-${points}-${fingerprint.replace(/[^A-Za-z0-9]/g, '').slice(0, 24)}`;
    const file = join(this.dir, `${key}.json`);
    let p = this.inflight.get(key);
    if (!p) {
      p = (async () => {
        try {
          return JSON.parse(await readFile(file, 'utf8')) as Peaks;
        } catch {
          const peaks = await computePeaks(path, points);
          this.computed++;
          await mkdir(this.dir, { recursive: true });
          await writeFile(`${file}.tmp`, JSON.stringify(peaks));
          await rename(`${file}.tmp`, file);
          return peaks;
        }
      })().finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }
}
