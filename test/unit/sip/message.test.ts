/** SIP codec: RFC 4475 torture-test style cases that apply to us, malformed input, round trips. */
import { describe, expect, it } from 'vitest';
import {
  MAX_SIP_MESSAGE_BYTES,
  newBranch,
  newCallId,
  newTag,
  parseCSeq,
  parseNameAddr,
  parseSipMessage,
  parseVia,
  reasonPhrase,
  responseFor,
  serializeSip,
  SipHeaders,
  SipMessageTooLargeError,
  SipParseError,
  tagOf,
  type SipRequest,
} from '../../../src/pbx-adapters/sip/message.ts';
import { findHeaderEnd, readHead } from '../../../src/pbx-adapters/sip/message.ts';

const crlf = (lines: string[]): string => lines.join('\r\n');

/** A request with a correct Content-Length, in the style of RFC 4475. */
function raw(head: string[], body = ''): Buffer {
  return Buffer.from(crlf([...head, `Content-Length: ${Buffer.byteLength(body)}`, '', body]));
}

const BASIC = [
  'INFO sip:csta@192.0.2.10:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKabc;rport',
  'Max-Forwards: 70',
  'From: <sip:switchboard@192.0.2.1>;tag=aaa',
  'To: <sip:csta@192.0.2.10>;tag=bbb',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 2 INFO',
  'Content-Type: application/csta+xml',
];

