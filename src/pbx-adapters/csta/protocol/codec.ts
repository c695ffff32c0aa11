/**
 * The CSTA XML codec: typed messages (catalogue.ts) ↔ ECMA-323 XML documents. Separate from the
 * transport (Annex G framing over TCP today, SIP INFO bodies next): it sees documents, not bytes.
 *
 * Strict in what it writes (the standard's names, order and mandatory elements), liberal in what
 * it reads: any edition's namespace or prefix, unknown elements ignored, a connection with only a
 * callID or only a deviceID, a device given as notKnown/restricted, a mandatory element another
 * implementation left out where we can do without it, alternative spellings where vendors differ
 * (`systemResourceAvailability` for the standard's `systemResourceAvailibility`).
 */
import { CATALOGUE, CSTA_NS, isKnownMessageType, isSessionMessage, SESSION_NS, type BaseKind, type CstaMessage, type FieldSpec, type MessageSpec } from './catalogue.ts';
import type { ConnectionId, ConnectionPair, CstaErrorValue, LocalConnectionState } from './types.ts';
import { LOCAL_CONNECTION_STATES } from './types.ts';
import { readDocument, writeDocument, XmlShapeError, type XmlTree } from './xml.ts';

export { XmlShapeError };

export class CstaDecodeError extends Error {
  readonly code = 'CSTA_BAD_MESSAGE';
  constructor(
    message: string,
    /** The root element, when the document could be parsed. */
    readonly messageType?: string,
  ) {
    super(message);
  }
}

/** The answer to a request that cannot be served: an invoke is never left without an answer.
 * ECMA-323 has no "unrecognised operation" value; these are the closest the standard has. */
export const SERVICE_NOT_SUPPORTED: CstaMessage = { type: 'CSTAErrorCode', error: { category: 'operation', value: 'serviceNotSupported' } };
export const INVALID_PARAMETER: CstaMessage = { type: 'CSTAErrorCode', error: { category: 'operation', value: 'invalidParameterValue' } };
export const UNREADABLE_REQUEST: CstaMessage = { type: 'CSTAErrorCode', error: { category: 'operation', value: 'generic' } };

/** The CSTAErrorCode answering a request that failed to decode with `err` (see the constants). */
export function errorAnswerFor(err: unknown): CstaMessage {
  if (!(err instanceof CstaDecodeError) || err.messageType === undefined) return UNREADABLE_REQUEST;
  return isKnownMessageType(err.messageType) ? INVALID_PARAMETER : SERVICE_NOT_SUPPORTED;
}

/** Error categories: our name → the standard's element (note the standard's spelling). */
const CATEGORY_ON_WIRE: Record<CstaErrorValue['category'], string> = {
  operation: 'operation',
  security: 'security',
  stateIncompatibility: 'stateIncompatibility',
  systemResourceAvailability: 'systemResourceAvailibility',
  subscribedResourceAvailability: 'subscribedResourceAvailability',
  performanceManagement: 'performanceManagement',
  privateData: 'privateData',
  unspecified: 'unspecified',
};
const CATEGORY_FROM_WIRE: Record<string, CstaErrorValue['category']> = {
  ...Object.fromEntries(Object.entries(CATEGORY_ON_WIRE).map(([ours, wire]) => [wire, ours])),
  systemResourceAvailability: 'systemResourceAvailability',
  privateErrorCode: 'privateData',
} as Record<string, CstaErrorValue['category']>;

/** simpleCallState values → our local connection state (a switch may report the call state). */
const SIMPLE_CALL_STATE: Record<string, LocalConnectionState> = {
  callNull: 'null',
  callPending: 'initiated',
  callOriginated: 'connected',
  callDelivered: 'connected',
  callDeliveredHeld: 'hold',
  callReceived: 'alerting',
  callEstablished: 'connected',
  callEstablishedHeld: 'hold',
  callReceivedOnHold: 'alerting',
  callEstablishedOnHold: 'connected',
  callQueued: 'queued',
  callQueuedHeld: 'hold',
  callFailed: 'fail',
  callFailedHeld: 'hold',
  callBlocked: 'fail',
};

// ---------------------------------------------------------------------------------- encoding

interface Field {
  kind: BaseKind;
  /** `?`: may be absent both ways. `!`: always written, tolerated absent when read. */
  mode: 'required' | 'optional' | 'always';
  /** Alternative element paths; the first is written. */
  paths: string[][];
}

export function parseField(spec: FieldSpec, name: string): Field {
  const [kind, path] = typeof spec === 'string' ? [spec, name] : spec;
  const last = kind.at(-1);
  const mode = last === '?' ? 'optional' : last === '!' ? 'always' : 'required';
  return { kind: (mode === 'required' ? kind : kind.slice(0, -1)) as BaseKind, mode, paths: path.split('|').map((p) => p.split('/')) };
}

/** Each message type's fields, parsed once (every message in or out reads them). */
const FIELDS = new Map<string, [name: string, field: Field][]>();
function fieldsOf(type: string, spec: MessageSpec): [name: string, field: Field][] {
  let fields = FIELDS.get(type);
  if (!fields) FIELDS.set(type, (fields = Object.entries(spec).map(([name, fieldSpec]) => [name, parseField(fieldSpec, name)])));
  return fields;
}

