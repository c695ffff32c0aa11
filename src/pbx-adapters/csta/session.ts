/**
 * Everything that belongs to one CSTA link and dies with it: the ECMA-354 application session,
 * the monitors (monitorCrossRefID ↔ device), the route registrations (routeRegisterReqID ↔
 * routing device) and the open routing dialogues (routingCrossRefID → registration).
 *
 * Until `release()` the session holds the events it maps back, so that the owner can announce
 * `linkUp` (with the snapshot) before any event of the new link; released events keep their
 * arrival order.
 */
import type { Logger } from 'pino';
import { PbxError, type DeviceSnapshot, type PbxEvent } from '../../core/pbx-port.ts';
import { CSTA_NS, type CstaEventMessage } from './protocol/catalogue.ts';
import { CstaLink, type CstaLinkOptions } from './link.ts';
import { mapCstaEvent, mapRouteMessage, type RouteMessage } from './event-mapper.ts';
import { forEachBounded } from './bounded.ts';

export const DEFAULT_SETUP_CONCURRENCY = 32;
/** Session duration asked for; the timer is reset at half the duration the switch grants. */
const REQUESTED_SESSION_S = 300;
/** Open routing dialogues remembered at most (oldest forgotten first) in case RouteEnds go missing. */
const MAX_DIALOGUES = 10_000;

export interface SessionDeps {
  logger: Logger;
  concurrency: number;
  emit(event: PbxEvent): void;
  /** Called once when the link under this session goes down. */
  onDown(session: CstaSession, reason: string): void;
  /** The devices to monitor and the routing devices to register, as wanted now. */
  wanted(): { monitors: ReadonlySet<string>; routing: ReadonlySet<string> };
  /** Is this routing device still wanted? Asked per RouteRequest, so it must not build `wanted()`
   * (the monitors are every agent's phone). */
  routingWanted(device: string): boolean;
}

