/**
 * Every agent state change, as intervals: appending a state closes the agent's open row (sets
 * ended_at and duration_ms) in the same transaction, so at most one row per agent is open (a
 * partial unique index holds the database to it). Both statements are prepared once: this is
 * written on every call (reserved, busy, wrap-up, ready).
 */
import { and, asc, desc, eq, gt, gte, inArray, isNull, or, sql } from 'drizzle-orm';
import { agentStateLog } from '../schema.ts';
import { inTransaction, type RepoContext } from './context.ts';
import { deleteOldest } from './retention.ts';

export interface StateLogEntry {
  agent: string;
  state: string;
  reason: string | null;
  startedAt: number;
  callId?: string | null;
  extension?: string | null;
}

export type StateLogRow = typeof agentStateLog.$inferSelect;

const p = sql.placeholder;

export class AgentStateLogRepository {
  private readonly closeStmt;
  private readonly insertStmt;
  private readonly closeAllStmt;
  private readonly openStmt;

  constructor(private readonly ctx: RepoContext) {
    const { db } = ctx;
    // max(0, …): a clock step backwards must not write a negative duration.
    this.closeStmt = db
      .update(agentStateLog)
      .set({ endedAt: sql`${p('at')}`, durationMs: sql`max(0, ${p('at')} - ${agentStateLog.startedAt})` })
      .where(and(eq(agentStateLog.agent, p('agent')), isNull(agentStateLog.endedAt)))
      .prepare();
    this.insertStmt = db
      .insert(agentStateLog)
      .values({ agent: p('agent'), state: p('state'), reason: p('reason'), startedAt: p('startedAt'), callId: p('callId'), extension: p('extension') })
      .prepare();
    this.closeAllStmt = db
      .update(agentStateLog)
      .set({ endedAt: sql`${p('at')}`, durationMs: sql`max(0, ${p('at')} - ${agentStateLog.startedAt})` })
      .where(isNull(agentStateLog.endedAt))
      .prepare();
    this.openStmt = db
      .select({ state: agentStateLog.state, reason: agentStateLog.reason, startedAt: agentStateLog.startedAt, callId: agentStateLog.callId, extension: agentStateLog.extension })
      .from(agentStateLog)
      .where(and(eq(agentStateLog.agent, p('agent')), isNull(agentStateLog.endedAt)))
      .prepare();
  }

  /** Closes the agent's open row at `startedAt` and opens a new one. */
  append(entry: StateLogEntry): void {
    inTransaction(this.ctx.db, () => {
      this.closeStmt.run({ agent: entry.agent, at: entry.startedAt });
      this.insertStmt.run({
        agent: entry.agent,
        state: entry.state,
        reason: entry.reason,
        startedAt: entry.startedAt,
        callId: entry.callId ?? null,
        extension: entry.extension ?? null,
      });
    });
  }

  /** `append`, unless the agent's open row already is this very entry (the same state, reason,
   * start, call and extension): a write replayed after a failure that may have landed
   * (storage/history-writes.ts) leaves one row. False when it was already there. */
  appendOnce(entry: StateLogEntry): boolean {
    return inTransaction(this.ctx.db, () => {
      const open = this.openStmt.get({ agent: entry.agent });
      if (
        open &&
        open.state === entry.state &&
        open.reason === entry.reason &&
        open.startedAt === entry.startedAt &&
        open.callId === (entry.callId ?? null) &&
        open.extension === (entry.extension ?? null)
      ) {
        return false;
      }
      this.append(entry);
      return true;
    });
  }

  /** Retention: deletes up to `limit` of the oldest intervals that ended before `before` (an open
   * interval is never deleted). Returns how many. */
  deleteOlderThan(before: number, limit: number): number {
    return deleteOldest(this.ctx.db, { table: 'agent_state_log', time: 'ended_at' }, before, limit);
  }

  /** Closes every open row at `now` (shutdown; at start, rows a crash left open). Returns how many. */
  closeOpen(now: number): number {
    return this.closeAllStmt.run({ at: now }).changes;
  }

  /** The agent's rows that overlap [since, now], oldest first (the open one included). */
  listForAgent(agent: string, since: number): StateLogRow[] {
    return this.ctx.db
      .select()
      .from(agentStateLog)
      .where(and(eq(agentStateLog.agent, agent), or(gte(agentStateLog.startedAt, since), isNull(agentStateLog.endedAt), gt(agentStateLog.endedAt, since))))
      .orderBy(asc(agentStateLog.startedAt), asc(agentStateLog.id))
      .all();
  }

  /** The agent's open row, if any. */
  /**
   * The last state the agent chose or was put in (ready, notReady with its reason, wrap-up), not
   * counting the states calls put it in (reserved, busy) nor a sign-out: what it had before a
   * restart. Read once per agent at start (by agent_state_log_agent_idx, newest first).
   */
  lastChosen(agent: string): { state: string; reason: string | null } | null {
    return this.ctx.db
      .select({ state: agentStateLog.state, reason: agentStateLog.reason })
      .from(agentStateLog)
      .where(and(eq(agentStateLog.agent, agent), inArray(agentStateLog.state, ['ready', 'notReady', 'workingAfterCall'])))
      .orderBy(desc(agentStateLog.startedAt), desc(agentStateLog.id))
      .limit(1)
      .get() ?? null;
  }

  current(agent: string): StateLogRow | null {
    return this.ctx.db
      .select()
      .from(agentStateLog)
      .where(and(eq(agentStateLog.agent, agent), isNull(agentStateLog.endedAt)))
      .get() ?? null;
  }
}
