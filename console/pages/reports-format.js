// @ts-check
/**
 * How the Reports page writes a report's cells: counts with digits, durations as m:ss (h:mm:ss
 * from an hour), ratios as percents with one decimal — the same in both languages (docs/console.md,
 * "Languages"). A value the report could not compute (nothing to divide by) is a dash.
 */

/** @typedef {'text' | 'count' | 'seconds' | 'percent'} CellFormat */

export const NONE = '—';

/** @param {number} s seconds */
export function formatSeconds(s) {
  const whole = Math.max(0, Math.round(s));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const ss = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** @param {number} ratio 0–1 */
export function formatPercent(ratio) {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** @param {number} n */
export function formatCount(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** @param {string | number | null | undefined} v @param {CellFormat} format */
export function formatCell(v, format) {
  if (v === null || v === undefined) return NONE;
  if (typeof v === 'string') return v;
  if (format === 'seconds') return formatSeconds(v);
  if (format === 'percent') return formatPercent(v);
  return formatCount(v);
}

/** The formatter of a chart's values, by the format of its column (one function per format, so
 * that a chart is not redrawn for a new function of the same meaning).
 * @type {Record<CellFormat, (v: number) => string>} */
export const VALUE_FORMAT = {
  text: (v) => String(v),
  count: formatCount,
  seconds: formatSeconds,
  percent: formatPercent,
};

const INTERVAL_KEY = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?:[+-]\d{2}:\d{2}|Z)?$/;

/**
 * Shorter names for interval keys (`2026-11-20T09:00+08:00`): the time alone when every key is of
 * one day and one offset, else the date and time; keys that are not intervals (a week's
 * `2026-W47`, a day) as they are. Two keys that differ only by their offset (the hour a clock goes
 * back twice) keep their full names, so no two rows read the same.
 * @param {string[]} keys @returns {Map<string, string>}
 */
export function intervalNames(keys) {
  const parts = keys.map((k) => INTERVAL_KEY.exec(k));
  const days = new Set(parts.map((p) => (p ? p[1] : null)));
  const short = parts.map((p, i) => (p ? (days.size === 1 ? (p[2] ?? '') : `${p[1]} ${p[2]}`) : (keys[i] ?? '')));
  const clash = new Set(short.filter((s, i) => short.indexOf(s) !== i));
  return new Map(keys.map((k, i) => [k, clash.has(short[i] ?? '') ? k : (short[i] ?? k)]));
}
