/**
 * The WebSocket envelope of ws-api.md: limits, close codes, and the parsing of a client frame into
 * a request — or into the protocol error that closes the socket.
 *
 * Limits beyond the spec's: before the connection is authenticated a frame may be at most 64 KiB
 * (a login is a few hundred bytes; an anonymous client must not make us parse megabytes), and
 * `data` may nest at most MAX_DATA_DEPTH levels (deeper JSON parses fine but would overflow the
 * stack of whatever walks it later, e.g. JSON.stringify when call data is stored).
 */

export const CLOSE = {
  NO_AUTH: 4001,
  AUTH_FAILED: 4002,
  TOKEN_EXPIRED: 4003,
  PROTOCOL: 4004,
  RATE_LIMIT: 4008,
  REPLACED: 4009,
} as const;

/**
 * ➕ The kinds of client a user may have connected at once: a login replaces (4009) only the
 * user's sessions of its own kind, so a supervisor's softphone and the web console live side by
 * side. `auth.login {client}`; default `softphone` (ws-api.md's one session per user).
 */
export const CLIENT_KINDS = ['softphone', 'console'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export function isClientKind(v: unknown): v is ClientKind {
  return typeof v === 'string' && (CLIENT_KINDS as readonly string[]).includes(v);
}

/** A frame above this closes the socket with 4004 (call data alone may be 1 MiB). */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024;
/** ws refuses frames above this by itself (close 1009); between the two we answer with 4004. */
export const WS_MAX_PAYLOAD = 16 * 1024 * 1024;
export const LOGIN_TIMEOUT_MS = 10_000;
/** A frame above this before authentication closes the socket with 4004 (TOO_LARGE). */
export const PRE_AUTH_MAX_FRAME_BYTES = 64 * 1024;
/** Bytes a socket may send before it is authenticated, counted on the TCP stream: beyond this it
 * is cut off even in the middle of a frame, so an anonymous client cannot make the WebSocket layer
 * buffer a 16 MiB frame for us to refuse. */
export const PRE_AUTH_MAX_STREAM_BYTES = 2 * PRE_AUTH_MAX_FRAME_BYTES;
/** `data` nested deeper than this (objects and arrays) is BAD_REQUEST. */
export const MAX_DATA_DEPTH = 64;
/** Ops are names like `call.setData`; a longer one is unknown without looking. */
const MAX_OP_CHARS = 64;

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

/** `maxBytes`: MAX_FRAME_BYTES, or PRE_AUTH_MAX_FRAME_BYTES before authentication. */
export function parseFrame(raw: Buffer | string, isBinary: boolean, maxBytes = MAX_FRAME_BYTES): Parsed {
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (bytes > maxBytes) {
    const when = maxBytes < MAX_FRAME_BYTES ? ' before authentication' : '';
    return { kind: 'protocolError', code: 'TOO_LARGE', message: `frame of ${bytes} bytes exceeds ${maxBytes}${when}` };
  }
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
  if (nestedDeeperThan(data, MAX_DATA_DEPTH)) return { kind: 'badRequest', id, message: `data is nested deeper than ${MAX_DATA_DEPTH} levels` };
  // A name no op has: the gateway answers UNKNOWN_OP without echoing a megabyte back.
  const op = o.op.length > MAX_OP_CHARS ? `${o.op.slice(0, MAX_OP_CHARS)}…` : o.op;
  return { kind: 'request', request: { id, op, data: data as Record<string, unknown> } };
}

/** True when `value` has objects or arrays nested more than `max` deep (`{}` is depth 1).
 * Iterative, so that the check itself cannot overflow the stack. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v as object);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return false;
}
