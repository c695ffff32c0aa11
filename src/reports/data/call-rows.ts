/**
 * Our own rows as the pure core's records (docs/reports.md, "Data"): calls offered in a period as
 * `CallRecord`s and agent state log rows as `AgentStateSpan`s clipped to the period. Each reader is
 * one prepared statement run with better-sqlite3's `.iterate()`, so a report holds one row at a
 * time in JavaScript whatever the period; the mappings are plain functions of a row, tested apart
 * from the SQL.
 *
 * The trade-off: the calls row does not say who answered nor how long the wrap-up lasted, so the
 * statement joins them in from agent_state_log (the first `busy` row and the `workingAfterCall`
 * rows carrying the call's id). agent_state_log has no index on call_id, so those rows are read by
 * their end time (agent_state_log_ended_idx) over the period plus `SPILL_MS` and grouped by SQLite
 * (in its own temp store, not the JavaScript heap) rather than looked up call by call.
 */
import type { Database } from 'better-sqlite3';
import { AGENT_STATES, type AgentState } from '../../core/agents/agent-state.ts';
import type { CallRecord } from '../kpi.ts';
import type { AgentStateSpan } from '../occupancy.ts';

/** How long after the period's end the agent rows of its calls (answer, wrap-up) are looked for:
 * a call offered before `to` is answered, talked and wrapped up within this, or those parts are
 * not found (the call then counts as answered by its first agent, with no wrap-up). */
export const SPILL_MS = 24 * 3_600_000;

/** Outcomes (`calls.outcome`) of a call that left its queue for a fallback: even when the number
 * it went to answered (an outside number sets `answered_at`), the queue did not answer it
 * (`overload`: refused at the pilot, docs/overload.md). */
const FALLBACK_OUTCOMES: ReadonlySet<string> = new Set(['overflow', 'maxWait', 'overload']);

/** A row of the calls statement: the call's own columns and what agent_state_log adds. */
export interface CallReportRow {
  id: string;
  queue_id: string;
  offered_at: number;
  answered_at: number | null;
  ended_at: number | null;
  talk_ms: number | null;
  /** Of talk_ms, the time on hold. */
  hold_ms: number | null;
  outcome: string | null;
  first_agent: string | null;
  /** Agent of the call's first `busy` row. */
  answer_agent: string | null;
  answer_extension: string | null;
  /** Σ of the call's `workingAfterCall` rows, ms; null when it has none. */
  wrap_ms: number | null;
  /** `agents.team` of the answering agent, as it is today. */
  team: string | null;
}

export type CallClass = 'answered' | 'abandoned' | 'other';

/** Answered by the queue, abandoned by the caller while waiting, or neither (docs/reports.md). */
export function classOf(row: Pick<CallReportRow, 'answered_at' | 'ended_at' | 'outcome'>): CallClass {
  if (row.answered_at !== null && !(row.outcome !== null && FALLBACK_OUTCOMES.has(row.outcome))) return 'answered';
  if (row.answered_at === null && row.outcome === 'abandoned' && row.ended_at !== null) return 'abandoned';
  return 'other';
}

/** The call as the KPI core counts it. A call still open counts as offered: answered (talk 0 so
 * far) if an agent has it, else other. `talk_ms` runs from answer to end, hold included: talk is
 * what is left of it once `hold_ms` is taken out. */
export function callRecordOf(row: CallReportRow): CallRecord {
  const cls = classOf(row);
  const answered = cls === 'answered';
  return {
    queue: row.queue_id,
    offeredAt: row.offered_at,
    answeredAt: answered ? row.answered_at : null,
    abandonedAt: cls === 'abandoned' ? row.ended_at : null,
    endedAt: row.ended_at ?? row.answered_at ?? row.offered_at,
    talkMs: answered ? Math.max(0, (row.talk_ms ?? 0) - (row.hold_ms ?? 0)) : 0,
    holdMs: answered ? Math.max(0, Math.min(row.hold_ms ?? 0, row.talk_ms ?? 0)) : 0,
    wrapMs: answered ? Math.max(0, row.wrap_ms ?? 0) : 0,
    agent: answered ? (row.answer_agent ?? row.first_agent) : null,
    team: answered ? row.team : null,
    extension: answered ? row.answer_extension : null,
  };
}

/** A row of the state statement. */
export interface StateReportRow {
  agent: string;
  state: string;
  started_at: number;
  ended_at: number | null;
  team: string | null;
}

const STATES: ReadonlySet<string> = new Set(AGENT_STATES);

/** The row as a span clipped to [from, to) (a row still open ends at `to`); null when it lies
 * outside the period or names a state the domain does not know. */
