/**
 * The call tracker: applies the switch's call events to the daemon's calls and reports what
 * changed, connection by connection. Pure (no I/O; `now` comes in). Idempotent: the switch sends the
 * same event once per monitored device in the call, and a repeat changes nothing.
 *
 * Its parts, in the domain's words:
 * - the book of calls and its operations (created, connection, ended, revived): call-book.ts;
 * - transfers and conferences merge the consultation call into the surviving call, so the
 *   client's call id of the customer's call stays the same through both: merges.ts;
 * - calls that leave us (transferred or diverted to an outside number or an unmonitored device,
 *   with no CallClearedEvent from a real switch) are departing and end after a grace time, with
 *   the cause and the device they left to: departures.ts;
 * - the switch's snapshot is the truth for the devices it covers (reconnect, re-query, audit),
 *   except devices whose snapshot failed: reconcile.ts.
 *
 * Ends the tracker inferred (departure, a snapshot that no longer lists the call) are soft: if the
 * switch later shows the call at a monitored device again (a reconcile lists it, or it arrives at
 * one), it is revived under the same id rather than adopted as a new call.
 */
import type { DeviceSnapshot, PbxCallEvent } from '../pbx-port.ts';
import type { TrackedCall } from './call.ts';
import { CallBook, type CallChange, type TrackerDeps } from './call-book.ts';
import { checkPresence, DEPARTURE_GRACE_MS, sweepDepartures } from './departures.ts';
import { mergeCalls } from './merges.ts';
import { reconcileSnapshot, type ReconcileScope } from './reconcile.ts';

export { ENDED_MEMORY_MS, SOFT_END_MEMORY_MAX, SOFT_END_MEMORY_MS, type CallChange, type TrackerDeps } from './call-book.ts';
export { DEPARTURE_GRACE_MS } from './departures.ts';
export type { ReconcileScope } from './reconcile.ts';

/** Events that put a call at a device: they revive a soft-ended call when that device is ours. */
const ARRIVALS: ReadonlySet<PbxCallEvent['kind']> = new Set(['serviceInitiated', 'originated', 'delivered', 'established', 'queued', 'held', 'retrieved']);

export class CallTracker {
  private readonly book: CallBook;

  constructor(deps: TrackerDeps) {
    this.book = new CallBook(deps);
  }

  get(id: string): TrackedCall | undefined {
    return this.book.calls.get(id);
  }
  byPbx(pbxCallId: string): TrackedCall | undefined {
    return this.book.byPbxId.get(pbxCallId);
  }
  active(): IterableIterator<TrackedCall> {
    return this.book.calls.values();
  }
  get size(): number {
    return this.book.calls.size;
  }
  /** Entries kept for ended calls (bounded by time and count); for tests and metrics. */
  get memorySize(): { ended: number; soft: number; departing: number } {
    return { ended: this.book.ended.size, soft: this.book.soft.size, departing: this.book.departingCalls.size };
  }

  /** The switch call id to use when commanding a connection of `call`. */
  pbxIdAt(call: TrackedCall): string {
    return this.book.pbxIdAt(call);
  }

  apply(ev: PbxCallEvent, now: number): CallChange[] {
    const out: CallChange[] = [];
    this.book.forget(now);
    if (ev.kind === 'agentState' || ev.kind === 'deviceService') return out;
    const pbxId = 'callId' in ev ? ev.callId : ev.primaryCallId;
    if (!this.book.byPbxId.has(pbxId)) {
      const soft = this.book.soft.get(pbxId);
      if (soft) {
        // Back at a device of ours? Same call. Anything else is late news of its departure.
        if (!(ARRIVALS.has(ev.kind) && 'deviceId' in ev && this.book.deps.isMonitored(ev.deviceId))) return out;
        this.book.revive(soft, now, out);
      } else if (this.book.ended.has(pbxId)) return out; // late news of an ended call
    }
    const call = this.applyOne(ev, now, out);
    if (call && call.endedAt === null) checkPresence(this.book, call, ev, now);
    return out;
  }