function parseError(buf: Buffer): SipParseError {
  try {
    parseSipMessage(buf);
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  throw new Error('parsed without error');
}

describe('parseSipMessage: what RFC 4475 says a parser must cope with', () => {
  it('reads the "wsinv" style request: case, whitespace around colons and slashes, folding, compact forms, escaped quotes', () => {
    const body = 'v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.3\r\n';
    const msg = Buffer.from(crlf([
      'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0',
      'TO :',
      ' sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n',
      'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>',
      '  ;',
      '  tag = 98asjd8',
      'MaX-fOrWaRdS: 0068',
      'Call-ID: wsinv.ndaksdj@192.0.2.1',
      `Content-Length   : ${Buffer.byteLength(body)}`,
      'cseq: 0009',
      '  INVITE',
      'Via  : SIP  /   2.0',
      ' /UDP',
      '    192.0.2.2;branch=390skdjuw',
      's :',
      'NewFangledHeader:   newfangled value',
      ' continued newfangled value',
      'UnknownHeaderWithUnusualValue: ;;,,;;,;',
      'Content-Type: application/sdp',
      'Route:',
      ' <sip:services.example.com;lr;unknownwith=value;unknown-no-value>',
      'v:  SIP  / 2.0  / TCP     spindle.example.com   ;',
      '  branch  =   z9hG4bK9ikj8  ,',
      ' SIP  /    2.0   / UDP  192.168.255.111   ; branch=',
      ' z9hG4bK30239',
      'm:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =',
      '      newvalue ;',
      '  secondparam ; q = 0.33',
      '',
      body,
    ]));
    const m = parseSipMessage(msg);
    expect(m.kind).toBe('request');
    if (m.kind !== 'request') return;
    expect(m.method).toBe('INVITE');
    expect(m.uri).toBe('sip:vivekg@chair-dnrc.example.com;unknownparam');
    expect(m.body.toString()).toBe(body);
    const h = m.headers;
    expect(h.get('max-forwards')).toBe('0068');
    expect(h.get('i')).toBe('wsinv.ndaksdj@192.0.2.1');
    expect(parseCSeq(h.get('CSeq')!)).toEqual({ seq: 9, method: 'INVITE' });
    expect(h.get('Subject')).toBe('');
    expect(h.get('newfangledheader')).toBe('newfangled value continued newfangled value');
    expect(h.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    const vias = h.getAll('v').map(parseVia);
    expect(vias.map((v) => [v.transport, v.host, v.params['branch']])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(parseNameAddr(h.get('To')!)).toEqual({ uri: 'sip:vivekg@chair-dnrc.example.com', params: { tag: '1918181833n' } });
    const from = parseNameAddr(h.get('f')!);
    expect(from.display).toBe('J Rosenberg \\"');
    expect(from.params['tag']).toBe('98asjd8');
    const contact = parseNameAddr(h.getAll('Contact')[0]!);
    expect(contact).toEqual({ display: 'Quoted string ""', uri: 'sip:jdrosen@example.com', params: { newparam: 'newvalue', secondparam: true, q: '0.33' } });
    expect(parseNameAddr(h.getAll('Route')[0]!).uri).toBe('sip:services.example.com;lr;unknownwith=value;unknown-no-value');
    // names come out long and in their usual spelling
    expect(h.entries().map(([n]) => n)).toContain('Call-ID');
    expect(h.entries().map(([n]) => n)).toContain('CSeq');
  });

  it('reads a response, the reason phrase with spaces, and ignores CRLFs before the start line', () => {
    const m = parseSipMessage(Buffer.from('\r\n\r\n' + crlf([
      'SIP/2.0 481 Call/Transaction Does Not Exist',
      'Via: SIP/2.0/TCP [2001:db8::9]:5061;branch=z9hG4bKx',
      'From: <sip:a@b>;tag=1', 'To: <sip:c@d>;tag=2', 'Call-ID: x', 'CSeq: 1 INFO', 'Content-Length: 0', '', '',
    ])));
    expect(m).toMatchObject({ kind: 'response', status: 481, reason: 'Call/Transaction Does Not Exist' });
    expect(parseVia(m.headers.get('Via')!)).toMatchObject({ transport: 'TCP', host: '[2001:db8::9]', port: 5061 });
  });

  it('takes Content-Length as the body extent: absent on UDP → the rest of the datagram; longer datagram → trailing bytes ignored', () => {
    const noLength = Buffer.from(crlf([...BASIC, '', '<x/>']));
    expect(parseSipMessage(noLength).body.toString()).toBe('<x/>');
    const trailing = Buffer.concat([raw(BASIC, '<x/>'), Buffer.from('garbage after the body')]);
    expect(parseSipMessage(trailing).body.toString()).toBe('<x/>');
  });

  it('splits several Via in one field, keeps several Via fields in order, and Record-Route likewise', () => {
    const m = parseSipMessage(raw([
      ...BASIC.slice(0, 2),
      'Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP p2.example.com:5080;branch=z9hG4bK2',
      'Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr;x="a,b">',
      ...BASIC.slice(2),
    ]));
    expect(m.headers.getAll('Via').map((v) => parseVia(v).host)).toEqual(['192.0.2.1', 'p1.example.com', 'p2.example.com']);
    expect(m.headers.getAll('Record-Route')).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr;x="a,b">']);
  });
});

describe('parseSipMessage: malformed input', () => {
  it('no start line (a header first) → 400', () => {
    const e = parseError(raw(BASIC.slice(1)));
    expect([e.code, e.status]).toEqual(['SIP_MALFORMED', 400]);
  });

  it('a SIP version other than 2.0 → 505, and a mangled one → 400, with the method known', () => {
    const e = parseError(raw(['INVITE sip:t.watson@example.org SIP/7.0', ...BASIC.slice(1, -2), 'CSeq: 1 INVITE']));
    expect(e.status).toBe(505);
    expect(e.partial?.method).toBe('INVITE');
    expect(parseError(raw(['INFO sip:a@b SIP/2.0x', ...BASIC.slice(1)])).status).toBe(400);
  });

  it.each([['-999'], ['abc'], ['12 34'], ['0x10']])('Content-Length %s → 400', (cl) => {
    const e = parseError(Buffer.from(crlf([...BASIC, `Content-Length: ${cl}`, '', '<x/>'])));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/Content-Length/);
  });

  it('a body shorter than Content-Length → 400', () => {
    const e = parseError(Buffer.from(crlf([...BASIC, 'Content-Length: 9999', '', '<x/>'])));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/shorter/);
  });

  it('a header line without a colon → 400, and what could be read is there to answer it', () => {
    const e = parseError(raw([...BASIC.slice(0, 3), 'This line has no colon', ...BASIC.slice(3)]));
    expect(e.status).toBe(400);
    expect(e.partial?.isRequest).toBe(true);
    expect(e.partial?.method).toBe('INFO');
    expect(e.partial?.headers?.get('Call-ID')).toBe('c1@192.0.2.1');
    expect(e.partial?.headers?.get('CSeq')).toBe('2 INFO');
  });

  it('a missing Call-ID, a CSeq whose method is not the request\'s, two Call-IDs → 400', () => {
    expect(parseError(raw(BASIC.filter((l) => !l.startsWith('Call-ID')))).message).toMatch(/Call-ID/);
    expect(parseError(raw(BASIC.map((l) => (l.startsWith('CSeq') ? 'CSeq: 2 INVITE' : l)))).message).toMatch(/CSeq method/);
    expect(parseError(raw([...BASIC, 'i: other@x'])).status).toBe(400);
  });

  it('no empty line after the headers → 400', () => {
    expect(parseError(Buffer.from(crlf(BASIC) + '\r\n')).status).toBe(400);
  });

  it('an oversized message → 513; a Content-Length beyond the limit → 413', () => {
    const big = parseError(raw(BASIC, 'x'.repeat(MAX_SIP_MESSAGE_BYTES)));
    expect([big.code, big.status]).toEqual(['SIP_TOO_LARGE', 513]);
    expect(big.partial?.headers?.get('Via')).toContain('z9hG4bKabc');
    const declared = parseError(Buffer.from(crlf([...BASIC, 'Content-Length: 70000', '', '<x/>'])));
    expect([declared.code, declared.status]).toEqual(['SIP_TOO_LARGE', 413]);
  });
});

describe('serializeSip', () => {
  it('round-trips a request and a response, setting Content-Length from the body', () => {
    const req = parseSipMessage(raw(BASIC, '<SystemStatus/>')) as SipRequest;
    req.headers.set('Content-Length', '999');
    const again = parseSipMessage(serializeSip(req));
    expect(again.headers.get('Content-Length')).toBe('15');
    expect(again.headers.entries()).toEqual(req.headers.clone().set('Content-Length', '15').entries());
    expect(again.body.toString()).toBe('<SystemStatus/>');
    const res = responseFor(req, 200, undefined, { body: Buffer.from('<ok/>'), contentType: 'application/csta+xml' });
    const back = parseSipMessage(serializeSip(res));
    expect(back).toMatchObject({ kind: 'response', status: 200, reason: 'OK' });
    expect(back.body.toString()).toBe('<ok/>');
  });

  it('writes UTF-8 bodies by bytes and compact names as long ones', () => {
    const h = new SipHeaders([['v', 'SIP/2.0/UDP h;branch=z9hG4bK1'], ['f', '<sip:a@b>;tag=1'], ['t', '<sip:c@d>'], ['i', 'x'], ['CSEQ', '1 INFO']]);
    const bytes = serializeSip({ kind: 'request', method: 'INFO', uri: 'sip:c@d', headers: h, body: Buffer.from('é') });
    const text = bytes.toString();
    expect(text).toContain('Via: SIP/2.0/UDP');
    expect(text).toContain('Call-ID: x');
    expect(text).toContain('CSeq: 1 INFO');
    expect(text).toContain('Content-Length: 2\r\n\r\né');
  });

  it('refuses a message past the limit with SipMessageTooLargeError, saying by how much', () => {
    const req = parseSipMessage(raw(BASIC)) as SipRequest;
    req.body = Buffer.alloc(MAX_SIP_MESSAGE_BYTES);
    expect(() => serializeSip(req)).toThrow(SipMessageTooLargeError);
    try {
      serializeSip(req);
    } catch (e) {
      expect((e as SipMessageTooLargeError).code).toBe('SIP_MESSAGE_TOO_LARGE');
      expect((e as SipMessageTooLargeError).bytes).toBeGreaterThan(MAX_SIP_MESSAGE_BYTES);
    }
  });
});

describe('SipHeaders names', () => {
  it('finds a field by any spelling, compact or padded, and keeps working past the name cache', () => {
    const h = new SipHeaders();
    h.append(' v ', 'SIP/2.0/TCP a;branch=z9hG4bK1').append('CALL-ID', 'x@y').append('content-type', 'application/csta+xml');
    expect(h.get('Via')).toBe('SIP/2.0/TCP a;branch=z9hG4bK1');
    expect(h.get('i')).toBe('x@y');
    expect(h.get('c')).toBe('application/csta+xml');
    // A peer inventing 3,000 names (more than the cache holds): each is still stored and found as written.
    const many = new SipHeaders();
    for (let i = 0; i < 3000; i++) many.append(`X-Made-Up-${i}`, String(i));
    expect(many.get('x-made-up-0')).toBe('0');
    expect(many.get('X-MADE-UP-2999')).toBe('2999');
    expect(h.get('Call-Id')).toBe('x@y');
  });
});

describe('responseFor and helpers', () => {
  const req = parseSipMessage(raw([
    'INVITE sip:csta@192.0.2.10 SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa, SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKb',
    'Record-Route: <sip:proxy.example.com;lr>',
    'From: "CTI" <sip:switchboard@192.0.2.1>;tag=aaa', 'To: <sip:csta@192.0.2.10>', 'Call-ID: c9@x', 'CSeq: 1 INVITE',
    'Max-Forwards: 70',
  ])) as SipRequest;

  it('copies every Via in order, From, To with a tag, Call-ID, CSeq; Record-Route on a 2xx', () => {
    const ok = responseFor(req, 200, undefined, { toTag: 'sw1' });
    expect(ok.reason).toBe('OK');
    expect(ok.headers.getAll('Via')).toEqual(req.headers.getAll('Via'));
    expect(ok.headers.get('To')).toBe('<sip:csta@192.0.2.10>;tag=sw1');
    expect(ok.headers.get('From')).toBe(req.headers.get('From'));
    expect(ok.headers.get('Call-ID')).toBe('c9@x');
    expect(ok.headers.get('CSeq')).toBe('1 INVITE');
    expect(ok.headers.get('Record-Route')).toBe('<sip:proxy.example.com;lr>');
    expect(responseFor(req, 100).headers.get('To')).toBe('<sip:csta@192.0.2.10>');
    expect(responseFor(req, 486).headers.has('Record-Route')).toBe(false);
    expect(parseNameAddr(responseFor(req, 486).headers.get('To')!).params['tag']).toMatch(/^[0-9a-f]{12}$/);
  });

  it('reason phrases, branches, tags, Call-IDs', () => {
    expect(reasonPhrase(481)).toBe('Call/Transaction Does Not Exist');
    expect(reasonPhrase(499)).toBe('Bad Request');
    // The magic cookie, 80 random bits of this process, a counter: all token characters (§25.1).
    expect(newBranch()).toMatch(/^z9hG4bK[0-9a-f]{20}\.[0-9a-z]+$/);
    const branches = Array.from({ length: 1000 }, () => newBranch());
    expect(new Set(branches).size).toBe(1000);
    expect(new Set(branches.map((b) => b.slice(0, 27))).size).toBe(1);
    expect(newTag()).not.toBe(newTag());
    expect(newCallId('192.0.2.1')).toMatch(/@192\.0\.2\.1$/);
    expect(() => parseCSeq('1')).toThrow();
    expect(() => parseCSeq('2147483648 INFO')).toThrow();
  });

  it('SipHeaders: set replaces in place, prepend goes before its kind, delete and has', () => {
    const h = new SipHeaders([['Via', 'a'], ['From', 'f'], ['Via', 'b']]);
    h.prepend('v', 'top');
    expect(h.getAll('Via')).toEqual(['top', 'a', 'b']);
    h.set('From', 'g');
    expect(h.entries()[2]).toEqual(['From', 'g']);
    h.delete('VIA');
    expect(h.has('v')).toBe(false);
    expect(h.entries()).toEqual([['From', 'g']]);
  });

  it('SipHeaders: first, count, replaceFirst and wireHead agree with getAll, set and serialisation', () => {
    const h = new SipHeaders([['Via', 'SIP/2.0/TCP a;branch=z9hG4bK1, SIP/2.0/TCP b;branch=z9hG4bK2'], ['l', '99'], ['Via', 'SIP/2.0/TCP c'], ['From', '<sip:x>;tag=1']]);
    expect(h.first('Via')).toBe(h.getAll('Via')[0]);
    expect(h.first('Contact')).toBeUndefined();
    expect(h.first('From')).toBe('<sip:x>;tag=1');
    expect(h.count('Via')).toBe(2); // fields, not list elements
    expect(h.count('Route')).toBe(0);
    expect(h.replaceFirst('From', ' <sip:y>;tag=2 ')).toBe(true);
    expect(h.get('From')).toBe('<sip:y>;tag=2');
    expect(h.replaceFirst('Route', 'r')).toBe(false);
    // Content-Length where the first one stood, from the body; the rest as written.
    expect(h.wireHead('INFO sip:x SIP/2.0', 5)).toBe(
      'INFO sip:x SIP/2.0\r\nVia: SIP/2.0/TCP a;branch=z9hG4bK1, SIP/2.0/TCP b;branch=z9hG4bK2\r\nContent-Length: 5\r\nVia: SIP/2.0/TCP c\r\nFrom: <sip:y>;tag=2\r\n\r\n',
    );
    expect(new SipHeaders([['To', 't']]).wireHead('SIP/2.0 200 OK', 0)).toBe('SIP/2.0 200 OK\r\nTo: t\r\nContent-Length: 0\r\n\r\n');
  });

  it('splits list values on top-level commas only, with or without quotes and angle brackets', () => {
    const h = new SipHeaders([
      ['Contact', ' <sip:a@x;p="1,2">;q=0.5 ,"B, the second" <sip:b@x> '],
      ['Allow', 'INVITE, ACK,,BYE'],
      ['Supported', '  '],
      ['Via', 'SIP/2.0/UDP h;branch=z9hG4bKx'],
    ]);
    expect(h.getAll('Contact')).toEqual(['<sip:a@x;p="1,2">;q=0.5', '"B, the second" <sip:b@x>']);
    expect(h.getAll('Allow')).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(h.getAll('Supported')).toEqual([]);
    expect(h.first('Contact')).toBe('<sip:a@x;p="1,2">;q=0.5');
    expect(parseVia(h.first('Via')!).params).toEqual({ branch: 'z9hG4bKx' });
  });

  it('reads a tag the same way on every call (From/To values are remembered), and none where there is none', () => {
    for (let i = 0; i < 3; i++) {
      expect(tagOf('"A" <sip:a@x;tag=no>;tag=yes')).toBe('yes');
      expect(tagOf('<sip:a@x>')).toBeUndefined();
      expect(tagOf('<sip:a@x')).toBeUndefined(); // unreadable
      expect(tagOf(undefined)).toBeUndefined();
    }
    // Past the bound the memory starts again, and answers stay right.
    for (let i = 0; i < 1200; i++) expect(tagOf(`<sip:u${i}@x>;tag=t${i}`)).toBe(`t${i}`);
    expect(tagOf('"A" <sip:a@x;tag=no>;tag=yes')).toBe('yes');
  });

  it('finds the end of the head at the first CRLFCRLF, or a bare LFLF only when it comes before it', () => {
    expect(findHeaderEnd(Buffer.from('A\r\nB\r\n\r\nbody\n\nmore'))).toEqual({ headerEnd: 4, bodyStart: 8 });
    expect(findHeaderEnd(Buffer.from('A\nB\n\nbody\r\n\r\n'))).toEqual({ headerEnd: 3, bodyStart: 5 });
    expect(findHeaderEnd(Buffer.from('A\r\nB\r\n'))).toBeNull();
    expect(findHeaderEnd(Buffer.from('x\r\n\r\nA\nB\n\n'), 5)).toEqual({ headerEnd: 8, bodyStart: 10 });
  });

  it('reads a head split on LF with or without CR, a lone CR kept at the very end', () => {
    const head = readHead('\r\n\nINFO sip:x SIP/2.0\r\nTo: a\n  folded\r\nX-A: 1\r');
    expect(head.start).toBe('INFO sip:x SIP/2.0');
    expect(head.headers.get('To')).toBe('a folded');
    expect(head.headers.get('X-A')).toBe('1'); // trimmed like every value
    expect(head.problem).toBeUndefined();
    // A continuation with no field before it is a line of its own: read when it has a name…
    expect(readHead('INFO sip:x SIP/2.0\r\n X-B: 2').headers.get('X-B')).toBe('2');
    expect(readHead('INFO sip:x SIP/2.0\r\n bad line').problem).toMatch(/without a name and colon/);
    expect(readHead('INFO sip:x SIP/2.0\r\nno colon here').problem).toMatch(/without a name and colon/);
  });
});
