/**
 * SIP messages (RFC 3261 §7, §18.3, §20): parse one whole message, serialise one, and build a
 * response to a request (§8.2.6). Pure: no I/O, no timers.
 *
 * Why our own codec, and which subset: docs/sip.md. The trade-off here is leniency where RFC 4475
 * says a parser should cope (folded lines, compact names, odd whitespace, CRLFs before the start
 * line) and a clean `SipParseError` everywhere else, carrying what could be read so a malformed
 * request can still be answered 400 (§21.4.1) rather than dropped.
 *
 * The TCP framing (Content-Length mandatory, pings, pipelining) is `stream.ts`, re-exported here.
 */
import { newTag, parseCSeq, SipHeaders, tagOf } from './headers.ts';

export { SipHeaders, parseVia, parseNameAddr, parseCSeq, newBranch, newTag, newCallId, newVia, sipHost, tagOf } from './headers.ts';
export { SipStreamParser } from './stream.ts';

export type SipTransportName = 'udp' | 'tcp';
export interface SipRequest { kind: 'request'; method: string; uri: string; headers: SipHeaders; body: Buffer }
export interface SipResponse { kind: 'response'; status: number; reason: string; headers: SipHeaders; body: Buffer }
export type SipMessage = SipRequest | SipResponse;

/** Whole message, either transport: what a 16-bit IP length can carry in one UDP datagram is
 * less (below), and we cap TCP at the same figure so a message fits either wire. */
export const MAX_SIP_MESSAGE_BYTES = 65_535;
/** 65 535 − 8 (UDP header) − 20 (IPv4 header). */
export const MAX_UDP_BYTES = 65_507;

export interface SipParsePartial { isRequest: boolean; method?: string; headers?: SipHeaders }

export class SipParseError extends Error {
  /** 400 malformed; 413 a body too large; 505 a SIP version other than 2.0; 513 a message too large. */
  readonly status: 400 | 413 | 505 | 513;
  constructor(
    readonly code: 'SIP_MALFORMED' | 'SIP_TOO_LARGE',
    status: 400 | 413 | 505 | 513,
    message: string,
    /** What could be read, so a 400 can still be sent. */
    readonly partial?: SipParsePartial,
    /** Stream only: the framing is lost, the flow must be closed. */
    readonly fatal = false,
  ) {
    super(message);
    this.name = 'SipParseError';
    this.status = status;
  }
}

export class SipMessageTooLargeError extends Error {
  readonly code = 'SIP_MESSAGE_TOO_LARGE';
  constructor(readonly bytes: number, readonly limit: number = MAX_SIP_MESSAGE_BYTES, why = 'the SIP message limit') {
    super(`SIP message of ${bytes} bytes exceeds ${why} (${limit} bytes); not sent (no fragmentation, no UDP→TCP failover: docs/sip.md)`);
    this.name = 'SipMessageTooLargeError';
  }
}

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

/** Where the header block ends and the body starts (CRLFCRLF, or a bare LFLF from a sloppy peer). */
export function findHeaderEnd(buf: Buffer, from = 0): { headerEnd: number; bodyStart: number } | null {
  const crlf = buf.indexOf(CRLFCRLF, from);
  // A bare LFLF counts only before the first CRLFCRLF: not searched past it (a stream buffer may
  // hold many messages, and none of them has an LFLF).
  const lf = crlf >= 0 ? buf.subarray(0, crlf).indexOf(LFLF, from) : buf.indexOf(LFLF, from);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return null;
}

export interface Head {
  start: string;
  headers: SipHeaders;
  /** The first problem met while reading the header lines (reading went on past it). */
  problem?: string;
}

/** Start line and header fields of a header block: CRLFs before the start line skipped (§7.5),
 * folded lines unfolded (§7.3.1), a line without a colon noted and skipped. */
export function readHead(text: string): Head {
  // split('\n') and a trailing CR dropped from every line but the last: /\r?\n/ without the regex.
  const lines = text.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(l.length - 1) === 0x0d) lines[i] = l.slice(0, -1);
  }
  let i = 0;
  while (i < lines.length && lines[i] === '') i++;
  const start = lines[i++] ?? '';
  const headers = new SipHeaders();
  let problem: string | undefined;
  const unfolded: string[] = [];
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const c = line.charCodeAt(0);
    if ((c === 0x20 || c === 0x09) && unfolded.length > 0) unfolded[unfolded.length - 1] += ' ' + line.trim();
    else if (line.length > 0) unfolded.push(line);
  }
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    if (colon < 0 || !TOKEN.test(name)) {
      problem ??= `header line without a name and colon: ${JSON.stringify(line.slice(0, 60))}`;
      continue;
    }
    headers.append(name, line.slice(colon + 1));
  }
  return problem === undefined ? { start, headers } : { start, headers, problem };
}

