/**
 * The KPI and staffing reports as spreadsheets (`format=xlsx`): the same columns as their CSV, with
 * the formulas and the staffing model printed under the table.
 */
import { formulaText } from '../formula-text.ts';
import type { ReportResult, ReportRow } from '../data/run-report.ts';
import type { ExportLang } from './labels.ts';
import { LocalClock } from './local-time.ts';
import { tableWorkbook, type ColumnSpec } from './sheet.ts';

const secs = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

export const KPI_COLUMNS: readonly ColumnSpec<ReportRow>[] = [
  { id: 'key', type: 'text', value: (r) => r.key, width: 24 },
  { id: 'start', type: 'time', value: (r) => r.start },
  { id: 'end', type: 'time', value: (r) => r.end },
  { id: 'offered', type: 'int', value: (r) => r.offered },
  { id: 'answered', type: 'int', value: (r) => r.answered },
  { id: 'answeredWithinT', type: 'int', value: (r) => r.answeredWithinT },
  { id: 'abandoned', type: 'int', value: (r) => r.abandoned },
  { id: 'shortAbandoned', type: 'int', value: (r) => r.shortAbandoned },
  { id: 'other', type: 'int', value: (r) => r.other },
  { id: 'serviceLevel', type: 'pct', value: (r) => r.serviceLevel },
  { id: 'asaS', type: 'seconds', value: (r) => secs(r.asaMs) },
  { id: 'ahtS', type: 'seconds', value: (r) => secs(r.ahtMs) },
  { id: 'talkS', type: 'seconds', value: (r) => r.talkMs / 1000 },
  { id: 'holdS', type: 'seconds', value: (r) => r.holdMs / 1000 },
  { id: 'wrapS', type: 'seconds', value: (r) => r.wrapMs / 1000 },
  { id: 'abandonRate', type: 'pct', value: (r) => r.abandonRate },
  { id: 'abandonRateExclShort', type: 'pct', value: (r) => r.abandonRateExclShort },
];

/** The KPI report: one row per group, then the total, then the formulas used. */
export function kpiWorkbook(r: ReportResult, lang: ExportLang): Promise<Buffer> {
  return tableWorkbook(
    {
      name: 'KPI',
      columns: KPI_COLUMNS,
      rows: [...r.rows, { ...r.total, key: lang === 'zh-CN' ? '合计' : 'total' }],
      definitions: [...r.formulas.map((f) => ['formula', formulaText(f, lang)] as const), ['timeZone', r.timeZone]],
    },
    lang,
    new LocalClock(r.timeZone),
  );
}

/** What the staffing sheet needs of the staffing report (src/http/report-routes.ts). */
export interface StaffingTable {
  timeZone: string;
  formulas: string[];
  model: string;
  rows: { key: string; start: number; end: number; offered: number; ahtSeconds: number | null; erlangs: number; agentsNeeded: number | null; scheduled: number | null; predictedServiceLevel: number | null; serviceLevel: number | null }[];
}

type StaffingRow = StaffingTable['rows'][number];

export const STAFFING_COLUMNS: readonly ColumnSpec<StaffingRow>[] = [
  { id: 'interval', type: 'text', value: (r) => r.key, width: 24 },
  { id: 'start', type: 'time', value: (r) => r.start },
  { id: 'end', type: 'time', value: (r) => r.end },
  { id: 'offered', type: 'int', value: (r) => r.offered },
  { id: 'ahtS', type: 'seconds', value: (r) => r.ahtSeconds },
  { id: 'erlangs', type: 'number', value: (r) => r.erlangs },
  { id: 'agentsNeeded', type: 'int', value: (r) => r.agentsNeeded },
  { id: 'scheduled', type: 'int', value: (r) => r.scheduled },
  { id: 'predictedServiceLevel', type: 'pct', value: (r) => r.predictedServiceLevel },
  { id: 'serviceLevel', type: 'pct', value: (r) => r.serviceLevel },
];

export function staffingWorkbook(s: StaffingTable, lang: ExportLang): Promise<Buffer> {
  return tableWorkbook(
    { name: 'Staffing', columns: STAFFING_COLUMNS, rows: s.rows, definitions: [['model', formulaText(s.model, lang)], ...s.formulas.map((f) => ['formula', formulaText(f, lang)] as const), ['timeZone', s.timeZone]] },
    lang,
    new LocalClock(s.timeZone),
  );
}
