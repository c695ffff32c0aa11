/**
 * The call tracker: applies the switch's call events to the daemon's calls and reports what
 * changed, connection by connection. Pure (no I/O; `now` comes in). Idempotent: the switch sends the
 * same event once per monitored device in the call, and a repeat changes nothing.
 *
 * Transfers and conferences merge the consultation call into the surviving call, so the client's
 * call id of the customer's call stays the same through both.
 *
 * Calls that leave us: a real switch tells a CTI only about devices it monitors, so a call
 * transferred or diverted to an outside number or an unmonitored device ends without a
 * CallClearedEvent. After every event the tracker checks that the call is still at a monitored
 * device (or on its way to one); when it is not, the call is `departing`, and `sweep()` ends it
 * after a grace time (a CallClearedEvent usually follows within milliseconds and ends it the
 * ordinary way), with the cause and the device it left to.
 *
 * Ends the tracker inferred (departure, a snapshot that no longer lists the call) are soft: if the
 * switch later shows the call at a monitored device again (a reconcile lists it, or it arrives at
 * one), it is revived under the same id rather than adopted as a new call.
 */
import type { ConnectionChange, DeviceSnapshot, LocalConnectionState, MonitorMode, PbxCallEvent } from '../pbx-port.ts';
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
/** A call at no monitored device ends as departed after this long, unless it comes back. */
export const DEPARTURE_GRACE_MS = 1000;

/** Events that put a call at a device: they revive a soft-ended call when that device is ours. */
const ARRIVALS: ReadonlySet<PbxCallEvent['kind']> = new Set(['serviceInitiated', 'originated', 'delivered', 'established', 'queued', 'held', 'retrieved']);

type Via = Extract<CallChange, { type: 'connection' }>['via'];

export interface ReconcileScope {
  /** Devices whose snapshot failed: their calls are neither confirmed nor ended. */
  unproven?: ReadonlySet<string>;
  /** The snapshot covers every monitored device (a link came up): a call seen nowhere ends. */
  complete: boolean;
}

export class CallTracker {
  private readonly calls = new Map<string, TrackedCall>();
  private readonly byPbxId = new Map<string, TrackedCall>();
  /** Switch call ids of recently ended calls, oldest first. */
  private readonly ended = new Map<string, TrackedCall>();
  /** Switch call ids of calls ended by inference (departed, not in a snapshot), oldest first. */
  private readonly soft = new Map<string, TrackedCall>();
  /** Calls at no monitored device, waiting out the departure grace. */
  private readonly departingCalls = new Set<TrackedCall>();

  constructor(private readonly deps: TrackerDeps) {}

  get(id: string): TrackedCall | undefined {
    return this.calls.get(id);
  }
  byPbx(pbxCallId: string): TrackedCall | undefined {
    return this.byPbxId.get(pbxCallId);
  }
  active(): IterableIterator<TrackedCall> {
    return this.calls.values();
  }
  get size(): number {
    return this.calls.size;
  }
  /** Entries kept for ended calls (bounded by time and count); for tests and metrics. */
  get memorySize(): { ended: number; soft: number; departing: number } {
    return { ended: this.ended.size, soft: this.soft.size, departing: this.departingCalls.size };
  }

  /** The switch call id to use when commanding a connection of `call` at `deviceId`. */
  pbxIdAt(call: TrackedCall): string {
    // The first id is the surviving one; merged consultation ids are only aliases.
    return call.pbxCallIds.values().next().value as string;
  }

  apply(ev: PbxCallEvent, now: number): CallChange[] {
    const out: CallChange[] = [];
    this.forget(now);
    if (ev.kind === 'agentState' || ev.kind === 'deviceService') return out;
    const pbxId = 'callId' in ev ? ev.callId : ev.primaryCallId;
    if (!this.byPbxId.has(pbxId)) {
      const soft = this.soft.get(pbxId);
      if (soft) {
        // Back at a device of ours? Same call. Anything else is late news of its departure.
        if (!(ARRIVALS.has(ev.kind) && 'deviceId' in ev && this.deps.isMonitored(ev.deviceId))) return out;
        this.revive(soft, now, out);
      } else if (this.ended.has(pbxId)) return out; // late news of an ended call
    }
    const call = this.applyOne(ev, now, out);
    if (call && call.endedAt === null) this.checkPresence(call, ev, now);
    return out;
  }

