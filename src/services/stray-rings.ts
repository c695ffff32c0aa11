/**
 * Calls ringing at an agent's phone that no offer of ours covers: a call that was being offered
 * when the daemon stopped and that the restarted daemon took back (or adopted after a reconnect)
 * rings on at the phone, but its offer — and its ring timer — died with the old process. Left
 * alone it would ring until the caller gives up. Each gets the ring time of its queue from when
 * it is found; if it still rings unanswered then, it goes back to its queue's device, where the
 * router takes it in again (routing-service.ts `callQueued`). The agent can answer it meanwhile.
 */
import type { Logger } from 'pino';
import type { TrackedCall } from '../core/calls/call.ts';
import type { CallService } from './call-service.ts';
import type { Directory } from './directory.ts';
import type { PresenceService } from './presence-service.ts';
import type { Timers } from './ports.ts';

export interface StrayRingsDeps {
  directory: Directory;
  calls: Pick<CallService, 'callsAtDevice'>;
  presence: Pick<PresenceService, 'signedIn'>;
  timers: Timers;
  log: Logger;
  /** True when an offer of ours covers the call. */
  isOffered(call: TrackedCall): boolean;
  /** Sends the call to `device` (routing-service.ts, through the call mover). */
  sendTo(call: TrackedCall, device: string): void;
}

export class StrayRings {
  private readonly timers = new Map<string, unknown>();

  constructor(private readonly d: StrayRingsDeps) {}

  /** Looks at every signed-in agent's phone (after a reconcile with the switch). */
  check(): void {
    for (const [agentId, status] of this.d.presence.signedIn()) {
      const ext = status.extension;
      if (!ext) continue;
      for (const { call, state } of this.d.calls.callsAtDevice(ext)) {
        if (state !== 'alerting' || call.answeredAt !== null || call.queue === null) continue;
        if (this.timers.has(call.id) || this.d.isOffered(call)) continue;
        const queue = this.d.directory.queue(call.queue);
        if (!queue) continue;
        this.d.log.info({ callId: call.id, agentId, ext, queue: queue.id, ringTimeoutS: queue.ringTimeoutS }, 'call ringing at an agent phone without an offer (taken back after a restart): back to its queue unless answered');
        const timer = this.d.timers.setTimeout(() => {
          this.timers.delete(call.id);
          if (call.endedAt !== null || call.connections.get(ext)?.state !== 'alerting' || this.d.isOffered(call)) return;
          this.d.log.info({ callId: call.id, agentId, ext, queue: queue.id }, 'no answer; call back to its queue');
          this.d.sendTo(call, queue.queueDevice);
        }, queue.ringTimeoutS * 1000);
        this.timers.set(call.id, timer);
      }
    }
  }

  /** How many calls are being watched (diagnostics, tests). */
  get size(): number {
    return this.timers.size;
  }

  clear(): void {
    for (const t of this.timers.values()) this.d.timers.clearTimeout(t);
    this.timers.clear();
  }
}
