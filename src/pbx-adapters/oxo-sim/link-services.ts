/**
 * Services that hang on a CTI link: MonitorStart/MonitorStop, SnapshotDevice, RouteRegister,
 * RouteSelect and RouteEnd from the CTI, the routing timeout, and what happens to a link's
 * monitors, registrations and open routing dialogues when it goes away.
 */
import type { MessageOf } from '../csta/protocol/catalogue.ts';
import type { SnapshotEntry } from '../csta/protocol/types.ts';
import type { SwitchCore } from './core.ts';
import { closeDialogue, routeCall } from './delivery.ts';
import { fault } from './errors.ts';

export function monitorStart(core: SwitchCore, linkId: string, deviceId: string): string {
  if (!core.plan.isInternal(deviceId)) throw fault.invalidDeviceId(`${deviceId} is not a device of this switch`);
  if (core.faults.monitorFails.has(deviceId)) throw fault.resourceBusy(`monitoring ${deviceId} refused (injected fault)`);
  if (core.outOfService.has(deviceId)) throw fault.outOfService(`${deviceId} is out of service`);
  const existing = core.monitors.find(linkId, deviceId);
  if (existing) return existing.id;
  if (core.monitors.size >= core.config.maxMonitors) throw fault.resourceBusy(`${core.config.maxMonitors} monitors in place (the switch's limit)`);
  const id = core.newRef();
  core.monitors.add({ id, deviceId, linkId });
  return id;
}

export function monitorStop(core: SwitchCore, linkId: string, crossRefId: string): void {
  const m = core.monitors.get(crossRefId);
  if (!m || m.linkId !== linkId) throw fault.invalidCrossRefId(`no monitor ${crossRefId} on this link`);
  core.monitors.remove(crossRefId);
}

export function snapshotDevice(core: SwitchCore, deviceId: string): SnapshotEntry[] {
  if (!core.plan.isInternal(deviceId)) throw fault.invalidDeviceId(`${deviceId} is not a device of this switch`);
  if (core.faults.snapshotFails.has(deviceId)) throw fault.resourceBusy(`snapshot of ${deviceId} refused (injected fault)`);
  return core.calls.atDevice(deviceId).map((call) => ({
    connection: { callId: call.id, deviceId },
    state: call.connections.get(deviceId)?.state ?? 'null',
  }));
}

/** RouteRegister for one routing device, or (no `routeingDevice`, as ECMA-323 allows) as the
 * default routeing server: asked for every routing device nobody registered for. */
export function routeRegister(core: SwitchCore, linkId: string, deviceId: string | undefined): string {
  if (deviceId !== undefined && core.plan.classify(deviceId) !== 'routing') throw fault.invalidDeviceId(`${deviceId} is not a routing device`);
  const current = deviceId === undefined ? core.routes.defaultRegistration() : core.routes.registrationOf(deviceId);
  if (current?.linkId === linkId) return current.id;
  const id = core.newRef();
  core.routes.register({ id, linkId, deviceId: deviceId ?? null });
  return id;
}

function ownDialogue(core: SwitchCore, linkId: string, crossRefId: string) {
  const d = core.routes.dialogue(crossRefId);
  if (!d || d.registration.linkId !== linkId) throw fault.invalidCrossRefId(`no routing dialogue ${crossRefId} on this link`);
  const call = core.calls.get(d.callId);
  if (!call || !call.connections.has(d.routingDevice)) {
    closeDialogue(core, d, false);
    throw fault.invalidCallId(`call ${d.callId} is no longer at ${d.routingDevice}`);
  }
  return { d, call };
}

/** RouteSelect: DivertedEvent, RouteEnd, delivery at the destination (see routeCall). */
export function routeSelect(core: SwitchCore, linkId: string, req: MessageOf<'RouteSelect'>): void {
  const { d, call } = ownDialogue(core, linkId, req.routingCrossRefId);
  routeCall(core, call, d.routingDevice, req.routeSelected, d);
}

/** RouteEnd from the CTI: it will not route this call; the switch uses the fallback. */
export function routeEndFromCti(core: SwitchCore, linkId: string, req: MessageOf<'RouteEnd'>): void {
  const { d, call } = ownDialogue(core, linkId, req.routingCrossRefId);
  closeDialogue(core, d, false);
  routeCall(core, call, d.routingDevice, core.plan.fallbackOf(d.routingDevice));
}

/** No RouteSelect in time: fallback, and RouteEnd(timeout) to the CTI. */
export function routeTimeout(core: SwitchCore, crossRefId: string): void {
  const d = core.routes.dialogue(crossRefId);
  if (!d) return;
  const call = core.calls.get(d.callId);
  if (!call || !call.connections.has(d.routingDevice)) {
    closeDialogue(core, d, false);
    return;
  }
  routeCall(core, call, d.routingDevice, core.plan.fallbackOf(d.routingDevice), d, { category: 'operation', value: 'routeingTimerExpired' });
}

/** The link is gone: its monitors and registrations with it; its open dialogues take the fallback. */
export function linkGone(core: SwitchCore, linkId: string): { monitors: number; dialogues: number } {
  const monitors = core.monitors.dropLink(linkId);
  const open = core.routes.dropLink(linkId);
  for (const d of open) {
    closeDialogue(core, d, false);
    const call = core.calls.get(d.callId);
    if (call?.connections.has(d.routingDevice)) routeCall(core, call, d.routingDevice, core.plan.fallbackOf(d.routingDevice));
  }
  return { monitors, dialogues: open.length };
}
