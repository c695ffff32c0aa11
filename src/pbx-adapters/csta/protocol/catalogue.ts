/**
 * The CSTA message catalogue: every ECMA-323 message this product sends or receives, declared once
 * as a table of fields. Encoding, decoding and validation are generic over the table, and the
 * TypeScript type of each message is derived from it, so the wire shape and the types cannot drift.
 *
 * Field kinds:
 *   text     plain element text                      <calledDirectoryNumber>2001</calledDirectoryNumber>
 *   int      non-negative integer text               <numberQueued>3</numberQueued>
 *   device   device wrapped in deviceIdentifier      <callingDevice><deviceIdentifier>2001</deviceIdentifier></callingDevice>
 *   conn     connection                              <heldCall><callID>7</callID><deviceID>2001</deviceID></heldCall>
 *   pairs    connectionListItem old/new pairs        (TransferredEvent, ConferencedEvent)
 *   snapshot snapshotDeviceResponseInfo list         (SnapshotDeviceResponse)
 *   private  <extensions><privateData><private>…     vendor key/values (e.g. whisper participation)
 * A kind ending in `?` is optional. A field may name an element path other than its own name.
 */
import type { ConnectionId, ConnectionPair, CstaErrorValue, LocalConnectionState, SnapshotEntry } from './types.ts';
import { LOCAL_CONNECTION_STATES } from './types.ts';
import { readDocument, writeDocument, XmlShapeError, type XmlTree } from './xml.ts';

type BaseKind = 'text' | 'int' | 'device' | 'conn' | 'pairs' | 'snapshot' | 'private';
type Kind = BaseKind | `${BaseKind}?`;
type FieldSpec = Kind | readonly [Kind, string];
type MessageSpec = Readonly<Record<string, FieldSpec>>;

interface KindTypes {
  text: string;
  int: number;
  device: string;
  conn: ConnectionId;
  pairs: ConnectionPair[];
  snapshot: SnapshotEntry[];
  private: Record<string, string>;
}

const S = <T extends MessageSpec>(spec: T): T => spec;

export const CSTA_NS = 'http://www.ecma-international.org/standards/ecma-323/csta/ed5';
export const SESSION_NS = 'http://www.ecma-international.org/standards/ecma-354/appl_session';

const sessionMessages = {
  StartApplicationSession: S({
    applicationId: ['text', 'applicationInfo/applicationID'],
    protocolVersion: ['text', 'requestedProtocolVersions/protocolVersion'],
    requestedSessionDuration: 'int',
  }),
  StartApplicationSessionPosResponse: S({ sessionId: ['text', 'sessionID'], actualProtocolVersion: 'text', actualSessionDuration: 'int' }),
  StartApplicationSessionNegResponse: S({ errorCode: ['text', 'errorCode/definedError'] }),
  StopApplicationSession: S({ sessionId: ['text', 'sessionID'], sessionEndReason: ['text?', 'sessionEndReason/appEndReason'] }),
  StopApplicationSessionPosResponse: S({}),
  ResetApplicationSessionTimer: S({ sessionId: ['text', 'sessionID'], requestedSessionDuration: 'int' }),
  ResetApplicationSessionTimerPosResponse: S({ actualSessionDuration: 'int' }),
} as const;