function connTree(c: Partial<ConnectionId>): XmlTree {
  const t: XmlTree = {};
  if (c.callId) t.callID = c.callId;
  if (c.deviceId) t.deviceID = c.deviceId;
  return t;
}

function errorTree(e: CstaErrorValue): XmlTree {
  return { [CATEGORY_ON_WIRE[e.category] ?? 'operation']: e.category === 'unspecified' ? '' : e.value };
}

function encodeValue(kind: BaseKind, value: unknown): XmlTree[string] {
  switch (kind) {
    case 'text':
      return String(value);
    case 'int':
      return Number(value);
    case 'device':
      return value === undefined || value === '' ? { notKnown: '' } : { deviceIdentifier: String(value) };
    case 'redir':
      return value === undefined || value === '' ? { notRequired: '' } : { numberDialed: String(value) };
    case 'conn':
      return connTree(value as ConnectionId);
    case 'pairs':
      return {
        connectionListItem: (value as ConnectionPair[]).map((p) => ({
          newConnection: connTree(p.newConnection),
          ...(p.oldConnection ? { oldConnection: connTree(p.oldConnection) } : {}),
          ...(p.endpoint ? { endpoint: { deviceID: p.endpoint } } : {}),
        })),
      };
    case 'snapshot':
      return {
        snapshotDeviceResponseInfo: (value as { connection: ConnectionId; state: LocalConnectionState }[]).map((e) => ({
          connectionIdentifier: connTree(e.connection),
          localCallState: { compoundCallState: { localConnectionState: e.state } },
        })),
      };
    case 'error':
      return errorTree(value as CstaErrorValue);
    case 'flags':
      return Object.fromEntries(((value as string[] | undefined) ?? []).map((f) => [f, 'true']));
    case 'private':
      return { private: [Object.fromEntries(Object.entries(value as Record<string, string>).map(([k, v]) => [k, String(v)]))] };
  }
}

/** Sets `value` at `path` in `tree`, creating intermediate elements (shared paths merge). */
function setPath(tree: XmlTree, path: string[], value: XmlTree[string]): void {
  let node = tree;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let next = node[key];
    if (key === 'private') {
      // `private` is a list element; merge into its single entry.
      if (!Array.isArray(next)) node[key] = next = [{}];
      node = (next as XmlTree[])[0]!;
      continue;
    }
    if (next === undefined || typeof next !== 'object' || Array.isArray(next)) node[key] = next = {};
    node = next as XmlTree;
  }
  node[path[path.length - 1]!] = value;
}

export function encodeMessage(msg: CstaMessage): string {
  if (msg.type === 'CSTAErrorCode') return writeDocument('CSTAErrorCode', CSTA_NS, errorTree(msg.error));
  const spec: MessageSpec = CATALOGUE[msg.type];
  const body: XmlTree = {};
  const record = msg as unknown as Record<string, unknown>;
  for (const [name, { kind, mode, paths }] of fieldsOf(msg.type, spec)) {
    const value = record[name];
    if (value === undefined) {
      if (mode === 'optional') continue;
      if (mode === 'required' || kind === 'text' || kind === 'int') throw new TypeError(`${msg.type}.${name} is required`);
    }
    setPath(body, paths[0]!, encodeValue(kind, value));
  }
  return writeDocument(msg.type, isSessionMessage(msg.type) ? SESSION_NS : CSTA_NS, body);
}

// ---------------------------------------------------------------------------------- decoding

/** Walks `path`; a repeated element met on the way (or at the end) counts by its first entry,
 * unless `keepList` asks for the list itself at the end. */
function getPath(body: unknown, path: string[], keepList = false): unknown {
  let node = body;
  for (let i = 0; i < path.length; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[path[i]!];
    if (Array.isArray(node) && !(keepList && i === path.length - 1)) node = node[0];
  }
  return node;
}

function text(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new CstaDecodeError(`${what}: expected text`);
}

