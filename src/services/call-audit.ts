/**
 * The call audit: events do get lost on real links (a busy switch drops them, a monitor lapses),
 * and a call the daemon never hears end would stay open for ever — in memory, in its row, and at
 * the agent, who would look busy. Every `intervalMs` the audit takes the calls the switch has said
 * nothing about for `silenceMs`, asks the switch for a snapshot of the monitored devices they are
 * at, and reconciles: connections the switch no longer has go, and a call left at no device of
 * ours ends (cause `lostAtSwitch`). A call whose devices cannot be asked is left alone.
 *
 * Cost: at most `maxDevices` snapshots per run, the longest-silent calls first; a call the switch
 * confirms counts as heard from, so a long conversation is asked about once per `silenceMs`.
 */
import type { Logger } from 'pino';
import type { TrackedCall } from '../core/calls/call.ts';
import type { DeviceSnapshot, PbxPort } from '../core/pbx-port.ts';
import type { CallService } from './call-service.ts';
import type { Clock, Timers } from './ports.ts';

export interface CallAuditOptions {
  intervalMs: number;
  silenceMs: number;
  maxDevices?: number;
}

export interface CallAuditDeps {
  pbx: PbxPort;
  calls: CallService;
  clock: Clock;
  timers: Timers;
  log: Logger;
}

export interface AuditRun {
  silentCalls: number;
  devices: number;
  refused: number;
  ended: number;
}

export class CallAudit {
  private timer: unknown = null;
  private running = false;
  private closed = false;

  constructor(
    private readonly d: CallAuditDeps,
    private readonly o: CallAuditOptions,
  ) {}

  start(): void {
    if (this.o.intervalMs > 0) this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.d.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One audit run now (also what the timer does). */
  async run(): Promise<AuditRun> {
    const result: AuditRun = { silentCalls: 0, devices: 0, refused: 0, ended: 0 };
    if (this.running || !this.d.pbx.linkUp) return result;
    this.running = true;
    try {
      const now = this.d.clock.now();
      const silent: TrackedCall[] = [];
      for (const call of this.d.calls.active()) if (now - call.lastEventAt >= this.o.silenceMs) silent.push(call);
      if (silent.length === 0) return result;
      silent.sort((a, b) => a.lastEventAt - b.lastEventAt);
      result.silentCalls = silent.length;
      const devices = new Set<string>();
      const max = this.o.maxDevices ?? 100;
      for (const call of silent) {
        for (const deviceId of [...call.connections.keys(), ...(call.headingTo ? [call.headingTo] : [])]) {
          if (devices.size >= max) break;
          if (this.d.pbx.isMonitored(deviceId)) devices.add(deviceId);
        }
      }
      const got: DeviceSnapshot[] = [];
      const refused: string[] = [];
      for (const deviceId of devices) {
        try {
          got.push(await this.d.pbx.snapshotDevice(deviceId));
        } catch {
          refused.push(deviceId);
        }
      }
      result.devices = devices.size;
      result.refused = refused.length;
      const before = new Set(silent.filter((c) => c.endedAt === null));
      this.d.calls.reconcileDevices(got, refused);
      result.ended = [...before].filter((c) => c.endedAt !== null).length;
      if (result.ended > 0) this.d.log.warn({ ...result }, 'call audit: calls the switch no longer has were ended');
      else if (refused.length > 0) this.d.log.warn({ ...result }, 'call audit: the switch refused snapshots; those calls are kept');
      else this.d.log.debug({ ...result }, 'call audit');
      return result;
    } finally {
      this.running = false;
    }
  }

  private arm(): void {
    if (this.closed) return;
    this.timer = this.d.timers.setTimeout(() => {
      this.timer = null;
      this.run()
        .catch((err: unknown) => this.d.log.error({ err }, 'call audit failed'))
        .finally(() => this.arm());
    }, this.o.intervalMs);
  }
}
