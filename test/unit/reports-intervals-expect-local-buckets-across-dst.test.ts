/**
 * Report intervals in a local time zone (src/reports/intervals.ts): New York's 2026 changes
 * (8 March has 23 hours, 1 November 25 with 01:00 twice, told apart by offset), Shanghai (no
 * DST, every day 24 h from 16:00Z), Kolkata's half-hour offset (hours start at :30Z), ISO weeks
 * from local Monday, and calls per interval with the quiet intervals listed.
 */
import { describe, expect, it } from 'vitest';
import { CallsPerInterval, intervalOf, intervalsIn, type IntervalSize } from '../../src/reports/intervals.ts';
import type { CallRecord } from '../../src/reports/kpi.ts';

const H = 3_600_000;
const NY = 'America/New_York';
const SH = 'Asia/Shanghai';
const at = (iso: string): number => Date.parse(iso);

function dayIntervals(iso: string, tz: string, size: IntervalSize) {
  const day = intervalOf(at(iso), 'day', tz);
  return { day, parts: intervalsIn(day.start, day.end, size, tz) };
}

describe('America/New_York', () => {
  it('spring forward, 8 March 2026: a 23-hour day, 23 hours, 92 quarter hours, no 02:00', () => {
    const { day, parts } = dayIntervals('2026-03-08T12:00:00-04:00', NY, '60m');
    expect(day).toEqual({ start: at('2026-03-08T05:00:00Z'), end: at('2026-03-09T04:00:00Z'), label: '2026-03-08' });
    expect(day.end - day.start).toBe(23 * H);
    expect(parts).toHaveLength(23);
    expect(parts.slice(1, 3).map((p) => p.label)).toEqual(['2026-03-08T01:00-05:00', '2026-03-08T03:00-04:00']);
    expect(parts.every((p, i) => i === 0 || p.start === parts[i - 1]!.end)).toBe(true);
    expect(parts.at(-1)!.end).toBe(day.end);
    expect(intervalsIn(day.start, day.end, '15m', NY)).toHaveLength(92);
    expect(intervalsIn(day.start, day.end, '30m', NY)).toHaveLength(46);
  });

  it('fall back, 1 November 2026: a 25-hour day with 01:00 twice (EDT then EST)', () => {
    const { day, parts } = dayIntervals('2026-11-01T12:00:00-05:00', NY, '60m');
    expect(day.end - day.start).toBe(25 * H);
    expect(parts).toHaveLength(25);
    expect(parts.slice(1, 4).map((p) => p.label)).toEqual(['2026-11-01T01:00-04:00', '2026-11-01T01:00-05:00', '2026-11-01T02:00-05:00']);
    expect(intervalOf(at('2026-11-01T05:30:00Z'), '60m', NY)).toEqual({ start: at('2026-11-01T05:00:00Z'), end: at('2026-11-01T06:00:00Z'), label: '2026-11-01T01:00-04:00' });
    expect(intervalOf(at('2026-11-01T06:30:00Z'), '60m', NY)).toEqual({ start: at('2026-11-01T06:00:00Z'), end: at('2026-11-01T07:00:00Z'), label: '2026-11-01T01:00-05:00' });
    expect(intervalsIn(day.start, day.end, '15m', NY)).toHaveLength(100);
  });

  it('an ordinary day has 24 hours', () => {
    const { day, parts } = dayIntervals('2026-06-10T12:00:00-04:00', NY, '60m');
    expect(day.end - day.start).toBe(24 * H);
    expect(parts).toHaveLength(24);
  });

  it('the week holding 8 March runs from Monday 2 March 00:00 EST to Monday 9 March 00:00 EDT, 167 hours, ISO week 10', () => {
    const w = intervalOf(at('2026-03-08T12:00:00-04:00'), 'week', NY);
    expect(w).toEqual({ start: at('2026-03-02T05:00:00Z'), end: at('2026-03-09T04:00:00Z'), label: '2026-W10' });
    expect(w.end - w.start).toBe(167 * H);
    // Sunday 23:30 local is still that week, though it is Monday in UTC.
    expect(intervalOf(at('2026-03-09T03:30:00Z'), 'week', NY).label).toBe('2026-W10');
  });
});

