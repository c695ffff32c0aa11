/**
 * The write side of recordings (docs/recording.md, "Capture"): the row inserted when recording
 * starts, the agents' legs and paused spans as they happen (ms from the recording's start), the
 * row closed with the file's path, size, sha256 and duration (or marked failed), and the
 * recording decision on the call's row. Every statement is a small indexed write, prepared by
 * drizzle; none reads a file.
 */
import { and, eq, isNull } from 'drizzle-orm';
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

export class RecordingsWriteRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** On the daemon's connection (storage.sqlite): its writes join the same transactions. */
  static onConnection(sqlite: Sqlite, clock: Clock): RecordingsWriteRepository {
    return new RecordingsWriteRepository({ db: drizzle({ client: sqlite, schema }), clock });
  }

  insertStarted(row: NewRecordingRow): void {
    this.ctx.db
      .insert(recordings)
      .values({ ...row, status: 'recording', tier: 'hot', createdAt: this.ctx.clock.now() })
      .run();
  }

  /** The switch's file of a recording in progress (known once the switch answered). */
  setPath(id: string, path: string): void {
    this.ctx.db.update(recordings).set({ path }).where(eq(recordings.id, id)).run();
  }

  addAgentLeg(recordingId: string, leg: { agent: string; extension: string; fromMs: number; startedAt: number }): void {
    this.ctx.db.insert(recordingAgents).values({ recordingId, ...leg, toMs: null }).run();
  }

  /** Ends the agent's open leg(s); with no agent, every open leg (the recording ends). */
  endAgentLegs(recordingId: string, toMs: number, agent?: string): void {
    const open = and(eq(recordingAgents.recordingId, recordingId), isNull(recordingAgents.toMs), agent === undefined ? undefined : eq(recordingAgents.agent, agent));
    this.ctx.db.update(recordingAgents).set({ toMs }).where(open).run();
  }

  addPause(recordingId: string, fromMs: number, by: string): void {
    this.ctx.db.insert(recordingPauses).values({ recordingId, fromMs, toMs: null, by }).run();
  }

  endPause(recordingId: string, toMs: number): void {
    this.ctx.db
      .update(recordingPauses)
      .set({ toMs })
      .where(and(eq(recordingPauses.recordingId, recordingId), isNull(recordingPauses.toMs)))
      .run();
  }

  close(id: string, c: ClosedRecording): void {
    this.ctx.db
      .update(recordings)
      .set({ status: 'closed', ...c })
      .where(eq(recordings.id, id))
      .run();
  }

  /** The recording did not happen or its file is unusable (the reason is in the log). */
  fail(id: string, endedAt: number): void {
    this.ctx.db.update(recordings).set({ status: 'failed', endedAt }).where(eq(recordings.id, id)).run();
  }

  /** Closed rows whose file is still the switch's (the move to DATA_DIR/recordings was cut). */
  setFile(id: string, path: string): void {
    this.ctx.db.update(recordings).set({ path }).where(eq(recordings.id, id)).run();
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
    return (
      this.ctx.db
        .update(calls)
        .set({ recordingDecision: d.decision, recordingPolicyId: d.policyId, recordingPolicyVersion: d.policyVersion })
        .where(eq(calls.id, callId))
        .run().changes > 0
    );
  }
}
