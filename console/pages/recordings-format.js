// @ts-check
/** How the Recordings page writes times, durations and the search form's dates. */

/** `m:ss` (or `h:mm:ss` from an hour) of a duration in ms; "—" for none. @param {number | null | undefined} ms */
export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A position in the player: `m:ss.t` (tenths). @param {number} ms */
export function position(ms) {
  const t = Math.max(0, Math.floor(ms / 100));
  return `${duration(t * 100)}.${t % 10}`;
}

/** A start time in the browser's clock, written the language's way. @param {string} iso @param {string} locale */
export function dateTime(iso, locale) {
  const d = new Date(iso);
  if (Number.isNaN(+d)) return iso;
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(d);
}

/** A `datetime-local` input's value (local time) as ISO-8601, or '' when empty or not a date. @param {string} v */
export function isoOfLocal(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(+d) ? '' : d.toISOString();
}

/** The paused spans and agent legs of a recording as spans within its length (an open end: the
 * end of the recording). @param {{fromMs: number, toMs: number | null}} s @param {number} lengthMs */
export function spanWithin(s, lengthMs) {
  const from = Math.min(Math.max(0, s.fromMs), lengthMs);
  const to = Math.min(Math.max(from, s.toMs ?? lengthMs), lengthMs);
  return { fromMs: from, toMs: to };
}

/** Percent of `lengthMs` that `ms` is, for CSS left/width. @param {number} ms @param {number} lengthMs */
export function pct(ms, lengthMs) {
  return lengthMs > 0 ? `${((ms / lengthMs) * 100).toFixed(3)}%` : '0%';
}
