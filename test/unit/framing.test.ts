/** ECMA-323 Annex G framing: header layout, reassembly across TCP reads, resynchronisation. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder, FrameTooLargeError, HEADER_BYTES, MAX_FRAME_BYTES, type Frame } from '../../src/pbx-adapters/csta/protocol/framing.ts';

const xml = (n: number): string => `<SystemStatus><systemStatus>normal-${n}</systemStatus></SystemStatus>`;

function pushAll(decoder: FrameDecoder, chunks: Buffer[]): { frames: Frame[]; issues: string[] } {
  const frames: Frame[] = [];
  const issues: string[] = [];
  for (const c of chunks) {
    const r = decoder.push(c);
    frames.push(...r.frames);
    issues.push(...r.issues.map((i) => i.reason));
  }
  return { frames, issues };
}

describe('encodeFrame', () => {
  it('writes version 0, the total length including the header, and the invoke id as 4 ASCII digits', () => {
    const body = '<a>é</a>'; // 9 bytes in UTF-8
    const f = encodeFrame(42, body);
    expect(f.readUInt16BE(0)).toBe(0);
    expect(f.readUInt16BE(2)).toBe(HEADER_BYTES + 9);
    expect(f.length).toBe(HEADER_BYTES + 9);
    expect(f.toString('ascii', 4, 8)).toBe('0042');
    expect(f.subarray(8).toString('utf8')).toBe(body);
    expect(encodeFrame(9999, '<x/>').toString('ascii', 4, 8)).toBe('9999');
  });

  it('rejects invoke ids outside 0..9999', () => {
    expect(() => encodeFrame(10000, '<x/>')).toThrow(RangeError);
    expect(() => encodeFrame(-1, '<x/>')).toThrow(RangeError);
    expect(() => encodeFrame(1.5, '<x/>')).toThrow(RangeError);
  });

  it('accepts exactly 65 535 bytes and refuses one more with FrameTooLargeError', () => {
    expect(encodeFrame(1, 'x'.repeat(MAX_FRAME_BYTES - HEADER_BYTES)).length).toBe(MAX_FRAME_BYTES);
    const err = (() => {
      try {
        encodeFrame(1, 'x'.repeat(MAX_FRAME_BYTES - HEADER_BYTES + 1));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect((err as FrameTooLargeError).bytes).toBe(MAX_FRAME_BYTES + 1);
    expect((err as FrameTooLargeError).code).toBe('CSTA_FRAME_TOO_LARGE');
  });
});

describe('FrameDecoder', () => {
  it('round-trips frames pushed one at a time', () => {
    const d = new FrameDecoder();
    for (const id of [1, 17, 9998, 9999]) {
      expect(d.push(encodeFrame(id, xml(id)))).toEqual({ frames: [{ invokeId: id, xml: xml(id) }], issues: [] });
    }
    expect(d.pending).toBe(0);
  });

  it('reassembles a frame delivered one byte at a time', () => {
    const d = new FrameDecoder();
    const f = encodeFrame(7, xml(7));
    const seen: Frame[] = [];
    for (let i = 0; i < f.length; i++) {
      const r = d.push(f.subarray(i, i + 1));
      seen.push(...r.frames);
      expect(r.issues).toEqual([]);
      if (i < f.length - 1) expect(r.frames).toEqual([]);
    }
    expect(seen).toEqual([{ invokeId: 7, xml: xml(7) }]);
  });

  it('splits coalesced frames from a single chunk, keeping a trailing partial one', () => {
    const d = new FrameDecoder();
    const all = Buffer.concat([encodeFrame(1, xml(1)), encodeFrame(2, xml(2)), encodeFrame(9999, xml(3))]);
    const partial = encodeFrame(4, xml(4));
    const r = d.push(Buffer.concat([all, partial.subarray(0, 11)]));
    expect(r.frames.map((f) => f.invokeId)).toEqual([1, 2, 9999]);
    expect(d.pending).toBe(11);
    expect(d.push(partial.subarray(11)).frames).toEqual([{ invokeId: 4, xml: xml(4) }]);
  });

  it('delivers the same frames however the byte stream is cut (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.string({ maxLength: 200 })), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }),
        (frames, cuts) => {
          const expected = frames.map(([id, s]) => ({ invokeId: id, xml: `<m>${s}</m>` }));
          const stream = Buffer.concat(expected.map((f) => encodeFrame(f.invokeId, f.xml)));
          const chunks: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            const n = cuts[i % cuts.length]!;
            chunks.push(stream.subarray(at, at + n));
            at += n;
          }
          const d = new FrameDecoder();
          const got = pushAll(d, chunks);
          expect(got.issues).toEqual([]);
          expect(got.frames).toEqual(expected);
          expect(d.pending).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reports a corrupt header and still delivers the good frame after it', () => {
    const d = new FrameDecoder();
    const garbage = Buffer.from([0x13, 0x37, 0xff, 0xff, 0x41, 0x42, 0x00, 0x01, 0x02]);
    const r = d.push(Buffer.concat([garbage, encodeFrame(5, xml(5))]));
    expect(r.frames).toEqual([{ invokeId: 5, xml: xml(5) }]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.reason).toBe('badHeader');
    expect(r.issues[0]!.skippedBytes).toBe(garbage.length);
  });

  it('resynchronises when the good header arrives in a later chunk', () => {
    const d = new FrameDecoder();
    const good = encodeFrame(6, xml(6));
    const got = pushAll(d, [Buffer.from('garbage!garbage!'), good.subarray(0, 5), good.subarray(5)]);
    expect(got.frames).toEqual([{ invokeId: 6, xml: xml(6) }]);
    expect(got.issues.every((i) => i === 'badHeader')).toBe(true);
    expect(got.issues.length).toBeGreaterThan(0);
  });

  it('skips a frame whose invoke id is not digits, then carries on', () => {
    const d = new FrameDecoder();
    const bad = encodeFrame(1, xml(1));
    bad.write('12X4', 4, 'ascii');
    const r = d.push(Buffer.concat([bad, encodeFrame(2, xml(2))]));
    expect(r.issues.map((i) => [i.reason, i.skippedBytes])).toEqual([['badInvokeId', bad.length]]);
    expect(r.frames.map((f) => f.invokeId)).toEqual([2]);
  });

  it('skips a body that is not UTF-8', () => {
    const d = new FrameDecoder();
    const body = Buffer.from([0x3c, 0xc3, 0x28, 0x3e]); // '<', invalid 2-byte sequence, '>'
    const header = Buffer.alloc(8);
    header.writeUInt16BE(0, 0);
    header.writeUInt16BE(8 + body.length, 2);
    header.write('0003', 4, 'ascii');
    const r = d.push(Buffer.concat([header, body, encodeFrame(4, xml(4))]));
    expect(r.issues.map((i) => i.reason)).toEqual(['badUtf8']);
    expect(r.frames.map((f) => f.invokeId)).toEqual([4]);
  });

  it('holds a truncated frame without delivering it', () => {
    const d = new FrameDecoder();
    const f = encodeFrame(8, xml(8));
    expect(d.push(f.subarray(0, f.length - 3))).toEqual({ frames: [], issues: [] });
    expect(d.pending).toBe(f.length - 3);
  });

  it('keeps at most a header-sized tail while reading pure garbage', () => {
    const d = new FrameDecoder();
    const r = d.push(Buffer.alloc(4096, 0x41));
    expect(r.frames).toEqual([]);
    expect(r.issues.length).toBeGreaterThan(0);
    expect(d.pending).toBeLessThan(HEADER_BYTES);
  });
});

describe('a length field that lies', () => {
  it('too long: the NUL bytes of the next header inside the body prove it; the decoder resynchronises there at once', () => {
    const d = new FrameDecoder();
    const liar = Buffer.alloc(HEADER_BYTES);
    liar.writeUInt16BE(0, 0);
    liar.writeUInt16BE(60_000, 2);
    liar.write('9999', 4, 'ascii');
    const { frames, issues } = pushAll(d, [Buffer.concat([liar, Buffer.from('<Deliv'), encodeFrame(9999, xml(1)), encodeFrame(9999, xml(2))])]);
    expect(issues).toEqual(['badLength']);
    expect(frames.map((f) => f.xml)).toEqual([xml(1), xml(2)]);
    expect(d.pending).toBe(0);
  });

  it('too long, with the next frame arriving in a later read: found as soon as its header is there', () => {
    const d = new FrameDecoder();
    const liar = Buffer.alloc(HEADER_BYTES);
    liar.writeUInt16BE(0, 0);
    liar.writeUInt16BE(5_000, 2);
    liar.write('0001', 4, 'ascii');
    expect(d.push(Buffer.concat([liar, Buffer.from('<Sys')])).frames).toEqual([]);
    const good = encodeFrame(2, xml(3));
    const r = d.push(good);
    expect(r.issues.map((i) => i.reason)).toEqual(['badLength']);
    expect(r.frames.map((f) => f.xml)).toEqual([xml(3)]);
  });

  it('raises the alarm when the stream keeps breaking (the link is then made again)', async () => {
    const { FramingAlarm } = await import('../../src/pbx-adapters/csta/protocol/framing.ts');
    const a = new FramingAlarm(5, 10_000);
    expect(a.record(5, 0)).toBe(false);
    expect(a.record(1, 20_000)).toBe(false); // the old ones are out of the window
    expect(a.record(5, 20_001)).toBe(true);
  });
});

