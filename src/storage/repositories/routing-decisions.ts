/**
 * Routing decisions, append-only: every assignment, move and fallback the ACD made about a call,
 * with the router's explanation (strategy, rule step, candidates considered, winner, tie-break).
 * Written once per decision on the routing path (one prepared insert); read by call id for
 * `GET /api/v1/calls/:callId/routing`.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { routingDecisions } from '../schema.ts';
import type { RepoContext } from './context.ts';

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

  constructor(private readonly ctx: RepoContext) {
    this.insertStmt = ctx.db
      .insert(routingDecisions)
      .values({ callId: p('callId'), at: p('at'), kind: p('kind'), queueId: p('queueId'), agent: p('agent'), detail: p('detail') })
      .prepare();
  }

  append(d: RoutingDecision): void {
    this.insertStmt.run({ ...d });
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
