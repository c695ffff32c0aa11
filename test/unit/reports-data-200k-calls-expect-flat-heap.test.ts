/**
 * A 200,000-call day streamed through runReport with the JavaScript heap flat: the live heap
 * (measured after a full GC, every 20,000 calls read) grows by less than HEAP_BOUND over the
 * start, whereas the same probe sees the calls kept in an array (the control) grow it by more —
 * so the bound is one the measurement can break. SQLite's own memory (its temp B-trees for the
 * agent-row join) is native, outside the V8 heap, and not measured here.
 *
 * `global.gc` is taken from V8 at run time (`--expose-gc` on an already started isolate), as
 * vitest's forks do not pass the flag.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRecords } from '../../src/reports/data/call-rows.ts';
import { runReport } from '../../src/reports/data/run-report.ts';
import type { CallRecord } from '../../src/reports/kpi.ts';
import { openDatabase, type OpenedDatabase } from '../../src/storage/database.ts';
import { SHANGHAI, writeReportDay, type ReportDayTruth } from '../helpers/report-day.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
const HEAP_BOUND = 8 * MB;
const EVERY = 20_000;

let opened: OpenedDatabase;
let truth: ReportDayTruth;

beforeAll(() => {
  opened = openDatabase({ file: ':memory:' });
  truth = writeReportDay(opened.sqlite, { seed: 200_000, date: '2026-12-01', agents: 250, talkS: [20, 120], gapS: [5, 60], abandons: 120_000 });
}, 180_000);
afterAll(() => opened.close());

/** Live heap after a full GC. */
function liveHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('a 200,000-call day, streamed', () => {
  it('has 200,000 calls or more in the day', () => {
    expect(truth.total.offered).toBeGreaterThanOrEqual(200_000);
  });

  it('runReport by 15-minute interval: the figures are the truth, the live heap grows by less than 8 MiB', () => {
    const base = liveHeap();
    let peak = 0;
    let samples = 0;
    const r = runReport(opened.sqlite, {
      from: truth.from,
      to: truth.to,
      grouping: 'interval',
      intervalSize: '15m',
      timeZone: SHANGHAI,
      progressEvery: EVERY,
      onProgress: () => {
        samples++;
        peak = Math.max(peak, liveHeap() - base);
      },
    });
    expect(r.callsRead).toBe(truth.total.offered);
    expect(r.total).toMatchObject({ offered: truth.total.offered, answered: truth.total.answered, abandoned: truth.total.abandoned, wrapMs: truth.total.wrapMs, answerWaitMs: truth.total.answerWaitMs });
    r.rows.forEach((row, i) => expect([row.offered, row.answered, row.abandoned], row.key).toEqual([truth.byInterval['15m'][i]!.offered, truth.byInterval['15m'][i]!.answered, truth.byInterval['15m'][i]!.abandoned]));
    expect(samples).toBeGreaterThanOrEqual(10);
    expect(peak).toBeLessThan(HEAP_BOUND);
  }, 120_000);

  it('control: the same probe sees the calls kept in an array grow the heap past the bound', () => {
    const base = liveHeap();
    let peak = 0;
    const kept: CallRecord[] = [];
    for (const c of callRecords(opened.sqlite, { from: truth.from, to: truth.to })) {
      kept.push(c);
      if (kept.length % EVERY === 0) peak = Math.max(peak, liveHeap() - base);
    }
    expect(kept.length).toBe(truth.total.offered);
    expect(peak).toBeGreaterThan(HEAP_BOUND);
  }, 120_000);
});
