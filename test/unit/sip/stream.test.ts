/** SIP over a stream: framing by Content-Length at any read boundary, keep-alive pings, fatal errors. */
import { describe, expect, it } from 'vitest';
import { SipStreamParser, type SipMessage } from '../../../src/pbx-adapters/sip/message.ts';

function msg(seq: number, body: string): Buffer {
  return Buffer.from([
    'INFO sip:csta@192.0.2.10 SIP/2.0',
    `Via: SIP/2.0/TCP 192.0.2.1:5070;branch=z9hG4bK${seq}`,
    'From: <sip:cti@192.0.2.1>;tag=a', 'To: <sip:csta@192.0.2.10>;tag=b', 'Call-ID: s@x', `CSeq: ${seq} INFO`,
    `Content-Length: ${Buffer.byteLength(body)}`, '', body,
  ].join('\r\n'));
}

function feed(p: SipStreamParser, chunks: Buffer[]): { messages: SipMessage[]; errors: string[]; fatal: boolean; pings: number } {
  const messages: SipMessage[] = [];
  const errors: string[] = [];
  let fatal = false;
  let pings = 0;
  for (const c of chunks) {
    const r = p.push(c);
    messages.push(...r.messages);
    errors.push(...r.errors.map((e) => `${e.status} ${e.message}`));
    fatal ||= r.errors.some((e) => e.fatal);
    pings += r.pings;
  }
  return { messages, errors, fatal, pings };
}

const bodies = (ms: SipMessage[]): string[] => ms.map((m) => m.body.toString());

describe('SipStreamParser', () => {
  const two = Buffer.concat([msg(1, '<a>first</a>'), msg(2, '<b>second, with\r\n\r\nblank lines</b>')]);

  it('frames two pipelined messages split at every byte position', () => {
    for (let i = 0; i <= two.length; i++) {
      const r = feed(new SipStreamParser(), [two.subarray(0, i), two.subarray(i)]);
      expect(r.errors, `split at ${i}`).toEqual([]);
      expect(bodies(r.messages), `split at ${i}`).toEqual(['<a>first</a>', '<b>second, with\r\n\r\nblank lines</b>']);
    }
  });

  it('frames them fed one byte at a time', () => {
    const chunks = [...two].map((b) => Buffer.from([b]));
    expect(bodies(feed(new SipStreamParser(), chunks).messages)).toHaveLength(2);
  });

  it('skips RFC 5626 CRLF keep-alives before, between and after messages, and counts the pings, split ones too', () => {
    const ping = Buffer.from('\r\n\r\n');
    const bytes = Buffer.concat([ping, msg(1, 'x'), ping, ping, msg(2, 'y'), ping]);
    const r = feed(new SipStreamParser(), [bytes]);
    expect(bodies(r.messages)).toEqual(['x', 'y']);
    expect(r.pings).toBe(4);
    const split = feed(new SipStreamParser(), [Buffer.from('\r\n'), Buffer.from('\r\n'), msg(3, 'z')]);
    expect(split.pings).toBe(1);
    expect(bodies(split.messages)).toEqual(['z']);
  });

  it('a malformed but framed message is one error; the stream goes on', () => {
    const bad = Buffer.from(msg(1, 'x').toString().replace('CSeq: 1 INFO', 'CSeq: one INFO'));
    const r = feed(new SipStreamParser(), [Buffer.concat([bad, msg(2, 'ok')])]);
    expect(r.errors).toHaveLength(1);
    expect(r.fatal).toBe(false);
    expect(bodies(r.messages)).toEqual(['ok']);
  });

  it('no Content-Length, or a bad one, loses the stream: one fatal error, nothing parsed after', () => {
    const noCl = Buffer.from(msg(1, '').toString().replace('Content-Length: 0\r\n', ''));
    const r = feed(new SipStreamParser(), [noCl, msg(2, 'after')]);
    expect(r.fatal).toBe(true);
    expect(r.errors).toHaveLength(1);
    expect(r.messages).toEqual([]);
    const negative = Buffer.from(msg(1, 'x').toString().replace('Content-Length: 1', 'Content-Length: -1'));
    expect(feed(new SipStreamParser(), [negative]).fatal).toBe(true);
  });

  it('a header block past the limit with no end is fatal (513); a body past it is skipped (413) and the next message read', () => {
    const p = new SipStreamParser(1000);
    const r = feed(p, [Buffer.from('INFO sip:a@b SIP/2.0\r\nX-Long: ' + 'x'.repeat(2000))]);
    expect(r.fatal).toBe(true);
    expect(r.errors[0]).toMatch(/^513/);
    const q = new SipStreamParser(1000);
    const big = msg(1, 'y'.repeat(1500));
    const s = feed(q, [big.subarray(0, 700), big.subarray(700), msg(2, 'next')]);
    expect(s.fatal).toBe(false);
    expect(s.errors[0]).toMatch(/^413/);
    expect(bodies(s.messages)).toEqual(['next']);
  });
});
