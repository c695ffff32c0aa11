/**
 * Business hours (src/ivr/business-hours): open or closed by the schedule's local time, with the
 * reason and the next change, across daylight-saving changes (America/New_York), in a zone without
 * them (Asia/Shanghai), on holidays (closed, or their own hours), and at midnight ("24:00" ends,
 * seams between days are not changes); the validator refuses ill-formed schedules with messages.
 */
import { describe, expect, it } from 'vitest';
import { ScheduleBook, isOpen, validateSchedule, type Schedule } from '../../src/ivr/business-hours/index.ts';

const Z = (iso: string) => Date.parse(iso);
const weekdays = (ranges: [string, string][]) => ({ mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges });

function valid(input: unknown): Schedule {
  const v = validateSchedule(input);
  if (!v.ok) throw new Error(v.problems.join('; '));
  return v.schedule;
}

describe('Asia/Shanghai (UTC+8, no DST), weekdays 08:00–18:00', () => {
  const s = valid({ timeZone: 'Asia/Shanghai', weekly: weekdays([['08:00', '18:00']]) });

  it('open inside the hours, until 18:00 local', () => {
    // Monday 2026-01-05 09:00 local = 01:00Z.
    expect(isOpen(s, Z('2026-01-05T01:00:00Z'))).toEqual({ open: true, reason: 'openHours', nextChangeAt: Z('2026-01-05T10:00:00Z') });
  });
  it('the end is excluded, the start included', () => {
    expect(isOpen(s, Z('2026-01-05T10:00:00Z'))).toEqual({ open: false, reason: 'closedHours', nextChangeAt: Z('2026-01-06T00:00:00Z') });
    expect(isOpen(s, Z('2026-01-05T09:59:59.999Z')).open).toBe(true);
    expect(isOpen(s, Z('2026-01-06T00:00:00Z')).open).toBe(true);
  });
  it('Friday evening: next opening is Monday 08:00', () => {
    expect(isOpen(s, Z('2026-01-09T11:00:00Z'))).toEqual({ open: false, reason: 'closedHours', nextChangeAt: Z('2026-01-12T00:00:00Z') });
  });
  it('local midnight is not UTC midnight: Tuesday 07:59 local is Monday 23:59Z', () => {
    expect(isOpen(s, Z('2026-01-05T23:59:00Z'))).toMatchObject({ open: false, nextChangeAt: Z('2026-01-06T00:00:00Z') });
  });
});

describe('holidays', () => {
  const s = valid({
    timeZone: 'Asia/Shanghai',
    weekly: weekdays([['08:00', '18:00']]),
    holidays: [
      { date: '2026-01-01', name: 'New Year' },
      { date: '2026-02-17', name: 'Spring Festival', open: [['10:00', '14:00']] },
    ],
  });

  it('a holiday without hours is closed all day, named', () => {
    // Thursday 2026-01-01 12:00 local.
    expect(isOpen(s, Z('2026-01-01T04:00:00Z'))).toEqual({ open: false, reason: 'holidayClosed', holiday: 'New Year', nextChangeAt: Z('2026-01-02T00:00:00Z') });
  });
  it('the day before a holiday closes at its usual time and stays closed through it', () => {
    expect(isOpen(s, Z('2025-12-31T05:00:00Z'))).toMatchObject({ open: true, nextChangeAt: Z('2025-12-31T10:00:00Z') });
    expect(isOpen(s, Z('2025-12-31T10:00:00Z'))).toMatchObject({ open: false, reason: 'closedHours', nextChangeAt: Z('2026-01-02T00:00:00Z') });
  });
  it('a holiday with its own hours', () => {
    expect(isOpen(s, Z('2026-02-17T01:00:00Z'))).toEqual({ open: false, reason: 'holidayClosed', holiday: 'Spring Festival', nextChangeAt: Z('2026-02-17T02:00:00Z') });
    expect(isOpen(s, Z('2026-02-17T03:00:00Z'))).toEqual({ open: true, reason: 'holidayOpen', holiday: 'Spring Festival', nextChangeAt: Z('2026-02-17T06:00:00Z') });
  });
});

