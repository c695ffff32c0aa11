/**
 * The Reports page's pure pieces (console/pages/reports-format.js, reports-api.js): how cells are
 * written (m:ss, h:mm:ss, percents, a dash for nothing), interval keys shortened without two rows
 * reading the same, periods as whole local days, and the download's file name from
 * Content-Disposition.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PAGES = join(import.meta.dirname, '..', '..', 'console', 'pages');
type Period = { kind: 'today' | 'yesterday' | 'thisWeek' | 'custom'; fromDate: string; toDate: string };
const fmt = (await import(pathToFileURL(join(PAGES, 'reports-format.js')).href)) as {
  formatCell(v: string | number | null, f: string): string;
  intervalNames(keys: string[]): Map<string, string>;
};
const api = (await import(pathToFileURL(join(PAGES, 'reports-api.js')).href)) as {
  periodRange(p: Period, now?: Date): { from: number; to: number } | null;
  queryOf(q: Record<string, string | number | null | undefined>): string;
  fileNameOf(h: string | null, fallback: string): string;
};

describe('Reports page cells', () => {
  it('writes counts, durations, percents and nothing', () => {
    expect(fmt.formatCell(1032, 'count')).toBe('1032');
    expect(fmt.formatCell(4.6789, 'count')).toBe('4.68');
    expect(fmt.formatCell(375, 'seconds')).toBe('6:15');
    expect(fmt.formatCell(59.6, 'seconds')).toBe('1:00');
    expect(fmt.formatCell(3725, 'seconds')).toBe('1:02:05');
    expect(fmt.formatCell(0.14296, 'percent')).toBe('14.3%');
    expect(fmt.formatCell(null, 'percent')).toBe('—');
    expect(fmt.formatCell('sales', 'text')).toBe('sales');
  });

  it('shortens interval keys to the time on one day, to date and time over several, and keeps clashing ones whole', () => {
    expect([...fmt.intervalNames(['2026-11-20T09:00+08:00', '2026-11-20T10:00+08:00']).values()]).toEqual(['09:00', '10:00']);
    expect([...fmt.intervalNames(['2026-11-20T23:00+08:00', '2026-11-21T00:00+08:00']).values()]).toEqual(['2026-11-20 23:00', '2026-11-21 00:00']);
    // The hour a New York clock goes back: 01:00 twice, told apart by the offset.
    const fallBack = ['2026-11-01T00:00-04:00', '2026-11-01T01:00-04:00', '2026-11-01T01:00-05:00'];
    expect([...fmt.intervalNames(fallBack).values()]).toEqual(['00:00', ...fallBack.slice(1)]);
    expect([...fmt.intervalNames(['2026-W47']).values()]).toEqual(['2026-W47']);
  });
});

describe('Reports page periods and downloads', () => {
  // A Wednesday afternoon on the test machine's own clock.
  const now = new Date(2026, 10, 25, 15, 30);
  const day = (d: number) => +new Date(2026, 10, d);

  it('are whole local days, this week from Monday, a custom one up to the midnight after its last day', () => {
    expect(api.periodRange({ kind: 'today', fromDate: '', toDate: '' }, now)).toEqual({ from: day(25), to: day(26) });
    expect(api.periodRange({ kind: 'yesterday', fromDate: '', toDate: '' }, now)).toEqual({ from: day(24), to: day(25) });
    expect(api.periodRange({ kind: 'thisWeek', fromDate: '', toDate: '' }, now)).toEqual({ from: day(23), to: day(26) });
    expect(api.periodRange({ kind: 'custom', fromDate: '2026-11-20', toDate: '2026-11-20' }, now)).toEqual({ from: day(20), to: day(21) });
    expect(api.periodRange({ kind: 'custom', fromDate: '2026-11-21', toDate: '2026-11-20' }, now)).toBeNull();
    expect(api.periodRange({ kind: 'custom', fromDate: '', toDate: '2026-11-20' }, now)).toBeNull();
  });

  it('leave empty filters out of the query and take the server\'s file name', () => {
    expect(api.queryOf({ from: 1, to: 2, queue: '', agent: null, interval: undefined, target: 80 })).toBe('from=1&to=2&target=80');
    expect(api.fileNameOf(`attachment; filename="abandonment.csv"; filename*=UTF-8''${encodeURIComponent('用户放弃率统计表')}.csv`, 'x.csv')).toBe('用户放弃率统计表.csv');
    expect(api.fileNameOf('attachment; filename="staffing.xlsx"', 'x.xlsx')).toBe('staffing.xlsx');
    expect(api.fileNameOf(null, 'x.csv')).toBe('x.csv');
  });
});
