/** CSTA event → PbxEvent mapping, one row per event type, plus routing and the edge cases. */
import { describe, expect, it } from 'vitest';
import { mapCstaEvent, mapRouteMessage, participationMode } from '../../src/pbx-adapters/csta/event-mapper.ts';
import type { CstaEventMessage } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import type { PbxEvent } from '../../src/core/pbx-port.ts';

const c = (callId: string, deviceId: string) => ({ callId, deviceId });
const monitors = new Map([
  ['m1', '2001'],
  ['m8', '8000'],
]);
const M = { monitorCrossRefId: 'm1' } as const;
const R = { monitoredDevice: '2001' } as const;

const rows: [string, CstaEventMessage, PbxEvent][] = [
  [
    'ServiceInitiatedEvent',
    { type: 'ServiceInitiatedEvent', ...M, initiatedConnection: c('7', '2001'), initiatingDevice: '2001', cause: 'newCall' },
    { kind: 'serviceInitiated', callId: '7', deviceId: '2001', cause: 'newCall', ...R },
  ],
  [
    'OriginatedEvent',
    { type: 'OriginatedEvent', ...M, originatedConnection: c('7', '2001'), callingDevice: '2001', calledDevice: '0612' },
    { kind: 'originated', callId: '7', deviceId: '2001', calling: '2001', called: '0612', ...R },
  ],
  [
    'DeliveredEvent',
    { type: 'DeliveredEvent', ...M, connection: c('7', '2001'), alertingDevice: '2001', callingDevice: '0612', calledDevice: '8000', lastRedirectionDevice: '8000', cause: 'redirected', callerName: 'Ada' },
    { kind: 'delivered', callId: '7', deviceId: '2001', calling: '0612', called: '8000', redirectedFrom: '8000', callerName: 'Ada', cause: 'redirected', ...R },
  ],
  [
    'EstablishedEvent',
    { type: 'EstablishedEvent', ...M, establishedConnection: c('7', '2001'), answeringDevice: '2001', callingDevice: '0612', calledDevice: '8000', cause: 'newCall' },
    { kind: 'established', callId: '7', deviceId: '2001', calling: '0612', called: '8000', cause: 'newCall', ...R },
  ],
  ['HeldEvent', { type: 'HeldEvent', ...M, heldConnection: c('7', '2001'), holdingDevice: '2001' }, { kind: 'held', callId: '7', deviceId: '2001', ...R }],
  ['RetrievedEvent', { type: 'RetrievedEvent', ...M, retrievedConnection: c('7', '2001'), retrievingDevice: '2001', cause: 'normal' }, { kind: 'retrieved', callId: '7', deviceId: '2001', cause: 'normal', ...R }],
  [
    'DivertedEvent',
    { type: 'DivertedEvent', monitorCrossRefId: 'm8', connection: c('7', '8000'), divertingDevice: '8000', newDestination: '2001', cause: 'redirected' },
    { kind: 'diverted', callId: '7', deviceId: '8000', to: '2001', cause: 'redirected', monitoredDevice: '8000' },
  ],
  [
    'QueuedEvent',
    { type: 'QueuedEvent', ...M, queuedConnection: c('7', '8900'), queue: '8900', callingDevice: '0612', calledDevice: '8000', numberQueued: 0 },
    { kind: 'queued', callId: '7', deviceId: '8900', queue: '8900', calling: '0612', called: '8000', numberQueued: 0, ...R },
  ],
  [
    'TransferedEvent',
    {
      type: 'TransferedEvent',
      ...M,
      primaryOldCall: c('7', '2001'),
      secondaryOldCall: c('8', '2001'),
      transferringDevice: '2001',
      transferredToDevice: '2002',
      transferredConnections: [{ oldConnection: c('8', '2002'), newConnection: c('7', '2002') }, { newConnection: c('7', '0612') }],
    },
    { kind: 'transferred', primaryCallId: '7', secondaryCallId: '8', transferringDevice: '2001', transferredTo: '2002', connections: [{ old: c('8', '2002'), new: c('7', '2002') }, { new: c('7', '0612') }], ...R },
  ],
  [
    'ConferencedEvent',
    { type: 'ConferencedEvent', ...M, primaryOldCall: c('7', '2001'), conferencingDevice: '2001', addedParty: '2901', conferenceConnections: [{ newConnection: c('7', '2901') }], participationType: 'whisper' },
    { kind: 'conferenced', primaryCallId: '7', conferencingDevice: '2001', addedParty: '2901', connections: [{ new: c('7', '2901') }], participation: 'whisper', ...R },
  ],
  [
    'ConnectionClearedEvent',
    { type: 'ConnectionClearedEvent', ...M, droppedConnection: c('7', '2001'), releasingDevice: '2001', cause: 'normalClearing' },
    { kind: 'connectionCleared', callId: '7', deviceId: '2001', cause: 'normalClearing', ...R },
  ],
  ['CallClearedEvent', { type: 'CallClearedEvent', ...M, clearedCall: c('7', '') }, { kind: 'callCleared', callId: '7', cause: 'normalClearing', ...R }],
  [
    'FailedEvent',
    { type: 'FailedEvent', ...M, failedConnection: c('7', '2001'), failingDevice: '2001', calledDevice: '2999', cause: 'invalidNumberFormat' },
    { kind: 'failed', callId: '7', deviceId: '2001', called: '2999', cause: 'invalidNumberFormat', ...R },
  ],
  ['DtmfDetectedEvent', { type: 'DtmfDetectedEvent', ...M, overConnection: c('7', '0612'), dtmfChar: '#' }, { kind: 'digits', callId: '7', deviceId: '0612', digits: '#', ...R }],
  ['OutOfServiceEvent', { type: 'OutOfServiceEvent', ...M, device: '2001' }, { kind: 'deviceService', deviceId: '2001', inService: false, ...R }],
  ['BackInServiceEvent', { type: 'BackInServiceEvent', ...M, device: '2001', cause: 'maintenance' }, { kind: 'deviceService', deviceId: '2001', inService: true, ...R }],
  ['AgentLoggedOnEvent', { type: 'AgentLoggedOnEvent', ...M, agentDevice: '2001', agentId: 'a1' }, { kind: 'agentState', deviceId: '2001', agentId: 'a1', state: 'loggedOn', ...R }],
  ['AgentLoggedOffEvent', { type: 'AgentLoggedOffEvent', ...M, agentDevice: '2001' }, { kind: 'agentState', deviceId: '2001', state: 'loggedOff', ...R }],
  ['AgentReadyEvent', { type: 'AgentReadyEvent', ...M, agentDevice: '2001' }, { kind: 'agentState', deviceId: '2001', state: 'ready', ...R }],
  ['AgentNotReadyEvent', { type: 'AgentNotReadyEvent', ...M, agentDevice: '2001' }, { kind: 'agentState', deviceId: '2001', state: 'notReady', ...R }],
  ['AgentWorkingAfterCallEvent', { type: 'AgentWorkingAfterCallEvent', ...M, agentDevice: '2001' }, { kind: 'agentState', deviceId: '2001', state: 'workingAfterCall', ...R }],
  ['AgentBusyEvent', { type: 'AgentBusyEvent', ...M, agentDevice: '2001', agentId: 'a1' }, { kind: 'agentState', deviceId: '2001', agentId: 'a1', state: 'busy', ...R }],
];

