/**
 * Call KPIs (src/reports/kpi.ts) on 14 calls computed by hand, T = 20 s, S = 5 s:
 *   answered (8) after 0, 5, 10, 15, 19.999, 20 (exactly T: within), 20.001 and 45 s → 6 within T;
 *   abandoned (5) after 5 (exactly S: short), 5.001 (not short), 20 (exactly T: within T),
 *   20.001 and 60 s → 3 within T, 1 short;
 *   1 overflowed (neither answered nor abandoned).
 * Every SL formula gives a different number; ASA 135 000 / 8 ms, AHT 2 330 / 8 s; zero offered
 * gives null, never NaN; per-queue settings and the printed formula; grouping; config checks.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { CallKpiAccumulator, GroupedCallKpis, SL_FORMULA_IDS, SL_FORMULAS, byAgent, byQueue, kpiConfig, kpiConfigBook, printFormula, type CallRecord } from '../../src/reports/kpi.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const S = 1000;

function answered(waitMs: number, talkS: number, holdS: number, agent: string, queue = 'sales'): CallRecord {
  const answeredAt = T0 + waitMs;
  return { queue, offeredAt: T0, answeredAt, abandonedAt: null, endedAt: answeredAt + (talkS + holdS) * S, talkMs: talkS * S, holdMs: holdS * S, wrapMs: 10 * S, agent, team: 'blue' };
}
function abandoned(waitMs: number, queue = 'sales'): CallRecord {
  return { queue, offeredAt: T0, answeredAt: null, abandonedAt: T0 + waitMs, endedAt: T0 + waitMs, talkMs: 0, holdMs: 0, wrapMs: 0, agent: null };
}

const calls: CallRecord[] = [
  answered(0, 60, 0, 'ann'),
  answered(5_000, 120, 0, 'bob'),
  answered(10_000, 180, 30, 'ann'),
  answered(15_000, 240, 0, 'bob'),
  answered(19_999, 300, 0, 'ann'),
  answered(20_000, 360, 60, 'bob'),
  answered(20_001, 420, 0, 'ann'),
  answered(45_000, 480, 0, 'bob'),
  abandoned(5_000),
  abandoned(5_001),
  abandoned(20_000),
  abandoned(20_001),
  abandoned(60_000),
  { queue: 'sales', offeredAt: T0, answeredAt: null, abandonedAt: null, endedAt: T0 + 90_000, talkMs: 0, holdMs: 0, wrapMs: 0, agent: null },
];

function kpisOf(records: CallRecord[], config = kpiConfig()) {
  const acc = new CallKpiAccumulator(config);
  for (const r of records) acc.add(r);
  return acc.result();
}

describe('the hand-computed day', () => {
  const k = kpisOf(calls, kpiConfig({ serviceLevelSeconds: 20, shortAbandonSeconds: 5 }));

  it('counts with inclusive thresholds (exactly T is within T, exactly S is short)', () => {
    expect(k.counts).toEqual({ offered: 14, answered: 8, answeredWithinT: 6, abandoned: 5, abandonedWithinT: 3, shortAbandoned: 1, other: 1, answerWaitMs: 135_000, talkMs: 2_160_000, holdMs: 90_000, wrapMs: 80_000 });
  });

  it('gives six different service levels, one per formula', () => {
    expect(k.serviceLevelByFormula.answeredOfOffered).toBeCloseTo(6 / 13, 12); // 46.2 %
    expect(k.serviceLevelByFormula.answeredOfOfferedExclShort).toBeCloseTo(6 / 12, 12); // 50.0 %
    expect(k.serviceLevelByFormula.answeredOnly).toBeCloseTo(6 / 8, 12); // 75.0 %
    expect(k.serviceLevelByFormula.excludeAbandonsWithinT).toBeCloseTo(6 / 10, 12); // 60.0 %
    expect(k.serviceLevelByFormula.abandonsWithinTGood).toBeCloseTo(9 / 13, 12); // 69.2 %
    expect(k.serviceLevelByFormula.shortAbandonsGood).toBeCloseTo(7 / 13, 12); // 53.8 %
    expect(new Set(Object.values(k.serviceLevelByFormula)).size).toBe(SL_FORMULA_IDS.length);
  });

  it('reports the configured formula, printed with its T and S', () => {
    expect(k.serviceLevel).toEqual({ id: 'answeredOfOfferedExclShort', formula: 'SL = answered within 20 s / (answered + abandoned − abandoned within 5 s)', value: 0.5 });
  });

  it('ASA 16.875 s, AHT (talk + hold + wrap) / answered = 291.25 s', () => {
    expect(k.asaMs).toBe(16_875);
    expect(k.ahtMs).toBe(291_250);
  });

  it('abandonment 5/14, without short abandons 4/13, short 1/14', () => {
    expect(k.abandonRate).toBeCloseTo(5 / 14, 12);
    expect(k.abandonRateExclShort).toBeCloseTo(4 / 13, 12);
    expect(k.shortAbandonRate).toBeCloseTo(1 / 14, 12);
  });

  it('moving T or S by one second moves the boundary calls', () => {
    const k19 = kpisOf(calls, kpiConfig({ serviceLevelSeconds: 19.999, shortAbandonSeconds: 5 }));
    expect(k19.counts).toMatchObject({ answeredWithinT: 5, abandonedWithinT: 2 });
    const s4 = kpisOf(calls, kpiConfig({ serviceLevelSeconds: 20, shortAbandonSeconds: 4.999 }));
    expect(s4.counts.shortAbandoned).toBe(0);
    const s6 = kpisOf(calls, kpiConfig({ serviceLevelSeconds: 20, shortAbandonSeconds: 5.001 }));
    expect(s6.counts.shortAbandoned).toBe(2);
  });

  it('does not depend on the order of the rows, and result() may be read midway', () => {
    const acc = new CallKpiAccumulator(kpiConfig());
    for (const r of [...calls].reverse().slice(0, 7)) acc.add(r);
    expect(acc.result().counts.offered).toBe(7);
    for (const r of [...calls].reverse().slice(7)) acc.add(r);
    expect(acc.result()).toEqual(k);
  });
});

describe('nothing to measure gives null, never NaN', () => {
  it('zero offered', () => {
    const k = kpisOf([]);
    expect(k.serviceLevel.value).toBeNull();
    expect(Object.values(k.serviceLevelByFormula).every((v) => v === null)).toBe(true);
    expect([k.asaMs, k.ahtMs, k.abandonRate, k.abandonRateExclShort, k.shortAbandonRate]).toEqual([null, null, null, null, null]);
  });

  it('only short abandons: answeredOnly and the excl-short variant are null, the others 0 or 1', () => {
    const k = kpisOf([abandoned(1_000), abandoned(3_000)]);
    expect(k.serviceLevelByFormula).toEqual({ answeredOfOffered: 0, answeredOfOfferedExclShort: null, answeredOnly: null, excludeAbandonsWithinT: null, abandonsWithinTGood: 1, shortAbandonsGood: 1 });
    expect(k.abandonRateExclShort).toBeNull();
    expect(k.asaMs).toBeNull();
  });
});

describe('formulas and configuration', () => {
  it('every formula has a printable text that names what it divides', () => {
    for (const id of SL_FORMULA_IDS) {
      expect(SL_FORMULAS[id].id).toBe(id);
      expect(SL_FORMULAS[id].formula).toMatch(/answered within T .*\//);
      expect(printFormula(kpiConfig({ formula: id, serviceLevelSeconds: 30, shortAbandonSeconds: 8 }))).not.toMatch(/\b[TS]\b/);
    }
    expect(printFormula(kpiConfig({ formula: 'excludeAbandonsWithinT', serviceLevelSeconds: 30 }))).toBe('SL = answered within 30 s / (answered + abandoned after 30 s)');
  });

  it('each queue keeps its own T, S and formula; others take the defaults', () => {
    const book = kpiConfigBook({ support: { serviceLevelSeconds: 60, formula: 'answeredOnly' } }, { shortAbandonSeconds: 3 });
    expect(book('support')).toMatchObject({ serviceLevelSeconds: 60, shortAbandonSeconds: 3, formula: 'answeredOnly' });
    expect(book('sales')).toMatchObject({ serviceLevelSeconds: 20, shortAbandonSeconds: 3, formula: 'answeredOfOfferedExclShort' });
    expect(Object.isFrozen(book('sales'))).toBe(true);

    const g = new GroupedCallKpis(byQueue, (q) => book(q));
    for (const r of calls) g.add(r);
    g.add(answered(45_000, 60, 0, 'cy', 'support'));
    g.add(answered(61_000, 60, 0, 'cy', 'support'));
    const rows = g.result();
    expect(rows.map((r) => r.key)).toEqual(['sales', 'support']);
    expect(rows[1]!.serviceLevel).toEqual({ id: 'answeredOnly', formula: 'SL = answered within 60 s / answered', value: 0.5 });
    expect(rows[0]!.counts.offered).toBe(14);
  });

  it('by agent: one row per agent, calls without one left out', () => {
    const g = new GroupedCallKpis(byAgent);
    for (const r of calls) g.add(r);
    const rows = g.result();
    expect(rows.map((r) => [r.key, r.counts.answered, r.ahtMs])).toEqual([
      ['ann', 4, ((60 + 180 + 30 + 300 + 420 + 40) * 1000) / 4],
      ['bob', 4, ((120 + 240 + 360 + 60 + 480 + 40) * 1000) / 4],
    ]);
  });

  it('refuses bad settings with BAD_REQUEST and a reason', () => {
    const reason = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        return (e as AppError).details?.reason;
      }
      return 'no error';
    };
    expect(reason(() => kpiConfig({ serviceLevelSeconds: 5, shortAbandonSeconds: 10 }))).toBe('SHORT_OVER_T');
    expect(reason(() => kpiConfig({ serviceLevelSeconds: -1 }))).toBe('BAD_THRESHOLD');
    expect(reason(() => kpiConfig({ formula: 'bogus' as never }))).toBe('UNKNOWN_FORMULA');
    expect(reason(() => kpiConfig({ targetServiceLevel: 80 }))).toBe('BAD_TARGET');
    expect(kpiConfig({ formula: undefined })).toMatchObject({ formula: 'answeredOfOfferedExclShort' });
  });
});
