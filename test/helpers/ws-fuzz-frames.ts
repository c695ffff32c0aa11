/**
 * Structure-aware WebSocket frames for the fuzz test (fast-check arbitraries). Most frames are
 * requests a client could plausibly send — real op names from the op table, the fields those ops
 * know, values of the right shape and of every wrong one — mutated towards the edges: unknown and
 * prototype op names, wrong types, lone surrogates, deep nesting, big strings, extra fields. Some
 * frames are malformed envelopes the daemon must answer BAD_REQUEST, and some break the protocol
 * (not JSON, not an object, no usable id, binary, over 2 MiB) and must close the socket 4004.
 *
 * Values stay clear of what the fuzz test watches: no number that reaches queue `sales` or its
 * agents' phones, no agent id of a sales agent (the test keeps a1001 ready there and calls it).
 */
import fc from 'fast-check';
import { OPS } from '../../src/gateway/ws-gateway.ts';

/** A frame whose answer is a response with `id`: `expect` is the code it must get, if known. */
export interface RequestFrame {
  kind: 'request';
  id: string | number;
  text: string;
  op: string;
  expect?: 'BAD_REQUEST' | 'UNKNOWN_OP';
}

/** A frame that must get an `error` event and close 4004. */
export interface ClosingFrame {
  kind: 'closing';
  payload: string | Buffer;
  binary: boolean;
  why: string;
}

export type FuzzFrame = RequestFrame | ClosingFrame;

const KNOWN_OPS = [...Object.keys(OPS), 'auth.login', 'session.resume'];
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'prototype'];

/** Numbers that would reach what the test watches: queue sales (pilot 8000, queue device 8900),
 * its agents' phones and the supervisor's. */
const WATCHED_NUMBERS = new Set(['8000', '8900', '2001', '2002', '2003', '2004', '2005', '2901']);
const SAFE_AGENT_IDS = ['a1006', 'a1007', 'a1008', 'a1009', 'a1010', 'qa1', 'admin', 'nobody', '', 'A1006'];

const junkString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates, control characters
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '𝄞', '中文', 'null', '__proto__', '<x/>', '\'; drop table users; --'),
);
const scalar = fc.oneof(junkString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number));

/** JSON nested `depth` levels, arrays and objects alternating. */
const deep = fc.integer({ min: 1, max: 120 }).map((depth) => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
});
const big = fc.integer({ min: 1, max: 200 }).map((kib) => 'x'.repeat(kib * 1024));
const anyJson = fc.oneof({ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) }, { weight: 1, arbitrary: deep }, { weight: 1, arbitrary: big }, { weight: 4, arbitrary: scalar });

