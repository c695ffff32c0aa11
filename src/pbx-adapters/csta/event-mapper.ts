/**
 * Pure translation of decoded CSTA messages into the port's `PbxEvent`s: call and agent events
 * (tagged with the device of the monitor that reported them) and the switch's routing dialogue
 * (RouteRequest, RouteEnd). No I/O, no state: the caller passes the lookup maps and logs the nulls.
 *
 * Device of a connection: the connection's deviceID when present (that is what commands must
 * name), else the event's device field (alertingDevice, answeringDevice, ...). In this profile the
 * two are the same directory number.
 */
import type { AgentSwitchState, ConnectionChange, MonitorMode, PbxEvent, VoiceStopCause } from '../../core/pbx-port.ts';
import type { CstaEventMessage, CstaMessage } from './protocol/catalogue.ts';
import type { ConnectionId, ConnectionPair } from './protocol/types.ts';

/** Cause reported when the switch gives none (CSTA treats a cause-less clearing as normal). */
export const DEFAULT_CLEARING_CAUSE = 'normalClearing';
export const DEFAULT_FAILURE_CAUSE = 'unknown';

const AGENT_EVENTS: Record<string, AgentSwitchState> = {
  AgentLoggedOnEvent: 'loggedOn',
  AgentLoggedOffEvent: 'loggedOff',
  AgentReadyEvent: 'ready',
  AgentNotReadyEvent: 'notReady',
  AgentWorkingAfterCallEvent: 'workingAfterCall',
  AgentBusyEvent: 'busy',
};

/** Participation type of a ConferencedEvent's private data → monitor mode. */
export function participationMode(participation: string | undefined): MonitorMode | undefined {
  switch (participation) {
    case 'silent':
      return 'silent';
    case 'whisper':
      return 'whisper';
    case 'active':
    case 'barge':
      return 'barge';
    default:
      return undefined;
  }
}

/** StopEvent cause → why a play or recording ended (docs/csta-profile.md "Voice units"). */
export function voiceStopCause(cause: string | undefined): VoiceStopCause {
  switch (cause) {
    case 'endOfMessageDetected':
      return 'endOfMessage';
    case 'dTMFDigitDetected':
      return 'dtmf';
    case 'durationExceeded':
    case 'messageDurationExceeded':
      return 'durationExceeded';
    case 'earlyStop':
      return 'stopped';
    default:
      return 'cleared';
  }
}

const dev = (conn: ConnectionId, fallback: string): string => conn.deviceId || fallback;
const opt = <K extends string, V>(key: K, value: V | undefined | ''): { [P in K]?: V } =>
  (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: V };

function changes(pairs: ConnectionPair[]): ConnectionChange[] {
  return pairs.map((p) => (p.oldConnection ? { old: p.oldConnection, new: p.newConnection } : { new: p.newConnection }));
}

/**
 * A CSTA event → PbxEvent, or null when the event is of no interest or comes from a monitor we do
 * not (or no longer) hold. `monitors` maps monitorCrossRefID → monitored device.
 */
export function mapCstaEvent(msg: CstaEventMessage, monitors: ReadonlyMap<string, string>): PbxEvent | null {
  const monitoredDevice = monitors.get(msg.monitorCrossRefId);
  if (monitoredDevice === undefined) return null;
  const ev = mapOne(msg, monitoredDevice);
  // A call event whose connection names no call (a peer may send only a deviceID) tells us nothing we can follow.
  if (ev && (('callId' in ev && ev.kind !== 'routeRequest' && !ev.callId) || ('primaryCallId' in ev && !ev.primaryCallId))) return null;
  return ev;
}

