/**
 * IVR statistics events (ivr/statistics/types.ts), append-only. Written a batch at a time (one
 * transaction per batch, through the write queue: storage/history-writes.ts); read by flow and
 * time range off the index (flow, at) and streamed into the pure aggregation, never loaded whole.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { IvrOutcome, IvrStatEvent } from '../../ivr/statistics/types.ts';
import { ivrEvents } from '../schema.ts';
import { inTransaction, type RepoContext } from './context.ts';
import { deleteOldest } from './retention.ts';

const p = sql.placeholder;

export class IvrEventsRepository {
  private readonly insertStmt;
  private readonly existsStmt;

  constructor(private readonly ctx: RepoContext) {
    this.insertStmt = ctx.db
      .insert(ivrEvents)
      .values({ at: p('at'), callId: p('callId'), flow: p('flow'), version: p('version'), node: p('node'), kind: p('kind'), outcome: p('outcome'), durationMs: p('durationMs') })
      .prepare();
    this.existsStmt = ctx.db
      .select({ id: ivrEvents.id })
      .from(ivrEvents)
      .where(and(eq(ivrEvents.flow, p('flow')), eq(ivrEvents.at, p('at')), eq(ivrEvents.callId, p('callId')), eq(ivrEvents.kind, p('kind')), sql`${ivrEvents.node} IS ${p('node')}`))
      .limit(1)
      .prepare();
  }

  /** One transaction for the whole batch. `replay`: an event already there is not added again
   * (same flow, time, call, kind and node). */
  insertMany(events: readonly IvrStatEvent[], replay = false): void {
    inTransaction(this.ctx.db, () => {
      for (const e of events) {
        const row = { at: e.at, callId: e.callId, flow: e.flow, version: e.version, node: e.node, kind: e.kind, outcome: e.outcome ?? null, durationMs: e.durationMs ?? null };
        if (replay && this.existsStmt.get(row)) continue;
        this.insertStmt.run(row);
      }
    });
  }

  /** Events of `flow` (every flow when null) with from <= at < to, in time order, streamed one
   * at a time (an index range read: `ivr_events_flow_at_idx`, or `ivr_events_at_idx`). */
  *range(flow: string | null, from: number, to: number): Generator<IvrStatEvent> {
    const stmt = this.ctx.db.$client.prepare(rangeSql(flow));
    const rows = (flow === null ? stmt.iterate(from, to) : stmt.iterate(flow, from, to)) as IterableIterator<EventRow>;
    for (const r of rows) {
      const e: IvrStatEvent = { at: r.at, callId: r.call_id, flow: r.flow, version: r.version, node: r.node, kind: r.kind as IvrStatEvent['kind'] };
      if (r.outcome !== null) e.outcome = r.outcome as IvrOutcome;
      if (r.duration_ms !== null) e.durationMs = r.duration_ms;
      yield e;
    }
  }

  deleteOlderThan(before: number, limit: number): number {
    return deleteOldest(this.ctx.db, { table: 'ivr_events', time: 'at' }, before, limit);
  }
}

interface EventRow {
  at: number;
  call_id: string;
  flow: string;
  version: number;
  node: string | null;
  kind: string;
  outcome: string | null;
  duration_ms: number | null;
}

/** The SQL of `range` (exported for its query plan in tests). */
export function rangeSql(flow: string | null): string {
  const cols = 'select at, call_id, flow, version, node, kind, outcome, duration_ms from ivr_events';
  return flow === null ? `${cols} where at >= ? and at < ? order by at` : `${cols} where flow = ? and at >= ? and at < ? order by at`;
}
