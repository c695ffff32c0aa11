/** The CSTA message catalogue: every message type round-trips; wire shapes and decode errors. */
import { describe, expect, it } from 'vitest';
import {
  CSTA_NS,
  CstaDecodeError,
  decodeMessage,
  encodeMessage,
  isEventType,
  isKnownMessageType,
  isResponseType,
  SESSION_NS,
  type CstaMessage,
  type CstaMessageType,
  type MessageOf,
} from '../../src/pbx-adapters/csta/protocol/catalogue.ts';

const c = (callId: string, deviceId: string) => ({ callId, deviceId });
const X = 'ref-1';

/** One full sample per message type (optional fields set); the mapped type makes tsc flag a
 * message type missing from this table. */
const SAMPLES: { [T in Exclude<CstaMessageType, 'CSTAErrorCode'>]: Omit<MessageOf<T>, 'type'> } = {
  StartApplicationSession: { applicationId: 'switchboard', protocolVersion: CSTA_NS, requestedSessionDuration: 300 },
  StartApplicationSessionPosResponse: { sessionId: 's1', actualProtocolVersion: CSTA_NS, actualSessionDuration: 120 },
  StartApplicationSessionNegResponse: { errorCode: 'invalidApplicationInfo' },
  StopApplicationSession: { sessionId: 's1', sessionEndReason: 'normal' },
  StopApplicationSessionPosResponse: {},
  ResetApplicationSessionTimer: { sessionId: 's1', requestedSessionDuration: 300 },
  ResetApplicationSessionTimerPosResponse: { actualSessionDuration: 300 },
  SystemStatus: { systemStatus: 'normal' },
  SystemStatusResponse: {},
  SystemRegister: {},
  SystemRegisterResponse: { sysStatRegisterId: 'sys1' },
  MonitorStart: { deviceId: '2001' },
  MonitorStartResponse: { monitorCrossRefId: 'm1' },
  MonitorStop: { monitorCrossRefId: 'm1' },
  MonitorStopResponse: {},
  SnapshotDevice: { deviceId: '2001' },
  SnapshotDeviceResponse: { calls: [{ connection: c('7', '2001'), state: 'connected' }, { connection: c('9', '2001'), state: 'hold' }] },
  MakeCall: { callingDevice: '2001', calledDirectoryNumber: '0612345678' },
  MakeCallResponse: { callingDevice: c('7', '2001') },
  AnswerCall: { callToBeAnswered: c('7', '2001') },
  AnswerCallResponse: {},
  ClearConnection: { connectionToBeCleared: c('7', '2001') },
  ClearConnectionResponse: {},
  ClearCall: { callToBeCleared: c('7', '2001') },
  ClearCallResponse: {},
  HoldCall: { callToBeHeld: c('7', '2001') },
  HoldCallResponse: {},
  RetrieveCall: { callToBeRetrieved: c('7', '2001') },
  RetrieveCallResponse: {},
  ConsultationCall: { existingCall: c('7', '2001'), consultedDevice: '2002' },
  ConsultationCallResponse: { initiatedCall: c('8', '2001') },
  TransferCall: { heldCall: c('7', '2001'), activeCall: c('8', '2001') },
  TransferCallResponse: { transferredCall: c('7', '2002') },
  SingleStepTransferCall: { activeCall: c('7', '2001'), transferredTo: '2002' },
  SingleStepTransferCallResponse: { transferredCall: c('7', '2002') },
  ConferenceCall: { heldCall: c('7', '2001'), activeCall: c('8', '2001') },
  ConferenceCallResponse: { conferenceCall: c('7', '2001') },
  SingleStepConferenceCall: { activeCall: c('7', '2001'), deviceToJoin: '2901', participationType: 'silent', privateData: { whisper: 'true' } },
  SingleStepConferenceCallResponse: { conferenceCall: c('7', '2901') },
  DeflectCall: { callToBeDiverted: c('7', '8900'), newDestination: '2001' },
  DeflectCallResponse: {},
  GenerateDigits: { connectionToSendDigits: c('7', '2001'), charactersToSend: '12*#' },
  GenerateDigitsResponse: {},
  SetAgentState: { device: '2001', requestedAgentState: 'ready', agentId: 'a17' },
  SetAgentStateResponse: {},
  RouteRegister: { routingDevice: '8000' },
  RouteRegisterResponse: { routeRegisterReqId: 'r1' },
  RouteRequest: { routeRegisterReqId: 'r1', routingCrossRefId: X, currentRoute: '8000', callingDevice: '0612', routedCall: c('7', '8000'), callerName: 'Ada Lovelace' },
  RouteSelect: { routeRegisterReqId: 'r1', routingCrossRefId: X, routeSelected: '2001' },
  RouteEnd: { routeRegisterReqId: 'r1', routingCrossRefId: X, errorValue: 'timeout' },
  ServiceInitiatedEvent: { monitorCrossRefId: 'm1', initiatedConnection: c('7', '2001'), initiatingDevice: '2001', cause: 'newCall' },
  OriginatedEvent: { monitorCrossRefId: 'm1', originatedConnection: c('7', '2001'), callingDevice: '2001', calledDevice: '2002', cause: 'newCall' },
  DeliveredEvent: {
    monitorCrossRefId: 'm1',
    connection: c('7', '2001'),
    alertingDevice: '2001',
    callingDevice: '0612',
    calledDevice: '8000',
    lastRedirectionDevice: '8000',
    cause: 'redirected',
    callerName: 'Ada & <Bob>',
  },
  EstablishedEvent: { monitorCrossRefId: 'm1', establishedConnection: c('7', '2001'), answeringDevice: '2001', callingDevice: '0612', calledDevice: '8000', cause: 'newCall' },
  HeldEvent: { monitorCrossRefId: 'm1', heldConnection: c('7', '2001'), holdingDevice: '2001', cause: 'normal' },
  RetrievedEvent: { monitorCrossRefId: 'm1', retrievedConnection: c('7', '2001'), retrievingDevice: '2001', cause: 'normal' },
  DivertedEvent: { monitorCrossRefId: 'm1', connection: c('7', '8000'), divertingDevice: '8000', newDestination: '2001', cause: 'redirected' },
  TransferredEvent: {
    monitorCrossRefId: 'm1',
    primaryOldCall: c('7', '2001'),
    secondaryOldCall: c('8', '2001'),
    transferringDevice: '2001',
    transferredToDevice: '2002',
    transferredConnections: [{ oldConnection: c('8', '2002'), newConnection: c('7', '2002') }, { newConnection: c('7', '0612') }],
    cause: 'transfer',
  },
  ConferencedEvent: {
    monitorCrossRefId: 'm1',
    primaryOldCall: c('7', '2001'),
    secondaryOldCall: c('8', '2001'),
    conferencingDevice: '2001',
    addedParty: '2901',
    conferenceConnections: [{ newConnection: c('7', '2901') }],
    participationType: 'whisper',
    cause: 'conference',
  },
  ConnectionClearedEvent: { monitorCrossRefId: 'm1', droppedConnection: c('7', '2001'), releasingDevice: '2001', cause: 'normalClearing' },
  CallClearedEvent: { monitorCrossRefId: 'm1', clearedCall: '7', cause: 'normalClearing' },
  FailedEvent: { monitorCrossRefId: 'm1', failedConnection: c('7', '2001'), failingDevice: '2001', calledDevice: '2999', cause: 'invalidNumberFormat' },
  QueuedEvent: { monitorCrossRefId: 'm1', queuedConnection: c('7', '8900'), queue: '8900', callingDevice: '0612', calledDevice: '8000', numberQueued: 0, cause: 'enteringDistribution' },
  DigitsDetectedEvent: { monitorCrossRefId: 'm1', connection: c('7', '0612'), digits: '42#' },
  AgentLoggedOnEvent: { monitorCrossRefId: 'm1', agentDevice: '2001', agentId: 'a17' },
  AgentLoggedOffEvent: { monitorCrossRefId: 'm1', agentDevice: '2001', agentId: 'a17' },
  AgentReadyEvent: { monitorCrossRefId: 'm1', agentDevice: '2001', agentId: 'a17' },
  AgentNotReadyEvent: { monitorCrossRefId: 'm1', agentDevice: '2001' },
  AgentWorkingAfterCallEvent: { monitorCrossRefId: 'm1', agentDevice: '2001', agentId: 'a17' },
  AgentBusyEvent: { monitorCrossRefId: 'm1', agentDevice: '2001', agentId: 'a17' },
  OutOfServiceEvent: { monitorCrossRefId: 'm1', device: '2001', cause: 'normal' },
  BackInServiceEvent: { monitorCrossRefId: 'm1', device: '2001', cause: 'normal' },
};