  /**
   * The switch's snapshot is the truth for the devices it covers: calls it lists there are ours
   * (revived under their old id if we had ended them), connections it does not list there are
   * cleared, and a call left at no monitored device ends with `cause`. Devices in `unproven` (their
   * snapshot failed) are left as they are, and so are the calls there. With `complete`, a call the
   * snapshot lists nowhere ends too (unless it is at an unproven device).
   */
  reconcile(snapshot: DeviceSnapshot[], scope: ReconcileScope, cause: string, now: number): CallChange[] {
    const out: CallChange[] = [];
    this.forget(now);
    const unproven = scope.unproven ?? new Set<string>();
    const covered = new Set(snapshot.map((d) => d.deviceId));
    const listed = new Map<string, Set<string>>(); // device → switch call ids there
    const seen = new Set<TrackedCall>();
    for (const dev of snapshot) {
      const ids = new Set<string>();
      listed.set(dev.deviceId, ids);
      for (const c of dev.calls) {
        ids.add(c.callId);
        const call = this.findOrRevive(c.callId, now, out);
        seen.add(call);
        call.lastEventAt = now;
        if (c.state !== 'null') this.setConn(call, dev.deviceId, c.state, now, 'reconcile', out);
      }
    }
    for (const call of [...this.calls.values()]) {
      for (const deviceId of [...call.connections.keys()]) {
        const there = listed.get(deviceId);
        if (!there || unproven.has(deviceId)) continue;
        if (![...call.pbxCallIds].some((id) => there.has(id))) this.setConn(call, deviceId, null, now, 'reconcile', out, cause);
      }
      // On its way to a device the snapshot covers, and not there: it never arrived.
      if (call.headingTo !== null && covered.has(call.headingTo) && !unproven.has(call.headingTo)) call.headingTo = null;
      const keys = [...call.connections.keys()];
      if (keys.some((d) => unproven.has(d)) || (call.headingTo !== null && unproven.has(call.headingTo))) continue; // nothing proven
      const present = seen.has(call) || (!scope.complete && (call.headingTo !== null || keys.some((d) => !covered.has(d) && this.deps.isMonitored(d))));
      if (present) continue;
      this.end(call, call.departing?.cause ?? cause, now, out, true, call.departing?.leftTo ?? null);
    }
    return out;
  }

  /** Ends the calls that have been departing longer than `graceMs` (they left our devices). */
  sweep(now: number, graceMs = DEPARTURE_GRACE_MS): CallChange[] {
    const out: CallChange[] = [];
    this.forget(now);
    for (const call of [...this.departingCalls]) {
      const d = call.departing;
      if (!d) this.departingCalls.delete(call);
      else if (now - d.since >= graceMs) this.end(call, d.cause, now, out, true, d.leftTo);
    }
    return out;
  }

  /** The switch says it has no such call (it answered a command on it with invalidCallID). */
  forceEnd(callId: string, cause: string, now: number): CallChange[] {
    const out: CallChange[] = [];
    const call = this.calls.get(callId);
    if (call) this.end(call, cause, now, out);
    return out;
  }

  /** The switch says the device has no connection in the call (invalidConnectionID). */
  forceClear(callId: string, deviceId: string, cause: string, now: number): CallChange[] {
    const out: CallChange[] = [];
    const call = this.calls.get(callId);
    if (!call) return out;
    this.setConn(call, deviceId, null, now, 'reconcile', out, cause);
    if (call.connections.size === 0) this.end(call, cause, now, out);
    else this.checkPresence(call, { kind: 'connectionCleared', callId: this.pbxIdAt(call), deviceId, cause, monitoredDevice: deviceId }, now);
    return out;
  }

  /** Ends every call (daemon shutdown, or a switch that lost everything). */
  endAll(cause: string, now: number): CallChange[] {
    const out: CallChange[] = [];
    for (const call of [...this.calls.values()]) this.end(call, cause, now, out);
    return out;
  }

