/**
 * The tracker's book of calls: the calls in progress by their id and by the switch's call ids,
 * the switch ids of calls that ended (remembered for a while so that late events raise nothing),
 * the soft-ended ones (ended by inference, which may come back under their id) and the calls
 * departing. Its operations are the tracker's vocabulary — a call is created, a connection
 * changes state, a call ends, a soft-ended call is revived — each reported as a `CallChange`.
 * Pure (no I/O; `now` comes in).
 */
import type { LocalConnectionState, PbxCallEvent } from '../pbx-port.ts';
import { newCall, type DeviceKind, type TrackedCall } from './call.ts';

export type CallChange =
  | { type: 'created'; call: TrackedCall }
  | {
      type: 'connection';
      call: TrackedCall;
      deviceId: string;
      from: LocalConnectionState | null;
      to: LocalConnectionState | null;
      via: PbxCallEvent['kind'] | 'reconcile';
      cause?: string;
      /** Set when the connection came over from a merged call (transfer/conference). */
      replaces?: string;
    }
  | { type: 'merged'; call: TrackedCall; absorbed: TrackedCall; how: 'transferred' | 'conferenced' }
  | { type: 'ended'; call: TrackedCall; cause: string }
  /** A call ended by inference is back at a monitored device: same id, open again. */
  | { type: 'revived'; call: TrackedCall }
  | { type: 'digits'; call: TrackedCall; deviceId: string; digits: string };

export type Via = Extract<CallChange, { type: 'connection' }>['via'];

export interface TrackerDeps {
  newId: () => string;
  deviceKind: (deviceId: string) => DeviceKind;
  /** True when the switch reports this device's events to us (its monitor is in place). */
  isMonitored: (deviceId: string) => boolean;
}

/** How long a switch call id still names its ended call: events that arrive late (from a second
 * monitor, or a command's answer read after the call's last events) must not raise a new call. */
export const ENDED_MEMORY_MS = 5000;
/** How long a call ended by inference can come back under its id. */
export const SOFT_END_MEMORY_MS = 60 * 60 * 1000;
/** At most this many soft-ended calls are remembered (oldest forgotten first). */
export const SOFT_END_MEMORY_MAX = 20_000;

export class CallBook {
  readonly calls = new Map<string, TrackedCall>();
  readonly byPbxId = new Map<string, TrackedCall>();
  /** Switch call ids of recently ended calls, oldest first. */
  readonly ended = new Map<string, TrackedCall>();
  /** Switch call ids of calls ended by inference (departed, not in a snapshot), oldest first. */
  readonly soft = new Map<string, TrackedCall>();
  /** Calls at no monitored device, waiting out the departure grace. */
  readonly departingCalls = new Set<TrackedCall>();

  constructor(readonly deps: TrackerDeps) {}

  kind(deviceId: string): DeviceKind {
    return this.deps.deviceKind(deviceId);
  }

  /** The switch call id to use when commanding a connection of `call`. */
  pbxIdAt(call: TrackedCall): string {
    // The first id is the surviving one; merged consultation ids are only aliases.
    return call.pbxCallIds.values().next().value as string;
  }

  ensure(pbxCallId: string, now: number, out: CallChange[]): TrackedCall {
    const known = this.byPbxId.get(pbxCallId);
    if (known) return known;
    const call = newCall(this.deps.newId(), pbxCallId, now);
    this.calls.set(call.id, call);
    this.byPbxId.set(pbxCallId, call);
    out.push({ type: 'created', call });
    return call;
  }

  /** The call a switch id names: known, or brought back from an inferred end, or new. */
  findOrRevive(pbxCallId: string, now: number, out: CallChange[]): TrackedCall {
    const known = this.byPbxId.get(pbxCallId);
    if (known) return known;
    const soft = this.soft.get(pbxCallId) ?? this.ended.get(pbxCallId);
    if (soft) {
      this.revive(soft, now, out);
      return soft;
    }
    return this.ensure(pbxCallId, now, out);
  }

  revive(call: TrackedCall, now: number, out: CallChange[]): void {
    for (const id of call.pbxCallIds) {
      this.soft.delete(id);
      this.ended.delete(id);
      this.byPbxId.set(id, call);
    }
    call.endedAt = null;
    call.departing = null;
    this.departingCalls.delete(call);
    call.leftTo = null;
    call.headingTo = null;
    call.outcome = null;
    if (call.cause === 'lostAtSwitch' || call.cause === 'daemonRestart') call.cause = null;
    call.lastEventAt = now;
    this.calls.set(call.id, call);
    out.push({ type: 'revived', call });
  }

  setConn(call: TrackedCall, deviceId: string, state: LocalConnectionState | null, now: number, via: Via, out: CallChange[], cause?: string, replaces?: string): void {
    if (!deviceId) return;
    const prev = call.connections.get(deviceId);
    const from = prev?.state ?? null;
    if (from === state) return;
    if (state === null) call.connections.delete(deviceId);
    else if (prev) {
      prev.state = state;
      prev.since = now;
    } else call.connections.set(deviceId, { deviceId, state, since: now });
    if (from === 'hold' || state === 'hold') countHold(call, now);
    const change: CallChange = { type: 'connection', call, deviceId, from, to: state, via };
    if (cause) change.cause = cause;
    if (replaces) change.replaces = replaces;
    out.push(change);
  }

  /** Ends the call. `inferred`: no event said so (it left us, or a snapshot no longer has it): it
   * may come back under the same id. */
  end(call: TrackedCall, cause: string, now: number, out: CallChange[], inferred = false, leftTo: string | null = null): void {
    if (call.endedAt !== null) return;
    if (!call.cause && cause !== 'normalClearing') call.cause = cause;
    if (leftTo !== null) call.leftTo = leftTo;
    for (const deviceId of [...call.connections.keys()]) this.setConn(call, deviceId, null, now, 'callCleared', out, cause);
    call.endedAt = now;
    call.departing = null;
    this.departingCalls.delete(call);
    call.headingTo = null;
    this.calls.delete(call.id);
    const memory = inferred ? this.soft : this.ended;
    for (const id of call.pbxCallIds) {
      if (this.byPbxId.get(id) === call) this.byPbxId.delete(id);
      memory.delete(id);
      memory.set(id, call);
    }
    out.push({ type: 'ended', call, cause });
  }

  /** Drops the memory of ended calls past their time (and soft ones past the count). */
  forget(now: number): void {
    for (const [id, call] of this.ended) {
      if (now - (call.endedAt ?? now) < ENDED_MEMORY_MS) break;
      this.ended.delete(id);
    }
    for (const [id, call] of this.soft) {
      if (this.soft.size <= SOFT_END_MEMORY_MAX && now - (call.endedAt ?? now) < SOFT_END_MEMORY_MS) break;
      this.soft.delete(id);
    }
  }
}

/** Hold time is the time any connection of the call is held (two agents holding at once count
 * once): a hold starts when the first connection goes on hold and ends when the last leaves it. */
function countHold(call: TrackedCall, now: number): void {
  let held = false;
  for (const c of call.connections.values()) {
    if (c.state === 'hold') {
      held = true;
      break;
    }
  }
  if (held && call.heldSince === null) call.heldSince = now;
  else if (!held && call.heldSince !== null) {
    call.holdMs += Math.max(0, now - call.heldSince);
    call.heldSince = null;
  }
}
