/**
 * A call as the daemon knows it: one stable id for clients, the switch's call ids behind it, and a
 * connection per device with its CSTA state. Plain data; the tracker changes it.
 */
import type { LocalConnectionState, MonitorMode } from '../pbx-port.ts';

export type Direction = 'inbound' | 'outbound' | 'internal';
export type DeviceKind = 'agentPhone' | 'routing' | 'queue' | 'ivr' | 'external' | 'other';

export interface Connection {
  deviceId: string;
  state: LocalConnectionState;
  since: number;
  participation?: MonitorMode;
}

export interface CustomerRef {
  id: number;
  name: string;
  vipLevel: number;
  preferredAgent: string | null;
}

export interface TrackedCall {
  id: string;
  /** The switch's call ids that have named this call (a merged consultation adds its own). */
  pbxCallIds: Set<string>;
  direction: Direction;
  from: string;
  to: string;
  /** The number the caller dialled (a pilot, an extension, an outside number). */
  dialled: string;
  callerName: string | null;
  queue: string | null;
  customer: CustomerRef | null;
  callData: unknown;
  callDataBytes: number;
  connections: Map<string, Connection>;
  offeredAt: number;
  queuedAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  /** Agents (usernames) who had the call, in order. */
  agents: string[];
  cause: string | null;
  outcome: string | null;
  /** For a consultation call: the call it consults about. */
  consultOf: string | null;
  /** When the switch last told anything about this call (the call audit looks at silent ones). */
  lastEventAt: number;
  /** A monitored device the call is on its way to (diverted or transferred there): more events
   * will come from it, so the call has not left us even with no connection at a monitored device. */
  headingTo: string | null;
  /** The call is at no device we monitor: unless it comes back within a grace time, the switch
   * will tell us nothing more of it and it ends as having left (`leftTo`). */
  departing: { since: number; cause: string; leftTo: string | null } | null;
  /** Where the call went when it left the devices we monitor (a number, an unmonitored device). */
  leftTo: string | null;
  /** Caller priority set on the way (an IVR flow's queue node); the router takes the higher of
   * it and the pilot's. */
  priority: number;
  /** The ACD business service the call was handed to (an IVR queue node with skills of its own,
   * `ivr:<flow>/<node>`); null: the pilot it was dialled on decides. */
  service: string | null;
  /** Time the call spent on hold at an agent's phone (any of its connections held), ms, for the
   * holds that have ended; with `heldSince`, the one going on. */
  holdMs: number;
  /** Since when a connection of the call has been on hold; null while none is. */
  heldSince: number | null;
}

export function newCall(id: string, pbxCallId: string, now: number): TrackedCall {
  return {
    id,
    pbxCallIds: new Set([pbxCallId]),
    direction: 'internal',
    from: '',
    to: '',
    dialled: '',
    callerName: null,
    queue: null,
    customer: null,
    callData: undefined,
    callDataBytes: 0,
    connections: new Map(),
    offeredAt: now,
    queuedAt: null,
    answeredAt: null,
    endedAt: null,
    agents: [],
    cause: null,
    outcome: null,
    consultOf: null,
    lastEventAt: now,
    headingTo: null,
    departing: null,
    leftTo: null,
    priority: 0,
    service: null,
    holdMs: 0,
    heldSince: null,
  };
}

/** Hold time so far, ms: the holds that ended plus the one going on at `now`. */
export function holdTimeMs(call: TrackedCall, now: number): number {
  return call.holdMs + (call.heldSince !== null ? Math.max(0, now - call.heldSince) : 0);
}

/** The outcome recorded when a call ends. */
export function outcomeOf(call: TrackedCall): string {
  if (call.outcome) return call.outcome;
  if (call.answeredAt !== null) return 'answered';
  if (call.leftTo !== null) return 'transferredOut';
  if (call.cause && call.cause !== 'normalClearing') return call.cause === 'noAnswer' ? 'unanswered' : 'failed';
  if (call.queuedAt !== null || call.queue !== null) return 'abandoned';
  return 'unanswered';
}
