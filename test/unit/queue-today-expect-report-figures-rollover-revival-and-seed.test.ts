/**
 * The live `today` figures of a queue (src/services/queue-today.ts): the same counts and service
 * levels as the KPI report's accumulator over the same rows (call-rows.ts `callRecordOf`), for
 * every formula and whole-second T and S, whatever the order of the rows' changes; a call counted
 * once as it goes waiting → answered → ended; moved between queues; revived; the local midnight
 * (Asia/Shanghai: 16:00 UTC) zeroing the figures; the seed from the database with live rows
 * winning.
 */
import { describe, expect, it } from 'vitest';
import { callRecordOf, type CallReportRow } from '../../src/reports/data/call-rows.ts';
import { CallKpiAccumulator, SL_FORMULA_IDS, kpiConfig } from '../../src/reports/kpi.ts';
import { QueueToday, waitBucket, type TodayRow } from '../../src/services/queue-today.ts';
import { seededRandom } from '../../src/recording/qa/random.ts';

const TZ = 'Asia/Shanghai';
/** 2026-12-02 10:00 local. */
const DAY = Date.parse('2026-12-02T02:00:00Z');
const MIDNIGHT = Date.parse('2026-12-02T16:00:00Z');
const S = 1000;

const row = (id: string, over: Partial<TodayRow> = {}): TodayRow => ({ id, queueId: 'sales', offeredAt: DAY, answeredAt: null, endedAt: null, outcome: null, ...over });

function reportRow(r: TodayRow): CallReportRow {
  return { id: r.id, queue_id: r.queueId!, offered_at: r.offeredAt, answered_at: r.answeredAt, ended_at: r.endedAt, talk_ms: null, hold_ms: null, outcome: r.outcome, first_agent: null, answer_agent: null, answer_extension: null, wrap_ms: null, team: null };
}

function reportCounts(rows: TodayRow[], config = kpiConfig()) {
  const acc = new CallKpiAccumulator(config);
  for (const r of rows) acc.add(callRecordOf(reportRow(r)));
  return acc.result();
}

