/**
 * Diagnostic probe preloaded into the daemon by `npm run bench:e2e -- --probe` (node `--import`,
 * after tsx); nothing in src/ knows about it. From inside the daemon process it records:
 * - event-loop stalls: a 5 ms interval timer that fired late by more than STALL_MS, with when;
 * - GC pauses (PerformanceObserver `gc`), with when and how long;
 * - every SQLite statement run through better-sqlite3 (`run`/`get`/`all` on the statement
 *   prototype, which drizzle and better-sqlite3's own BEGIN/COMMIT use), with its SQL and time,
 *   and each one slower than SLOW_SQL_MS individually.
 * At exit it writes one JSON file to $BENCH_PROBE_OUT. Times are monotonic microseconds, the same
 * clock as `process.hrtime` in the bench process. Only for measurement: it adds a little work to
 * every statement.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';

const STALL_MS = 10;
const TICK_MS = 5;
const SLOW_SQL_MS = 2;

export interface ProbeReport {
  stalls: { atUs: number; lateMs: number }[];
  gc: { atUs: number; ms: number; kind: number }[];
  sql: { atUs: number; ms: number; sql: string }[];
  sqlBySecond: { second: number; ms: number; count: number }[];
  sqlByStatement: { sql: string; count: number; ms: number; maxMs: number }[];
}

const out = process.env.BENCH_PROBE_OUT;
if (out) install(out);

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function install(file: string): void {
  const stalls: ProbeReport['stalls'] = [];
  const gc: ProbeReport['gc'] = [];
  const slowSql: ProbeReport['sql'] = [];
  const byStatement = new Map<string, { count: number; ns: bigint; maxNs: bigint }>();
  const bySecond = new Map<number, { ns: bigint; count: number }>();

  // Event-loop stalls.
  let last = nowUs();
  setInterval(() => {
    const t = nowUs();
    const late = (t - last) / 1000 - TICK_MS;
    if (late > STALL_MS) stalls.push({ atUs: t, lateMs: Math.round(late * 100) / 100 });
    last = t;
  }, TICK_MS).unref();

  // GC pauses; performance.now() is ms since timeOrigin, converted to the monotonic µs clock.
  const offsetUs = nowUs() - performance.now() * 1000;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      gc.push({ atUs: Math.round(offsetUs + e.startTime * 1000), ms: Math.round(e.duration * 1000) / 1000, kind: e.detail?.kind ?? 0 });
    }
  }).observe({ entryTypes: ['gc'] });

  // SQLite statements: wrap the methods of better-sqlite3's Statement prototype.
  const require = createRequire(import.meta.url);
  const Database = require('better-sqlite3') as new (file: string) => { prepare(sql: string): object; close(): void };
  const scratch = new Database(':memory:');
  const proto = Object.getPrototypeOf(scratch.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  scratch.close();
  for (const method of ['run', 'get', 'all'] as const) {
    const original = proto[method]!;
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      const t0 = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const ns = process.hrtime.bigint() - t0;
        const source = this.source;
        const s = byStatement.get(source) ?? { count: 0, ns: 0n, maxNs: 0n };
        s.count++;
        s.ns += ns;
        if (ns > s.maxNs) s.maxNs = ns;
        byStatement.set(source, s);
        const second = Math.floor(Number(t0 / 1_000_000_000n));
        const b = bySecond.get(second) ?? { ns: 0n, count: 0 };
        b.ns += ns;
        b.count++;
        bySecond.set(second, b);
        if (ns > BigInt(SLOW_SQL_MS * 1e6)) slowSql.push({ atUs: Number(t0 / 1000n), ms: Number(ns) / 1e6, sql: source.slice(0, 120) });
      }
    };
  }

  process.on('exit', () => {
    const report: ProbeReport = {
      stalls,
      gc,
      sql: slowSql,
      sqlBySecond: [...bySecond.entries()].map(([second, b]) => ({ second, ms: Number(b.ns) / 1e6, count: b.count })),
      sqlByStatement: [...byStatement.entries()].map(([sql, s]) => ({ sql: sql.slice(0, 160), count: s.count, ms: Number(s.ns) / 1e6, maxMs: Number(s.maxNs) / 1e6 })),
    };
    try {
      writeFileSync(file, JSON.stringify(report));
    } catch (err) {
      process.stderr.write(`daemon probe: could not write ${file}: ${(err as Error).message}\n`);
    }
  });
}
