/**
 * ECMA-323 conformance of every message the two sides exchange. The table below is the standard's
 * (ECMA-323 ed3–ed6, sequence order; `*` marks an element the standard makes mandatory), written
 * down from the schemas' generated bindings and ECMA-285 (docs/csta-profile.md, "Conformance",
 * names its sources). For each message, a full sample is encoded and its elements must be the
 * standard's, in the standard's order, with every mandatory one present and `extensions` last.
 *
 * Then the other direction: messages as other CSTA XML implementations write them — another
 * edition's namespace, prefixes, elements we do not know, a connection with only a callID or only
 * a deviceID, `notKnown`/`restricted` devices, a snapshot in simpleCallState — must decode.
 */
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { CATALOGUE, type CstaMessage } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { decodeMessage, encodeMessage } from '../../src/pbx-adapters/csta/protocol/codec.ts';
import { mapCstaEvent } from '../../src/pbx-adapters/csta/event-mapper.ts';
import { ALL_SAMPLES } from '../helpers/csta-samples.ts';

const EXT = 'extensions';
const EVENT_TAIL = 'correlatorData userData chargingInfo cause* servicesPermitted mediaCallCharacteristics callCharacteristics';

/** The standard's children of each message, in order (top level). */
const STANDARD: Record<string, string> = {
  // ECMA-354
  StartApplicationSession: `applicationInfo* requestedProtocolVersions* requestedSessionDuration ${EXT}`,
  StartApplicationSessionPosResponse: `sessionID* actualProtocolVersion* actualSessionDuration* ${EXT}`,
  StartApplicationSessionNegResponse: `errorCode* ${EXT}`,
  StopApplicationSession: `sessionID* sessionEndReason* ${EXT}`,
  StopApplicationSessionPosResponse: EXT,
  ResetApplicationSessionTimer: `sessionID* requestedSessionDuration ${EXT}`,
  ResetApplicationSessionTimerPosResponse: `actualSessionDuration* ${EXT}`,
  // system, monitoring, snapshot
  SystemStatus: `sysStatRegisterID systemStatus* ${EXT}`,
  SystemStatusResponse: EXT,
  RequestSystemStatus: EXT,
  RequestSystemStatusResponse: `systemStatus* ${EXT}`,
  SystemRegister: `requestTypes* requestedStatusFilter ${EXT}`,
  SystemRegisterResponse: `sysStatRegisterID* actualStatusFilter ${EXT}`,
  MonitorStart: `monitorObject* requestedMonitorFilter monitorType requestedMonitorMediaClass ${EXT}`,
  MonitorStartResponse: `monitorCrossRefID* actualMonitorFilter actualMonitorMediaClass monitorExistingCalls ${EXT}`,
  MonitorStop: `monitorCrossRefID* ${EXT}`,
  MonitorStopResponse: EXT,
  SnapshotDevice: `snapshotObject* ${EXT}`,
  SnapshotDeviceResponse: `crossRefIDorSnapshotData* ${EXT}`,
  // call control
  MakeCall: `callingDevice* calledDirectoryNumber* accountCode authCode autoOriginate correlatorData userData callCharacteristics mediaCallCharacteristics callingConnectionInfo subjectOfCall languagePreferences reason ${EXT}`,
  MakeCallResponse: `callingDevice* mediaCallCharacteristics initiatedCallInfo callLinkageData ${EXT}`,
  AnswerCall: `callToBeAnswered* correlatorData userData ${EXT}`,
  AnswerCallResponse: EXT,
  ClearConnection: `connectionToBeCleared* correlatorData userData reason ${EXT}`,
  ClearConnectionResponse: EXT,
  ClearCall: `callToBeCleared* userData reason ${EXT}`,
  ClearCallResponse: EXT,
  HoldCall: `callToBeHeld* connectionReservation ${EXT}`,
  HoldCallResponse: EXT,
  RetrieveCall: `callToBeRetrieved* ${EXT}`,
  RetrieveCallResponse: EXT,
  ConsultationCall: `existingCall* consultedDevice* connectionReservation accountCode authCode correlatorData userData callCharacteristics mediaCallCharacteristics callingConnectionInfo consultOptions subjectOfCall languagePreferences ${EXT}`,
  ConsultationCallResponse: `initiatedCall* mediaCallCharacteristics initiatedCallInfo callLinkageData ${EXT}`,
  TransferCall: `heldCall* activeCall* ${EXT}`,
  TransferCallResponse: `transferredCall* connections transferredCallInfo callLinkageDataList ${EXT}`,
  SingleStepTransferCall: `activeCall* transferredTo* accountCode authCode correlatorData userData callCharacteristics subjectOfCall languagePreferences reason ${EXT}`,
  SingleStepTransferCallResponse: `transferredCall* connections transferredCallInfo callLinkageDataList ${EXT}`,
  ConferenceCall: `heldCall* activeCall* ${EXT}`,
  ConferenceCallResponse: `conferenceCall* connections conferenceCallInfo callLinkageDataList ${EXT}`,
  SingleStepConferenceCall: `activeCall* deviceToJoin* participationType accountCode authCode correlatorData userData subjectOfCall languagePreferences ${EXT}`,
  SingleStepConferenceCallResponse: `conferencedCall* conferencedCallInfo callLinkageDataList ${EXT}`,
  DeflectCall: `callToBeDiverted* newDestination* correlatorData userData callCharacteristics subjectOfCall languagePreferences reason ${EXT}`,
  DeflectCallResponse: EXT,
  GenerateDigits: `connectionToSendDigits* digitMode charactersToSend* toneDuration pulseRate pauseDuration ${EXT}`,
  GenerateDigitsResponse: EXT,
  SetAgentState: `device* requestedAgentState* agentID password group ${EXT}`,
  SetAgentStateResponse: `pendingAgentState ${EXT}`,
  // routeing
  RouteRegister: `routeingDevice requestedRouteingMediaClass ${EXT}`,
  RouteRegisterResponse: `routeRegisterReqID* actualRouteingMediaClass ${EXT}`,
  RouteRequest: `crossRefIdentifier* routeRegisterReqID currentRoute* callingDevice routeingDevice routedCall routeSelAlgorithm associatedCallingDevice associatedCalledDevice priority replyTimeout correlatorData mediaCallCharacteristics callCharacteristics routeCallInfo callLinkageData subjectOfCall messageInfo languagePreferences deviceHistory ${EXT}`,
  RouteSelect: `crossRefIdentifier* routeRegisterReqID routeSelected* alternateRoutes remainRetries routeUsedReq correlatorData ${EXT}`,
  RouteEnd: `crossRefIdentifier* routeRegisterReqID errorValue correlatorData ${EXT}`,
  // events
  ServiceInitiatedEvent: `monitorCrossRefID* initiatedConnection* initiatingDevice* calledDevice localConnectionInfo correlatorData cause* servicesPermitted ${EXT}`,
  OriginatedEvent: `monitorCrossRefID* originatedConnection* callingDevice* calledDevice* originatingDevice localConnectionInfo correlatorData cause* servicesPermitted ${EXT}`,
  DeliveredEvent: `monitorCrossRefID* connection* alertingDevice* callingDevice* calledDevice* lastRedirectionDevice* originatingNIDConnection localConnectionInfo ${EVENT_TAIL} ${EXT}`,
  EstablishedEvent: `monitorCrossRefID* establishedConnection* answeringDevice* callingDevice* calledDevice* lastRedirectionDevice* originatinNIDConnection localConnectionInfo ${EVENT_TAIL} ${EXT}`,
  HeldEvent: `monitorCrossRefID* heldConnection* holdingDevice* localConnectionInfo correlatorData cause* servicesPermitted ${EXT}`,
  RetrievedEvent: `monitorCrossRefID* retrievedConnection* retrievingDevice* localConnectionInfo correlatorData cause* servicesPermitted ${EXT}`,
  DivertedEvent: `monitorCrossRefID* connection* divertingDevice* newDestination* callingDevice calledDevice lastRedirectionDevice* localConnectionInfo ${EVENT_TAIL} ${EXT}`,
  TransferedEvent: `monitorCrossRefID* primaryOldCall* secondaryOldCall transferringDevice* transferredToDevice* transferredConnections* localConnectionInfo ${EVENT_TAIL} ${EXT}`,
  ConferencedEvent: `monitorCrossRefID* primaryOldCall* secondaryOldCall conferencingDevice* addedParty* conferenceConnections* localConnectionInfo ${EVENT_TAIL} ${EXT}`,
  ConnectionClearedEvent: `monitorCrossRefID* droppedConnection* releasingDevice* localConnectionInfo ${EVENT_TAIL} ${EXT}`,
  CallClearedEvent: `monitorCrossRefID* clearedCall* correlatorData userData cause* mediaCallCharacteristics callCharacteristics ${EXT}`,
  FailedEvent: `monitorCrossRefID* failedConnection* failingDevice* callingDevice* calledDevice* lastRedirectionDevice* originatingNIDConnection localConnectionInfo ${EVENT_TAIL} ${EXT}`,
  QueuedEvent: `monitorCrossRefID* queuedConnection* queue* callingDevice* calledDevice* lastRedirectionDevice* numberQueued callsInFront localConnectionInfo ${EVENT_TAIL} ${EXT}`,
  // voice units (ECMA-323 ed6 PlayMessage, Stop, RecordMessage and their events)
  PlayMessage: `messageToBePlayed* overConnection* duration termination ${EXT}`,
  PlayMessageResponse: EXT,
  Stop: `connection* messageToBeStopped resource ${EXT}`,
  StopResponse: EXT,
  RecordMessage: `callToBeRecorded* resource samplingRate encodingAlgorithm maxDuration termination ${EXT}`,
  RecordMessageResponse: `resultingMessage* ${EXT}`,
  Suspend: `connection* message resource ${EXT}`,
  SuspendResponse: EXT,
  Resume: `connection* messageToResume resource duration ${EXT}`,
  ResumeResponse: EXT,
  PlayEvent: `monitorCrossRefID* connection* message* resource length currentPosition speed cause servicesPermitted ${EXT}`,
  RecordEvent: `monitorCrossRefID* connection* message* resource length currentPosition cause servicesPermitted ${EXT}`,
  SuspendRecordEvent: `monitorCrossRefID* connection* message* resource length currentPosition cause servicesPermitted ${EXT}`,
  StopEvent: `monitorCrossRefID* connection* message* resource length currentPosition cause servicesPermitted ${EXT}`,
  DtmfDetectedEvent: `monitorCrossRefID* overConnection* resource dtmfChar* cause servicesPermitted ${EXT}`,
  AgentLoggedOnEvent: `monitorCrossRefID* agentDevice* agentID acdGroup agentPassword cause ${EXT}`,
  AgentLoggedOffEvent: `monitorCrossRefID* agentDevice* agentID acdGroup agentPassword cause ${EXT}`,
  AgentReadyEvent: `monitorCrossRefID* agentDevice* agentID acdGroup cause ${EXT}`,
  AgentNotReadyEvent: `monitorCrossRefID* agentDevice* agentID acdGroup cause ${EXT}`,
  AgentWorkingAfterCallEvent: `monitorCrossRefID* agentDevice* agentID acdGroup pendingAgentState cause ${EXT}`,
  AgentBusyEvent: `monitorCrossRefID* agentDevice* agentID acdGroup pendingAgentState cause ${EXT}`,
  OutOfServiceEvent: `monitorCrossRefID* device* cause ${EXT}`,
  BackInServiceEvent: `monitorCrossRefID* device* cause ${EXT}`,
};