const cstaMessages = {
  // --- status and monitoring
  SystemStatus: S({ systemStatus: 'text' }),
  SystemStatusResponse: S({}),
  SystemRegister: S({}),
  SystemRegisterResponse: S({ sysStatRegisterId: ['text', 'sysStatRegisterID'] }),
  MonitorStart: S({ deviceId: ['text', 'monitorObject/deviceObject'] }),
  MonitorStartResponse: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'] }),
  MonitorStop: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'] }),
  MonitorStopResponse: S({}),
  SnapshotDevice: S({ deviceId: ['text', 'snapshotObject'] }),
  SnapshotDeviceResponse: S({ calls: ['snapshot', 'crossRefIDorSnapshotData/snapshotData'] }),

  // --- call control
  MakeCall: S({ callingDevice: 'text', calledDirectoryNumber: 'text' }),
  MakeCallResponse: S({ callingDevice: 'conn' }),
  AnswerCall: S({ callToBeAnswered: 'conn' }),
  AnswerCallResponse: S({}),
  ClearConnection: S({ connectionToBeCleared: 'conn' }),
  ClearConnectionResponse: S({}),
  ClearCall: S({ callToBeCleared: 'conn' }),
  ClearCallResponse: S({}),
  HoldCall: S({ callToBeHeld: 'conn' }),
  HoldCallResponse: S({}),
  RetrieveCall: S({ callToBeRetrieved: 'conn' }),
  RetrieveCallResponse: S({}),
  ConsultationCall: S({ existingCall: 'conn', consultedDevice: 'text' }),
  ConsultationCallResponse: S({ initiatedCall: 'conn' }),
  TransferCall: S({ heldCall: 'conn', activeCall: 'conn' }),
  TransferCallResponse: S({ transferredCall: 'conn' }),
  SingleStepTransferCall: S({ activeCall: 'conn', transferredTo: 'text' }),
  SingleStepTransferCallResponse: S({ transferredCall: 'conn' }),
  ConferenceCall: S({ heldCall: 'conn', activeCall: 'conn' }),
  ConferenceCallResponse: S({ conferenceCall: 'conn' }),
  SingleStepConferenceCall: S({ activeCall: 'conn', deviceToJoin: 'text', participationType: 'text', privateData: ['private?', 'extensions/privateData'] }),
  SingleStepConferenceCallResponse: S({ conferenceCall: 'conn' }),
  DeflectCall: S({ callToBeDiverted: 'conn', newDestination: 'text' }),
  DeflectCallResponse: S({}),
  GenerateDigits: S({ connectionToSendDigits: 'conn', charactersToSend: 'text' }),
  GenerateDigitsResponse: S({}),
  SetAgentState: S({ device: 'text', requestedAgentState: 'text', agentId: ['text?', 'agentID'] }),
  SetAgentStateResponse: S({}),

  // --- routing
  RouteRegister: S({ routingDevice: 'text' }),
  RouteRegisterResponse: S({ routeRegisterReqId: ['text', 'routeRegisterReqID'] }),
  RouteRequest: S({
    routeRegisterReqId: ['text', 'routeRegisterReqID'],
    routingCrossRefId: ['text', 'routingCrossRefID'],
    currentRoute: 'text',
    callingDevice: 'device?',
    routedCall: 'conn',
    callerName: ['text?', 'extensions/privateData/private/callerName'],
  }),
  RouteSelect: S({
    routeRegisterReqId: ['text', 'routeRegisterReqID'],
    routingCrossRefId: ['text', 'routingCrossRefID'],
    routeSelected: 'text',
  }),
  RouteEnd: S({
    routeRegisterReqId: ['text', 'routeRegisterReqID'],
    routingCrossRefId: ['text', 'routingCrossRefID'],
    errorValue: ['text?', 'errorValue'],
  }),

  // --- events (all carry monitorCrossRefID)
  ServiceInitiatedEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], initiatedConnection: 'conn', initiatingDevice: 'device?', cause: 'text?' }),
  OriginatedEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], originatedConnection: 'conn', callingDevice: 'device?', calledDevice: 'device?', cause: 'text?' }),
  DeliveredEvent: S({
    monitorCrossRefId: ['text', 'monitorCrossRefID'],
    connection: 'conn',
    alertingDevice: 'device',
    callingDevice: 'device?',
    calledDevice: 'device?',
    lastRedirectionDevice: 'device?',
    cause: 'text?',
    callerName: ['text?', 'extensions/privateData/private/callerName'],
  }),
  EstablishedEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], establishedConnection: 'conn', answeringDevice: 'device', callingDevice: 'device?', calledDevice: 'device?', cause: 'text?' }),
  HeldEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], heldConnection: 'conn', holdingDevice: 'device', cause: 'text?' }),
  RetrievedEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], retrievedConnection: 'conn', retrievingDevice: 'device', cause: 'text?' }),
  DivertedEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], connection: 'conn', divertingDevice: 'device', newDestination: 'device', cause: 'text?' }),
  TransferredEvent: S({
    monitorCrossRefId: ['text', 'monitorCrossRefID'],
    primaryOldCall: 'conn',
    secondaryOldCall: 'conn?',
    transferringDevice: 'device',
    transferredToDevice: 'device',
    transferredConnections: 'pairs',
    cause: 'text?',
  }),
  ConferencedEvent: S({
    monitorCrossRefId: ['text', 'monitorCrossRefID'],
    primaryOldCall: 'conn',
    secondaryOldCall: 'conn?',
    conferencingDevice: 'device',
    addedParty: 'device',
    conferenceConnections: 'pairs',
    participationType: ['text?', 'extensions/privateData/private/participationType'],
    cause: 'text?',
  }),
  ConnectionClearedEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], droppedConnection: 'conn', releasingDevice: 'device', cause: 'text?' }),
  CallClearedEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], clearedCall: ['text', 'clearedCall/callID'], cause: 'text?' }),
  FailedEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], failedConnection: 'conn', failingDevice: 'device', calledDevice: 'device?', cause: 'text?' }),
  QueuedEvent: S({
    monitorCrossRefId: ['text', 'monitorCrossRefID'],
    queuedConnection: 'conn',
    queue: 'device',
    callingDevice: 'device?',
    calledDevice: 'device?',
    numberQueued: 'int?',
    cause: 'text?',
  }),
  DigitsDetectedEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], connection: 'conn', digits: ['text', 'digitsDetected'] }),
  AgentLoggedOnEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], agentDevice: 'device', agentId: ['text?', 'agentID'] }),
  AgentLoggedOffEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], agentDevice: 'device', agentId: ['text?', 'agentID'] }),
  AgentReadyEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], agentDevice: 'device', agentId: ['text?', 'agentID'] }),
  AgentNotReadyEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], agentDevice: 'device', agentId: ['text?', 'agentID'] }),
  AgentWorkingAfterCallEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], agentDevice: 'device', agentId: ['text?', 'agentID'] }),
  AgentBusyEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], agentDevice: 'device', agentId: ['text?', 'agentID'] }),
  OutOfServiceEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], device: 'device', cause: 'text?' }),
  BackInServiceEvent: S({ monitorCrossRefId: ['text', 'monitorCrossRefID'], device: 'device', cause: 'text?' }),
} as const;