type StartLine =
  | { kind: 'request'; method: string; uri: string }
  | { kind: 'response'; status: number; reason: string }
  | { kind: 'bad'; isRequest: boolean; method?: string; status: 400 | 505; why: string };

function readStartLine(line: string): StartLine {
  const resp = /^SIP\/(\d+\.\d+) (\d{3}) ?(.*)$/i.exec(line);
  if (resp) {
    if (resp[1] !== '2.0') return { kind: 'bad', isRequest: false, status: 505, why: `SIP version ${resp[1]}` };
    const status = Number(resp[2]);
    if (status < 100 || status > 699) return { kind: 'bad', isRequest: false, status: 400, why: `status ${status}` };
    return { kind: 'response', status, reason: resp[3]!.trim() };
  }
  const parts = line.split(' ');
  const method = parts[0] ?? '';
  if (parts.length !== 3 || !TOKEN.test(method)) {
    return { kind: 'bad', isRequest: parts.length === 3, status: 400, why: `not a start line: ${JSON.stringify(line.slice(0, 80))}` };
  }
  const version = /^SIP\/(\d+\.\d+)$/i.exec(parts[2]!);
  if (!version) return { kind: 'bad', isRequest: true, method, status: 400, why: `bad version ${JSON.stringify(parts[2])}` };
  if (version[1] !== '2.0') return { kind: 'bad', isRequest: true, method, status: 505, why: `SIP version ${version[1]}` };
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(parts[1]!)) {
    return { kind: 'bad', isRequest: true, method, status: 400, why: `bad Request-URI ${JSON.stringify(parts[1])}` };
  }
  return { kind: 'request', method, uri: parts[1]! };
}

/** Content-Length: absent → null; present → digits only, every copy the same. */
export function readContentLength(headers: SipHeaders): number | null | { bad: string } {
  const all = headers.getAll('Content-Length');
  if (all.length === 0) return null;
  if (!all.every((v) => /^\d{1,10}$/.test(v))) return { bad: `Content-Length ${JSON.stringify(all.join(', '))}` };
  if (all.length > 1 && new Set(all.map(Number)).size > 1) return { bad: `conflicting Content-Length ${all.join(', ')}` };
  return Number(all[0]);
}

export interface ParseOptions {
  /** Stream transports: Content-Length must be present (§18.3). */
  requireContentLength?: boolean;
  maxBytes?: number;
}

/** One whole message (a UDP datagram, or a message the stream parser has framed). */
export function parseSipMessage(whole: Buffer, opts: ParseOptions = {}): SipMessage {
  const maxBytes = opts.maxBytes ?? MAX_SIP_MESSAGE_BYTES;
  let lead = 0; // §7.5: CRLFs before the start line are ignored
  while (lead < whole.length && (whole[lead] === 0x0d || whole[lead] === 0x0a)) lead++;
  const buf = whole.subarray(lead);
  const end = findHeaderEnd(buf);
  const headText = buf.subarray(0, end ? end.headerEnd : Math.min(buf.length, maxBytes)).toString('utf8');
  return parseFramed(buf, end, readHead(headText), opts);
}

/** A message whose header block is already read (the stream parser has framed it by reading its
 * head: not read twice). `buf` starts at the start line; `end` is where its head ends. */
