import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/storage/database.ts';
import { RecordingsReadRepository } from '../../src/storage/repositories/recordings-read.ts';
import { buildSearch, decodeCursor, encodeCursor, type RecordingFilters } from '../../src/recording/search/query.ts';
import { RecordingSeeder, type SeedRecording } from '../helpers/recordings.ts';

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const MIN = 60_000;

function fixture(): SeedRecording[] {
  const rows: SeedRecording[] = [];
  for (let i = 0; i < 40; i++) {
    rows.push({
      id: `r${String(i).padStart(3, '0')}`,
      startedAt: T0 + i * MIN,
      durationMs: (i % 5) * 30_000 + 10_000,
      caller: i % 2 ? `1380000${String(i).padStart(4, '0')}` : `2001`,
      callee: i % 2 ? '8000' : `1390000${String(i).padStart(4, '0')}`,
      queue: i % 3 === 0 ? 'sales' : 'support',
      customerId: i % 4 === 0 ? 7 : null,
      agents: i % 7 === 0 ? [{ agent: 'a1001', extension: '2001', fromMs: 0, toMs: 1000 }, { agent: 'a1002', extension: '2002', fromMs: 1000, toMs: 2000 }, { agent: 'a1001', extension: '2001', fromMs: 2000, toMs: null }] : [{ agent: `a100${(i % 3) + 2}`, extension: '2002', fromMs: 0, toMs: null }],
      tags: i % 6 === 0 ? ['complaint', 'vip'] : [],
      paused: i === 5 ? [{ fromMs: 1000, toMs: 3000 }] : [],
    });
  }
  // Not listed: still recording, failed, deleted.
  rows.push({ id: 'open', startedAt: T0 + 100 * MIN, status: 'recording', agents: [{ agent: 'a1001', extension: '2001', fromMs: 0, toMs: null }] });
  rows.push({ id: 'gone', startedAt: T0 + 101 * MIN, status: 'deleted', customerId: 7 });
  return rows;
}

let opened: OpenedDatabase;
let repo: RecordingsReadRepository;
let seeder: RecordingSeeder;
const all = fixture();

beforeEach(() => {
  opened = openDatabase({ file: ':memory:' });
  seeder = new RecordingSeeder(opened.sqlite);
  seeder.many(all);
  repo = new RecordingsReadRepository(opened.sqlite);
});
afterEach(() => opened.close());

/** Every page of a search, following the cursor. */
function ids(f: RecordingFilters, limit = 7): string[] {
  const out: string[] = [];
  let after = null;
  for (;;) {
    const p = repo.search(f, after, limit);
    out.push(...p.rows.map((r) => r.recording.id));
    if (!p.more) return out;
    const last = p.rows[p.rows.length - 1]!;
    after = decodeCursor(encodeCursor({ startedAt: last.startedAtMs, id: last.recording.id }));
  }
}

const expected = (pred: (r: SeedRecording) => boolean) =>
  all
    .filter((r) => (r.status ?? 'closed') === 'closed' && pred(r))
    .sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1))
    .map((r) => r.id);