describe('counts as the report does', () => {
  it('the hand-checked calls: answered at 0–45 s, abandoned at 5–60 s, one overflowed', () => {
    const t = new QueueToday({ timeZone: TZ, now: DAY });
    const final: TodayRow[] = [];
    let n = 0;
    const add = (r: TodayRow) => {
      t.row(r, DAY + 120 * S);
      final.push(r);
    };
    for (const w of [0, 5_000, 10_000, 15_000, 19_999, 20_000, 20_001, 45_000]) add(row(`a${n++}`, { answeredAt: DAY + w, endedAt: DAY + w + 60 * S, outcome: 'answered' }));
    for (const w of [5_000, 5_001, 20_000, 20_001, 60_000]) add(row(`b${n++}`, { endedAt: DAY + w, outcome: 'abandoned' }));
    add(row(`c${n++}`, { answeredAt: DAY + 70 * S, endedAt: DAY + 90 * S, outcome: 'overflow' }));

    const f = t.figures('sales', kpiConfig({ serviceLevelSeconds: 20, shortAbandonSeconds: 5 }), DAY + 200 * S);
    expect(f).toMatchObject({ day: '2026-12-02', offered: 14, answered: 8, answeredWithinSl: 6, abandoned: 5, shortAbandoned: 1, abandonedWithinSl: 3, other: 1, slThresholdS: 20, shortAbandonS: 5, formulaId: 'answeredOfOfferedExclShort' });
    expect(f.serviceLevel).toBeCloseTo(6 / 12, 12);
    expect(f.abandonRate).toBeCloseTo(4 / 13, 12);
    expect(f.formula).toBe('SL = answered within 20 s / (answered + abandoned − abandoned within 5 s)');
    for (const formula of SL_FORMULA_IDS) {
      const config = kpiConfig({ serviceLevelSeconds: 20, shortAbandonSeconds: 5, formula });
      expect(t.figures('sales', config, DAY).serviceLevel, formula).toBe(reportCounts(final, config).serviceLevel.value);
    }
  });

  it('random days, rows changing in random order, random T and S: equal to the report every time', () => {
    const rnd = seededRandom(9);
    for (let round = 0; round < 40; round++) {
      const t = new QueueToday({ timeZone: TZ, now: DAY });
      const open: TodayRow[] = [];
      const final = new Map<string, TodayRow>();
      let now = DAY;
      for (let i = 0; i < 200; i++) {
        now += Math.floor(rnd() * 3000);
        // A new call waiting, or a step of one in progress.
        if (open.length === 0 || rnd() < 0.4) {
          const r = row(`r${round}-${i}`, { queueId: rnd() < 0.5 ? 'sales' : 'support', offeredAt: now });
          open.push(r);
          t.row(r, now);
          final.set(r.id, r);
          continue;
        }
        const k = Math.floor(rnd() * open.length);
        const r = { ...open[k]! };
        const step = rnd();
        if (r.answeredAt === null && step < 0.4) r.answeredAt = now;
        else if (step < 0.5) r.queueId = r.queueId === 'sales' ? 'support' : 'sales';
        else {
          r.endedAt = now;
          r.outcome = r.answeredAt !== null ? (rnd() < 0.9 ? 'answered' : 'overflow') : ['abandoned', 'abandoned', 'overflow', 'maxWait', 'lost'][Math.floor(rnd() * 5)]!;
          open.splice(k, 1);
        }
        if (r.endedAt === null) open[k] = r;
        t.row(r, now);
        final.set(r.id, r);
      }
      for (const queue of ['sales', 'support']) {
        const rows = [...final.values()].filter((r) => r.queueId === queue);
        const tS = 1 + Math.floor(rnd() * 60);
        const config = kpiConfig({ serviceLevelSeconds: tS, shortAbandonSeconds: Math.floor(rnd() * tS), formula: SL_FORMULA_IDS[Math.floor(rnd() * SL_FORMULA_IDS.length)]! });
        const want = reportCounts(rows, config);
        const got = t.figures(queue, config, now);
        expect({ offered: got.offered, answered: got.answered, answeredWithinT: got.answeredWithinSl, abandoned: got.abandoned, abandonedWithinT: got.abandonedWithinSl, shortAbandoned: got.shortAbandoned, other: got.other, answerWaitMs: Math.round((got.asaMs ?? 0) * got.answered) }).toEqual({
          offered: want.counts.offered,
          answered: want.counts.answered,
          answeredWithinT: want.counts.answeredWithinT,
          abandoned: want.counts.abandoned,
          abandonedWithinT: want.counts.abandonedWithinT,
          shortAbandoned: want.counts.shortAbandoned,
          other: want.counts.other,
          answerWaitMs: want.counts.answerWaitMs,
        });
        expect(got.serviceLevel).toBe(want.serviceLevel.value);
        expect(got.abandonRate).toBe(want.abandonRateExclShort);
      }
      expect(t.memorySize.open).toBe(open.length);
    }
  });

  it('wait buckets: exactly T is within T, a ms more is not', () => {
    expect(waitBucket(0)).toBe(0);
    expect(waitBucket(20_000)).toBe(20);
    expect(waitBucket(20_001)).toBe(21);
    expect(waitBucket(-5)).toBe(0);
    expect(waitBucket(10 * 3_600_000)).toBe(3601);
  });

  it('nothing offered: zeros and null rates, never NaN', () => {
    const f = new QueueToday({ timeZone: TZ, now: DAY }).figures('sales', kpiConfig(), DAY);
    expect(f).toMatchObject({ offered: 0, answered: 0, serviceLevel: null, abandonRate: null, asaMs: null, day: '2026-12-02' });
  });
});

