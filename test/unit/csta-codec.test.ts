/** The CSTA codec over the catalogue: every message type round-trips; wire shapes; decode errors. */
import { describe, expect, it } from 'vitest';
import { CSTA_NS, isEventType, isKnownMessageType, isResponseType, SESSION_NS, type CstaMessage } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { ALL_SAMPLES, SAMPLES } from '../helpers/csta-samples.ts';
import { CstaDecodeError, decodeMessage, encodeMessage, errorAnswerFor } from '../../src/pbx-adapters/csta/protocol/codec.ts';

const c = (callId: string, deviceId: string) => ({ callId, deviceId });
const X = 'ref-1';

const SESSION_TYPES = new Set(['StartApplicationSession', 'StartApplicationSessionPosResponse', 'StartApplicationSessionNegResponse', 'StopApplicationSession', 'StopApplicationSessionPosResponse', 'ResetApplicationSessionTimer', 'ResetApplicationSessionTimerPosResponse']);

describe('catalogue round trip', () => {
  it.each(ALL_SAMPLES.map((m) => [m.type, m] as const))('%s encodes and decodes to the same message', (type, msg) => {
    expect(isKnownMessageType(type)).toBe(true);
    const xml = encodeMessage(msg);
    expect(xml).toContain(`<${type} xmlns="${SESSION_TYPES.has(type) ? SESSION_NS : CSTA_NS}">`);
    expect(decodeMessage(xml)).toEqual(msg);
  });

  it('round-trips CSTAErrorCode for every category, with the standard spelling of systemResourceAvailibility on the wire', () => {
    for (const category of ['operation', 'security', 'stateIncompatibility', 'systemResourceAvailability', 'subscribedResourceAvailability', 'performanceManagement', 'privateData'] as const) {
      const msg: CstaMessage = { type: 'CSTAErrorCode', error: { category, value: 'invalidCallID' } };
      expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
    }
    expect(encodeMessage({ type: 'CSTAErrorCode', error: { category: 'systemResourceAvailability', value: 'resourceBusy' } })).toContain('<systemResourceAvailibility>resourceBusy</systemResourceAvailibility>');
    expect(encodeMessage({ type: 'CSTAErrorCode', error: { category: 'unspecified', value: 'generic' } })).toContain('<unspecified></unspecified>');
  });

  it('round-trips messages with every optional field left out; the mandatory-but-tolerated ones come back as written', () => {
    const bare: CstaMessage[] = [
      { type: 'TransferedEvent', monitorCrossRefId: 'm1', primaryOldCall: c('7', '2001'), transferringDevice: '2001', transferredToDevice: '2002', transferredConnections: [], cause: 'transfer' },
      { type: 'SnapshotDeviceResponse', calls: [] },
      { type: 'RouteEnd', routingCrossRefId: X },
      { type: 'SingleStepConferenceCall', activeCall: c('7', '2001'), deviceToJoin: '2901' },
      { type: 'RouteRegister' },
    ];
    for (const msg of bare) expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
    // mandatory devices and redirection devices absent: written as notKnown / notRequired, read back absent
    const xml = encodeMessage({ type: 'DeliveredEvent', monitorCrossRefId: 'm1', connection: c('7', '2001'), alertingDevice: '2001', cause: 'newCall' });
    expect(xml).toContain('<callingDevice><notKnown></notKnown></callingDevice><calledDevice><notKnown></notKnown></calledDevice><lastRedirectionDevice><notRequired></notRequired></lastRedirectionDevice>');
    expect(decodeMessage(xml)).toEqual({ type: 'DeliveredEvent', monitorCrossRefId: 'm1', connection: c('7', '2001'), alertingDevice: '2001', cause: 'newCall' });
  });
});

