/**
 * A header whose length lies, then a sound frame arriving in a later TCP read: the NUL that proves
 * the length wrong is the sound frame's second header byte (its first sits inside the lying
 * header's 8 bytes), so the decoder must resynchronise from the byte before, not after it.
 * Found by the CSTA fuzz (test/integration/csta-fuzz-…); before, the sound frame was lost.
 */
import { expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from '../../src/pbx-adapters/csta/protocol/framing.ts';

const lying = (length: number, tail = 7) => {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0, 0);
  h.writeUInt16BE(length, 2);
  h.write('0005', 4, 'ascii');
  return h.subarray(0, 8 - (7 - tail));
};

it.each([0, 3, 7])('a header claiming %i bytes, then a sound frame in the next read: the sound frame is decoded', (length) => {
  const d = new FrameDecoder();
  const first = d.push(lying(length));
  const second = d.push(encodeFrame(6, '<SystemStatus><systemStatus>normal</systemStatus></SystemStatus>'));
  const frames = [...first.frames, ...second.frames];
  expect(frames.map((f) => f.invokeId)).toEqual([6]);
  expect(first.issues.length + second.issues.length).toBeGreaterThan(0);
});

it('a body that is not UTF-8 under a sound header: the issue carries the invoke id (the request is answered)', () => {
  const d = new FrameDecoder();
  const body = Buffer.from([0x3c, 0x61, 0xff, 0x3e]);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0, 0);
  h.writeUInt16BE(8 + body.length, 2);
  h.write('0042', 4, 'ascii');
  const { frames, issues } = d.push(Buffer.concat([h, body]));
  expect(frames).toEqual([]);
  expect(issues).toMatchObject([{ reason: 'badUtf8', invokeId: 42 }]);
});