  /** Creates a call the daemon starts knowing about without an event (rare: a command response). */
  adopt(pbxCallId: string, now: number): { call: TrackedCall; changes: CallChange[] } {
    const out: CallChange[] = [];
    this.forget(now);
    const gone = this.byPbxId.has(pbxCallId) ? undefined : (this.ended.get(pbxCallId) ?? this.soft.get(pbxCallId));
    if (gone) return { call: gone, changes: out }; // it already came and went
    const call = this.ensure(pbxCallId, now, out);
    return { call, changes: out };
  }

  /**
   * Calls known before the daemon restarted (their rows were left open): kept as soft-ended, so
   * that a snapshot or an event naming one of their switch ids brings the call back with its id,
   * numbers, queue, agents and data. The caller ends (and closes the rows of) those never seen.
   */
  remember(calls: readonly TrackedCall[], now: number): void {
    for (const call of calls) {
      call.endedAt = call.endedAt ?? now;
      for (const id of call.pbxCallIds) this.soft.set(id, call);
    }
  }

  /** Restored calls (see `remember`) not brought back; they are forgotten here. */
  takeUnrevived(restored: readonly TrackedCall[]): TrackedCall[] {
    const left = restored.filter((c) => !this.calls.has(c.id));
    for (const c of left) for (const id of c.pbxCallIds) if (this.soft.get(id) === c) this.soft.delete(id);
    return left;
  }

  // --------------------------------------------------------------------------------- internals

  private applyOne(ev: Exclude<PbxCallEvent, { kind: 'agentState' | 'deviceService' }>, now: number, out: CallChange[]): TrackedCall | undefined {
    switch (ev.kind) {
      case 'serviceInitiated': {
        const call = this.ensure(ev.callId, now, out);
        if (!call.from) call.from = ev.deviceId;
        this.setConn(call, ev.deviceId, 'initiated', now, ev.kind, out);
        return call;
      }
      case 'originated': {
        const call = this.ensure(ev.callId, now, out);
        call.from = ev.calling || call.from || ev.deviceId;
        call.to = ev.called || call.to;
        call.dialled = call.dialled || ev.called;
        call.direction = this.kind(call.to) === 'external' ? 'outbound' : 'internal';
        this.setConn(call, ev.deviceId, 'connected', now, ev.kind, out);
        return call;
      }
      case 'delivered': {
        const call = this.ensure(ev.callId, now, out);
        this.describe(call, ev.calling, ev.called);
        if (ev.callerName && !call.callerName) call.callerName = ev.callerName;
        if (ev.calling && this.kind(ev.calling) === 'external' && !call.connections.has(ev.calling)) {
          this.setConn(call, ev.calling, 'connected', now, ev.kind, out);
        }
        this.setConn(call, ev.deviceId, 'alerting', now, ev.kind, out);
        return call;
      }
      case 'established': {
        const call = this.ensure(ev.callId, now, out);
        this.describe(call, ev.calling, ev.called);
        this.setConn(call, ev.deviceId, 'connected', now, ev.kind, out);
        const k = this.kind(ev.deviceId);
        if (call.answeredAt === null && (k === 'agentPhone' || k === 'external' || k === 'other')) call.answeredAt = now;
        return call;
      }
      case 'held': {
        const call = this.ensure(ev.callId, now, out);
        this.setConn(call, ev.deviceId, 'hold', now, ev.kind, out);
        return call;
      }
      case 'retrieved': {
        const call = this.ensure(ev.callId, now, out);
        this.setConn(call, ev.deviceId, 'connected', now, ev.kind, out);
        return call;
      }
      case 'queued': {
        const call = this.ensure(ev.callId, now, out);
        this.describe(call, ev.calling, ev.called);
        if (call.queuedAt === null) call.queuedAt = now;
        this.setConn(call, ev.deviceId, 'queued', now, ev.kind, out);
        return call;
      }
      case 'diverted': {
        const call = this.byPbxId.get(ev.callId);
        if (call) this.setConn(call, ev.deviceId, null, now, ev.kind, out, ev.cause);
        return call;
      }
      case 'failed': {
        const call = this.ensure(ev.callId, now, out);
        call.cause = ev.cause;
        this.setConn(call, ev.deviceId, 'fail', now, ev.kind, out, ev.cause);
        return call;
      }
      case 'connectionCleared': {
        const call = this.byPbxId.get(ev.callId);
        if (!call) return undefined;
        if (ev.cause && ev.cause !== 'normalClearing' && !call.cause) call.cause = ev.cause;
        this.setConn(call, ev.deviceId, null, now, ev.kind, out, ev.cause);
        if (call.connections.size === 0) this.end(call, call.cause ?? ev.cause ?? 'normalClearing', now, out);
        return call;
      }
      case 'callCleared': {
        const call = this.byPbxId.get(ev.callId);
        if (call) this.end(call, call.cause ?? ev.cause ?? 'normalClearing', now, out);
        return call;
      }
      case 'transferred':
        return this.merge('transferred', ev.primaryCallId, ev.secondaryCallId, ev.transferringDevice, ev.connections, undefined, undefined, now, out);
      case 'conferenced':
        return this.merge('conferenced', ev.primaryCallId, ev.secondaryCallId, undefined, ev.connections, ev.addedParty, ev.participation, now, out);
      case 'digits': {
        const call = this.byPbxId.get(ev.callId);
        if (call) out.push({ type: 'digits', call, deviceId: ev.deviceId, digits: ev.digits });
        return call;
      }
    }
  }

