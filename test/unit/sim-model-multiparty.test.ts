/**
 * The simulated switch's model with more than two parties (docs/csta-profile.md): consultation
 * and transfer, blind transfer, conference of three, single-step conference (silent, whisper,
 * barge). Outputs are collected from the model's sink; no sockets.
 */
import { describe, expect, it } from 'vitest';
import type { CstaMessage, MessageOf } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { resolveSimConfig } from '../../src/pbx-adapters/oxo-sim/config.ts';
import type { EventMessage, Output } from '../../src/pbx-adapters/oxo-sim/core.ts';
import { SwitchModel, type ModelRequest } from '../../src/pbx-adapters/oxo-sim/switch-model.ts';

const CALLER = '0611223344';

function harness() {
  const out: Output[] = [];
  const model = new SwitchModel(resolveSimConfig({}), { sink: (o) => out.push(o), callIdSeed: 100 });
  const monitorDevice = new Map<string, string>();
  const req = (m: ModelRequest): CstaMessage | null => model.request('L1', m);
  for (const d of ['2001', '2002', '2901']) {
    const r = req({ type: 'MonitorStart', deviceId: d }) as MessageOf<'MonitorStartResponse'>;
    monitorDevice.set(r.monitorCrossRefId, d);
  }
  const take = () => out.splice(0);
  const events = (outs = take()) => outs.flatMap((o) => (o.kind === 'event' ? [`${o.message.type}@${monitorDevice.get(o.message.monitorCrossRefId)}`] : []));
  const eventFor = <T extends EventMessage['type']>(outs: Output[], type: T, device: string) =>
    (outs.find((o) => o.kind === 'event' && o.message.type === type && monitorDevice.get(o.message.monitorCrossRefId) === device) as { message: Extract<EventMessage, { type: T }> } | undefined)
      ?.message;
  const states = (callId: string) => Object.fromEntries(model.call(callId).connections.map((c) => [c.deviceId, c.state]));
  /** An outside caller talking to 2001. */
  const connectedCall = () => {
    const c = model.placeCall(CALLER, '2001');
    model.offhook('2001');
    take();
    return c;
  };
  const consult = (c1: string, to: string) => {
    const r = req({ type: 'ConsultationCall', existingCall: { callId: c1, deviceId: '2001' }, consultedDevice: to }) as MessageOf<'ConsultationCallResponse'>;
    expect(r.type).toBe('ConsultationCallResponse');
    return r.initiatedCall.callId;
  };
  return { model, req, take, events, eventFor, states, connectedCall, consult };
}