describe('a call through its life', () => {
  it('counts once: waiting (other), answered, ended; moved to another queue; calls of no queue left out', () => {
    const changed: string[] = [];
    const t = new QueueToday({ timeZone: TZ, now: DAY, onChange: (q) => changed.push(q) });
    const c = kpiConfig();
    t.row(row('x'), DAY);
    expect(t.figures('sales', c, DAY)).toMatchObject({ offered: 1, other: 1, answered: 0 });
    t.row(row('x', { queueId: 'support' }), DAY + S);
    expect(t.figures('sales', c, DAY)).toMatchObject({ offered: 0 });
    expect(t.figures('support', c, DAY)).toMatchObject({ offered: 1, other: 1 });
    t.row(row('x', { queueId: 'support', answeredAt: DAY + 12 * S }), DAY + 12 * S);
    t.row(row('x', { queueId: 'support', answeredAt: DAY + 12 * S }), DAY + 13 * S); // unchanged row: nothing
    expect(t.figures('support', c, DAY)).toMatchObject({ offered: 1, other: 0, answered: 1, answeredWithinSl: 1, asaMs: 12_000, serviceLevel: 1 });
    changed.length = 0;
    t.row(row('x', { queueId: 'support', answeredAt: DAY + 12 * S, endedAt: DAY + 99 * S, outcome: 'answered' }), DAY + 99 * S);
    expect(changed).toEqual([]); // still answered after 12 s: the figures did not change
    expect(t.figures('support', c, DAY)).toMatchObject({ offered: 1, answered: 1 });
    t.row(row('y', { queueId: null }), DAY);
    expect(t.memorySize).toMatchObject({ open: 0, recent: 1, queues: 2 });
  });

  it('a call revived after it ended (same id) takes its part back', () => {
    const t = new QueueToday({ timeZone: TZ, now: DAY });
    const c = kpiConfig();
    t.row(row('x'), DAY);
    t.row(row('x', { endedAt: DAY + 30 * S, outcome: 'abandoned' }), DAY + 30 * S);
    expect(t.figures('sales', c, DAY)).toMatchObject({ offered: 1, abandoned: 1 });
    t.row(row('x'), DAY + 31 * S);
    expect(t.figures('sales', c, DAY)).toMatchObject({ offered: 1, abandoned: 0, other: 1 });
    t.row(row('x', { answeredAt: DAY + 40 * S }), DAY + 40 * S);
    expect(t.figures('sales', c, DAY)).toMatchObject({ offered: 1, abandoned: 0, answered: 1, answeredWithinSl: 0 });
  });

  it('keeps ended calls for revival within bounds only', () => {
    const t = new QueueToday({ timeZone: TZ, now: DAY, recentMax: 3, recentMs: 60 * S });
    for (let i = 0; i < 10; i++) t.row(row(`e${i}`, { endedAt: DAY + i, outcome: 'abandoned' }), DAY + i);
    expect(t.memorySize.recent).toBe(3);
    t.row(row('late', { endedAt: DAY + 120 * S, outcome: 'abandoned' }), DAY + 120 * S);
    expect(t.memorySize.recent).toBe(1);
  });

  it('a call ended, revived and ended again is kept once, from its last end', () => {
    const t = new QueueToday({ timeZone: TZ, now: DAY, recentMax: 2, recentMs: 60 * S });
    t.row(row('x', { endedAt: DAY + S, outcome: 'abandoned' }), DAY + S);
    t.row(row('x'), DAY + 2 * S);
    expect(t.memorySize).toMatchObject({ open: 1, recent: 0 });
    t.row(row('x', { endedAt: DAY + 50 * S, outcome: 'abandoned' }), DAY + 50 * S);
    expect(t.memorySize).toMatchObject({ open: 0, recent: 1 });
    // 61 s after its first end but 11 s after its last: still kept, and still taken back if revived.
    t.row(row('y', { endedAt: DAY + 62 * S, outcome: 'abandoned' }), DAY + 62 * S);
    expect(t.memorySize.recent).toBe(2);
    t.row(row('x', { answeredAt: DAY + 63 * S }), DAY + 63 * S);
    expect(t.figures('sales', kpiConfig(), DAY + 63 * S)).toMatchObject({ offered: 2, abandoned: 1, answered: 1 });
  });
});

