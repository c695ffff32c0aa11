/**
 * The write side of recordings (docs/recording.md, "Capture"): the row inserted when recording
 * starts, the agents' legs and paused spans as they happen (ms from the recording's start), the
 * row closed with the file's path, size, sha256 and duration (or marked failed), and the
 * recording decision on the call's row. Every statement is a small indexed write, prepared once
 * (drizzle, named placeholders); none reads a file.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { CallDirection } from '../schema.ts';
import { calls, recordingAgents, recordingPauses, recordings } from '../schema.ts';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Sqlite } from '../database.ts';
import * as schema from '../schema.ts';
import type { Clock, RepoContext } from './context.ts';

export interface NewRecordingRow {
  id: string;
  callId: string;
  startedAt: number;
  direction: CallDirection;
  caller: string;
  callee: string;
  queue: string | null;
  pilot: string | null;
  customerId: number | null;
  policyId: number | null;
  policyVersion: number | null;
  /** The switch's file while recording. */
  path: string | null;
}

export interface ClosedRecording {
  endedAt: number;
  durationMs: number;
  path: string;
  bytes: number;
  sha256: string;
}

type Run = { run(values?: Record<string, unknown>): { changes: number } };
type Get = { get(values?: Record<string, unknown>): unknown };

const p = sql.placeholder;

export class RecordingsWriteRepository {
  // Prepared once: a recorded call runs five to seven of these (start, decision, legs, close) on
  // the event loop, and building and preparing each query anew cost more than running it
  // (docs/performance.md, 2026-12-03).
  private readonly stmts: {
    insertStarted: Run;
    insertStartedOnce: Run;
    hasAgentLeg: Get;
    hasPause: Get;
    setPath: Run;
    addAgentLeg: Run;
    endAgentLegs: Run;
    endAgentLegsOf: Run;
    addPause: Run;
    endPause: Run;
    close: Run;
    fail: Run;
    setCallDecision: Run;
  };

  constructor(private readonly ctx: RepoContext) {
    const db = ctx.db;
    const byId = eq(recordings.id, p('id'));
    const openLegs = and(eq(recordingAgents.recordingId, p('recordingId')), isNull(recordingAgents.toMs));
    const started = {
      id: p('id'), callId: p('callId'), startedAt: p('startedAt'), direction: p('direction'), caller: p('caller'), callee: p('callee'),
      queue: p('queue'), pilot: p('pilot'), customerId: p('customerId'), policyId: p('policyId'), policyVersion: p('policyVersion'),
      path: p('path'), status: 'recording', tier: 'hot', createdAt: p('createdAt'),
    } as unknown as typeof recordings.$inferInsert;
    this.stmts = {
      insertStarted: db.insert(recordings).values(started)
        .prepare(),
      insertStartedOnce: db.insert(recordings).values(started)
        .onConflictDoNothing()
        .prepare(),
      hasAgentLeg: db
        .select({ one: sql`1` })
        .from(recordingAgents)
        .where(and(eq(recordingAgents.recordingId, p('recordingId')), eq(recordingAgents.agent, p('agent')), eq(recordingAgents.fromMs, p('fromMs'))))
        .limit(1)
        .prepare(),
      hasPause: db
        .select({ one: sql`1` })
        .from(recordingPauses)
        .where(and(eq(recordingPauses.recordingId, p('recordingId')), eq(recordingPauses.fromMs, p('fromMs'))))
        .limit(1)
        .prepare(),
      setPath: db.update(recordings).set({ path: p('path') } as unknown as Partial<typeof recordings.$inferInsert>).where(byId).prepare(),
      addAgentLeg: db
        .insert(recordingAgents)
        .values({ recordingId: p('recordingId'), agent: p('agent'), extension: p('extension'), fromMs: p('fromMs'), startedAt: p('startedAt'), toMs: null } as unknown as typeof recordingAgents.$inferInsert)
        .prepare(),
      endAgentLegs: db.update(recordingAgents).set({ toMs: p('toMs') } as unknown as Partial<typeof recordingAgents.$inferInsert>).where(openLegs).prepare(),
      endAgentLegsOf: db
        .update(recordingAgents)
        .set({ toMs: p('toMs') } as unknown as Partial<typeof recordingAgents.$inferInsert>)
        .where(and(openLegs, eq(recordingAgents.agent, p('agent'))))
        .prepare(),
      addPause: db
        .insert(recordingPauses)
        .values({ recordingId: p('recordingId'), fromMs: p('fromMs'), toMs: null, by: p('by') } as unknown as typeof recordingPauses.$inferInsert)
        .prepare(),
      endPause: db
        .update(recordingPauses)
        .set({ toMs: p('toMs') } as unknown as Partial<typeof recordingPauses.$inferInsert>)
        .where(and(eq(recordingPauses.recordingId, p('recordingId')), isNull(recordingPauses.toMs)))
        .prepare(),
      close: db
        .update(recordings)
        .set({
          status: 'closed', endedAt: p('endedAt'), durationMs: p('durationMs'), path: p('path'), bytes: p('bytes'), sha256: p('sha256'),
        } as unknown as Partial<typeof recordings.$inferInsert>)
        .where(byId)
        .prepare(),
      fail: db.update(recordings).set({ status: 'failed', endedAt: p('endedAt') } as unknown as Partial<typeof recordings.$inferInsert>).where(byId).prepare(),
      setCallDecision: db
        .update(calls)
        .set({
          recordingDecision: p('decision'), recordingPolicyId: p('policyId'), recordingPolicyVersion: p('policyVersion'),
        } as unknown as Partial<typeof calls.$inferInsert>)
        .where(eq(calls.id, p('callId')))
        .prepare(),
    };
  }

