/**
 * The query plans SQLite chooses for call-history search and the retention deletes, as EXPLAIN
 * QUERY PLAN prints them: every filter is an index search (no table scan, no sort of the result),
 * so a history of millions of calls answers in an index range read. The SQL is the one the
 * repositories really run, captured at prepare.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallSearch } from '../../src/storage/repositories/calls.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';

let t: TempDatabase;
let captured: string[] = [];

beforeAll(() => {
  t = openTempDatabase();
  const prepare = t.sqlite.prepare.bind(t.sqlite);
  (t.sqlite as { prepare: typeof prepare }).prepare = ((source: string) => {
    captured.push(source);
    return prepare(source);
  }) as typeof prepare;
});
afterAll(() => t.dispose());

/** The plan of the last statement prepared while running `fn`, one line per step. */
function planOf(fn: () => unknown): string[] {
  captured = [];
  fn();
  const source = captured.at(-1)!;
  const params = (source.match(/\?/g) ?? []).map(() => null);
  return (t.sqlite.prepare(`explain query plan ${source}`).all(...params) as { detail: string }[]).map((r) => r.detail);
}

const search = (q: CallSearch) => planOf(() => t.repos.calls.search(q));

describe('call history search: an index for every filter', () => {
  it('agent (any agent who handled the call, the HTTP `agent` filter): call_agents, newest first off the index', () => {
    const plan = search({ handledBy: 'a1001', from: 0, to: 1, limit: 100 });
    expect(plan).toEqual([expect.stringMatching(/^SEARCH call_agents USING (COVERING )?INDEX sqlite_autoindex_call_agents_1 \(agent=\? AND offered_at>\? AND offered_at<\?\)$/), expect.stringMatching(/^SEARCH calls USING INDEX sqlite_autoindex_calls_1 \(id=\?\)$/)]);
    expect(search({ handledBy: 'a1001' }).join('\n')).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  // "LAST TERM OF ORDER BY": the index gives offered_at order; only calls offered in the same
  // millisecond are sorted by id among themselves, a run at a time, and LIMIT stops the read early.
  const TIE_SORT = 'USE TEMP B-TREE FOR LAST TERM OF ORDER BY';

  it('queue: (queue_id, offered_at)', () => {
    expect(search({ queueId: 'sales', from: 0 })).toEqual(['SEARCH calls USING INDEX calls_queue_idx (queue_id=? AND offered_at>?)', TIE_SORT]);
    expect(search({ queueId: 'sales' })).toEqual(['SEARCH calls USING INDEX calls_queue_idx (queue_id=?)', TIE_SORT]);
  });

  it('queue and agent together: still driven by the agent’s index', () => {
    const plan = search({ handledBy: 'a1001', queueId: 'sales' }).join('\n');
    expect(plan).toMatch(/SEARCH call_agents USING (COVERING )?INDEX sqlite_autoindex_call_agents_1 \(agent=\?\)/);
    expect(plan).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  it('first agent and number keep their indexes', () => {
    expect(search({ agent: 'a1001' })).toEqual(['SEARCH calls USING INDEX calls_first_agent_idx (first_agent=?)', TIE_SORT]);
    expect(search({ number: '13800000001' }).join('\n')).toMatch(/calls_from_number_idx[\s\S]*calls_to_number_idx/);
  });
});

describe('retention deletes: the oldest rows off a time index', () => {
  const DAY = 86_400_000;
  it.each([
    ['calls', () => t.repos.calls.deleteOlderThan(DAY, 1000), /SEARCH calls USING (COVERING )?INDEX calls_offered_at_idx \(offered_at<\?\)/],
    ['routing decisions', () => t.repos.routingDecisions.deleteOlderThan(DAY, 1000), /SEARCH routing_decisions USING (COVERING )?INDEX routing_decisions_at_idx \(at<\?\)/],
    ['agent states', () => t.repos.stateLog.deleteOlderThan(DAY, 1000), /SEARCH agent_state_log USING (COVERING )?INDEX agent_state_log_ended_idx \(ended_at<\?\)/],
    ['audit', () => t.repos.audit.deleteOlderThan(DAY, 1000), /SEARCH audit_log USING (COVERING )?INDEX audit_log_at_idx \(at<\?\)/],
  ])('%s', (_name, run, expected) => {
    const plan = planOf(run).join('\n');
    expect(plan).toMatch(expected);
    expect(plan).not.toMatch(/TEMP B-TREE|SCAN (calls|routing_decisions|agent_state_log|audit_log)\b(?! USING)/);
  });
});
