/**
 * A generated day (test/helpers/report-day.ts) read back through run-report: every count and sum
 * per queue, per agent and per 15/30/60-minute Shanghai interval equals what the generator wrote,
 * and the service level under each of the six formulas equals the one computed here from the
 * generator's counts with the formulas written out again (not kpi.ts's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport, type ReportRow } from '../../src/reports/data/run-report.ts';
import { SL_FORMULA_IDS, type SlFormulaId } from '../../src/reports/kpi.ts';
import { openDatabase, type OpenedDatabase } from '../../src/storage/database.ts';
import { SHANGHAI, writeReportDay, type ReportDayTruth, type TrueCounts } from '../helpers/report-day.ts';

const zeroCounts = (): TrueCounts => ({ offered: 0, answered: 0, answeredWithinT: 0, abandoned: 0, abandonedWithinT: 0, shortAbandoned: 0, other: 0, answerWaitMs: 0, talkMs: 0, holdMs: 0, wrapMs: 0 });
const COUNT_KEYS = ['offered', 'answered', 'answeredWithinT', 'abandoned', 'abandonedWithinT', 'shortAbandoned', 'other', 'answerWaitMs', 'talkMs', 'holdMs', 'wrapMs'] as const;
const VIP = { t: 10, s: 3 };

/** The six formulas from docs/reports.md, written out here from the truth. */
function trueSl(c: TrueCounts): Record<SlFormulaId, number | null> {
  const r = (n: number, d: number) => (d > 0 ? n / d : null);
  return {
    answeredOfOffered: r(c.answeredWithinT, c.answered + c.abandoned),
    answeredOfOfferedExclShort: r(c.answeredWithinT, c.answered + c.abandoned - c.shortAbandoned),
    answeredOnly: r(c.answeredWithinT, c.answered),
    excludeAbandonsWithinT: r(c.answeredWithinT, c.answered + c.abandoned - c.abandonedWithinT),
    abandonsWithinTGood: r(c.answeredWithinT + c.abandonedWithinT, c.answered + c.abandoned),
    shortAbandonsGood: r(c.answeredWithinT + c.shortAbandoned, c.answered + c.abandoned),
  };
}

function expectRowIsTruth(row: ReportRow, truth: TrueCounts): void {
  const counts = Object.fromEntries(COUNT_KEYS.map((k) => [k, row[k]]));
  expect(counts, row.key).toEqual(Object.fromEntries(COUNT_KEYS.map((k) => [k, truth[k]])));
  const sl = trueSl(truth);
  for (const id of SL_FORMULA_IDS) {
    if (sl[id] === null) expect(row.serviceLevelByFormula[id], `${row.key} ${id}`).toBeNull();
    else expect(row.serviceLevelByFormula[id], `${row.key} ${id}`).toBeCloseTo(sl[id], 12);
  }
  expect(row.serviceLevel).toBe(row.serviceLevelByFormula[row.formulaId]);
  if (truth.answered > 0) {
    expect(row.asaMs).toBeCloseTo(truth.answerWaitMs / truth.answered, 9);
    expect(row.ahtMs).toBeCloseTo((truth.talkMs + truth.holdMs + truth.wrapMs) / truth.answered, 9);
  }
  if (truth.offered > 0) expect(row.abandonRate).toBeCloseTo(truth.abandoned / truth.offered, 12);
}

let opened: OpenedDatabase;
let truth: ReportDayTruth;
const kpi = { defaults: { serviceLevelSeconds: 20, shortAbandonSeconds: 5 }, byQueue: { vip: { serviceLevelSeconds: VIP.t, shortAbandonSeconds: VIP.s, formula: 'answeredOnly' as const } } };

beforeAll(() => {
  opened = openDatabase({ file: ':memory:' });
  truth = writeReportDay(opened.sqlite, { seed: 20261202, date: '2026-12-01', agents: 14, abandons: 400, queueThresholds: { vip: VIP } });
});
afterAll(() => opened.close());

const run = (over: Partial<Parameters<typeof runReport>[1]> = {}) => runReport(opened.sqlite, { from: truth.from, to: truth.to, grouping: 'queue', timeZone: SHANGHAI, kpi, ...over });