const all = Object.entries(SAMPLES).map(([type, fields]) => ({ type, ...fields }) as CstaMessage);
const SESSION_TYPES = new Set(['StartApplicationSession', 'StartApplicationSessionPosResponse', 'StartApplicationSessionNegResponse', 'StopApplicationSession', 'StopApplicationSessionPosResponse', 'ResetApplicationSessionTimer', 'ResetApplicationSessionTimerPosResponse']);

describe('catalogue round trip', () => {
  it.each(all.map((m) => [m.type, m] as const))('%s encodes and decodes to the same message', (type, msg) => {
    expect(isKnownMessageType(type)).toBe(true);
    const xml = encodeMessage(msg);
    expect(xml).toContain(`<${type} xmlns="${SESSION_TYPES.has(type) ? SESSION_NS : CSTA_NS}">`);
    expect(decodeMessage(xml)).toEqual(msg);
  });

  it('round-trips CSTAErrorCode for every category', () => {
    for (const category of ['operation', 'security', 'stateIncompatibility', 'systemResourceAvailability', 'subscribedResourceAvailability', 'performanceManagement', 'privateData', 'unspecified'] as const) {
      const msg: CstaMessage = { type: 'CSTAErrorCode', error: { category, value: 'invalidCallID' } };
      expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
    }
  });

  it('round-trips messages with every optional field left out', () => {
    const bare: CstaMessage[] = [
      { type: 'DeliveredEvent', monitorCrossRefId: 'm1', connection: c('7', '2001'), alertingDevice: '2001' },
      { type: 'TransferredEvent', monitorCrossRefId: 'm1', primaryOldCall: c('7', '2001'), transferringDevice: '2001', transferredToDevice: '2002', transferredConnections: [] },
      { type: 'SnapshotDeviceResponse', calls: [] },
      { type: 'RouteEnd', routeRegisterReqId: 'r1', routingCrossRefId: X },
      { type: 'SingleStepConferenceCall', activeCall: c('7', '2001'), deviceToJoin: '2901', participationType: 'active' },
    ];
    for (const msg of bare) expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
  });
});

