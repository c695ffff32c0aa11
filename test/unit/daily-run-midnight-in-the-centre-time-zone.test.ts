/**
 * The ACD's daily figures (leastBusy: calls and talk time "today") start again at the centre's
 * midnight (IVR_TIME_ZONE), the day of the reports and the wallboard, whatever the server's zone.
 */
import { afterEach, expect, it } from 'vitest';
import { atEveryMidnight, type ScheduledJob } from '../../src/services/daily-run.ts';

const jobs: ScheduledJob[] = [];
afterEach(() => {
  for (const j of jobs.splice(0)) j.cancel();
});

/** The wall-clock time of `d` in `timeZone`, as HH:MM:SS. */
function localTime(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(d);
}

it.each(['Asia/Shanghai', 'America/New_York', 'Europe/Paris', 'UTC'])('next run at 00:00:00 in %s, within the coming day', (tz) => {
  const job = atEveryMidnight(tz, () => {});
  expect(job).not.toBeNull();
  jobs.push(job!);
  const next = job!.nextInvocation()!;
  expect(localTime(next, tz)).toBe('00:00:00');
  const inMs = next.getTime() - Date.now();
  expect(inMs).toBeGreaterThan(0);
  expect(inMs).toBeLessThanOrEqual(25 * 3600_000); // a day, an hour more across a DST change
});

it('Shanghai (UTC+8, no DST) and UTC midnights are 8 hours apart', () => {
  const sh = atEveryMidnight('Asia/Shanghai', () => {})!;
  const utc = atEveryMidnight('UTC', () => {})!;
  jobs.push(sh, utc);
  const diff = (utc.nextInvocation()!.getTime() - sh.nextInvocation()!.getTime()) / 3600_000;
  expect([8, -16]).toContain(diff);
});