describe('consultation and transfer', () => {
  it('consultation holds the first call and originates a second one', () => {
    const h = harness();
    const c1 = h.connectedCall();
    const r = h.req({ type: 'ConsultationCall', existingCall: { callId: c1, deviceId: '2001' }, consultedDevice: '2002' }) as MessageOf<'ConsultationCallResponse'>;
    const c2 = r.initiatedCall.callId;
    expect(r.initiatedCall).toEqual({ callId: c2, deviceId: '2001' });
    expect(c2).not.toBe(c1);
    const outs = h.take();
    expect(h.events(outs)).toEqual(['HeldEvent@2001', 'OriginatedEvent@2001', 'DeliveredEvent@2001', 'DeliveredEvent@2002']);
    expect(h.eventFor(outs, 'HeldEvent', '2001')).toMatchObject({ heldConnection: { callId: c1, deviceId: '2001' } });
    expect(h.states(c1)).toEqual({ [CALLER]: 'connected', '2001': 'hold' });
    expect(h.states(c2)).toEqual({ '2001': 'connected', '2002': 'alerting' });
  });

  it('transfer after consultation: the result is the held call, the consulted party keeps its state', () => {
    const h = harness();
    const c1 = h.connectedCall();
    const c2 = h.consult(c1, '2002');
    h.model.offhook('2002');
    h.take();
    const r = h.req({ type: 'TransferCall', heldCall: { callId: c1, deviceId: '2001' }, activeCall: { callId: c2, deviceId: '2001' } });
    expect(r).toEqual({ type: 'TransferCallResponse', transferredCall: { callId: c1, deviceId: '2002' } });
    const outs = h.take();
    expect(h.events(outs).sort()).toEqual(['TransferedEvent@2001', 'TransferedEvent@2002']); // no CallClearedEvent for c2
    expect(h.eventFor(outs, 'TransferedEvent', '2002')).toMatchObject({
      primaryOldCall: { callId: c1, deviceId: '2001' },
      secondaryOldCall: { callId: c2, deviceId: '2001' },
      transferringDevice: '2001',
      transferredToDevice: '2002',
      transferredConnections: [
        { oldConnection: { callId: c1, deviceId: CALLER }, newConnection: { callId: c1, deviceId: CALLER } },
        { oldConnection: { callId: c2, deviceId: '2002' }, newConnection: { callId: c1, deviceId: '2002' } },
      ],
    });
    expect(h.states(c1)).toEqual({ [CALLER]: 'connected', '2002': 'connected' });
    expect(() => h.model.call(c2)).toThrow();
    expect(h.model.device('2001').calls).toEqual([]);
    // the transferred call goes on: the caller hangs up later
    h.model.hangup(c1);
    expect(h.events()).toContain('CallClearedEvent@2002');
  });

  it('a transfer before the consulted party answered leaves it alerting', () => {
    const h = harness();
    const c1 = h.connectedCall();
    const c2 = h.consult(c1, '2002');
    h.take();
    h.req({ type: 'TransferCall', heldCall: { callId: c1, deviceId: '2001' }, activeCall: { callId: c2, deviceId: '2001' } });
    expect(h.states(c1)).toEqual({ [CALLER]: 'connected', '2002': 'alerting' });
    h.model.offhook('2002');
    expect(h.states(c1)).toEqual({ [CALLER]: 'connected', '2002': 'connected' });
  });

  it('refuses a transfer whose held call is not held', () => {
    const h = harness();
    const c1 = h.connectedCall();
    const c2 = h.consult(c1, '2002');
    h.req({ type: 'RetrieveCall', callToBeRetrieved: { callId: c1, deviceId: '2001' } });
    expect(h.req({ type: 'TransferCall', heldCall: { callId: c1, deviceId: '2001' }, activeCall: { callId: c2, deviceId: '2001' } })).toMatchObject({
      type: 'CSTAErrorCode', error: { category: 'stateIncompatibility', value: 'invalidConnectionState' },
    });
  });

  it('blind transfer: TransferredEvent to the call and the target, then delivery in the same call', () => {
    const h = harness();
    const c = h.connectedCall();
    const r = h.req({ type: 'SingleStepTransferCall', activeCall: { callId: c, deviceId: '2001' }, transferredTo: '2002' });
    expect(r).toEqual({ type: 'SingleStepTransferCallResponse', transferredCall: { callId: c, deviceId: '2002' } });
    const outs = h.take();
    expect(h.events(outs)).toEqual(['TransferedEvent@2001', 'TransferedEvent@2002', 'DeliveredEvent@2002']);
    expect(h.eventFor(outs, 'TransferedEvent', '2002')).toMatchObject({ primaryOldCall: { callId: c, deviceId: '2001' }, transferringDevice: '2001', transferredToDevice: '2002' });
    expect(h.eventFor(outs, 'DeliveredEvent', '2002')).toMatchObject({ connection: { callId: c, deviceId: '2002' }, lastRedirectionDevice: '2001' });
    expect(h.states(c)).toEqual({ [CALLER]: 'connected', '2002': 'alerting' });
    expect(h.req({ type: 'SingleStepTransferCall', activeCall: { callId: c, deviceId: CALLER }, transferredTo: '7777' })).toMatchObject({ error: { value: 'invalidDestination' } });
  });
});