export function parseFramed(buf: Buffer, end: { headerEnd: number; bodyStart: number } | null, head: Head, opts: ParseOptions = {}): SipMessage {
  const maxBytes = opts.maxBytes ?? MAX_SIP_MESSAGE_BYTES;
  const start = readStartLine(head.start);
  const isRequest = start.kind === 'request' || (start.kind === 'bad' && start.isRequest);
  const method = start.kind === 'request' ? start.method : start.kind === 'bad' ? start.method : undefined;
  const partial: SipParsePartial = { isRequest, headers: head.headers };
  if (method !== undefined) partial.method = method;
  const fail = (status: 400 | 413 | 505 | 513, why: string, code: 'SIP_MALFORMED' | 'SIP_TOO_LARGE' = 'SIP_MALFORMED'): never => {
    throw new SipParseError(code, status, why, partial);
  };

  if (buf.length > maxBytes) fail(513, `message of ${buf.length} bytes exceeds ${maxBytes}`, 'SIP_TOO_LARGE');
  if (start.kind === 'bad') fail(start.status, start.why);
  if (!end) fail(400, 'no empty line after the header fields');
  if (head.problem !== undefined) fail(400, head.problem);
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    if (!head.headers.has(name)) fail(400, `missing ${name}`);
  }
  let cseqMethod = '';
  try {
    cseqMethod = parseCSeq(head.headers.get('CSeq')!).method;
  } catch (e) {
    fail(400, (e as Error).message);
  }
  if (start.kind === 'request' && cseqMethod !== start.method) fail(400, `CSeq method ${cseqMethod} differs from ${start.method}`);
  for (const name of ['From', 'To', 'Call-ID', 'CSeq']) {
    if (head.headers.count(name) > 1) fail(400, `more than one ${name}`);
  }

  const declared = readContentLength(head.headers);
  if (declared !== null && typeof declared === 'object') fail(400, declared.bad);
  if (declared === null && opts.requireContentLength) fail(400, 'no Content-Length on a stream transport');
  const rest = buf.subarray(end!.bodyStart);
  let body = rest;
  if (typeof declared === 'number') {
    if (declared > maxBytes) fail(413, `Content-Length ${declared} exceeds ${maxBytes}`, 'SIP_TOO_LARGE');
    if (rest.length < declared) fail(400, `body of ${rest.length} bytes is shorter than Content-Length ${declared}`);
    body = rest.subarray(0, declared); // §18.3: bytes past Content-Length are not this message's
  }
  body = Buffer.from(body); // own the bytes: the datagram or stream buffer is reused
  return start.kind === 'request'
    ? { kind: 'request', method: start.method, uri: start.uri, headers: head.headers, body }
    : { kind: 'response', status: (start as { status: number }).status, reason: (start as { reason: string }).reason, headers: head.headers, body };
}

/** Wire bytes of a message; Content-Length set from the body. */
export function serializeSip(msg: SipMessage, maxBytes: number = MAX_SIP_MESSAGE_BYTES): Buffer {
  const start = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const head = msg.headers.wireHead(start, msg.body.length);
  const headBytes = Buffer.byteLength(head, 'utf8');
  const total = headBytes + msg.body.length;
  if (total > maxBytes) throw new SipMessageTooLargeError(total, maxBytes);
  const out = Buffer.allocUnsafe(total);
  out.write(head, 0, 'utf8');
  msg.body.copy(out, headBytes);
  return out;
}

const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 202: 'Accepted', 300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 408: 'Request Timeout', 410: 'Gone', 413: 'Request Entity Too Large',
  414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme', 420: 'Bad Extension',
  421: 'Extension Required', 422: 'Session Interval Too Small', 423: 'Interval Too Brief',
  480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected',
  483: 'Too Many Hops', 484: 'Address Incomplete', 486: 'Busy Here', 487: 'Request Terminated',
  488: 'Not Acceptable Here', 491: 'Request Pending', 500: 'Server Internal Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Server Time-out', 505: 'Version Not Supported',
  513: 'Message Too Large', 600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? REASONS[Math.floor(status / 100) * 100] ?? 'Unknown';
}

export interface ResponseOptions {
  /** The To tag to add when the request's To has none (a new one otherwise; never on a 100). */
  toTag?: string;
  headers?: [string, string][];
  body?: Buffer;
  contentType?: string;
}

/** A response to `req` per §8.2.6: every Via in order, From, To (tagged), Call-ID, CSeq; the
 * Record-Route too for 101–299 (§12.1.1: the route set of the dialog it may create). */
export function responseFor(req: SipRequest, status: number, reason?: string, opts: ResponseOptions = {}): SipResponse {
  const h = new SipHeaders();
  for (const via of req.headers.getAll('Via')) h.append('Via', via);
  if (status > 100 && status < 300) for (const rr of req.headers.getAll('Record-Route')) h.append('Record-Route', rr);
  h.append('From', req.headers.get('From') ?? '');
  let to = req.headers.get('To') ?? '';
  if (status !== 100 && tagOf(to) === undefined) to = `${to};tag=${opts.toTag ?? newTag()}`;
  h.append('To', to);
  h.append('Call-ID', req.headers.get('Call-ID') ?? '');
  h.append('CSeq', req.headers.get('CSeq') ?? '');
  for (const [n, v] of opts.headers ?? []) h.append(n, v);
  const body = opts.body ?? Buffer.alloc(0);
  if (opts.contentType !== undefined) h.set('Content-Type', opts.contentType);
  return { kind: 'response', status, reason: reason ?? reasonPhrase(status), headers: h, body };
}