function decodeConn(v: unknown, what: string): ConnectionId {
  if (v === null || typeof v !== 'object') throw new CstaDecodeError(`${what}: expected a connection`);
  const o = v as Record<string, unknown>;
  const callId = o.callID === undefined || o.callID === '' ? '' : text(o.callID, `${what}.callID`);
  // The deviceID may be a static or a dynamic id (typeOfNumber); it is kept as text either way.
  const deviceId = o.deviceID === undefined || o.deviceID === '' ? '' : text(o.deviceID, `${what}.deviceID`);
  if (!callId && !deviceId) throw new CstaDecodeError(`${what}: neither callID nor deviceID`);
  return { callId, deviceId };
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function decodeDevice(v: unknown, key: string, what: string): string {
  if (v === '' || typeof v !== 'object' || v === null) return typeof v === 'string' ? v : ''; // <x/>, or a bare number
  const id = getPath(v, [key]);
  return id === undefined ? '' : text(id, `${what}.${key}`); // <notKnown/>, <restricted/>, ...
}

function decodeState(item: unknown, what: string): LocalConnectionState {
  const compound = getPath(item, ['localCallState', 'compoundCallState', 'localConnectionState']);
  const simple = getPath(item, ['localCallState', 'simpleCallState']);
  const raw = compound ?? (typeof simple === 'string' ? SIMPLE_CALL_STATE[simple] : undefined) ?? getPath(item, ['localConnectionInfo']);
  if (raw === undefined) return 'null'; // <unknown/>: the call is there, its state is not told
  const state = text(raw, `${what}.localConnectionState`);
  if (!(LOCAL_CONNECTION_STATES as readonly string[]).includes(state)) throw new CstaDecodeError(`${what}: unknown connection state ${state}`);
  return state as LocalConnectionState;
}

function decodeError(v: unknown, what: string): CstaErrorValue {
  if (typeof v === 'string') return { category: 'operation', value: v || 'generic' }; // a bare value, as some peers write it
  if (v === null || typeof v !== 'object') throw new CstaDecodeError(`${what}: expected an error value`);
  for (const [element, value] of Object.entries(v as Record<string, unknown>)) {
    const category = CATEGORY_FROM_WIRE[element];
    if (!category) continue;
    return { category, value: typeof value === 'string' && value ? value : 'generic' };
  }
  return { category: 'unspecified', value: 'generic' };
}

function decodeValue(kind: BaseKind, v: unknown, what: string): unknown {
  switch (kind) {
    case 'text':
      return text(v, what);
    case 'int': {
      const s = text(v, what);
      if (!/^\d{1,9}$/.test(s)) throw new CstaDecodeError(`${what}: expected a non-negative integer`);
      return Number(s);
    }
    case 'device':
      return decodeDevice(v, 'deviceIdentifier', what);
    case 'redir':
      return decodeDevice(v, 'numberDialed', what);
    case 'conn':
      return decodeConn(v, what);
    case 'pairs':
      return asList(getPath(v, ['connectionListItem'], true)).map((item, i) => {
        const o = (item ?? {}) as Record<string, unknown>;
        const endpoint = o.endpoint === undefined ? '' : decodeDevice(o.endpoint, 'deviceID', `${what}[${i}].endpoint`);
        const fresh = o.newConnection === undefined ? { callId: '', deviceId: endpoint } : decodeConn(o.newConnection, `${what}[${i}].newConnection`);
        if (!fresh.deviceId && endpoint) fresh.deviceId = endpoint;
        const pair: ConnectionPair = { newConnection: fresh };
        if (o.oldConnection !== undefined) pair.oldConnection = decodeConn(o.oldConnection, `${what}[${i}].oldConnection`);
        if (endpoint) pair.endpoint = endpoint;
        return pair;
      });
    case 'snapshot':
      return asList(getPath(v, ['snapshotDeviceResponseInfo'], true)).map((item, i) => ({
        connection: decodeConn(getPath(item, ['connectionIdentifier']), `${what}[${i}].connectionIdentifier`),
        state: decodeState(item, `${what}[${i}]`),
      }));
    case 'error':
      return decodeError(v, what);
    case 'flags':
      return v !== null && typeof v === 'object' ? Object.entries(v as Record<string, unknown>).filter(([, x]) => x === 'true' || x === '1').map(([k]) => k) : [];
    case 'private': {
      const p = getPath(v, ['private']);
      if (p === null || typeof p !== 'object') return {};
      return Object.fromEntries(Object.entries(p as Record<string, unknown>).filter(([, x]) => typeof x === 'string'));
    }
  }
}

/** Decodes one XML document into a typed message; throws CstaDecodeError on anything we cannot use. */
export function decodeMessage(xml: string): CstaMessage {
  let doc: ReturnType<typeof readDocument>;
  try {
    doc = readDocument(xml);
  } catch (err) {
    throw new CstaDecodeError((err as Error).message);
  }
  const { root, body } = doc;
  if (root === 'CSTAErrorCode') return { type: 'CSTAErrorCode', error: decodeError(body, root) };
  if (!isKnownMessageType(root)) throw new CstaDecodeError(`unknown message ${root}`, root);
  const spec: MessageSpec = CATALOGUE[root];
  const out: Record<string, unknown> = { type: root };
  for (const [name, { kind, mode, paths }] of fieldsOf(root, spec)) {
    let raw: unknown;
    for (const p of paths) if ((raw = getPath(body, p)) !== undefined) break;
    if (raw === undefined) {
      if (mode !== 'required') continue;
      throw new CstaDecodeError(`${root}: missing ${paths[0]!.join('/')}`, root);
    }
    try {
      const value = decodeValue(kind, raw, `${root}.${paths[0]!.join('/')}`);
      // A tolerated element left empty by the peer counts as absent.
      if (mode !== 'required' && value === '') continue;
      out[name] = value;
    } catch (err) {
      if (err instanceof CstaDecodeError) throw new CstaDecodeError(err.message, root);
      throw err;
    }
  }
  return out as CstaMessage;
}
