/**
 * The daemon's own Prometheus registry (prom-client), never prom-client's global one: every
 * daemon built in a process (tests build several) has its own metrics, and closing one leaves
 * the others alone.
 *
 * Process figures — event-loop delay, GC pauses, heap, RSS, CPU, handles — are prom-client's
 * default metrics on this registry. Trade-off: prom-client gives no way to stop what its
 * collectors start (an event-loop delay monitor and a GC PerformanceObserver, prometheus/client_js
 * issues 494 and 500), so each daemon built with them leaves those two behind when it closes. One
 * daemon per process (production) pays nothing for it; tests that build many daemons can turn
 * them off (`BuildOptions.defaultMetrics`).
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

/** GC pauses: minor collections take well under a millisecond, a major one can take a second. */
const GC_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export function createRegistry(opts: { defaultMetrics: boolean }): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, gcDurationBuckets: GC_BUCKETS_S });
  return registry;
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
