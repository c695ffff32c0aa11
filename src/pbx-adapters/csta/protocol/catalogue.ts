/**
 * The CSTA message catalogue: every ECMA-323 message this product sends or receives, declared once
 * as a table of fields in the standard's element order (ECMA-323 ed3–ed6; ed6 only adds optional
 * elements, so this subset is valid in every edition). Encoding, decoding and validation are
 * generic over the table (codec.ts), and the TypeScript type of each message is derived from it,
 * so the wire shape and the types cannot drift. docs/csta-profile.md lists the messages with their
 * sources; test/unit/csta-conformance.test.ts pins every message's element names and order.
 *
 * The standard's spellings are kept where they look wrong: `TransferedEvent`, `routeingDevice`,
 * `crossRefIdentifier` (the routeing dialogue), `conferencedCall`, `originatinNIDConnection`,
 * `systemResourceAvailibility` (codec.ts). `extensions` (private data) is last in every message.
 *
 * Field kinds:
 *   text     plain element text                      <calledDirectoryNumber>2001</calledDirectoryNumber>
 *   int      non-negative integer text               <numberQueued>3</numberQueued>
 *   device   ExtendedDeviceID: deviceIdentifier | notKnown | restricted
 *   redir    RedirectionDeviceID: numberDialed | notKnown | notRequired | notSpecified | restricted
 *   conn     ConnectionID: callID, deviceID (either may be missing)
 *   pairs    connectionListItem list: newConnection, oldConnection, endpoint (TransferedEvent, ConferencedEvent)
 *   snapshot snapshotDeviceResponseInfo list         (SnapshotDeviceResponse)
 *   error    ErrorValue: one category element        <errorValue><operation>generic</operation></errorValue>
 *   flags    booleans set to true                    <requestTypes><systemStatus>true</systemStatus></requestTypes>
 *   private  <extensions><privateData><private>…     vendor key/values (e.g. whisper participation)
 * A kind ending in `?` is optional. One ending in `!` is mandatory in the standard but tolerated
 * missing when decoding (the type says optional): it is always encoded — a device as `<notKnown/>`,
 * a redirection device as `<notRequired/>`, text must be given. A field may name an element path
 * other than its own name; `a|b` lists alternatives a decoder accepts (the encoder writes `a`).
 */
import type { ConnectionId, ConnectionPair, CstaErrorValue, SnapshotEntry } from './types.ts';

export type BaseKind = 'text' | 'int' | 'device' | 'redir' | 'conn' | 'pairs' | 'snapshot' | 'error' | 'flags' | 'private';
type Kind = BaseKind | `${BaseKind}?` | `${BaseKind}!`;
export type FieldSpec = Kind | readonly [Kind, string];
export type MessageSpec = Readonly<Record<string, FieldSpec>>;

interface KindTypes {
  text: string;
  int: number;
  device: string;
  redir: string;
  conn: ConnectionId;
  pairs: ConnectionPair[];
  snapshot: SnapshotEntry[];
  error: CstaErrorValue;
  flags: string[];
  private: Record<string, string>;
}

const S = <T extends MessageSpec>(spec: T): T => spec;

/** The namespace we write; any ECMA-323 edition's is accepted (codec.ts ignores namespaces). */
export const CSTA_NS = 'http://www.ecma-international.org/standards/ecma-323/csta/ed5';
export const SESSION_NS = 'http://www.ecma-international.org/standards/ecma-354/appl_session';

const MON = ['text', 'monitorCrossRefID'] as const;
const LCI = ['text?', 'localConnectionInfo'] as const;
const CAUSE = 'text!' as const;
const CALLER_NAME = ['text?', 'extensions/privateData/private/callerName'] as const;

