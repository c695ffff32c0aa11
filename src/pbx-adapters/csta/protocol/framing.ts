/**
 * ECMA-323 Annex G framing ("CSTA XML without SOAP") over TCP.
 *
 * Each frame is an 8-byte header followed by the XML body:
 *   bytes 0-1  version, always 0x0000
 *   bytes 2-3  total length INCLUDING the header, big-endian (so a frame is at most 65,535 bytes)
 *   bytes 4-7  invoke id as 4 ASCII digits ("0001".."9998" for requests/responses, "9999" events)
 *
 * The decoder reassembles frames across TCP reads. A header that cannot be right (non-zero
 * version, length below 8, invoke id not digits) is reported as a `FramingIssue` and the decoder
 * resynchronises by scanning for the next plausible header instead of tearing the link down: a
 * corrupted frame costs one message, not every call on the link.
 *
 * A length field that is too long is the dangerous one: the decoder would wait for bytes that are
 * really the next frames, and the link would go deaf until the count is reached. XML never holds a
 * NUL byte (UTF-8 encodes no character but NUL with one) and every header starts with two, so a
 * NUL inside a frame's body proves its length wrong: the decoder resynchronises there at once
 * (`badLength`), whether the frame is still incomplete or not.
 */

export const HEADER_BYTES = 8;
export const MAX_FRAME_BYTES = 0xffff;
export const EVENT_INVOKE_ID = 9999;

export interface Frame {
  invokeId: number;
  xml: string;
}

export interface FramingIssue {
  reason: 'badHeader' | 'badInvokeId' | 'badUtf8' | 'badLength';
  detail: string;
  skippedBytes: number;
  /** `badUtf8`: the frame's header was sound, so its invoke id is known (a request that cannot
   * be read still gets an answer). */
  invokeId?: number;
}

export class FrameTooLargeError extends Error {
  readonly code = 'CSTA_FRAME_TOO_LARGE';
  constructor(readonly bytes: number) {
    super(`CSTA frame of ${bytes} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit of the 16-bit length field`);
  }
}

export function encodeFrame(invokeId: number, xml: string): Buffer {
  if (!Number.isInteger(invokeId) || invokeId < 0 || invokeId > 9999) {
    throw new RangeError(`invoke id ${invokeId} is not in 0..9999`);
  }
  const body = Buffer.from(xml, 'utf8');
  const total = HEADER_BYTES + body.length;
  if (total > MAX_FRAME_BYTES) throw new FrameTooLargeError(total);
  const frame = Buffer.allocUnsafe(total);
  frame.writeUInt16BE(0, 0);
  frame.writeUInt16BE(total, 2);
  frame.write(String(invokeId).padStart(4, '0'), 4, 4, 'ascii');
  body.copy(frame, HEADER_BYTES);
  return frame;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

/** True when `buf` at `at` looks like the start of a frame (used to resynchronise). */
function plausibleHeader(buf: Buffer, at: number): boolean {
  if (at + HEADER_BYTES > buf.length) return false;
  if (buf[at] !== 0 || buf[at + 1] !== 0) return false;
  if (buf.readUInt16BE(at + 2) < HEADER_BYTES + 1) return false;
  for (let i = 4; i < 8; i++) if (!isDigit(buf[at + i])) return false;
  // The body of every CSTA XML message starts with '<' (possibly after a BOM or whitespace).
  const first = buf[at + HEADER_BYTES];
  return first === undefined || first === 0x3c || first === 0xef || first === 0x20 || first === 0x0a || first === 0x0d;
}

/** Streaming decoder: push TCP chunks, get whole frames and framing issues back. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  push(chunk: Buffer): { frames: Frame[]; issues: FramingIssue[] } {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    const issues: FramingIssue[] = [];
    let pos = 0;
    while (this.buf.length - pos >= HEADER_BYTES) {
      const version = this.buf.readUInt16BE(pos);
      const length = this.buf.readUInt16BE(pos + 2);
      if (version !== 0 || length < HEADER_BYTES) {
        const next = this.resync(pos + 1);
        issues.push({ reason: 'badHeader', detail: `version=${version} length=${length}`, skippedBytes: next - pos });
        pos = next;
        continue;
      }
      // A NUL in the body: the length field overran into the next frame(s).
      const end = Math.min(pos + length, this.buf.length);
      const nul = this.buf.indexOf(0, pos + HEADER_BYTES);
      if (nul !== -1 && nul < end) {
        // The next frame's header starts with two NULs; the first may sit in the last byte of
        // this frame's header (found NUL at pos + 8): resynchronise from the byte before.
        const next = this.resync(Math.max(pos + 1, nul - 1));
        issues.push({ reason: 'badLength', detail: `length=${length} but a frame starts within it`, skippedBytes: next - pos });
        pos = next;
        continue;
      }
      if (this.buf.length - pos < length) break; // wait for the rest of the frame
      const idText = this.buf.toString('ascii', pos + 4, pos + 8);
      const bodyBytes = this.buf.subarray(pos + HEADER_BYTES, pos + length);
      if (!/^\d{4}$/.test(idText)) {
        issues.push({ reason: 'badInvokeId', detail: JSON.stringify(idText), skippedBytes: length });
      } else {
        try {
          frames.push({ invokeId: Number(idText), xml: this.utf8.decode(bodyBytes) });
        } catch {
          issues.push({ reason: 'badUtf8', detail: `invoke id ${idText}`, skippedBytes: length, invokeId: Number(idText) });
        }
      }
      pos += length;
    }
    this.buf = pos === 0 ? this.buf : this.buf.subarray(pos);
    if (this.buf.length > 0 && pos > 0) this.buf = Buffer.from(this.buf); // do not pin the big chunk
    return { frames, issues };
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  private resync(from: number): number {
    for (let at = from; at + HEADER_BYTES <= this.buf.length; at++) {
      if (plausibleHeader(this.buf, at)) return at;
    }
    // Keep the last few bytes: a header may be split across reads.
    return Math.max(from, this.buf.length - (HEADER_BYTES - 1));
  }
}

/** Frames whose length field lied, and other framing issues, per link: a few are skipped; many in
 * a short time mean the stream cannot be trusted and the link should be made again. */
export class FramingAlarm {
  private readonly times: number[] = [];

  constructor(
    private readonly max = 5,
    private readonly windowMs = 10_000,
  ) {}

  /** Records `n` issues at `now`; true when more than `max` fell within the window. */
  record(n: number, now: number): boolean {
    for (let i = 0; i < n; i++) this.times.push(now);
    while (this.times.length > 0 && now - this.times[0]! > this.windowMs) this.times.shift();
    if (this.times.length > this.max) {
      this.times.length = 0;
      return true;
    }
    return false;
  }
}