describe('conference', () => {
  it('conference of three, then one party leaving clears only its own connection', () => {
    const h = harness();
    const c1 = h.connectedCall();
    const c2 = h.consult(c1, '2002');
    h.model.offhook('2002');
    h.take();
    const r = h.req({ type: 'ConferenceCall', heldCall: { callId: c1, deviceId: '2001' }, activeCall: { callId: c2, deviceId: '2001' } });
    expect(r).toEqual({ type: 'ConferenceCallResponse', conferenceCall: { callId: c1, deviceId: '2001' } });
    const outs = h.take();
    expect(h.events(outs)).toEqual(['ConferencedEvent@2001', 'ConferencedEvent@2002']);
    expect(h.eventFor(outs, 'ConferencedEvent', '2001')).toMatchObject({
      primaryOldCall: { callId: c1, deviceId: '2001' },
      secondaryOldCall: { callId: c2, deviceId: '2001' },
      conferencingDevice: '2001',
      addedParty: '2002',
    });
    expect(h.eventFor(outs, 'ConferencedEvent', '2001')!.conferenceConnections).toHaveLength(3);
    expect(h.states(c1)).toEqual({ [CALLER]: 'connected', '2001': 'connected', '2002': 'connected' });
    expect(() => h.model.call(c2)).toThrow();

    h.req({ type: 'ClearConnection', connectionToBeCleared: { callId: c1, deviceId: '2002' } });
    expect(h.events()).toEqual(['ConnectionClearedEvent@2001', 'ConnectionClearedEvent@2002']);
    expect(h.states(c1)).toEqual({ [CALLER]: 'connected', '2001': 'connected' });
  });

  it('single-step conference: silent, then changed to barge; participation kept per connection', () => {
    const h = harness();
    const c = h.connectedCall();
    const join = (participationType: string, privateData?: Record<string, string>) =>
      h.req({ type: 'SingleStepConferenceCall', activeCall: { callId: c, deviceId: '2001' }, deviceToJoin: '2901', participationType, ...(privateData ? { privateData } : {}) });
    expect(join('silent')).toEqual({ type: 'SingleStepConferenceCallResponse', conferencedCall: { callId: c, deviceId: '2901' } });
    let outs = h.take();
    expect(h.events(outs)).toEqual(['ConferencedEvent@2001', 'ConferencedEvent@2901']);
    expect(h.eventFor(outs, 'ConferencedEvent', '2901')).toMatchObject({ conferencingDevice: '2001', addedParty: '2901', participationType: 'silent' });
    expect(h.model.call(c).connections.find((x) => x.deviceId === '2901')).toMatchObject({ state: 'connected', participation: 'silent' });

    join('silent', { whisper: 'true' });
    outs = h.take();
    expect(h.eventFor(outs, 'ConferencedEvent', '2001')!.participationType).toBe('whisper');

    join('active');
    outs = h.take();
    expect(h.eventFor(outs, 'ConferencedEvent', '2001')!.participationType).toBe('barge');
    expect(h.model.call(c).connections.map((x) => [x.deviceId, x.participation])).toEqual([[CALLER, 'full'], ['2001', 'full'], ['2901', 'barge']]);
    expect(join('loud')).toMatchObject({ error: { value: 'valueOutOfRange' } });

    // a barged-in supervisor is a full party: the agent leaving does not end the call
    h.req({ type: 'ClearConnection', connectionToBeCleared: { callId: c, deviceId: '2001' } });
    expect(h.states(c)).toEqual({ [CALLER]: 'connected', '2901': 'connected' });
  });

  it('a silent monitor does not keep a call up once the agent leaves', () => {
    const h = harness();
    const c = h.connectedCall();
    h.req({ type: 'SingleStepConferenceCall', activeCall: { callId: c, deviceId: '2001' }, deviceToJoin: '2901', participationType: 'silent' });
    h.take();
    h.req({ type: 'ClearConnection', connectionToBeCleared: { callId: c, deviceId: '2001' } });
    expect(h.events()).toEqual([
      'ConnectionClearedEvent@2901', 'ConnectionClearedEvent@2001', // 2001 leaves (told to those left first)
      'ConnectionClearedEvent@2901', // the caller is cleared
      'ConnectionClearedEvent@2901', // the silent monitor is cleared
      'CallClearedEvent@2901', 'CallClearedEvent@2001', // the devices in the call as it clears, and 2001 whose leaving ended it
    ]);
    expect(h.model.calls()).toEqual([]);
  });
});