const sessionMessages = {
  StartApplicationSession: S({
    applicationId: ['text', 'applicationInfo/applicationID'],
    protocolVersion: ['text', 'requestedProtocolVersions/protocolVersion'],
    requestedSessionDuration: 'int?',
  }),
  StartApplicationSessionPosResponse: S({ sessionId: ['text', 'sessionID'], actualProtocolVersion: 'text', actualSessionDuration: 'int!' }),
  StartApplicationSessionNegResponse: S({ errorCode: ['text', 'errorCode/definedError|errorCode/applError'] }),
  StopApplicationSession: S({ sessionId: ['text', 'sessionID'], sessionEndReason: ['text!', 'sessionEndReason/definedEndReason|sessionEndReason/appEndReason'] }),
  StopApplicationSessionPosResponse: S({}),
  ResetApplicationSessionTimer: S({ sessionId: ['text', 'sessionID'], requestedSessionDuration: 'int?' }),
  ResetApplicationSessionTimerPosResponse: S({ actualSessionDuration: 'int!' }),
} as const;

const cstaMessages = {
  // --- system status and monitoring
  SystemStatus: S({ sysStatRegisterId: ['text?', 'sysStatRegisterID'], systemStatus: 'text' }),
  SystemStatusResponse: S({}),
  // ECMA-269 §12.2.4: the CTI asks the switch's status; TR/87 puts it in the INVITE that opens a SIP/CSTA dialog.
  RequestSystemStatus: S({}),
  RequestSystemStatusResponse: S({ systemStatus: 'text' }),
  SystemRegister: S({ requestTypes: 'flags!' }),
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
  SingleStepConferenceCall: S({ activeCall: 'conn', deviceToJoin: 'text', participationType: 'text?', privateData: ['private?', 'extensions/privateData'] }),
  SingleStepConferenceCallResponse: S({ conferencedCall: 'conn' }),
  DeflectCall: S({ callToBeDiverted: 'conn', newDestination: 'text' }),
  DeflectCallResponse: S({}),
  GenerateDigits: S({ connectionToSendDigits: 'conn', charactersToSend: 'text' }),
  GenerateDigitsResponse: S({}),
  SetAgentState: S({ device: 'text', requestedAgentState: 'text', agentId: ['text?', 'agentID'] }),
  SetAgentStateResponse: S({}),

  // --- routeing (the dialogue is `crossRefIdentifier`; the registration rides along, optional)
  RouteRegister: S({ routingDevice: ['text?', 'routeingDevice'] }),
  RouteRegisterResponse: S({ routeRegisterReqId: ['text', 'routeRegisterReqID'] }),
  RouteRequest: S({
    routingCrossRefId: ['text', 'crossRefIdentifier'],
    routeRegisterReqId: ['text?', 'routeRegisterReqID'],
    currentRoute: 'device',
    callingDevice: 'device?',
    routedCall: 'conn?',
    callerName: CALLER_NAME,
  }),
  RouteSelect: S({
    routingCrossRefId: ['text', 'crossRefIdentifier'],
    routeRegisterReqId: ['text?', 'routeRegisterReqID'],
    routeSelected: 'text',
  }),
  RouteEnd: S({
    routingCrossRefId: ['text', 'crossRefIdentifier'],
    routeRegisterReqId: ['text?', 'routeRegisterReqID'],
    errorValue: 'error?',
  }),

  // --- call control events (every one starts with monitorCrossRefID; cause is mandatory)
  ServiceInitiatedEvent: S({ monitorCrossRefId: MON, initiatedConnection: 'conn', initiatingDevice: 'device!', localConnectionInfo: LCI, cause: CAUSE }),
  OriginatedEvent: S({ monitorCrossRefId: MON, originatedConnection: 'conn', callingDevice: 'device!', calledDevice: 'device!', localConnectionInfo: LCI, cause: CAUSE }),
  DeliveredEvent: S({
    monitorCrossRefId: MON,
    connection: 'conn',
    alertingDevice: 'device',
    callingDevice: 'device!',
    calledDevice: 'device!',
    lastRedirectionDevice: 'redir!',
    localConnectionInfo: LCI,
    cause: CAUSE,
    callerName: CALLER_NAME,
  }),
  EstablishedEvent: S({
    monitorCrossRefId: MON,
    establishedConnection: 'conn',
    answeringDevice: 'device',
    callingDevice: 'device!',
    calledDevice: 'device!',
    lastRedirectionDevice: 'redir!',
    localConnectionInfo: LCI,
    cause: CAUSE,
  }),
  HeldEvent: S({ monitorCrossRefId: MON, heldConnection: 'conn', holdingDevice: 'device', localConnectionInfo: LCI, cause: CAUSE }),
  RetrievedEvent: S({ monitorCrossRefId: MON, retrievedConnection: 'conn', retrievingDevice: 'device', localConnectionInfo: LCI, cause: CAUSE }),
  DivertedEvent: S({
    monitorCrossRefId: MON,
    connection: 'conn',
    divertingDevice: 'device',
    newDestination: 'device',
    callingDevice: 'device?',
    calledDevice: 'device?',
    lastRedirectionDevice: 'redir!',
    localConnectionInfo: LCI,
    cause: CAUSE,
  }),
  TransferedEvent: S({
    monitorCrossRefId: MON,
    primaryOldCall: 'conn',
    secondaryOldCall: 'conn?',
    transferringDevice: 'device',
    transferredToDevice: 'device',
    transferredConnections: 'pairs',
    localConnectionInfo: LCI,
    cause: CAUSE,
  }),
  ConferencedEvent: S({
    monitorCrossRefId: MON,
    primaryOldCall: 'conn',
    secondaryOldCall: 'conn?',
    conferencingDevice: 'device',
    addedParty: 'device',
    conferenceConnections: 'pairs',
    localConnectionInfo: LCI,
    cause: CAUSE,
    participationType: ['text?', 'extensions/privateData/private/participationType'],
  }),
  ConnectionClearedEvent: S({ monitorCrossRefId: MON, droppedConnection: 'conn', releasingDevice: 'device', localConnectionInfo: LCI, cause: CAUSE }),
  CallClearedEvent: S({ monitorCrossRefId: MON, clearedCall: 'conn', cause: CAUSE }),
  FailedEvent: S({
    monitorCrossRefId: MON,
    failedConnection: 'conn',
    failingDevice: 'device',
    callingDevice: 'device!',
    calledDevice: 'device!',
    lastRedirectionDevice: 'redir!',
    localConnectionInfo: LCI,
    cause: CAUSE,
  }),
  QueuedEvent: S({
    monitorCrossRefId: MON,
    queuedConnection: 'conn',
    queue: 'device',
    callingDevice: 'device!',
    calledDevice: 'device!',
    lastRedirectionDevice: 'redir!',
    numberQueued: 'int?',
    localConnectionInfo: LCI,
    cause: CAUSE,
  }),

  // --- voice units (ECMA-269 voice services; docs/csta-profile.md "Voice units"). A message is
  // named by its id (`prompt:welcome`, `file:/abs/x.wav`, `tts:…`, `tone:beep`, `silence:500`,
  // `music`); lengths are milliseconds; `termination` is TerminatingConditions (flags).
  PlayMessage: S({
    messageToBePlayed: 'text',
    overConnection: 'conn',
    duration: 'int?',
    termination: 'flags?',
    text: ['text?', 'extensions/privateData/private/text'],
    lang: ['text?', 'extensions/privateData/private/lang'],
  }),
  PlayMessageResponse: S({}),
  Stop: S({ connection: 'conn', messageToBeStopped: 'text?', resource: 'text?' }),
  StopResponse: S({}),
  RecordMessage: S({
    callToBeRecorded: 'conn',
    resource: 'text?',
    samplingRate: 'int?',
    encodingAlgorithm: 'text?',
    maxDuration: 'int?',
    termination: 'flags?',
  }),
  RecordMessageResponse: S({ resultingMessage: 'text' }),
  /** ECMA-269 Suspend / Resume (voice services): a recording paused and resumed (the switch writes
   * silence for the paused span). `message` / `messageToResume`: the recording's message id. */
  Suspend: S({ connection: 'conn', message: 'text?', resource: 'text?' }),
  SuspendResponse: S({}),
  Resume: S({ connection: 'conn', messageToResume: 'text?', resource: 'text?', duration: 'int?' }),
  ResumeResponse: S({}),
  PlayEvent: S({ monitorCrossRefId: MON, connection: 'conn', message: 'text', resource: 'text?', length: 'int?', currentPosition: 'int?', cause: 'text?' }),
  RecordEvent: S({ monitorCrossRefId: MON, connection: 'conn', message: 'text', resource: 'text?', length: 'int?', currentPosition: 'int?', cause: 'text?' }),
  SuspendRecordEvent: S({ monitorCrossRefId: MON, connection: 'conn', message: 'text', resource: 'text?', length: 'int?', currentPosition: 'int?', cause: 'text?' }),
  StopEvent: S({
    monitorCrossRefId: MON,
    connection: 'conn',
    message: 'text',
    resource: 'text?',
    length: 'int?',
    currentPosition: 'int?',
    cause: CAUSE,
    bytes: ['int?', 'extensions/privateData/private/bytes'],
  }),

  // --- voice (DTMF: one character per event, ECMA-269 voice services)
  DtmfDetectedEvent: S({ monitorCrossRefId: MON, overConnection: 'conn', dtmfChar: 'text', cause: 'text?' }),

  // --- agents (logical device features) and maintenance
  AgentLoggedOnEvent: S({ monitorCrossRefId: MON, agentDevice: 'device', agentId: ['text?', 'agentID'], cause: 'text?' }),
  AgentLoggedOffEvent: S({ monitorCrossRefId: MON, agentDevice: 'device', agentId: ['text?', 'agentID'], cause: 'text?' }),
  AgentReadyEvent: S({ monitorCrossRefId: MON, agentDevice: 'device', agentId: ['text?', 'agentID'], cause: 'text?' }),
  AgentNotReadyEvent: S({ monitorCrossRefId: MON, agentDevice: 'device', agentId: ['text?', 'agentID'], cause: 'text?' }),
  AgentWorkingAfterCallEvent: S({ monitorCrossRefId: MON, agentDevice: 'device', agentId: ['text?', 'agentID'], cause: 'text?' }),
  AgentBusyEvent: S({ monitorCrossRefId: MON, agentDevice: 'device', agentId: ['text?', 'agentID'], cause: 'text?' }),
  OutOfServiceEvent: S({ monitorCrossRefId: MON, device: 'device', cause: 'text?' }),
  BackInServiceEvent: S({ monitorCrossRefId: MON, device: 'device', cause: 'text?' }),
} as const;

export const CATALOGUE = { ...sessionMessages, ...cstaMessages } as const;
export type Catalogue = typeof CATALOGUE;
export type CstaMessageType = keyof Catalogue | 'CSTAErrorCode';

export function isSessionMessage(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(sessionMessages, type);
}

type KindOf<F> = F extends readonly [infer K, string] ? K : F;
type Loose<K> = K extends `${string}?` ? true : K extends `${string}!` ? true : false;
type Strip<K> = K extends `${infer B}?` ? B : K extends `${infer B}!` ? B : K;
type Required_<S> = { -readonly [F in keyof S as Loose<KindOf<S[F]>> extends true ? never : F]: KindTypes[KindOf<S[F]> & BaseKind] };
type Optional_<S> = { -readonly [F in keyof S as Loose<KindOf<S[F]>> extends true ? F : never]?: KindTypes[Strip<KindOf<S[F]>> & BaseKind] };
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
