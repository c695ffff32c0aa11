/**
 * Argument checks at the edge of the CSTA adapter, before anything goes on the wire: ids and
 * numbers are non-empty text without control characters (and short enough that no message can
 * approach the 64 KiB frame limit); DTMF digits are [0-9*#A-D].
 */
import type { ConnectionId } from './protocol/types.ts';

export const MAX_ID_LENGTH = 256;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const DTMF = /^[0-9*#A-D]+$/;

/** A command argument the adapter refuses to send. `code` matches the core's BAD_REQUEST. */
export class PbxArgumentError extends TypeError {
  readonly code = 'BAD_REQUEST';
  constructor(message: string) {
    super(message);
    this.name = 'PbxArgumentError';
  }
}

export function checkText(value: unknown, what: string, maxLength = MAX_ID_LENGTH): string {
  if (typeof value !== 'string' || value.length === 0) throw new PbxArgumentError(`${what} must be non-empty text`);
  if (value.length > maxLength) throw new PbxArgumentError(`${what} is longer than ${maxLength} characters`);
  if (CONTROL.test(value)) throw new PbxArgumentError(`${what} contains control characters`);
  return value;
}

/** Text to be spoken: line breaks and tabs allowed (read as spaces by a synthesiser), no other
 * control characters. */
export function checkSpeech(value: unknown, what: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0) throw new PbxArgumentError(`${what} must be non-empty text`);
  if (value.length > maxLength) throw new PbxArgumentError(`${what} is longer than ${maxLength} characters`);
  if (CONTROL.test(value.replace(/[\t\n\r]/g, ' '))) throw new PbxArgumentError(`${what} contains control characters`);
  return value;
}

export function checkConnection(conn: unknown, what: string): ConnectionId {
  if (conn === null || typeof conn !== 'object') throw new PbxArgumentError(`${what} must be a connection {callId, deviceId}`);
  const c = conn as Record<string, unknown>;
  return { callId: checkText(c.callId, `${what}.callId`), deviceId: checkText(c.deviceId, `${what}.deviceId`) };
}

export function checkDigits(value: unknown): string {
  const digits = checkText(value, 'digits');
  if (!DTMF.test(digits)) throw new PbxArgumentError('digits must be DTMF characters 0-9 * # A-D');
  return digits;
}

export function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new PbxArgumentError(`${what} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}