describe('mapCstaEvent', () => {
  it.each(rows)('%s', (_name, msg, expected) => {
    expect(mapCstaEvent(msg, monitors)).toEqual(expected);
  });

  it('returns null for an event from a monitor we do not hold', () => {
    expect(mapCstaEvent({ type: 'HeldEvent', monitorCrossRefId: 'm404', heldConnection: c('7', '2001'), holdingDevice: '2001' }, monitors)).toBeNull();
  });

  it('falls back to the event\'s device field when the connection has no deviceID, and to default causes', () => {
    expect(mapCstaEvent({ type: 'DeliveredEvent', ...M, connection: c('7', ''), alertingDevice: '2001' }, monitors)).toEqual({ kind: 'delivered', callId: '7', deviceId: '2001', calling: '', called: '', ...R });
    expect(mapCstaEvent({ type: 'ConnectionClearedEvent', ...M, droppedConnection: c('7', ''), releasingDevice: '0612' }, monitors)).toEqual({ kind: 'connectionCleared', callId: '7', deviceId: '0612', cause: 'normalClearing', ...R });
    expect(mapCstaEvent({ type: 'FailedEvent', ...M, failedConnection: c('7', '2001'), failingDevice: '2001' }, monitors)).toEqual({ kind: 'failed', callId: '7', deviceId: '2001', cause: 'unknown', ...R });
  });

  it('leaves out empty optional devices rather than reporting ""', () => {
    const ev = mapCstaEvent({ type: 'DeliveredEvent', ...M, connection: c('7', '2001'), alertingDevice: '2001', lastRedirectionDevice: '' }, monitors);
    expect(ev).not.toHaveProperty('redirectedFrom');
  });
});

describe('participation type → monitor mode', () => {
  it.each([
    ['silent', 'silent'],
    ['whisper', 'whisper'],
    ['active', 'barge'],
    ['barge', 'barge'],
    ['nonsense', undefined],
    [undefined, undefined],
  ] as const)('%s → %s', (participation, mode) => {
    expect(participationMode(participation)).toBe(mode);
    const ev = mapCstaEvent({ type: 'ConferencedEvent', ...M, primaryOldCall: c('7', '2001'), conferencingDevice: '2001', addedParty: '2901', conferenceConnections: [], ...(participation ? { participationType: participation } : {}) }, monitors);
    expect(ev).toMatchObject({ kind: 'conferenced' });
    expect((ev as { participation?: string }).participation).toBe(mode);
  });
});

describe('mapRouteMessage', () => {
  const regs = new Map([['r1', '8000']]);
  it('maps a RouteRequest to the routing device of its registration', () => {
    expect(mapRouteMessage({ type: 'RouteRequest', routeRegisterReqId: 'r1', routingCrossRefId: 'x9', currentRoute: '8000', callingDevice: '0612', routedCall: c('7', '8000'), callerName: 'Ada' }, regs)).toEqual({
      kind: 'routeRequest',
      crossRefId: 'x9',
      routingDevice: '8000',
      callId: '7',
      calling: '0612',
      callerName: 'Ada',
    });
  });

  it('falls back to currentRoute for an unknown registration', () => {
    expect(mapRouteMessage({ type: 'RouteRequest', routeRegisterReqId: 'r404', routingCrossRefId: 'x9', currentRoute: '8001', routedCall: c('7', '8001') }, regs)).toEqual({ kind: 'routeRequest', crossRefId: 'x9', routingDevice: '8001', callId: '7', calling: '' });
  });

  it('maps RouteEnd, with and without an error', () => {
    expect(mapRouteMessage({ type: 'RouteEnd', routeRegisterReqId: 'r1', routingCrossRefId: 'x9', errorValue: { category: 'operation', value: 'routeingTimerExpired' } }, regs)).toEqual({ kind: 'routeEnd', crossRefId: 'x9', error: 'routeingTimerExpired' });
    expect(mapRouteMessage({ type: 'RouteEnd', routeRegisterReqId: 'r1', routingCrossRefId: 'x9' }, regs)).toEqual({ kind: 'routeEnd', crossRefId: 'x9' });
  });
});