/** Nested structures, in order. */
const NESTED: Record<string, string> = {
  connection: 'callID deviceID',
  connectionListItem: 'newConnection oldConnection endpoint associatedNID resultingConnectionInfo',
  snapshotDeviceResponseInfo: 'connectionIdentifier* endpointDevice localCallState* servicesPermitted mediaServiceInfoList mediaCallCharacteristics callLinkageData',
  applicationInfo: 'applicationID* applicationSpecificInfo',
  termination: 'durationExceeded dTMFDigitDetected endOfMessageDetected speechDetected',
};

const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, ignoreDeclaration: true });
type Node = Record<string, Node[]>;
const childrenOf = (nodes: Node[]): { name: string; kids: Node[] }[] =>
  nodes.flatMap((n) => Object.keys(n).filter((k) => k !== '#text' && k !== ':@').map((k) => ({ name: k, kids: n[k]! })));

function parseStd(list: string): { names: string[]; mandatory: string[] } {
  const items = list.split(/\s+/).filter(Boolean);
  return { names: items.map((i) => i.replace('*', '')), mandatory: items.filter((i) => i.endsWith('*')).map((i) => i.slice(0, -1)) };
}

function expectConforms(where: string, got: string[], standard: string): void {
  const { names, mandatory } = parseStd(standard);
  const idx = got.map((g) => names.indexOf(g));
  expect(idx.filter((i) => i < 0).map((_, k) => got[k]), `${where}: elements the standard does not have`).toEqual([]);
  for (let i = 1; i < idx.length; i++) expect(idx[i]!, `${where}: ${got[i]} after ${got[i - 1]}`).toBeGreaterThan(idx[i - 1]!);
  for (const m of mandatory) expect(got, `${where}: mandatory ${m}`).toContain(m);
}

