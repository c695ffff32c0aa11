/**
 * The simulated switch's model, scenario by scenario (docs/csta-profile.md): inbound routing,
 * queueing and deflection, answering, clearing, outbound calls, hold/retrieve, routing timeout
 * and fallbacks, snapshots, agents, digits, restart and errors. No sockets: the model's outputs
 * are collected from its sink.
 */
import { describe, expect, it } from 'vitest';
import type { CstaMessage, MessageOf } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { resolveSimConfig, type SimConfig } from '../../src/pbx-adapters/oxo-sim/config.ts';
import type { EventMessage, Output } from '../../src/pbx-adapters/oxo-sim/core.ts';
import { SimError } from '../../src/pbx-adapters/oxo-sim/errors.ts';
import { SwitchModel, type ModelRequest } from '../../src/pbx-adapters/oxo-sim/switch-model.ts';

const CALLER = '0611223344';

function harness(cfg: Partial<SimConfig> = {}) {
  const out: Output[] = [];
  const model = new SwitchModel(resolveSimConfig(cfg), { sink: (o) => out.push(o), callIdSeed: 500 });
  const monitorDevice = new Map<string, string>();
  const req = (m: ModelRequest, link = 'L1'): CstaMessage | null => model.request(link, m);
  const monitor = (...devices: string[]) => {
    for (const d of devices) {
      const r = req({ type: 'MonitorStart', deviceId: d }) as MessageOf<'MonitorStartResponse'>;
      expect(r.type).toBe('MonitorStartResponse');
      monitorDevice.set(r.monitorCrossRefId, d);
    }
  };
  const take = () => out.splice(0);
  /** The events since the last call, as "Type@monitoredDevice". */
  const events = (outs = take()) =>
    outs.flatMap((o) => (o.kind === 'event' ? [`${o.message.type}@${monitorDevice.get(o.message.monitorCrossRefId)}`] : []));
  const requests = (outs: Output[]) => outs.flatMap((o) => (o.kind === 'request' ? [o.message] : []));
  const eventFor = <T extends EventMessage['type']>(outs: Output[], type: T, device: string) =>
    outs.find((o) => o.kind === 'event' && o.message.type === type && monitorDevice.get(o.message.monitorCrossRefId) === device) as
      | { message: Extract<EventMessage, { type: T }> }
      | undefined;
  const states = (callId: string) => Object.fromEntries(model.call(callId).connections.map((c) => [c.deviceId, c.state]));
  return { model, req, monitor, take, events, requests, eventFor, states };
}

