/**
 * The SQL of the recordings' archive, retention and legal hold (src/recording/archive):
 * candidates by tier and age, the move journal (`recording_moves`), the row updates and the hold.
 *
 * The journal's `step` is free text: `copying` → `copied` → `updated` for a move between tiers;
 * `deleting` for a retention delete (the row is already marked `deleted`, the file may still be
 * there). A finished move or delete drops its journal row, so the table holds only the work a
 * kill interrupted (docs/recording.md, "Archive, retention, legal hold").
 */
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { and, asc, eq, gt, inArray, isNotNull, lt, notExists, or, sql, count } from 'drizzle-orm';
import type { Db, Sqlite } from '../database.ts';
import * as schema from '../schema.ts';
import { recordingMoves, recordings, type RecordingStatus, type RecordingTier } from '../schema.ts';
import { inTransaction, type RepoContext } from './context.ts';

export type MoveStep = 'copying' | 'copied' | 'updated' | 'deleting';

export interface MoveRow {
  id: number;
  recordingId: string;
  fromPath: string;
  toPath: string;
  sha256: string;
  step: MoveStep;
  startedAt: number;
}

/** What the mover and retention need of a recording. */
export interface ArchiveCandidate {
  id: string;
  startedAt: number;
  tier: RecordingTier;
  status: RecordingStatus;
  path: string;
  sha256: string;
  legalHold: boolean;
}

/** A keyset position: rows strictly after it in (started_at, id) order. */
export interface Keyset {
  startedAt: number;
  id: string;
}

export interface LegalHoldRow {
  id: string;
  legalHold: boolean;
  status: RecordingStatus;
}

const candidateColumns = {
  id: recordings.id,
  startedAt: recordings.startedAt,
  tier: recordings.tier,
  status: recordings.status,
  path: recordings.path,
  sha256: recordings.sha256,
  legalHold: recordings.legalHold,
};

/** Statuses whose file retention deletes (a recording still being written is never touched). */
const FINISHED: RecordingStatus[] = ['closed', 'failed'];