const phoneNumber = fc
  .oneof(fc.constantFrom('2006', '2007', '2008', '2009', '2010', '2902', '9999', '0755123456', '12', '*#', '+33123'), fc.stringMatching(/^[0-9*#+]{1,32}$/))
  .filter((n) => !WATCHED_NUMBERS.has(n) && !/^8\d{3}$/.test(n));

/** Plausible values per field name; every field also gets junk. */
const plausible: Record<string, fc.Arbitrary<unknown>> = {
  callId: fc.oneof(fc.uuid(), fc.constantFrom('', 'c1', 'no-such-call'), fc.string({ maxLength: 80 })),
  consultCallId: fc.uuid(),
  extension: phoneNumber,
  to: fc.oneof(phoneNumber, fc.constant({ all: true }), fc.record({ agentIds: fc.array(fc.constantFrom(...SAFE_AGENT_IDS), { maxLength: 5 }) }), fc.record({ queues: fc.array(fc.constantFrom('support', 'vip', 'nope'), { maxLength: 3 }) })),
  state: fc.constantFrom('ready', 'notReady', 'workingAfterCall', 'loggedOut', 'busy', 'reserved', ''),
  reason: fc.oneof(fc.constantFrom('break', 'lunch'), fc.string({ maxLength: 100 })),
  digits: fc.oneof(fc.stringMatching(/^[0-9*#A-D]{1,64}$/), junkString),
  data: anyJson,
  callData: anyJson,
  agentId: fc.constantFrom(...SAFE_AGENT_IDS),
  mode: fc.constantFrom('silent', 'whisper', 'barge', 'loud'),
  text: fc.oneof(fc.string({ maxLength: 200 }), fc.string({ minLength: 3990, maxLength: 4010 })),
  queueId: fc.constantFrom('sales', 'support', 'vip', 'nope', ''),
  flow: fc.constantFrom('main', 'nope'),
  returnTo: fc.constantFrom('sales', 'support'),
  username: fc.oneof(fc.constantFrom('nobody', 'a1009', 'x'.repeat(70)), junkString),
  password: fc.oneof(fc.constantFrom('wrong', ''), junkString),
  token: fc.oneof(fc.string({ minLength: 43, maxLength: 43 }), junkString),
  sessionToken: fc.string({ maxLength: 40 }),
  lastSeq: fc.oneof(fc.nat(), fc.integer(), fc.double()),
};
const FIELDS = [...Object.keys(plausible), '__proto__', 'constructor', 'extra'];

// Object.hasOwn: `plausible['__proto__']` would be Object.prototype (the bug class under test).
const fieldValue = (name: string) => fc.oneof({ weight: 3, arbitrary: Object.hasOwn(plausible, name) ? plausible[name]! : anyJson }, { weight: 1, arbitrary: anyJson });

const randomData = fc.oneof(
  { weight: 6, arbitrary: fc.uniqueArray(fc.constantFrom(...FIELDS), { maxLength: 4 }).chain((names) => fc.tuple(...names.map((n) => fieldValue(n))).map((vals) => Object.fromEntries(names.map((n, i) => [n, vals[i]])))) },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.dictionary(junkString, anyJson, { maxKeys: 4 }) },
);

/** The fields an op's schema names (required first), so that most requests reach the handler. */
const FIELDS_OF: Record<string, { required: string[]; optional: string[] }> = {
  'auth.login': { required: [], optional: ['username', 'password', 'token'] },
  'session.resume': { required: ['sessionToken', 'lastSeq'], optional: [] },
};
for (const [name, op] of Object.entries(OPS)) {
  const schema = op.schema as { properties?: Record<string, unknown>; required?: string[] };
  const all = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  FIELDS_OF[name] = { required, optional: all.filter((f) => !required.includes(f)) };
}

function dataFor(op: string): fc.Arbitrary<Record<string, unknown>> {
  if (!Object.hasOwn(FIELDS_OF, op)) return randomData;
  const { required, optional } = FIELDS_OF[op]!;
  const fitting = fc.subarray(optional).chain((opt) => {
    const names = [...required, ...opt];
    return fc.tuple(...names.map((n) => fieldValue(n))).map((vals) => Object.fromEntries(names.map((n, i) => [n, vals[i]])));
  });
  return fc.oneof({ weight: 4, arbitrary: fitting }, { weight: 1, arbitrary: randomData });
}

const opName = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...KNOWN_OPS) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...KNOWN_OPS).map((o) => o.toUpperCase()) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KNOWN_OPS), junkString).map(([o, s]) => o + s) },
  { weight: 1, arbitrary: junkString.filter((s) => s !== '') },
);

/** Objects and arrays nested in `v` (`{}` is 1): the spec's limit for `data` is 64. */
function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let max = 0;
  for (const c of Array.isArray(v) ? v : Object.values(v as object)) max = Math.max(max, depthOf(c));
  return max + 1;
}

/** What a well-formed request must get whatever the op does: BAD_REQUEST when its data nests
 * too deep, UNKNOWN_OP when no op has its name. */
function expectFor(op: string, d: object): RequestFrame['expect'] {
  if (depthOf(d) > 64) return 'BAD_REQUEST';
  return KNOWN_OPS.includes(op) ? undefined : 'UNKNOWN_OP';
}

