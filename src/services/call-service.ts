/**
 * Calls: applies the switch's call events through the tracker, and turns each change into what the
 * rest of the daemon needs — client events for the agents on the call and for subscribed
 * supervisors, the call row in the database, phone activity for presence, queue entry and exit
 * for routing. Also carries out the agents' call-control requests against the switch.
 */
import type { Logger } from 'pino';
import type { TrackedCall } from '../core/calls/call.ts';
import { outcomeOf } from '../core/calls/call.ts';
import { CallTracker, type CallChange } from '../core/calls/call-tracker.ts';
import type { PhoneActivity } from '../core/agents/agent-state.ts';
import { AppError, invalidState, notFound, tooLarge, badRequest } from '../core/errors.ts';
import { PbxError, type ConnectionId, type DeviceSnapshot, type PbxCallEvent, type PbxPort, type LocalConnectionState, type MonitorMode } from '../pbx-adapters/pbx-port.ts';
import type { Directory } from './directory.ts';
import type { PresenceService } from './presence-service.ts';
import type { CallRecords, CallRow, Clock, CustomerLookup, Notifier } from './ports.ts';
import { callEventData, clientEventFor, type ConnectionChangeOf } from './call-events.ts';

export const MAX_CALL_DATA_BYTES = 1024 * 1024;

/** What routing wants to hear about. */
export interface CallListener {
  callQueued(call: TrackedCall, queueId: string): void;
  callLeftQueue(call: TrackedCall): void;
  /** The call is over (every connection cleared), or the switch lost it. */
  callEnded(call: TrackedCall): void;
  agentConnection(agentId: string, call: TrackedCall, from: LocalConnectionState | null, to: LocalConnectionState | null): void;
  /** The link is up again and the calls are as the switch's snapshot has them. */
  reconciled(): void;
}

export interface CallServiceDeps {
  pbx: PbxPort;
  directory: Directory;
  presence: PresenceService;
  records: CallRecords;
  customers: CustomerLookup;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  newCallId: () => string;
}

export class CallService {
  readonly tracker: CallTracker;
  private readonly callsAt = new Map<string, Set<TrackedCall>>();
  /** The row last written for each call in progress: an event that changes nothing in it (most
   * connection changes of a routed call) writes nothing. */
  private readonly persisted = new Map<string, CallRow>();
  private readonly pendingLink = new Map<string, { consultOf?: TrackedCall; callData?: unknown }>();
  private listener: CallListener | null = null;

  constructor(private readonly d: CallServiceDeps) {
    this.tracker = new CallTracker({ newId: d.newCallId, deviceKind: (dev) => d.directory.deviceKind(dev) });
  }

