/**
 * The Recordings page's pure pieces (console/pages/recordings-format.js, recordings-search.js):
 * lengths and positions as m:ss and m:ss.t, spans kept within the recording (an open end is the
 * end), percents for the waveform's overlays, datetime-local values as ISO-8601, and the search's
 * query string (empty fields left out, the number without spaces or dashes, the page size).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const PAGES = join(import.meta.dirname, '..', '..', 'console', 'pages');
const fmt = (await import(pathToFileURL(join(PAGES, 'recordings-format.js')).href)) as {
  duration(ms: number | null | undefined): string;
  position(ms: number): string;
  isoOfLocal(v: string): string;
  spanWithin(s: { fromMs: number; toMs: number | null }, lengthMs: number): { fromMs: number; toMs: number };
  pct(ms: number, lengthMs: number): string;
};
type Fields = Record<'agent' | 'number' | 'from' | 'to' | 'customer' | 'queue' | 'minDurationS' | 'maxDurationS' | 'tag' | 'callId', string>;
const search = (await import(pathToFileURL(join(PAGES, 'recordings-search.js')).href)) as { EMPTY_FIELDS: Fields; PAGE_SIZE: number; searchQuery(f: Fields): string };

describe('Recordings page formats', () => {
  it('writes lengths and positions', () => {
    expect(fmt.duration(null)).toBe('—');
    expect(fmt.duration(0)).toBe('0:00');
    expect(fmt.duration(4_999)).toBe('0:04');
    expect(fmt.duration(65_000)).toBe('1:05');
    expect(fmt.duration(3_725_000)).toBe('1:02:05');
    expect(fmt.position(2_149)).toBe('0:02.1');
    expect(fmt.position(61_000)).toBe('1:01.0');
    expect(fmt.position(-5)).toBe('0:00.0');
  });

  it('keeps spans within the recording, an open end at its end', () => {
    expect(fmt.spanWithin({ fromMs: 1_000, toMs: 2_500 }, 4_000)).toEqual({ fromMs: 1_000, toMs: 2_500 });
    expect(fmt.spanWithin({ fromMs: 1_000, toMs: null }, 4_000)).toEqual({ fromMs: 1_000, toMs: 4_000 });
    expect(fmt.spanWithin({ fromMs: -20, toMs: 4_200 }, 4_000)).toEqual({ fromMs: 0, toMs: 4_000 });
    expect(fmt.spanWithin({ fromMs: 3_000, toMs: 2_000 }, 4_000)).toEqual({ fromMs: 3_000, toMs: 3_000 });
    expect(fmt.pct(1_000, 4_000)).toBe('25.000%');
    expect(fmt.pct(1_000, 0)).toBe('0%');
  });

  it('sends local date-times as ISO-8601, nothing for an empty field', () => {
    expect(fmt.isoOfLocal('')).toBe('');
    expect(fmt.isoOfLocal('not a date')).toBe('');
    expect(fmt.isoOfLocal('2026-12-02T09:30')).toBe(new Date(2026, 11, 2, 9, 30).toISOString());
  });
});

describe('Recordings search query', () => {
  it('asks a page of the newest with no filter', () => {
    expect(search.searchQuery(search.EMPTY_FIELDS)).toBe(`limit=${search.PAGE_SIZE}`);
  });

  it('sends the filters typed, the number as digits', () => {
    const q = new URLSearchParams(search.searchQuery({ ...search.EMPTY_FIELDS, number: ' 139-1234 5678', agent: ' a1001 ', queue: 'sales', minDurationS: '10', from: '2026-12-02T09:30' }));
    expect(q.get('number')).toBe('13912345678');
    expect(q.get('agent')).toBe('a1001');
    expect(q.get('queue')).toBe('sales');
    expect(q.get('minDurationS')).toBe('10');
    expect(q.get('from')).toBe(new Date(2026, 11, 2, 9, 30).toISOString());
    expect(q.has('to')).toBe(false);
    expect(q.has('tag')).toBe(false);
  });
});
