/**
 * The definitions printed with a report, in Chinese: every service level formula and the staffing
 * model, term by term, with nothing of the English left but the symbols (SL, A, N, C, e, AHT,
 * Erlang C); English stays as it was.
 */
import { describe, expect, it } from 'vitest';
import { formulaText } from '../../src/reports/formula-text.ts';
import { SL_FORMULA_IDS, kpiConfig, printFormula } from '../../src/reports/kpi.ts';
import { staffingOf } from '../../src/http/report-routes.ts';
import type { ReportResult } from '../../src/reports/data/run-report.ts';

const SYMBOLS = new Set(['SL', 'A', 'N', 'C', 'e', 'AHT', 'Erlang']);
const latinWords = (s: string) => (s.match(/[A-Za-z]+/g) ?? []).filter((w) => !SYMBOLS.has(w));

describe('formulaText', () => {
  it('prints each service level formula in Chinese, T and S kept', () => {
    const zh = Object.fromEntries(SL_FORMULA_IDS.map((id) => [id, formulaText(printFormula(kpiConfig({ formula: id, serviceLevelSeconds: 20, shortAbandonSeconds: 5 })), 'zh-CN')]));
    for (const [id, text] of Object.entries(zh)) expect(latinWords(text), `${id}: ${text}`).toEqual([]);
    expect(zh.answeredOfOffered).toBe('服务水平 SL = 20 秒内接通数 / (接通数 + 放弃数)');
    expect(zh.answeredOfOfferedExclShort).toBe('服务水平 SL = 20 秒内接通数 / (接通数 + 放弃数 − 5 秒内放弃数)');
    expect(zh.answeredOnly).toBe('服务水平 SL = 20 秒内接通数 / 接通数');
    expect(zh.excludeAbandonsWithinT).toBe('服务水平 SL = 20 秒内接通数 / (接通数 + 超过 20 秒的放弃数)');
    expect(zh.abandonsWithinTGood).toBe('服务水平 SL = (20 秒内接通数 + 20 秒内放弃数) / (接通数 + 放弃数)');
    expect(zh.shortAbandonsGood).toBe('服务水平 SL = (20 秒内接通数 + 5 秒内放弃数) / (接通数 + 放弃数)');
  });

  it('keeps English as it is', () => {
    const text = printFormula(kpiConfig({ serviceLevelSeconds: 15 }));
    expect(formulaText(text, 'en-US')).toBe(text);
  });

  it('prints the staffing model in Chinese, with and without occupancy cap and shrinkage', () => {
    const total = { targetServiceLevel: 0.8, serviceLevelSeconds: 20, ahtMs: 240_000 };
    const result = { from: 0, to: 1_800_000, timeZone: 'UTC', intervalSize: '30m', rows: [], total, formulas: [] } as unknown as ReportResult;
    for (const extra of [{}, { maxOccupancy: 0.85, shrinkage: 0.3 }]) {
      const model = staffingOf(result, 1800, extra).model;
      const zh = formulaText(model, 'zh-CN');
      expect(latinWords(zh), zh).toEqual([]);
      expect(zh).toMatch(/^Erlang C 模型：A = 呼入量 × AHT \/ 1800 秒；所需座席数 = 满足下式的最小 N（N > A）：/);
      expect(zh.endsWith('（泊松到达，不计放弃）')).toBe(true);
    }
    expect(formulaText(staffingOf(result, 1800, { maxOccupancy: 0.85, shrinkage: 0.3 }).model, 'zh-CN')).toContain('，且 A/N ≤ 0.85；排班人数 = ⌈N / (1 − 0.3)⌉');
  });
});