  /**
   * The switch's snapshot is the truth for the devices it covers (reconcile.ts); devices in
   * `scope.unproven` (their snapshot failed) are left as they are, and so are the calls there.
   */
  reconcile(snapshot: DeviceSnapshot[], scope: ReconcileScope, cause: string, now: number): CallChange[] {
    const out: CallChange[] = [];
    this.book.forget(now);
    reconcileSnapshot(this.book, snapshot, scope, cause, now, out);
    return out;
  }

  /** Ends the calls that have been departing longer than `graceMs` (they left our devices). */
  sweep(now: number, graceMs = DEPARTURE_GRACE_MS): CallChange[] {
    const out: CallChange[] = [];
    this.book.forget(now);
    sweepDepartures(this.book, now, graceMs, out);
    return out;
  }

  /** The switch says it has no such call (it answered a command on it with invalidCallID). */
  forceEnd(callId: string, cause: string, now: number): CallChange[] {
    const out: CallChange[] = [];
    const call = this.book.calls.get(callId);
    if (call) this.book.end(call, cause, now, out);
    return out;
  }

  /** The switch says the device has no connection in the call (invalidConnectionID). */
  forceClear(callId: string, deviceId: string, cause: string, now: number): CallChange[] {
    const out: CallChange[] = [];
    const call = this.book.calls.get(callId);
    if (!call) return out;
    this.book.setConn(call, deviceId, null, now, 'reconcile', out, cause);
    if (call.connections.size === 0) this.book.end(call, cause, now, out);
    else checkPresence(this.book, call, { kind: 'connectionCleared', callId: this.book.pbxIdAt(call), deviceId, cause, monitoredDevice: deviceId }, now);
    return out;
  }

  /** Ends every call (daemon shutdown, or a switch that lost everything). */
  endAll(cause: string, now: number): CallChange[] {
    const out: CallChange[] = [];
    for (const call of [...this.book.calls.values()]) this.book.end(call, cause, now, out);
    return out;
  }

