/**
 * CSV fields (RFC 4180) for every export: quoted when they hold a comma, quote or line break; text
 * starting with =, +, - or @ gets a leading ' so that a spreadsheet never runs it as a formula.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : '') : String(v);
  if (/^[=+\-@]/.test(s) && typeof v !== 'number') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
