/**
 * Report intervals in a centre's own time zone: 15, 30 and 60 minutes, the local day, the ISO
 * week (Monday to Monday). Local time comes from Intl (ivr/business-hours), so daylight saving
 * needs no tables of ours: the day New York springs forward has 23 hourly intervals and its day
 * interval lasts 23 h; the day it falls back has 25, the repeated 01:00 twice, told apart by
 * their UTC offsets in the labels. Pure.
 *
 * Sub-day intervals are cut on local clock boundaries with the offset in force, which is exact
 * wherever offsets change on an interval boundary: every zone for 15 and 30 min, all but Lord
 * Howe's half-hour shift for 60 min.
 */
import { instantOf, localTime } from '../ivr/business-hours/index.ts';
import { isoWeekOf } from '../recording/qa/iso-week.ts';
import { CallKpiAccumulator, DEFAULT_KPI_CONFIG, type CallKpis, type CallRecord, type KpiConfig } from './kpi.ts';

export const INTERVAL_SIZES = ['15m', '30m', '60m', 'day', 'week'] as const;
export type IntervalSize = (typeof INTERVAL_SIZES)[number];

const MINUTES: Partial<Record<IntervalSize, number>> = { '15m': 15, '30m': 30, '60m': 60 };
const MINUTE = 60_000;

export interface LocalInterval {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  /** Local start with its offset (`2026-11-01T01:00-05:00`), the date (`2026-11-01`), or the
   * ISO week (`2026-W44`). */
  label: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Local wall clock at `at` as if it were UTC, ms (the offset is this minus `at`). */
function localMs(tz: string, at: number): number {
  const l = localTime(tz, at);
  return Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi, l.s) + (((at % 1000) + 1000) % 1000);
}

function offsetLabel(offsetMs: number): string {
  const m = Math.round(Math.abs(offsetMs) / MINUTE);
  return `${offsetMs < 0 ? '-' : '+'}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** The interval of `size` in `tz` that holds `at`. */
export function intervalOf(at: number, size: IntervalSize, tz: string): LocalInterval {
  const minutes = MINUTES[size];
  if (minutes !== undefined) {
    const span = minutes * MINUTE;
    const local = localMs(tz, at);
    const localStart = Math.floor(local / span) * span;
    const start = at - (local - localStart);
    const d = new Date(localStart);
    const label = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${offsetLabel(local - at)}`;
    return { start, end: start + span, label };
  }
  const l = localTime(tz, at);
  // Calendar arithmetic on local dates, done in UTC where every day has 24 h.
  const dayIndex = Date.UTC(l.y, l.mo - 1, l.d);
  const first = size === 'day' ? dayIndex : dayIndex - ((new Date(dayIndex).getUTCDay() + 6) % 7) * 86_400_000;
  const next = first + (size === 'day' ? 1 : 7) * 86_400_000;
  const midnight = (utcDay: number): number => {
    const d = new Date(utcDay);
    return instantOf(tz, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0);
  };
  const f = new Date(first);
  const label = size === 'day' ? `${f.getUTCFullYear()}-${pad(f.getUTCMonth() + 1)}-${pad(f.getUTCDate())}` : isoWeekOf(first);
  return { start: midnight(first), end: midnight(next), label };
}

/** The intervals that meet [from, to), in order, empty ones included. */
export function intervalsIn(from: number, to: number, size: IntervalSize, tz: string): LocalInterval[] {
  const out: LocalInterval[] = [];
  let at = from;
  while (at < to) {
    const iv = intervalOf(at, size, tz);
    out.push(iv);
    at = Math.max(iv.end, at + 1);
  }
  return out;
}

export interface IntervalKpis extends LocalInterval, CallKpis {}

/**
 * Calls per interval (by `offeredAt`) with their KPIs, every interval of [from, to) listed, the
 * quiet ones with zero counts. Calls offered outside [from, to) are left out. Streaming: the
 * intervals are laid out at construction, each call is one binary search.
 */
export class CallsPerInterval {
  private readonly intervals: LocalInterval[];
  private readonly accs: CallKpiAccumulator[];

  constructor(
    readonly from: number,
    readonly to: number,
    readonly size: IntervalSize,
    readonly timeZone: string,
    config: Readonly<KpiConfig> = DEFAULT_KPI_CONFIG,
  ) {
    this.intervals = intervalsIn(from, to, size, timeZone);
    this.accs = this.intervals.map(() => new CallKpiAccumulator(config));
  }

  add(r: CallRecord): void {
    const at = r.offeredAt;
    if (at < this.from || at >= this.to) return;
    let lo = 0;
    let hi = this.intervals.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.intervals[mid]!.start <= at) lo = mid;
      else hi = mid - 1;
    }
    this.accs[lo]?.add(r);
  }

  result(): IntervalKpis[] {
    return this.intervals.map((iv, i) => ({ ...iv, ...this.accs[i]!.result() }));
  }
}
