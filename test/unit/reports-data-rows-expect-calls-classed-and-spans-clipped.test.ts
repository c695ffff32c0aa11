import { afterEach, describe, expect, it } from 'vitest';
import { callRecordOf, classOf, REPORT_SQL, SPILL_MS, stateSpanOf, type CallReportRow } from '../../src/reports/data/call-rows.ts';
import { openDatabase, type OpenedDatabase } from '../../src/storage/database.ts';

const row = (over: Partial<CallReportRow> = {}): CallReportRow => ({
  id: 'c1',
  queue_id: 'sales',
  offered_at: 1_000_000,
  answered_at: 1_012_000,
  ended_at: 1_100_000,
  talk_ms: 88_000,
  hold_ms: 0,
  outcome: 'answered',
  first_agent: 'alice',
  answer_agent: 'alice',
  answer_extension: '7001',
  wrap_ms: 15_000,
  team: 'east',
  ...over,
});

describe('classOf: answered, abandoned or other, from answered_at, ended_at and outcome', () => {
  it.each([
    ['answered by an agent', { outcome: 'answered' }, 'answered'],
    ['answered, still talking (no outcome yet)', { outcome: null, ended_at: null }, 'answered'],
    ['answered, closed by a restart', { outcome: 'answered' }, 'answered'],
    ['overflowed to an outside number that answered', { outcome: 'overflow' }, 'other'],
    ['maxWait fallback answered elsewhere', { outcome: 'maxWait' }, 'other'],
    ['caller hung up while waiting', { answered_at: null, outcome: 'abandoned' }, 'abandoned'],
    ['overflow, not answered', { answered_at: null, outcome: 'overflow' }, 'other'],
    ['lost at a daemon restart', { answered_at: null, outcome: 'lost' }, 'other'],
    ['failed', { answered_at: null, outcome: 'failed' }, 'other'],
    ['still waiting', { answered_at: null, ended_at: null, outcome: null }, 'other'],
  ] as const)('%s → %s', (_name, over, expected) => {
    expect(classOf(row(over))).toBe(expected);
  });
});

describe('callRecordOf', () => {
  it('an answered call: wait from offered_at, talk_ms as talk (no hold here), wrap-up from the state log, the answering agent', () => {
    expect(callRecordOf(row({ first_agent: 'bob' }))).toEqual({
      queue: 'sales',
      offeredAt: 1_000_000,
      answeredAt: 1_012_000,
      abandonedAt: null,
      endedAt: 1_100_000,
      talkMs: 88_000,
      holdMs: 0,
      wrapMs: 15_000,
      agent: 'alice',
      team: 'east',
      extension: '7001',
    });
  });

  it('hold is taken out of talk_ms (answer to end): talk + hold is still the whole call, hold never more than it', () => {
    expect(callRecordOf(row({ hold_ms: 8_000 }))).toMatchObject({ talkMs: 80_000, holdMs: 8_000 });
    expect(callRecordOf(row({ hold_ms: 99_000 }))).toMatchObject({ talkMs: 0, holdMs: 88_000 });
    expect(callRecordOf(row({ hold_ms: null }))).toMatchObject({ talkMs: 88_000, holdMs: 0 });
  });

  it('without a busy row the first agent stands in; without wrap rows the wrap-up is 0', () => {
    const r = callRecordOf(row({ answer_agent: null, answer_extension: null, wrap_ms: null }));
    expect(r).toMatchObject({ agent: 'alice', wrapMs: 0, extension: null });
  });

  it('an abandoned call ends its wait at ended_at and has no agent, even one it rang at', () => {
    const r = callRecordOf(row({ answered_at: null, ended_at: 1_007_000, talk_ms: null, outcome: 'abandoned', wrap_ms: null, answer_agent: null }));
    expect(r).toMatchObject({ answeredAt: null, abandonedAt: 1_007_000, endedAt: 1_007_000, talkMs: 0, wrapMs: 0, agent: null, team: null });
  });

  it('an overflow answered outside is neither answered nor abandoned, and carries no talk', () => {
    const r = callRecordOf(row({ outcome: 'overflow', answer_agent: null, first_agent: null, wrap_ms: null }));
    expect(r).toMatchObject({ answeredAt: null, abandonedAt: null, talkMs: 0, agent: null });
  });

  it('a call still in progress: answered with talk 0 so far; a waiting one is other; endedAt never null', () => {
    expect(callRecordOf(row({ ended_at: null, talk_ms: null, outcome: null }))).toMatchObject({ answeredAt: 1_012_000, endedAt: 1_012_000, talkMs: 0 });
    expect(callRecordOf(row({ answered_at: null, ended_at: null, talk_ms: null, outcome: null }))).toMatchObject({ answeredAt: null, abandonedAt: null, endedAt: 1_000_000 });
  });

  it('negative talk or wrap (a clock step) count as 0', () => {
    expect(callRecordOf(row({ talk_ms: -5, wrap_ms: -1 }))).toMatchObject({ talkMs: 0, wrapMs: 0 });
  });
});

describe('stateSpanOf: clipped to [from, to)', () => {
  const from = 10_000;
  const to = 20_000;
  const s = (started_at: number, ended_at: number | null, state = 'busy') => stateSpanOf({ agent: 'alice', state, started_at, ended_at, team: null }, from, to);

  it('inside, across either edge, across both', () => {
    expect(s(12_000, 13_000)).toMatchObject({ startedAt: 12_000, endedAt: 13_000, state: 'busy' });
    expect(s(5_000, 11_000)).toMatchObject({ startedAt: 10_000, endedAt: 11_000 });
    expect(s(19_000, 25_000)).toMatchObject({ startedAt: 19_000, endedAt: 20_000 });
    expect(s(1_000, 99_000)).toMatchObject({ startedAt: 10_000, endedAt: 20_000 });
  });

  it('an open row ends at `to`', () => {
    expect(s(15_000, null, 'ready')).toMatchObject({ startedAt: 15_000, endedAt: 20_000 });
  });

  it('outside, touching an edge, empty, or an unknown state: null', () => {
    expect(s(1_000, 10_000)).toBeNull();
    expect(s(20_000, 30_000)).toBeNull();
    expect(s(12_000, 12_000)).toBeNull();
    expect(s(12_000, 13_000, 'onBreak')).toBeNull();
  });
});

describe('the statements use the indexes', () => {
  let opened: OpenedDatabase | undefined;
  afterEach(() => opened?.close());

  it('calls by calls_offered_at_idx, agent rows by agent_state_log_ended_idx, no table scanned', () => {
    opened = openDatabase({ file: ':memory:' });
    const p = { from: 0, to: 1, spillTo: 1 + SPILL_MS, queue: null, agent: null };
    const plan = (sql: string) => opened!.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(p).map((r) => (r as { detail: string }).detail);
    const calls = plan(REPORT_SQL.calls);
    expect(calls).toContain('SEARCH c USING INDEX calls_offered_at_idx (offered_at>? AND offered_at<?)');
    expect(calls.filter((d) => d.includes('agent_state_log')).every((d) => d.includes('USING INDEX agent_state_log_ended_idx'))).toBe(true);
    const states = plan(REPORT_SQL.states);
    expect(states.filter((d) => d.includes('agent_state_log')).every((d) => d.includes('USING INDEX agent_state_log_ended_idx'))).toBe(true);
    for (const d of [...calls, ...states]) expect(d).not.toMatch(/^SCAN (c|calls|agent_state_log)\b/);
  });
});