const CATALOGUE = { ...sessionMessages, ...cstaMessages } as const;
type Catalogue = typeof CATALOGUE;
export type CstaMessageType = keyof Catalogue | 'CSTAErrorCode';

type KindOf<F> = F extends readonly [infer K, string] ? K : F;
type Required_<S> = { -readonly [F in keyof S as KindOf<S[F]> extends `${string}?` ? never : F]: KindTypes[KindOf<S[F]> & BaseKind] };
type Optional_<S> = {
  -readonly [F in keyof S as KindOf<S[F]> extends `${string}?` ? F : never]?: KindOf<S[F]> extends `${infer B}?` ? KindTypes[B & BaseKind] : never;
};
type Fields<S> = Required_<S> & Optional_<S>;

export type MessageOf<T extends keyof Catalogue> = { type: T } & Fields<Catalogue[T]>;
export type CstaErrorMessage = { type: 'CSTAErrorCode'; error: CstaErrorValue };
export type CstaMessage = { [T in keyof Catalogue]: MessageOf<T> }[keyof Catalogue] | CstaErrorMessage;
export type CstaEventMessage = Extract<CstaMessage, { monitorCrossRefId: string }> & { type: `${string}Event` };

export function isKnownMessageType(name: string): name is keyof Catalogue {
  return Object.prototype.hasOwnProperty.call(CATALOGUE, name);
}
export function isEventType(name: string): boolean {
  return name.endsWith('Event') && isKnownMessageType(name);
}
export function isResponseType(name: string): boolean {
  return name.endsWith('Response') || name === 'CSTAErrorCode';
}

// ---------------------------------------------------------------------------------- encoding

function parseField(spec: FieldSpec, name: string): { kind: BaseKind; optional: boolean; path: string[] } {
  const [kind, path] = typeof spec === 'string' ? [spec, name] : spec;
  const optional = kind.endsWith('?');
  return { kind: (optional ? kind.slice(0, -1) : kind) as BaseKind, optional, path: path.split('/') };
}

const CALL_ID = 'callID';
const DEVICE_ID = 'deviceID';

function connTree(c: ConnectionId): XmlTree {
  return { [CALL_ID]: c.callId, [DEVICE_ID]: c.deviceId };
}

