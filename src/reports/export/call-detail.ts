/**
 * The call detail rows (座席话务统计详细表-like, docs/reports.md "Exports"): one row per queue call
 * offered in a period, read by cursor with better-sqlite3's `.iterate()` so that an export holds one
 * row at a time whatever the period. The statement is the report's calls statement
 * (src/reports/data/call-rows.ts: the same agent_state_log join for who answered and the wrap-up)
 * with the numbers added and an order by offered time; the classification is the report's own
 * (`classOf`, `callRecordOf`), so an export and a report never disagree on a call.
 */
import type { Database } from 'better-sqlite3';
import { CALL_SPANS, callRecordOf, classOf, SPILL_MS, type CallClass, type CallReportRow, type PeriodFilter } from '../data/call-rows.ts';

export interface CallDetail {
  id: string;
  offeredAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  queue: string;
  /** The agent who answered it for the queue (null when the queue did not answer). */
  agent: string | null;
  from: string;
  to: string;
  /** Offered to answered; offered to end when not answered; null while it lasts. */
  waitS: number | null;
  /** Answered to end, hold taken out. */
  talkS: number | null;
  holdS: number | null;
  wrapS: number | null;
  class: CallClass;
  outcome: string | null;
}

interface DetailRow extends CallReportRow {
  from_number: string;
  to_number: string;
}

const DETAIL_SQL = `
  WITH ${CALL_SPANS}
  SELECT c.id, c.queue_id, c.offered_at, c.answered_at, c.ended_at, c.talk_ms, c.hold_ms, c.outcome, c.first_agent,
         c.from_number, c.to_number, a.agent AS answer_agent, a.extension AS answer_extension, w.wrap_ms, NULL AS team
    FROM calls c
    LEFT JOIN answerer a ON a.call_id = c.id
    LEFT JOIN wrap w ON w.call_id = c.id
   WHERE c.offered_at >= @from AND c.offered_at < @to AND c.queue_id IS NOT NULL
     AND (@queue IS NULL OR c.queue_id = @queue)
     AND (@agent IS NULL OR coalesce(a.agent, c.first_agent) = @agent)
   ORDER BY c.offered_at, c.id`;

/** The row as exported (pure). */
export function callDetailOf(row: DetailRow): CallDetail {
  const cls = classOf(row);
  const record = callRecordOf(row);
  const waitEnd = row.answered_at ?? row.ended_at;
  return {
    id: row.id,
    offeredAt: row.offered_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    queue: row.queue_id,
    agent: record.agent,
    from: row.from_number,
    to: row.to_number,
    waitS: waitEnd === null ? null : Math.max(0, waitEnd - row.offered_at) / 1000,
    talkS: row.talk_ms === null ? null : Math.max(0, row.talk_ms - (row.hold_ms ?? 0)) / 1000,
    holdS: row.talk_ms === null ? null : Math.min(row.hold_ms ?? 0, row.talk_ms) / 1000,
    wrapS: row.wrap_ms === null ? null : row.wrap_ms / 1000,
    class: cls,
    outcome: row.outcome,
  };
}

/** The queue calls offered in [from, to), by offered time, optionally of one queue or answered by
 * one agent, one at a time. Closing the generator early (`return()`) frees the statement. */
export function* callDetails(db: Database, p: PeriodFilter): Generator<CallDetail> {
  const agent = p.agent ?? null;
  const params = { from: p.from, to: p.to, spillTo: p.to + SPILL_MS, queue: p.queue ?? null, agent };
  for (const row of db.prepare<[typeof params], DetailRow>(DETAIL_SQL).iterate(params)) {
    const d = callDetailOf(row);
    if (agent === null || d.agent === agent) yield d;
  }
}

export const CALL_DETAIL_SQL = DETAIL_SQL;
