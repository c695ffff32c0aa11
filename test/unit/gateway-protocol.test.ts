import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, parseFrame } from '../../src/gateway/protocol.ts';
import { TokenBucket } from '../../src/gateway/rate-limit.ts';
import { Session } from '../../src/gateway/session.ts';

describe('parseFrame', () => {
  it('accepts a request and defaults data to {}', () => {
    expect(parseFrame(Buffer.from('{"id":1,"op":"session.ping"}'), false)).toEqual({ kind: 'request', request: { id: 1, op: 'session.ping', data: {} } });
    expect(parseFrame('{"id":"a","op":"x","data":{"k":1}}', false)).toMatchObject({ kind: 'request', request: { id: 'a', data: { k: 1 } } });
  });
  it.each([
    ['not JSON', '{"id":', 'BAD_REQUEST'],
    ['an array', '[1]', 'BAD_REQUEST'],
    ['a string', '"hi"', 'BAD_REQUEST'],
    ['null', 'null', 'BAD_REQUEST'],
    ['no id', '{"op":"x"}', 'BAD_REQUEST'],
    ['an object id', '{"id":{},"op":"x"}', 'BAD_REQUEST'],
  ])('closes the protocol on %s', (_what, text, code) => {
    expect(parseFrame(text, false)).toMatchObject({ kind: 'protocolError', code });
  });
  it('answers a request with an id but no op or a bad data with an error response', () => {
    expect(parseFrame('{"id":3}', false)).toEqual({ kind: 'badRequest', id: 3, message: 'request has no op' });
    expect(parseFrame('{"id":3,"op":"x","data":[1]}', false)).toMatchObject({ kind: 'badRequest', id: 3 });
  });
  it('refuses binary frames and frames over 2 MiB', () => {
    expect(parseFrame(Buffer.from('{"id":1,"op":"x"}'), true)).toMatchObject({ kind: 'protocolError', code: 'BAD_REQUEST' });
    expect(parseFrame(Buffer.alloc(MAX_FRAME_BYTES + 1, 0x20), false)).toMatchObject({ kind: 'protocolError', code: 'TOO_LARGE' });
    expect(parseFrame(`{"id":1,"op":"x","data":{"s":"${'a'.repeat(MAX_FRAME_BYTES - 40)}"}}`, false).kind).toBe('request');
  });
});

describe('TokenBucket', () => {
  it('allows the burst, refills at the rate, and calls a client abusive after a burst of refusals', () => {
    const b = new TokenBucket(3, 2, 0);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual(['ok', 'ok', 'ok']);
    expect(b.take(0)).toBe('limited');
    expect(b.take(500)).toBe('ok'); // 0.5 s at 2/s = one token
    expect(b.take(500)).toBe('limited');
    expect(b.take(500)).toBe('limited');
    expect(b.take(500)).toBe('limited');
    expect(b.take(500)).toBe('abusive');
  });
});

describe('Session event buffer', () => {
  const user = { id: 1, username: 'a1001', displayName: 'A', roles: ['agent' as const] };
  it('numbers events from 1 and replays exactly those after lastSeq', () => {
    const s = new Session(user, Infinity, { bufferEvents: 5, bufferBytes: 1e6 });
    for (let i = 0; i < 3; i++) s.emit('e', `{"i":${i}}`, 0);
    expect(s.seq).toBe(3);
    expect(s.since(1)!.map((f) => JSON.parse(f).seq)).toEqual([2, 3]);
    expect(s.since(3)).toEqual([]);
    expect(s.since(0)!.map((f) => JSON.parse(f).data.i)).toEqual([0, 1, 2]);
  });
  it('says null when the gap is no longer buffered (count or bytes)', () => {
    const s = new Session(user, Infinity, { bufferEvents: 5, bufferBytes: 1e6 });
    for (let i = 0; i < 8; i++) s.emit('e', '{}', 0);
    expect(s.since(2)).toBeNull(); // 3 is gone; 4..8 kept
    expect(s.since(3)!.map((f) => JSON.parse(f).seq)).toEqual([4, 5, 6, 7, 8]);
    const small = new Session(user, Infinity, { bufferEvents: 100, bufferBytes: 300 });
    for (let i = 0; i < 10; i++) small.emit('e', `{"pad":"${'x'.repeat(50)}"}`, 0);
    expect(small.since(0)).toBeNull();
    expect(small.since(9)!.length).toBe(1);
  });
});
