/**
 * The daemon's own Prometheus registry (prom-client), never prom-client's global one: every
 * daemon built in a process (tests build several) has its own metrics, and closing one leaves
 * the others alone.
 *
 * Process figures — event-loop delay, GC pauses, heap, RSS, CPU, handles — are prom-client's
 * default metrics, on one registry per process (`processRegistry`), made at the first daemon that
 * asks and shared by every later one: they describe the process, not a daemon, and prom-client
 * gives no way to stop what its collectors start (an event-loop delay monitor and a GC
 * PerformanceObserver, prometheus/client_js issues 494 and 500), so one set per process is the
 * only number that does not grow as tests build and close daemons.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

/** GC pauses: minor collections take well under a millisecond, a major one can take a second. */
const GC_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export function createRegistry(): Registry {
  return new Registry();
}

let processMetrics: Registry | null = null;

/** The process's default metrics, started once per process. */
export function processRegistry(): Registry {
  if (processMetrics === null) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, gcDurationBuckets: GC_BUCKETS_S });
  }
  return processMetrics;
}

/** `make(label)` once per label value, then the same child: a labelled metric on a hot path costs
 * a Map lookup, not a labels object and a hash per event. For label sets known to be small. */
export function cached<T>(make: (label: string) => T): (label: string) => T {
  const children = new Map<string, T>();
  return (label) => {
    let child = children.get(label);
    if (child === undefined) children.set(label, (child = make(label)));
    return child;
  };
}

/** A counter kept elsewhere as a running total (read at scrape time): the Prometheus counter is
 * moved up by what it grew since the last scrape. A total that went down (its owner started
 * again) is taken as the new base. */
export function deltaOf(read: () => number): () => number {
  let last = 0;
  return () => {
    const now = read();
    const delta = now >= last ? now - last : now;
    last = now;
    return delta;
  };
}
