/**
 * Devices going out of service and back (`POST /sim/devices/:ext/service`): a phone unplugged, a
 * port taken down. Going out, the device's monitors get `OutOfServiceEvent` and every call in
 * progress there loses that party (ConnectionClearedEvent, and the call clears if it was the last
 * but one). While out, MonitorStart, MakeCall, SetAgentState (but loggedOff), DeflectCall,
 * SingleStepTransferCall and SingleStepConferenceCall to it are refused (resourceOutOfService);
 * calls delivered to it fail (FailedEvent, destNotObtainable); a RouteSelect to it ends the
 * routing dialogue with that error and the routing device's default route applies. Back in
 * service, its monitors get `BackInServiceEvent`.
 */
import type { SwitchCore } from './core.ts';
import { clearConnection } from './delivery.ts';

/** Cause of the ConnectionClearedEvent of a call the device was in when it went out of service. */
export const OUT_OF_SERVICE_CLEARING_CAUSE = 'networkOutOfService';

/** Only extensions and IVR ports can be unplugged. Returns false when nothing changed. */
export function setInService(core: SwitchCore, deviceId: string, inService: boolean): boolean {
  const out = core.outOfService.has(deviceId);
  if (out === !inService) return false;
  if (inService) {
    core.outOfService.delete(deviceId);
    core.deviceEvent(deviceId, { type: 'BackInServiceEvent', device: deviceId });
  } else {
    core.outOfService.add(deviceId);
    core.deviceEvent(deviceId, { type: 'OutOfServiceEvent', device: deviceId });
    for (const call of core.calls.atDevice(deviceId)) clearConnection(core, call, deviceId, OUT_OF_SERVICE_CLEARING_CAUSE);
  }
  core.notice({ kind: 'service', deviceId, inService });
  return true;
}
