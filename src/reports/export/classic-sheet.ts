/**
 * A classic report (src/reports/catalogue.ts) as a workbook: the view's own localised labels, its
 * cells typed by their column format (counts and seconds as numbers, rates as % numbers), the
 * total, then its formulas and time zone under the table — the same layout as the KPI workbook
 * (sheet.ts), which the view's labels replace.
 */
import ExcelJS from 'exceljs';
import type { ClassicView, ColumnFormat } from '../catalogue.ts';
import { FROZEN_HEADER } from './sheet.ts';
import { labelOf, type ExportLang } from './labels.ts';

const NUM_FMT: Record<ColumnFormat, string | null> = { text: null, count: '0', seconds: '0.0', percent: '0.0%' };

export async function classicWorkbook(v: ClassicView, lang: ExportLang): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Switchboard';
  // Sheet names: at most 31 characters, none of : \ / ? * [ ].
  const ws = wb.addWorksheet(v.name.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31), FROZEN_HEADER);
  ws.columns = v.columns.map((c) => {
    const fmt = NUM_FMT[c.format];
    return { key: c.id, width: Math.max(10, c.label.length * (lang === 'zh-CN' ? 2 : 1) + 2), ...(fmt ? { style: { numFmt: fmt } } : {}) };
  });
  ws.addRow(v.columns.map((c) => c.label)).font = { bold: true };
  const cells = (row: (string | number | null)[]) => row.map((x, i) => (v.columns[i]!.format === 'text' ? (x === null ? null : String(x)) : typeof x === 'number' && Number.isFinite(x) ? x : null));
  for (const row of v.rows) ws.addRow(cells(row));
  ws.addRow(cells(v.total)).font = { bold: true };
  ws.addRow([]);
  for (const f of v.formulas) ws.addRow([labelOf('formula', lang), f]);
  ws.addRow([labelOf('timeZone', lang), v.timeZone]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