function encodeValue(kind: BaseKind, value: unknown): XmlTree[string] {
  switch (kind) {
    case 'text':
      return String(value);
    case 'int':
      return Number(value);
    case 'device':
      return { deviceIdentifier: String(value) };
    case 'conn':
      return connTree(value as ConnectionId);
    case 'pairs':
      return {
        connectionListItem: (value as ConnectionPair[]).map((p) => ({
          newConnection: connTree(p.newConnection),
          ...(p.oldConnection ? { oldConnection: connTree(p.oldConnection) } : {}),
        })),
      };
    case 'snapshot':
      return {
        snapshotDeviceResponseInfo: (value as SnapshotEntry[]).map((e) => ({
          connectionIdentifier: connTree(e.connection),
          localCallState: { compoundCallState: { localConnectionState: e.state } },
        })),
      };
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
  if (msg.type === 'CSTAErrorCode') {
    return writeDocument('CSTAErrorCode', CSTA_NS, { [msg.error.category]: msg.error.value });
  }
  const spec: MessageSpec = CATALOGUE[msg.type];
  const body: XmlTree = {};
  const record = msg as unknown as Record<string, unknown>;
  for (const [name, fieldSpec] of Object.entries(spec)) {
    const { kind, optional, path } = parseField(fieldSpec, name);
    const value = record[name];
    if (value === undefined) {
      if (optional) continue;
      throw new TypeError(`${msg.type}.${name} is required`);
    }
    setPath(body, path, encodeValue(kind, value));
  }
  const ns = msg.type in sessionMessages ? SESSION_NS : CSTA_NS;
  return writeDocument(msg.type, ns, body);
}

// ---------------------------------------------------------------------------------- decoding

export class CstaDecodeError extends Error {
  readonly code = 'CSTA_BAD_MESSAGE';
  constructor(
    message: string,
    readonly messageType?: string,
  ) {
    super(message);
  }
}

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
  const callId = o[CALL_ID];
  if (typeof callId !== 'string' || callId === '') throw new CstaDecodeError(`${what}: callID missing`);
  const deviceId = o[DEVICE_ID];
  // The deviceID of a connection may be a static id or a dynamic one; keep it as text.
  return { callId, deviceId: typeof deviceId === 'string' ? deviceId : deviceId === undefined ? '' : text(deviceId, `${what}.deviceID`) };
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === '') return [];
  return Array.isArray(v) ? v : [v];
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
    case 'device': {
      if (v === '') return ''; // e.g. <callingDevice/> — device not known
      const id = getPath(v, ['deviceIdentifier']);
      if (id === undefined) return ''; // <notKnown/> or <restricted/>
      return text(id, `${what}.deviceIdentifier`);
    }
    case 'conn':
      return decodeConn(v, what);
    case 'pairs':
      return asList(getPath(v, ['connectionListItem'], true)).map((item, i) => {
        const o = item as Record<string, unknown>;
        const pair: ConnectionPair = { newConnection: decodeConn(o?.newConnection, `${what}[${i}].newConnection`) };
        if (o?.oldConnection !== undefined) pair.oldConnection = decodeConn(o.oldConnection, `${what}[${i}].oldConnection`);
        return pair;
      });
    case 'snapshot':
      return asList(getPath(v, ['snapshotDeviceResponseInfo'], true)).map((item, i) => {
        const connection = decodeConn(getPath(item, ['connectionIdentifier']), `${what}[${i}].connectionIdentifier`);
        const state = text(getPath(item, ['localCallState', 'compoundCallState', 'localConnectionState']), `${what}[${i}].localConnectionState`);
        if (!(LOCAL_CONNECTION_STATES as readonly string[]).includes(state)) throw new CstaDecodeError(`${what}[${i}]: unknown connection state ${state}`);
        return { connection, state: state as LocalConnectionState };
      });
    case 'private': {
      const p = getPath(v, ['private']);
      if (p === null || typeof p !== 'object') return {};
      return Object.fromEntries(Object.entries(p as Record<string, unknown>).filter(([, x]) => typeof x === 'string'));
    }
  }
}

/** The answer to a request that cannot be decoded or is not served: an invoke is never left
 * without an answer. */
export const UNDECODABLE_REQUEST: CstaMessage = { type: 'CSTAErrorCode', error: { category: 'operation', value: 'generic' } };

const ERROR_CATEGORIES: ReadonlySet<string> = new Set([
  'operation', 'security', 'stateIncompatibility', 'systemResourceAvailability',
  'subscribedResourceAvailability', 'performanceManagement', 'privateData', 'unspecified',
]);

/** Decodes one XML document into a typed message; throws CstaDecodeError on anything off. */
export function decodeMessage(xml: string): CstaMessage {
  let doc: ReturnType<typeof readDocument>;
  try {
    doc = readDocument(xml);
  } catch (err) {
    throw new CstaDecodeError((err as Error).message);
  }
  const { root, body } = doc;
  if (root === 'CSTAErrorCode') {
    const category = Object.keys(body).find((k) => ERROR_CATEGORIES.has(k)) ?? 'unspecified';
    const value = body[category];
    return { type: 'CSTAErrorCode', error: { category: category as CstaErrorValue['category'], value: typeof value === 'string' && value ? value : 'generic' } };
  }
  if (!isKnownMessageType(root)) throw new CstaDecodeError(`unknown message ${root}`, root);
  const spec: MessageSpec = CATALOGUE[root];
  const out: Record<string, unknown> = { type: root };
  for (const [name, fieldSpec] of Object.entries(spec)) {
    const { kind, optional, path } = parseField(fieldSpec, name);
    const raw = getPath(body, path);
    if (raw === undefined) {
      if (optional) continue;
      throw new CstaDecodeError(`${root}: missing ${path.join('/')}`, root);
    }
    try {
      out[name] = decodeValue(kind, raw, `${root}.${path.join('/')}`);
    } catch (err) {
      if (err instanceof CstaDecodeError) throw new CstaDecodeError(err.message, root);
      throw err;
    }
  }
  return out as CstaMessage;
}

export { XmlShapeError };
