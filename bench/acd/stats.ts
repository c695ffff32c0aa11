/**
 * Percentiles for the ACD benchmark (nearest rank over sorted samples, nanoseconds in, printed
 * in microseconds). Kept here so the benchmark depends on nothing outside bench/acd.
 */

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(ns: readonly number[]): Summary {
  const sorted = Float64Array.from(ns).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    n: sorted.length,
    p50: percentile(Array.from(sorted), 50),
    p99: percentile(Array.from(sorted), 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** Nanoseconds as microseconds, fixed width. */
export function fmt(ns: number): string {
  const us = ns / 1000;
  return (us < 10 ? us.toFixed(2) : us < 1000 ? us.toFixed(1) : us.toFixed(0)).padStart(8);
}