describe('inbound call to a routing device', () => {
  it('asks the registrant, then RouteSelect to an extension delivers it there', () => {
    const h = harness();
    h.monitor('8000', '2001');
    const reg = h.req({ type: 'RouteRegister', routingDevice: '8000' }) as MessageOf<'RouteRegisterResponse'>;
    const c = h.model.placeCall(CALLER, '8000', 'Alice');
    expect(c).toMatch(/^\d+$/);
    let outs = h.take();
    expect(h.events(outs)).toEqual(['DeliveredEvent@8000']);
    expect(h.eventFor(outs, 'DeliveredEvent', '8000')!.message).toMatchObject({
      connection: { callId: c, deviceId: '8000' }, alertingDevice: '8000', callingDevice: CALLER, calledDevice: '8000', cause: 'newCall', callerName: 'Alice',
    });
    const [rr] = h.requests(outs);
    expect(rr).toMatchObject({ type: 'RouteRequest', routeRegisterReqId: reg.routeRegisterReqId, currentRoute: '8000', callingDevice: CALLER, routedCall: { callId: c, deviceId: '8000' }, callerName: 'Alice' });
    expect(h.states(c)).toEqual({ [CALLER]: 'connected', '8000': 'alerting' });

    const crossRef = (rr as MessageOf<'RouteRequest'>).routingCrossRefId;
    expect(h.req({ type: 'RouteSelect', routeRegisterReqId: reg.routeRegisterReqId, routingCrossRefId: crossRef, routeSelected: '2001' })).toBeNull();
    outs = h.take();
    expect(h.events(outs)).toEqual(['DivertedEvent@8000', 'DeliveredEvent@2001']);
    expect(h.eventFor(outs, 'DivertedEvent', '8000')!.message).toMatchObject({ connection: { callId: c, deviceId: '8000' }, divertingDevice: '8000', newDestination: '2001' });
    expect(h.requests(outs)).toEqual([{ type: 'RouteEnd', routeRegisterReqId: reg.routeRegisterReqId, routingCrossRefId: crossRef }]);
    // RouteEnd comes between the DivertedEvent and the delivery
    expect(outs.filter((o) => o.kind !== 'notice').map((o) => o.message.type)).toEqual(['DivertedEvent', 'RouteEnd', 'DeliveredEvent']);
    expect(h.eventFor(outs, 'DeliveredEvent', '2001')!.message).toMatchObject({
      connection: { callId: c, deviceId: '2001' }, alertingDevice: '2001', lastRedirectionDevice: '8000', calledDevice: '8000', callingDevice: CALLER, cause: 'redirected',
    });
    expect(h.states(c)).toEqual({ [CALLER]: 'connected', '2001': 'alerting' });
  });

  it('queues at a queue device, and DeflectCall takes the call to an agent', () => {
    const h = harness();
    h.monitor('8900', '2001');
    const c1 = h.model.placeCall(CALLER, '8000'); // nobody registered: fallback 8000 → 8900 at once
    const c2 = h.model.placeCall('0699887766', '8000');
    const outs = h.take();
    expect(h.events(outs)).toEqual(['QueuedEvent@8900', 'QueuedEvent@8900']);
    const queued = outs.flatMap((o) => (o.kind === 'event' && o.message.type === 'QueuedEvent' ? [o.message] : []));
    expect(queued.map((q) => q.numberQueued)).toEqual([1, 2]);
    expect(queued[0]).toMatchObject({ queuedConnection: { callId: c1, deviceId: '8900' }, queue: '8900', callingDevice: CALLER, calledDevice: '8000' });
    expect(h.states(c1)).toEqual({ [CALLER]: 'connected', '8900': 'queued' });

    expect(h.req({ type: 'DeflectCall', callToBeDiverted: { callId: c1, deviceId: '8900' }, newDestination: '2001' })).toEqual({ type: 'DeflectCallResponse' });
    const after = h.take();
    expect(h.events(after)).toEqual(['DivertedEvent@8900', 'DeliveredEvent@2001']);
    expect(h.eventFor(after, 'DeliveredEvent', '2001')!.message).toMatchObject({ lastRedirectionDevice: '8900', alertingDevice: '2001' });
    expect(h.states(c1)).toEqual({ [CALLER]: 'connected', '2001': 'alerting' });
    expect(h.states(c2)).toEqual({ '0699887766': 'connected', '8900': 'queued' });

    // and back to the queue on ring timeout
    h.req({ type: 'DeflectCall', callToBeDiverted: { callId: c1, deviceId: '2001' }, newDestination: '8900' });
    const back = h.take();
    expect(h.events(back)).toEqual(['DivertedEvent@2001', 'QueuedEvent@8900']);
    expect(h.eventFor(back, 'QueuedEvent', '8900')!.message.numberQueued).toBe(2);
  });

  it('an IVR port answers at once: DeliveredEvent then EstablishedEvent', () => {
    const h = harness();
    h.monitor('8100');
    const c = h.model.placeCall(CALLER, '8100');
    expect(h.events()).toEqual(['DeliveredEvent@8100', 'EstablishedEvent@8100']);
    expect(h.states(c)).toEqual({ [CALLER]: 'connected', '8100': 'connected' });
  });

  it('RouteSelect to an unknown number: RouteEnd(invalidDestination), FailedEvent, the call clears', () => {
    const h = harness();
    h.monitor('8000');
    h.req({ type: 'RouteRegister', routingDevice: '8000' });
    const c = h.model.placeCall(CALLER, '8000');
    const rr = h.requests(h.take())[0] as MessageOf<'RouteRequest'>;
    h.req({ type: 'RouteSelect', routeRegisterReqId: rr.routeRegisterReqId, routingCrossRefId: rr.routingCrossRefId, routeSelected: '7777' });
    const outs = h.take();
    expect(h.requests(outs)).toMatchObject([{ type: 'RouteEnd', errorValue: { category: 'operation', value: 'invalidDestination' } }]);
    expect(h.events(outs)).toEqual(['FailedEvent@8000', 'ConnectionClearedEvent@8000', 'ConnectionClearedEvent@8000', 'CallClearedEvent@8000']);
    expect(h.eventFor(outs, 'FailedEvent', '8000')!.message).toMatchObject({ failedConnection: { callId: c, deviceId: '8000' }, failingDevice: '7777' });
    expect(h.model.calls()).toEqual([]);
  });
});