  /** Creates a call the daemon starts knowing about without an event (rare: a command response). */
  adopt(pbxCallId: string, now: number): { call: TrackedCall; changes: CallChange[] } {
    const out: CallChange[] = [];
    this.book.forget(now);
    const gone = this.book.byPbxId.has(pbxCallId) ? undefined : (this.book.ended.get(pbxCallId) ?? this.book.soft.get(pbxCallId));
    if (gone) return { call: gone, changes: out }; // it already came and went
    const call = this.book.ensure(pbxCallId, now, out);
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
      for (const id of call.pbxCallIds) this.book.soft.set(id, call);
    }
  }

  /** Restored calls (see `remember`) not brought back; they are forgotten here. */
  takeUnrevived(restored: readonly TrackedCall[]): TrackedCall[] {
    const left = restored.filter((c) => !this.book.calls.has(c.id));
    for (const c of left) for (const id of c.pbxCallIds) if (this.book.soft.get(id) === c) this.book.soft.delete(id);
    return left;
  }

  // --------------------------------------------------------------------------------- internals

  private applyOne(ev: Exclude<PbxCallEvent, { kind: 'agentState' | 'deviceService' }>, now: number, out: CallChange[]): TrackedCall | undefined {
    switch (ev.kind) {
      case 'serviceInitiated': {
        const call = this.book.ensure(ev.callId, now, out);
        if (!call.from) call.from = ev.deviceId;
        this.book.setConn(call, ev.deviceId, 'initiated', now, ev.kind, out);
        return call;
      }
      case 'originated': {
        const call = this.book.ensure(ev.callId, now, out);
        call.from = ev.calling || call.from || ev.deviceId;
        call.to = ev.called || call.to;
        call.dialled = call.dialled || ev.called;
        call.direction = this.book.kind(call.to) === 'external' ? 'outbound' : 'internal';
        this.book.setConn(call, ev.deviceId, 'connected', now, ev.kind, out);
        return call;
      }
      case 'delivered': {
        const call = this.book.ensure(ev.callId, now, out);
        this.describe(call, ev.calling, ev.called);
        if (ev.callerName && !call.callerName) call.callerName = ev.callerName;
        if (ev.calling && this.book.kind(ev.calling) === 'external' && !call.connections.has(ev.calling)) {
          this.book.setConn(call, ev.calling, 'connected', now, ev.kind, out);
        }
        this.book.setConn(call, ev.deviceId, 'alerting', now, ev.kind, out);
        return call;
      }
      case 'established': {
        const call = this.book.ensure(ev.callId, now, out);
        this.describe(call, ev.calling, ev.called);
        this.book.setConn(call, ev.deviceId, 'connected', now, ev.kind, out);
        const k = this.book.kind(ev.deviceId);
        if (call.answeredAt === null && (k === 'agentPhone' || k === 'external' || k === 'other')) call.answeredAt = now;
        return call;
      }
      case 'held': {
        const call = this.book.ensure(ev.callId, now, out);
        this.book.setConn(call, ev.deviceId, 'hold', now, ev.kind, out);
        return call;
      }
      case 'retrieved': {
        const call = this.book.ensure(ev.callId, now, out);
        this.book.setConn(call, ev.deviceId, 'connected', now, ev.kind, out);
        return call;
      }
      case 'queued': {
        const call = this.book.ensure(ev.callId, now, out);
        this.describe(call, ev.calling, ev.called);
        if (call.queuedAt === null) call.queuedAt = now;
        this.book.setConn(call, ev.deviceId, 'queued', now, ev.kind, out);
        return call;
      }
      case 'diverted': {
        const call = this.book.byPbxId.get(ev.callId);
        if (call) this.book.setConn(call, ev.deviceId, null, now, ev.kind, out, ev.cause);
        return call;
      }
      case 'failed': {
        const call = this.book.ensure(ev.callId, now, out);
        call.cause = ev.cause;
        this.book.setConn(call, ev.deviceId, 'fail', now, ev.kind, out, ev.cause);
        return call;
      }
      case 'connectionCleared': {
        const call = this.book.byPbxId.get(ev.callId);
        if (!call) return undefined;
        if (ev.cause && ev.cause !== 'normalClearing' && !call.cause) call.cause = ev.cause;
        this.book.setConn(call, ev.deviceId, null, now, ev.kind, out, ev.cause);
        if (call.connections.size === 0) this.book.end(call, call.cause ?? ev.cause ?? 'normalClearing', now, out);
        return call;
      }
      case 'callCleared': {
        const call = this.book.byPbxId.get(ev.callId);
        if (call) this.book.end(call, call.cause ?? ev.cause ?? 'normalClearing', now, out);
        return call;
      }
      case 'transferred':
        return mergeCalls(this.book, { how: 'transferred', primaryId: ev.primaryCallId, secondaryId: ev.secondaryCallId, leaving: ev.transferringDevice, connections: ev.connections, addedParty: undefined, participation: undefined }, now, out);
      case 'conferenced':
        return mergeCalls(this.book, { how: 'conferenced', primaryId: ev.primaryCallId, secondaryId: ev.secondaryCallId, leaving: undefined, connections: ev.connections, addedParty: ev.addedParty, participation: ev.participation }, now, out);
      case 'digits': {
        const call = this.book.byPbxId.get(ev.callId);
        if (call) out.push({ type: 'digits', call, deviceId: ev.deviceId, digits: ev.digits });
        return call;
      }
    }
  }

  /** Fills in who called whom the first time the switch says so. */
  private describe(call: TrackedCall, calling: string, called: string): void {
    if (!call.from && calling) call.from = calling;
    if (!call.to && called) call.to = called;
    if (!call.dialled && called) call.dialled = called;
    if (calling && this.book.kind(calling) === 'external' && call.from === calling) call.direction = 'inbound';
    else if (call.to && this.book.kind(call.to) === 'external') call.direction = 'outbound';
  }
}
