/**
 * What the switch says, to whom it concerns: call events to the calls, route requests to the route
 * dispatcher, monitor and service news to the phones, and the link going up and down to the calls
 * (reconciliation), presence (agents logged on again at the switch) and every client
 * (`link.status`).
 *
 * Reconnect without killing calls: when the link comes back, the snapshot of every monitored
 * device is the truth — except for devices whose snapshot failed, whose calls are left as they
 * are and asked for again (a few times, backing off); what those answers prove is reconciled as
 * it comes in. A call is never ended because its device could not be asked.
 */
import type { Logger } from 'pino';
import type { DeviceSnapshot, PbxEvent, PbxPort } from '../core/pbx-port.ts';
import type { CallService } from './call-service.ts';
import type { Phones } from './phones.ts';
import type { Notifier, Timers } from './ports.ts';
import type { PresenceService } from './presence-service.ts';
import type { RouteDispatcher } from './route-dispatch.ts';

export interface SwitchLinkDeps {
  pbx: PbxPort;
  calls: CallService;
  presence: PresenceService;
  phones: Phones;
  routes: RouteDispatcher;
  notifier: Notifier;
  timers: Timers;
  log: Logger;
  /** Delays between the queries of devices whose snapshot failed at a reconnect. */
  requeryDelaysMs?: readonly number[];
}

const DEFAULT_REQUERY_DELAYS_MS = [250, 1000, 4000, 15_000];

export class SwitchLink {
  private requeryTimer: unknown = null;
  /** Bumped at every link change: a requery of an older link stops. */
  private epoch = 0;

  constructor(private readonly d: SwitchLinkDeps) {}

  /** Subscribes to the switch's events; returns the unsubscribe function. */
  attach(): () => void {
    return this.d.pbx.onEvent((ev) => {
      try {
        this.onEvent(ev);
      } catch (err) {
        this.d.log.error({ err, event: ev.kind }, 'switch event handling failed');
      }
    });
  }

  close(): void {
    this.epoch++;
    if (this.requeryTimer !== null) this.d.timers.clearTimeout(this.requeryTimer);
    this.requeryTimer = null;
  }

  private onEvent(ev: PbxEvent): void {
    switch (ev.kind) {
      case 'linkUp':
        return this.linkUp(ev);
      case 'linkDown':
        this.epoch++;
        this.d.log.warn({ reason: ev.reason }, 'switch link down');
        this.d.routes.linkDown();
        this.d.notifier.publish('link.status', { pbx: 'down' }, { all: true });
        return;
      case 'routeRequest':
        return this.d.routes.routeRequest(ev);
      case 'routeEnd':
        return this.d.routes.routeEnd(ev.crossRefId, ev.error);
      case 'agentState':
        this.d.log.debug({ deviceId: ev.deviceId, state: ev.state }, 'switch agent state');
        return;
      case 'monitor':
      case 'deviceService':
        return this.d.phones.onPbxEvent(ev);
      default:
        this.d.calls.onPbxEvent(ev);
    }
  }

  private linkUp(ev: Extract<PbxEvent, { kind: 'linkUp' }>): void {
    const epoch = ++this.epoch;
    this.d.log.info({ reconnect: ev.reconnect, devices: ev.snapshot.length, unsnapshotted: ev.unsnapshotted.length }, 'switch link up');
    this.d.calls.reconcile(ev.snapshot, ev.unsnapshotted);
    this.d.presence.resyncSwitch();
    this.d.notifier.publish('link.status', { pbx: 'up' }, { all: true });
    if (ev.unsnapshotted.length > 0) this.requery([...ev.unsnapshotted], 0, epoch);
  }

  /** Asks again for the devices whose snapshot failed; reconciles what comes back. */
  private requery(devices: string[], attempt: number, epoch: number): void {
    const delays = this.d.requeryDelaysMs ?? DEFAULT_REQUERY_DELAYS_MS;
    const delay = delays[attempt];
    if (delay === undefined) {
      this.d.log.warn({ devices: devices.slice(0, 20), count: devices.length }, 'snapshots still refused; the call audit will check these devices');
      return;
    }
    this.requeryTimer = this.d.timers.setTimeout(() => {
      this.requeryTimer = null;
      void this.runRequery(devices, attempt, epoch);
    }, delay);
  }

  private async runRequery(devices: string[], attempt: number, epoch: number): Promise<void> {
    const got: DeviceSnapshot[] = [];
    const failed: string[] = [];
    for (const deviceId of devices) {
      if (epoch !== this.epoch) return;
      try {
        got.push(await this.d.pbx.snapshotDevice(deviceId));
      } catch {
        failed.push(deviceId);
      }
    }
    if (epoch !== this.epoch) return;
    this.d.log.info({ attempt: attempt + 1, proven: got.length, stillRefused: failed.length }, 'devices queried again after the reconnect');
    this.d.calls.reconcileDevices(got, failed);
    if (failed.length > 0) this.requery(failed, attempt + 1, epoch);
  }
}