describe('wire shape', () => {
  it('wraps devices in deviceIdentifier and puts private data under extensions/privateData/private', () => {
    const xml = encodeMessage({ type: 'DeliveredEvent', ...SAMPLES.DeliveredEvent });
    expect(xml).toContain('<alertingDevice><deviceIdentifier>2001</deviceIdentifier></alertingDevice>');
    expect(xml).toContain('<connection><callID>7</callID><deviceID>2001</deviceID></connection>');
    expect(xml).toContain('<extensions><privateData><private><callerName>Ada &amp; &lt;Bob&gt;</callerName></private></privateData></extensions>');
  });

  it('decodes namespace prefixes and other CSTA editions', () => {
    const xml = '<csta:MakeCallResponse xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed3"><csta:callingDevice><csta:callID>12</csta:callID><csta:deviceID>2001</csta:deviceID></csta:callingDevice></csta:MakeCallResponse>';
    expect(decodeMessage(xml)).toEqual({ type: 'MakeCallResponse', callingDevice: c('12', '2001') });
  });

  it('reads a device given as notKnown as an empty id', () => {
    const xml = `<DeliveredEvent xmlns="${CSTA_NS}"><monitorCrossRefID>m1</monitorCrossRefID><connection><callID>7</callID><deviceID>2001</deviceID></connection><alertingDevice><deviceIdentifier>2001</deviceIdentifier></alertingDevice><callingDevice><notKnown/></callingDevice></DeliveredEvent>`;
    expect(decodeMessage(xml)).toMatchObject({ type: 'DeliveredEvent', callingDevice: '' });
  });

  it('trims surrounding whitespace of text values (parser setting)', () => {
    const xml = encodeMessage({ type: 'DeliveredEvent', ...SAMPLES.DeliveredEvent, callerName: '  Ada  ' });
    expect(decodeMessage(xml)).toMatchObject({ callerName: 'Ada' });
  });

  it('classifies message names', () => {
    expect(isEventType('DeliveredEvent')).toBe(true);
    expect(isEventType('NoSuchEvent')).toBe(false);
    expect(isEventType('MakeCall')).toBe(false);
    expect(isResponseType('MakeCallResponse')).toBe(true);
    expect(isResponseType('StartApplicationSessionPosResponse')).toBe(true);
    expect(isResponseType('CSTAErrorCode')).toBe(true);
    expect(isResponseType('RouteRequest')).toBe(false);
  });
});

