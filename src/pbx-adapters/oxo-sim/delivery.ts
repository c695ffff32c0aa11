/**
 * How a call reaches a device and how it ends. `deliver` puts a call at a number the way the
 * profile says: an extension or an outside number alerts, a routing device alerts and asks the
 * CTI for a route (RouteRequest), a queue device queues the call, an IVR port answers, an
 * unknown number fails the call. `clearConnection`/`clearCall` remove parties with
 * ConnectionClearedEvent and end the call with CallClearedEvent when fewer than two parties
 * are left.
 */
import type { CstaErrorValue } from '../csta/protocol/types.ts';
import { agentLeftCall } from './agents.ts';
import { fault } from './errors.ts';
import { fullParties, type Call } from './calls.ts';
import type { SwitchCore } from './core.ts';
import type { Dialogue } from './routes.ts';

export type ArrivalCause = 'newCall' | 'redirected' | 'singleStepTransfer';

export interface Arrival {
  cause: ArrivalCause;
  /** The device the call was diverted or transferred from (lastRedirectionDevice). */
  redirectedFrom?: string;
  /** The device whose connection fails when the number is unknown (the dialling party). */
  origin: string;
}

export function createCall(core: SwitchCore, init: { calling: string; called: string; callerName?: string }): Call {
  const call = core.calls.create({ id: core.newCallId(), ...init, now: core.clock() });
  core.notice({ kind: 'callCreated', callId: call.id, calling: call.calling, called: call.called });
  return call;
}

/** Calls now waiting at queue device `queue`. */
export function queuedAt(core: SwitchCore, queue: string): number {
  let n = 0;
  for (const c of core.calls.atDevice(queue)) if (c.connections.get(queue)?.state === 'queued') n++;
  return n;
}

export function deliver(core: SwitchCore, call: Call, target: string, arrival: Arrival): void {
  const kind = core.plan.classify(target);
  if (call.connections.has(target)) {
    failCall(core, call, arrival.origin, target, 'busy');
    return;
  }
  // The standard's lastRedirectionDevice is mandatory: absent here, it is written <notRequired/>.
  const redirection = arrival.redirectedFrom !== undefined ? { lastRedirectionDevice: arrival.redirectedFrom } : {};
  const delivered = () =>
    core.callEvent(call, {
      type: 'DeliveredEvent',
      connection: { callId: call.id, deviceId: target },
      alertingDevice: target,
      callingDevice: call.calling,
      calledDevice: call.called,
      ...redirection,
      cause: arrival.cause,
      ...(call.callerName !== undefined ? { callerName: call.callerName } : {}),
    });
  if (core.outOfService.has(target)) {
    // An unplugged phone (or a port out of service): the call cannot reach it.
    failCall(core, call, arrival.origin, target, 'destNotObtainable');
    return;
  }
  switch (kind) {
    case 'extension':
    case 'outside':
      core.addConnection(call, target, kind, 'alerting');
      delivered();
      return;
    case 'routing':
      core.addConnection(call, target, kind, 'alerting');
      delivered();
      offerToRouter(core, call, target);
      return;
    case 'queue':
      core.addConnection(call, target, kind, 'queued');
      core.callEvent(call, {
        type: 'QueuedEvent',
        queuedConnection: { callId: call.id, deviceId: target },
        queue: target,
        callingDevice: call.calling,
        calledDevice: call.called,
        ...redirection,
        numberQueued: queuedAt(core, target),
        cause: arrival.cause,
      });
      return;
    case 'ivr':
      core.addConnection(call, target, kind, 'connected');
      delivered();
      core.callEvent(call, {
        type: 'EstablishedEvent',
        establishedConnection: { callId: call.id, deviceId: target },
        answeringDevice: target,
        callingDevice: call.calling,
        calledDevice: call.called,
        ...redirection,
        cause: arrival.cause,
      });
      return;
    case 'unknown':
      failCall(core, call, arrival.origin, target, 'invalidNumberFormat');
      return;
  }
}

/** The call could not reach `target`: FailedEvent on the origin's connection, then the call clears. */
export function failCall(core: SwitchCore, call: Call, origin: string, target: string, cause: string): void {
  const conn = call.connections.get(origin);
  if (conn) core.setState(call, conn, 'fail');
  core.callEvent(call, { type: 'FailedEvent', failedConnection: { callId: call.id, deviceId: origin }, failingDevice: target, callingDevice: call.calling, calledDevice: target, cause });
  clearCall(core, call);
}