describe('midnight', () => {
  const s = valid({ timeZone: 'Asia/Shanghai', weekly: { sat: [['20:00', '24:00']], sun: [['00:00', '02:00']] } });

  it('"24:00" ends the day; the next day\'s 00:00 range continues it without a change', () => {
    // Saturday 2026-01-10 23:00 local = 15:00Z: open until Sunday 02:00 local (Saturday 18:00Z).
    expect(isOpen(s, Z('2026-01-10T15:00:00Z'))).toEqual({ open: true, reason: 'openHours', nextChangeAt: Z('2026-01-10T18:00:00Z') });
    expect(isOpen(s, Z('2026-01-10T16:00:00Z'))).toMatchObject({ open: true, nextChangeAt: Z('2026-01-10T18:00:00Z') });
    expect(isOpen(s, Z('2026-01-10T18:00:00Z'))).toEqual({ open: false, reason: 'closedHours', nextChangeAt: Z('2026-01-17T12:00:00Z') });
  });
});

describe('America/New_York across daylight-saving changes', () => {
  it('weekday hours follow local time in winter (UTC−5) and summer (UTC−4)', () => {
    const s = valid({ timeZone: 'America/New_York', weekly: weekdays([['09:00', '17:00']]) });
    expect(isOpen(s, Z('2026-01-05T14:00:00Z'))).toMatchObject({ open: true, nextChangeAt: Z('2026-01-05T22:00:00Z') });
    expect(isOpen(s, Z('2026-07-06T13:00:00Z'))).toMatchObject({ open: true, nextChangeAt: Z('2026-07-06T21:00:00Z') });
    expect(isOpen(s, Z('2026-07-06T12:59:00Z')).open).toBe(false);
    // Friday 6 March (EST) evening: the next opening is Monday 9 March 09:00 EDT, after the change.
    expect(isOpen(s, Z('2026-03-06T23:00:00Z')).nextChangeAt).toBe(Z('2026-03-09T13:00:00Z'));
  });

  it('spring forward (8 March 2026, 02:00 → 03:00): a range starting at 02:30 opens at 03:00 EDT', () => {
    const s = valid({ timeZone: 'America/New_York', weekly: { sun: [['02:30', '04:00']] } });
    // 01:00 EST = 06:00Z.
    expect(isOpen(s, Z('2026-03-08T06:00:00Z'))).toMatchObject({ open: false, nextChangeAt: Z('2026-03-08T07:00:00Z') });
    expect(isOpen(s, Z('2026-03-08T07:00:00Z'))).toMatchObject({ open: true, nextChangeAt: Z('2026-03-08T08:00:00Z') });
  });

  it('spring forward: a range ending at 02:30 ends at 03:00 EDT (01:59 EST is the last open minute)', () => {
    const s = valid({ timeZone: 'America/New_York', weekly: { sun: [['00:00', '02:30']] } });
    expect(isOpen(s, Z('2026-03-08T06:59:00Z'))).toMatchObject({ open: true, nextChangeAt: Z('2026-03-08T07:00:00Z') });
  });

  it('fall back (1 November 2026, 02:00 → 01:00): 01:00–02:00 local is open both times, two hours', () => {
    const s = valid({ timeZone: 'America/New_York', weekly: { sun: [['01:00', '02:00']] } });
    // 01:00 EDT = 05:00Z; 01:00 EST = 06:00Z; 02:00 EST = 07:00Z.
    expect(isOpen(s, Z('2026-11-01T04:59:00Z'))).toMatchObject({ open: false, nextChangeAt: Z('2026-11-01T05:00:00Z') });
    expect(isOpen(s, Z('2026-11-01T05:30:00Z'))).toMatchObject({ open: true, nextChangeAt: Z('2026-11-01T07:00:00Z') });
    expect(isOpen(s, Z('2026-11-01T06:30:00Z')).open).toBe(true);
    expect(isOpen(s, Z('2026-11-01T07:00:00Z')).open).toBe(false);
  });
});

describe('always open, never open', () => {
  it('alwaysOpen wins and never changes', () => {
    const s = valid({ timeZone: 'UTC', weekly: {}, alwaysOpen: true, holidays: [{ date: '2026-01-01', name: 'x' }] });
    expect(isOpen(s, Z('2026-01-01T12:00:00Z'))).toEqual({ open: true, reason: 'alwaysOpen' });
  });
  it('no hours at all: closed, no next change', () => {
    expect(isOpen(valid({ timeZone: 'UTC', weekly: {} }), Z('2026-01-01T12:00:00Z'))).toEqual({ open: false, reason: 'closedHours' });
  });
  it('a single open holiday months ahead is found', () => {
    const s = valid({ timeZone: 'UTC', weekly: {}, holidays: [{ date: '2026-10-01', name: 'Open day', open: [['09:00', '10:00']] }] });
    expect(isOpen(s, Z('2026-01-01T00:00:00Z')).nextChangeAt).toBe(Z('2026-10-01T09:00:00Z'));
  });
});

