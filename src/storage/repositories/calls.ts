/**
 * Call records: one row per call, inserted when the call is offered and updated as it progresses.
 * This is the hot write path (up to 200 calls/s, several writes each), so insert and update are
 * prepared once: insert at construction, update once per distinct set of patched fields (the
 * daemon patches with a handful of shapes). Times are epoch milliseconds.
 *
 * `call_agents` (who handled which call, for history by agent) follows `agents` through triggers
 * in the database (migration 0004): no write here has to remember it.
 */
import { and, desc, eq, gte, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { callAgents, calls } from '../schema.ts';
import type { RepoContext } from './context.ts';
import { deleteOldest } from './retention.ts';

export interface CallRow {
  id: string;
  pbxCallIds: string[];
  direction: string;
  fromNumber: string;
  toNumber: string;
  dialledNumber: string;
  queueId: string | null;
  customerId: number | null;
  agents: string[];
  firstAgent: string | null;
  offeredAt: number;
  queuedAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  waitMs: number | null;
  /** Answered to ended, ms; hold time included (holdMs says how much of it). */
  talkMs: number | null;
  /** Time on hold at an agent's phone, ms (holds that have ended; all of them once the call has). */
  holdMs: number;
  outcome: string | null;
  cause: string | null;
  hasCallData: boolean;
  /** Where the call went when it left the devices the daemon monitors. */
  leftTo: string | null;
  callerName: string | null;
}

/** A call row with its call data (JSON text), as read back at start for calls left open. */
export type CallRowWithData = CallRow & { callData: string | null };

export interface CallSearch {
  /** The call's first agent (indexed). */
  agent?: string;
  /** Any agent who handled the call (indexed through call_agents). */
  handledBy?: string;
  /** Caller or called number (indexed both ways). */
  number?: string;
  /** Indexed (queue_id, offered_at). */
  queueId?: string;
  /** offered_at >= from (epoch ms). */
  from?: number;
  /** offered_at < to (epoch ms). */
  to?: number;
  /** Default 100, at most 1000. Newest first. */
  limit?: number;
}

const p = sql.placeholder;

/** Every field of CallRow, in table order; `satisfies` and the check below keep it in step with
 * CallRow and the schema. */
const CALL_FIELDS = [
  'id',
  'pbxCallIds',
  'direction',
  'fromNumber',
  'toNumber',
  'dialledNumber',
  'queueId',
  'customerId',
  'agents',
  'firstAgent',
  'offeredAt',
  'queuedAt',
  'answeredAt',
  'endedAt',
  'waitMs',
  'talkMs',
  'holdMs',
  'outcome',
  'cause',
  'hasCallData',
  'leftTo',
  'callerName',
] as const satisfies readonly (keyof CallRow & keyof typeof calls.$inferSelect)[];
const allFieldsListed: [Exclude<keyof CallRow, (typeof CALL_FIELDS)[number]>] extends [never] ? true : false = true;
void allFieldsListed;
/** The row's columns without the call data (up to 1 MiB: history lists never carry it). */
const ROW_COLUMNS = Object.fromEntries(CALL_FIELDS.map((f) => [f, calls[f]])) as { [K in (typeof CALL_FIELDS)[number]]: (typeof calls)[K] };

type Prepared = { run(values: Record<string, unknown>): { changes: number } };

export class CallsRepository {
  private readonly insertStmt: Prepared;
  private readonly upsertStmt: Prepared;
  private readonly updateStmts = new Map<string, Prepared>();
  /** Prepared at first use: it runs once per inbound call on the routing path. */
  private lastAgentStmt: { get(values: { from: string }): { agent: string | null } | undefined } | undefined;

  constructor(private readonly ctx: RepoContext) {
    const values = Object.fromEntries(CALL_FIELDS.map((f) => [f, p(f)]));
    this.insertStmt = ctx.db.insert(calls).values(values as unknown as typeof calls.$inferInsert).prepare();
    // Every column but the id takes the new value: writing the same row twice leaves one row.
    const excluded = Object.fromEntries(CALL_FIELDS.filter((f) => f !== 'id').map((f) => [f, sql.raw(`excluded.\`${calls[f].name}\``)]));
    this.upsertStmt = ctx.db
      .insert(calls)
      .values(values as unknown as typeof calls.$inferInsert)
      .onConflictDoUpdate({ target: calls.id, set: excluded })
      .prepare();
  }

  /** Throws (UNIQUE) when the id exists. */
  insert(row: CallRow): void {
    this.insertStmt.run({ ...row });
  }

  /** Inserts the row, or sets every field of the row with its id: a write replayed after a
   * failure that may have landed (storage/history-writes.ts) never makes a second row. */
  upsert(row: CallRow): void {
    this.upsertStmt.run({ ...row });
  }

  /** Sets the given fields; the id itself cannot change. False when there is no such call. */
  update(id: string, patch: Partial<CallRow>): boolean {
    const fields = CALL_FIELDS.filter((f) => f !== 'id' && patch[f] !== undefined);
    if (fields.length === 0) return this.get(id) !== null;
    const key = fields.join(',');
    let stmt = this.updateStmts.get(key);
    if (!stmt) {
      const set = Object.fromEntries(fields.map((f) => [f, p(f)]));
      stmt = this.ctx.db
        .update(calls)
        .set(set as Partial<typeof calls.$inferInsert>)
        .where(eq(calls.id, p('id')))
        .prepare();
      this.updateStmts.set(key, stmt);
    }
    const values: Record<string, unknown> = { id };
    for (const f of fields) values[f] = patch[f];
    return stmt.run(values).changes > 0;
  }

  get(id: string): CallRow | null {
    return this.ctx.db.select(ROW_COLUMNS).from(calls).where(eq(calls.id, id)).get() ?? null;
  }

  /** Calls with no end time, oldest first, with their call data: at start, the calls the previous
   * run left in progress (a stop or a crash), which the switch may still have. */
  listOpen(): CallRowWithData[] {
    return this.ctx.db.select().from(calls).where(isNull(calls.endedAt)).orderBy(calls.offeredAt).all();
  }

  /** The CallRecords port's name for setCallData. */
  saveData(id: string, json: string | null): void {
    this.setCallData(id, json);
  }

  /** The call's data as last set (JSON text; null: none). False when there is no such call. */
  setCallData(id: string, json: string | null): boolean {
    return this.ctx.db.update(calls).set({ callData: json, hasCallData: json !== null }).where(eq(calls.id, id)).run().changes > 0;
  }

  /** The agent who last answered a call from this number (customer-based routing: "last
   * agent"); null when none did. One index range read on (from_number, offered_at). */
  lastAgentFor(fromNumber: string): string | null {
    this.lastAgentStmt ??= this.ctx.db
      .select({ agent: calls.firstAgent })
      .from(calls)
      .where(and(eq(calls.fromNumber, p('from')), sql`${calls.firstAgent} IS NOT NULL`, sql`${calls.answeredAt} IS NOT NULL`))
      .orderBy(desc(calls.offeredAt))
      .limit(1)
      .prepare();
    return this.lastAgentStmt.get({ from: fromNumber })?.agent ?? null;
  }

  search(q: CallSearch): CallRow[] {
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 1000);
    if (q.handledBy !== undefined) {
      // Driven by call_agents (agent, offered_at, call_id): the agent's calls newest first, read
      // straight off the index, each joined to its row by primary key.
      const conds = this.filters({ ...q, from: undefined, to: undefined });
      conds.push(eq(callAgents.agent, q.handledBy));
      if (q.from !== undefined) conds.push(gte(callAgents.offeredAt, q.from));
      if (q.to !== undefined) conds.push(lt(callAgents.offeredAt, q.to));
      return this.ctx.db
        .select(ROW_COLUMNS)
        .from(callAgents)
        .innerJoin(calls, eq(calls.id, callAgents.callId))
        .where(and(...conds))
        .orderBy(desc(callAgents.offeredAt), desc(callAgents.callId))
        .limit(limit)
        .all();
    }
    const conds = this.filters(q);
    return this.ctx.db
      .select(ROW_COLUMNS)
      .from(calls)
      .where(conds.length > 0 ? and(...conds) : undefined)
      .orderBy(desc(calls.offeredAt), desc(calls.id))
      .limit(limit)
      .all();
  }

  /** Retention: deletes up to `limit` of the oldest calls offered before `before` (their
   * call_agents rows go with them, by trigger). Returns how many. */
  deleteOlderThan(before: number, limit: number): number {
    return deleteOldest(this.ctx.db, { table: 'calls', time: 'offered_at' }, before, limit);
  }

  private filters(q: CallSearch): SQL[] {
    const conds: SQL[] = [];
    if (q.agent !== undefined) conds.push(eq(calls.firstAgent, q.agent));
    if (q.number !== undefined) conds.push(or(eq(calls.fromNumber, q.number), eq(calls.toNumber, q.number))!);
    if (q.queueId !== undefined) conds.push(eq(calls.queueId, q.queueId));
    if (q.from !== undefined) conds.push(gte(calls.offeredAt, q.from));
    if (q.to !== undefined) conds.push(lt(calls.offeredAt, q.to));
    return conds;
  }
}
