import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWavHeader, readWavInfo, telephonyMismatch, WavError } from '../../src/ivr/speech/wav-info.ts';

/** A PCM WAV file: RIFF, optional chunks before fmt/data, fmt, data of `dataBytes` zero bytes. */
function wav(o: { rate?: number; channels?: number; bits?: number; dataBytes?: number; before?: Buffer; format?: number; byteRate?: number; announce?: number } = {}): Buffer {
  const rate = o.rate ?? 8000;
  const channels = o.channels ?? 1;
  const bits = o.bits ?? 16;
  const dataBytes = o.dataBytes ?? 16000;
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(o.format ?? 1, 8);
  fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(rate, 12);
  fmt.writeUInt32LE(o.byteRate ?? rate * channels * (bits / 8), 16);
  fmt.writeUInt16LE(channels * (bits / 8), 20);
  fmt.writeUInt16LE(bits, 22);
  const dataHead = Buffer.alloc(8);
  dataHead.write('data', 0, 'latin1');
  dataHead.writeUInt32LE(o.announce ?? dataBytes, 4);
  const before = o.before ?? Buffer.alloc(0);
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), before, fmt, dataHead, Buffer.alloc(dataBytes)]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

function chunk(id: string, size: number): Buffer {
  const b = Buffer.alloc(8 + size + (size % 2));
  b.write(id, 0, 'latin1');
  b.writeUInt32LE(size, 4);
  return b;
}

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WavError);
    return (err as Error).message;
  }
  throw new Error('did not throw');
};

describe('parseWavHeader', () => {
  it('reads an 8 kHz mono 16-bit file: rate, channels, bits, data bytes, duration', () => {
    const b = wav({ dataBytes: 24_000 });
    const info = parseWavHeader(b, b.length);
    expect(info).toEqual({ audioFormat: 1, sampleRate: 8000, channels: 1, bitsPerSample: 16, dataOffset: 44, dataBytes: 24_000, durationMs: 1500 });
    expect(telephonyMismatch(info)).toBeUndefined();
  });

  it('skips chunks before fmt and data (LIST, odd-sized padded)', () => {
    const b = wav({ before: Buffer.concat([chunk('LIST', 27), chunk('fact', 4)]), dataBytes: 800 });
    const info = parseWavHeader(b, b.length);
    expect(info.dataOffset).toBe(12 + 36 + 12 + 24 + 8);
    expect(info.durationMs).toBe(50);
  });

  it('reports other formats, which telephonyMismatch names', () => {
    const b = wav({ rate: 22050, channels: 2, dataBytes: 22050 * 4 });
    const info = parseWavHeader(b, b.length);
    expect(info).toMatchObject({ sampleRate: 22050, channels: 2, bitsPerSample: 16, durationMs: 1000 });
    expect(telephonyMismatch(info)).toMatch(/22050 Hz, 2 channel/);
    expect(telephonyMismatch(parseWavHeader(wav({ dataBytes: 0 })))).toMatch(/no audio/);
  });

  it('refuses what is not a valid PCM WAV header, naming the problem', () => {
    expect(code(() => parseWavHeader(Buffer.from('RIFF')))).toMatch(/too short/);
    const notRiff = wav();
    notRiff.write('RIFX', 0, 'latin1');
    expect(code(() => parseWavHeader(notRiff))).toMatch(/not a RIFF/);
    const notWave = wav();
    notWave.write('AVI ', 8, 'latin1');
    expect(code(() => parseWavHeader(notWave))).toMatch(/not WAVE/);
    expect(code(() => parseWavHeader(wav({ format: 6 })))).toMatch(/not PCM \(format tag 6\)/); // A-law
    expect(code(() => parseWavHeader(wav({ byteRate: 1234 })))).toMatch(/byte rate 1234/);
    expect(code(() => parseWavHeader(wav({ bits: 12 })))).toMatch(/unsupported sample size|block align/);
    expect(code(() => parseWavHeader(wav({ dataBytes: 3 })))).toMatch(/whole number of 2-byte frames/);
    const full = wav({ dataBytes: 1000 });
    expect(code(() => parseWavHeader(full, full.length - 10))).toMatch(/truncated/);
    // A streaming writer's placeholder length: refused, the duration would be nonsense.
    const streamed = wav({ dataBytes: 100, announce: 0xffffffff });
    expect(code(() => parseWavHeader(streamed, streamed.length))).toMatch(/truncated/);
    // data before fmt
    const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), chunk('data', 4)]);
    const riff = Buffer.alloc(8);
    riff.write('RIFF', 0, 'latin1');
    riff.writeUInt32LE(body.length, 4);
    expect(code(() => parseWavHeader(Buffer.concat([riff, body])))).toMatch(/"data" chunk before "fmt "/);
    // a header cut short
    expect(code(() => parseWavHeader(wav().subarray(0, 30)))).toMatch(/fmt/);
  });
});

describe('readWavInfo', () => {
  const dir = mkdtemp(join(tmpdir(), 'sb-wav-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('reads a file, also one whose data chunk comes after a long LIST chunk (past the first 4 KiB)', async () => {
    const d = await dir;
    await writeFile(join(d, 'a.wav'), wav({ dataBytes: 8000 }));
    expect((await readWavInfo(join(d, 'a.wav'))).durationMs).toBe(500);
    await writeFile(join(d, 'b.wav'), wav({ before: chunk('LIST', 10_000), dataBytes: 16_000 }));
    expect((await readWavInfo(join(d, 'b.wav'))).durationMs).toBe(1000);
  });

  it('rejects a text file with WavError and a missing file with ENOENT', async () => {
    const d = await dir;
    await writeFile(join(d, 'c.wav'), 'hello, not audio at all');
    await expect(readWavInfo(join(d, 'c.wav'))).rejects.toBeInstanceOf(WavError);
    await expect(readWavInfo(join(d, 'missing.wav'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
