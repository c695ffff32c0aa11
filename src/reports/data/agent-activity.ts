/**
 * What the agents (or extensions) did besides answering queue calls, for the agent and extension
 * reports (座席话务统计报表, 分机话务量总统计表): how often a queue call rang at them, how many of
 * those they let ring out (RONA) or the caller hung up while ringing, and the outbound calls they
 * made with their talk time. From the agent state log's `reserved` and `busy` rows of a call, and
 * the calls table for outbound calls (docs/reports.md, "Agent activity").
 *
 * A ring (an offer) belongs to the period its `reserved` row starts in. Per agent and call:
 * answered if the agent has a `busy` row of the call; still ringing if a `reserved` row is open;
 * caller hung up while ringing if the call ended unanswered within 1 s of the ring's end; else a
 * ring-no-answer (RONA). An outbound call belongs to the period it started in; answered when the
 * far end answered; its talk is answer to end (hold included).
 */
import type { Database } from 'better-sqlite3';
import { SPILL_MS, type PeriodFilter } from './call-rows.ts';

export interface AgentActivity {
  /** Queue calls that rang at the agent (each call once). */
  offers: number;
  /** Rang, not answered, the call went on (ring-no-answer). */
  rona: number;
  /** The caller hung up while it rang at the agent. */
  ringAbandoned: number;
  /** Outbound calls the agent made (to an outside number). */
  outbound: number;
  outboundAnswered: number;
  /** Answer to end of the outbound calls, ms. */
  outboundTalkMs: number;
}

export type ActivityKey = 'agent' | 'extension';

/** A caller's hang-up this close to the end of the ring ended the ring. */
export const RING_ABANDON_SLACK_MS = 1000;

export const zeroActivity = (): AgentActivity => ({ offers: 0, rona: 0, ringAbandoned: 0, outbound: 0, outboundAnswered: 0, outboundTalkMs: 0 });

export function addActivity(into: AgentActivity, a: AgentActivity): void {
  into.offers += a.offers;
  into.rona += a.rona;
  into.ringAbandoned += a.ringAbandoned;
  into.outbound += a.outbound;
  into.outboundAnswered += a.outboundAnswered;
  into.outboundTalkMs += a.outboundTalkMs;
}

/** Unanswered, and the call ended (unanswered) as the ring did: the caller hung up while it rang. */
const RING_ABANDONED = `coalesce(c.answered_at IS NULL AND c.ended_at IS NOT NULL AND c.ended_at <= p.ring_end + ${RING_ABANDON_SLACK_MS}, 0)`;

/** The rows of a call at an agent by end time (agent_state_log_ended_idx) plus the open ones, as
 * the call statement reads them; per (key, call) in a temp B-tree, then the call by primary key. */
const ringsSql = (key: ActivityKey) => `
  WITH rows AS (
    SELECT ${key} AS k, call_id, state, started_at, ended_at FROM agent_state_log
     WHERE ended_at > @from AND ended_at <= @spillTo AND call_id IS NOT NULL AND state IN ('reserved', 'busy')
       AND (@agent IS NULL OR agent = @agent)
    UNION ALL
    SELECT ${key} AS k, call_id, state, started_at, ended_at FROM agent_state_log
     WHERE ended_at IS NULL AND started_at < @spillTo AND call_id IS NOT NULL AND state IN ('reserved', 'busy')
       AND (@agent IS NULL OR agent = @agent)
  ),
  per_call AS (
    SELECT k, call_id,
           max(state = 'reserved' AND started_at >= @from AND started_at < @to) AS offered,
           max(state = 'busy') AS answered,
           max(state = 'reserved' AND ended_at IS NULL) AS ringing,
           max(CASE WHEN state = 'reserved' THEN ended_at END) AS ring_end
      FROM rows WHERE k IS NOT NULL GROUP BY k, call_id
  )
  SELECT p.k AS k, count(*) AS offers,
         sum(p.answered = 0 AND p.ringing = 0 AND NOT ${RING_ABANDONED}) AS rona,
         sum(p.answered = 0 AND p.ringing = 0 AND ${RING_ABANDONED}) AS ring_abandoned
    FROM per_call p JOIN calls c ON c.id = p.call_id
   WHERE p.offered = 1 AND c.queue_id IS NOT NULL AND (@queue IS NULL OR c.queue_id = @queue)
   GROUP BY p.k`;

const outboundSql = (key: ActivityKey) => `
  SELECT ${key === 'agent' ? 'first_agent' : 'from_number'} AS k, count(*) AS outbound,
         sum(answered_at IS NOT NULL) AS answered, sum(CASE WHEN answered_at IS NOT NULL THEN max(0, coalesce(talk_ms, 0)) ELSE 0 END) AS talk_ms
    FROM calls
   WHERE offered_at >= @from AND offered_at < @to AND direction = 'outbound' AND first_agent IS NOT NULL
     AND (@agent IS NULL OR first_agent = @agent)
   GROUP BY k`;

/** Each agent's (or extension's) activity in the period. With a queue named, only that queue's
 * rings count and outbound calls (no queue) not at all. */
export function agentActivity(db: Database, period: PeriodFilter, key: ActivityKey): Map<string, AgentActivity> {
  const params = { from: period.from, to: period.to, spillTo: period.to + SPILL_MS, queue: period.queue ?? null, agent: period.agent ?? null };
  const out = new Map<string, AgentActivity>();
  const of = (k: string) => {
    let a = out.get(k);
    if (!a) out.set(k, (a = zeroActivity()));
    return a;
  };
  for (const r of db.prepare<[typeof params], { k: string; offers: number; rona: number; ring_abandoned: number }>(ringsSql(key)).iterate(params)) {
    Object.assign(of(r.k), { offers: r.offers, rona: r.rona, ringAbandoned: r.ring_abandoned });
  }
  if (params.queue === null) {
    const { spillTo: _s, queue: _q, ...q } = params;
    for (const r of db.prepare<[typeof q], { k: string | null; outbound: number; answered: number; talk_ms: number }>(outboundSql(key)).iterate(q)) {
      if (r.k === null) continue;
      Object.assign(of(r.k), { outbound: r.outbound, outboundAnswered: r.answered, outboundTalkMs: r.talk_ms });
    }
  }
  return out;
}

/** For tests: the statements, to check their query plans. */
export const ACTIVITY_SQL = Object.freeze({ rings: ringsSql('agent'), outbound: outboundSql('agent') });