  /**
   * After an event: is the call still somewhere the switch will tell us about? A call diverted or
   * transferred to a monitored device is on its way there; one at no monitored device is departing.
   */
  private checkPresence(call: TrackedCall, ev: PbxCallEvent, now: number): void {
    call.lastEventAt = now;
    if ('deviceId' in ev && call.headingTo === ev.deviceId) call.headingTo = null;
    const heading = ev.kind === 'diverted' ? ev.to : ev.kind === 'transferred' ? ev.transferredTo : null;
    if (heading && this.deps.isMonitored(heading) && !call.connections.has(heading)) call.headingTo = heading;
    const present = call.headingTo !== null || [...call.connections.keys()].some((d) => this.deps.isMonitored(d));
    if (present) {
      call.departing = null;
      this.departingCalls.delete(call);
      return;
    }
    if (call.departing) return;
    const cause = ev.kind === 'transferred' ? 'transferred' : ev.kind === 'diverted' ? (ev.cause ?? 'redirected') : 'cause' in ev && ev.cause ? ev.cause : 'normalClearing';
    const others = [...call.connections.keys()].filter((d) => d !== call.from);
    call.departing = { since: now, cause, leftTo: heading ?? others[0] ?? null };
    this.departingCalls.add(call);
  }

  private kind(deviceId: string): DeviceKind {
    return this.deps.deviceKind(deviceId);
  }

  private ensure(pbxCallId: string, now: number, out: CallChange[]): TrackedCall {
    const known = this.byPbxId.get(pbxCallId);
    if (known) return known;
    const call = newCall(this.deps.newId(), pbxCallId, now);
    this.calls.set(call.id, call);
    this.byPbxId.set(pbxCallId, call);
    out.push({ type: 'created', call });
    return call;
  }

  /** The call a switch id names: known, or brought back from an inferred end, or new. */
  private findOrRevive(pbxCallId: string, now: number, out: CallChange[]): TrackedCall {
    const known = this.byPbxId.get(pbxCallId);
    if (known) return known;
    const soft = this.soft.get(pbxCallId) ?? this.ended.get(pbxCallId);
    if (soft) {
      this.revive(soft, now, out);
      return soft;
    }
    return this.ensure(pbxCallId, now, out);
  }

