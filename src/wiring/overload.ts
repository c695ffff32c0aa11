/**
 * Admission control wired to the process (docs/overload.md): the pure core
 * (services/overload/admission.ts) fed with samples of the event loop (perf_hooks: utilisation and
 * a delay histogram, both read and reset each sample), the V8 heap, the write queue's backlog and
 * the live counts, four times per window; the gate it drives (admission-gate.ts) is what
 * route-dispatch.ts asks. The sampling timer is unref'd and stopped by `close()`.
 *
 * Off (OVERLOAD=0): no gate, no timer; the metrics say 0.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { PbxPort } from '../core/pbx-port.ts';
import type { OverloadMetrics } from '../metrics/overload.ts';
import type { CallService } from '../services/call-service.ts';
import { AdmissionGate } from '../services/overload/admission-gate.ts';
import { AdmissionControl, type LiveCounts } from '../services/overload/admission.ts';
import { safely, type Clock, type RoutingDecisionLog, type Timers } from '../services/ports.ts';
import { MAX_OPEN_DIALOGUES } from '../services/route-dispatch.ts';
import type { WriteQueueStatus } from '../storage/write-queue.ts';

/** Open routing dialogues at which calls are refused: most of the dispatcher's cap, so the cap
 * (which forgets the oldest) is never reached while calls are still admitted. */
const ROUTE_DIALOGUES_HIGH = Math.floor(MAX_OPEN_DIALOGUES * 0.8);

/** The event-loop delay histogram's resolution, ms (its own timer; coarse is enough for a
 * threshold of tens of ms). */
const LOOP_DELAY_RESOLUTION_MS = 10;

export interface OverloadWiring {
  config: Pick<Config, 'overload' | 'dbBacklogMax'>;
  counts(): LiveCounts;
  writes(): WriteQueueStatus;
  pbx: Pick<PbxPort, 'routeEnd'>;
  calls: Pick<CallService, 'tracker'>;
  decisions: RoutingDecisionLog;
  metrics: OverloadMetrics;
  clock: Clock;
  timers: Timers;
  log: Logger;
}

export interface Overload {
  /** What route-dispatch.ts asks; null when admission control is off. */
  gate: AdmissionGate | null;
  close(): void;
}

export function startOverload(w: OverloadWiring): Overload {
  const o = w.config.overload;
  if (!o.enabled) {
    w.log.info('admission control off (OVERLOAD=0): every new call is admitted whatever the load');
    return { gate: null, close: () => {} };
  }
  const control = new AdmissionControl({
    loopUtilisation: o.loopUtilisation,
    loopDelayMs: o.loopDelayMs,
    heapUsed: o.heapUsed,
    storageBacklog: Math.max(1, Math.floor(w.config.dbBacklogMax * o.storageBacklog)),
    routeDialogues: ROUTE_DIALOGUES_HIGH,
    callsInRouting: o.maxCallsInRouting,
    windowMs: o.windowMs,
  });
  const gate = new AdmissionGate({ control, counts: w.counts, pbx: w.pbx, calls: w.calls, decisions: w.decisions, meter: w.metrics, clock: w.clock, timers: w.timers, log: w.log });
  w.metrics.watch(control);

  const delay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  delay.enable();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  const heapLimit = getHeapStatistics().heap_size_limit;
  const sample = () => {
    const now = performance.eventLoopUtilization();
    const since = performance.eventLoopUtilization(now, elu);
    elu = now;
    const p99 = delay.count > 0 ? delay.percentile(99) / 1e6 : 0;
    delay.reset();
    control.sample({
      at: performance.now(),
      loopUtilisation: since.utilization,
      // The histogram counts the resolution itself in each delay: take it out.
      loopDelayP99Ms: Math.max(0, p99 - LOOP_DELAY_RESOLUTION_MS),
      heapUsed: getHeapStatistics().used_heap_size / heapLimit,
      storageBacklog: w.writes().backlog,
      counts: w.counts(),
    });
    gate.noticeChanges();
  };
  const timer = setInterval(() => safely(w.log, 'overload sample', sample), Math.max(25, Math.floor(o.windowMs / 4)));
  timer.unref();
  w.log.info({ limits: control.limits }, 'admission control on');
  return {
    gate,
    close: () => {
      clearInterval(timer);
      delay.disable();
      gate.close();
    },
  };
}
