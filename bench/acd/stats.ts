/**
 * Printing for the ACD benchmark: per-decision times are nanoseconds, printed in microseconds.
 * Percentiles are the benchmarks' common ones (bench/lib/stats.ts).
 */
export { summarize, type Summary } from '../lib/stats.ts';

/** Nanoseconds as microseconds, fixed width. */
export function fmt(ns: number): string {
  const us = ns / 1000;
  return (us < 10 ? us.toFixed(2) : us < 1000 ? us.toFixed(1) : us.toFixed(0)).padStart(8);
}