export function stateSpanOf(row: StateReportRow, from: number, to: number): AgentStateSpan | null {
  if (!STATES.has(row.state)) return null;
  const startedAt = Math.max(row.started_at, from);
  const endedAt = Math.min(row.ended_at ?? to, to);
  if (!(endedAt > startedAt)) return null;
  return { agent: row.agent, team: row.team, state: row.state as AgentState, startedAt, endedAt };
}

export interface PeriodFilter {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  queue?: string | null;
  agent?: string | null;
}

/** Agent rows of the period's calls: by end time (agent_state_log_ended_idx), plus the open ones
 * (agent_state_log_open_idx), so neither branch scans the table; from them each call's answering
 * agent (`answerer`) and wrap-up (`wrap`). Shared by the report and the call detail export
 * (src/reports/export/call-detail.ts), so both name the same agent and wrap-up for a call. */
export const CALL_SPANS = `
  spans AS (
    SELECT call_id, agent, extension, state, started_at, ended_at FROM agent_state_log
     WHERE ended_at > @from AND ended_at <= @spillTo AND call_id IS NOT NULL AND state IN ('busy', 'workingAfterCall')
    UNION ALL
    SELECT call_id, agent, extension, state, started_at, max(started_at, @to) FROM agent_state_log
     WHERE ended_at IS NULL AND started_at < @spillTo AND call_id IS NOT NULL AND state IN ('busy', 'workingAfterCall')
  ),
  answerer AS (SELECT call_id, agent, extension, min(started_at) AS answered FROM spans WHERE state = 'busy' GROUP BY call_id),
  wrap AS (SELECT call_id, sum(max(0, ended_at - started_at)) AS wrap_ms FROM spans WHERE state = 'workingAfterCall' GROUP BY call_id)`;

// `answerer` relies on SQLite's documented bare-column rule: with min(), agent and extension come
// from the row holding the minimum.
const CALLS_SQL = `
  WITH ${CALL_SPANS}
  SELECT c.id, c.queue_id, c.offered_at, c.answered_at, c.ended_at, c.talk_ms, c.hold_ms, c.outcome, c.first_agent,
         a.agent AS answer_agent, a.extension AS answer_extension, w.wrap_ms, ag.team
    FROM calls c
    LEFT JOIN answerer a ON a.call_id = c.id
    LEFT JOIN wrap w ON w.call_id = c.id
    LEFT JOIN users u ON u.username = coalesce(a.agent, c.first_agent)
    LEFT JOIN agents ag ON ag.user_id = u.id
   WHERE c.offered_at >= @from AND c.offered_at < @to AND c.queue_id IS NOT NULL
     AND (@queue IS NULL OR c.queue_id = @queue)
     AND (@agent IS NULL OR coalesce(a.agent, c.first_agent) = @agent)`;
// The agent test above is a first cut (it keeps calls the agent only let ring, and abandons);
// callRecords keeps those the agent answered.

const STATES_SQL = `
  WITH rows AS (
    SELECT agent, state, started_at, ended_at FROM agent_state_log
     WHERE ended_at > @from AND started_at < @to AND (@agent IS NULL OR agent = @agent)
    UNION ALL
    SELECT agent, state, started_at, ended_at FROM agent_state_log
     WHERE ended_at IS NULL AND started_at < @to AND (@agent IS NULL OR agent = @agent)
  )
  SELECT r.agent, r.state, r.started_at, r.ended_at, ag.team
    FROM rows r
    LEFT JOIN users u ON u.username = r.agent
    LEFT JOIN agents ag ON ag.user_id = u.id`;

const params = (p: PeriodFilter) => ({ from: p.from, to: p.to, spillTo: p.to + SPILL_MS, queue: p.queue ?? null, agent: p.agent ?? null });

/** The queue calls offered in [from, to) (`calls_offered_at_idx`), optionally of one queue or
 * answered by one agent, one at a time. */
export function* callRecords(db: Database, period: PeriodFilter): Generator<CallRecord> {
  const agent = period.agent ?? null;
  for (const row of db.prepare<[ReturnType<typeof params>], CallReportRow>(CALLS_SQL).iterate(params(period))) {
    const record = callRecordOf(row);
    if (agent === null || record.agent === agent) yield record;
  }
}

/** The agent state rows that overlap [from, to), clipped to it, optionally of one agent. */
export function* stateSpans(db: Database, period: PeriodFilter): Generator<AgentStateSpan> {
  for (const row of db.prepare<[ReturnType<typeof params>], StateReportRow>(STATES_SQL).iterate(params(period))) {
    const span = stateSpanOf(row, period.from, period.to);
    if (span) yield span;
  }
}

/** For tests and docs: the two statements, to check their query plans. */
export const REPORT_SQL = Object.freeze({ calls: CALLS_SQL, states: STATES_SQL });