describe('answering and clearing', () => {
  it('AnswerCall: connected, EstablishedEvent to the monitors of every device in the call', () => {
    const h = harness();
    h.monitor('2001', '2002');
    const made = h.req({ type: 'MakeCall', callingDevice: '2002', calledDirectoryNumber: '2001' }) as MessageOf<'MakeCallResponse'>;
    const c = made.callingDevice.callId;
    h.take();
    expect(h.req({ type: 'AnswerCall', callToBeAnswered: { callId: c, deviceId: '2001' } })).toEqual({ type: 'AnswerCallResponse' });
    const outs = h.take();
    expect(h.events(outs).sort()).toEqual(['EstablishedEvent@2001', 'EstablishedEvent@2002']);
    expect(h.eventFor(outs, 'EstablishedEvent', '2002')!.message).toMatchObject({ establishedConnection: { callId: c, deviceId: '2001' }, answeringDevice: '2001' });
    expect(h.states(c)).toEqual({ '2002': 'connected', '2001': 'connected' });
  });

  it('the caller hanging up while queued clears both connections, then CallClearedEvent', () => {
    const h = harness();
    h.monitor('8000', '8900');
    const c = h.model.placeCall(CALLER, '8000');
    h.take();
    h.model.hangup(c);
    const outs = h.take();
    expect(h.events(outs)).toEqual([
      'ConnectionClearedEvent@8900', 'ConnectionClearedEvent@8900',
      // only the devices in the call when it clears hear CallClearedEvent: 8000's monitor saw the
      // call pass (DeliveredEvent, DivertedEvent) but is told nothing more, as on a real switch
      'CallClearedEvent@8900',
    ]);
    const cleared = outs.flatMap((o) => (o.kind === 'event' && o.message.type === 'ConnectionClearedEvent' ? [o.message] : []));
    expect(cleared.map((m) => m.releasingDevice)).toEqual([CALLER, '8900']);
    expect(cleared[0]).toMatchObject({ droppedConnection: { callId: c, deviceId: CALLER }, cause: 'normalClearing' });
    expect(h.model.calls()).toEqual([]);
    expect(() => h.model.hangup(c)).toThrow(SimError);
  });

  it('ClearCall clears every connection, then CallClearedEvent', () => {
    const h = harness();
    h.monitor('2001');
    const c = h.model.placeCall(CALLER, '2001');
    h.model.offhook('2001');
    h.take();
    h.req({ type: 'ClearCall', callToBeCleared: { callId: c, deviceId: '2001' } });
    expect(h.events()).toEqual(['ConnectionClearedEvent@2001', 'ConnectionClearedEvent@2001', 'CallClearedEvent@2001']);
  });
});

