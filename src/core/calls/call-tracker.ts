/**
 * The call tracker: applies the switch's call events to the daemon's calls and reports what
 * changed, connection by connection. Pure (no I/O; `now` comes in). Idempotent: the switch sends the
 * same event once per monitored device in the call, and a repeat changes nothing.
 *
 * Transfers and conferences merge the consultation call into the surviving call, so the client's
 * call id of the customer's call stays the same through both.
 */
import type { ConnectionChange, DeviceSnapshot, LocalConnectionState, MonitorMode, PbxCallEvent } from '../../pbx-adapters/pbx-port.ts';
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
  | { type: 'digits'; call: TrackedCall; deviceId: string; digits: string };

export interface TrackerDeps {
  newId: () => string;
  deviceKind: (deviceId: string) => DeviceKind;
}

/** How long a switch call id still names its ended call: events that arrive late (from a second
 * monitor, or a command's answer read after the call's last events) must not raise a new call. */
export const ENDED_MEMORY_MS = 5000;

export class CallTracker {
  private readonly calls = new Map<string, TrackedCall>();
  private readonly byPbxId = new Map<string, TrackedCall>();
  /** Switch call ids of recently ended calls, oldest first. */
  private readonly ended = new Map<string, TrackedCall>();

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

  /** The switch call id to use when commanding a connection of `call` at `deviceId`. */
  pbxIdAt(call: TrackedCall): string {
    // The first id is the surviving one; merged consultation ids are only aliases.
    return call.pbxCallIds.values().next().value as string;
  }

  apply(ev: PbxCallEvent, now: number): CallChange[] {
    const out: CallChange[] = [];
    this.forgetEnded(now);
    const pbxId = 'callId' in ev ? ev.callId : 'primaryCallId' in ev ? ev.primaryCallId : null;
    if (pbxId !== null && !this.byPbxId.has(pbxId) && this.ended.has(pbxId)) return out; // late news of an ended call
    switch (ev.kind) {
      case 'serviceInitiated': {
        const call = this.ensure(ev.callId, now, out);
        if (!call.from) call.from = ev.deviceId;
        this.setConn(call, ev.deviceId, 'initiated', now, ev.kind, out);
        break;
      }
      case 'originated': {
        const call = this.ensure(ev.callId, now, out);
        call.from = ev.calling || call.from || ev.deviceId;
        call.to = ev.called || call.to;
        call.dialled = call.dialled || ev.called;
        call.direction = this.kind(call.to) === 'external' ? 'outbound' : 'internal';
        this.setConn(call, ev.deviceId, 'connected', now, ev.kind, out);
        break;
      }
      case 'delivered': {
        const call = this.ensure(ev.callId, now, out);
        this.describe(call, ev.calling, ev.called);
        if (ev.callerName && !call.callerName) call.callerName = ev.callerName;
        if (ev.calling && this.kind(ev.calling) === 'external' && !call.connections.has(ev.calling)) {
          this.setConn(call, ev.calling, 'connected', now, ev.kind, out);
        }
        this.setConn(call, ev.deviceId, 'alerting', now, ev.kind, out);
        break;
      }
      case 'established': {
        const call = this.ensure(ev.callId, now, out);
        this.describe(call, ev.calling, ev.called);
        this.setConn(call, ev.deviceId, 'connected', now, ev.kind, out);
        const k = this.kind(ev.deviceId);
        if (call.answeredAt === null && (k === 'agentPhone' || k === 'external' || k === 'other')) call.answeredAt = now;
        break;
      }
      case 'held':
        this.setConn(this.ensure(ev.callId, now, out), ev.deviceId, 'hold', now, ev.kind, out);
        break;
      case 'retrieved':
        this.setConn(this.ensure(ev.callId, now, out), ev.deviceId, 'connected', now, ev.kind, out);
        break;
      case 'queued': {
        const call = this.ensure(ev.callId, now, out);
        this.describe(call, ev.calling, ev.called);
        if (call.queuedAt === null) call.queuedAt = now;
        this.setConn(call, ev.deviceId, 'queued', now, ev.kind, out);
        break;
      }
      case 'diverted': {
        const call = this.byPbxId.get(ev.callId);
        if (call) this.setConn(call, ev.deviceId, null, now, ev.kind, out, ev.cause);
        break;
      }
      case 'failed': {
        const call = this.ensure(ev.callId, now, out);
        call.cause = ev.cause;
        this.setConn(call, ev.deviceId, 'fail', now, ev.kind, out, ev.cause);
        break;
      }
      case 'connectionCleared': {
        const call = this.byPbxId.get(ev.callId);
        if (!call) break;
        if (ev.cause && ev.cause !== 'normalClearing' && !call.cause) call.cause = ev.cause;
        this.setConn(call, ev.deviceId, null, now, ev.kind, out, ev.cause);
        if (call.connections.size === 0) this.end(call, call.cause ?? ev.cause ?? 'normalClearing', now, out);
        break;
      }
      case 'callCleared': {
        const call = this.byPbxId.get(ev.callId);
        if (call) this.end(call, call.cause ?? ev.cause ?? 'normalClearing', now, out);
        break;
      }
      case 'transferred':
        this.merge('transferred', ev.primaryCallId, ev.secondaryCallId, ev.transferringDevice, ev.connections, undefined, undefined, now, out);
        break;
      case 'conferenced':
        this.merge('conferenced', ev.primaryCallId, ev.secondaryCallId, undefined, ev.connections, ev.addedParty, ev.participation, now, out);
        break;
      case 'digits': {
        const call = this.byPbxId.get(ev.callId);
        if (call) out.push({ type: 'digits', call, deviceId: ev.deviceId, digits: ev.digits });
        break;
      }
      case 'agentState':
        break;
    }
    return out;
  }

