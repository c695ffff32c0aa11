/**
 * SIP over a stream (TCP, RFC 3261 §18.3): frames messages out of arbitrary reads by their
 * mandatory Content-Length, pipelined messages included, and skips the CRLF keep-alives of
 * RFC 5626 §3.5.1 (a `\r\n\r\n` ping, counted so the flow can answer it with a `\r\n` pong).
 *
 * Errors come in two kinds. A message whose framing was sound but whose content is not (a bad
 * start line, a header without a colon) is one lost message: reported, and the stream goes on. A
 * message whose extent cannot be known (no or a bad Content-Length, a header block past the limit
 * with no end in sight) loses the stream: reported `fatal: true`, and nothing more is parsed — the
 * flow must be closed. A body past the limit with a sound Content-Length is skipped (413).
 */
import {
  findHeaderEnd,
  MAX_SIP_MESSAGE_BYTES,
  parseFramed,
  readContentLength,
  readHead,
  SipParseError,
  type SipMessage,
  type SipParsePartial,
} from './message.ts';

export interface SipStreamResult {
  messages: SipMessage[];
  errors: SipParseError[];
  /** RFC 5626 pings (`\r\n\r\n`) seen in this push. */
  pings: number;
}

const CR = 0x0d;
const LF = 0x0a;

export class SipStreamParser {
  private buf: Buffer = Buffer.alloc(0);
  /** Body bytes of an oversized message still to discard. */
  private discard = 0;
  private dead = false;

  constructor(private readonly maxBytes: number = MAX_SIP_MESSAGE_BYTES) {}

  /** Bytes held waiting for the rest of a message. */
  get buffered(): number {
    return this.buf.length;
  }

  push(chunk: Buffer): SipStreamResult {
    const out: SipStreamResult = { messages: [], errors: [], pings: 0 };
    if (this.dead) return out;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.discard > 0) {
        const n = Math.min(this.discard, this.buf.length);
        this.buf = this.buf.subarray(n);
        this.discard -= n;
        if (this.discard > 0) break;
      }
      if (!this.skipKeepAlives(out)) break;
      if (!this.nextMessage(out)) break;
    }
    if (this.buf.length === 0) this.buf = Buffer.alloc(0); // let a big read's memory go
    return out;
  }

  /** Drops CR/LF bytes before a start line; false when nothing else is buffered yet. A run at the
   * end of the buffer keeps its last incomplete ping, which the next read may complete. */
  private skipKeepAlives(out: SipStreamResult): boolean {
    let i = 0;
    while (i < this.buf.length && (this.buf[i] === CR || this.buf[i] === LF)) i++;
    if (i === 0) return this.buf.length > 0;
    const run = this.buf.subarray(0, i).toString('latin1');
    out.pings += run.split('\r\n\r\n').length - 1;
    if (i < this.buf.length) {
      this.buf = this.buf.subarray(i);
      return true;
    }
    const last = run.lastIndexOf('\r\n\r\n');
    this.buf = this.buf.subarray(last < 0 ? 0 : last + 4); // the rest may be half a ping
    return false;
  }

  /** Frames one message off the buffer; false when it needs more bytes or the stream is lost. */
  private nextMessage(out: SipStreamResult): boolean {
    const end = findHeaderEnd(this.buf);
    if (!end) {
      if (this.buf.length > this.maxBytes) {
        this.fatal(out, 513, `header block past ${this.maxBytes} bytes with no end`, this.buf.subarray(0, this.maxBytes));
      }
      return false;
    }
    const headBytes = this.buf.subarray(0, end.headerEnd);
    const head = readHead(headBytes.toString('utf8'));
    const cl = readContentLength(head.headers);
    if (cl === null || typeof cl === 'object') {
      this.fatal(out, 400, cl === null ? 'no Content-Length on a stream transport' : cl.bad, headBytes);
      return false;
    }
    const total = end.bodyStart + cl;
    if (total > this.maxBytes) {
      out.errors.push(new SipParseError('SIP_TOO_LARGE', end.bodyStart > this.maxBytes ? 513 : 413,
        `message of ${total} bytes exceeds ${this.maxBytes}; skipped`, partialOf(headBytes)));
      this.buf = this.buf.subarray(end.bodyStart);
      this.discard = cl;
      return true;
    }
    if (this.buf.length < total) return false;
    const bytes = this.buf.subarray(0, total);
    this.buf = this.buf.subarray(total);
    try {
      out.messages.push(parseFramed(bytes, end, head, { requireContentLength: true, maxBytes: this.maxBytes }));
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
      out.errors.push(e);
    }
    return true;
  }

  private fatal(out: SipStreamResult, status: 400 | 513, why: string, head: Buffer): void {
    out.errors.push(new SipParseError(status === 513 ? 'SIP_TOO_LARGE' : 'SIP_MALFORMED', status, why, partialOf(head), true));
    this.dead = true;
    this.buf = Buffer.alloc(0);
  }
}

/** What a header block says about itself, for an error answer. */
function partialOf(head: Buffer): SipParsePartial {
  const h = readHead(head.toString('utf8'));
  const m = /^([A-Za-z0-9.!%*_+`'~-]+) \S+ SIP\/\d+\.\d+$/i.exec(h.start);
  return m ? { isRequest: true, method: m[1]!, headers: h.headers } : { isRequest: !/^SIP\//i.test(h.start), headers: h.headers };
}