describe('ECMA-323 element names and order, every message of the catalogue', () => {
  it('the table covers every message of the catalogue and no other', () => {
    expect(Object.keys(STANDARD).sort()).toEqual(Object.keys(CATALOGUE).sort());
  });

  it.each(ALL_SAMPLES.map((m) => [m.type, m] as const))('%s: the standard\'s elements in its order, mandatory ones present', (type, msg) => {
    const doc = ordered.parse(encodeMessage(msg)) as Node[];
    const [root] = childrenOf(doc);
    expect(root!.name).toBe(type);
    const kids = childrenOf(root!.kids);
    expectConforms(type, kids.map((k) => k.name), STANDARD[type]!);
    // nested structures
    const walk = (nodes: { name: string; kids: Node[] }[], path: string) => {
      for (const k of nodes) {
        const inner = childrenOf(k.kids);
        const rule = ['connection', 'initiatedConnection', 'originatedConnection', 'establishedConnection', 'heldConnection', 'retrievedConnection', 'queuedConnection', 'failedConnection', 'droppedConnection', 'clearedCall', 'overConnection', 'primaryOldCall', 'secondaryOldCall', 'newConnection', 'oldConnection', 'connectionIdentifier', 'callToBeAnswered', 'connectionToBeCleared', 'callToBeCleared', 'callToBeHeld', 'callToBeRetrieved', 'existingCall', 'heldCall', 'activeCall', 'callToBeDiverted', 'connectionToSendDigits', 'routedCall', 'initiatedCall', 'transferredCall', 'conferenceCall', 'conferencedCall', 'callingDevice', 'callToBeRecorded'].includes(k.name) && inner.some((i) => i.name === 'callID' || i.name === 'deviceID')
          ? NESTED.connection
          : NESTED[k.name];
        if (rule) expectConforms(`${path}/${k.name}`, inner.map((i) => i.name), rule);
        walk(inner, `${path}/${k.name}`);
      }
    };
    walk(kids, type);
  });

  it('CSTAErrorCode carries one category element, systemResourceAvailibility spelt as the standard spells it', () => {
    const xml = encodeMessage({ type: 'CSTAErrorCode', error: { category: 'systemResourceAvailability', value: 'resourceOutOfService' } });
    const [root] = childrenOf(ordered.parse(xml) as Node[]);
    expect(childrenOf(root!.kids).map((k) => k.name)).toEqual(['systemResourceAvailibility']);
  });
});

