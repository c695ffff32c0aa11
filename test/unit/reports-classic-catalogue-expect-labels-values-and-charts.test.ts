/**
 * The seven classic reports as views of a KPI report (src/reports/catalogue.ts): every report has
 * a unique id and names in both languages, every column a label in both; a view's cells are the
 * report's figures (averages per answered call, seconds from ms, rates as fractions), its total
 * row is labelled 合计 / Total, its chart has a point per row with a number; the CSV carries the
 * labels, the rows, the total and the formulas.
 */
import { describe, expect, it } from 'vitest';
import { classicCsv } from '../../src/http/classic-report-routes.ts';
import { CLASSIC_REPORTS, COLUMNS, classicReport, classicView } from '../../src/reports/catalogue.ts';
import type { ReportResult, ReportRow } from '../../src/reports/data/run-report.ts';

function row(key: string, o: Partial<ReportRow> = {}): ReportRow {
  return {
    key,
    offered: 10,
    answered: 8,
    answeredWithinT: 6,
    abandoned: 2,
    abandonedWithinT: 1,
    shortAbandoned: 1,
    other: 0,
    answerWaitMs: 80_000,
    talkMs: 960_000,
    holdMs: 0,
    wrapMs: 240_000,
    formulaId: 'answeredOfOffered',
    formula: 'SL = answered within 20 s / (answered + abandoned)',
    serviceLevelSeconds: 20,
    shortAbandonSeconds: 5,
    targetServiceLevel: 0.8,
    serviceLevel: 0.6,
    serviceLevelByFormula: {} as ReportRow['serviceLevelByFormula'],
    asaMs: 10_000,
    ahtMs: 150_000,
    abandonRate: 0.2,
    abandonRateExclShort: 1 / 9,
    shortAbandonRate: 0.1,
    ...o,
  };
}

const result = (rows: ReportRow[]): ReportResult => ({
  grouping: 'agent',
  from: 0,
  to: 86_400_000,
  timeZone: 'Asia/Shanghai',
  intervalSize: null,
  rows,
  total: row('total', { offered: 20, answered: 16, talkMs: 1_920_000, wrapMs: 480_000 }),
  formulas: ['SL = answered within 20 s / (answered + abandoned)'],
  occupancy: { agents: [], teams: [], overall: { busyMs: 0, wrapMs: 0, availableMs: 0, notReadyMs: 0, signedInMs: 0, occupancy: null } } as unknown as ReportResult['occupancy'],
  callsRead: 20,
});

describe('the classic reports', () => {
  it('seven, with unique ids and names in both languages; every column labelled in both', () => {
    expect(CLASSIC_REPORTS).toHaveLength(7);
    expect(new Set(CLASSIC_REPORTS.map((r) => r.id)).size).toBe(7);
    expect(CLASSIC_REPORTS.map((r) => r.zh)).toEqual(['分机话务量总统计表', '分机话务量统计表', '分时段话务量统计表', '座席话务统计报表', '座席话务统计详细表', '座席平均服务时间统计表', '用户放弃率统计表']);
    for (const c of Object.values(COLUMNS)) {
      expect(c.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(c.en).toMatch(/^[A-Z]/);
    }
    for (const r of CLASSIC_REPORTS) for (const c of r.columns) expect(COLUMNS[c]).toBeDefined();
  });

  it('a view: cells from the figures, Chinese labels, the total, the chart', () => {
    const v = classicView(classicReport('agent-service-time')!, result([row('a1001'), row('a1002', { answered: 4, talkMs: 400_000, wrapMs: 0, ahtMs: 100_000 })]), 'zh-CN');
    expect(v.name).toBe('座席平均服务时间统计表');
    expect(v.columns.map((c) => c.label)).toEqual(['座席', '接通数', '平均通话时长', '平均保持时长', '平均话后处理时长', '平均处理时长']);
    expect(v.rows).toEqual([
      ['a1001', 8, 120, 0, 30, 150],
      ['a1002', 4, 100, 0, 0, 100],
    ]);
    expect(v.total).toEqual(['合计', 16, 120, 0, 30, 150]);
    expect(v.chart).toEqual({ kind: 'bar', column: 'ahtS', label: '平均处理时长', points: [{ label: 'a1001', value: 150 }, { label: 'a1002', value: 100 }] });
  });

  it('English labels; rates as fractions; a null figure stays null (no chart point)', () => {
    const v = classicView(classicReport('abandonment')!, result([row('sales'), row('support', { offered: 0, answered: 0, abandoned: 0, abandonRate: null, abandonRateExclShort: null, serviceLevel: null })]), 'en-US');
    expect(v.columns[0]!.label).toBe('Queue');
    expect(v.rows[0]).toEqual(['sales', 10, 8, 2, 1, 0.2, 1 / 9, 0.6]);
    expect(v.rows[1]!.slice(5)).toEqual([null, null, null]);
    expect(v.total[0]).toBe('Total');
    expect(v.chart.points.map((p) => p.label)).toEqual(['sales', 'support']);
  });

  it('CSV: labels, rows, the total, then the formulas', () => {
    const v = classicView(classicReport('abandonment')!, result([row('sales')]), 'zh-CN');
    const lines = classicCsv(v).trim().split('\r\n');
    expect(lines[0]).toBe('队列,呼入总数,接通数,放弃数,短时放弃数,放弃率,放弃率（不含短时放弃）,服务水平');
    expect(lines[1]).toBe('sales,10,8,2,1,0.2,0.111111,0.6');
    expect(lines[2]!.startsWith('合计,')).toBe(true);
    expect(lines[3]).toBe('服务水平 SL = 20 秒内接通数 / (接通数 + 放弃数)'); // the formula in the report's language too
  });
});
