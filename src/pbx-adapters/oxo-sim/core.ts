/**
 * The state of the simulated switch and the one place its outputs leave from. Holds the tables
 * (calls, monitors, routing, agents), hands out ids, and fans events out: a call event goes to
 * every monitor of every device in the call (plus devices that just left it), an agent event to
 * the monitors of the agent's device. No I/O and no timers: everything goes to the `sink`
 * callback as an `Output` (an event or a switch request for a link, or a notice for the
 * simulator's own machinery: route timers, traffic, hooks).
 */
import type { CstaMessage, MessageOf } from '../csta/protocol/catalogue.ts';
import type { LocalConnectionState } from '../csta/protocol/types.ts';
import type { AgentRecord } from './agents.ts';
import { CallTable, type Call, type Connection } from './calls.ts';
import type { SimConfig } from './config.ts';
import { NumberingPlan, type DeviceKind } from './devices.ts';
import { NO_FAULTS, type Faults } from './faults.ts';
import { MonitorTable, type Monitor } from './monitors.ts';
import { RouteTable } from './routes.ts';

export type EventMessage = Extract<CstaMessage, { type: `${string}Event` }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event before the monitor cross-reference id of each recipient is filled in. */
export type EventBody = DistributiveOmit<EventMessage, 'monitorCrossRefId'>;
export type SwitchRequest = MessageOf<'RouteRequest'> | MessageOf<'RouteEnd'>;

/** Call events that carry `localConnectionInfo` in ECMA-323. */
const WITH_LOCAL_INFO: ReadonlySet<string> = new Set([
  'ServiceInitiatedEvent', 'OriginatedEvent', 'DeliveredEvent', 'EstablishedEvent', 'HeldEvent', 'RetrievedEvent', 'DivertedEvent',
  'TransferedEvent', 'ConferencedEvent', 'ConnectionClearedEvent', 'FailedEvent', 'QueuedEvent',
]);

export type Notice =
  | { kind: 'callCreated'; callId: string; calling: string; called: string }
  | { kind: 'connectionState'; callId: string; deviceId: string; deviceKind: DeviceKind; state: LocalConnectionState }
  | { kind: 'connectionGone'; callId: string; deviceId: string; deviceKind: DeviceKind }
  | { kind: 'callEnded'; callId: string; reason: 'cleared' | 'merged'; mergedInto?: string }
  | { kind: 'routeOpened'; crossRefId: string; callId: string; routingDevice: string }
  | { kind: 'routeClosed'; crossRefId: string }
  | { kind: 'restarted' }
  | { kind: 'service'; deviceId: string; inService: boolean };

export type Output =
  | { kind: 'event'; linkId: string; message: EventMessage }
  | { kind: 'request'; linkId: string; message: SwitchRequest }
  | { kind: 'notice'; notice: Notice };

export type Sink = (out: Output) => void;

export interface CoreOptions {
  sink: Sink;
  /** First call id (default: from the clock, so ids are not reused after a process restart). */
  callIdSeed?: number;
  clock?: () => number;
}

export class SwitchCore {
  readonly plan: NumberingPlan;
  readonly calls = new CallTable();
  readonly monitors = new MonitorTable();
  readonly routes = new RouteTable();
  readonly agents = new Map<string, AgentRecord>();
  /** Devices out of service (phone unplugged): monitors refused, calls to them fail. */
  readonly outOfService = new Set<string>();
  /** Fault injection (faults.ts). */
  faults: Faults = NO_FAULTS;
  readonly clock: () => number;
  private readonly sink: Sink;
  private nextCallId: number;
  private nextRef = 1;

  constructor(
    readonly config: SimConfig,
    opts: CoreOptions,
  ) {
    this.plan = new NumberingPlan(config);
    this.sink = opts.sink;
    this.clock = opts.clock ?? Date.now;
    // Milliseconds × 1000: unique across restarts unless more than 1000 calls per ms were made.
    this.nextCallId = opts.callIdSeed ?? Date.now() * 1000;
  }

  newCallId(): string {
    return String(this.nextCallId++);
  }

  /** Cross-reference ids (monitors, routing registrations and dialogues, system register). */
  newRef(): string {
    return String(this.nextRef++);
  }

