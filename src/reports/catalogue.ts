/**
 * The seven classic reports of a Chinese call centre (分机话务量总统计表 … 用户放弃率统计表) as views
 * of one KPI report: which grouping, which columns (labelled in zh-CN and en-US, with a format),
 * and which chart goes with them. Pure: `classicView(report, result, lang)` turns a
 * `runReport` result into the table a manager reads. docs/reports.md, "The classic reports".
 */
import { formulaText } from './formula-text.ts';
import type { ReportGrouping, ReportResult, ReportRow } from './data/run-report.ts';
import type { IntervalSize } from './intervals.ts';

export type Lang = 'zh-CN' | 'en-US';
export type ColumnFormat = 'text' | 'count' | 'seconds' | 'percent';

interface ColumnDef {
  zh: string;
  en: string;
  format: ColumnFormat;
  value(row: ReportRow): string | number | null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const secs = (ms: number | null): number | null => (ms === null ? null : Math.round(ms) / 1000);

export const COLUMNS = {
  key: { zh: '项目', en: 'Item', format: 'text', value: (r) => r.key },
  offered: { zh: '呼入总数', en: 'Offered', format: 'count', value: (r) => r.offered },
  answered: { zh: '接通数', en: 'Answered', format: 'count', value: (r) => r.answered },
  answeredWithinT: { zh: '及时接通数', en: 'Answered within T', format: 'count', value: (r) => r.answeredWithinT },
  abandoned: { zh: '放弃数', en: 'Abandoned', format: 'count', value: (r) => r.abandoned },
  shortAbandoned: { zh: '短时放弃数', en: 'Short abandons', format: 'count', value: (r) => r.shortAbandoned },
  answerRate: { zh: '接通率', en: 'Answer rate', format: 'percent', value: (r) => ratio(r.answered, r.offered) },
  abandonRate: { zh: '放弃率', en: 'Abandon rate', format: 'percent', value: (r) => r.abandonRate },
  abandonRateExclShort: { zh: '放弃率（不含短时放弃）', en: 'Abandon rate (short abandons excluded)', format: 'percent', value: (r) => r.abandonRateExclShort },
  serviceLevel: { zh: '服务水平', en: 'Service level', format: 'percent', value: (r) => r.serviceLevel },
  asaS: { zh: '平均应答时长', en: 'ASA', format: 'seconds', value: (r) => secs(r.asaMs) },
  talkS: { zh: '通话总时长', en: 'Talk time', format: 'seconds', value: (r) => secs(r.talkMs) },
  avgTalkS: { zh: '平均通话时长', en: 'Average talk', format: 'seconds', value: (r) => secs(r.answered > 0 ? r.talkMs / r.answered : null) },
  holdS: { zh: '保持总时长', en: 'Hold time', format: 'seconds', value: (r) => secs(r.holdMs) },
  avgHoldS: { zh: '平均保持时长', en: 'Average hold', format: 'seconds', value: (r) => secs(r.answered > 0 ? r.holdMs / r.answered : null) },
  wrapS: { zh: '话后处理总时长', en: 'Wrap-up time', format: 'seconds', value: (r) => secs(r.wrapMs) },
  avgWrapS: { zh: '平均话后处理时长', en: 'Average wrap-up', format: 'seconds', value: (r) => secs(r.answered > 0 ? r.wrapMs / r.answered : null) },
  ahtS: { zh: '平均处理时长', en: 'AHT', format: 'seconds', value: (r) => secs(r.ahtMs) },
  offers: { zh: '振铃次数', en: 'Rang at agent', format: 'count', value: (r) => r.activity?.offers ?? null },
  rona: { zh: '振铃未接', en: 'Rang, not answered', format: 'count', value: (r) => r.activity?.rona ?? null },
  ringAbandoned: { zh: '振铃中挂机', en: 'Caller hung up ringing', format: 'count', value: (r) => r.activity?.ringAbandoned ?? null },
  outbound: { zh: '呼出次数', en: 'Outbound calls', format: 'count', value: (r) => r.activity?.outbound ?? null },
  outboundAnswered: { zh: '呼出接通数', en: 'Outbound answered', format: 'count', value: (r) => r.activity?.outboundAnswered ?? null },
  outboundTalkS: { zh: '呼出通话时长', en: 'Outbound talk time', format: 'seconds', value: (r) => secs(r.activity ? r.activity.outboundTalkMs : null) },
  signedInS: { zh: '签入时长', en: 'Signed in', format: 'seconds', value: (r) => secs(r.occupancy?.signedInMs ?? null) },
  notReadyS: { zh: '示忙时长', en: 'Not ready', format: 'seconds', value: (r) => secs(r.occupancy?.notReadyMs ?? null) },
  occupancy: { zh: '占用率', en: 'Occupancy', format: 'percent', value: (r) => r.occupancy?.occupancy ?? null },
} satisfies Record<string, ColumnDef>;

export type ColumnId = keyof typeof COLUMNS;

export interface ClassicReport {
  id: string;
  zh: string;
  en: string;
  grouping: ReportGrouping;
  /** Interval reports: the default interval. */
  interval?: IntervalSize;
  /** What the first column holds, by language. */
  keyLabel: { zh: string; en: string };
  columns: ColumnId[];
  /** The chart the console draws: a column's value per row. */
  chart: { kind: 'pie' | 'bar'; column: ColumnId };
  /** Per-call detail: the rows come from the call export, not from a grouping. */
  export?: string;
}

export const CLASSIC_REPORTS: readonly ClassicReport[] = [
  { id: 'extension-summary', zh: '分机话务量总统计表', en: 'Extension traffic summary', grouping: 'extension', keyLabel: { zh: '分机', en: 'Extension' }, columns: ['key', 'offers', 'answered', 'rona', 'talkS', 'holdS', 'wrapS', 'ahtS', 'outbound', 'outboundTalkS'], chart: { kind: 'pie', column: 'talkS' } },
  { id: 'extension-traffic', zh: '分机话务量统计表', en: 'Extension traffic', grouping: 'extension', keyLabel: { zh: '分机', en: 'Extension' }, columns: ['key', 'answered', 'answeredWithinT', 'avgTalkS', 'avgHoldS', 'avgWrapS', 'ahtS', 'asaS'], chart: { kind: 'bar', column: 'answered' } },
  { id: 'interval-traffic', zh: '分时段话务量统计表', en: 'Traffic by time of day', grouping: 'interval', interval: '60m', keyLabel: { zh: '时段', en: 'Interval' }, columns: ['key', 'offered', 'answered', 'abandoned', 'answerRate', 'serviceLevel', 'asaS', 'ahtS'], chart: { kind: 'bar', column: 'offered' } },
  { id: 'agent-traffic', zh: '座席话务统计报表', en: 'Agent traffic', grouping: 'agent', keyLabel: { zh: '座席', en: 'Agent' }, columns: ['key', 'offers', 'answered', 'rona', 'ringAbandoned', 'answeredWithinT', 'talkS', 'holdS', 'wrapS', 'ahtS', 'outbound', 'outboundAnswered', 'outboundTalkS', 'signedInS', 'notReadyS', 'occupancy'], chart: { kind: 'bar', column: 'answered' } },
  { id: 'agent-detail', zh: '座席话务统计详细表', en: 'Agent call detail', grouping: 'agent', keyLabel: { zh: '座席', en: 'Agent' }, columns: ['key'], chart: { kind: 'bar', column: 'answered' }, export: '/api/v1/reports/calls' },
  { id: 'agent-service-time', zh: '座席平均服务时间统计表', en: 'Agent average service time', grouping: 'agent', keyLabel: { zh: '座席', en: 'Agent' }, columns: ['key', 'answered', 'avgTalkS', 'avgHoldS', 'avgWrapS', 'ahtS'], chart: { kind: 'bar', column: 'ahtS' } },
  { id: 'abandonment', zh: '用户放弃率统计表', en: 'Caller abandonment', grouping: 'queue', keyLabel: { zh: '队列', en: 'Queue' }, columns: ['key', 'offered', 'answered', 'abandoned', 'shortAbandoned', 'abandonRate', 'abandonRateExclShort', 'serviceLevel'], chart: { kind: 'pie', column: 'abandoned' } },
];

export function classicReport(id: string): ClassicReport | undefined {
  return CLASSIC_REPORTS.find((r) => r.id === id);
}

export interface ClassicColumn {
  id: ColumnId;
  label: string;
  format: ColumnFormat;
}

export interface ClassicView {
  id: string;
  name: string;
  from: number;
  to: number;
  timeZone: string;
  columns: ClassicColumn[];
  rows: (string | number | null)[][];
  total: (string | number | null)[];
  /** The definitions the figures use (KPI formulas), printed with the table. */
  formulas: string[];
  chart: { kind: 'pie' | 'bar'; column: ColumnId; label: string; points: { label: string; value: number }[] };
}

/** The table of a classic report from a `runReport` result of its grouping. */
export function classicView(report: ClassicReport, result: ReportResult, lang: Lang): ClassicView {
  const zh = lang === 'zh-CN';
  const columns: ClassicColumn[] = report.columns.map((id) => ({ id, label: id === 'key' ? (zh ? report.keyLabel.zh : report.keyLabel.en) : zh ? COLUMNS[id].zh : COLUMNS[id].en, format: COLUMNS[id].format }));
  const cells = (row: ReportRow) => report.columns.map((id) => (COLUMNS[id] as ColumnDef).value(row));
  const chartCol = COLUMNS[report.chart.column] as ColumnDef;
  return {
    id: report.id,
    name: zh ? report.zh : report.en,
    from: result.from,
    to: result.to,
    timeZone: result.timeZone,
    columns,
    rows: result.rows.map(cells),
    total: cells({ ...result.total, key: zh ? '合计' : 'Total' }),
    formulas: result.formulas.map((f) => formulaText(f, lang)),
    chart: {
      kind: report.chart.kind,
      column: report.chart.column,
      label: zh ? chartCol.zh : chartCol.en,
      points: result.rows.flatMap((row) => {
        const v = chartCol.value(row);
        return typeof v === 'number' ? [{ label: row.key, value: v }] : [];
      }),
    },
  };
}
