/**
 * A small RIFF/WAVE header reader: validates the header of a PCM WAV file and says what it holds
 * (rate, channels, sample size, audio bytes, duration). Used for rendered speech, recorded
 * prompts and anything else that needs to know how long a WAV file plays without decoding it.
 *
 * Only uncompressed PCM is accepted (format tag 1, or WAVE_FORMAT_EXTENSIBLE whose sub-format is
 * PCM). Chunks before `data` (`LIST`, `fact` …) are skipped; the `data` chunk must lie within the
 * first `WAV_HEADER_SCAN_BYTES` of the file and, when the file's size is known, fit inside it (a
 * streaming writer's placeholder length such as 0xFFFFFFFF is refused as truncated).
 */
import { open } from 'node:fs/promises';

export interface WavInfo {
  /** 1 = PCM (also reported for WAVE_FORMAT_EXTENSIBLE with a PCM sub-format). */
  audioFormat: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Byte offset of the first audio byte. */
  dataOffset: number;
  /** Length of the audio, bytes (the `data` chunk's size). */
  dataBytes: number;
  /** dataBytes / (sampleRate × channels × bitsPerSample / 8), in milliseconds, rounded. */
  durationMs: number;
}

export class WavError extends Error {
  readonly code = 'BAD_WAV';
  /** true: the header ran past the bytes given (a longer head might parse). */
  readonly incomplete: boolean;
  constructor(message: string, incomplete = false) {
    super(message);
    this.name = 'WavError';
    this.incomplete = incomplete;
  }
}

/** How much of a file's head is read to find the `fmt ` and `data` chunks. */
export const WAV_HEADER_SCAN_BYTES = 64 * 1024;

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/**
 * Parses the header in `head` (the first bytes of a file, at least up to the start of its `data`
 * chunk). `fileSize`, when given, is the whole file's size, and the `data` chunk must fit in it.
 * Throws `WavError` naming the problem.
 */
export function parseWavHeader(head: Uint8Array, fileSize?: number): WavInfo {
  const buf = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (buf.length < 12) throw new WavError(`too short for a RIFF header (${buf.length} bytes)`);
  if (buf.toString('latin1', 0, 4) !== 'RIFF') throw new WavError('not a RIFF file (no "RIFF" magic)');
  if (buf.toString('latin1', 8, 12) !== 'WAVE') throw new WavError('RIFF file is not WAVE');
  const riffEnd = 8 + buf.readUInt32LE(4);
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'durationMs'> | undefined;
  let offset = 12;
  for (;;) {
    if (offset + 8 > buf.length) throw new WavError(fmt ? 'no "data" chunk in the header' : 'no "fmt " chunk before the end of the header', fileSize === undefined || buf.length < fileSize);
    const id = buf.toString('latin1', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new WavError(`"fmt " chunk too short (${size} bytes)`);
      if (body + 16 > buf.length) throw new WavError('"fmt " chunk truncated', fileSize === undefined || buf.length < fileSize);
      let audioFormat = buf.readUInt16LE(body);
      const channels = buf.readUInt16LE(body + 2);
      const sampleRate = buf.readUInt32LE(body + 4);
      const byteRate = buf.readUInt32LE(body + 8);
      const blockAlign = buf.readUInt16LE(body + 12);
      const bitsPerSample = buf.readUInt16LE(body + 14);
      if (audioFormat === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40) throw new WavError(`WAVE_FORMAT_EXTENSIBLE "fmt " chunk too short (${size} bytes)`);
        if (body + 40 > buf.length) throw new WavError('WAVE_FORMAT_EXTENSIBLE "fmt " chunk truncated', fileSize === undefined || buf.length < fileSize);
        audioFormat = buf.readUInt16LE(body + 24); // first two bytes of the sub-format GUID
      }
      if (audioFormat !== WAVE_FORMAT_PCM) throw new WavError(`not PCM (format tag ${audioFormat})`);
      if (channels < 1) throw new WavError('zero channels');
      if (sampleRate < 1) throw new WavError('zero sample rate');
      if (bitsPerSample < 8 || bitsPerSample > 32 || bitsPerSample % 8 !== 0) throw new WavError(`unsupported sample size ${bitsPerSample} bits`);
      const expectAlign = channels * (bitsPerSample / 8);
      if (blockAlign !== expectAlign) throw new WavError(`block align ${blockAlign}, expected ${expectAlign}`);
      if (byteRate !== sampleRate * expectAlign) throw new WavError(`byte rate ${byteRate}, expected ${sampleRate * expectAlign}`);
      fmt = { audioFormat, sampleRate, channels, bitsPerSample };
    } else if (id === 'data') {
      if (!fmt) throw new WavError('"data" chunk before "fmt "');
      if (fileSize !== undefined && body + size > fileSize) throw new WavError(`"data" chunk truncated: ${size} bytes announced, ${Math.max(0, fileSize - body)} present`);
      if (body + size > riffEnd) throw new WavError('"data" chunk runs past the RIFF length');
      const frame = fmt.channels * (fmt.bitsPerSample / 8);
      if (size % frame !== 0) throw new WavError(`"data" length ${size} is not a whole number of ${frame}-byte frames`);
      const durationMs = Math.round((size / (fmt.sampleRate * frame)) * 1000);
      return { ...fmt, dataOffset: body, dataBytes: size, durationMs };
    }
    offset = body + size + (size % 2); // chunks are word-aligned
    if (offset > riffEnd) throw new WavError(`chunk "${id}" runs past the RIFF length`);
  }
}

/**
 * Reads and validates a WAV file's header (`WavError` when it is not a valid PCM WAV file; the
 * file system's error when it cannot be read). Reads 4 KiB of the head, and up to
 * `WAV_HEADER_SCAN_BYTES` when chunks before `data` need more.
 */
export async function readWavInfo(path: string): Promise<WavInfo> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    for (const scan of [4096, WAV_HEADER_SCAN_BYTES]) {
      const head = Buffer.alloc(Math.min(size, scan));
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      try {
        return parseWavHeader(head.subarray(0, bytesRead), size);
      } catch (err) {
        if (!(err instanceof WavError && err.incomplete && bytesRead < size && scan < WAV_HEADER_SCAN_BYTES)) throw err;
      }
    }
    throw new WavError('unreachable');
  } finally {
    await fh.close();
  }
}

/** What the switch's voice units play: 8 kHz, mono, 16-bit PCM. */
export const TELEPHONY_FORMAT = { sampleRate: 8000, channels: 1, bitsPerSample: 16 } as const;

/** Why `info` is not 8 kHz mono 16-bit PCM with some audio, or undefined when it is. */
export function telephonyMismatch(info: WavInfo): string | undefined {
  const t = TELEPHONY_FORMAT;
  if (info.sampleRate !== t.sampleRate || info.channels !== t.channels || info.bitsPerSample !== t.bitsPerSample) {
    return `${info.sampleRate} Hz, ${info.channels} channel(s), ${info.bitsPerSample}-bit; expected ${t.sampleRate} Hz mono ${t.bitsPerSample}-bit`;
  }
  if (info.dataBytes === 0) return 'no audio (empty "data" chunk)';
  return undefined;
}
