/**
 * Two-party call control services of the profile: MakeCall (and a hand-set dialling), AnswerCall
 * (and off-hook), ClearConnection, ClearCall, HoldCall, RetrieveCall, DeflectCall, GenerateDigits,
 * and a caller pressing keys. Each checks its connection and state first and throws a CstaFault
 * (invalidCallID, invalidConnectionID, invalidConnectionState, ...) before changing anything.
 */
import type { ConnectionId } from '../csta/protocol/types.ts';
import { agentAnswered } from './agents.ts';
import type { Call, Connection } from './calls.ts';
import type { SwitchCore } from './core.ts';
import { clearCall, clearConnection, closeDialogue, createCall, deliver, divert } from './delivery.ts';
import { fault } from './errors.ts';

const DTMF = /^[0-9*#A-Da-d]{1,64}$/;

export function findCall(core: SwitchCore, callId: string): Call {
  const call = core.calls.get(callId);
  if (!call) throw fault.invalidCallId(`no call ${callId}`);
  return call;
}

export function findConnection(core: SwitchCore, id: ConnectionId): { call: Call; conn: Connection } {
  const call = findCall(core, id.callId);
  const conn = call.connections.get(id.deviceId);
  if (!conn) throw fault.invalidConnectionId(`${id.deviceId} is not in call ${id.callId}`);
  return { call, conn };
}

function expectState(conn: Connection, call: Call, ...states: Connection['state'][]): void {
  if (!states.includes(conn.state)) {
    throw fault.invalidConnectionState(`connection {${call.id}, ${conn.deviceId}} is ${conn.state}, not ${states.join(' or ')}`);
  }
}

/** A call from an internal device: connected at once, ServiceInitiated, Originated, delivery. */
export function makeCall(core: SwitchCore, callingDevice: string, called: string): ConnectionId {
  const kind = core.plan.classify(callingDevice);
  if (kind !== 'extension' && kind !== 'ivr') throw fault.invalidDeviceId(`${callingDevice} cannot originate calls`);
  if (core.outOfService.has(callingDevice)) throw fault.outOfService(`${callingDevice} is out of service`);
  const call = createCall(core, { calling: callingDevice, called });
  core.addConnection(call, callingDevice, kind, 'connected');
  const conn = { callId: call.id, deviceId: callingDevice };
  core.callEvent(call, { type: 'ServiceInitiatedEvent', initiatedConnection: conn, initiatingDevice: callingDevice, cause: 'newCall' });
  core.callEvent(call, { type: 'OriginatedEvent', originatedConnection: conn, callingDevice, calledDevice: called, cause: 'newCall' });
  deliver(core, call, called, { cause: 'newCall', origin: callingDevice });
  return conn;
}

export function answerCall(core: SwitchCore, id: ConnectionId): void {
  const { call, conn } = findConnection(core, id);
  expectState(conn, call, 'alerting');
  if (conn.kind === 'routing') throw fault.invalidConnectionState(`routing device ${conn.deviceId} does not answer calls; route them`);
  core.setState(call, conn, 'connected');
  core.callEvent(call, {
    type: 'EstablishedEvent',
    establishedConnection: { callId: call.id, deviceId: conn.deviceId },
    answeringDevice: conn.deviceId,
    callingDevice: call.calling,
    calledDevice: call.called,
    cause: 'normal',
  });
  if (conn.kind === 'extension') agentAnswered(core, conn.deviceId);
}

export function clearConnectionService(core: SwitchCore, id: ConnectionId): void {
  const { call } = findConnection(core, id);
  clearConnection(core, call, id.deviceId);
}

export function clearCallService(core: SwitchCore, id: ConnectionId): void {
  clearCall(core, findCall(core, id.callId));
}

export function holdCall(core: SwitchCore, id: ConnectionId): void {
  const { call, conn } = findConnection(core, id);
  expectState(conn, call, 'connected');
  core.setState(call, conn, 'hold');
  core.callEvent(call, { type: 'HeldEvent', heldConnection: { callId: call.id, deviceId: conn.deviceId }, holdingDevice: conn.deviceId, cause: 'normal' });
}

export function retrieveCall(core: SwitchCore, id: ConnectionId): void {
  const { call, conn } = findConnection(core, id);
  expectState(conn, call, 'hold');
  core.setState(call, conn, 'connected');
  core.callEvent(call, { type: 'RetrievedEvent', retrievedConnection: { callId: call.id, deviceId: conn.deviceId }, retrievingDevice: conn.deviceId, cause: 'normal' });
}

/** Moves an alerting or queued call on (queue → agent, or back to a queue on ring timeout). */
export function deflectCall(core: SwitchCore, id: ConnectionId, to: string): void {
  const { call, conn } = findConnection(core, id);
  expectState(conn, call, 'alerting', 'queued');
  if (core.plan.classify(to) === 'unknown') throw fault.invalidDestination(`unknown number ${to}`);
  if (core.outOfService.has(to)) throw fault.outOfService(`${to} is out of service`);
  if (call.connections.has(to)) throw fault.invalidDestination(`${to} is already in call ${call.id}`);
  for (const d of core.routes.ofCall(call.id)) if (d.routingDevice === conn.deviceId) closeDialogue(core, d, {});
  divert(core, call, conn.deviceId, to);
}

/** GenerateDigits: DTMF sent on a connected connection, recorded with the call. */
export function generateDigits(core: SwitchCore, id: ConnectionId, digits: string): void {
  const { call, conn } = findConnection(core, id);
  expectState(conn, call, 'connected');
  if (!DTMF.test(digits)) throw fault.valueOutOfRange(`charactersToSend ${JSON.stringify(digits)}`);
  call.digitsGenerated.push({ deviceId: conn.deviceId, digits, at: core.clock() });
}

/** A party presses keys: one DtmfDetectedEvent per key (ECMA-323 voice services) to the monitors
 * of the call's devices, the connection named being the one the keys came from; `afterKey` runs
 * after each key's event. */
export function pressDigits(core: SwitchCore, id: ConnectionId, digits: string, afterKey?: (key: string) => void): void {
  const { call, conn } = findConnection(core, id);
  expectState(conn, call, 'connected');
  if (!DTMF.test(digits)) throw fault.valueOutOfRange(`digits ${JSON.stringify(digits)}`);
  call.digitsPressed.push({ deviceId: conn.deviceId, digits, at: core.clock() });
  for (const ch of digits) {
    core.callEvent(call, { type: 'DtmfDetectedEvent', overConnection: { callId: call.id, deviceId: conn.deviceId }, dtmfChar: ch.toUpperCase(), cause: 'dTMFDigitDetected' });
    // Voice units hear the key after its event went out (barge-in, a key ending a recording).
    afterKey?.(ch.toUpperCase());
  }
}
