// @ts-check
/**
 * The Reports page's HTTP side (docs/api.md, docs/reports.md): the catalogue of classic reports,
 * one classic report, the staffing what-if, and the downloads — CSV (and XLSX where the API has
 * it), fetched with the session's bearer token and saved through a Blob, since a plain link
 * cannot carry the header. Periods are local days of the browser's clock.
 */
import { apiFetch, dateInputValue, failure, HttpApiError, queryOf } from '../http.js';

// The shared helpers, under the names the Reports page imports them by.
export { dateInputValue, HttpApiError as ReportApiError, queryOf };

/** @typedef {import('../i18n/index.js').Locale} Locale */
/** @typedef {import('./reports-format.js').CellFormat} CellFormat */
/**
 * @typedef {object} ClassicEntry one report of `GET /api/v1/reports/classic`
 * @property {string} id
 * @property {Record<Locale, string>} name
 * @property {string} grouping
 * @property {string | null} interval
 * @property {{kind: 'pie' | 'bar', column: string}} chart
 * @property {string | null} export per-call reports: the call export they are answered by
 */
/**
 * @typedef {object} ClassicView `GET /api/v1/reports/classic/:id`
 * @property {string} id
 * @property {string} name
 * @property {{id: string, label: string, format: CellFormat}[]} columns
 * @property {(string | number | null)[][]} rows
 * @property {(string | number | null)[]} total
 * @property {string[]} formulas
 * @property {{kind: 'pie' | 'bar', column: string, label: string, points: {label: string, value: number}[]}} chart
 */
/**
 * @typedef {object} StaffingRow
 * @property {string} key
 * @property {number} offered
 * @property {number | null} ahtSeconds
 * @property {number} erlangs
 * @property {number | null} agentsNeeded
 * @property {number | null} predictedServiceLevel
 * @property {number | null} serviceLevel
 */
/** @typedef {{targetServiceLevel: number, serviceLevelSeconds: number, formulas: string[], model: string, rows: StaffingRow[]}} StaffingReport */

/** @typedef {'today' | 'yesterday' | 'thisWeek' | 'custom'} PeriodKind */
/** @typedef {{kind: PeriodKind, fromDate: string, toDate: string}} PeriodChoice */

/** Local midnight of a `YYYY-MM-DD` day plus `days`. @param {string} date @param {number} [days] */
function localMidnight(date, days = 0) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days);
}

/**
 * [from, to) in epoch ms: whole local days, `to` the midnight after the last day. This week runs
 * from Monday. Null when a custom period ends before it starts or lacks a date.
 * @param {PeriodChoice} p @param {Date} [now]
 * @returns {{from: number, to: number} | null}
 */
export function periodRange(p, now = new Date()) {
  const today = dateInputValue(now);
  switch (p.kind) {
    case 'today':
      return { from: +localMidnight(today), to: +localMidnight(today, 1) };
    case 'yesterday':
      return { from: +localMidnight(today, -1), to: +localMidnight(today) };
    case 'thisWeek':
      return { from: +localMidnight(today, -((now.getDay() + 6) % 7)), to: +localMidnight(today, 1) };
    case 'custom': {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(p.fromDate) || !/^\d{4}-\d{2}-\d{2}$/.test(p.toDate)) return null;
      const from = +localMidnight(p.fromDate);
      const to = +localMidnight(p.toDate, 1);
      return to > from ? { from, to } : null;
    }
  }
}

/** @param {string} token */
const auth = (token) => ({ authorization: `Bearer ${token}` });

/** @param {string} token @returns {Promise<ClassicEntry[]>} */
export async function classicCatalogue(token) {
  return /** @type {{items: ClassicEntry[]}} */ (await apiFetch('GET', '/api/v1/reports/classic', token)).items;
}

/** @param {string} id @param {string} query @param {string} token @returns {Promise<ClassicView>} */
export async function classicReport(id, query, token) {
  return /** @type {ClassicView} */ (await apiFetch('GET', `/api/v1/reports/classic/${encodeURIComponent(id)}?${query}`, token));
}

/** @typedef {{id: string, name: string}} QueueChoice */

/** The queues for the picker (`GET /api/v1/queues`), by name. @param {string} token @returns {Promise<QueueChoice[]>} */
export async function queueChoices(token) {
  const items = /** @type {{items: QueueChoice[]}} */ (await apiFetch('GET', '/api/v1/queues', token)).items;
  return items.map(({ id, name }) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** @param {string} query @param {string} token @returns {Promise<StaffingReport>} */
export async function staffingReport(query, token) {
  return /** @type {StaffingReport} */ (await apiFetch('GET', `/api/v1/reports/staffing?${query}`, token));
}

/** The file name the server gave (RFC 6266: `filename*` first), else `fallback`. @param {string | null} header @param {string} fallback */
export function fileNameOf(header, fallback) {
  if (!header) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // Not percent-encoded after all: the plain name below.
    }
  }
  return /filename="([^"]+)"/i.exec(header)?.[1] ?? fallback;
}

/**
 * Fetches a download with the token and hands it to the browser as a file.
 * @param {string} url @param {string} token @param {string} fallbackName
 */
export async function download(url, token, fallbackName) {
  const res = await fetch(url, { headers: auth(token) });
  if (!res.ok) return failure(res);
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = fileNameOf(res.headers.get('content-disposition'), fallbackName);
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; the URL may go once it has been read.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