  setListener(l: CallListener): void {
    this.listener = l;
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

  onPbxEvent(ev: PbxCallEvent): void {
    this.process(this.tracker.apply(ev, this.d.clock.now()));
  }

  /** After every (re)connect, with the switch's snapshot of the monitored devices. */
  reconcile(snapshot: DeviceSnapshot[]): void {
    this.process(this.tracker.reconcile(snapshot, 'lostAtSwitch', this.d.clock.now()));
    this.listener?.reconciled();
  }

  endAll(cause: string): void {
    this.process(this.tracker.endAll(cause, this.d.clock.now()));
  }

  // ------------------------------------------------------------------------- change processing

  private process(changes: CallChange[]): void {
    const touched = new Set<TrackedCall>();
    const ended: TrackedCall[] = [];
    for (const ch of changes) {
      switch (ch.type) {
        case 'created':
          touched.add(ch.call);
          break;
        case 'connection':
          touched.add(ch.call);
          this.onConnection(ch);
          break;
        case 'merged':
          touched.add(ch.call);
          break;
        case 'ended':
          ended.push(ch.call);
          break;
        case 'digits':
          break;
      }
    }
    for (const call of touched) if (call.endedAt === null) this.persist(call);
    for (const call of ended) {
      this.persist(call);
      this.persisted.delete(call.id);
      this.d.log.info({ callId: call.id, outcome: call.outcome ?? outcomeOf(call), cause: call.cause }, 'call ended');
      this.listener?.callEnded(call);
    }
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
        this.listener?.callQueued(call, queue.id);
      } else if (from === 'queued' && to === null) this.listener?.callLeftQueue(call);
      return;
    }
    if (ch.via === 'established' && to === 'connected') this.tellOthersAnswered(call, deviceId);
    if (kind !== 'agentPhone') return;
    const agentId = this.d.presence.agentAt(deviceId);
    if (!agentId) return;
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
      if (ch.via === 'conferenced' && (participation === 'barge' || participation === 'whisper')) this.tellOthersJoined(call, deviceId, agentId, participation);
    }
    this.listener?.agentConnection(agentId, call, from, to);
    const wrapUpMs = to === null && call.queue ? (this.d.directory.queue(call.queue)?.wrapUpS ?? 0) * 1000 : 0;
    this.d.presence.phone(deviceId, this.activityAt(deviceId), wrapUpMs, call.id);
  }

  /** A supervisor barged in or is whispering: the agents on the call hear them, so their softphones
   * are told (`call.conferenced` with `monitoredBy`). A silent monitor is not announced. */
  private tellOthersJoined(call: TrackedCall, joined: string, supervisor: string, participation: 'barge' | 'whisper'): void {
    for (const [deviceId, c] of call.connections) {
      if (deviceId === joined || (c.state !== 'connected' && c.state !== 'hold')) continue;
      const agentId = this.d.presence.agentAt(deviceId);
      if (!agentId) continue;
      const data = callEventData(call, c.state, 'call.conferenced', { agentId, monitoredBy: supervisor, participation });
      this.d.notifier.publish('call.conferenced', data, { users: [agentId] });
    }
  }

  /** The far end answered: the agents already on the call hear `call.established` too. */
  private tellOthersAnswered(call: TrackedCall, answering: string): void {
    for (const [deviceId, c] of call.connections) {
      if (deviceId === answering || c.state !== 'connected') continue;
      const agentId = this.d.presence.agentAt(deviceId);
      if (!agentId) continue;
      const data = callEventData(call, c.state, 'call.established', { agentId, answeredBy: answering });
      this.d.notifier.publish('call.established', data, { users: [agentId], subscribers: true });
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
      if (call.callData === undefined) this.setCallData(call, pending.consultOf.callData, pending.consultOf.callDataBytes);
      if (!call.queue) call.queue = pending.consultOf.queue;
    }
    if (pending.callData !== undefined) this.setCallData(call, pending.callData, byteLength(pending.callData));
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

  private setCallData(call: TrackedCall, data: unknown, bytes: number): void {
    call.callData = data;
    call.callDataBytes = bytes;
  }

  // ------------------------------------------------------------------------------ call control

  /** The agent's connection in `callId`, checked. */
  private mine(agentId: string, callId: string, states?: LocalConnectionState[]): { call: TrackedCall; conn: ConnectionId; state: LocalConnectionState } {
    const ext = this.d.presence.status(agentId).extension;
    if (!ext) throw invalidState('sign in first');
    const call = this.tracker.get(callId);
    if (!call) throw notFound(`no call ${callId}`);
    const c = call.connections.get(ext);
    if (!c) throw invalidState(`call ${callId} is not at your phone ${ext}`);
    if (states && !states.includes(c.state)) throw invalidState(`your connection in call ${callId} is ${c.state}, not ${states.join(' or ')}`);
    return { call, conn: { callId: this.tracker.pbxIdAt(call), deviceId: ext }, state: c.state };
  }

  async make(agentId: string, to: string, callData?: unknown): Promise<{ callId: string }> {
    const ext = this.d.presence.status(agentId).extension;
    if (!ext) throw invalidState('sign in first');
    if (to === ext) throw badRequest('cannot call your own phone');
    if (callData !== undefined) checkSize(callData);
    const conn = await this.withPending(ext, { callData }, () => this.d.pbx.makeCall(ext, to));
    const call = this.adopt(conn.callId);
    this.takePending(call, ext);
    return { callId: call.id };
  }

  /** Runs a command that starts a call at `deviceId`, with what the new call must carry. */
  private async withPending<T>(deviceId: string, pending: { consultOf?: TrackedCall; callData?: unknown }, command: () => Promise<T>): Promise<T> {
    this.pendingLink.set(deviceId, pending);
    try {
      return await pbx(command());
    } catch (err) {
      this.pendingLink.delete(deviceId);
      throw err;
    }
  }

  async answer(agentId: string, callId: string): Promise<void> {
    const { conn } = this.mine(agentId, callId, ['alerting']);
    await pbx(this.d.pbx.answerCall(conn));
  }

  async hangup(agentId: string, callId: string): Promise<void> {
    const { conn } = this.mine(agentId, callId);
    await pbx(this.d.pbx.clearConnection(conn));
  }

  async hold(agentId: string, callId: string): Promise<void> {
    const { conn } = this.mine(agentId, callId, ['connected']);
    await pbx(this.d.pbx.holdCall(conn));
  }

  async retrieve(agentId: string, callId: string): Promise<void> {
    const { conn } = this.mine(agentId, callId, ['hold']);
    await pbx(this.d.pbx.retrieveCall(conn));
  }

  async consult(agentId: string, callId: string, to: string): Promise<{ callId: string }> {
    const { call, conn } = this.mine(agentId, callId, ['connected', 'hold']);
    const created = await this.withPending(conn.deviceId, { consultOf: call }, () => this.d.pbx.consultationCall(conn, to));
    const consult = this.adopt(created.callId);
    this.takePending(consult, conn.deviceId);
    return { callId: consult.id };
  }

  async transfer(agentId: string, callId: string, target: { to?: string; consultCallId?: string }): Promise<void> {
    if (target.consultCallId) {
      const held = this.mine(agentId, callId, ['hold', 'connected']);
      const active = this.mine(agentId, target.consultCallId, ['connected', 'initiated']);
      if (held.call === active.call) throw badRequest('callId and consultCallId are the same call');
      await pbx(this.d.pbx.transferCall(held.conn, active.conn));
      return;
    }
    if (!target.to) throw badRequest('give `to` or `consultCallId`');
    const { conn } = this.mine(agentId, callId, ['connected', 'hold']);
    await pbx(this.d.pbx.singleStepTransfer(conn, target.to));
  }

  async conference(agentId: string, callId: string, consultCallId: string): Promise<void> {
    const held = this.mine(agentId, callId, ['hold', 'connected']);
    const active = this.mine(agentId, consultCallId, ['connected']);
    if (held.call === active.call) throw badRequest('callId and consultCallId are the same call');
    await pbx(this.d.pbx.conferenceCall(held.conn, active.conn));
  }

  async sendDigits(agentId: string, callId: string, digits: string): Promise<void> {
    const { conn } = this.mine(agentId, callId, ['connected']);
    await pbx(this.d.pbx.generateDigits(conn, digits));
  }

  /** A supervisor's phone joins the agent's call in a listening mode (or changes the mode). */
  async monitor(call: TrackedCall, agentExt: string, supervisorExt: string, mode: MonitorMode): Promise<void> {
    await pbx(this.d.pbx.singleStepConference({ callId: this.tracker.pbxIdAt(call), deviceId: agentExt }, supervisorExt, mode));
  }

  /** 强拆: clears one device's connection, whoever's it is. */
  async forceClearConnection(call: TrackedCall, deviceId: string): Promise<void> {
    await pbx(this.d.pbx.clearConnection({ callId: this.tracker.pbxIdAt(call), deviceId }));
  }

  /** 强拆 of the whole call. */
  async forceClearCall(callId: string): Promise<void> {
    const call = this.tracker.get(callId);
    if (!call) throw notFound(`no call ${callId}`);
    await pbx(this.d.pbx.clearCall(this.tracker.pbxIdAt(call)));
  }

  /** Sets the call data; every agent on the call hears `call.dataChanged`. */
  setData(agentId: string, callId: string, data: unknown, asSupervisor = false): void {
    const call = asSupervisor ? this.tracker.get(callId) : this.mine(agentId, callId).call;
    if (!call) throw notFound(`no call ${callId}`);
    this.setCallData(call, data, checkSize(data));
    call.callDataBytes > 0 && this.persist(call);
    for (const [deviceId, c] of call.connections) {
      const other = this.d.presence.agentAt(deviceId);
      if (!other) continue;
      const ev = callEventData(call, c.state, 'call.dataChanged', { changedBy: agentId, agentId: other });
      this.d.notifier.publish('call.dataChanged', ev, { users: [other] });
    }
    this.d.notifier.publish('call.dataChanged', callEventData(call, null, 'call.dataChanged', { changedBy: agentId }), { subscribers: true });
  }

  getData(agentId: string, callId: string, asSupervisor = false): unknown {
    const call = asSupervisor ? this.tracker.get(callId) : this.mine(agentId, callId).call;
    if (!call) throw notFound(`no call ${callId}`);
    return call.callData ?? null;
  }

  /** The tracked call for a switch call id a command just returned (events may not be in yet). */
  private adopt(pbxCallId: string): TrackedCall {
    const known = this.tracker.byPbx(pbxCallId);
    if (known) return known;
    const { call, changes } = this.tracker.adopt(pbxCallId, this.d.clock.now());
    this.process(changes);
    return call;
  }
}

