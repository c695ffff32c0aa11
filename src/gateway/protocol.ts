/**
 * The WebSocket envelope of ws-api.md: limits, close codes, and the parsing of a client frame into
 * a request — or into the protocol error that closes the socket.
 */

export const CLOSE = {
  NO_AUTH: 4001,
  AUTH_FAILED: 4002,
  TOKEN_EXPIRED: 4003,
  PROTOCOL: 4004,
  RATE_LIMIT: 4008,
  REPLACED: 4009,
} as const;

/** A frame above this closes the socket with 4004 (call data alone may be 1 MiB). */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024;
/** ws refuses frames above this by itself (close 1009); between the two we answer with 4004. */
export const WS_MAX_PAYLOAD = 16 * 1024 * 1024;
export const LOGIN_TIMEOUT_MS = 10_000;

export interface Request {
  id: string | number;
  op: string;
  data: Record<string, unknown>;
}

export type Parsed =
  | { kind: 'request'; request: Request }
  /** A frame we can answer with an error response (it has a usable id). */
  | { kind: 'badRequest'; id: string | number; message: string }
  /** A frame that breaks the protocol: error event, then close 4004. */
  | { kind: 'protocolError'; code: 'BAD_REQUEST' | 'TOO_LARGE'; message: string };

export function parseFrame(raw: Buffer | string, isBinary: boolean): Parsed {
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (bytes > MAX_FRAME_BYTES) return { kind: 'protocolError', code: 'TOO_LARGE', message: `frame of ${bytes} bytes exceeds ${MAX_FRAME_BYTES}` };
  if (isBinary) return { kind: 'protocolError', code: 'BAD_REQUEST', message: 'binary frames are not part of the protocol; send JSON text' };
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { kind: 'protocolError', code: 'BAD_REQUEST', message: 'frame is not valid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'protocolError', code: 'BAD_REQUEST', message: 'frame is not a JSON object' };
  }
  const o = value as Record<string, unknown>;
  const id = o.id;
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
    return { kind: 'protocolError', code: 'BAD_REQUEST', message: 'request has no id (string or number)' };
  }
  if (typeof o.op !== 'string' || o.op === '') return { kind: 'badRequest', id, message: 'request has no op' };
  const data = o.data === undefined ? {} : o.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { kind: 'badRequest', id, message: 'data must be a JSON object' };
  return { kind: 'request', request: { id, op: o.op, data: data as Record<string, unknown> } };
}