  notice(n: Notice): void {
    this.sink({ kind: 'notice', notice: n });
  }

  toLink(linkId: string, message: SwitchRequest): void {
    this.sink({ kind: 'request', linkId, message });
  }

  /** Sends `body` to every monitor of every device in `call` and of the devices in `also`. */
  callEvent(call: Call, body: EventBody, also: Iterable<string> = []): void {
    const done = new Set<string>();
    for (const deviceId of call.connections.keys()) this.toDeviceMonitors(deviceId, body, done, call);
    for (const deviceId of also) this.toDeviceMonitors(deviceId, body, done, call);
  }

  /** Sends `body` to the monitors of one device (agent events, and call events meant for one). */
  deviceEvent(deviceId: string, body: EventBody): void {
    this.toDeviceMonitors(deviceId, body, new Set());
  }

  /** CallClearedEvent: only to the monitors of the devices in the call when it clears (as a real
   * switch does). A call that left every monitored device ends without a word to the CTI. */
  callCleared(call: Call, cause: string, devices: Iterable<string>): void {
    const done = new Set<string>();
    for (const deviceId of devices) this.toDeviceMonitors(deviceId, { type: 'CallClearedEvent', clearedCall: { callId: call.id, deviceId: '' }, cause }, done);
  }

  addConnection(call: Call, deviceId: string, kind: DeviceKind, state: LocalConnectionState, participation: Connection['participation'] = 'full'): Connection {
    const conn: Connection = { deviceId, kind, state, participation, since: this.clock() };
    this.calls.addConnection(call, conn);
    this.notice({ kind: 'connectionState', callId: call.id, deviceId, deviceKind: kind, state });
    return conn;
  }

  setState(call: Call, conn: Connection, state: LocalConnectionState): void {
    conn.state = state;
    conn.since = this.clock();
    this.notice({ kind: 'connectionState', callId: call.id, deviceId: conn.deviceId, deviceKind: conn.kind, state });
  }

  removeConnection(call: Call, deviceId: string): Connection | undefined {
    const conn = this.calls.removeConnection(call, deviceId);
    if (conn) this.notice({ kind: 'connectionGone', callId: call.id, deviceId, deviceKind: conn.kind });
    return conn;
  }

  /** Moves a party, state and all, from one call to another (transfer, conference). */
  moveConnection(from: Call, into: Call, deviceId: string): Connection | undefined {
    const conn = this.calls.removeConnection(from, deviceId);
    if (!conn) return undefined;
    this.calls.addConnection(into, conn);
    this.notice({ kind: 'connectionGone', callId: from.id, deviceId, deviceKind: conn.kind });
    this.notice({ kind: 'connectionState', callId: into.id, deviceId, deviceKind: conn.kind, state: conn.state });
    return conn;
  }

  /** Forgets a call that ceased without clearing (merged by a transfer or conference). */
  dropMergedCall(call: Call, into: Call): void {
    this.calls.delete(call);
    this.routes.moveCall(call.id, into.id);
    this.notice({ kind: 'callEnded', callId: call.id, reason: 'merged', mergedInto: into.id });
  }

  /** Loses every call, monitor, registration and agent login without a single event. */
  reset(): void {
    this.calls.clear();
    this.monitors.clear();
    this.routes.clear();
    this.agents.clear();
    this.notice({ kind: 'restarted' });
  }

  /** To each monitor of the device; a call event carries the device's own connection state in
   * the call (`localConnectionInfo`, `null` once it left), as the standard has it. */
  private toDeviceMonitors(deviceId: string, body: EventBody, done: Set<string>, call?: Call): void {
    if (done.has(deviceId)) return;
    done.add(deviceId);
    const monitors = this.monitors.ofDevice(deviceId);
    if (!monitors) return;
    const local = call && WITH_LOCAL_INFO.has(body.type) ? ({ ...body, localConnectionInfo: call.connections.get(deviceId)?.state ?? 'null' } as EventBody) : body;
    for (const m of monitors) this.emit(m, local);
  }

  private emit(m: Monitor, body: EventBody): void {
    this.sink({ kind: 'event', linkId: m.linkId, message: { ...body, monitorCrossRefId: m.id } as EventMessage });
  }
}

export type { Call, Connection };