function byteLength(data: unknown): number {
  return data === undefined ? 0 : Buffer.byteLength(JSON.stringify(data) ?? '', 'utf8');
}

function checkSize(data: unknown): number {
  const bytes = byteLength(data);
  if (bytes > MAX_CALL_DATA_BYTES) throw tooLarge(`call data is ${bytes} bytes; the limit is ${MAX_CALL_DATA_BYTES}`);
  return bytes;
}

/** Switch failures become the API's PBX_* errors. */
async function pbx<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof PbxError) throw new AppError(err.code, err.message, err.cstaError ? { csta: err.cstaError } : undefined);
    // The adapter refuses malformed arguments (e.g. a device id with control characters) itself.
    if ((err as { code?: unknown }).code === 'BAD_REQUEST') throw badRequest((err as Error).message);
    throw err;
  }
}

/** Field-by-field equality of two call rows (array fields element by element). */
function sameRow(a: CallRow, b: CallRow): boolean {
  for (const k of Object.keys(b) as (keyof CallRow)[]) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

function toRow(call: TrackedCall): CallRow {
  const ended = call.endedAt !== null;
  return {
    id: call.id,
    pbxCallIds: [...call.pbxCallIds],
    direction: call.direction,
    fromNumber: call.from,
    toNumber: call.to,
    dialledNumber: call.dialled,
    queueId: call.queue,
    customerId: call.customer?.id ?? null,
    agents: call.agents,
    firstAgent: call.agents[0] ?? null,
    offeredAt: call.offeredAt,
    queuedAt: call.queuedAt,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    waitMs: call.answeredAt !== null ? call.answeredAt - call.offeredAt : ended ? call.endedAt! - call.offeredAt : null,
    talkMs: ended && call.answeredAt !== null ? call.endedAt! - call.answeredAt : null,
    outcome: ended ? (call.outcome ?? outcomeOf(call)) : null,
    cause: call.cause,
    hasCallData: call.callData !== undefined,
  };
}
