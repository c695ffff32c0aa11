/**
 * Plain JSON views of the switch for the control API (`GET /sim/calls`, `GET /sim/devices`).
 */
import type { LocalConnectionState } from '../csta/protocol/types.ts';
import type { AgentState } from './agents.ts';
import type { Call, DigitsRecord, Participation } from './calls.ts';
import type { SwitchCore } from './core.ts';
import type { DeviceKind } from './devices.ts';

export interface CallView {
  /** The switch's CSTA call id. */
  simCallId: string;
  calling: string;
  called: string;
  callerName?: string;
  createdAt: string;
  connections: { deviceId: string; kind: DeviceKind; state: LocalConnectionState; participation: Participation }[];
  digitsPressed: DigitsView[];
  digitsGenerated: DigitsView[];
}

interface DigitsView {
  deviceId: string;
  digits: string;
  at: string;
}

export interface DeviceView {
  deviceId: string;
  kind: DeviceKind;
  /** False while the device is out of service (phone unplugged). */
  inService: boolean;
  monitors: number;
  routeRegistered?: boolean;
  agent?: { state: AgentState; agentId?: string };
  calls: { simCallId: string; state: LocalConnectionState }[];
}

const digits = (d: DigitsRecord): DigitsView => ({ deviceId: d.deviceId, digits: d.digits, at: new Date(d.at).toISOString() });

export function callView(call: Call): CallView {
  return {
    simCallId: call.id,
    calling: call.calling,
    called: call.called,
    ...(call.callerName !== undefined ? { callerName: call.callerName } : {}),
    createdAt: new Date(call.createdAt).toISOString(),
    connections: [...call.connections.values()].map((c) => ({ deviceId: c.deviceId, kind: c.kind, state: c.state, participation: c.participation })),
    digitsPressed: call.digitsPressed.map(digits),
    digitsGenerated: call.digitsGenerated.map(digits),
  };
}

export function deviceView(core: SwitchCore, deviceId: string): DeviceView {
  const kind = core.plan.classify(deviceId);
  const agent = core.agents.get(deviceId);
  return {
    deviceId,
    kind: kind === 'unknown' ? 'outside' : kind,
    inService: !core.outOfService.has(deviceId),
    monitors: core.monitors.countOfDevice(deviceId),
    ...(kind === 'routing' ? { routeRegistered: core.routes.registrationOf(deviceId) !== undefined } : {}),
    ...(agent ? { agent: { state: agent.state, ...(agent.agentId !== undefined ? { agentId: agent.agentId } : {}) } } : {}),
    calls: core.calls.atDevice(deviceId).map((c) => ({ simCallId: c.id, state: c.connections.get(deviceId)?.state ?? 'null' })),
  };
}

/** Every internal device, then the outside numbers now in a call; `activeOnly` keeps the devices
 * with a call, a monitor, a routing registration or a logged-on agent. */
export function devicesView(core: SwitchCore, opts: { activeOnly?: boolean }): DeviceView[] {
  const out: DeviceView[] = [];
  for (const { deviceId } of core.plan.internalDevices()) {
    const v = deviceView(core, deviceId);
    if (opts.activeOnly && v.calls.length === 0 && v.monitors === 0 && !v.agent && !v.routeRegistered) continue;
    out.push(v);
  }
  for (const deviceId of core.calls.outsideDevices()) out.push(deviceView(core, deviceId));
  return out;
}