describe('wire shape', () => {
  it('wraps devices in deviceIdentifier, a redirection in numberDialed, and puts private data last under extensions', () => {
    const xml = encodeMessage({ type: 'DeliveredEvent', ...SAMPLES.DeliveredEvent });
    expect(xml).toContain('<alertingDevice><deviceIdentifier>2001</deviceIdentifier></alertingDevice>');
    expect(xml).toContain('<lastRedirectionDevice><numberDialed>8000</numberDialed></lastRedirectionDevice>');
    expect(xml).toContain('<connection><callID>7</callID><deviceID>2001</deviceID></connection>');
    expect(xml).toMatch(/<cause>redirected<\/cause><extensions><privateData><private><callerName>Ada &amp; &lt;Bob&gt;<\/callerName><\/private><\/privateData><\/extensions><\/DeliveredEvent>$/);
  });

  it('writes a connection without the part it does not have (ClearCall names only the call)', () => {
    expect(encodeMessage({ type: 'ClearCall', callToBeCleared: c('7', '') })).toContain('<callToBeCleared><callID>7</callID></callToBeCleared>');
    expect(encodeMessage({ type: 'CallClearedEvent', ...SAMPLES.CallClearedEvent })).toContain('<clearedCall><callID>7</callID></clearedCall>');
  });

  it('writes the routeing dialogue as crossRefIdentifier first, the registration second', () => {
    expect(encodeMessage({ type: 'RouteSelect', ...SAMPLES.RouteSelect })).toContain('<RouteSelect xmlns="' + CSTA_NS + '"><crossRefIdentifier>ref-1</crossRefIdentifier><routeRegisterReqID>r1</routeRegisterReqID><routeSelected>2001</routeSelected>');
    expect(encodeMessage({ type: 'RouteEnd', ...SAMPLES.RouteEnd })).toContain('<errorValue><operation>invalidDestination</operation></errorValue>');
    expect(encodeMessage({ type: 'RouteRegister', routingDevice: '8000' })).toContain('<routeingDevice>8000</routeingDevice>');
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

describe('decode errors, and the answer to a request that cannot be decoded', () => {
  const fails = (xml: string): CstaDecodeError => {
    try {
      decodeMessage(xml);
    } catch (err) {
      expect(err).toBeInstanceOf(CstaDecodeError);
      return err as CstaDecodeError;
    }
    throw new Error(`decoded: ${xml}`);
  };

  it('rejects XML that is not well-formed, or carries a DTD', () => {
    expect(fails('<MakeCall><callingDevice>1</MakeCall>').message).toMatch(/not well-formed/);
    expect(fails('').code).toBe('CSTA_BAD_MESSAGE');
    expect(fails('<!DOCTYPE x [<!ENTITY e "2001">]><MakeCall><callingDevice>&e;</callingDevice><calledDirectoryNumber>1</calledDirectoryNumber></MakeCall>').message).toMatch(/DTD/);
  });

  it('names the message type of an unknown or incomplete message', () => {
    expect(fails('<FrobnicateResponse/>').messageType).toBe('FrobnicateResponse');
    const e = fails('<MakeCall><callingDevice>2001</callingDevice></MakeCall>');
    expect(e.messageType).toBe('MakeCall');
    expect(e.message).toMatch(/calledDirectoryNumber/);
  });

  it('rejects bad field values', () => {
    expect(fails('<QueuedEvent><monitorCrossRefID>1</monitorCrossRefID><queuedConnection><callID>7</callID></queuedConnection><queue><deviceIdentifier>8900</deviceIdentifier></queue><numberQueued>-3</numberQueued></QueuedEvent>').message).toMatch(/non-negative integer/);
    expect(fails('<MakeCallResponse><callingDevice></callingDevice></MakeCallResponse>').message).toMatch(/expected a connection/);
    expect(fails('<MakeCallResponse><callingDevice><other>1</other></callingDevice></MakeCallResponse>').message).toMatch(/neither callID nor deviceID/);
    expect(
      fails('<SnapshotDeviceResponse><crossRefIDorSnapshotData><snapshotData><snapshotDeviceResponseInfo><connectionIdentifier><callID>1</callID></connectionIdentifier><localCallState><compoundCallState><localConnectionState>ringing</localConnectionState></compoundCallState></localCallState></snapshotDeviceResponseInfo></snapshotData></crossRefIDorSnapshotData></SnapshotDeviceResponse>').message,
    ).toMatch(/unknown connection state ringing/);
  });

  it('answers what it cannot decode with the closest CSTAErrorCode: not XML → generic, unknown service → serviceNotSupported, bad arguments → invalidParameterValue', () => {
    const answer = (xml: string) => {
      try {
        decodeMessage(xml);
        return null;
      } catch (err) {
        return errorAnswerFor(err);
      }
    };
    expect(answer('<<<')).toEqual({ type: 'CSTAErrorCode', error: { category: 'operation', value: 'generic' } });
    expect(answer('<ParkCall><x/></ParkCall>')).toEqual({ type: 'CSTAErrorCode', error: { category: 'operation', value: 'serviceNotSupported' } });
    expect(answer('<MakeCall><callingDevice>2001</callingDevice></MakeCall>')).toEqual({ type: 'CSTAErrorCode', error: { category: 'operation', value: 'invalidParameterValue' } });
  });

  it('refuses to encode a message missing a required field', () => {
    expect(() => encodeMessage({ type: 'MakeCall', callingDevice: '2001' } as unknown as CstaMessage)).toThrow(/MakeCall.calledDirectoryNumber is required/);
    expect(() => encodeMessage({ type: 'HeldEvent', monitorCrossRefId: 'm', heldConnection: c('7', '2001'), holdingDevice: '2001' } as CstaMessage)).toThrow(/HeldEvent.cause is required/);
  });
});
