/**
 * The gate in front of routing (docs/overload.md): every RouteRequest to a pilot asks the
 * admission control (admission.ts) before route-dispatch.ts hands it on. A call refused is
 * answered at once with RouteEnd (cause `overload`: the CSTA adapter sends ECMA-323's
 * performanceManagement/performanceLimitExceeded), so the switch applies the pilot's own fallback
 * without waiting for its routing timeout; the refusal is counted by cause (GET /metrics),
 * recorded as the call's routing decision (`shed`, with the cause and the figures that led to
 * it) and logged without flooding the log (shed-log.ts). The call itself goes on at the switch: its
 * row is written as any call's, with the outcome `overload` unless the switch brings it back to a
 * queue.
 *
 * Trade-off: the refusal costs a decode, an encode and a row — the least a call can cost and still
 * be accounted for. Calls already in routing are never dropped: only new ones are refused.
 */
import type { Logger } from 'pino';
import type { PbxPort } from '../../core/pbx-port.ts';
import type { CallService } from '../call-service.ts';
import type { DirectoryPilot } from '../directory.ts';
import type { Clock, RoutingDecisionLog, Timers } from '../ports.ts';
import type { RouteRequestEvent } from '../route-dispatch.ts';
import type { AdmissionControl, LiveCounts, OverloadCause } from './admission.ts';
import { ShedLog } from './shed-log.ts';

/** Counts refusals (GET /metrics); cheap, never throws. */
export interface OverloadMeter {
  shed(cause: OverloadCause): void;
}

export interface AdmissionGateDeps {
  control: AdmissionControl;
  /** The live counts, read at each RouteRequest. */
  counts(): LiveCounts;
  pbx: Pick<PbxPort, 'routeEnd'>;
  calls: Pick<CallService, 'tracker'>;
  decisions: RoutingDecisionLog;
  meter?: OverloadMeter;
  clock: Clock;
  timers: Timers;
  log: Logger;
}

export class AdmissionGate {
  private readonly shedLog: ShedLog;
  private seen: number;

  constructor(private readonly d: AdmissionGateDeps) {
    this.shedLog = new ShedLog({ log: d.log, timers: d.timers });
    this.seen = d.control.changes;
  }

  /** Whether the call may go on to its pilot's handler; false: it was refused and answered. */
  admit(ev: RouteRequestEvent, pilot: DirectoryPilot): boolean {
    const answer = this.d.control.admit(this.d.counts(), pilot.kind === 'queue' ? 'queue' : 'other');
    this.noticeChanges();
    if (answer.admit) return true;
    this.shed(ev, pilot, answer.cause);
    return false;
  }

  /** After a sample: logs a change of the admission state. */
  noticeChanges(): void {
    const c = this.d.control;
    if (c.changes === this.seen) return;
    this.seen = c.changes;
    this.shedLog.stateChanged(c.over(), c.figures(), this.d.clock.now());
  }

  close(): void {
    this.shedLog.close();
  }

  private shed(ev: RouteRequestEvent, pilot: DirectoryPilot, cause: OverloadCause): void {
    this.d.meter?.shed(cause);
    const call = this.d.calls.tracker.byPbx(ev.callId);
    const ids = { callId: call?.id ?? null, pbxCallId: ev.callId, pilot: pilot.number };
    this.d.pbx.routeEnd(ev.crossRefId, 'overload').catch((err: unknown) => this.d.log.warn({ ...ids, err: (err as Error).message }, 'overload: RouteEnd not sent; the switch applies the fallback at its routing timeout'));
    this.shedLog.refused(cause, ids);
    if (!call) return;
    // The call's record: what it was dialled for, why it left, in its row and its decisions.
    if (pilot.queueId) call.queue = pilot.queueId;
    call.outcome = 'overload';
    try {
      this.d.decisions.append({ callId: call.id, at: this.d.clock.now(), kind: 'shed', queueId: pilot.queueId, agent: null, detail: { kind: 'shed', cause, pilot: pilot.number, over: this.d.control.over(), figures: this.d.control.figures() } });
    } catch (err) {
      this.d.log.error({ err, callId: call.id }, 'overload: routing decision not recorded');
    }
  }
}