/** A call alerting at a routing device: RouteRequest to the registrant, or the fallback at once. */
function offerToRouter(core: SwitchCore, call: Call, routingDevice: string): void {
  const registration = core.routes.registrationOf(routingDevice);
  if (!registration) {
    routeCall(core, call, routingDevice, core.plan.fallbackOf(routingDevice));
    return;
  }
  const dialogue: Dialogue = { crossRefId: core.newRef(), registration, callId: call.id, routingDevice };
  core.routes.open(dialogue);
  core.toLink(registration.linkId, {
    type: 'RouteRequest',
    routeRegisterReqId: registration.id,
    routingCrossRefId: dialogue.crossRefId,
    currentRoute: routingDevice,
    callingDevice: call.calling,
    routedCall: { callId: call.id, deviceId: routingDevice },
    ...(call.callerName !== undefined ? { callerName: call.callerName } : {}),
  });
  core.notice({ kind: 'routeOpened', crossRefId: dialogue.crossRefId, callId: call.id, routingDevice });
}

/** Closes a routing dialogue; tells the CTI with RouteEnd unless it closed it itself. */
export function closeDialogue(core: SwitchCore, d: Dialogue, tell: { errorValue?: CstaErrorValue } | false): void {
  if (!core.routes.close(d.crossRefId)) return;
  core.notice({ kind: 'routeClosed', crossRefId: d.crossRefId });
  if (tell === false) return;
  core.toLink(d.registration.linkId, {
    type: 'RouteEnd',
    routingCrossRefId: d.crossRefId,
    routeRegisterReqId: d.registration.id,
    ...(tell.errorValue !== undefined ? { errorValue: tell.errorValue } : {}),
  });
}

/**
 * Sends the call alerting at `routingDevice` on to `destination` (RouteSelect, fallback, timeout):
 * DivertedEvent, RouteEnd if a dialogue was open, then delivery. An unknown destination gives
 * RouteEnd(invalidDestination), FailedEvent, and the call clears.
 */
export function routeCall(core: SwitchCore, call: Call, routingDevice: string, destination: string, dialogue?: Dialogue, endError?: CstaErrorValue): void {
  if (core.plan.classify(destination) === 'unknown') {
    if (dialogue) closeDialogue(core, dialogue, { errorValue: fault.invalidDestination().error });
    failCall(core, call, routingDevice, destination, 'invalidNumberFormat');
    return;
  }
  const fallback = core.plan.fallbackOf(routingDevice);
  if (dialogue && core.outOfService.has(destination) && destination !== fallback) {
    // The route chosen leads to a device out of service: the dialogue ends with the error and the
    // switch applies the routing device's default route, as it does when nobody routes the call.
    closeDialogue(core, dialogue, { errorValue: fault.outOfService().error });
    routeCall(core, call, routingDevice, fallback);
    return;
  }
  divert(core, call, routingDevice, destination, () => {
    if (dialogue) closeDialogue(core, dialogue, endError !== undefined ? { errorValue: endError } : {});
  });
}

/** DivertedEvent, the connection at `from` goes, and the call is delivered at `to`. */
export function divert(core: SwitchCore, call: Call, from: string, to: string, beforeDelivery?: () => void): void {
  core.callEvent(call, {
    type: 'DivertedEvent',
    connection: { callId: call.id, deviceId: from },
    divertingDevice: from,
    newDestination: to,
    cause: 'redirected',
  });
  beforeDelivery?.();
  core.removeConnection(call, from);
  deliver(core, call, to, { cause: 'redirected', redirectedFrom: from, origin: from });
}

/** Removes one party; the call ends when fewer than two parties are left. */
export function clearConnection(core: SwitchCore, call: Call, deviceId: string, cause = 'normalClearing'): void {
  if (!dropParty(core, call, deviceId, cause)) return;
  if (fullParties(call) < 2) clearCall(core, call, cause, [deviceId]);
}

/**
 * Clears every connection, then CallClearedEvent to the monitors of the devices in the call as it
 * clears (those left, and `also`: the party whose leaving ended it). Devices the call passed
 * through earlier hear nothing: a real switch does not tell them.
 */
export function clearCall(core: SwitchCore, call: Call, cause = 'normalClearing', also: readonly string[] = []): void {
  const present = [...call.connections.keys(), ...also];
  for (const deviceId of [...call.connections.keys()]) dropParty(core, call, deviceId, cause);
  for (const d of core.routes.ofCall(call.id)) closeDialogue(core, d, {});
  core.callCleared(call, cause, present);
  core.calls.delete(call);
  core.notice({ kind: 'callEnded', callId: call.id, reason: 'cleared' });
}

function dropParty(core: SwitchCore, call: Call, deviceId: string, cause: string): boolean {
  const conn = core.removeConnection(call, deviceId);
  if (!conn) return false;
  if (conn.kind === 'routing') {
    for (const d of core.routes.ofCall(call.id)) if (d.routingDevice === deviceId) closeDialogue(core, d, {});
  }
  core.callEvent(call, { type: 'ConnectionClearedEvent', droppedConnection: { callId: call.id, deviceId }, releasingDevice: deviceId, cause }, [deviceId]);
  if (conn.kind === 'extension') agentLeftCall(core, deviceId);
  return true;
}
