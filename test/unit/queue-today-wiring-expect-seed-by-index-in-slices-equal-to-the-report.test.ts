/**
 * The wiring of the live queue figures (src/wiring/queue-today.ts) on a real SQLite database:
 * the seed reads today's calls rows by `calls_offered_at_idx` in slices (several slices, calls
 * offered at the same ms across a slice's edge, yesterday's and queue-less rows left out) and
 * gives the figures `runReport` gives for the local day, queue by queue, each under its own
 * settings; rows written through `records()` are counted as written and the queue told; the
 * midnight timer starts the next day.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCall } from '../../src/core/calls/call.ts';
import { runReport } from '../../src/reports/data/run-report.ts';
import { intervalOf } from '../../src/reports/intervals.ts';
import type { KpiConfig } from '../../src/reports/kpi.ts';
import { toRow } from '../../src/services/call-rows.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';
import { SEED_SLICE, SEED_SQL, startQueueToday } from '../../src/wiring/queue-today.ts';
import { seededRandom } from '../../src/recording/qa/random.ts';

const TZ = 'Asia/Shanghai';
const NOW = Date.parse('2026-12-02T09:00:00Z'); // 17:00 local
const day = intervalOf(NOW, 'day', TZ);
const KPI: Record<string, Partial<KpiConfig>> = { sales: { serviceLevelSeconds: 10, shortAbandonSeconds: 2 }, support: { serviceLevelSeconds: 30, shortAbandonSeconds: 5, formula: 'answeredOnly' } };

let db: TempDatabase;
beforeAll(() => {
  db = openTempDatabase();
});
afterAll(() => db?.dispose());

interface Spec {
  id: string;
  queue: string | null;
  offeredAt: number;
  answeredAt?: number | null;
  endedAt?: number | null;
  outcome?: string | null;
}

function rowOf(s: Spec) {
  const call = newCall(s.id, `pbx-${s.id}`, s.offeredAt);
  call.direction = 'inbound';
  call.queue = s.queue;
  call.answeredAt = s.answeredAt ?? null;
  call.endedAt = s.endedAt ?? null;
  call.outcome = s.outcome ?? null;
  return toRow(call);
}

function fakeTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  return { pending, setTimeout: (fn: () => void, ms: number) => (pending.push({ fn, ms }), pending.length - 1), clearTimeout: () => {} };
}

describe('seed and live rows', () => {
  it('seeds in slices by the index, equal to runReport for the local day; live rows counted as written', async () => {
    const rnd = seededRandom(42);
    const n = SEED_SLICE * 2 + 500;
    const specs: Spec[] = [];
    for (let i = 0; i < n; i++) {
      // Several calls at the same ms, so that slices end inside a run of equal offered_at.
      const offeredAt = day.start + Math.floor(i / 7) * 1000;
      const r = rnd();
      const queue = i % 50 === 0 ? null : rnd() < 0.6 ? 'sales' : 'support';
      const wait = Math.floor(rnd() * 40_000);
      if (r < 0.6) specs.push({ id: `c${i}`, queue, offeredAt, answeredAt: offeredAt + wait, endedAt: offeredAt + wait + 60_000, outcome: 'answered' });
      else if (r < 0.85) specs.push({ id: `c${i}`, queue, offeredAt, endedAt: offeredAt + wait, outcome: 'abandoned' });
      else if (r < 0.95) specs.push({ id: `c${i}`, queue, offeredAt, endedAt: offeredAt + wait, outcome: 'overflow' });
      else specs.push({ id: `c${i}`, queue, offeredAt }); // still waiting
    }
    specs.push({ id: 'yesterday', queue: 'sales', offeredAt: day.start - 1, endedAt: day.start + 5000, outcome: 'abandoned' });
    specs.push({ id: 'tomorrow', queue: 'sales', offeredAt: day.end, endedAt: day.end + 5000, outcome: 'abandoned' });
    for (const s of specs) db.repos.calls.insert(rowOf(s));

    const changed = new Set<string>();
    const timers = fakeTimers();
    const w = startQueueToday({ sqlite: db.sqlite, queueKpi: () => KPI, timeZone: TZ, clock: { now: () => NOW }, timers, log: pino({ level: 'silent' }), onChange: (q) => changed.add(q) });
    expect(w.tally.figures('sales', w.kpiOf('sales'), NOW).offered).toBe(0); // the seed is not on the start path
    await w.seeded;
    expect(changed).toEqual(new Set(['sales', 'support']));

    const report = runReport(db.sqlite, { from: day.start, to: day.end, grouping: 'queue', timeZone: TZ, kpi: { byQueue: KPI } });
    for (const queue of ['sales', 'support']) {
      const row = report.rows.find((r) => r.key === queue)!;
      const f = w.tally.figures(queue, w.kpiOf(queue), NOW);
      expect(f).toMatchObject({ day: day.label, offered: row.offered, answered: row.answered, answeredWithinSl: row.answeredWithinT, abandoned: row.abandoned, shortAbandoned: row.shortAbandoned, abandonedWithinSl: row.abandonedWithinT, other: row.other, serviceLevel: row.serviceLevel, abandonRate: row.abandonRateExclShort, slThresholdS: row.serviceLevelSeconds, shortAbandonS: row.shortAbandonSeconds, formula: row.formula });
    }
    expect(report.total.offered).toBeGreaterThan(SEED_SLICE * 2);
    const waiting = specs.filter((s) => s.queue && s.endedAt === undefined).length;
    expect(w.tally.memorySize.open).toBe(waiting);

    // Live rows through the records port: counted as written, an open seeded call taken back.
    const records = w.records(db.repos.calls);
    changed.clear();
    const before = w.tally.figures('sales', w.kpiOf('sales'), NOW);
    records.insert(rowOf({ id: 'live', queue: 'sales', offeredAt: NOW - 3000 }));
    records.update('live', rowOf({ id: 'live', queue: 'sales', offeredAt: NOW - 3000, answeredAt: NOW }));
    const open = specs.find((s) => s.queue === 'sales' && s.endedAt === undefined)!;
    records.update(open.id, rowOf({ ...open, endedAt: NOW, outcome: 'abandoned' }));
    records.update(open.id, { endedAt: NOW }); // a partial patch: written, not counted
    const after = w.tally.figures('sales', w.kpiOf('sales'), NOW);
    expect(changed).toEqual(new Set(['sales']));
    expect(after).toMatchObject({ offered: before.offered + 1, answered: before.answered + 1, answeredWithinSl: before.answeredWithinSl + 1, abandoned: before.abandoned + 1, other: before.other - 1 });
    const again = runReport(db.sqlite, { from: day.start, to: day.end, grouping: 'queue', timeZone: TZ, kpi: { byQueue: KPI } }).rows.find((r) => r.key === 'sales')!;
    expect({ offered: after.offered, answered: after.answered, abandoned: after.abandoned, serviceLevel: after.serviceLevel }).toEqual({ offered: again.offered, answered: again.answered, abandoned: again.abandoned, serviceLevel: again.serviceLevel });

    // The queues' settings are read once, and again after an admin change of the queues.
    let reads = 0;
    const w2 = startQueueToday({ sqlite: db.sqlite, queueKpi: () => (reads++, KPI), timeZone: TZ, clock: { now: () => NOW }, timers: fakeTimers(), log: pino({ level: 'silent' }), onChange: () => {} });
    w2.kpiOf('sales');
    w2.kpiOf('support');
    w2.kpiOf('sales');
    expect(reads).toBe(1);
    w2.queuesChanged();
    w2.kpiOf('sales');
    expect(reads).toBe(3); // once for the queues to tell, once for the book
    expect(w2.kpiOf('nobody')).toMatchObject({ serviceLevelSeconds: 20, shortAbandonSeconds: 5, formula: 'answeredOfOfferedExclShort' });
    await w2.seeded;
    w.close();
    w2.close();

    // The midnight timer: armed for the local midnight, it starts the next day.
    expect(timers.pending).toHaveLength(1);
    expect(timers.pending[0]!.ms).toBe(day.end - NOW + 1);
  });

  it('the midnight timer starts the next day and tells the queues', async () => {
    let now = NOW;
    const changed: string[] = [];
    const timers = fakeTimers();
    const w = startQueueToday({ sqlite: db.sqlite, queueKpi: () => KPI, timeZone: TZ, clock: { now: () => now }, timers, log: pino({ level: 'silent' }), onChange: (q) => changed.push(q) });
    await w.seeded;
    expect(w.tally.figures('sales', w.kpiOf('sales'), now).offered).toBeGreaterThan(0);
    changed.length = 0;
    now = day.end + 1;
    timers.pending[0]!.fn();
    expect(w.tally.day.label).toBe('2026-12-03');
    expect(new Set(changed)).toEqual(new Set(['sales', 'support']));
    expect(w.tally.figures('sales', w.kpiOf('sales'), now).offered).toBe(0);
    expect(timers.pending).toHaveLength(2); // armed again for the next midnight
    w.close();
  });

  it('reads by calls_offered_at_idx', () => {
    const plan = db.sqlite.prepare(`EXPLAIN QUERY PLAN ${SEED_SQL}`).all({ after: 0, afterId: '', to: 1, limit: 10 }) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' | ')).toMatch(/USING INDEX calls_offered_at_idx \(offered_at>\? AND offered_at<\?\)/);
  });
});