describe('a generated Shanghai day, read back', () => {
  it('has enough of every kind to mean something', () => {
    const t = truth.total;
    expect(t.answered).toBeGreaterThan(1000);
    expect(t.abandoned).toBeGreaterThan(300);
    expect(t.shortAbandoned).toBeGreaterThan(50);
    expect(t.abandonedWithinT - t.shortAbandoned).toBeGreaterThan(50);
    expect(t.abandoned - t.abandonedWithinT).toBeGreaterThan(50);
    expect(t.answered - t.answeredWithinT).toBeGreaterThan(100);
    expect(t.other).toBe(8);
    expect(t.wrapMs).toBeGreaterThan(0);
    expect(t.holdMs).toBeGreaterThan(0);
  });

  it('per queue: every figure, each queue under its own T and S and formula', () => {
    const r = run();
    expect(r.rows.map((x) => x.key)).toEqual(['sales', 'support', 'vip']);
    for (const row of r.rows) expectRowIsTruth(row, truth.byQueue[row.key]!);
    const vip = r.rows.find((x) => x.key === 'vip')!;
    expect(vip).toMatchObject({ serviceLevelSeconds: 10, shortAbandonSeconds: 3, formulaId: 'answeredOnly', formula: 'SL = answered within 10 s / answered' });
    expect(r.formulas).toEqual(['SL = answered within 20 s / (answered + abandoned − abandoned within 5 s)', 'SL = answered within 10 s / answered']);
  });

  it('the total, under the report-wide settings', () => {
    const r = run();
    expectRowIsTruth(r.total, truth.total);
    expect(r.callsRead).toBe(truth.total.offered);
  });

  it('per agent: the calls each answered (not the agent it rang at first), and occupancy from the state log', () => {
    const r = run({ grouping: 'agent' });
    // Every agent with something in the day: answered calls, state rows, rings or outbound calls.
    const agents = new Set([...Object.keys(truth.byAgent), ...Object.keys(truth.states), ...Object.keys(truth.activity)]);
    expect(r.rows.map((x) => x.key).sort()).toEqual([...agents].sort());
    for (const row of r.rows) {
      expectRowIsTruth(row, truth.byAgent[row.key] ?? zeroCounts());
      const st = truth.states[row.key];
      if (!st) continue;
      expect(row.occupancy).toMatchObject(st);
      expect(row.occupancy!.occupancy).toBeCloseTo((st.busyMs + st.wrapMs) / (st.busyMs + st.wrapMs + st.availableMs), 12);
    }
    expect(r.formulas).toEqual([r.total.formula]);
  });

  it('per agent and per extension: rings, ring-no-answers, hang-ups while ringing and outbound calls as written', () => {
    const zero = { offers: 0, rona: 0, ringAbandoned: 0, outbound: 0, outboundAnswered: 0, outboundTalkMs: 0 };
    for (const [grouping, want] of [['agent', truth.activity], ['extension', truth.activityByExtension]] as const) {
      const r = run({ grouping });
      const sum = { ...zero };
      for (const row of r.rows) {
        expect(row.activity, `${grouping} ${row.key}`).toEqual(want[row.key] ?? zero);
        for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += row.activity![k];
      }
      for (const k of Object.keys(want)) expect(r.rows.some((x) => x.key === k), `${grouping} ${k} has a row`).toBe(true);
      expect(r.total.activity).toEqual(sum);
    }
    const all = Object.values(truth.activity);
    // Enough of each to mean something; and an agent who answered nothing still has a row.
    expect(all.reduce((n, a) => n + a.rona, 0)).toBeGreaterThan(20);
    expect(all.reduce((n, a) => n + a.ringAbandoned, 0)).toBeGreaterThan(5);
    expect(all.reduce((n, a) => n + a.outbound - a.outboundAnswered, 0)).toBeGreaterThan(5);
    // A queue named: only its rings; outbound calls belong to no queue.
    const q = run({ grouping: 'agent', queue: 'sales' });
    expect(q.total.activity!.outbound).toBe(0);
    expect(q.total.activity!.offers).toBeGreaterThan(0);
    expect(q.total.activity!.offers).toBeLessThan(run({ grouping: 'agent' }).total.activity!.offers);
  });

  it('by team: each team\'s counts are the sum of its agents\' (agents without a user row have no team)', () => {
    const r = run({ grouping: 'team' });
    const teams = [...new Set(Object.values(truth.teams))].sort();
    expect(r.rows.map((x) => x.key)).toEqual(teams);
    for (const row of r.rows) {
      const sum = Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as Record<string, number>;
      for (const [agent, team] of Object.entries(truth.teams)) {
        if (team !== row.key || !truth.byAgent[agent]) continue;
        for (const k of COUNT_KEYS) sum[k]! += truth.byAgent[agent]![k];
      }
      expect(Object.fromEntries(COUNT_KEYS.map((k) => [k, row[k]])), row.key).toEqual(sum);
    }
  });

  it('occupancy: every agent, with the team of today where a user row still exists', () => {
    const r = run();
    expect(r.occupancy.agents.map((a) => a.agent)).toEqual(truth.agents);
    for (const a of r.occupancy.agents) {
      expect(a, a.agent).toMatchObject(truth.states[a.agent]!);
      expect(a.team).toBe(truth.teams[a.agent] ?? null);
    }
  });

  it.each([
    ['15m', 96],
    ['30m', 48],
    ['60m', 24],
  ] as const)('per %s interval in Asia/Shanghai: %i intervals from local midnight, each equal to the truth', (size, n) => {
    const r = run({ grouping: 'interval', intervalSize: size });
    expect(r.rows).toHaveLength(n);
    expect(r.rows[0]!.key).toBe('2026-12-01T00:00+08:00');
    expect(r.rows[0]!.start).toBe(truth.from);
    r.rows.forEach((row, i) => expectRowIsTruth(row, truth.byInterval[size][i]!));
  });

  it('one queue, one agent', () => {
    const q = run({ queue: 'support' });
    expect(q.rows.map((x) => x.key)).toEqual(['support']);
    expectRowIsTruth(q.rows[0]!, truth.byQueue.support!);
    const agent = truth.agents[3]!;
    const a = run({ grouping: 'agent', agent });
    expect(a.rows.map((x) => x.key)).toEqual([agent]);
    expectRowIsTruth(a.rows[0]!, truth.byAgent[agent]!);
    expect(a.occupancy.agents.map((x) => x.agent)).toEqual([agent]);
  });

  it('a period with no calls: rows empty (intervals listed with zeros), ratios null', () => {
    const r = run({ from: truth.to + 3 * 86_400_000, to: truth.to + 4 * 86_400_000 });
    expect(r.rows).toEqual([]);
    expect(r.total.offered).toBe(0);
    expect(r.total.serviceLevel).toBeNull();
    const iv = run({ grouping: 'interval', intervalSize: '60m', from: truth.to + 3 * 86_400_000, to: truth.to + 4 * 86_400_000 });
    expect(iv.rows).toHaveLength(24);
    expect(iv.rows.every((x) => x.offered === 0 && x.asaMs === null)).toBe(true);
  });

  it('refuses a bad period, grouping, zone or setting with BAD_REQUEST and a reason', () => {
    const reason = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string; details?: { reason?: string } }).code + ':' + (e as { details?: { reason?: string } }).details?.reason;
      }
      return 'no error';
    };
    expect(reason(() => run({ from: truth.to, to: truth.from }))).toBe('BAD_REQUEST:BAD_PERIOD');
    expect(reason(() => run({ grouping: 'skill' as 'queue' }))).toBe('BAD_REQUEST:BAD_GROUPING');
    expect(reason(() => run({ grouping: 'interval', intervalSize: '5m' as '15m' }))).toBe('BAD_REQUEST:BAD_INTERVAL');
    expect(reason(() => run({ timeZone: 'Mars/Olympus' }))).toBe('BAD_REQUEST:BAD_TIME_ZONE');
    expect(reason(() => run({ kpi: { defaults: { shortAbandonSeconds: 30 } } }))).toBe('BAD_REQUEST:SHORT_OVER_T');
  });
});
