/**
 * Services with more than two parties: ConsultationCall, TransferCall, SingleStepTransferCall,
 * ConferenceCall and SingleStepConferenceCall (silent monitoring, whisper coaching, barge-in).
 * Transfer and conference merge the consultation call into the held one: the result keeps the
 * held call's id and the consultation call ceases without CallClearedEvent.
 */
import type { MessageOf } from '../csta/protocol/catalogue.ts';
import type { ConnectionId, ConnectionPair } from '../csta/protocol/types.ts';
import { agentLeftCall } from './agents.ts';
import { findConnection } from './call-services.ts';
import { fullParties, type Call, type Participation } from './calls.ts';
import type { SwitchCore } from './core.ts';
import { clearCall, createCall, deliver } from './delivery.ts';
import { fault } from './errors.ts';

function expect(ok: boolean, what: string): void {
  if (!ok) throw fault.invalidConnectionState(what);
}

export function consultationCall(core: SwitchCore, existing: ConnectionId, consulted: string): ConnectionId {
  const { call: c1, conn } = findConnection(core, existing);
  expect(conn.state === 'connected' || conn.state === 'hold', `connection {${c1.id}, ${conn.deviceId}} is ${conn.state}`);
  const device = conn.deviceId;
  if (conn.state === 'connected') {
    core.setState(c1, conn, 'hold');
    core.callEvent(c1, { type: 'HeldEvent', heldConnection: { callId: c1.id, deviceId: device }, holdingDevice: device, cause: 'consultation' });
  }
  const c2 = createCall(core, { calling: device, called: consulted });
  core.addConnection(c2, device, conn.kind, 'connected');
  const initiated = { callId: c2.id, deviceId: device };
  core.callEvent(c2, { type: 'OriginatedEvent', originatedConnection: initiated, callingDevice: device, calledDevice: consulted, cause: 'consultation' });
  deliver(core, c2, consulted, { cause: 'newCall', origin: device });
  return initiated;
}

/** Checks the held/active pair of TransferCall and ConferenceCall. */
function heldAndActive(core: SwitchCore, held: ConnectionId, active: ConnectionId): { c1: Call; c2: Call; device: string; other: string } {
  const h = findConnection(core, held);
  const a = findConnection(core, active);
  if (held.deviceId !== active.deviceId) throw fault.invalidConnectionId('heldCall and activeCall must be connections of the same device');
  if (h.call === a.call) throw fault.invalidCallId('heldCall and activeCall are the same call');
  expect(h.conn.state === 'hold', `held connection is ${h.conn.state}`);
  expect(a.conn.state === 'connected', `active connection is ${a.conn.state}`);
  const other = [...a.call.connections.keys()].find((d) => d !== active.deviceId);
  if (other === undefined) throw fault.invalidConnectionState(`call ${a.call.id} has no other party`);
  return { c1: h.call, c2: a.call, device: held.deviceId, other };
}

/** Moves every party of c2 except `device` into c1, keeping its state; returns old → new pairs. */
function mergeInto(core: SwitchCore, c1: Call, c2: Call, device: string): ConnectionPair[] {
  const pairs: ConnectionPair[] = [];
  for (const d of [...c2.connections.keys()]) {
    if (d === device) continue;
    if (c1.connections.has(d)) continue; // already a party of the held call: keep that connection
    core.moveConnection(c2, c1, d);
    pairs.push({ oldConnection: { callId: c2.id, deviceId: d }, newConnection: { callId: c1.id, deviceId: d } });
  }
  return pairs;
}

function samePairs(call: Call, except: (d: string) => boolean): ConnectionPair[] {
  return [...call.connections.keys()].filter((d) => !except(d)).map((d) => ({ oldConnection: { callId: call.id, deviceId: d }, newConnection: { callId: call.id, deviceId: d } }));
}

export function transferCall(core: SwitchCore, held: ConnectionId, active: ConnectionId): ConnectionId {
  const { c1, c2, device, other } = heldAndActive(core, held, active);
  core.removeConnection(c1, device);
  core.removeConnection(c2, device);
  const pairs = [...samePairs(c1, () => false), ...mergeInto(core, c1, c2, device)];
  core.callEvent(
    c1,
    {
      type: 'TransferedEvent',
      primaryOldCall: { callId: c1.id, deviceId: device },
      secondaryOldCall: { callId: c2.id, deviceId: device },
      transferringDevice: device,
      transferredToDevice: other,
      transferredConnections: pairs,
      cause: 'transfer',
    },
    [device, ...c2.connections.keys()],
  );
  core.dropMergedCall(c2, c1);
  agentLeftCall(core, device);
  if (fullParties(c1) < 2) clearCall(core, c1);
  return { callId: c1.id, deviceId: other };
}

