/**
 * Phones and the other devices the switch must watch for us: which devices are monitored (every
 * agent's phone, where agents are signed in, queue devices and pilot numbers; pilots are also
 * registered for routing), which monitors the switch refuses, and which phones are out of service.
 *
 * - Sign-in at a phone the switch refuses to monitor, or that is out of service, is refused
 *   (`checkUsable`, PBX_REJECTED with `details.reason` `monitorRefused` or `phoneOutOfService`).
 *   While the link is down nothing can be checked: sign-in is accepted and the phone is checked
 *   when the link is back.
 * - A phone going out of service (OutOfServiceEvent, or its monitor refused as out of service, or
 *   for any reason once an agent is signed in there) makes its agent notReady `phoneOutOfService`; back in service (BackInServiceEvent, or its
 *   monitor in place again) the agent stays notReady, reason `phoneBackInService`, and chooses
 *   ready themselves.
 */
import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';
import { PbxError, type PbxEvent, type PbxPort } from '../core/pbx-port.ts';
import type { Directory } from './directory.ts';

/** What the phones service tells presence about a phone. */
export interface PhoneNews {
  phoneService(extension: string, inService: boolean): void;
  /** Agents signed in now, with their phone. */
  signedInPhones(): Iterable<string>;
}

export interface PhonesDeps {
  pbx: PbxPort;
  directory: Directory;
  log: Logger;
  /** The switch's IVR ports: monitored like phones, so that a call in the IVR is never lost. */
  ivrPorts?: readonly string[];
}

/** The switch's error values that say the device is out of service. */
const OUT_OF_SERVICE = new Set(['resourceOutOfService', 'deviceOutOfService', 'outOfService']);

export class Phones {
  private news: PhoneNews | null = null;
  private monitoredSet = new Set<string>();
  private readonly outOfService = new Set<string>();
  private readonly refused = new Map<string, { category: string; value: string }>();

  constructor(private readonly d: PhonesDeps) {}

  /** Presence, told about phones (set once at wiring, presence being built after this). */
  tell(news: PhoneNews): void {
    this.news = news;
  }

  isOutOfService(deviceId: string): boolean {
    return this.outOfService.has(deviceId);
  }

  /** Devices whose monitor the switch refuses, with its error. */
  refusedMonitors(): ReadonlyMap<string, { category: string; value: string }> {
    return this.refused;
  }

  /** Brings the switch's monitors and routing registrations to what the directory and the
   * signed-in agents need now. */
  update(): void {
    const want = new Set<string>();
    for (const a of this.d.directory.allAgents()) if (a.defaultExtension) want.add(a.defaultExtension);
    for (const ext of this.news?.signedInPhones() ?? []) want.add(ext);
    for (const q of this.d.directory.allQueues()) want.add(q.queueDevice);
    for (const p of this.d.directory.allPilots()) want.add(p.number);
    for (const port of this.d.ivrPorts ?? []) want.add(port);
    this.monitoredSet = want;
    this.d.pbx.setMonitoredDevices(want).catch((err: unknown) => this.d.log.warn({ err }, 'monitor update failed'));
    this.d.pbx.setRoutingDevices([...this.d.directory.allPilots()].map((p) => p.number)).catch((err: unknown) => this.d.log.warn({ err }, 'routing registration update failed'));
  }

  /** A signed-in agent's phone that is not yet among the monitored devices. */
  ensureWatched(extension: string): void {
    if (!this.monitoredSet.has(extension)) this.update();
  }

  /**
   * Sign-in at `extension`: refused when the switch says the phone is out of service or refuses to
   * monitor it. With the link down it cannot be checked and is accepted.
   */
  async checkUsable(extension: string): Promise<void> {
    if (!this.d.pbx.linkUp) return;
    if (this.outOfService.has(extension)) throw phoneOutOfService(extension);
    if (this.d.pbx.isMonitored(extension)) return;
    try {
      await this.d.pbx.monitorNow(extension);
    } catch (err) {
      if (!(err instanceof PbxError) || err.code !== 'PBX_REJECTED') throw err instanceof PbxError ? new AppError(err.code, err.message) : err;
      const csta = err.cstaError;
      if (csta && OUT_OF_SERVICE.has(csta.value)) {
        this.markOut(extension);
        throw phoneOutOfService(extension, csta);
      }
      throw new AppError('PBX_REJECTED', `the switch refuses to monitor extension ${extension}${csta ? ` (${csta.category}/${csta.value})` : ''}; the agent cannot be signed in there`, {
        reason: 'monitorRefused',
        extension,
        ...(csta ? { csta } : {}),
      });
    }
  }

  onPbxEvent(ev: Extract<PbxEvent, { kind: 'monitor' | 'deviceService' }>): void {
    if (ev.kind === 'deviceService') {
      this.d.log.info({ deviceId: ev.deviceId, inService: ev.inService }, ev.inService ? 'device back in service' : 'device out of service');
      if (ev.inService) this.markIn(ev.deviceId);
      else this.markOut(ev.deviceId);
      return;
    }
    if (ev.monitored) {
      this.refused.delete(ev.deviceId);
      // A monitor in place again for a phone refused as out of service: it is back.
      if (this.outOfService.has(ev.deviceId)) this.markIn(ev.deviceId);
      return;
    }
    if (!ev.error) return; // stopped because no longer wanted
    this.refused.set(ev.deviceId, ev.error);
    this.d.log.warn({ deviceId: ev.deviceId, error: ev.error }, 'the switch refuses to monitor this device');
    if (OUT_OF_SERVICE.has(ev.error.value)) this.markOut(ev.deviceId);
    else if ([...(this.news?.signedInPhones() ?? [])].includes(ev.deviceId)) {
      // An agent signed in here while the link was down, and the switch now refuses the monitor:
      // nothing of its calls would reach us, so the phone counts as out of service until the
      // monitor is in place (it is retried every CSTA_MONITOR_RETRY_MS).
      this.d.log.warn({ deviceId: ev.deviceId, error: ev.error }, 'agent phone cannot be monitored; treated as out of service');
      this.markOut(ev.deviceId);
    }
  }

  private markOut(deviceId: string): void {
    if (this.outOfService.has(deviceId)) return;
    this.outOfService.add(deviceId);
    this.news?.phoneService(deviceId, false);
  }

  private markIn(deviceId: string): void {
    if (!this.outOfService.delete(deviceId)) return;
    this.news?.phoneService(deviceId, true);
  }
}

function phoneOutOfService(extension: string, csta?: { category: string; value: string }): AppError {
  return new AppError('PBX_REJECTED', `extension ${extension} is out of service at the switch (phone unplugged?); the agent cannot be signed in there`, {
    reason: 'phoneOutOfService',
    extension,
    ...(csta ? { csta } : {}),
  });
}
