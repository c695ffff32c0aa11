/**
 * Turns the tracker's connection changes into the client API's call events (ws-api.md "Calls"):
 * which event name a change means for the agent at that device, the event's data, and the agents
 * already on a call who hear of a party answering or a supervisor joining.
 */
import type { TrackedCall } from '../core/calls/call.ts';
import type { CallChange } from '../core/calls/call-tracker.ts';
import type { Notifier } from './ports.ts';

export type ConnectionChangeOf = Extract<CallChange, { type: 'connection' }>;

/** The client event for a connection change at an agent's phone, or null for none. */
export function clientEventFor(ch: ConnectionChangeOf): string | null {
  const { from, to, via } = ch;
  if (via === 'transferred' && (to === null || ch.replaces)) return 'call.transferred';
  if (via === 'conferenced') return 'call.conferenced';
  switch (to) {
    case 'alerting':
      return 'call.offered';
    case 'initiated':
      return null; // the phone went off-hook; `call.originated` follows with the number dialled
    case 'connected':
      if (from === 'hold') return 'call.retrieved';
      if (via === 'originated' || (from === 'initiated' && via !== 'established')) return 'call.originated';
      return 'call.established';
    case 'hold':
      return 'call.held';
    case 'fail':
      return 'call.failed';
    case 'queued':
      return null;
    case null:
      return 'call.cleared';
  }
  return null;
}

/** Events that carry the (possibly large) call data. */
const WITH_DATA = new Set(['call.offered', 'call.transferred', 'call.conferenced', 'call.dataChanged', 'call.originated']);

export function callEventData(call: TrackedCall, state: string | null, event: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const data: Record<string, unknown> = {
    callId: call.id,
    state: state ?? 'null',
    direction: call.direction,
    from: call.from,
    to: call.to,
  };
  if (call.dialled && call.dialled !== call.to) data.dialled = call.dialled;
  if (call.callerName) data.callerName = call.callerName;
  if (call.queue) data.queue = call.queue;
  if (call.customer) data.customer = call.customer;
  if (call.consultOf) data.consultOf = call.consultOf;
  if (WITH_DATA.has(event) && call.callData !== undefined) data.callData = call.callData;
  return { ...data, ...extra };
}

/** Who is signed in at a phone (presence-service.ts). */
export interface AgentsAtPhones {
  agentAt(extension: string): string | undefined;
}

/** A supervisor barged in or is whispering: the agents on the call hear them, so their softphones
 * are told (`call.conferenced` with `monitoredBy`). A silent monitor is not announced. */
export function tellOthersJoined(call: TrackedCall, joined: string, supervisor: string, participation: 'barge' | 'whisper', presence: AgentsAtPhones, notifier: Notifier): void {
  for (const [deviceId, c] of call.connections) {
    if (deviceId === joined || (c.state !== 'connected' && c.state !== 'hold')) continue;
    const agentId = presence.agentAt(deviceId);
    if (!agentId) continue;
    const data = callEventData(call, c.state, 'call.conferenced', { agentId, monitoredBy: supervisor, participation });
    notifier.publish('call.conferenced', data, { users: [agentId] });
  }
}

/** The far end answered: the agents already on the call hear `call.established` too. */
export function tellOthersAnswered(call: TrackedCall, answering: string, presence: AgentsAtPhones, notifier: Notifier): void {
  for (const [deviceId, c] of call.connections) {
    if (deviceId === answering || c.state !== 'connected') continue;
    const agentId = presence.agentAt(deviceId);
    if (!agentId) continue;
    const data = callEventData(call, c.state, 'call.established', { agentId, answeredBy: answering });
    notifier.publish('call.established', data, { users: [agentId], subscribers: true });
  }
}
