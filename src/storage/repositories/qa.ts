/**
 * QA storage (issue 8, "QA sampling and scoring"): scoring forms, plans, supervisor flags, the QA
 * queue and scores. Scores are never updated or deleted: a correction is a new row naming the one
 * it corrects. Reads recordings and recording_agents (written by capture) but never writes them.
 */
import { and, asc, eq, gt, gte, inArray, isNotNull, lt, lte, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Sqlite } from '../database.ts';
import * as schema from '../schema.ts';
import { qaForms, qaPlans, qaQueue, qaScores, recordingAgents, recordingFlags, recordings } from '../schema.ts';
import { inTransaction, type Clock, type RepoContext } from './context.ts';
import type { Candidate, ExistingPick, Pick } from '../../recording/qa/sampler.ts';
import type { ScoreRow } from '../../recording/qa/reports.ts';

export type QaForm = typeof qaForms.$inferSelect;
export type QaPlan = typeof qaPlans.$inferSelect;
export type QaQueueEntry = typeof qaQueue.$inferSelect;
export type QaScore = typeof qaScores.$inferSelect;
export type QaFlag = typeof recordingFlags.$inferSelect;

export interface NewQaForm {
  name: string;
  items: { id: string; label: string; weight: number }[];
}
export interface NewQaPlan {
  name: string;
  formId: number;
  perAgentPerWeek: number;
  minDurationS?: number;
  queues?: string[];
  enabled?: boolean;
}
export type QaPlanPatch = Partial<NewQaPlan>;

export interface QueueQuery {
  status?: string;
  agent?: string;
  assignedTo?: string;
  limit: number;
  /** Entries with id > after (ascending ids: oldest pick first). */
  after?: number;
}

export interface ScoreQuery {
  agent?: string;
  grader?: string;
  from?: number;
  to?: number;
}

export type NewScore = Omit<QaScore, 'id' | 'submittedAt'>;

