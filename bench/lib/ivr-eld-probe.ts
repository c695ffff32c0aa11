/**
 * Event-loop delay probe preloaded into the daemon by `npm run bench:ivr` (node `--import`, after
 * tsx); nothing in src/ knows about it. A `monitorEventLoopDelay` histogram on a 5 ms timer runs
 * from the start; Node records the whole interval between two ticks, so the figures written are
 * the interval less the 5 ms: how late the timer fired. On SIGUSR2 it appends one JSON line to
 * $BENCH_ELD_OUT — the delays since the previous signal (p50, p99, max, mean, in ms, and the
 * count of samples) — and starts again. The bench signals at the start and at the end of its
 * measurement window and reads the second line. Cheap: one timer, no wrapping of anything.
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface EldSnapshot {
  atUs: number;
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export const ELD_RESOLUTION_MS = 5;

const out = process.env.BENCH_ELD_OUT;
if (out) {
  const h = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  h.enable();
  const ms = (ns: number) => Math.max(0, Math.round(ns / 1e4 - ELD_RESOLUTION_MS * 100) / 100);
  process.on('SIGUSR2', () => {
    const snap: EldSnapshot = { atUs: Number(process.hrtime.bigint() / 1000n), n: h.count, p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), meanMs: ms(h.mean) };
    appendFileSync(out, `${JSON.stringify(snap)}\n`);
    h.reset();
  });
}