  /**
   * After a reconnect: the switch's snapshot of every monitored device is the truth. Connections at
   * monitored devices that the switch no longer has are cleared; calls the switch no longer has at
   * any monitored device are ended with `cause`; calls we did not know are adopted.
   */
  reconcile(snapshot: DeviceSnapshot[], cause: string, now: number): CallChange[] {
    const out: CallChange[] = [];
    const monitored = new Set(snapshot.map((d) => d.deviceId));
    const seen = new Set<string>();
    for (const dev of snapshot) {
      for (const c of dev.calls) {
        const call = this.ensure(c.callId, now, out);
        seen.add(call.id);
        if (c.state === 'null') continue;
        this.setConn(call, dev.deviceId, c.state, now, 'reconcile', out);
      }
    }
    for (const call of [...this.calls.values()]) {
      if (!seen.has(call.id)) {
        if (!call.cause) call.cause = cause;
        this.end(call, cause, now, out);
        continue;
      }
      for (const deviceId of [...call.connections.keys()]) {
        if (!monitored.has(deviceId)) continue;
        const listed = snapshot.find((d) => d.deviceId === deviceId)?.calls.some((c) => call.pbxCallIds.has(c.callId));
        if (!listed) this.setConn(call, deviceId, null, now, 'reconcile', out, cause);
      }
    }
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
    this.forgetEnded(now);
    const gone = this.byPbxId.has(pbxCallId) ? undefined : this.ended.get(pbxCallId);
    if (gone) return { call: gone, changes: out }; // it already came and went
    const call = this.ensure(pbxCallId, now, out);
    return { call, changes: out };
  }

  // --------------------------------------------------------------------------------- internals

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

  /** Fills in who called whom the first time the switch says so. */
  private describe(call: TrackedCall, calling: string, called: string): void {
    if (!call.from && calling) call.from = calling;
    if (!call.to && called) call.to = called;
    if (!call.dialled && called) call.dialled = called;
    if (calling && this.kind(calling) === 'external' && call.from === calling) call.direction = 'inbound';
    else if (call.to && this.kind(call.to) === 'external') call.direction = 'outbound';
  }

  private setConn(
    call: TrackedCall,
    deviceId: string,
    state: LocalConnectionState | null,
    now: number,
    via: CallChange & { type: 'connection' } extends { via: infer V } ? V : never,
    out: CallChange[],
    cause?: string,
    replaces?: string,
  ): void {
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

  private end(call: TrackedCall, cause: string, now: number, out: CallChange[]): void {
    if (call.endedAt !== null) return;
    if (!call.cause && cause !== 'normalClearing') call.cause = cause;
    for (const deviceId of [...call.connections.keys()]) this.setConn(call, deviceId, null, now, 'callCleared', out, cause);
    call.endedAt = now;
    this.calls.delete(call.id);
    for (const id of call.pbxCallIds) {
      if (this.byPbxId.get(id) === call) this.byPbxId.delete(id);
      this.ended.delete(id);
      this.ended.set(id, call);
    }
    out.push({ type: 'ended', call, cause });
  }

  private forgetEnded(now: number): void {
    for (const [id, call] of this.ended) {
      if (now - (call.endedAt ?? now) < ENDED_MEMORY_MS) break;
      this.ended.delete(id);
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
  ): void {
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
  }
}
