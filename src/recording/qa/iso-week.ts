/**
 * ISO-8601 weeks (`2026-W49`), in UTC: weeks start on Monday, and week 1 of a year is the week
 * with that year's first Thursday — so 2026-12-31 (a Thursday) is in 2026-W53 and 2027-01-01 too,
 * while 2024-12-30 is in 2025-W01.
 */

const DAY_MS = 86_400_000;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;

/** The ISO week an instant (epoch ms) falls in, as `YYYY-Www` (UTC). */
export function isoWeekOf(ms: number): string {
  const d = new Date(ms);
  const day = d.getUTCDay() || 7; // Monday 1 … Sunday 7
  // The Thursday of this week decides the year.
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + (4 - day) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Monday 00:00 UTC of week 1 of `year`. */
function week1Monday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const day = new Date(jan4).getUTCDay() || 7;
  return jan4 - (day - 1) * DAY_MS;
}

/** How many ISO weeks `year` has (52 or 53). */
export function weeksInYear(year: number): number {
  return Math.round((week1Monday(year + 1) - week1Monday(year)) / (7 * DAY_MS));
}

/** `[start, end)` in epoch ms (UTC) of an ISO week; null when `week` is not one (`2026-W54`). */
export function isoWeekRange(week: string): { start: number; end: number } | null {
  const m = WEEK_RE.exec(week);
  if (!m) return null;
  const year = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || n > weeksInYear(year)) return null;
  const start = week1Monday(year) + (n - 1) * 7 * DAY_MS;
  return { start, end: start + 7 * DAY_MS };
}

/** The week before `week` (a valid one). */
export function previousIsoWeek(week: string): string {
  const r = isoWeekRange(week);
  if (!r) throw new Error(`not an ISO week: ${week}`);
  return isoWeekOf(r.start - DAY_MS);
}