function mapOne(msg: CstaEventMessage, monitoredDevice: string): PbxEvent | null {
  const m = { monitoredDevice };
  switch (msg.type) {
    case 'ServiceInitiatedEvent':
      return { kind: 'serviceInitiated', callId: msg.initiatedConnection.callId, deviceId: dev(msg.initiatedConnection, msg.initiatingDevice ?? ''), ...opt('cause', msg.cause), ...m };
    case 'OriginatedEvent':
      return {
        kind: 'originated',
        callId: msg.originatedConnection.callId,
        deviceId: dev(msg.originatedConnection, msg.callingDevice ?? ''),
        calling: msg.callingDevice || msg.originatedConnection.deviceId,
        called: msg.calledDevice ?? '',
        ...opt('cause', msg.cause),
        ...m,
      };
    case 'DeliveredEvent':
      return {
        kind: 'delivered',
        callId: msg.connection.callId,
        deviceId: dev(msg.connection, msg.alertingDevice),
        calling: msg.callingDevice ?? '',
        called: msg.calledDevice ?? '',
        ...opt('redirectedFrom', msg.lastRedirectionDevice),
        ...opt('callerName', msg.callerName),
        ...opt('cause', msg.cause),
        ...m,
      };
    case 'EstablishedEvent':
      return {
        kind: 'established',
        callId: msg.establishedConnection.callId,
        deviceId: dev(msg.establishedConnection, msg.answeringDevice),
        calling: msg.callingDevice ?? '',
        called: msg.calledDevice ?? '',
        ...opt('cause', msg.cause),
        ...m,
      };
    case 'HeldEvent':
      return { kind: 'held', callId: msg.heldConnection.callId, deviceId: dev(msg.heldConnection, msg.holdingDevice), ...opt('cause', msg.cause), ...m };
    case 'RetrievedEvent':
      return { kind: 'retrieved', callId: msg.retrievedConnection.callId, deviceId: dev(msg.retrievedConnection, msg.retrievingDevice), ...opt('cause', msg.cause), ...m };
    case 'DivertedEvent':
      return { kind: 'diverted', callId: msg.connection.callId, deviceId: dev(msg.connection, msg.divertingDevice), to: msg.newDestination, ...opt('cause', msg.cause), ...m };
    case 'QueuedEvent':
      return {
        kind: 'queued',
        callId: msg.queuedConnection.callId,
        deviceId: dev(msg.queuedConnection, msg.queue),
        queue: msg.queue,
        calling: msg.callingDevice ?? '',
        called: msg.calledDevice ?? '',
        ...opt('numberQueued', msg.numberQueued),
        ...opt('cause', msg.cause),
        ...m,
      };
    case 'TransferedEvent':
      return {
        kind: 'transferred',
        primaryCallId: msg.primaryOldCall.callId,
        ...opt('secondaryCallId', msg.secondaryOldCall?.callId),
        transferringDevice: msg.transferringDevice,
        transferredTo: msg.transferredToDevice,
        connections: changes(msg.transferredConnections),
        ...opt('cause', msg.cause),
        ...m,
      };
    case 'ConferencedEvent':
      return {
        kind: 'conferenced',
        primaryCallId: msg.primaryOldCall.callId,
        ...opt('secondaryCallId', msg.secondaryOldCall?.callId),
        conferencingDevice: msg.conferencingDevice,
        addedParty: msg.addedParty,
        connections: changes(msg.conferenceConnections),
        ...opt('participation', participationMode(msg.participationType)),
        ...opt('cause', msg.cause),
        ...m,
      };
    case 'ConnectionClearedEvent':
      return { kind: 'connectionCleared', callId: msg.droppedConnection.callId, deviceId: dev(msg.droppedConnection, msg.releasingDevice), cause: msg.cause || DEFAULT_CLEARING_CAUSE, ...m };
    case 'CallClearedEvent':
      return { kind: 'callCleared', callId: msg.clearedCall.callId, cause: msg.cause || DEFAULT_CLEARING_CAUSE, ...m };
    case 'FailedEvent':
      return {
        kind: 'failed',
        callId: msg.failedConnection.callId,
        deviceId: dev(msg.failedConnection, msg.failingDevice),
        ...opt('called', msg.calledDevice),
        cause: msg.cause || DEFAULT_FAILURE_CAUSE,
        ...m,
      };
    case 'DtmfDetectedEvent':
      return { kind: 'digits', callId: msg.overConnection.callId, deviceId: msg.overConnection.deviceId || monitoredDevice, digits: msg.dtmfChar, ...m };
    case 'PlayEvent':
      return { kind: 'voicePlaying', callId: msg.connection.callId, deviceId: msg.connection.deviceId || monitoredDevice, message: msg.message, ...m };
    case 'RecordEvent':
      return { kind: 'voiceRecording', callId: msg.connection.callId, deviceId: msg.connection.deviceId || monitoredDevice, message: msg.message, ...m };
    case 'StopEvent':
      return {
        kind: 'voiceStopped',
        callId: msg.connection.callId,
        deviceId: msg.connection.deviceId || monitoredDevice,
        message: msg.message,
        cause: voiceStopCause(msg.cause),
        ...opt('lengthMs', msg.length),
        ...opt('bytes', msg.bytes),
        ...m,
      };
    case 'OutOfServiceEvent':
    case 'BackInServiceEvent':
      return { kind: 'deviceService', deviceId: msg.device || monitoredDevice, inService: msg.type === 'BackInServiceEvent', ...m };
    default: {
      const state = AGENT_EVENTS[msg.type];
      if (state === undefined || !('agentDevice' in msg)) return null;
      return { kind: 'agentState', deviceId: msg.agentDevice, ...opt('agentId', msg.agentId), state, ...m };
    }
  }
}

export type RouteMessage = Extract<CstaMessage, { type: 'RouteRequest' | 'RouteEnd' }>;

/**
 * The switch's RouteRequest / RouteEnd → PbxEvent. `routeRegistrations` maps routeRegisterReqID
 * → routing device; a RouteRequest for an unknown registration falls back to its currentRoute.
 */
export function mapRouteMessage(msg: RouteMessage, routeRegistrations: ReadonlyMap<string, string>): PbxEvent {
  if (msg.type === 'RouteEnd') {
    return { kind: 'routeEnd', crossRefId: msg.routingCrossRefId, ...opt('error', msg.errorValue?.value) };
  }
  return {
    kind: 'routeRequest',
    crossRefId: msg.routingCrossRefId,
    routingDevice: (msg.routeRegisterReqId !== undefined ? routeRegistrations.get(msg.routeRegisterReqId) : undefined) ?? msg.currentRoute,
    callId: msg.routedCall?.callId ?? '',
    calling: msg.callingDevice ?? '',
    ...opt('callerName', msg.callerName),
  };
}