describe('outbound and internal calls', () => {
  it('MakeCall to an outside number, answered by off-hook on the number', () => {
    const h = harness();
    h.monitor('2001');
    const far = '0033123456789';
    const r = h.req({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: far }) as MessageOf<'MakeCallResponse'>;
    const c = r.callingDevice.callId;
    expect(r.callingDevice).toEqual({ callId: c, deviceId: '2001' });
    let outs = h.take();
    expect(h.events(outs)).toEqual(['ServiceInitiatedEvent@2001', 'OriginatedEvent@2001', 'DeliveredEvent@2001']);
    expect(h.eventFor(outs, 'OriginatedEvent', '2001')!.message).toMatchObject({ originatedConnection: { callId: c, deviceId: '2001' }, callingDevice: '2001', calledDevice: far });
    expect(h.eventFor(outs, 'DeliveredEvent', '2001')!.message).toMatchObject({ alertingDevice: far, calledDevice: far });
    expect(h.states(c)).toEqual({ '2001': 'connected', [far]: 'alerting' });
    expect(h.model.offhook(far)).toBe(c);
    outs = h.take();
    expect(h.events(outs)).toEqual(['EstablishedEvent@2001']);
    expect(h.eventFor(outs, 'EstablishedEvent', '2001')!.message.answeringDevice).toBe(far);
    expect(h.states(c)).toEqual({ '2001': 'connected', [far]: 'connected' });
  });

  it('MakeCall to an unknown internal number fails with invalidNumberFormat and clears', () => {
    const h = harness();
    h.monitor('2001');
    const r = h.req({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '7777' }) as MessageOf<'MakeCallResponse'>;
    const outs = h.take();
    expect(h.events(outs)).toEqual(['ServiceInitiatedEvent@2001', 'OriginatedEvent@2001', 'FailedEvent@2001', 'ConnectionClearedEvent@2001', 'CallClearedEvent@2001']);
    expect(h.eventFor(outs, 'FailedEvent', '2001')!.message).toMatchObject({ failedConnection: r.callingDevice, cause: 'invalidNumberFormat' });
  });

  it('hold and retrieve', () => {
    const h = harness();
    h.monitor('2001', '2002');
    const c = (h.req({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '2002' }) as MessageOf<'MakeCallResponse'>).callingDevice.callId;
    h.model.offhook('2002');
    h.take();
    h.req({ type: 'HoldCall', callToBeHeld: { callId: c, deviceId: '2001' } });
    let outs = h.take();
    expect(h.events(outs).sort()).toEqual(['HeldEvent@2001', 'HeldEvent@2002']);
    expect(h.eventFor(outs, 'HeldEvent', '2002')!.message).toMatchObject({ heldConnection: { callId: c, deviceId: '2001' }, holdingDevice: '2001' });
    expect(h.states(c)['2001']).toBe('hold');
    h.req({ type: 'RetrieveCall', callToBeRetrieved: { callId: c, deviceId: '2001' } });
    outs = h.take();
    expect(h.events(outs).sort()).toEqual(['RetrievedEvent@2001', 'RetrievedEvent@2002']);
    expect(h.states(c)['2001']).toBe('connected');
    // retrieving a call that is not held
    expect(h.req({ type: 'RetrieveCall', callToBeRetrieved: { callId: c, deviceId: '2001' } })).toEqual({
      type: 'CSTAErrorCode', error: { category: 'stateIncompatibility', value: 'invalidConnectionState' },
    });
  });
});

describe('routing timeout and fallbacks', () => {
  it('no RouteSelect in time: DivertedEvent, RouteEnd(timeout), the fallback queue', () => {
    const h = harness();
    h.monitor('8001', '8901');
    h.req({ type: 'RouteRegister', routingDevice: '8001' });
    const c = h.model.placeCall(CALLER, '8001');
    const outs0 = h.take();
    const opened = outs0.find((o) => o.kind === 'notice' && o.notice.kind === 'routeOpened');
    expect(opened).toBeDefined();
    const rr = h.requests(outs0)[0] as MessageOf<'RouteRequest'>;
    h.model.routeTimeout(rr.routingCrossRefId);
    const outs = h.take();
    expect(h.events(outs)).toEqual(['DivertedEvent@8001', 'QueuedEvent@8901']);
    expect(h.requests(outs)).toEqual([{ type: 'RouteEnd', routeRegisterReqId: rr.routeRegisterReqId, routingCrossRefId: rr.routingCrossRefId, errorValue: { category: 'operation', value: 'routeingTimerExpired' } }]);
    expect(outs.some((o) => o.kind === 'notice' && o.notice.kind === 'routeClosed')).toBe(true);
    expect(h.states(c)).toEqual({ [CALLER]: 'connected', '8901': 'queued' });
    // a late RouteSelect is refused
    expect(h.req({ type: 'RouteSelect', routeRegisterReqId: rr.routeRegisterReqId, routingCrossRefId: rr.routingCrossRefId, routeSelected: '2001' })).toMatchObject({
      type: 'CSTAErrorCode', error: { value: 'invalidCrossRefID' },
    });
  });

  it('without a registrant the fallback is used at once (8005 → default 8900), and no RouteEnd', () => {
    const h = harness();
    const c = h.model.placeCall(CALLER, '8005');
    expect(h.requests(h.take())).toEqual([]);
    expect(h.states(c)).toEqual({ [CALLER]: 'connected', '8900': 'queued' });
  });

  it('a link going away takes its registrations, monitors and open dialogues with it', () => {
    const h = harness();
    h.monitor('8000');
    h.req({ type: 'RouteRegister', routingDevice: '8000' });
    const c = h.model.placeCall(CALLER, '8000');
    h.take();
    expect(h.model.linkGone('L1')).toEqual({ monitors: 1, dialogues: 1 });
    const outs = h.take();
    expect(h.requests(outs)).toEqual([]); // nobody to tell
    expect(h.events(outs)).toEqual([]);
    expect(h.states(c)).toEqual({ [CALLER]: 'connected', '8900': 'queued' });
    const c2 = h.model.placeCall('0699887766', '8000');
    expect(h.requests(h.take())).toEqual([]);
    expect(h.states(c2)['8900']).toBe('queued');
  });
});