  /** `createdAt`: when the write was made (a write replayed from the write queue keeps it). */
  insertStarted(row: NewRecordingRow, createdAt = this.ctx.clock.now()): void {
    this.stmts.insertStarted.run({ ...row, createdAt });
  }

  /** The same, for a replay (the write may have landed before an ambiguous failure): a row
   * already there is kept as it is. */
  insertStartedOnce(row: NewRecordingRow, createdAt: number): void {
    this.stmts.insertStartedOnce.run({ ...row, createdAt });
  }

  /** The switch's file of a recording in progress (known once the switch answered). */
  setPath(id: string, path: string): void {
    this.stmts.setPath.run({ id, path });
  }

  addAgentLeg(recordingId: string, leg: { agent: string; extension: string; fromMs: number; startedAt: number }): void {
    this.stmts.addAgentLeg.run({ recordingId, agent: leg.agent, extension: leg.extension, fromMs: leg.fromMs, startedAt: leg.startedAt });
  }

  /** For a replay: not when the agent's leg from the same moment is there already. */
  addAgentLegOnce(recordingId: string, leg: { agent: string; extension: string; fromMs: number; startedAt: number }): void {
    if (this.stmts.hasAgentLeg.get({ recordingId, agent: leg.agent, fromMs: leg.fromMs }) === undefined) this.addAgentLeg(recordingId, leg);
  }

  /** Ends the agent's open leg(s); with no agent, every open leg (the recording ends). */
  endAgentLegs(recordingId: string, toMs: number, agent?: string): void {
    if (agent === undefined) this.stmts.endAgentLegs.run({ recordingId, toMs });
    else this.stmts.endAgentLegsOf.run({ recordingId, toMs, agent });
  }

  addPause(recordingId: string, fromMs: number, by: string): void {
    this.stmts.addPause.run({ recordingId, fromMs, by });
  }

  /** For a replay: not when a pause from the same moment is there already. */
  addPauseOnce(recordingId: string, fromMs: number, by: string): void {
    if (this.stmts.hasPause.get({ recordingId, fromMs }) === undefined) this.addPause(recordingId, fromMs, by);
  }

  endPause(recordingId: string, toMs: number): void {
    this.stmts.endPause.run({ recordingId, toMs });
  }

  close(id: string, c: ClosedRecording): void {
    this.stmts.close.run({ id, endedAt: c.endedAt, durationMs: c.durationMs, path: c.path, bytes: c.bytes, sha256: c.sha256 });
  }

  /** The recording did not happen or its file is unusable (the reason is in the log). */
  fail(id: string, endedAt: number): void {
    this.stmts.fail.run({ id, endedAt });
  }

  /** Recordings a previous run left open (status `recording`), with whether their call ended. */
  openRecordings(): { id: string; callId: string; startedAt: number; path: string | null; callEnded: boolean }[] {
    return this.ctx.db
      .select({ id: recordings.id, callId: recordings.callId, startedAt: recordings.startedAt, path: recordings.path, callEndedAt: calls.endedAt })
      .from(recordings)
      .leftJoin(calls, eq(calls.id, recordings.callId))
      .where(eq(recordings.status, 'recording'))
      .all()
      .map((r) => ({ id: r.id, callId: r.callId, startedAt: r.startedAt, path: r.path, callEnded: r.callEndedAt !== null }));
  }

  /** The decision on the call's row: `recorded`, `sampledOut` or `noPolicy`, with the policy. */
  setCallDecision(callId: string, d: { decision: string; policyId: number | null; policyVersion: number | null }): boolean {
    return this.stmts.setCallDecision.run({ callId, decision: d.decision, policyId: d.policyId, policyVersion: d.policyVersion }).changes > 0;
  }
}
