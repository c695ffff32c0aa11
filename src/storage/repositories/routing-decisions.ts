/**
 * Routing decisions, append-only: every assignment, move and fallback the ACD made about a call,
 * with the router's explanation (strategy, rule step, candidates considered, winner, tie-break).
 * Written once per decision on the routing path (one prepared insert); read by call id for
 * `GET /api/v1/calls/:callId/routing`.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { routingDecisions } from '../schema.ts';
import type { RepoContext } from './context.ts';
import { deleteOldest } from './retention.ts';

export interface RoutingDecision {
  callId: string;
  at: number;
  kind: string;
  queueId: string | null;
  agent: string | null;
  detail: Record<string, unknown>;
}

const p = sql.placeholder;

export class RoutingDecisionsRepository {
  private readonly insertStmt;
  private readonly existsStmt;

  constructor(private readonly ctx: RepoContext) {
    this.insertStmt = ctx.db
      .insert(routingDecisions)
      .values({ callId: p('callId'), at: p('at'), kind: p('kind'), queueId: p('queueId'), agent: p('agent'), detail: p('detail') })
      .prepare();
    this.existsStmt = ctx.db
      .select({ id: routingDecisions.id })
      .from(routingDecisions)
      .where(and(eq(routingDecisions.callId, p('callId')), eq(routingDecisions.at, p('at')), eq(routingDecisions.kind, p('kind')), sql`${routingDecisions.detail} = ${p('detail')}`))
      .limit(1)
      .prepare();
  }

  append(d: RoutingDecision): void {
    this.insertStmt.run({ ...d });
  }

  /** `append`, unless this very decision (call, time, kind and detail) is already recorded: a
   * write replayed after a failure that may have landed leaves one row. False when it was there. */
  appendOnce(d: RoutingDecision): boolean {
    if (this.existsStmt.get({ callId: d.callId, at: d.at, kind: d.kind, detail: JSON.stringify(d.detail) })) return false;
    this.append(d);
    return true;
  }

  /** Retention: deletes up to `limit` of the oldest decisions made before `before`. */
  deleteOlderThan(before: number, limit: number): number {
    return deleteOldest(this.ctx.db, { table: 'routing_decisions', time: 'at' }, before, limit);
  }

  /** The call's decisions, oldest first. */
  forCall(callId: string): RoutingDecision[] {
    return this.ctx.db
      .select({ callId: routingDecisions.callId, at: routingDecisions.at, kind: routingDecisions.kind, queueId: routingDecisions.queueId, agent: routingDecisions.agent, detail: routingDecisions.detail })
      .from(routingDecisions)
      .where(eq(routingDecisions.callId, callId))
      .orderBy(asc(routingDecisions.at), asc(routingDecisions.id))
      .all();
  }
}
