/**
 * Is a schedule open at an instant, why, and when does that change? Local time comes from Intl in
 * the schedule's own time zone, so daylight-saving changes need no tables of ours: on the day
 * New York springs forward, 02:30 does not exist and a range starting then opens at 03:00 EDT; on
 * the day it falls back, 01:30 happens twice and is inside a range both times. Pure.
 */
import { WEEKDAYS, minutesOf, type Holiday, type Schedule, type TimeRange, type Weekday } from './schedule.ts';

export type OpenReason =
  /** `alwaysOpen: true`. */
  | 'alwaysOpen'
  /** Inside a weekly range. */
  | 'openHours'
  /** Outside every weekly range of the day (or the day has none). */
  | 'closedHours'
  /** A holiday with its own hours, inside one of them. */
  | 'holidayOpen'
  /** A holiday, closed (all day, or outside its own hours). */
  | 'holidayClosed';

export interface OpenState {
  open: boolean;
  reason: OpenReason;
  /** The holiday's name, when today is one. */
  holiday?: string;
  /** The next instant (epoch ms) at which `open` changes; absent when it never does (always
   * open, or no hours within the next ~13 months). */
  nextChangeAt?: number;
}

/** How far ahead `nextChangeAt` looks. */
const HORIZON_DAYS = 400;
const MINUTE = 60_000;

interface LocalTime {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
const holidayIndex = new WeakMap<Schedule, Map<string, Holiday>>();

function formatOf(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(tz, f);
  }
  return f;
}

/** The wall-clock time in `tz` at `at`. */
export function localTime(tz: string, at: number): LocalTime {
  const out: Record<string, number> = {};
  for (const p of formatOf(tz).formatToParts(at)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { y: out.year!, mo: out.month!, d: out.day!, h: out.hour! % 24, mi: out.minute!, s: out.second! };
}

/** Local minus UTC at `at`, ms (e.g. +8 h for Asia/Shanghai). */
function offsetAt(tz: string, at: number): number {
  const l = localTime(tz, at);
  return Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi, l.s) - (at - (((at % 1000) + 1000) % 1000));
}

/** The instant of local (y-mo-d, minutes past midnight) in `tz`. In a spring-forward gap, an
 * instant near it (isOpen's search settles the exact change by looking at real local times). */
export function instantOf(tz: string, y: number, mo: number, d: number, minutes: number): number {
  const guess = Date.UTC(y, mo - 1, d, 0, minutes);
  const o1 = offsetAt(tz, guess - offsetAt(tz, guess));
  const t = guess - o1;
  const o2 = offsetAt(tz, t);
  return o2 === o1 ? t : guess - o2;
}

function dateKey(y: number, mo: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function weekdayOf(y: number, mo: number, d: number): Weekday {
  return WEEKDAYS[(new Date(Date.UTC(y, mo - 1, d)).getUTCDay() + 6) % 7]!;
}

function holidaysOf(s: Schedule): Map<string, Holiday> {
  let m = holidayIndex.get(s);
  if (!m) {
    m = new Map((s.holidays ?? []).map((h) => [h.date, h]));
    holidayIndex.set(s, m);
  }
  return m;
}

/** The ranges in force on a local date, and the holiday that sets them, if any. */
function dayOf(s: Schedule, y: number, mo: number, d: number): { ranges: readonly TimeRange[]; holiday: Holiday | null } {
  const holiday = holidaysOf(s).get(dateKey(y, mo, d)) ?? null;
  return { ranges: holiday ? (holiday.open ?? []) : (s.weekly[weekdayOf(y, mo, d)] ?? []), holiday };
}

function inRanges(ranges: readonly TimeRange[], minute: number): boolean {
  return ranges.some(([a, b]) => minute >= minutesOf(a)! && minute < minutesOf(b, true)!);
}

/** Open or not at `at`, and why (no look-ahead). */
function stateAt(s: Schedule, at: number): Omit<OpenState, 'nextChangeAt'> {
  if (s.alwaysOpen) return { open: true, reason: 'alwaysOpen' };
  const l = localTime(s.timeZone, at);
  const { ranges, holiday } = dayOf(s, l.y, l.mo, l.d);
  const open = inRanges(ranges, l.h * 60 + l.mi);
  if (holiday) return { open, reason: open ? 'holidayOpen' : 'holidayClosed', holiday: holiday.name };
  return { open, reason: open ? 'openHours' : 'closedHours' };
}

/**
 * Whether `schedule` (as `validateSchedule` returns it) is open at `atEpochMs`, the reason, and
 * the next instant that changes. Adjacent ranges (`["18:00","24:00"]` then the next day's
 * `["00:00","06:00"]`, or `["08:00","12:00"]` then `["12:00","18:00"]`) are one open spell: no
 * change at their seam.
 */
export function isOpen(schedule: Schedule, atEpochMs: number): OpenState {
  const now = stateAt(schedule, atEpochMs);
  if (schedule.alwaysOpen) return now;
  const next = nextChange(schedule, atEpochMs, now.open);
  return next === null ? now : { ...now, nextChangeAt: next };
}

function nextChange(s: Schedule, at: number, open: boolean): number | null {
  const tz = s.timeZone;
  const today = localTime(tz, at);
  let last = at; // the latest instant known to be in the current state
  for (let k = 0; k <= HORIZON_DAYS; k++) {
    const day = new Date(Date.UTC(today.y, today.mo - 1, today.d + k));
    const [y, mo, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    // The state can only change at midnight or at a range's start or end.
    const marks = new Set<number>([0]);
    for (const [a, b] of dayOf(s, y, mo, d).ranges) {
      marks.add(minutesOf(a)!);
      const end = minutesOf(b, true)!;
      if (end < 1440) marks.add(end);
    }
    for (const m of [...marks].sort((p, q) => p - q)) {
      const t = instantOf(tz, y, mo, d, m);
      if (t <= last) continue;
      if (stateAt(s, t).open === open) {
        last = t;
        continue;
      }
      return firstChange(s, last, t, open);
    }
  }
  return null;
}

/** The first minute in (lo, hi] whose state is not `open`; `lo` has it, `hi` does not. */
function firstChange(s: Schedule, lo: number, hi: number, open: boolean): number {
  // States change on whole minutes (time zones' offsets are whole minutes), so minutes will do.
  let loM = Math.floor(lo / MINUTE);
  let hiM = Math.ceil(hi / MINUTE);
  if (hiM * MINUTE !== hi && stateAt(s, hiM * MINUTE).open === open) return hi;
  while (hiM - loM > 1) {
    const mid = Math.floor((loM + hiM) / 2);
    if (stateAt(s, mid * MINUTE).open === open) loM = mid;
    else hiM = mid;
  }
  return hiM * MINUTE;
}