export class QaRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** Over the daemon's one connection (the same transactions as the other repositories). */
  static onConnection(sqlite: Sqlite, clock: Clock): QaRepository {
    return new QaRepository({ db: drizzle({ client: sqlite, schema }), clock });
  }

  transaction<T>(fn: () => T): T {
    return inTransaction(this.ctx.db, fn);
  }

  now(): number {
    return this.ctx.clock.now();
  }

  // ------------------------------------------------------------------------------------ forms
  listForms(): QaForm[] {
    return this.ctx.db.select().from(qaForms).orderBy(asc(qaForms.id)).all();
  }

  getForm(id: number): QaForm | null {
    return this.ctx.db.select().from(qaForms).where(eq(qaForms.id, id)).get() ?? null;
  }

  createForm(f: NewQaForm, by: string): QaForm {
    return this.ctx.db.insert(qaForms).values({ name: f.name, items: f.items, version: 1, updatedAt: this.now(), updatedBy: by }).returning().get();
  }

  /** Bumps the version. Null: no such form. */
  updateForm(id: number, f: NewQaForm, by: string): QaForm | null {
    const cur = this.getForm(id);
    if (!cur) return null;
    return this.ctx.db.update(qaForms).set({ name: f.name, items: f.items, version: cur.version + 1, updatedAt: this.now(), updatedBy: by }).where(eq(qaForms.id, id)).returning().get() ?? null;
  }

  // ------------------------------------------------------------------------------------ plans
  listPlans(): QaPlan[] {
    return this.ctx.db.select().from(qaPlans).orderBy(asc(qaPlans.id)).all();
  }

  getPlan(id: number): QaPlan | null {
    return this.ctx.db.select().from(qaPlans).where(eq(qaPlans.id, id)).get() ?? null;
  }

  createPlan(p: NewQaPlan, by: string): QaPlan {
    return this.ctx.db
      .insert(qaPlans)
      .values({ name: p.name, formId: p.formId, perAgentPerWeek: p.perAgentPerWeek, minDurationS: p.minDurationS ?? 0, queues: p.queues ?? [], enabled: p.enabled ?? true, updatedAt: this.now(), updatedBy: by })
      .returning()
      .get();
  }

  updatePlan(id: number, patch: QaPlanPatch, by: string): QaPlan | null {
    return this.ctx.db.update(qaPlans).set({ ...patch, updatedAt: this.now(), updatedBy: by }).where(eq(qaPlans.id, id)).returning().get() ?? null;
  }

  // ------------------------------------------------------------------------------------ flags
  recordingExists(id: string): boolean {
    return this.ctx.db.select({ id: recordings.id }).from(recordings).where(eq(recordings.id, id)).get() !== undefined;
  }

  recording(id: string): { id: string; status: string; durationMs: number | null } | null {
    return this.ctx.db.select({ id: recordings.id, status: recordings.status, durationMs: recordings.durationMs }).from(recordings).where(eq(recordings.id, id)).get() ?? null;
  }

  /** The agents who talked in a recording, in the order they joined. */
  recordingAgents(id: string): string[] {
    const rows = this.ctx.db.select({ agent: recordingAgents.agent }).from(recordingAgents).where(eq(recordingAgents.recordingId, id)).orderBy(asc(recordingAgents.fromMs)).all();
    return [...new Set(rows.map((r) => r.agent))];
  }

  /** Flag (again: the reason and time are replaced). */
  flag(recordingId: string, by: string, reason: string | null): QaFlag {
    return this.ctx.db
      .insert(recordingFlags)
      .values({ recordingId, by, at: this.now(), reason })
      .onConflictDoUpdate({ target: [recordingFlags.recordingId, recordingFlags.by], set: { at: this.now(), reason } })
      .returning()
      .get();
  }

  /** Removes every flag of the recording; how many there were. */
  unflag(recordingId: string): number {
    return this.ctx.db.delete(recordingFlags).where(eq(recordingFlags.recordingId, recordingId)).run().changes;
  }

  // --------------------------------------------------------------------------------- sampling
  /** (recording, agent) pairs of recordings that started in [start, end). */
  candidates(start: number, end: number): Candidate[] {
    return this.ctx.db
      .selectDistinct({ recordingId: recordings.id, agent: recordingAgents.agent, status: recordings.status, durationMs: recordings.durationMs, queue: recordings.queue })
      .from(recordingAgents)
      .innerJoin(recordings, eq(recordings.id, recordingAgents.recordingId))
      .where(and(gte(recordingAgents.startedAt, start), lt(recordingAgents.startedAt, end)))
      .all();
  }

  flaggedIn(start: number, end: number): Set<string> {
    const rows = this.ctx.db
      .selectDistinct({ id: recordingFlags.recordingId })
      .from(recordingFlags)
      .innerJoin(recordings, eq(recordings.id, recordingFlags.recordingId))
      .where(and(gte(recordings.startedAt, start), lt(recordings.startedAt, end)))
      .all();
    return new Set(rows.map((r) => r.id));
  }

  /** What the plan queued among these recordings, plus its picks counted for `week`. */
  picked(planId: number, week: string, recordingIds: string[]): ExistingPick[] {
    const forWeek = this.ctx.db.select({ recordingId: qaQueue.recordingId, agent: qaQueue.agent, reason: qaQueue.reason }).from(qaQueue).where(and(eq(qaQueue.planId, planId), eq(qaQueue.week, week))).all();
    const ids = new Set(forWeek.map((p) => p.recordingId));
    const others: ExistingPick[] = [];
    for (let i = 0; i < recordingIds.length; i += 500) {
      const chunk = recordingIds.slice(i, i + 500);
      const rows = this.ctx.db
        .select({ recordingId: qaQueue.recordingId, agent: qaQueue.agent, reason: qaQueue.reason })
        .from(qaQueue)
        .where(and(eq(qaQueue.planId, planId), inArray(qaQueue.recordingId, chunk)))
        .all();
      // Queued for another week (a recording near a boundary): taken, but not counted for this week.
      for (const r of rows) if (!ids.has(r.recordingId)) others.push({ ...r, reason: 'otherWeek' });
    }
    return [...forWeek, ...others];
  }

  /** Inserts the picks (a pick already there is skipped); returns the new entries. */
  enqueue(planId: number, week: string, picks: Pick[]): QaQueueEntry[] {
    const now = this.now();
    const out: QaQueueEntry[] = [];
    for (const p of picks) {
      const row = this.ctx.db.insert(qaQueue).values({ recordingId: p.recordingId, planId, agent: p.agent, week, reason: p.reason, status: 'open', createdAt: now }).onConflictDoNothing().returning().get();
      if (row) out.push(row);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------ queue
  getQueueEntry(id: number): QaQueueEntry | null {
    return this.ctx.db.select().from(qaQueue).where(eq(qaQueue.id, id)).get() ?? null;
  }

  listQueue(q: QueueQuery): { items: QaQueueEntry[]; more: boolean } {
    const where: SQL[] = [];
    if (q.status !== undefined) where.push(eq(qaQueue.status, q.status));
    if (q.agent !== undefined) where.push(eq(qaQueue.agent, q.agent));
    if (q.assignedTo !== undefined) where.push(eq(qaQueue.assignedTo, q.assignedTo));
    if (q.after !== undefined) where.push(gt(qaQueue.id, q.after));
    const rows = this.ctx.db
      .select()
      .from(qaQueue)
      .where(and(...where))
      .orderBy(asc(qaQueue.id))
      .limit(q.limit + 1)
      .all();
    return { items: rows.slice(0, q.limit), more: rows.length > q.limit };
  }

  assign(id: number, to: string): QaQueueEntry | null {
    return this.ctx.db.update(qaQueue).set({ assignedTo: to }).where(eq(qaQueue.id, id)).returning().get() ?? null;
  }

  markScored(id: number): void {
    this.ctx.db.update(qaQueue).set({ status: 'scored' }).where(eq(qaQueue.id, id)).run();
  }

  // ----------------------------------------------------------------------------------- scores
  getScore(id: number): QaScore | null {
    return this.ctx.db.select().from(qaScores).where(eq(qaScores.id, id)).get() ?? null;
  }

  /** The row correcting `id`, if any. */
  correctionOf(id: number): QaScore | null {
    return this.ctx.db.select().from(qaScores).where(eq(qaScores.corrects, id)).get() ?? null;
  }

  insertScore(s: NewScore): QaScore {
    return this.ctx.db
      .insert(qaScores)
      .values({ ...s, submittedAt: this.now() })
      .returning()
      .get();
  }

  listScores(q: ScoreQuery): QaScore[] {
    const where: SQL[] = [];
    if (q.agent !== undefined) where.push(eq(qaScores.agent, q.agent));
    if (q.grader !== undefined) where.push(eq(qaScores.grader, q.grader));
    if (q.from !== undefined) where.push(gte(qaScores.submittedAt, q.from));
    if (q.to !== undefined) where.push(lte(qaScores.submittedAt, q.to));
    return this.ctx.db
      .select()
      .from(qaScores)
      .where(and(...where))
      .orderBy(asc(qaScores.submittedAt), asc(qaScores.id))
      .all();
  }

  /** Ids of every score some row corrects (superseded rows). */
  correctedIds(): Set<number> {
    const rows = this.ctx.db.select({ c: qaScores.corrects }).from(qaScores).where(isNotNull(qaScores.corrects)).all();
    return new Set(rows.map((r) => r.c!));
  }

  /** Rows for the reports. */
  reportRows(from?: number, to?: number): ScoreRow[] {
    return this.listScores({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
}