/** Requests: a well-formed envelope, or one the daemon must answer BAD_REQUEST. */
const request = (id: string | number): fc.Arbitrary<RequestFrame> =>
  fc.oneof(
    {
      weight: 12,
      arbitrary: opName.chain((op) => fc.tuple(fc.constant(op), dataFor(op), fc.boolean())).map(([op, d, omitData]) => {
        const expect = expectFor(op, d);
        return { kind: 'request' as const, id, op, text: JSON.stringify(omitData && Object.keys(d).length === 0 ? { id, op } : { id, op, data: d }), ...(expect ? { expect } : {}) };
      }),
    },
    { weight: 1, arbitrary: fc.oneof(fc.constant(undefined), fc.constant(''), fc.integer(), fc.constant(null), fc.array(fc.string())).map((op) => ({ kind: 'request' as const, id, op: String(op), text: JSON.stringify({ id, op, data: {} }), expect: 'BAD_REQUEST' as const })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KNOWN_OPS), fc.oneof(fc.array(scalar), scalar.filter((v) => v !== null && v !== undefined), fc.constant(null))).map(([op, d]) => ({ kind: 'request' as const, id, op, text: JSON.stringify({ id, op, data: d }), expect: 'BAD_REQUEST' as const })) },
    // Call data nested past the limit: BAD_REQUEST, not INTERNAL.
    { weight: 1, arbitrary: fc.integer({ min: 70, max: 50_000 }).map((n) => ({ kind: 'request' as const, id, op: 'call.setData', text: `{"id":${JSON.stringify(id)},"op":"call.setData","data":{"callId":"c1","data":${'['.repeat(n)}${']'.repeat(n)}}}`, expect: 'BAD_REQUEST' as const })) },
  );

/** Frames that break the protocol. */
export const closingFrame: fc.Arbitrary<ClosingFrame> = fc.oneof(
  fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat()).map(([v, cut]) => {
    const text = JSON.stringify({ id: 1, op: 'session.ping', data: v });
    return { kind: 'closing' as const, payload: text.slice(0, cut % text.length), binary: false, why: 'truncated JSON' };
  }),
  fc.jsonValue({ maxDepth: 3 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((v) => ({ kind: 'closing' as const, payload: JSON.stringify(v), binary: false, why: 'not an object' })),
  fc.oneof(fc.constant(null), fc.constant({}), fc.constant([]), fc.boolean(), fc.constant(undefined)).map((id) => ({ kind: 'closing' as const, payload: JSON.stringify({ id, op: 'session.ping' }), binary: false, why: 'no usable id' })),
  fc.constant({ kind: 'closing' as const, payload: '{"id":1e400,"op":"session.ping"}', binary: false, why: 'infinite id' }),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ kind: 'closing' as const, payload: Buffer.from(b), binary: true, why: 'binary' })),
  fc.constant({ kind: 'closing' as const, payload: Buffer.from('{"id":1,"op":"session.ping"}'), binary: true, why: 'JSON as binary' }),
  fc.constant({ kind: 'closing' as const, payload: '', binary: false, why: 'empty' }),
  fc.integer({ min: 1, max: 200 }).map((extra) => ({ kind: 'closing' as const, payload: JSON.stringify({ id: 1, op: 'call.setData', data: { callId: 'c1', data: 'x'.repeat(2 * 1024 * 1024 + extra * 1024) } }), binary: false, why: 'over 2 MiB' })),
);

/** A batch on one authenticated connection: requests, then maybe one frame that closes it. */
export function batch(firstId: number, size: number): fc.Arbitrary<{ requests: RequestFrame[]; closing: ClosingFrame | null }> {
  const ids = Array.from({ length: size }, (_, i) => (i % 2 ? `r${firstId + i}` : firstId + i));
  return fc.record({
    requests: fc.tuple(...ids.map((id) => request(id))),
    closing: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: closingFrame }),
  });
}

/** The first frame of a connection that never logged in: anything at all. */
export const firstFrame: fc.Arbitrary<FuzzFrame> = fc.oneof({ weight: 3, arbitrary: request('pre') }, { weight: 1, arbitrary: closingFrame });
