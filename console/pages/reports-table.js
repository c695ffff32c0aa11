// @ts-check
/**
 * The Reports page's tables: a classic report as the API labels it (its columns in the chosen
 * language, the total row, the formulas under it), and the staffing what-if (agents needed beside
 * the service level reached). Cells carry their raw value in `data-value` and their column in
 * `data-col`, so a test reads figures without parsing what a person reads.
 */
import { html } from 'htm/preact';
import { useI18n } from '../i18n/index.js';
import { formatCell } from './reports-format.js';

/** @typedef {import('./reports-api.js').ClassicView} ClassicView */
/** @typedef {import('./reports-api.js').StaffingReport} StaffingReport */
/** @typedef {import('./reports-format.js').CellFormat} CellFormat */
/** @typedef {import('../i18n/index.js').MessageKey} MessageKey */

/**
 * A row's cells; `names` gives the first column's keys shorter names (intervals), the full key
 * kept in the title.
 * @param {{values: (string | number | null)[], columns: {id: string, format: CellFormat}[], names?: Map<string, string> | null}} props
 */
function Cells({ values, columns, names = null }) {
  return columns.map((c, i) => {
    const v = values[i] ?? null;
    const name = i === 0 && typeof v === 'string' ? names?.get(v) : undefined;
    return html`<td key=${c.id} data-col=${c.id} data-value=${v === null ? '' : String(v)} class=${c.format === 'text' ? 'text' : 'num'} title=${name !== undefined && name !== v ? v : undefined}>${name ?? formatCell(v, c.format)}</td>`;
  });
}

/** @param {{formulas: string[]}} props */
export function Formulas({ formulas }) {
  const { t } = useI18n();
  if (!formulas.length) return null;
  return html`<div class="formulas" data-test="formulas">
    <h4>${t('reports.formulas')}</h4>
    <ul>
      ${formulas.map((f) => html`<li key=${f}>${f}</li>`)}
    </ul>
  </div>`;
}

/** @param {{view: ClassicView, names: Map<string, string> | null}} props */
export function ClassicTable({ view, names }) {
  const { t } = useI18n();
  return html`<table class="report" data-test="report-table">
    <thead>
      <tr>
        ${view.columns.map((c) => html`<th key=${c.id} data-col=${c.id} class=${c.format === 'text' ? 'text' : 'num'}>${c.label}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${view.rows.length === 0 && html`<tr><td class="empty" colspan=${view.columns.length}>${t('reports.empty')}</td></tr>`}
      ${view.rows.map((r, i) => html`<tr key=${String(r[0] ?? i)} data-key=${String(r[0] ?? '')}><${Cells} values=${r} columns=${view.columns} names=${names} /></tr>`)}
    </tbody>
    <tfoot>
      <tr class="total" data-key="total"><${Cells} values=${view.total} columns=${view.columns} /></tr>
    </tfoot>
  </table>`;
}

/** @type {{id: keyof import('./reports-api.js').StaffingRow, key: MessageKey, format: CellFormat}[]} */
const STAFFING_COLUMNS = [
  { id: 'key', key: 'reports.staffing.col.interval', format: 'text' },
  { id: 'offered', key: 'reports.staffing.col.offered', format: 'count' },
  { id: 'ahtSeconds', key: 'reports.staffing.col.aht', format: 'seconds' },
  { id: 'erlangs', key: 'reports.staffing.col.erlangs', format: 'count' },
  { id: 'agentsNeeded', key: 'reports.staffing.col.agentsNeeded', format: 'count' },
  { id: 'predictedServiceLevel', key: 'reports.staffing.col.predicted', format: 'percent' },
  { id: 'serviceLevel', key: 'reports.staffing.col.reached', format: 'percent' },
];

/** @param {{report: StaffingReport, names: Map<string, string>}} props */
export function StaffingTable({ report, names }) {
  const { t } = useI18n();
  return html`<table class="report" data-test="staffing-table">
    <thead>
      <tr>
        ${STAFFING_COLUMNS.map((c) => html`<th key=${c.id} data-col=${c.id} class=${c.format === 'text' ? 'text' : 'num'}>${t(c.key)}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${report.rows.length === 0 && html`<tr><td class="empty" colspan=${STAFFING_COLUMNS.length}>${t('reports.empty')}</td></tr>`}
      ${report.rows.map((r) => html`<tr key=${r.key} data-key=${r.key}><${Cells} values=${STAFFING_COLUMNS.map((c) => r[c.id])} columns=${STAFFING_COLUMNS} names=${names} /></tr>`)}
    </tbody>
  </table>`;
}