  private revive(call: TrackedCall, now: number, out: CallChange[]): void {
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

  /** Fills in who called whom the first time the switch says so. */
  private describe(call: TrackedCall, calling: string, called: string): void {
    if (!call.from && calling) call.from = calling;
    if (!call.to && called) call.to = called;
    if (!call.dialled && called) call.dialled = called;
    if (calling && this.kind(calling) === 'external' && call.from === calling) call.direction = 'inbound';
    else if (call.to && this.kind(call.to) === 'external') call.direction = 'outbound';
  }

  private setConn(call: TrackedCall, deviceId: string, state: LocalConnectionState | null, now: number, via: Via, out: CallChange[], cause?: string, replaces?: string): void {
    if (!deviceId) return;
    const prev = call.connections.get(deviceId);
    const from = prev?.state ?? null;
    if (from === state) return;
    if (state === null) call.connections.delete(deviceId);
    else if (prev) {
      prev.state = state;
      prev.since = now;
    } else call.connections.set(deviceId, { deviceId, state, since: now });
    const change: CallChange = { type: 'connection', call, deviceId, from, to: state, via };
    if (cause) change.cause = cause;
    if (replaces) change.replaces = replaces;
    out.push(change);
  }

  /** Ends the call. `inferred`: no event said so (it left us, or a snapshot no longer has it): it
   * may come back under the same id. */
  private end(call: TrackedCall, cause: string, now: number, out: CallChange[], inferred = false, leftTo: string | null = null): void {
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

  private forget(now: number): void {
    for (const [id, call] of this.ended) {
      if (now - (call.endedAt ?? now) < ENDED_MEMORY_MS) break;
      this.ended.delete(id);
    }
    for (const [id, call] of this.soft) {
      if (this.soft.size <= SOFT_END_MEMORY_MAX && now - (call.endedAt ?? now) < SOFT_END_MEMORY_MS) break;
      this.soft.delete(id);
    }
  }

  private merge(
    how: 'transferred' | 'conferenced',
    primaryId: string,
    secondaryId: string | undefined,
    leaving: string | undefined,
    connections: ConnectionChange[],
    addedParty: string | undefined,
    participation: MonitorMode | undefined,
    now: number,
    out: CallChange[],
  ): TrackedCall {
    const survivor = this.ensure(primaryId, now, out);
    const absorbed = secondaryId ? this.byPbxId.get(secondaryId) : undefined;
    if (leaving) this.setConn(survivor, leaving, null, now, how, out, how);
    if (absorbed && absorbed !== survivor) {
      if (leaving) this.setConn(absorbed, leaving, null, now, how, out, how);
      for (const [deviceId, conn] of [...absorbed.connections]) {
        if (!survivor.connections.has(deviceId)) this.setConn(survivor, deviceId, conn.state, now, how, out, undefined, absorbed.id);
        absorbed.connections.delete(deviceId);
      }
      for (const id of absorbed.pbxCallIds) {
        survivor.pbxCallIds.add(id);
        this.byPbxId.set(id, survivor);
      }
      for (const a of absorbed.agents) if (!survivor.agents.includes(a)) survivor.agents.push(a);
      absorbed.outcome = how;
      absorbed.endedAt = now;
      absorbed.departing = null;
      this.departingCalls.delete(absorbed);
      this.calls.delete(absorbed.id);
      out.push({ type: 'merged', call: survivor, absorbed, how });
      out.push({ type: 'ended', call: absorbed, cause: how });
    }
    // The result lists every remaining connection; take their states where the event implies one.
    for (const c of connections) {
      const dev = c.new.deviceId;
      if (!dev || dev === leaving) continue;
      if (!survivor.connections.has(dev)) {
        this.setConn(survivor, dev, how === 'conferenced' ? 'connected' : 'alerting', now, how, out);
      } else if (how === 'conferenced' && survivor.connections.get(dev)!.state === 'hold') {
        this.setConn(survivor, dev, 'connected', now, how, out);
      }
    }
    if (addedParty && how === 'conferenced') {
      if (!survivor.connections.has(addedParty)) this.setConn(survivor, addedParty, 'connected', now, how, out);
      const conn = survivor.connections.get(addedParty)!;
      if (participation && conn.participation !== participation) {
        conn.participation = participation;
        out.push({ type: 'connection', call: survivor, deviceId: addedParty, from: conn.state, to: conn.state, via: how });
      }
    }
    return survivor;
  }
}
