/**
 * One table as a spreadsheet (docs/reports.md, "Exports"): a header row in the chosen language,
 * typed cells (counts and seconds as numbers, ratios as numbers formatted as %, times as Excel
 * dates on the centre's wall clock), column widths, the header frozen, and the definitions (the
 * formulas the figures used, the time zone) printed in rows under the table so that a figure never
 * travels without its definition. Small tables (a report's groups) are built in memory by
 * `tableWorkbook`; the call detail export streams with the same columns (`call-export.ts`).
 */
import ExcelJS from 'exceljs';
import { labelOf, type ExportLang } from './labels.ts';
import type { LocalClock } from './local-time.ts';

export type ColumnType = 'text' | 'int' | 'number' | 'seconds' | 'pct' | 'time';

export interface ColumnSpec<R> {
  /** The field id (the JSON/CSV name) and the label key. */
  id: string;
  type: ColumnType;
  value: (row: R) => string | number | null | undefined;
  /** Width in characters; the label's length (at least 10) when not given. */
  width?: number;
}

const NUM_FMT: Partial<Record<ColumnType, string>> = {
  int: '0',
  number: '0.00',
  seconds: '0.0',
  pct: '0.0%',
  time: 'yyyy-mm-dd hh:mm:ss',
};

/** The value of a cell: numbers stay numbers, times become local dates, text stays text. */
export function cellOf(type: ColumnType, v: string | number | null | undefined, clock: LocalClock): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null;
  if (type === 'time') return typeof v === 'number' ? clock.cell(v) : v;
  if (type === 'text') return String(v);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Header labels; a time column names the zone its dates are local to. */
export function headerOf<R>(cols: readonly ColumnSpec<R>[], lang: ExportLang, timeZone: string): string[] {
  return cols.map((c) => (c.type === 'time' ? `${labelOf(c.id, lang)} (${timeZone})` : labelOf(c.id, lang)));
}

/** Sets the widths and number formats (the frozen header is an option of `addWorksheet`: the
 * streaming writer takes its views only there). */
export function layOut<R>(ws: ExcelJS.Worksheet, cols: readonly ColumnSpec<R>[], header: string[]): void {
  ws.columns = cols.map((c, i) => {
    const fmt = NUM_FMT[c.type];
    return { key: c.id, width: c.width ?? Math.max(10, header[i]!.length + 2, c.type === 'time' ? 20 : 0), ...(fmt ? { style: { numFmt: fmt } } : {}) };
  });
}

export const FROZEN_HEADER: Partial<ExcelJS.AddWorksheetOptions> = { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] };

export interface TableSheet<R> {
  name: string;
  columns: readonly ColumnSpec<R>[];
  rows: readonly R[];
  /** Printed under the table, one per row, after a blank row: [label id, text]. */
  definitions: readonly (readonly [string, string])[];
}

/** A workbook of one table (a report's groups: small, built in memory). */
export async function tableWorkbook<R>(t: TableSheet<R>, lang: ExportLang, clock: LocalClock): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Switchboard';
  const ws = wb.addWorksheet(t.name, FROZEN_HEADER);
  const header = headerOf(t.columns, lang, clock.timeZone);
  layOut(ws, t.columns, header);
  const head = ws.addRow(header);
  head.font = { bold: true };
  for (const row of t.rows) ws.addRow(t.columns.map((c) => cellOf(c.type, c.value(row), clock)));
  ws.addRow([]);
  for (const [id, text] of t.definitions) {
    const r = ws.addRow([labelOf(id, lang), text]);
    r.getCell(2).numFmt = '@';
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