describe('Asia/Shanghai (no DST)', () => {
  it('days start at 16:00Z and have 24 hours, also on New York’s change days', () => {
    for (const d of ['2026-03-08', '2026-11-01']) {
      const { day, parts } = dayIntervals(`${d}T12:00:00+08:00`, SH, '60m');
      expect(day.start).toBe(at(`${d}T00:00:00+08:00`));
      expect(day.end - day.start).toBe(24 * H);
      expect(parts).toHaveLength(24);
      expect(parts[9]!.label).toBe(`${d}T09:00+08:00`);
    }
  });

  it('00:30 local on the 8th is the 8th in Shanghai, though still the 7th in UTC', () => {
    expect(intervalOf(at('2026-03-07T16:30:00Z'), 'day', SH).label).toBe('2026-03-08');
    expect(intervalOf(at('2026-03-07T16:30:00Z'), '30m', SH)).toEqual({ start: at('2026-03-07T16:30:00Z'), end: at('2026-03-07T17:00:00Z'), label: '2026-03-08T00:30+08:00' });
  });
});

it('Asia/Kolkata (+05:30): local hours start at :30 UTC', () => {
  expect(intervalOf(at('2026-03-08T04:00:00Z'), '60m', 'Asia/Kolkata')).toEqual({ start: at('2026-03-08T03:30:00Z'), end: at('2026-03-08T04:30:00Z'), label: '2026-03-08T09:00+05:30' });
});

describe('CallsPerInterval', () => {
  const call = (offeredAt: number, answered: boolean): CallRecord => ({ queue: 'q', offeredAt, answeredAt: answered ? offeredAt + 10_000 : null, abandonedAt: answered ? null : offeredAt + 30_000, endedAt: offeredAt + 60_000, talkMs: 50_000, holdMs: 0, wrapMs: 0, agent: answered ? 'a' : null });

  it('New York’s fall-back day by hour: 25 rows, the two 01:00 hours counted apart, quiet hours with zeros and null rates', () => {
    const day = intervalOf(at('2026-11-01T12:00:00-05:00'), 'day', NY);
    const per = new CallsPerInterval(day.start, day.end, '60m', NY);
    for (const c of [call(at('2026-11-01T05:10:00Z'), true), call(at('2026-11-01T05:50:00Z'), false), call(at('2026-11-01T06:20:00Z'), true), call(day.start - 1, true), call(day.end, true)]) per.add(c);
    const rows = per.result();
    expect(rows).toHaveLength(25);
    expect(rows[1]).toMatchObject({ label: '2026-11-01T01:00-04:00', counts: { offered: 2, answered: 1, abandoned: 1 }, abandonRate: 0.5 });
    expect(rows[2]).toMatchObject({ label: '2026-11-01T01:00-05:00', counts: { offered: 1, answered: 1 }, asaMs: 10_000 });
    expect(rows.reduce((s, r) => s + r.counts.offered, 0)).toBe(3);
    expect(rows[0]).toMatchObject({ counts: { offered: 0 }, serviceLevel: { value: null }, asaMs: null });
  });

  it('Shanghai by day over a week: 7 rows, each call on its local date', () => {
    const week = intervalOf(at('2026-03-04T12:00:00+08:00'), 'week', SH);
    const per = new CallsPerInterval(week.start, week.end, 'day', SH);
    per.add(call(at('2026-03-01T16:30:00Z'), true)); // Monday 2 March 00:30 local
    per.add(call(at('2026-03-08T15:59:59Z'), true)); // Sunday 8 March 23:59:59 local
    const rows = per.result();
    expect(rows.map((r) => r.label)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08']);
    expect(rows.map((r) => r.counts.offered)).toEqual([1, 0, 0, 0, 0, 0, 1]);
  });
});
