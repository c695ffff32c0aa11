/**
 * The simulated switch no kinder than a real one (simulator.md v2, "Real-switch behaviour"):
 * CallClearedEvent only to the devices still in the call, the monitor limit, refusals of numbers
 * that are not devices, devices out of service, and injected faults. Outputs are collected from
 * the model's sink; no sockets.
 */
import { describe, expect, it } from 'vitest';
import type { CstaMessage, MessageOf } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { DEFAULT_SIM_CONFIG, resolveSimConfig, type SimConfig } from '../../src/pbx-adapters/oxo-sim/config.ts';
import type { Output } from '../../src/pbx-adapters/oxo-sim/core.ts';
import { SwitchModel, type ModelRequest } from '../../src/pbx-adapters/oxo-sim/switch-model.ts';

const CALLER = '0611223344';
const OUTSIDE = '0755000111';

function harness(cfg: Partial<SimConfig> = {}, monitored = ['8000', '8900', '2001', '2002']) {
  const out: Output[] = [];
  const model = new SwitchModel(resolveSimConfig(cfg), { sink: (o) => out.push(o), callIdSeed: 900 });
  const monitorDevice = new Map<string, string>();
  const req = (m: ModelRequest): CstaMessage | null => model.request('L1', m);
  for (const d of monitored) {
    const r = req({ type: 'MonitorStart', deviceId: d }) as MessageOf<'MonitorStartResponse'>;
    monitorDevice.set(r.monitorCrossRefId, d);
  }
  const take = () => out.splice(0);
  const events = (outs = take()) => outs.flatMap((o) => (o.kind === 'event' ? [`${o.message.type}@${monitorDevice.get(o.message.monitorCrossRefId)}`] : []));
  const err = (value: string, category = 'operation') => ({ type: 'CSTAErrorCode', error: { category, value } });
  const talking = (ext = '2001') => {
    const c = model.placeCall(CALLER, ext);
    model.offhook(ext);
    take();
    return c;
  };
  return { model, req, take, events, err, talking };
}

describe('CallClearedEvent goes only to the devices in the call when it clears', () => {
  it('a call blind-transferred to an outside number tells the CTI nothing more once it has left', () => {
    const h = harness();
    const c = h.talking();
    h.req({ type: 'SingleStepTransferCall', activeCall: { callId: c, deviceId: '2001' }, transferredTo: OUTSIDE });
    expect(h.events()).toEqual(['TransferedEvent@2001']);
    h.model.answer(c, OUTSIDE);
    h.model.hangup(c);
    expect(h.events()).toEqual([]); // no Established, no ConnectionCleared, no CallCleared: nobody monitored is in it
    expect(h.model.calls()).toEqual([]);
  });

  it('a call routed to an unmonitored IVR port leaves the pilot without a CallClearedEvent', () => {
    const h = harness();
    const reg = h.req({ type: 'RouteRegister', routingDevice: '8000' }) as MessageOf<'RouteRegisterResponse'>;
    const c = h.model.placeCall(CALLER, '8000');
    const rr = h.take().find((o) => o.kind === 'request')!.message as MessageOf<'RouteRequest'>;
    h.req({ type: 'RouteSelect', routeRegisterReqId: reg.routeRegisterReqId, routingCrossRefId: rr.routingCrossRefId, routeSelected: '8100' });
    expect(h.events()).toEqual(['DivertedEvent@8000']);
    h.model.hangup(c);
    expect(h.events()).toEqual([]);
  });

  it('a two-party call clears to both parties, the one who hung up included', () => {
    const h = harness();
    const r = h.req({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '2002' }) as MessageOf<'MakeCallResponse'>;
    h.model.offhook('2002');
    h.take();
    h.req({ type: 'ClearConnection', connectionToBeCleared: r.callingDevice });
    expect(h.events()).toEqual([
      'ConnectionClearedEvent@2002', 'ConnectionClearedEvent@2001', // 2001 leaves (told to those left first)
      'ConnectionClearedEvent@2002', // then 2002 is cleared (2001, gone, is not told)
      'CallClearedEvent@2002', 'CallClearedEvent@2001',
    ]);
  });
});

describe('numbers that are not devices, and the monitor limit', () => {
  it('MonitorStart, SnapshotDevice and MakeCall on a number that is not a device are refused invalidDeviceID', () => {
    const h = harness({}, []);
    for (const n of ['7777', CALLER, '0002001']) {
      expect(h.req({ type: 'MonitorStart', deviceId: n })).toEqual(h.err('invalidDeviceID'));
      expect(h.req({ type: 'SnapshotDevice', deviceId: n })).toEqual(h.err('invalidDeviceID'));
      expect(h.req({ type: 'MakeCall', callingDevice: n, calledDirectoryNumber: '2001' })).toEqual(h.err('invalidDeviceID'));
    }
  });

  it('defaults to 208 monitors, as an OXO; the 209th is refused resourceBusy', () => {
    expect(DEFAULT_SIM_CONFIG.maxMonitors).toBe(208);
    const h = harness({}, []);
    for (let i = 0; i < 208; i++) expect(h.req({ type: 'MonitorStart', deviceId: String(2000 + i) })).toMatchObject({ type: 'MonitorStartResponse' });
    expect(h.req({ type: 'MonitorStart', deviceId: '2300' })).toEqual(h.err('resourceBusy', 'systemResourceAvailability'));
  });
});

