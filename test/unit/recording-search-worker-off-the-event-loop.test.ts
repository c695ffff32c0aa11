import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/storage/database.ts';
import { buildSearch } from '../../src/recording/search/query.ts';
import { SearchTimeout, SearchWorker } from '../../src/recording/search/worker.ts';
import { RecordingSeeder } from '../helpers/recordings.ts';

let dir: string;
let opened: OpenedDatabase;
let worker: SearchWorker;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'search-worker-'));
  opened = openDatabase({ file: join(dir, 'switchboard.db') });
  new RecordingSeeder(opened.sqlite).many(Array.from({ length: 20 }, (_, i) => ({ id: `r${String(i).padStart(2, '0')}`, startedAt: 1_000_000 + i, agents: [{ agent: 'a1001', extension: '2001', fromMs: 0, toMs: null }] })));
});
afterEach(async () => {
  await worker.close();
  opened.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('search worker', () => {
  it('a slow search does not hold a timer on the main loop, and answers the same as the main thread', async () => {
    worker = new SearchWorker({ file: join(dir, 'switchboard.db'), log: pino({ level: 'silent' }) });
    let ticks = 0;
    let worstGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      ticks++;
    }, 10);
    // The worker is held 400 ms inside the search (a stand-in for a heavy query).
    const page = await worker.search(buildSearch({ agent: 'a1001' }, null, 5), 400);
    clearInterval(timer);
    expect(page.rows.map((r) => r.recording.id)).toEqual(['r19', 'r18', 'r17', 'r16', 'r15']);
    expect(page.more).toBe(true);
    expect(ticks).toBeGreaterThan(15);
    expect(worstGap).toBeLessThan(150);
  });

  it('a search past its time is a SearchTimeout, and the searches queued behind it are answered', async () => {
    worker = new SearchWorker({ file: join(dir, 'switchboard.db'), log: pino({ level: 'silent' }), timeoutMs: 200 });
    const slow = worker.search(buildSearch({}, null, 5), 5_000);
    const next = worker.search(buildSearch({}, null, 2));
    await expect(slow).rejects.toBeInstanceOf(SearchTimeout);
    expect((await next).rows.map((r) => r.recording.id)).toEqual(['r19', 'r18']);
  });

  it('sees rows committed after it opened (WAL, read-only connection)', async () => {
    worker = new SearchWorker({ file: join(dir, 'switchboard.db'), log: pino({ level: 'silent' }) });
    expect((await worker.search(buildSearch({ callId: 'call-late' }, null, 5))).rows).toEqual([]);
    new RecordingSeeder(opened.sqlite).one({ id: 'late', callId: 'call-late', startedAt: 5 });
    expect((await worker.search(buildSearch({ callId: 'call-late' }, null, 5))).rows.map((r) => r.recording.id)).toEqual(['late']);
  });
});