describe('the local day', () => {
  it('rolls over at local midnight: figures zero, the queues told, yesterday’s calls stay out', () => {
    const changed = new Set<string>();
    const t = new QueueToday({ timeZone: TZ, now: DAY, onChange: (q) => changed.add(q) });
    const c = kpiConfig();
    t.row(row('old', { offeredAt: MIDNIGHT - 10 * S }), MIDNIGHT - 10 * S);
    t.row(row('done', { offeredAt: MIDNIGHT - 60 * S, answeredAt: MIDNIGHT - 55 * S, endedAt: MIDNIGHT - 20 * S, outcome: 'answered' }), MIDNIGHT - 20 * S);
    expect(t.figures('sales', c, MIDNIGHT - 1)).toMatchObject({ day: '2026-12-02', offered: 2, answered: 1 });
    changed.clear();
    expect(t.rollover(MIDNIGHT - 1)).toBe(false);
    expect(t.rollover(MIDNIGHT)).toBe(true);
    expect([...changed]).toEqual(['sales']);
    expect(t.day).toEqual({ label: '2026-12-03', start: MIDNIGHT, end: MIDNIGHT + 86_400_000 });
    expect(t.figures('sales', c, MIDNIGHT)).toMatchObject({ day: '2026-12-03', offered: 0 });
    // The call offered before midnight is answered after it: it counts on the day it was offered.
    t.row(row('old', { offeredAt: MIDNIGHT - 10 * S, answeredAt: MIDNIGHT + 5 * S }), MIDNIGHT + 5 * S);
    t.row(row('new', { offeredAt: MIDNIGHT + 6 * S }), MIDNIGHT + 6 * S);
    expect(t.figures('sales', c, MIDNIGHT + 7 * S)).toMatchObject({ offered: 1, answered: 0, other: 1 });
  });

  it('a row written after midnight rolls the day over by itself (no timer needed)', () => {
    const t = new QueueToday({ timeZone: TZ, now: DAY });
    t.row(row('a'), DAY);
    t.row(row('b', { offeredAt: MIDNIGHT + S }), MIDNIGHT + S);
    expect(t.figures('sales', kpiConfig(), MIDNIGHT + S)).toMatchObject({ day: '2026-12-03', offered: 1 });
  });
});

describe('the seed from the database', () => {
  it('counts today’s rows; a row written live meanwhile wins; an open seeded call is taken back when it changes', () => {
    const t = new QueueToday({ timeZone: TZ, now: DAY });
    const c = kpiConfig();
    t.beginSeed();
    t.row(row('live', { answeredAt: DAY + 3 * S }), DAY + 3 * S); // written while the seed reads
    t.seed(row('live'), DAY + 4 * S); // its older row as the seed read it
    t.seed(row('ended', { endedAt: DAY + 2 * S, outcome: 'abandoned' }), DAY + 4 * S);
    t.seed(row('open'), DAY + 4 * S);
    t.seed(row('yesterday', { offeredAt: DAY - 86_400_000 }), DAY + 4 * S);
    t.endSeed();
    expect(t.figures('sales', c, DAY + 5 * S)).toMatchObject({ offered: 3, answered: 1, abandoned: 1, shortAbandoned: 1, other: 1 });
    t.row(row('open', { answeredAt: DAY + 30 * S }), DAY + 30 * S);
    expect(t.figures('sales', c, DAY + 30 * S)).toMatchObject({ offered: 3, answered: 2, answeredWithinSl: 1, other: 0 });
  });
});

describe('the queue’s settings', () => {
  it('apply when the figures are read: a new T counts the whole day again', () => {
    const t = new QueueToday({ timeZone: TZ, now: DAY });
    for (const [i, w] of [5, 15, 25, 35].entries()) t.row(row(`a${i}`, { answeredAt: DAY + w * S, endedAt: DAY + 99 * S, outcome: 'answered' }), DAY + 99 * S);
    expect(t.figures('sales', kpiConfig({ serviceLevelSeconds: 20 }), DAY).serviceLevel).toBe(0.5);
    expect(t.figures('sales', kpiConfig({ serviceLevelSeconds: 30 }), DAY).serviceLevel).toBe(0.75);
    expect(t.figures('sales', kpiConfig({ serviceLevelSeconds: 3600, formula: 'answeredOnly' }), DAY).serviceLevel).toBe(1);
  });
});