interface Registration {
  /** The registration the switch named in the RouteRequest (optional in ECMA-323). */
  reqId: string | undefined;
  device: string;
}

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class CstaSession {
  link: CstaLink | null = null;
  sessionId: string | null = null;
  /** device → monitorCrossRefID, and back */
  readonly monitors = new Map<string, string>();
  /** Devices whose MonitorStart the switch refused on this link, with its error (tried again at
   * the next reconcile). */
  readonly monitorFailures = new Map<string, { category: string; value: string }>();
  private readonly monitorDevices = new Map<string, string>();
  /** device → routeRegisterReqID, and back */
  private readonly routes = new Map<string, string>();
  private readonly routeDevices = new Map<string, string>();
  /** routingCrossRefID → registration of an open routing dialogue */
  private readonly dialogues = new Map<string, Registration>();
  private held: PbxEvent[] | null = [];
  private chain: Promise<void> = Promise.resolve();
  private sessionTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: SessionDeps) {}

  get isUp(): boolean {
    return this.link?.isUp ?? false;
  }

  /** True once the application session is started: commands may be sent. */
  get established(): boolean {
    return this.sessionId !== null && this.isUp;
  }

  async connect(opts: CstaLinkOptions): Promise<void> {
    this.link = await CstaLink.connect(opts, {
      onEvent: (msg) => this.onEvent(msg),
      onSwitchRequest: (msg) => this.onRouteMessage(msg),
      onClose: (reason) => {
        this.clearSessionTimer();
        this.deps.onDown(this, reason);
      },
    });
  }

  /** StartApplicationSession then SystemRegister. Rejects if the switch refuses either. */
  async establish(applicationId: string): Promise<void> {
    const link = this.requireLink();
    const started = await link.request({ type: 'StartApplicationSession', applicationId, protocolVersion: CSTA_NS, requestedSessionDuration: REQUESTED_SESSION_S });
    this.sessionId = started.sessionId;
    await link.request({ type: 'SystemRegister', requestTypes: ['systemStatus'] });
    const granted = started.actualSessionDuration ?? 0;
    if (granted > 0) this.keepSessionAlive(link, started.sessionId, granted);
  }

  /** Brings monitors and route registrations to the wanted sets (read when the job runs, so
   * queued calls coalesce). Serialised; never rejects. */
  reconcile(): Promise<void> {
    const job = this.chain.then(() => {
      const { monitors, routing } = this.deps.wanted();
      return this.reconcileNow(monitors, routing);
    });
    this.chain = job.catch((err: unknown) => this.deps.logger.error({ err }, 'CSTA monitor reconcile failed'));
    return this.chain;
  }

  /** SnapshotDevice of every monitored device; a device whose snapshot fails is listed in `failed`
   * (nothing can be said of its calls). */
  async snapshotAll(): Promise<{ snapshots: DeviceSnapshot[]; failed: string[] }> {
    const link = this.requireLink();
    const out: DeviceSnapshot[] = [];
    const failed: string[] = [];
    await forEachBounded(
      [...this.monitors.keys()],
      this.deps.concurrency,
      async (deviceId) => {
        try {
          out.push(await snapshotOn(link, deviceId));
        } catch {
          failed.push(deviceId);
        }
      },
      () => !link.isUp,
    );
    if (failed.length > 0) this.deps.logger.warn({ count: failed.length, devices: failed.slice(0, 20) }, 'SnapshotDevice failed; devices left out of the snapshot');
    return { snapshots: out, failed };
  }

  /** Stops holding events back: emits the held ones in arrival order, then passes events through. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const event of held) this.deps.emit(event);
  }

  /** The registration that a RouteRequest's dialogue belongs to. */
  dialogue(crossRefId: string): Registration | undefined {
    return this.dialogues.get(crossRefId);
  }

  endDialogue(crossRefId: string): void {
    this.dialogues.delete(crossRefId);
  }

  /** StopApplicationSession (best-effort, short wait), then the link is closed. */
  async stop(timeoutMs: number): Promise<void> {
    this.clearSessionTimer();
    const link = this.link;
    if (!link) return;
    if (this.sessionId !== null && link.isUp) {
      await link
        .request({ type: 'StopApplicationSession', sessionId: this.sessionId, sessionEndReason: 'normal' }, { timeoutMs })
        .catch((err: unknown) => this.deps.logger.debug({ reason: reasonOf(err) }, 'StopApplicationSession not acknowledged'));
    }
    link.destroy('closed by the application');
  }

  destroy(reason: string): void {
    this.clearSessionTimer();
    this.link?.destroy(reason);
  }

  private requireLink(): CstaLink {
    if (!this.link?.isUp) throw new PbxError('PBX_UNAVAILABLE', 'CSTA link is down');
    return this.link;
  }

  private async reconcileNow(wantedMonitors: ReadonlySet<string>, wantedRouting: ReadonlySet<string>): Promise<void> {
    const link = this.link;
    if (!link?.isUp) return;
    const stop = (): boolean => !link.isUp;
    const failed: { deviceId: string; service: string; reason: string }[] = [];
    const toStop = [...this.monitors.keys()].filter((d) => !wantedMonitors.has(d));
    for (const deviceId of [...this.monitorFailures.keys()]) if (!wantedMonitors.has(deviceId)) this.monitorFailures.delete(deviceId);
    await forEachBounded(toStop, this.deps.concurrency, async (deviceId) => {
      const crossRef = this.monitors.get(deviceId);
      if (crossRef === undefined) return;
      this.monitors.delete(deviceId); // forget first: events still in flight for it are dropped
      this.monitorDevices.delete(crossRef);
      this.out({ kind: 'monitor', deviceId, monitored: false });
      await link.request({ type: 'MonitorStop', monitorCrossRefId: crossRef }).catch((err: unknown) => failed.push({ deviceId, service: 'MonitorStop', reason: reasonOf(err) }));
    }, stop);
    const toStart = [...wantedMonitors].filter((d) => !this.monitors.has(d));
    await forEachBounded(toStart, this.deps.concurrency, async (deviceId) => {
      await link
        .request(
          { type: 'MonitorStart', deviceId },
          {
            onReply: (r) => {
              this.monitors.set(deviceId, r.monitorCrossRefId);
              this.monitorDevices.set(r.monitorCrossRefId, deviceId);
              this.monitorFailures.delete(deviceId);
              this.out({ kind: 'monitor', deviceId, monitored: true });
            },
          },
        )
        .catch((err: unknown) => {
          failed.push({ deviceId, service: 'MonitorStart', reason: reasonOf(err) });
          if (!link.isUp) return;
          // Only an answer of the switch is a refusal; a request that timed out is tried again
          // like one (wantedMonitors) but is not reported as refused (monitorNow: PBX_UNAVAILABLE).
          if (!(err instanceof PbxError) || !err.cstaError) return;
          const error = err.cstaError;
          const before = this.monitorFailures.get(deviceId);
          this.monitorFailures.set(deviceId, error);
          if (!before || before.value !== error.value) this.out({ kind: 'monitor', deviceId, monitored: false, error });
        });
    }, stop);
    // No service cancels a route registration: one no longer wanted stays at the switch and its
    // RouteRequests are ended at once (see onRouteMessage).
    const toRegister = [...wantedRouting].filter((d) => !this.routes.has(d));
    await forEachBounded(toRegister, this.deps.concurrency, async (deviceId) => {
      await link
        .request(
          { type: 'RouteRegister', routingDevice: deviceId },
          {
            onReply: (r) => {
              this.routes.set(deviceId, r.routeRegisterReqId);
              this.routeDevices.set(r.routeRegisterReqId, deviceId);
            },
          },
        )
        .catch((err: unknown) => failed.push({ deviceId, service: 'RouteRegister', reason: reasonOf(err) }));
    }, stop);
    if (failed.length > 0 && link.isUp) {
      this.deps.logger.warn({ count: failed.length, failures: failed.slice(0, 20) }, 'CSTA monitor/route set-up incomplete');
    }
  }

  private out(event: PbxEvent): void {
    if (this.held) this.held.push(event);
    else this.deps.emit(event);
  }

  private onEvent(msg: CstaEventMessage): void {
    const event = mapCstaEvent(msg, this.monitorDevices);
    if (event === null) {
      this.deps.logger.debug({ type: msg.type, monitorCrossRefId: msg.monitorCrossRefId }, 'CSTA event ignored');
      return;
    }
    this.out(event);
  }

  private onRouteMessage(msg: RouteMessage): void {
    if (msg.type === 'RouteEnd') {
      this.dialogues.delete(msg.routingCrossRefId);
      this.out(mapRouteMessage(msg, this.routeDevices));
      return;
    }
    const reqId = msg.routeRegisterReqId;
    const device = (reqId !== undefined ? this.routeDevices.get(reqId) : undefined) ?? msg.currentRoute;
    if (!this.deps.routingWanted(device)) {
      this.deps.logger.debug({ device, crossRefId: msg.routingCrossRefId }, 'RouteRequest for a routing device no longer wanted: ended');
      this.link
        ?.post({
          type: 'RouteEnd',
          routingCrossRefId: msg.routingCrossRefId,
          ...(reqId !== undefined ? { routeRegisterReqId: reqId } : {}),
          errorValue: { category: 'operation', value: 'invalidRouteRegistrationCrossRefID' },
        })
        .catch((err: unknown) => this.deps.logger.debug({ reason: reasonOf(err) }, 'RouteEnd not sent'));
      return;
    }
    if (this.dialogues.size >= MAX_DIALOGUES) {
      const oldest = this.dialogues.keys().next().value;
      if (oldest !== undefined) this.dialogues.delete(oldest);
    }
    this.dialogues.set(msg.routingCrossRefId, { reqId, device });
    this.out(mapRouteMessage(msg, this.routeDevices));
  }

  private keepSessionAlive(link: CstaLink, sessionId: string, durationS: number): void {
    this.clearSessionTimer();
    this.sessionTimer = setInterval(() => {
      link.request({ type: 'ResetApplicationSessionTimer', sessionId, requestedSessionDuration: durationS }).catch((err: unknown) => {
        if (!link.isUp) return;
        this.deps.logger.warn({ reason: reasonOf(err) }, 'ResetApplicationSessionTimer failed; not trying again on this link');
        this.clearSessionTimer();
      });
    }, (durationS * 1000) / 2);
  }

  private clearSessionTimer(): void {
    if (this.sessionTimer) clearInterval(this.sessionTimer);
    this.sessionTimer = null;
  }
}

export async function snapshotOn(link: CstaLink, deviceId: string): Promise<DeviceSnapshot> {
  const r = await link.request({ type: 'SnapshotDevice', deviceId });
  return { deviceId, calls: r.calls.map((e) => ({ callId: e.connection.callId, state: e.state })) };
}
