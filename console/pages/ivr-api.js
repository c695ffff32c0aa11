// @ts-check
/**
 * HTTP for the IVR and Routing pages (docs/console-ivr-routing.md): JSON with the session's bearer
 * token, the API's error message kept, and the shapes the pages read. Periods are local days of
 * the browser's clock, sent as epoch ms.
 */
import { apiFetch, dateInputValue, HttpApiError, queryOf } from '../http.js';

/** @param {string} path @param {string} token @returns {Promise<any>} */
export const apiGet = (path, token) => apiFetch('GET', path, token);
/** @param {string} path @param {string} token @returns {Promise<any>} */
export const apiPost = (path, token) => apiFetch('POST', path, token, {});

// The shared helpers, under the names the IVR and Routing pages import them by.
export { dateInputValue, HttpApiError as ApiError, queryOf };

/** Local midnight of a `YYYY-MM-DD` day plus `days`, epoch ms; NaN for no date. @param {string} date @param {number} [days] */
export function localMidnight(date, days = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return NaN;
  return +new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
}

/** @typedef {'today' | 'yesterday' | 'last7' | 'custom'} PeriodKind */

/**
 * [from, to) in epoch ms of whole local days; null when a custom period has no dates or ends
 * before it starts.
 * @param {PeriodKind} kind @param {string} fromDate @param {string} toDate @param {Date} [now]
 */
export function periodRange(kind, fromDate, toDate, now = new Date()) {
  const today = dateInputValue(now);
  switch (kind) {
    case 'today':
      return { from: localMidnight(today), to: localMidnight(today, 1) };
    case 'yesterday':
      return { from: localMidnight(today, -1), to: localMidnight(today) };
    case 'last7':
      return { from: localMidnight(today, -6), to: localMidnight(today, 1) };
    case 'custom': {
      const from = localMidnight(fromDate);
      const to = localMidnight(toDate, 1);
      return Number.isFinite(from) && Number.isFinite(to) && to > from ? { from, to } : null;
    }
  }
}

/** `hh:mm:ss` of a local time, with the date before it when it is not today. @param {string | number} at */
export function localTime(at) {
  const d = new Date(at);
  const time = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
  return dateInputValue(d) === dateInputValue(new Date()) ? time : `${dateInputValue(d)} ${time}`;
}

/** m:ss (h:mm:ss from an hour) of milliseconds; a dash for none. @param {number | null | undefined} ms */
export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const whole = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

// --- The IVR's shapes (docs/api.md "IVR statistics", "Voicemail"; src/ivr/flow/registry.ts) ---

/** @typedef {{id: string, file: string, version: number | null, status: 'ok' | 'error' | 'removed', problems: {code?: string, message?: string, severity?: string}[], loadedAt: number | null}} FlowStatus */
/** @typedef {{node: string, entries: number, exits: Record<string, number>, keys: number, timeouts: number, invalid: number}} NodeStats */
/** @typedef {{entries: number, exits: Record<string, number>, keys: number, timeouts: number, invalid: number, avgTimeInFlowMs: number | null, nodes: NodeStats[]}} Figures */
/** @typedef {{flow: string, versions: number[], totals: Figures, intervals: (Figures & {start: string})[]}} FlowStats */
/** @typedef {{from: string, to: string, interval: string, intervalMs: number, flows: FlowStats[]}} IvrStats */
/** @typedef {{id: number, callId: string, caller: string, mailbox: string, flow: string, recordedAt: string, durationMs: number, bytes: number}} Voicemail */

/** Every outcome a caller can leave a flow with, in the order the API lists them. */
export const OUTCOMES = ['queue', 'agent', 'selfService', 'voicemail', 'transfer', 'abandoned', 'hangup', 'error', 'returned'];

/** @param {string} token @returns {Promise<FlowStatus[]>} */
export async function ivrFlows(token) {
  return /** @type {{items: FlowStatus[]}} */ (await apiGet('/api/v1/ivr/flows', token)).items;
}

/** @param {{flow?: string, from: number, to: number, interval: string}} q @param {string} token @returns {Promise<IvrStats>} */
export async function ivrStats(q, token) {
  return /** @type {IvrStats} */ (await apiGet(`/api/v1/ivr/stats?${queryOf(q)}`, token));
}

/** @param {{mailbox?: string, from?: number, to?: number, limit: number, cursor?: string | null}} q @param {string} token @returns {Promise<{items: Voicemail[], nextCursor: string | null}>} */
export async function voicemails(q, token) {
  return apiGet(`/api/v1/voicemail?${queryOf(q)}`, token);
}

/** A signed URL an <audio> element plays without a header. @param {number} id @param {string} token @returns {Promise<{url: string, expiresAt: string}>} */
export async function voicemailPlayUrl(id, token) {
  return apiPost(`/api/v1/voicemail/${id}/play-url`, token);
}
