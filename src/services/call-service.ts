/**
 * Calls: applies the switch's call events through the tracker, and turns each change into what the
 * rest of the daemon needs — client events for the agents on the call and for subscribed
 * supervisors, the call row in the database, phone activity for presence — and fans the call's
 * life out to every subscriber (routing today; the IVR, recording and statistics plug in the same
 * way). The agents' call-control requests are in call-control.ts.
 *
 * A call that leaves the devices we monitor (transferred or diverted to an outside number, to an
 * unmonitored device) gets no more events from a real switch: the tracker marks it departing and
 * a timer here ends it after a grace time (call-tracker.ts), so its row is closed with the cause
 * and where it went, and nothing of it stays in memory.
 */
import type { Logger } from 'pino';
import type { TrackedCall } from '../core/calls/call.ts';
import { outcomeOf } from '../core/calls/call.ts';
import { CallTracker, DEPARTURE_GRACE_MS, type CallChange } from '../core/calls/call-tracker.ts';
import type { PhoneActivity } from '../core/agents/agent-state.ts';
import type { DeviceSnapshot, PbxCallEvent, LocalConnectionState } from '../core/pbx-port.ts';
import type { Directory } from './directory.ts';
import type { PresenceService } from './presence-service.ts';
import type { CallRecords, CallRow, CallRowWithData, Clock, CustomerLookup, Notifier, Timers } from './ports.ts';
import { callEventData, clientEventFor, tellOthersAnswered, tellOthersJoined, type ConnectionChangeOf } from './call-events.ts';
import { callFromRow, sameRow, toRow } from './call-rows.ts';

/** What a subscriber may want to hear about a call's life; every method is optional. */
export interface CallListener {
  /** The switch reports the call waiting on a queue device. */
  callQueued?(call: TrackedCall, queueId: string): void;
  callLeftQueue?(call: TrackedCall): void;
  /** The call is over (every connection cleared, it left our devices, or the switch lost it). */
  callEnded?(call: TrackedCall): void;
  /** A call that was ended by inference is back (same id). */
  callRevived?(call: TrackedCall): void;
  agentConnection?(agentId: string, call: TrackedCall, from: LocalConnectionState | null, to: LocalConnectionState | null): void;
  /** The link is up again and the calls are as the switch's snapshot has them. */
  reconciled?(): void;
  /** DTMF detected on the call. */
  digits?(call: TrackedCall, deviceId: string, digits: string): void;
}

export interface CallServiceDeps {
  directory: Directory;
  presence: PresenceService;
  records: CallRecords;
  customers: CustomerLookup;
  notifier: Notifier;
  clock: Clock;
  timers: Timers;
  log: Logger;
  newCallId: () => string;
  /** True while the switch reports this device's events to us. */
  isMonitored: (deviceId: string) => boolean;
}

/** What a call started by this daemon (make, consult) must carry, from the command to its first event. */
export interface PendingCall {
  consultOf?: TrackedCall;
  callData?: unknown;
}

export class CallService {
  readonly tracker: CallTracker;
  private readonly callsAt = new Map<string, Set<TrackedCall>>();
  /** The row last written for each call in progress: an event that changes nothing in it (most
   * connection changes of a routed call) writes nothing. */
  private readonly persisted = new Map<string, CallRow>();
  private readonly pendingLink = new Map<string, PendingCall>();
  private readonly listeners = new Set<CallListener>();
  private sweepTimer: unknown = null;
  /** Calls the previous run left in progress, until the first snapshot says which are still up. */
  private restored: TrackedCall[] | null = null;
  /** When the previous run was last alive: calls it left that the switch no longer has ended
   * then at the latest, as far as anyone can tell. */
  private restoredEnd: number | null = null;
  private restoreTimer: unknown = null;