describe('messages as other CSTA XML implementations write them', () => {
  const monitors = new Map([['M1', '2001']]);

  it('an OpenScape-style ed4 ServiceInitiatedEvent with servicesPermitted, media characteristics and private extensions', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><ServiceInitiatedEvent xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed4"><monitorCrossRefID>M1</monitorCrossRefID>' +
      '<initiatedConnection><callID>FF000100000000005A4B9A5C0A010000</callID><deviceID typeOfNumber="dialingNumber">2001</deviceID></initiatedConnection>' +
      '<initiatingDevice><deviceIdentifier>2001</deviceIdentifier></initiatingDevice><localConnectionInfo>initiated</localConnectionInfo><cause>makeCall</cause>' +
      '<servicesPermitted><callControlServices><clearConnection>true</clearConnection></callControlServices><callAssociatedServices/><mediaAttachementServices/><routeingServices/><voiceServices/></servicesPermitted>' +
      '<mediaCallCharacteristics><mediaClass><voice>true</voice></mediaClass></mediaCallCharacteristics><extensions><privateData><private><vendor:x xmlns:vendor="urn:x">1</vendor:x></private></privateData></extensions></ServiceInitiatedEvent>';
    const msg = decodeMessage(xml);
    expect(msg).toEqual({ type: 'ServiceInitiatedEvent', monitorCrossRefId: 'M1', initiatedConnection: { callId: 'FF000100000000005A4B9A5C0A010000', deviceId: '2001' }, initiatingDevice: '2001', localConnectionInfo: 'initiated', cause: 'makeCall' });
    expect(mapCstaEvent(msg as never, monitors)).toMatchObject({ kind: 'serviceInitiated', callId: 'FF000100000000005A4B9A5C0A010000', deviceId: '2001' });
  });

  it('prefixed elements in the ed3 namespace, a connection with only a callID, devices notKnown and restricted, lastRedirectionDevice notRequired', () => {
    const xml =
      '<csta:DeliveredEvent xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed3"><csta:monitorCrossRefID>M1</csta:monitorCrossRefID>' +
      '<csta:connection><csta:callID>77</csta:callID></csta:connection><csta:alertingDevice><csta:deviceIdentifier>2001</csta:deviceIdentifier></csta:alertingDevice>' +
      '<csta:callingDevice><csta:restricted/></csta:callingDevice><csta:calledDevice><csta:notKnown/></csta:calledDevice><csta:lastRedirectionDevice><csta:notRequired/></csta:lastRedirectionDevice>' +
      '<csta:cause>newCall</csta:cause></csta:DeliveredEvent>';
    const msg = decodeMessage(xml);
    expect(msg).toEqual({ type: 'DeliveredEvent', monitorCrossRefId: 'M1', connection: { callId: '77', deviceId: '' }, alertingDevice: '2001', cause: 'newCall' });
    // the device comes from alertingDevice when the connection does not name it
    expect(mapCstaEvent(msg as never, monitors)).toMatchObject({ kind: 'delivered', callId: '77', deviceId: '2001', calling: '', called: '' });
  });

  it('elements the catalogue does not know are ignored; a mandatory cause another switch left out is tolerated', () => {
    const xml =
      '<HeldEvent xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed6"><monitorCrossRefID>M1</monitorCrossRefID><heldConnection><callID>9</callID><deviceID>2001</deviceID></heldConnection>' +
      '<holdingDevice><deviceIdentifier>2001</deviceIdentifier></holdingDevice><locationInfoList><locationInfoEntry>x</locationInfoEntry></locationInfoList><futureThing>1</futureThing></HeldEvent>';
    expect(decodeMessage(xml)).toEqual({ type: 'HeldEvent', monitorCrossRefId: 'M1', heldConnection: { callId: '9', deviceId: '2001' }, holdingDevice: '2001' });
  });

  it('a connection with only a deviceID decodes; an event that names no call is not followed', () => {
    const xml = '<HeldEvent><monitorCrossRefID>M1</monitorCrossRefID><heldConnection><deviceID>2001</deviceID></heldConnection><holdingDevice><deviceIdentifier>2001</deviceIdentifier></holdingDevice><cause>normal</cause></HeldEvent>';
    const msg = decodeMessage(xml);
    expect(msg).toMatchObject({ heldConnection: { callId: '', deviceId: '2001' } });
    expect(mapCstaEvent(msg as never, monitors)).toBeNull();
  });

  it('a RouteRequest without routeRegisterReqID and with the registration given as routeingDevice; RouteEnd with an error value in any category', () => {
    const rr = decodeMessage(
      '<RouteRequest><crossRefIdentifier>55</crossRefIdentifier><currentRoute><deviceIdentifier>8000</deviceIdentifier></currentRoute><callingDevice><deviceIdentifier>0611</deviceIdentifier></callingDevice><routeingDevice><deviceIdentifier>8000</deviceIdentifier></routeingDevice><routedCall><callID>4</callID><deviceID>8000</deviceID></routedCall><priority>false</priority></RouteRequest>',
    );
    expect(rr).toEqual({ type: 'RouteRequest', routingCrossRefId: '55', currentRoute: '8000', callingDevice: '0611', routedCall: { callId: '4', deviceId: '8000' } });
    expect(decodeMessage('<RouteEnd><crossRefIdentifier>55</crossRefIdentifier><errorValue><systemResourceAvailability>resourceBusy</systemResourceAvailability></errorValue></RouteEnd>')).toEqual({
      type: 'RouteEnd', routingCrossRefId: '55', errorValue: { category: 'systemResourceAvailability', value: 'resourceBusy' },
    });
  });

  it('CSTAErrorCode in either spelling, privateErrorCode, and an empty unspecified', () => {
    expect(decodeMessage('<CSTAErrorCode><systemResourceAvailibility>resourceBusy</systemResourceAvailibility></CSTAErrorCode>')).toEqual({ type: 'CSTAErrorCode', error: { category: 'systemResourceAvailability', value: 'resourceBusy' } });
    expect(decodeMessage('<CSTAErrorCode><systemResourceAvailability>resourceBusy</systemResourceAvailability></CSTAErrorCode>')).toEqual({ type: 'CSTAErrorCode', error: { category: 'systemResourceAvailability', value: 'resourceBusy' } });
    expect(decodeMessage('<CSTAErrorCode><privateErrorCode>E42</privateErrorCode></CSTAErrorCode>')).toEqual({ type: 'CSTAErrorCode', error: { category: 'privateData', value: 'E42' } });
    expect(decodeMessage('<CSTAErrorCode><unspecified/></CSTAErrorCode>')).toEqual({ type: 'CSTAErrorCode', error: { category: 'unspecified', value: 'generic' } });
  });

  it('a snapshot in simpleCallState or unknown, and a session end reason given as appEndReason', () => {
    const snap = decodeMessage(
      '<SnapshotDeviceResponse><crossRefIDorSnapshotData><snapshotData>' +
        '<snapshotDeviceResponseInfo><connectionIdentifier><callID>1</callID><deviceID>2001</deviceID></connectionIdentifier><localCallState><simpleCallState>callEstablishedHeld</simpleCallState></localCallState></snapshotDeviceResponseInfo>' +
        '<snapshotDeviceResponseInfo><connectionIdentifier><callID>2</callID></connectionIdentifier><endpointDevice><deviceIdentifier>2001</deviceIdentifier></endpointDevice><localCallState><compoundCallState><localConnectionState>alerting</localConnectionState><localConnectionState>connected</localConnectionState></compoundCallState></localCallState></snapshotDeviceResponseInfo>' +
        '<snapshotDeviceResponseInfo><connectionIdentifier><callID>3</callID></connectionIdentifier><localCallState><unknown/></localCallState></snapshotDeviceResponseInfo>' +
        '</snapshotData></crossRefIDorSnapshotData></SnapshotDeviceResponse>',
    ) as Extract<CstaMessage, { type: 'SnapshotDeviceResponse' }>;
    expect(snap.calls.map((c) => [c.connection.callId, c.state])).toEqual([['1', 'hold'], ['2', 'alerting'], ['3', 'null']]);
    expect(decodeMessage(`<StopApplicationSession xmlns="http://www.ecma-international.org/standards/ecma-354/appl_session"><sessionID>s</sessionID><sessionEndReason><appEndReason>bye</appEndReason></sessionEndReason></StopApplicationSession>`)).toEqual({
      type: 'StopApplicationSession', sessionId: 's', sessionEndReason: 'bye',
    });
  });

  it('DTMF arrives as the standard\'s DtmfDetectedEvent, one key per event', () => {
    const msg = decodeMessage('<DtmfDetectedEvent><monitorCrossRefID>M1</monitorCrossRefID><overConnection><callID>5</callID><deviceID>0611</deviceID></overConnection><dtmfChar>#</dtmfChar><cause>dTMFDigitDetected</cause></DtmfDetectedEvent>');
    expect(mapCstaEvent(msg as never, monitors)).toEqual({ kind: 'digits', callId: '5', deviceId: '0611', digits: '#', monitoredDevice: '2001' });
  });

  it('voice units: a PlayMessage with termination flags and private text, a StopEvent in another edition with messageDurationExceeded, PlayEvent and RecordEvent', () => {
    const play = decodeMessage(
      '<PlayMessage xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed6"><messageToBePlayed>tts:t1</messageToBePlayed><overConnection><callID>5</callID><deviceID>8100</deviceID></overConnection>' +
        '<termination><durationExceeded>false</durationExceeded><dTMFDigitDetected>true</dTMFDigitDetected></termination><extensions><privateData><private><text>Hello</text><lang>en-US</lang></private></privateData></extensions></PlayMessage>',
    );
    expect(play).toEqual({ type: 'PlayMessage', messageToBePlayed: 'tts:t1', overConnection: { callId: '5', deviceId: '8100' }, termination: ['dTMFDigitDetected'], text: 'Hello', lang: 'en-US' });
    const ivr = new Map([['M2', '8100']]);
    const stop = decodeMessage('<csta:StopEvent xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed4"><csta:monitorCrossRefID>M2</csta:monitorCrossRefID><csta:connection><csta:callID>5</csta:callID></csta:connection><csta:message>prompt:menu</csta:message><csta:length>900</csta:length><csta:cause>messageDurationExceeded</csta:cause></csta:StopEvent>');
    expect(mapCstaEvent(stop as never, ivr)).toEqual({ kind: 'voiceStopped', callId: '5', deviceId: '8100', message: 'prompt:menu', cause: 'durationExceeded', lengthMs: 900, monitoredDevice: '8100' });
    const rec = decodeMessage('<StopEvent><monitorCrossRefID>M2</monitorCrossRefID><connection><callID>5</callID><deviceID>8100</deviceID></connection><message>/r/a.wav</message><length>5230</length><extensions><privateData><private><bytes>83724</bytes></private></privateData></extensions></StopEvent>');
    // no cause: the connection went
    expect(mapCstaEvent(rec as never, ivr)).toEqual({ kind: 'voiceStopped', callId: '5', deviceId: '8100', message: '/r/a.wav', cause: 'cleared', lengthMs: 5230, bytes: 83724, monitoredDevice: '8100' });
    const started = decodeMessage('<PlayEvent><monitorCrossRefID>M2</monitorCrossRefID><connection><callID>5</callID><deviceID>8100</deviceID></connection><message>music</message><speed>100</speed></PlayEvent>');
    expect(mapCstaEvent(started as never, ivr)).toEqual({ kind: 'voicePlaying', callId: '5', deviceId: '8100', message: 'music', monitoredDevice: '8100' });
    const recording = decodeMessage('<RecordEvent><monitorCrossRefID>M2</monitorCrossRefID><connection><callID>5</callID><deviceID>8100</deviceID></connection><message>/r/a.wav</message></RecordEvent>');
    expect(mapCstaEvent(recording as never, ivr)).toEqual({ kind: 'voiceRecording', callId: '5', deviceId: '8100', message: '/r/a.wav', monitoredDevice: '8100' });
  });
});