describe('snapshot, agents, digits, restart', () => {
  it('SnapshotDevice lists the calls at the device with their local state', () => {
    const h = harness();
    const c1 = h.model.placeCall(CALLER, '2001');
    h.model.offhook('2001');
    h.req({ type: 'HoldCall', callToBeHeld: { callId: c1, deviceId: '2001' } });
    const c2 = h.model.placeCall('0699887766', '2001');
    expect(h.req({ type: 'SnapshotDevice', deviceId: '2001' })).toEqual({
      type: 'SnapshotDeviceResponse',
      calls: [
        { connection: { callId: c1, deviceId: '2001' }, state: 'hold' },
        { connection: { callId: c2, deviceId: '2001' }, state: 'alerting' },
      ],
    });
    expect(h.req({ type: 'SnapshotDevice', deviceId: '2002' })).toEqual({ type: 'SnapshotDeviceResponse', calls: [] });
    expect(h.req({ type: 'SnapshotDevice', deviceId: 'x' })).toMatchObject({ error: { category: 'operation', value: 'invalidDeviceID' } });
  });

  it('agent states at the switch, busy while on a call and back after', () => {
    const h = harness();
    h.monitor('2001');
    expect(h.req({ type: 'SetAgentState', device: '2001', requestedAgentState: 'loggedOn', agentId: 'a1001' })).toEqual({ type: 'SetAgentStateResponse' });
    h.req({ type: 'SetAgentState', device: '2001', requestedAgentState: 'ready' });
    let outs = h.take();
    expect(h.events(outs)).toEqual(['AgentLoggedOnEvent@2001', 'AgentReadyEvent@2001']);
    expect(h.eventFor(outs, 'AgentReadyEvent', '2001')!.message).toMatchObject({ agentDevice: '2001', agentId: 'a1001' });
    const c = h.model.placeCall(CALLER, '2001');
    h.model.offhook('2001');
    expect(h.events()).toEqual(['DeliveredEvent@2001', 'EstablishedEvent@2001', 'AgentBusyEvent@2001']);
    expect(h.model.device('2001').agent).toEqual({ state: 'busy', agentId: 'a1001' });
    h.model.hangup(c);
    expect(h.events()).toEqual(['ConnectionClearedEvent@2001', 'ConnectionClearedEvent@2001', 'AgentReadyEvent@2001', 'CallClearedEvent@2001']);
    h.req({ type: 'SetAgentState', device: '2001', requestedAgentState: 'workingAfterCall' });
    h.req({ type: 'SetAgentState', device: '2001', requestedAgentState: 'loggedOff' });
    expect(h.events()).toEqual(['AgentWorkingAfterCallEvent@2001', 'AgentLoggedOffEvent@2001']);
    expect(h.req({ type: 'SetAgentState', device: '2001', requestedAgentState: 'busy' })).toMatchObject({ error: { value: 'valueOutOfRange' } });
    expect(h.req({ type: 'SetAgentState', device: '8000', requestedAgentState: 'ready' })).toMatchObject({ error: { value: 'invalidDeviceID' } });
  });

  it('DTMF: a caller pressing keys gives one DtmfDetectedEvent per key; GenerateDigits is recorded', () => {
    const h = harness();
    h.monitor('8100');
    const c = h.model.placeCall(CALLER, '8100');
    h.take();
    h.model.pressDigits(c, '12#');
    const outs = h.take();
    expect(h.events(outs)).toEqual(['DtmfDetectedEvent@8100', 'DtmfDetectedEvent@8100', 'DtmfDetectedEvent@8100']);
    const keys = outs.flatMap((o) => (o.kind === 'event' && o.message.type === 'DtmfDetectedEvent' ? [o.message] : []));
    expect(keys.map((k) => k.dtmfChar)).toEqual(['1', '2', '#']);
    expect(keys[0]).toMatchObject({ overConnection: { callId: c, deviceId: CALLER }, cause: 'dTMFDigitDetected' });
    expect(keys[0]).not.toHaveProperty('localConnectionInfo');
    expect(h.req({ type: 'GenerateDigits', connectionToSendDigits: { callId: c, deviceId: '8100' }, charactersToSend: '55' })).toEqual({ type: 'GenerateDigitsResponse' });
    expect(h.model.call(c).digitsGenerated).toMatchObject([{ deviceId: '8100', digits: '55' }]);
    expect(h.model.call(c).digitsPressed).toMatchObject([{ deviceId: CALLER, digits: '12#' }]);
  });

  it('restart loses every call, monitor and agent without an event; call ids are not reused', () => {
    const h = harness();
    h.monitor('2001');
    h.req({ type: 'SetAgentState', device: '2001', requestedAgentState: 'ready' });
    const c1 = h.model.placeCall(CALLER, '2001');
    h.take();
    h.model.restart();
    expect(h.events()).toEqual([]);
    expect(h.model.calls()).toEqual([]);
    expect(h.model.device('2001')).toEqual({ deviceId: '2001', inService: true, kind: 'extension', monitors: 0, calls: [] });
    const c2 = h.model.placeCall(CALLER, '2001');
    expect(BigInt(c2)).toBeGreaterThan(BigInt(c1));
  });
});