  constructor(private readonly d: CallServiceDeps) {
    this.tracker = new CallTracker({ newId: d.newCallId, deviceKind: (dev) => d.directory.deviceKind(dev), isMonitored: d.isMonitored });
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(l: CallListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get(callId: string): TrackedCall | undefined {
    return this.tracker.get(callId);
  }

  /** The calls at a device (an agent's phone), with that device's connection state. */
  callsAtDevice(deviceId: string): { call: TrackedCall; state: LocalConnectionState }[] {
    const out: { call: TrackedCall; state: LocalConnectionState }[] = [];
    for (const call of this.callsAt.get(deviceId) ?? []) {
      const c = call.connections.get(deviceId);
      if (c) out.push({ call, state: c.state });
    }
    return out;
  }

  /** Calls in progress now (the call audit reads it). */
  active(): IterableIterator<TrackedCall> {
    return this.tracker.active();
  }

  onPbxEvent(ev: PbxCallEvent): void {
    this.process(this.tracker.apply(ev, this.d.clock.now()));
  }

  /** After every (re)connect, with the switch's snapshot of the monitored devices; the calls at
   * `unsnapshotted` devices are kept as they are until those devices are queried again. */
  reconcile(snapshot: DeviceSnapshot[], unsnapshotted: readonly string[] = []): void {
    this.process(this.tracker.reconcile(snapshot, { complete: true, unproven: new Set(unsnapshotted) }, 'lostAtSwitch', this.d.clock.now()));
    // The previous run's calls the switch did not bring back are closed — unless some devices
    // could not be asked: then once they have been (reconcileDevices), or after RESTORE_WAIT_MS.
    if (this.restored && unsnapshotted.length === 0) this.closeUnrestored();
    else if (this.restored && this.restoreTimer === null) this.restoreTimer = this.d.timers.setTimeout(() => this.closeUnrestored(), RESTORE_WAIT_MS);
    this.notify((l) => l.reconciled?.());
  }

  /**
   * The calls the previous run left in progress (their rows are open): kept aside with their id,
   * numbers, direction, queue, agents and data, so that the switch's first snapshot brings back
   * those it still has under the same id (call-tracker.ts, soft ends). The others are closed then,
   * with cause `daemonRestart`.
   */
  restore(rows: readonly CallRowWithData[], previousRunEnd: number | null = null): void {
    this.restoredEnd = previousRunEnd;
    const calls = rows.map((row) => {
      const { call, dataUnreadable } = callFromRow(row);
      if (row.customerId !== null && call.direction === 'inbound' && call.from) call.customer = this.d.customers.findByPhone(call.from);
      if (dataUnreadable) this.d.log.warn({ callId: row.id, err: dataUnreadable }, 'stored call data unreadable; the call comes back without it');
      return call;
    });
    for (const call of calls) this.persisted.set(call.id, toRow({ ...call, endedAt: null }));
    this.tracker.remember(calls, this.d.clock.now());
    this.restored = calls;
    if (calls.length > 0) this.d.log.info({ calls: calls.length }, 'calls in progress when the daemon stopped: waiting for the switch to say which are still up');
  }

  private closeUnrestored(): void {
    const restored = this.restored ?? [];
    this.restored = null;
    if (this.restoreTimer !== null) this.d.timers.clearTimeout(this.restoreTimer);
    this.restoreTimer = null;
    const now = this.d.clock.now();
    for (const call of this.tracker.takeUnrevived(restored)) {
      call.endedAt = Math.min(now, Math.max(this.restoredEnd ?? now, call.answeredAt ?? call.offeredAt));
      call.cause = 'daemonRestart';
      call.outcome = call.answeredAt !== null ? 'answered' : 'lost';
      this.persist(call);
      this.persisted.delete(call.id);
      this.d.log.info({ callId: call.id, outcome: call.outcome }, 'call of the previous run no longer at the switch: closed');
    }
  }

  /** A snapshot of some devices only (a query retried after a reconnect, the call audit). */
  reconcileDevices(snapshot: DeviceSnapshot[], unproven: readonly string[] = []): void {
    if (snapshot.length === 0) return;
    this.process(this.tracker.reconcile(snapshot, { complete: false, unproven: new Set(unproven) }, 'lostAtSwitch', this.d.clock.now()));
    if (this.restored && this.restoreTimer !== null && unproven.length === 0) this.closeUnrestored();
  }

  /** The switch says it has no such call (invalidCallID): it ends here too. */
  endLost(call: TrackedCall, cause = 'lostAtSwitch'): void {
    this.process(this.tracker.forceEnd(call.id, cause, this.d.clock.now()));
  }

  /** The switch says the device has no connection in the call (invalidConnectionID). */
  dropConnection(call: TrackedCall, deviceId: string, cause = 'lostAtSwitch'): void {
    this.process(this.tracker.forceClear(call.id, deviceId, cause, this.d.clock.now()));
  }

  close(): void {
    if (this.sweepTimer !== null) this.d.timers.clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    if (this.restoreTimer !== null) this.d.timers.clearTimeout(this.restoreTimer);
    this.restoreTimer = null;
  }

  // ------------------------------------------------------------------- calls this daemon starts

  /** A command is about to start a call at `deviceId`: the call it starts carries `pending`. */
  expect(deviceId: string, pending: PendingCall): void {
    this.pendingLink.set(deviceId, pending);
  }

  cancelExpect(deviceId: string): void {
    this.pendingLink.delete(deviceId);
  }

  /** The tracked call for a switch call id a command just returned (events may not be in yet);
   * what the command meant it to carry is attached now. */
  adopt(pbxCallId: string, deviceId: string): TrackedCall {
    let call = this.tracker.byPbx(pbxCallId);
    if (!call) {
      const r = this.tracker.adopt(pbxCallId, this.d.clock.now());
      this.process(r.changes);
      call = r.call;
    }
    this.takePending(call, deviceId);
    if (call.endedAt === null) this.persist(call);
    return call;
  }

  /** Sets the call data (checked by the caller); persisted with the call. */
  setCallData(call: TrackedCall, data: unknown, bytes: number): void {
    call.callData = data;
    call.callDataBytes = bytes;
    if (call.endedAt === null) this.persist(call);
    this.saveData(call);
  }

  /** The call data goes to its row apart from the hot row writes (restart continuity). */
  private saveData(call: TrackedCall): void {
    try {
      this.d.records.saveData(call.id, call.callData === undefined ? null : JSON.stringify(call.callData));
    } catch (err) {
      this.d.log.error({ callId: call.id, err }, 'call data not written');
    }
  }

  // ------------------------------------------------------------------------- change processing

  private notify(fn: (l: CallListener) => void): void {
    for (const l of this.listeners) {
      try {
        fn(l);
      } catch (err) {
        this.d.log.error({ err }, 'call listener failed');
      }
    }
  }

  private process(changes: CallChange[]): void {
    if (changes.length === 0) return;
    const touched = new Set<TrackedCall>();
    const ended: TrackedCall[] = [];
    for (const ch of changes) {
      switch (ch.type) {
        case 'created':
        case 'merged':
          touched.add(ch.call);
          break;
        case 'revived':
          touched.add(ch.call);
          // Its row was written as ended: the next write reopens it (an update, never a second row).
          if (!this.persisted.has(ch.call.id)) this.persisted.set(ch.call.id, { ...toRow(ch.call), endedAt: -1 });
          this.d.log.info({ callId: ch.call.id }, 'call back at a monitored device: same call');
          this.notify((l) => l.callRevived?.(ch.call));
          break;
        case 'connection':
          touched.add(ch.call);
          this.onConnection(ch);
          break;
        case 'ended':
          ended.push(ch.call);
          break;
        case 'digits':
          this.notify((l) => l.digits?.(ch.call, ch.deviceId, ch.digits));
          break;
      }
    }
    for (const call of touched) if (call.endedAt === null) this.persist(call);
    for (const call of ended) {
      this.persist(call);
      this.persisted.delete(call.id);
      this.d.log.info({ callId: call.id, outcome: call.outcome ?? outcomeOf(call), cause: call.cause }, 'call ended');
      // Numbers only at debug (a number a call left to may be a customer's).
      if (call.leftTo !== null) this.d.log.debug({ callId: call.id, leftTo: call.leftTo }, 'call left to');
      this.notify((l) => l.callEnded?.(call));
    }
    this.armSweep();
  }

  /** One timer while calls are departing: they end once their grace time is over. */
  private armSweep(): void {
    if (this.sweepTimer !== null || this.tracker.memorySize.departing === 0) return;
    this.sweepTimer = this.d.timers.setTimeout(() => {
      this.sweepTimer = null;
      this.process(this.tracker.sweep(this.d.clock.now()));
      this.armSweep();
    }, DEPARTURE_GRACE_MS / 4);
  }

  private onConnection(ch: ConnectionChangeOf): void {
    const { call, deviceId, from, to } = ch;
    this.index(call, deviceId, to);
    if (call.endedAt === null && call.from === '' && ch.via === 'originated') call.from = deviceId;
    this.linkPending(call, deviceId, ch);

    const kind = this.d.directory.deviceKind(deviceId);
    if (kind === 'queue') {
      const queue = this.d.directory.queueByDevice(deviceId);
      if (to === 'queued' && queue) {
        if (!call.queue) call.queue = queue.id;
        this.lookupCustomer(call);
        this.notify((l) => l.callQueued?.(call, queue.id));
      } else if (from === 'queued' && to === null) this.notify((l) => l.callLeftQueue?.(call));
      return;
    }
    if (ch.via === 'established' && to === 'connected') tellOthersAnswered(call, deviceId, this.d.presence, this.d.notifier);
    if (kind !== 'agentPhone') return;
    const agentId = this.d.presence.agentAt(deviceId);
    if (!agentId) {
      if (ch.via === 'conferenced') this.tellJoinedFromOwnPhone(call, deviceId);
      return;
    }
    if ((to === 'alerting' || to === 'connected') && !call.agents.includes(agentId)) call.agents.push(agentId);

    const event = clientEventFor(ch);
    if (event) {
      const extra: Record<string, unknown> = {};
      if (to === null || to === 'fail') extra.cause = ch.cause ?? call.cause ?? 'normalClearing';
      if (ch.replaces) extra.replacesCallId = ch.replaces;
      const participation = call.connections.get(deviceId)?.participation;
      if (participation) extra.participation = participation;
      const data = callEventData(call, to, event, { ...extra, agentId });
      this.d.notifier.publish(event, data, { users: [agentId], subscribers: true });
      this.d.log.debug({ callId: call.id, agentId, event, from, to }, 'call event');
      if (ch.via === 'conferenced' && (participation === 'barge' || participation === 'whisper')) tellOthersJoined(call, deviceId, agentId, participation, this.d.presence, this.d.notifier);
    }
    this.notify((l) => l.agentConnection?.(agentId, call, from, to));
    const wrapUpMs = to === null && call.queue ? (this.d.directory.queue(call.queue)?.wrapUpS ?? 0) * 1000 : 0;
    this.d.presence.phone(deviceId, this.activityAt(deviceId), wrapUpMs, call.id);
  }

  /** A supervisor listening in from their configured extension without being signed in there
   * (`supervisor.monitor` falls back to it, e.g. from the web console): the agents on the call are
   * told who joined, as when the supervisor is signed in at the phone. */
  private tellJoinedFromOwnPhone(call: TrackedCall, deviceId: string): void {
    const participation = call.connections.get(deviceId)?.participation;
    if (participation !== 'barge' && participation !== 'whisper') return;
    for (const a of this.d.directory.allAgents()) {
      if (a.defaultExtension !== deviceId) continue;
      tellOthersJoined(call, deviceId, a.username, participation, this.d.presence, this.d.notifier);
      return;
    }
  }

  /** A call started by this daemon (make, consult) gets its data and consultation link, from
   * whichever comes first: the switch's first event of the call at the phone, or the command's
   * answer. */
  private linkPending(call: TrackedCall, deviceId: string, ch: ConnectionChangeOf): void {
    if (ch.from !== null || (ch.via !== 'originated' && ch.via !== 'serviceInitiated')) return;
    this.takePending(call, deviceId);
  }

  private takePending(call: TrackedCall, deviceId: string): void {
    const pending = this.pendingLink.get(deviceId);
    if (!pending) return;
    this.pendingLink.delete(deviceId);
    if (pending.consultOf && pending.consultOf !== call) {
      call.consultOf = pending.consultOf.id;
      if (call.callData === undefined) {
        call.callData = pending.consultOf.callData;
        call.callDataBytes = pending.consultOf.callDataBytes;
      }
      if (!call.queue) call.queue = pending.consultOf.queue;
    }
    if (pending.callData !== undefined) {
      call.callData = pending.callData;
      call.callDataBytes = byteLength(pending.callData);
    }
    if (call.callData !== undefined) {
      // Written once the row is there (process() inserts it), so the data lands on it.
      queueMicrotask(() => this.saveData(call));
    }
  }

  private index(call: TrackedCall, deviceId: string, to: LocalConnectionState | null): void {
    let set = this.callsAt.get(deviceId);
    if (to === null) {
      set?.delete(call);
      if (set?.size === 0) this.callsAt.delete(deviceId);
      return;
    }
    if (!set) this.callsAt.set(deviceId, (set = new Set()));
    set.add(call);
  }

  private activityAt(deviceId: string): PhoneActivity {
    let alerting = false;
    const set = this.callsAt.get(deviceId);
    for (const call of set ?? []) {
      const state = call.connections.get(deviceId)?.state;
      if (state === undefined || call.endedAt !== null) {
        set!.delete(call); // merged away by a transfer or conference
        continue;
      }
      if (state === 'connected' || state === 'hold' || state === 'initiated' || state === 'fail') return 'active';
      if (state === 'alerting') alerting = true;
    }
    return alerting ? 'alerting' : 'idle';
  }

  private lookupCustomer(call: TrackedCall): void {
    if (call.customer || call.direction !== 'inbound' || !call.from) return;
    call.customer = this.d.customers.findByPhone(call.from);
  }

  private persist(call: TrackedCall): void {
    const row = toRow(call);
    const last = this.persisted.get(call.id);
    if (last && sameRow(last, row)) return;
    try {
      if (last) this.d.records.update(call.id, row);
      else this.d.records.insert(row);
      this.persisted.set(call.id, row);
    } catch (err) {
      this.d.log.error({ callId: call.id, err }, 'call row not written');
    }
  }
}

/** How long calls of the previous run wait to be found at devices whose first snapshot failed. */
const RESTORE_WAIT_MS = 60_000;

export function byteLength(data: unknown): number {
  return data === undefined ? 0 : Buffer.byteLength(JSON.stringify(data) ?? '', 'utf8');
}
