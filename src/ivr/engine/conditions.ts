/**
 * Conditions of `branch` nodes, evaluated on the call's variables and the time. Pure: the time is
 * an input; local time comes from Intl for the condition's time zone (default the flow engine's).
 */
import type { Condition, Day, VarCondition } from '../flow/types.ts';

const DAY_NAMES: Record<string, Day> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local day and minute of the day at `now` in `timeZone`. */
export function localTime(now: number, timeZone: string): { day: Day; minute: number } {
  const parts = formatter(timeZone).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { day: DAY_NAMES[get('weekday')] ?? 'mon', minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

export function minuteOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

export function evaluate(c: Condition, vars: ReadonlyMap<string, string>, now: number, defaultTimeZone: string): boolean {
  if ('all' in c) return c.all.every((x) => evaluate(x, vars, now, defaultTimeZone));
  if ('any' in c) return c.any.some((x) => evaluate(x, vars, now, defaultTimeZone));
  if ('not' in c) return !evaluate(c.not, vars, now, defaultTimeZone);
  if ('time' in c) {
    const { minute } = localTime(now, c.time.timeZone ?? defaultTimeZone);
    const from = minuteOf(c.time.from);
    const to = minuteOf(c.time.to);
    return from <= to ? minute >= from && minute < to : minute >= from || minute < to;
  }
  if ('day' in c) return c.day.includes(localTime(now, c.timeZone ?? defaultTimeZone).day);
  return varTest(c, vars.get(c.var) ?? '');
}

function varTest(c: VarCondition, value: string): boolean {
  const n = value.trim() === '' ? NaN : Number(value);
  const same = (x: string | number) => (typeof x === 'number' ? n === x : value === x);
  if (c.eq !== undefined) return same(c.eq);
  if (c.ne !== undefined) return !same(c.ne);
  if (c.gt !== undefined) return n > c.gt;
  if (c.gte !== undefined) return n >= c.gte;
  if (c.lt !== undefined) return n < c.lt;
  if (c.lte !== undefined) return n <= c.lte;
  if (c.in !== undefined) return c.in.some(same);
  if (c.prefix !== undefined) return value.startsWith(c.prefix);
  if (c.set !== undefined) return (value !== '') === c.set;
  return false;
}
