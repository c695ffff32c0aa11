/**
 * Business-hours schedules: what they look like and the validator that refuses ill-formed ones
 * with messages naming the problem. Pure: no clock, no I/O.
 *
 * A schedule is open in the weekly ranges of a local day, in its IANA time zone, except on a
 * holiday, which is closed all day unless it lists its own `open` ranges. A range is
 * `["HH:MM", "HH:MM"]`, start included, end excluded; the end may be "24:00" (the day's end).
 * Ranges do not cross midnight: 22:00–02:00 is `["22:00","24:00"]` on one day and
 * `["00:00","02:00"]` on the next (which `isOpen` treats as one open spell). `alwaysOpen: true`
 * overrides everything.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `["08:00", "18:00"]`: open from 08:00 (included) to 18:00 (excluded), local time. */
export type TimeRange = [string, string];

export interface Holiday {
  /** Local date, `YYYY-MM-DD`. */
  date: string;
  name: string;
  /** Hours on that day; absent or empty: closed all day. */
  open?: TimeRange[];
}

export interface Schedule {
  /** IANA time zone, e.g. `Asia/Shanghai`, `America/New_York`. */
  timeZone: string;
  /** Days not listed are closed. */
  weekly: Partial<Record<Weekday, TimeRange[]>>;
  holidays?: Holiday[];
  alwaysOpen?: boolean;
}

export const ALWAYS_OPEN_SCHEDULE: Schedule = Object.freeze({ timeZone: 'UTC', weekly: {}, holidays: [], alwaysOpen: true }) as Schedule;

/** Limits that keep a schedule small (and `isOpen` cheap). */
export const SCHEDULE_LIMITS = { rangesPerDay: 12, holidays: 1000, nameLength: 128 } as const;

export type ScheduleValidation = { ok: true; schedule: Schedule } | { ok: false; problems: string[] };

const TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Minutes since local midnight of "HH:MM" (or 1440 for "24:00" when `end`); null when ill-formed. */
export function minutesOf(hhmm: string, end = false): number | null {
  if (end && hhmm === '24:00') return 1440;
  const m = TIME.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** True for a real calendar date `YYYY-MM-DD`. */
export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** True when the runtime knows the IANA time zone. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a schedule (any JSON value) and returns it normalised (ranges sorted by start, holidays
 * by date, a copy) or every problem found, each naming where: `weekly.mon[1]: "18:00"–"08:00"
 * ends before it starts`.
 */
export function validateSchedule(input: unknown): ScheduleValidation {
  const problems: string[] = [];
  if (!isObject(input)) return { ok: false, problems: ['a schedule is an object {timeZone, weekly, holidays?, alwaysOpen?}'] };
  for (const k of Object.keys(input)) if (!['timeZone', 'weekly', 'holidays', 'alwaysOpen'].includes(k)) problems.push(`${k}: not a known field`);
  const tz = input.timeZone;
  if (typeof tz !== 'string' || tz === '') problems.push('timeZone: required, an IANA time zone such as "Asia/Shanghai"');
  else if (!isTimeZone(tz)) problems.push(`timeZone: ${JSON.stringify(tz)} is not a known IANA time zone`);
  if (input.alwaysOpen !== undefined && typeof input.alwaysOpen !== 'boolean') problems.push('alwaysOpen: must be true or false');

  const weekly: Partial<Record<Weekday, TimeRange[]>> = {};
  if (!isObject(input.weekly)) problems.push('weekly: required, an object of days (mon … sun) to lists of ["HH:MM", "HH:MM"]');
  else {
    for (const [day, ranges] of Object.entries(input.weekly)) {
      if (!(WEEKDAYS as readonly string[]).includes(day)) {
        problems.push(`weekly.${day}: not a day (mon, tue, wed, thu, fri, sat, sun)`);
        continue;
      }
      const checked = checkRanges(ranges, `weekly.${day}`, problems);
      if (checked) weekly[day as Weekday] = checked;
    }
  }

  const holidays: Holiday[] = [];
  if (input.holidays !== undefined) {
    if (!Array.isArray(input.holidays)) problems.push('holidays: must be a list of {date, name, open?}');
    else if (input.holidays.length > SCHEDULE_LIMITS.holidays) problems.push(`holidays: at most ${SCHEDULE_LIMITS.holidays}`);
    else {
      const seen = new Set<string>();
      input.holidays.forEach((h: unknown, i) => {
        const where = `holidays[${i}]`;
        if (!isObject(h)) {
          problems.push(`${where}: must be an object {date, name, open?}`);
          return;
        }
        for (const k of Object.keys(h)) if (!['date', 'name', 'open'].includes(k)) problems.push(`${where}.${k}: not a known field`);
        const ok = { date: true, name: true };
        if (typeof h.date !== 'string' || !isCalendarDate(h.date)) {
          problems.push(`${where}.date: ${JSON.stringify(h.date)} is not a calendar date YYYY-MM-DD`);
          ok.date = false;
        } else if (seen.has(h.date)) {
          problems.push(`${where}.date: ${h.date} is listed twice`);
          ok.date = false;
        } else seen.add(h.date);
        if (typeof h.name !== 'string' || h.name.trim() === '' || h.name.length > SCHEDULE_LIMITS.nameLength) {
          problems.push(`${where}.name: required, 1 to ${SCHEDULE_LIMITS.nameLength} characters`);
          ok.name = false;
        }
        const open = h.open === undefined ? [] : checkRanges(h.open, `${where}.open`, problems);
        if (ok.date && ok.name && open) holidays.push({ date: h.date as string, name: h.name as string, ...(open.length ? { open } : {}) });
      });
    }
  }
  if (problems.length) return { ok: false, problems };
  holidays.sort((a, b) => (a.date < b.date ? -1 : 1));
  return { ok: true, schedule: { timeZone: tz as string, weekly, holidays, ...(input.alwaysOpen ? { alwaysOpen: true } : {}) } };
}

/** A day's ranges, sorted; null (with problems pushed) when any is ill-formed or they overlap. */
function checkRanges(ranges: unknown, where: string, problems: string[]): TimeRange[] | null {
  if (!Array.isArray(ranges)) {
    problems.push(`${where}: must be a list of ["HH:MM", "HH:MM"]`);
    return null;
  }
  if (ranges.length > SCHEDULE_LIMITS.rangesPerDay) {
    problems.push(`${where}: at most ${SCHEDULE_LIMITS.rangesPerDay} ranges a day`);
    return null;
  }
  const before = problems.length;
  const out: { r: TimeRange; from: number; to: number; i: number }[] = [];
  ranges.forEach((r: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'string' || typeof r[1] !== 'string') {
      problems.push(`${at}: must be ["HH:MM", "HH:MM"]`);
      return;
    }
    const [a, b] = r as [string, string];
    const from = minutesOf(a);
    const to = minutesOf(b, true);
    if (from === null) problems.push(`${at}: start ${JSON.stringify(a)} is not a time 00:00–23:59`);
    if (to === null) problems.push(`${at}: end ${JSON.stringify(b)} is not a time 00:01–24:00`);
    if (from === null || to === null) return;
    if (to <= from) {
      problems.push(`${at}: "${a}"–"${b}" ends before it starts (a range does not cross midnight: split it at "24:00")`);
      return;
    }
    out.push({ r: [a, b], from, to, i });
  });
  out.sort((x, y) => x.from - y.from);
  for (let k = 1; k < out.length; k++) {
    const p = out[k - 1]!;
    const c = out[k]!;
    if (c.from < p.to) problems.push(`${where}: ranges [${p.i}] "${p.r[0]}"–"${p.r[1]}" and [${c.i}] "${c.r[0]}"–"${c.r[1]}" overlap`);
  }
  return problems.length > before ? null : out.map((x) => x.r);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