describe('validateSchedule', () => {
  const problems = (input: unknown) => {
    const v = validateSchedule(input);
    return v.ok ? [] : v.problems;
  };

  it('normalises: ranges sorted by start, holidays by date, touching ranges allowed', () => {
    const v = validateSchedule({ timeZone: 'Asia/Shanghai', weekly: { mon: [['12:00', '18:00'], ['08:00', '12:00']] }, holidays: [{ date: '2026-05-01', name: 'b' }, { date: '2026-01-01', name: 'a' }] });
    expect(v).toEqual({ ok: true, schedule: { timeZone: 'Asia/Shanghai', weekly: { mon: [['08:00', '12:00'], ['12:00', '18:00']] }, holidays: [{ date: '2026-01-01', name: 'a' }, { date: '2026-05-01', name: 'b' }] } });
  });

  it('refuses overlapping ranges, naming both', () => {
    expect(problems({ timeZone: 'UTC', weekly: { mon: [['08:00', '12:00'], ['11:00', '18:00']] } })).toEqual(['weekly.mon: ranges [0] "08:00"–"12:00" and [1] "11:00"–"18:00" overlap']);
  });

  it('refuses ranges that end before they start or cross midnight, and bad times', () => {
    expect(problems({ timeZone: 'UTC', weekly: { tue: [['22:00', '02:00']] } })[0]).toMatch(/^weekly\.tue\[0\]: "22:00"–"02:00" ends before it starts/);
    expect(problems({ timeZone: 'UTC', weekly: { tue: [['08:00', '08:00']] } })).toHaveLength(1);
    expect(problems({ timeZone: 'UTC', weekly: { wed: [['24:00', '24:00']] } })[0]).toMatch(/start "24:00" is not a time/);
    expect(problems({ timeZone: 'UTC', weekly: { wed: [['8:00', '25:00']] } })).toEqual(['weekly.wed[0]: start "8:00" is not a time 00:00–23:59', 'weekly.wed[0]: end "25:00" is not a time 00:01–24:00']);
    expect(problems({ timeZone: 'UTC', weekly: { wed: ['08:00-18:00'] } })).toEqual(['weekly.wed[0]: must be ["HH:MM", "HH:MM"]']);
  });

  it('refuses unknown zones, days, fields and bad holidays', () => {
    expect(problems({ timeZone: 'Mars/Olympus', weekly: {} })).toEqual(['timeZone: "Mars/Olympus" is not a known IANA time zone']);
    expect(problems({ weekly: {} })[0]).toMatch(/^timeZone: required/);
    expect(problems({ timeZone: 'UTC', weekly: { monday: [] } })).toEqual(['weekly.monday: not a day (mon, tue, wed, thu, fri, sat, sun)']);
    expect(problems({ timeZone: 'UTC', weekly: {}, extra: 1 })).toEqual(['extra: not a known field']);
    expect(problems({ timeZone: 'UTC', weekly: {}, holidays: [{ date: '2026-02-30', name: 'x' }] })).toEqual(['holidays[0].date: "2026-02-30" is not a calendar date YYYY-MM-DD']);
    expect(problems({ timeZone: 'UTC', weekly: {}, holidays: [{ date: '2026-01-01', name: 'a' }, { date: '2026-01-01', name: 'b' }] })).toEqual(['holidays[1].date: 2026-01-01 is listed twice']);
    expect(problems({ timeZone: 'UTC', weekly: {}, holidays: [{ date: '2026-01-01', name: '' }] })[0]).toMatch(/holidays\[0\]\.name: required/);
    expect(problems({ timeZone: 'UTC', weekly: {}, alwaysOpen: 'yes' })).toEqual(['alwaysOpen: must be true or false']);
    expect(problems(null)).toHaveLength(1);
  });
});

describe('ScheduleBook', () => {
  it('answers synchronously by id, and sees a change once set', () => {
    const closed = valid({ timeZone: 'UTC', weekly: {} });
    const book = new ScheduleBook([{ id: 'main', schedule: closed, version: 1, updatedAt: 0, updatedBy: 'system' }]);
    expect(book.isOpen('main', 0)?.open).toBe(false);
    expect(book.isOpen('other', 0)).toBeNull();
    book.set({ id: 'main', schedule: valid({ timeZone: 'UTC', weekly: {}, alwaysOpen: true }), version: 2, updatedAt: 1, updatedBy: 'admin' });
    expect(book.isOpen('main', 0)).toEqual({ open: true, reason: 'alwaysOpen' });
    expect(book.get('main')?.version).toBe(2);
  });
});