describe('recording search', () => {
  it('each filter returns exactly the expected rows, newest first, across pages', () => {
    expect(ids({})).toEqual(expected(() => true));
    expect(ids({ agent: 'a1001' })).toEqual(expected((r) => !!r.agents?.some((a) => a.agent === 'a1001')));
    expect(ids({ number: '1380000' })).toEqual(expected((r) => r.caller!.startsWith('1380000') || r.callee!.startsWith('1380000')));
    expect(ids({ number: '13' })).toEqual(expected((r) => r.caller!.startsWith('13') || r.callee!.startsWith('13')));
    expect(ids({ number: '2001' })).toEqual(expected((r) => r.caller === '2001'));
    expect(ids({ from: T0 + 10 * MIN, to: T0 + 20 * MIN })).toEqual(expected((r) => r.startedAt >= T0 + 10 * MIN && r.startedAt <= T0 + 20 * MIN));
    expect(ids({ customer: 7 })).toEqual(expected((r) => r.customerId === 7));
    expect(ids({ queue: 'sales' })).toEqual(expected((r) => r.queue === 'sales'));
    expect(ids({ minDurationS: 70, maxDurationS: 100 })).toEqual(expected((r) => r.durationMs! >= 70_000 && r.durationMs! <= 100_000));
    expect(ids({ tag: 'complaint' })).toEqual(expected((r) => !!r.tags?.includes('complaint')));
    expect(ids({ callId: 'call-r007' })).toEqual(['r007']);
    expect(ids({ agent: 'a1001', from: T0 + 10 * MIN, tag: 'vip' })).toEqual(expected((r) => !!r.agents?.some((a) => a.agent === 'a1001') && r.startedAt >= T0 + 10 * MIN && !!r.tags?.includes('vip')));
    expect(ids({ number: '1390000', queue: 'sales', customer: 7 })).toEqual(expected((r) => r.callee!.startsWith('1390000') && r.queue === 'sales' && r.customerId === 7));
  });

  it('an agent with several legs in one recording is listed once, and the page is still full', () => {
    const p = repo.search({ agent: 'a1001' }, null, 3);
    expect(p.rows.map((r) => r.recording.id)).toEqual(['r035', 'r028', 'r021']);
    expect(p.more).toBe(true);
  });

  it('a recording carries its agents, pauses and tags in ms from its start', () => {
    const r = repo.get('r000')!.recording;
    expect(r).toMatchObject({ id: 'r000', callId: 'call-r000', startedAt: new Date(T0).toISOString(), tier: 'hot', legalHold: false, tags: ['complaint', 'vip'], customer: 7, queue: 'sales' });
    expect(r.agents).toEqual([
      { agentId: 'a1001', extension: '2001', fromMs: 0, toMs: 1000 },
      { agentId: 'a1002', extension: '2002', fromMs: 1000, toMs: 2000 },
      { agentId: 'a1001', extension: '2001', fromMs: 2000, toMs: null },
    ]);
    expect(repo.get('r005')!.recording.paused).toEqual([{ fromMs: 1000, toMs: 3000 }]);
    expect(repo.get('open')).toBeNull();
    expect(repo.get('gone')).toBeNull();
  });

  it('pages neither repeat nor skip rows while newer and older-timed rows are inserted between pages', () => {
    const seen: string[] = [];
    let after = null;
    let n = 0;
    for (;;) {
      const p = repo.search({}, after, 5);
      seen.push(...p.rows.map((r) => r.recording.id));
      // Rows arrive between pages: a newer one (belongs before page 1) and one with the same start
      // as the last row served but a smaller id (belongs after it: must be served later, once).
      seeder.one({ id: `new${n}`, startedAt: T0 + 1000 * MIN + n });
      const last = p.rows[p.rows.length - 1];
      if (last) seeder.one({ id: `${last.recording.id}-a${n}`.replace(/^r/, 'q'), startedAt: last.startedAtMs });
      n++;
      if (!p.more) break;
      after = { startedAt: last!.startedAtMs, id: last!.recording.id };
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of expected(() => true)) expect(seen).toContain(id);
    // Every row inserted behind the cursor was served exactly once.
    const behind = opened.sqlite.prepare("SELECT id FROM recordings WHERE id LIKE 'q%' ORDER BY rowid").all() as { id: string }[];
    for (const { id } of behind.slice(0, -1)) expect(seen).toContain(id);
  });

  it('a cursor this API did not give out is BAD_CURSOR', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrow(/cursor/);
    expect(() => decodeCursor(Buffer.from('{"s":"x","i":"r1"}').toString('base64url'))).toThrow(/cursor/);
  });

  it('every filter reads its index, never a whole-table scan', () => {
    const filters: [RecordingFilters, RegExp][] = [
      [{}, /recordings_started_idx/],
      [{ agent: 'a1001', from: T0, to: T0 + 10 * MIN }, /recording_agents_agent_idx \(agent=\? AND started_at>\? AND started_at<\?\)|recording_agents_agent_idx \(agent=\?/],
      [{ number: '1380' }, /recordings_caller_idx \(caller>\? AND caller<\?\)/],
      [{ customer: 7 }, /recordings_customer_idx \(customer_id=\?/],
      [{ queue: 'sales' }, /recordings_queue_idx \(queue=\?/],
      [{ tag: 'vip' }, /recording_tags_tag_idx \(tag=\?/],
      [{ callId: 'call-r001' }, /recordings_call_idx \(call_id=\?\)/],
      [{ from: T0, to: T0 + MIN, minDurationS: 5 }, /recordings_started_idx \(started_at>\? AND started_at<\?\)|recordings_started_idx \(/],
    ];
    for (const [f, uses] of filters) {
      const q = buildSearch(f, null, 50);
      const plan = (opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(q.params) as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan, JSON.stringify(f)).toMatch(uses);
      if (f.number) expect(plan).toMatch(/recordings_callee_idx \(callee>\? AND callee<\?\)/);
      // No line scans a table without an index.
      expect(plan, `${JSON.stringify(f)}\n${plan}`).not.toMatch(/SCAN (r|d|recordings|recording_agents|recording_tags)(?! USING)/);
    }
  });
});