export class RecordingArchiveRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** Over a raw connection (the daemon's storage exposes the connection, not its drizzle handle). */
  static fromSqlite(sqlite: Sqlite, clock: RepoContext['clock']): RecordingArchiveRepository {
    const db: Db = drizzle({ client: sqlite, schema });
    return new RecordingArchiveRepository({ db, clock });
  }

  private get db(): Db {
    return this.ctx.db;
  }

  private noMoveInProgress() {
    return notExists(this.db.select({ one: sql`1` }).from(recordingMoves).where(eq(recordingMoves.recordingId, recordings.id)));
  }

  private after(k: Keyset | undefined) {
    return k ? or(gt(recordings.startedAt, k.startedAt), and(eq(recordings.startedAt, k.startedAt), gt(recordings.id, k.id))) : undefined;
  }

  /** Closed recordings on the hot tier that started before `before`, with a file and a checksum,
   * oldest first (the `(tier, started_at)` index), after `from`. Rows without a sha256 (never
   * closed) are not moved. */
  archiveCandidates(before: number, limit: number, from?: Keyset): ArchiveCandidate[] {
    return this.db
      .select(candidateColumns)
      .from(recordings)
      .where(
        and(
          eq(recordings.tier, 'hot'),
          lt(recordings.startedAt, before),
          eq(recordings.status, 'closed'),
          isNotNull(recordings.sha256),
          isNotNull(recordings.path),
          this.after(from),
          this.noMoveInProgress(),
        ),
      )
      .orderBy(asc(recordings.startedAt), asc(recordings.id))
      .limit(limit)
      .all() as ArchiveCandidate[];
  }

  /** Finished recordings (closed or failed) that started before `before` and are not on legal
   * hold, oldest first (the `(started_at, id)` index), after `from`. */
  retentionCandidates(before: number, limit: number, from?: Keyset): { id: string; startedAt: number; path: string | null }[] {
    return this.db
      .select({ id: recordings.id, startedAt: recordings.startedAt, path: recordings.path })
      .from(recordings)
      .where(and(lt(recordings.startedAt, before), inArray(recordings.status, FINISHED), eq(recordings.legalHold, false), this.after(from), this.noMoveInProgress()))
      .orderBy(asc(recordings.startedAt), asc(recordings.id))
      .limit(limit)
      .all();
  }

  /** Recordings retention would delete but for their legal hold. */
  countHeldBefore(before: number): number {
    return (
      this.db
        .select({ n: count() })
        .from(recordings)
        .where(and(lt(recordings.startedAt, before), inArray(recordings.status, FINISHED), eq(recordings.legalHold, true)))
        .get()?.n ?? 0
    );
  }

  /**
   * Retention, one batch, in one transaction: each row still unheld and finished is marked
   * `deleted` (tier and path kept for the record) and gets a `deleting` journal row naming its
   * file. Returns how many were marked and the journal rows; the caller unlinks the files, then
   * drops the journal rows.
   */
  markDeleted(ids: string[]): { marked: number; files: MoveRow[] } {
    if (ids.length === 0) return { marked: 0, files: [] };
    const now = this.ctx.clock.now();
    return inTransaction(this.db, () => {
      const out: MoveRow[] = [];
      let marked = 0;
      for (const id of ids) {
        const row = this.db
          .update(recordings)
          .set({ status: 'deleted' })
          .where(and(eq(recordings.id, id), eq(recordings.legalHold, false), inArray(recordings.status, FINISHED)))
          .returning({ id: recordings.id, path: recordings.path, sha256: recordings.sha256 })
          .get();
        if (!row) continue;
        marked++;
        if (row.path === null) continue;
        const move = this.db
          .insert(recordingMoves)
          .values({ recordingId: row.id, fromPath: row.path, toPath: row.path, sha256: row.sha256 ?? '', step: 'deleting', startedAt: now })
          .returning()
          .get();
        out.push(move as MoveRow);
      }
      return { marked, files: out };
    });
  }

  /** A move begins: its journal row at step `copying`. */
  startMove(m: { recordingId: string; fromPath: string; toPath: string; sha256: string }): MoveRow {
    return this.db
      .insert(recordingMoves)
      .values({ ...m, step: 'copying', startedAt: this.ctx.clock.now() })
      .returning()
      .get() as MoveRow;
  }

  setStep(moveId: number, step: MoveStep): void {
    this.db.update(recordingMoves).set({ step }).where(eq(recordingMoves.id, moveId)).run();
  }

  /**
   * In ONE transaction: the recording row moves to the archive tier at `toPath` (only if it still
   * points at `fromPath`) and the journal says `updated`. False when the row no longer points at
   * the source (then nothing changed).
   */
  commitMove(move: MoveRow, tier: RecordingTier): boolean {
    return inTransaction(this.db, () => {
      const r = this.db
        .update(recordings)
        .set({ tier, path: move.toPath })
        .where(and(eq(recordings.id, move.recordingId), eq(recordings.path, move.fromPath)))
        .run();
      if (r.changes !== 1) return false;
      this.db.update(recordingMoves).set({ step: 'updated' }).where(eq(recordingMoves.id, move.id)).run();
      return true;
    });
  }

  /** A move or delete is finished (or undone): its journal row goes. */
  dropMove(moveId: number): void {
    this.db.delete(recordingMoves).where(eq(recordingMoves.id, moveId)).run();
  }

  /** Journal rows a kill left, oldest first. */
  unfinished(): MoveRow[] {
    return this.db.select().from(recordingMoves).orderBy(asc(recordingMoves.id)).all() as MoveRow[];
  }

  /** Where a recording's row points now (recovery checks it before it trusts a journal row). */
  pathOf(recordingId: string): { path: string | null; tier: RecordingTier; status: RecordingStatus } | null {
    return this.db.select({ path: recordings.path, tier: recordings.tier, status: recordings.status }).from(recordings).where(eq(recordings.id, recordingId)).get() ?? null;
  }

  /** Sets or clears the legal hold; null when there is no such recording. */
  setLegalHold(recordingId: string, hold: boolean): LegalHoldRow | null {
    return (
      this.db
        .update(recordings)
        .set({ legalHold: hold })
        .where(eq(recordings.id, recordingId))
        .returning({ id: recordings.id, legalHold: recordings.legalHold, status: recordings.status })
        .get() ?? null
    );
  }

  /** Runs `fn` atomically (the hold and its audit row). */
  transaction<T>(fn: () => T): T {
    return inTransaction(this.db, fn);
  }
}
