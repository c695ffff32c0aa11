import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DATA_DEPTH, MAX_FRAME_BYTES, nestedDeeperThan, parseFrame, PRE_AUTH_MAX_FRAME_BYTES } from '../../src/gateway/protocol.ts';

const nest = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 1; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return depth > 0 ? { d: v } : leaf;
};

describe('frame limits', () => {
  it('before authentication a frame over 64 KiB is TOO_LARGE; after it up to 2 MiB is fine', () => {
    const text = JSON.stringify({ id: 1, op: 'auth.login', data: { username: 'a', password: 'p'.repeat(PRE_AUTH_MAX_FRAME_BYTES) } });
    expect(parseFrame(text, false, PRE_AUTH_MAX_FRAME_BYTES)).toMatchObject({ kind: 'protocolError', code: 'TOO_LARGE' });
    expect(parseFrame(text, false, MAX_FRAME_BYTES).kind).toBe('request');
  });

  it(`data nested deeper than ${MAX_DATA_DEPTH} levels is BAD_REQUEST with the request's id; up to it is fine`, () => {
    const ok = JSON.stringify({ id: 'x', op: 'call.setData', data: { callId: 'c', data: nest(MAX_DATA_DEPTH - 2) } });
    expect(parseFrame(ok, false).kind).toBe('request');
    const deep = JSON.stringify({ id: 'x', op: 'call.setData', data: { callId: 'c', data: nest(MAX_DATA_DEPTH) } });
    expect(parseFrame(deep, false)).toEqual({ kind: 'badRequest', id: 'x', message: `data is nested deeper than ${MAX_DATA_DEPTH} levels` });
    // A million levels (2 MiB of brackets) is refused, not a stack overflow.
    const huge = `{"id":2,"op":"call.setData","data":{"callId":"c","data":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}}`;
    expect(parseFrame(huge, false)).toMatchObject({ kind: 'badRequest', id: 2 });
  });

  it('nestedDeeperThan counts objects and arrays, not scalars', () => {
    expect(nestedDeeperThan({}, 1)).toBe(false);
    expect(nestedDeeperThan({ a: {} }, 1)).toBe(true);
    expect(nestedDeeperThan({ a: 'x'.repeat(10), b: [1, 2, 3] }, 2)).toBe(false);
    expect(nestedDeeperThan({ a: [[1]] }, 2)).toBe(true);
  });

  it('an op name longer than any op is cut before it is echoed back', () => {
    const r = parseFrame(JSON.stringify({ id: 1, op: 'x'.repeat(100_000) }), false);
    expect(r.kind === 'request' && r.request.op.length).toBeLessThan(100);
  });

  it('property: any text or bytes parse to exactly one outcome, never a throw', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.json({ maxDepth: 6 }),
      fc.jsonValue({ maxDepth: 6 }).map((data) => JSON.stringify({ id: 1, op: 'call.setData', data })),
      fc.record({ id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double()), op: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString')), data: fc.anything({ maxDepth: 4 }) }).map((o) => JSON.stringify(o) ?? ''),
    );
    fc.assert(
      fc.property(text, fc.boolean(), fc.boolean(), (s, binary, preAuth) => {
        const r = parseFrame(Buffer.from(s), binary, preAuth ? PRE_AUTH_MAX_FRAME_BYTES : MAX_FRAME_BYTES);
        expect(['request', 'badRequest', 'protocolError']).toContain(r.kind);
        if (r.kind === 'request') expect(typeof r.request.data).toBe('object');
      }),
      { numRuns: 2000 },
    );
  });
});
