/**
 * The move of one recording's file from the hot tier to the archive, journalled so that a kill at
 * any moment leaves every recordings row pointing at a file that exists with the recorded sha256:
 *
 *   1. journal row `copying`
 *   2. copy to `<target>.part`, fsync, rename to the target, fsync the folder
 *   3. stream the copy's sha256 and compare with the row's; journal `copied`
 *   4. ONE transaction: the row gets tier `archive` and the new path, the journal `updated`
 *   5. the source is deleted
 *   6. the journal row is dropped
 *
 * Until step 4 commits, the row points at the source, which nothing has touched; from step 4 on,
 * at the verified copy. `recover()` (at start) finishes or undoes what a kill interrupted, by the
 * journal's step: `copying` → the partial target is deleted and the journal row dropped;
 * `copied` → the copy is verified again and the move carried on (or undone if it fails);
 * `updated` → the source is deleted if still there; `deleting` (retention) → the file is deleted.
 *
 * `afterStep` is called after each numbered step (1–5): tests "kill" the process there.
 */
import type { Logger } from 'pino';
import type { ArchiveCandidate, MoveRow, RecordingArchiveRepository } from '../../storage/repositories/recording-archive.ts';
import { archivePathFor, durableCopy, isNotFound, removeFile, sha256File, tempNameFor } from './files.ts';

/** The step boundaries a test can stop at: after step N of the move (1–5, see above). */
export const MOVE_STEPS = ['journalled', 'copied', 'verified', 'updated', 'sourceDeleted'] as const;
export type MoveStepName = (typeof MOVE_STEPS)[number];

export interface MoverDeps {
  repo: RecordingArchiveRepository;
  /** `DATA_DIR/archive`. */
  archiveDir: string;
  log: Logger;
  /** Called after each step (tests: a kill); default nothing. */
  afterStep?: (step: MoveStepName, recordingId: string) => void | Promise<void>;
}

export type MoveOutcome = 'moved' | 'missing' | 'mismatch' | 'changed';

export interface RecoveryReport {
  /** Moves finished (copy verified, row updated, source deleted). */
  finished: number;
  /** Moves undone (the row kept its hot file; the partial or bad copy deleted). */
  undone: number;
  /** Retention deletes whose file was removed. */
  deleted: number;
  errors: number;
}

export class ArchiveMover {
  constructor(private readonly d: MoverDeps) {}

  private async step(name: MoveStepName, id: string): Promise<void> {
    if (this.d.afterStep) await this.d.afterStep(name, id);
  }

  /** Moves one closed hot recording to the archive. Throws only on I/O or database errors (the
   * journal then tells recovery what to do). */
  async move(rec: ArchiveCandidate): Promise<MoveOutcome> {
    const toPath = archivePathFor(this.d.archiveDir, rec.id, rec.startedAt);
    const move = this.d.repo.startMove({ recordingId: rec.id, fromPath: rec.path, toPath, sha256: rec.sha256 });
    await this.step('journalled', rec.id);
    try {
      await durableCopy(rec.path, toPath);
    } catch (err) {
      await this.undo(move);
      if (isNotFound(err)) {
        this.d.log.error({ recordingId: rec.id, path: rec.path }, 'archive: the recording file is missing; not moved');
        return 'missing';
      }
      throw err;
    }
    await this.step('copied', rec.id);
    return this.fromCopied(move);
  }

  /** Steps 3–6 (also recovery's way on from `copied`). */
  private async fromCopied(move: MoveRow): Promise<MoveOutcome> {
    const sum = await sha256File(move.toPath);
    if (sum !== move.sha256) {
      this.d.log.error({ recordingId: move.recordingId, expected: move.sha256, got: sum, path: move.toPath }, 'archive: the copy does not have the recorded sha256; move undone');
      await this.undo(move);
      return 'mismatch';
    }
    if (move.step === 'copying') {
      this.d.repo.setStep(move.id, 'copied');
      await this.step('verified', move.recordingId);
    }
    if (!this.d.repo.commitMove(move, 'archive')) {
      // The row no longer points at the source (it changed under us): the copy is nobody's.
      this.d.log.warn({ recordingId: move.recordingId }, 'archive: the recording row changed during the move; copy discarded');
      await this.undo(move);
      return 'changed';
    }
    await this.step('updated', move.recordingId);
    await removeFile(move.fromPath);
    await this.step('sourceDeleted', move.recordingId);
    this.d.repo.dropMove(move.id);
    return 'moved';
  }

  /** The row still points at the source: the target (and its temp name) go, then the journal row. */
  private async undo(move: MoveRow): Promise<void> {
    const row = this.d.repo.pathOf(move.recordingId);
    if (row?.path !== move.toPath) {
      await removeFile(tempNameFor(move.toPath));
      await removeFile(move.toPath);
    }
    this.d.repo.dropMove(move.id);
  }

  /** At start, before any new move: finishes or undoes each journal row a kill left. */
  async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { finished: 0, undone: 0, deleted: 0, errors: 0 };
    for (const move of this.d.repo.unfinished()) {
      try {
        switch (move.step) {
          case 'copying':
            await this.undo(move);
            report.undone++;
            break;
          case 'copied': {
            const row = this.d.repo.pathOf(move.recordingId);
            if (row?.path === move.toPath) {
              // Committed already (a journal write lost is not possible: same transaction), but be safe.
              await removeFile(move.fromPath);
              this.d.repo.dropMove(move.id);
              report.finished++;
            } else if ((await this.fromCopied(move)) === 'moved') report.finished++;
            else report.undone++;
            break;
          }
          case 'updated':
            await removeFile(move.fromPath);
            this.d.repo.dropMove(move.id);
            report.finished++;
            break;
          case 'deleting':
            await removeFile(move.fromPath);
            this.d.repo.dropMove(move.id);
            report.deleted++;
            break;
          default:
            this.d.log.warn({ move }, 'archive recovery: unknown journal step; row left');
            report.errors++;
        }
      } catch (err) {
        report.errors++;
        this.d.log.error({ err, recordingId: move.recordingId, step: move.step }, 'archive recovery failed for one move; retried at the next start');
      }
    }
    if (report.finished + report.undone + report.deleted + report.errors > 0) this.d.log.info(report, 'archive: interrupted moves recovered');
    return report;
  }
}