describe('errors', () => {
  it('refuses with the CSTA category and value', () => {
    const h = harness({ maxMonitors: 2 });
    const c = h.model.placeCall(CALLER, '2001');
    h.model.offhook('2001');
    const err = (value: string, category = 'operation') => ({ type: 'CSTAErrorCode', error: { category, value } });
    expect(h.req({ type: 'AnswerCall', callToBeAnswered: { callId: c, deviceId: '2001' } })).toEqual(err('invalidConnectionState', 'stateIncompatibility'));
    expect(h.req({ type: 'AnswerCall', callToBeAnswered: { callId: '1', deviceId: '2001' } })).toEqual(err('invalidCallID'));
    expect(h.req({ type: 'HoldCall', callToBeHeld: { callId: c, deviceId: '2002' } })).toEqual(err('invalidConnectionID'));
    expect(h.req({ type: 'MonitorStart', deviceId: CALLER })).toEqual(err('invalidDeviceID'));
    expect(h.req({ type: 'MonitorStart', deviceId: '7777' })).toEqual(err('invalidDeviceID'));
    expect(h.req({ type: 'MonitorStop', monitorCrossRefId: '999' })).toEqual(err('invalidCrossRefID'));
    expect(h.req({ type: 'RouteRegister', routingDevice: '2001' })).toEqual(err('invalidDeviceID'));
    expect(h.req({ type: 'DeflectCall', callToBeDiverted: { callId: c, deviceId: '2001' }, newDestination: '2002' })).toEqual(err('invalidConnectionState', 'stateIncompatibility'));
    expect(h.req({ type: 'MakeCall', callingDevice: '8900', calledDirectoryNumber: '2001' })).toEqual(err('invalidDeviceID'));
    // a routing device alerts, but is not answered: it is routed
    h.req({ type: 'RouteRegister', routingDevice: '8000' });
    const routed = h.model.placeCall('0699887766', '8000');
    expect(h.req({ type: 'AnswerCall', callToBeAnswered: { callId: routed, deviceId: '8000' } })).toEqual(err('invalidConnectionState', 'stateIncompatibility'));
    // the monitor limit
    h.req({ type: 'MonitorStart', deviceId: '2001' });
    h.req({ type: 'MonitorStart', deviceId: '2002' });
    expect(h.req({ type: 'MonitorStart', deviceId: '2003' })).toEqual(err('resourceBusy', 'systemResourceAvailability'));
    // a second MonitorStart for the same device on the same link gives the same monitor
    const a = h.req({ type: 'MonitorStart', deviceId: '2001' });
    expect(h.req({ type: 'MonitorStart', deviceId: '2001' })).toEqual(a);
  });

  it('control actions refuse with codes the control API turns into 4xx', () => {
    const h = harness();
    expect(() => h.model.offhook('2001')).toThrow(expect.objectContaining({ code: 'NOTHING_TO_ANSWER', status: 409 }));
    expect(() => h.model.placeCall('2001', '8000')).toThrow(expect.objectContaining({ code: 'NOT_OUTSIDE' }));
    expect(() => h.model.placeCall(CALLER, '7777')).toThrow(expect.objectContaining({ code: 'UNKNOWN_DEVICE', status: 404 }));
    expect(() => h.model.call('42')).toThrow(expect.objectContaining({ code: 'UNKNOWN_CALL', status: 404 }));
    expect(() => h.model.onhook('2001')).toThrow(expect.objectContaining({ code: 'NOTHING_TO_HANG_UP' }));
  });
});