export function singleStepTransferCall(core: SwitchCore, active: ConnectionId, to: string): ConnectionId {
  const { call, conn } = findConnection(core, active);
  expect(conn.state === 'connected' || conn.state === 'hold', `connection {${call.id}, ${conn.deviceId}} is ${conn.state}`);
  if (core.plan.classify(to) === 'unknown') throw fault.invalidDestination(`unknown number ${to}`);
  if (core.outOfService.has(to)) throw fault.outOfService(`${to} is out of service`);
  if (call.connections.has(to)) throw fault.invalidDestination(`${to} is already in call ${call.id}`);
  const device = conn.deviceId;
  core.removeConnection(call, device);
  core.callEvent(
    call,
    {
      type: 'TransferedEvent',
      primaryOldCall: { callId: call.id, deviceId: device },
      transferringDevice: device,
      transferredToDevice: to,
      transferredConnections: samePairs(call, () => false),
      cause: 'singleStepTransfer',
    },
    [device, to],
  );
  agentLeftCall(core, device);
  deliver(core, call, to, { cause: 'singleStepTransfer', redirectedFrom: device, origin: device });
  return { callId: call.id, deviceId: to };
}

export function conferenceCall(core: SwitchCore, held: ConnectionId, active: ConnectionId): ConnectionId {
  const { c1, c2, device, other } = heldAndActive(core, held, active);
  core.removeConnection(c2, device);
  const moved = mergeInto(core, c1, c2, device);
  const own = c1.connections.get(device);
  if (own) core.setState(c1, own, 'connected');
  const pairs = [...samePairs(c1, (d) => moved.some((p) => p.newConnection.deviceId === d)), ...moved];
  core.callEvent(c1, {
    type: 'ConferencedEvent',
    primaryOldCall: { callId: c1.id, deviceId: device },
    secondaryOldCall: { callId: c2.id, deviceId: device },
    conferencingDevice: device,
    addedParty: other,
    conferenceConnections: pairs,
    cause: 'conference',
  });
  core.dropMergedCall(c2, c1);
  return { callId: c1.id, deviceId: device };
}

/** ECMA-323's participationType defaults to `active`; `none` is not a way to join a call. */
function participationOf(type: string = 'active', privateData: Record<string, string> | undefined): Participation {
  if (type !== 'silent' && type !== 'active') throw fault.valueOutOfRange(`participationType ${type}`);
  if (privateData?.whisper === 'true') return 'whisper';
  return type === 'silent' ? 'silent' : 'barge';
}

/** Joins a device to a call at once (or changes how it takes part if it is already in it). */
export function singleStepConferenceCall(core: SwitchCore, req: MessageOf<'SingleStepConferenceCall'>): ConnectionId {
  const { call, conn } = findConnection(core, req.activeCall);
  expect(conn.state === 'connected', `connection {${call.id}, ${conn.deviceId}} is ${conn.state}`);
  const joining = req.deviceToJoin;
  const kind = core.plan.classify(joining);
  if (kind !== 'extension' && kind !== 'ivr') throw fault.invalidDeviceId(`${joining} cannot join a call`);
  if (joining === conn.deviceId) throw fault.invalidDeviceId(`${joining} is the conferencing device`);
  if (core.outOfService.has(joining)) throw fault.outOfService(`${joining} is out of service`);
  const mode = participationOf(req.participationType, req.privateData);
  const existing = call.connections.get(joining);
  if (existing) {
    expect(existing.state === 'connected', `connection {${call.id}, ${joining}} is ${existing.state}`);
    existing.participation = mode;
  } else {
    core.addConnection(call, joining, kind, 'connected', mode);
  }
  core.callEvent(call, {
    type: 'ConferencedEvent',
    primaryOldCall: { callId: call.id, deviceId: conn.deviceId },
    conferencingDevice: conn.deviceId,
    addedParty: joining,
    conferenceConnections: [...call.connections.keys()].map((d) => ({
      ...(d === joining && !existing ? {} : { oldConnection: { callId: call.id, deviceId: d } }),
      newConnection: { callId: call.id, deviceId: d },
    })),
    cause: mode === 'barge' ? 'activeParticipation' : 'silentParticipation',
    participationType: mode,
  });
  if (fullParties(call) < 2) clearCall(core, call);
  return { callId: call.id, deviceId: joining };
}
