/**
 * Replay by phone (shared/spec/recordings.md, "Replay by phone"): the keyed date `YYYYMMDD` (empty:
 * today) and hour `HH` name a window [from, to) of local time in the engine's zone; the search's
 * flat answer becomes the list to play. Pure.
 */
import { describe, expect, it } from 'vitest';
import { foundList, replayWindow } from '../../src/ivr/nodes/replay-recordings.ts';

const HOUR = 3_600_000;
const utc = (iso: string) => Date.parse(iso);
const iso = (w: { from: number; to: number } | null) => (w ? { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() } : null);

describe('replayWindow: the day', () => {
  it('an empty date is today in the zone, not in UTC (Shanghai is already on the next day)', () => {
    const now = utc('2026-12-01T17:30:00Z'); // 2026-12-02 01:30 in Shanghai
    expect(iso(replayWindow('', '', now, 'Asia/Shanghai'))).toEqual({ from: '2026-12-01T16:00:00.000Z', to: '2026-12-02T16:00:00.000Z' });
    // The same instant in UTC and New York is still 2026-12-01.
    expect(iso(replayWindow('', '', now, 'UTC'))).toEqual({ from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' });
    expect(iso(replayWindow('', '', now, 'America/New_York'))).toEqual({ from: '2026-12-01T05:00:00.000Z', to: '2026-12-02T05:00:00.000Z' });
  });

  it('an empty date with an hour: that hour of today in the zone', () => {
    const now = utc('2026-12-01T17:30:00Z');
    expect(iso(replayWindow('', '09', now, 'Asia/Shanghai'))).toEqual({ from: '2026-12-02T01:00:00.000Z', to: '2026-12-02T02:00:00.000Z' });
  });

  it('a given date is that whole local day, whatever today is', () => {
    const now = utc('2026-12-01T17:30:00Z');
    expect(iso(replayWindow('20261125', '', now, 'Asia/Shanghai'))).toEqual({ from: '2026-11-24T16:00:00.000Z', to: '2026-11-25T16:00:00.000Z' });
    expect(iso(replayWindow('20261125', '', now, 'UTC'))).toEqual({ from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' });
    // Month and year ends roll over to the next day's midnight.
    expect(iso(replayWindow('20261231', '', now, 'Asia/Shanghai'))).toEqual({ from: '2026-12-30T16:00:00.000Z', to: '2026-12-31T16:00:00.000Z' });
    expect(iso(replayWindow('20280229', '', now, 'UTC'))).toEqual({ from: '2028-02-29T00:00:00.000Z', to: '2028-03-01T00:00:00.000Z' });
  });
});

describe('replayWindow: the hour', () => {
  const now = utc('2026-12-01T17:30:00Z');

  it('HH and H name the same hour, one hour long', () => {
    const two = replayWindow('20261201', '09', now, 'Asia/Shanghai');
    expect(iso(two)).toEqual({ from: '2026-12-01T01:00:00.000Z', to: '2026-12-01T02:00:00.000Z' });
    expect(replayWindow('20261201', '9', now, 'Asia/Shanghai')).toEqual(two);
    expect(iso(replayWindow('20261201', '00', now, 'Asia/Shanghai'))).toEqual({ from: '2026-11-30T16:00:00.000Z', to: '2026-11-30T17:00:00.000Z' });
    expect(iso(replayWindow('20261201', '0', now, 'UTC'))).toEqual({ from: '2026-12-01T00:00:00.000Z', to: '2026-12-01T01:00:00.000Z' });
  });

  it('hour 23 runs to the next local midnight (also across a month and a year end)', () => {
    expect(iso(replayWindow('20261201', '23', now, 'Asia/Shanghai'))).toEqual({ from: '2026-12-01T15:00:00.000Z', to: '2026-12-01T16:00:00.000Z' });
    const lastOfYear = replayWindow('20261231', '23', now, 'America/New_York')!;
    expect(iso(lastOfYear)).toEqual({ from: '2027-01-01T04:00:00.000Z', to: '2027-01-01T05:00:00.000Z' });
    expect(lastOfYear.to).toBe(replayWindow('20270101', '', now, 'America/New_York')!.from);
  });

  it('the 24 hours of a day tile the whole day exactly', () => {
    const day = replayWindow('20261201', '', now, 'Europe/London')!;
    let at = day.from;
    for (let h = 0; h < 24; h++) {
      const w = replayWindow('20261201', String(h).padStart(2, '0'), now, 'Europe/London')!;
      expect(w.from).toBe(at);
      expect(w.to - w.from).toBe(HOUR);
      at = w.to;
    }
    expect(at).toBe(day.to);
  });
});

describe('replayWindow: daylight-saving days', () => {
  const now = utc('2026-12-01T12:00:00Z');

  it('New York spring forward (2026-03-08): the whole day is 23 h', () => {
    const w = replayWindow('20260308', '', now, 'America/New_York')!;
    expect(iso(w)).toEqual({ from: '2026-03-08T05:00:00.000Z', to: '2026-03-09T04:00:00.000Z' });
    expect(w.to - w.from).toBe(23 * HOUR);
    // The hours either side of the gap: 01:00 EST and 03:00 EDT.
    expect(iso(replayWindow('20260308', '01', now, 'America/New_York'))).toEqual({ from: '2026-03-08T06:00:00.000Z', to: '2026-03-08T07:00:00.000Z' });
    expect(iso(replayWindow('20260308', '03', now, 'America/New_York'))).toEqual({ from: '2026-03-08T07:00:00.000Z', to: '2026-03-08T08:00:00.000Z' });
    // 02:xx does not exist that day: nothing can have started in it.
    const gap = replayWindow('20260308', '02', now, 'America/New_York')!;
    expect(gap.to - gap.from).toBeLessThanOrEqual(0);
  });

  it('New York fall back (2026-11-01): the whole day is 25 h, and hour 01 holds both 01:00s', () => {
    const w = replayWindow('20261101', '', now, 'America/New_York')!;
    expect(iso(w)).toEqual({ from: '2026-11-01T04:00:00.000Z', to: '2026-11-02T05:00:00.000Z' });
    expect(w.to - w.from).toBe(25 * HOUR);
    expect(iso(replayWindow('20261101', '01', now, 'America/New_York'))).toEqual({ from: '2026-11-01T05:00:00.000Z', to: '2026-11-01T07:00:00.000Z' });
    expect(iso(replayWindow('20261101', '02', now, 'America/New_York'))).toEqual({ from: '2026-11-01T07:00:00.000Z', to: '2026-11-01T08:00:00.000Z' });
  });

  it('London spring forward (2026-03-29) is 23 h, fall back (2026-10-25) 25 h', () => {
    const spring = replayWindow('20260329', '', now, 'Europe/London')!;
    expect(iso(spring)).toEqual({ from: '2026-03-29T00:00:00.000Z', to: '2026-03-29T23:00:00.000Z' });
    expect(spring.to - spring.from).toBe(23 * HOUR);
    const fall = replayWindow('20261025', '', now, 'Europe/London')!;
    expect(iso(fall)).toEqual({ from: '2026-10-24T23:00:00.000Z', to: '2026-10-26T00:00:00.000Z' });
    expect(fall.to - fall.from).toBe(25 * HOUR);
    // A summer hour is BST (UTC+1), a winter one GMT.
    expect(iso(replayWindow('20260701', '10', now, 'Europe/London'))).toEqual({ from: '2026-07-01T09:00:00.000Z', to: '2026-07-01T10:00:00.000Z' });
    expect(iso(replayWindow('20261201', '10', now, 'Europe/London'))).toEqual({ from: '2026-12-01T10:00:00.000Z', to: '2026-12-01T11:00:00.000Z' });
  });

  it('an empty date on the fall-back day in New York is that 25 h day', () => {
    const w = replayWindow('', '', utc('2026-11-01T23:00:00Z'), 'America/New_York')!; // 18:00 EST on 11-01
    expect(w.to - w.from).toBe(25 * HOUR);
    expect(new Date(w.from).toISOString()).toBe('2026-11-01T04:00:00.000Z');
  });
});

describe('replayWindow: what is not a date or an hour', () => {
  const now = utc('2026-12-01T17:30:00Z');

  it.each([
    ['20261332', ''], // month 13
    ['20261300', ''],
    ['20260001', ''], // month 0
    ['20261200', ''], // day 0
    ['20260230', ''], // 30 February
    ['20270229', ''], // 29 February in a common year
    ['20261131', ''], // 31 November
    ['2026123', ''], // 7 digits
    ['202612011', ''], // 9 digits
    ['2026120a', ''],
    ['abcdefgh', ''],
    ['2026-12-01', ''],
    [' 20261201', ''],
    ['20261201', '24'],
    ['20261201', '99'],
    ['20261201', '1a'],
    ['20261201', 'a'],
    ['20261201', '123'],
    ['20261201', '-1'],
    ['20261201', ' 9'],
    ['', '24'],
    ['', '1a'],
  ])('date %j hour %j → null', (date, hour) => {
    expect(replayWindow(date, hour, now, 'Asia/Shanghai')).toBeNull();
  });

  it('the valid neighbours of those are accepted', () => {
    for (const [date, hour] of [['20261231', ''], ['20280229', ''], ['20261130', ''], ['20261201', '23'], ['20261201', '0']] as const) {
      expect(replayWindow(date, hour, now, 'Asia/Shanghai'), `${date} ${hour}`).not.toBeNull();
    }
  });
});

describe('foundList', () => {
  it('the comma-joined record → the list, in order', () => {
    expect(foundList({ count: 3, ids: 'r3,r1,r2', startedAts: '3000,1000,2000', durations: '30000,10000,20000' })).toEqual([
      { id: 'r3', startedAt: 3000, durationMs: 30000 },
      { id: 'r1', startedAt: 1000, durationMs: 10000 },
      { id: 'r2', startedAt: 2000, durationMs: 20000 },
    ]);
    expect(foundList({ count: 1, ids: 'only', startedAts: '1764580000000', durations: '5000' })).toEqual([{ id: 'only', startedAt: 1764580000000, durationMs: 5000 }]);
  });

  it('a number given as a number (one entry) is read too', () => {
    expect(foundList({ ids: 'r1', startedAts: 1000, durations: 2000 })).toEqual([{ id: 'r1', startedAt: 1000, durationMs: 2000 }]);
  });

  it('malformed entries are dropped: no id, a start that is not a number, a start missing', () => {
    expect(foundList({ ids: 'a,,c,d,e', startedAts: '1,2,x,4', durations: '10,20,30,40,50' })).toEqual([
      { id: 'a', startedAt: 1, durationMs: 10 },
      { id: 'd', startedAt: 4, durationMs: 40 },
    ]);
    // An empty or blank start is missing, not 0.
    expect(foundList({ ids: 'a,b,c,d', startedAts: '1,, ,4', durations: '1,2,3,4' }).map((r) => r.id)).toEqual(['a', 'd']);
  });

  it('a bad or missing duration keeps the entry with duration 0', () => {
    expect(foundList({ ids: 'a,b,c', startedAts: '1,2,3', durations: '10,zz' })).toEqual([
      { id: 'a', startedAt: 1, durationMs: 10 },
      { id: 'b', startedAt: 2, durationMs: 0 },
      { id: 'c', startedAt: 3, durationMs: 0 },
    ]);
    expect(foundList({ ids: 'a', startedAts: '1' })).toEqual([{ id: 'a', startedAt: 1, durationMs: 0 }]);
  });

  it('null, undefined, an empty record, empty ids or ids not a string → []', () => {
    expect(foundList(null)).toEqual([]);
    expect(foundList(undefined)).toEqual([]);
    expect(foundList({})).toEqual([]);
    expect(foundList({ count: 0, ids: '', startedAts: '', durations: '' })).toEqual([]);
    expect(foundList({ ids: 12, startedAts: '1', durations: '1' })).toEqual([]);
    expect(foundList({ ids: null, startedAts: '1', durations: '1' })).toEqual([]);
  });
});