describe('devices out of service', () => {
  it('unplugging a phone tells its monitors, drops its call, refuses services, and fails calls to it', () => {
    const h = harness();
    const c = h.talking('2001');
    expect(h.model.setService('2001', false)).toBe(true);
    expect(h.model.setService('2001', false)).toBe(false);
    expect(h.events()).toEqual([
      'OutOfServiceEvent@2001',
      'ConnectionClearedEvent@2001', // the phone's connection goes
      'CallClearedEvent@2001',
    ]);
    expect(() => h.model.call(c)).toThrow();
    const oos = h.err('resourceOutOfService', 'systemResourceAvailability');
    expect(h.req({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '2002' })).toEqual(oos);
    expect(h.req({ type: 'SetAgentState', device: '2001', requestedAgentState: 'ready' })).toEqual(oos);
    expect(h.req({ type: 'SetAgentState', device: '2001', requestedAgentState: 'loggedOff' })).toMatchObject({ type: 'SetAgentStateResponse' });
    expect(h.events()).toEqual(['AgentLoggedOffEvent@2001']);
    // a new monitor on it is refused (an existing one stays)
    const other = new SwitchModel(resolveSimConfig({}), { sink: () => {}, callIdSeed: 1 });
    other.setService('2001', false);
    expect(other.request('L9', { type: 'MonitorStart', deviceId: '2001' })).toEqual(oos);
    // a call delivered to it fails (the caller's connection; the phone never saw it, so its monitor hears nothing)
    const c2 = h.model.placeCall(CALLER, '2001');
    expect(h.events()).toEqual([]);
    expect(() => h.model.call(c2)).toThrow();
    // an internal caller's failure is reported to the caller's monitors
    h.req({ type: 'MakeCall', callingDevice: '2002', calledDirectoryNumber: '2001' });
    const outs = h.take();
    expect(h.events(outs)).toEqual(['ServiceInitiatedEvent@2002', 'OriginatedEvent@2002', 'FailedEvent@2002', 'ConnectionClearedEvent@2002', 'CallClearedEvent@2002']);
    expect(outs.flatMap((o) => (o.kind === 'event' && o.message.type === 'FailedEvent' ? [o.message] : []))[0]).toMatchObject({ failingDevice: '2001', cause: 'destNotObtainable' });
    // deflection and blind transfer to it are refused up front
    const q = h.model.placeCall(CALLER, '8900');
    h.take();
    expect(h.req({ type: 'DeflectCall', callToBeDiverted: { callId: q, deviceId: '8900' }, newDestination: '2001' })).toEqual(oos);
    const t = h.talking('2002');
    expect(h.req({ type: 'SingleStepTransferCall', activeCall: { callId: t, deviceId: '2002' }, transferredTo: '2001' })).toEqual(oos);
    // back in service
    expect(h.model.setService('2001', true)).toBe(true);
    expect(h.events()).toEqual(['BackInServiceEvent@2001']);
    expect(h.model.device('2001').inService).toBe(true);
  });

  it('a RouteSelect to a phone out of service ends the dialogue with the error and takes the default route', () => {
    const h = harness();
    const reg = h.req({ type: 'RouteRegister', routingDevice: '8000' }) as MessageOf<'RouteRegisterResponse'>;
    h.model.setService('2001', false);
    h.model.placeCall(CALLER, '8000');
    const rr = h.take().find((o) => o.kind === 'request')!.message as MessageOf<'RouteRequest'>;
    h.req({ type: 'RouteSelect', routeRegisterReqId: reg.routeRegisterReqId, routingCrossRefId: rr.routingCrossRefId, routeSelected: '2001' });
    const outs = h.take();
    expect(outs.flatMap((o) => (o.kind === 'request' ? [o.message] : []))).toEqual([
      { type: 'RouteEnd', routeRegisterReqId: reg.routeRegisterReqId, routingCrossRefId: rr.routingCrossRefId, errorValue: { category: 'systemResourceAvailability', value: 'resourceOutOfService' } },
    ]);
    expect(h.events(outs)).toEqual(['DivertedEvent@8000', 'QueuedEvent@8900']);
  });
});

describe('injected faults', () => {
  it('snapshotFails and monitorFails refuse those devices only; clearing the faults restores them', () => {
    const h = harness({}, []);
    expect(h.model.setFaults({ snapshotFails: ['2001'], monitorFails: ['2002'] })).toEqual({ responseDelayMs: 0, snapshotFails: ['2001'], monitorFails: ['2002'], dropEventsPercent: 0 });
    const busy = h.err('resourceBusy', 'systemResourceAvailability');
    expect(h.req({ type: 'SnapshotDevice', deviceId: '2001' })).toEqual(busy);
    expect(h.req({ type: 'SnapshotDevice', deviceId: '2002' })).toMatchObject({ type: 'SnapshotDeviceResponse' });
    expect(h.req({ type: 'MonitorStart', deviceId: '2002' })).toEqual(busy);
    expect(h.req({ type: 'MonitorStart', deviceId: '2001' })).toMatchObject({ type: 'MonitorStartResponse' });
    // a patch keeps what it does not name
    expect(h.model.setFaults({ dropEventsPercent: 5 }).snapshotFails).toEqual(['2001']);
    h.model.setFaults(null);
    expect(h.model.faults()).toEqual({ responseDelayMs: 0, snapshotFails: [], monitorFails: [], dropEventsPercent: 0 });
    expect(h.req({ type: 'SnapshotDevice', deviceId: '2001' })).toMatchObject({ type: 'SnapshotDeviceResponse' });
  });
});