describe('decode errors', () => {
  const fails = (xml: string): CstaDecodeError => {
    try {
      decodeMessage(xml);
    } catch (err) {
      expect(err).toBeInstanceOf(CstaDecodeError);
      return err as CstaDecodeError;
    }
    throw new Error(`decoded: ${xml}`);
  };

  it('rejects XML that is not well-formed', () => {
    expect(fails('<MakeCall><callingDevice>1</MakeCall>').message).toMatch(/not well-formed/);
    expect(fails('').code).toBe('CSTA_BAD_MESSAGE');
  });

  it('names the message type of an unknown or incomplete message', () => {
    expect(fails('<FrobnicateResponse/>').messageType).toBe('FrobnicateResponse');
    const e = fails('<MakeCall><callingDevice>2001</callingDevice></MakeCall>');
    expect(e.messageType).toBe('MakeCall');
    expect(e.message).toMatch(/calledDirectoryNumber/);
  });

  it('rejects bad field values', () => {
    expect(fails('<QueuedEvent><monitorCrossRefID>1</monitorCrossRefID><queuedConnection><callID>7</callID></queuedConnection><queue><deviceIdentifier>8900</deviceIdentifier></queue><numberQueued>-3</numberQueued></QueuedEvent>').message).toMatch(/non-negative integer/);
    expect(fails('<MakeCallResponse><callingDevice><deviceID>2001</deviceID></callingDevice></MakeCallResponse>').message).toMatch(/callID missing/);
    expect(
      fails('<SnapshotDeviceResponse><crossRefIDorSnapshotData><snapshotData><snapshotDeviceResponseInfo><connectionIdentifier><callID>1</callID></connectionIdentifier><localCallState><compoundCallState><localConnectionState>ringing</localConnectionState></compoundCallState></localCallState></snapshotDeviceResponseInfo></snapshotData></crossRefIDorSnapshotData></SnapshotDeviceResponse>').message,
    ).toMatch(/unknown connection state ringing/);
  });

  it('refuses to encode a message missing a required field', () => {
    expect(() => encodeMessage({ type: 'MakeCall', callingDevice: '2001' } as unknown as CstaMessage)).toThrow(/MakeCall.calledDirectoryNumber is required/);
  });
});
