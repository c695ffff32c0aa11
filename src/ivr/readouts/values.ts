/**
 * The values a read-out takes, parsed and checked: what `POST /api/v1/ivr/say` and the IVR's
 * `say` steps accept (../shared/spec/ivr.md, "Read-outs"). Every value is a string; a bad one
 * throws `ReadOutError` naming the problem. Pure: no clock, no I/O.
 */

export class ReadOutError extends Error {
  readonly code = 'BAD_REQUEST';
}

/** A decimal as its parts: sign, integer digits without leading zeros ("0" for zero), fraction digits as written. */
export interface Decimal {
  negative: boolean;
  int: string;
  frac: string;
}

/** Integers up to 16 digits (below 10^16: 万亿 in Mandarin, quadrillions in English). */
export const MAX_INT_DIGITS = 16;
const MAX_FRAC_DIGITS = 8;

export function parseDecimal(value: string, what = 'a decimal'): Decimal {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) throw new ReadOutError(`"${clip(value)}" is not ${what} (digits, an optional "-" and "."; e.g. "1005", "-3.5")`);
  const int = m[2]!.replace(/^0+(?=\d)/, '');
  const frac = m[3] ?? '';
  if (int.length > MAX_INT_DIGITS) throw new ReadOutError(`"${clip(value)}" is too large to read (at most ${MAX_INT_DIGITS} digits before the point)`);
  if (frac.length > MAX_FRAC_DIGITS) throw new ReadOutError(`"${clip(value)}" has more than ${MAX_FRAC_DIGITS} digits after the point`);
  const zero = /^0*$/.test(int) && /^0*$/.test(frac);
  return { negative: m[1] === '-' && !zero, int, frac };
}

/** Money in the currency's units: at most two decimals ("1005.30"). */
export function parseMoney(value: string): { negative: boolean; units: string; cents: number } {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) throw new ReadOutError(`"${clip(value)}" is not an amount of money (e.g. "1005.30": at most two decimals)`);
  const units = m[2]!.replace(/^0+(?=\d)/, '');
  if (units.length > MAX_INT_DIGITS) throw new ReadOutError(`"${clip(value)}" is too large to read`);
  const cents = Number((m[3] ?? '').padEnd(2, '0'));
  return { negative: m[1] === '-' && !(units === '0' && cents === 0), units, cents };
}

/** A whole number ≥ `min`, at most MAX_INT_DIGITS digits. */
export function parseWhole(value: string, what: string, min = 0): string {
  if (!/^\d+$/.test(value)) throw new ReadOutError(`"${clip(value)}" is not ${what} (digits only)`);
  const int = value.replace(/^0+(?=\d)/, '');
  if (int.length > MAX_INT_DIGITS) throw new ReadOutError(`"${clip(value)}" is too large to read`);
  if (Number(int) < min) throw new ReadOutError(`"${clip(value)}" is not ${what} (at least ${min})`);
  return int;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
  /** 0 Sunday … 6 Saturday. */
  weekday: number;
}

export function parseDate(value: string): CalendarDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) throw new ReadOutError(`"${clip(value)}" is not an ISO date (YYYY-MM-DD)`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(year, month - 1, day);
  const d = new Date(t);
  if (year < 1 || d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) throw new ReadOutError(`"${value}" is not a date of the calendar`);
  return { year, month, day, weekday: d.getUTCDay() };
}

export interface ClockTime {
  hour: number;
  minute: number;
  second: number | null;
}

export function parseTime(value: string): ClockTime {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) throw new ReadOutError(`"${clip(value)}" is not a time (HH:MM or HH:MM:SS, 24-hour)`);
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = m[3] === undefined ? null : Number(m[3]);
  if (hour > 23 || minute > 59 || (second !== null && second > 59)) throw new ReadOutError(`"${value}" is not a time of day`);
  return { hour, minute, second };
}

export function parseDateTime(value: string): { date: CalendarDate; time: ClockTime } {
  const m = /^([^T]+)T(.+)$/.exec(value);
  if (!m) throw new ReadOutError(`"${clip(value)}" is not an ISO date and time (YYYY-MM-DDTHH:MM)`);
  return { date: parseDate(m[1]!), time: parseTime(m[2]!) };
}

/** A duration in whole seconds: hours, minutes, seconds. */
export function parseDuration(value: string): { hours: number; minutes: number; seconds: number } {
  if (!/^\d{1,9}$/.test(value)) throw new ReadOutError(`"${clip(value)}" is not a duration (whole seconds, at most 9 digits)`);
  const s = Number(value);
  return { hours: Math.floor(s / 3600), minutes: Math.floor((s % 3600) / 60), seconds: s % 60 };
}

/** A phone number: digits, an optional leading "+", spaces and hyphens between them. */
export function parsePhone(value: string): { plus: boolean; digits: string } {
  if (!/^\+?\d[\d -]*$/.test(value) || /[ -]$/.test(value)) throw new ReadOutError(`"${clip(value)}" is not a phone number (digits, optionally "+", spaces or "-")`);
  const digits = value.replace(/[^\d]/g, '');
  if (digits.length > 32) throw new ReadOutError(`"${clip(value)}" has more than 32 digits`);
  return { plus: value.startsWith('+'), digits };
}

export function parseDigits(value: string): string {
  if (!/^\d{1,64}$/.test(value)) throw new ReadOutError(`"${clip(value)}" is not a string of digits (1–64 digits)`);
  return value;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
