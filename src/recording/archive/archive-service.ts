/**
 * The recordings' archive and retention run: daily at `RECORDING_ARCHIVE_AT` (node-schedule, local
 * time) and on demand (`POST /api/v1/admin/recordings/archive-run`).
 *
 * A run: (0) finishes what the journal says was interrupted; (1) retention — recordings that
 * started more than `RECORDING_DELETE_AFTER_DAYS` ago and are not on legal hold are marked
 * `deleted` (with a `deleting` journal row, in one transaction per batch), then their files
 * unlinked and the journal rows dropped; (2) archive — closed hot recordings older than
 * `RECORDING_ARCHIVE_AFTER_DAYS` move to the archive folder (mover.ts), one at a time.
 *
 * Runs never overlap: a run asked for while one is going joins it (same report). Work goes in
 * batches with a turn of the event loop between them; file work is asynchronous, database writes
 * are small transactions. A summary is logged (moved, deleted, kept for hold, errors).
 */
import type { Logger } from 'pino';
import type { RecordingArchiveRepository, Keyset } from '../../storage/repositories/recording-archive.ts';
import { DailyRun, type Scheduler } from '../../services/daily-run.ts';

export type { ScheduledJob, Scheduler } from '../../services/daily-run.ts';
import { removeFile } from './files.ts';
import type { ArchiveMover, RecoveryReport } from './mover.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ArchiveSettings {
  /** Closed recordings older than this many days move to the archive (≥ 1). */
  archiveAfterDays: number;
  /** Recordings older than this many days are deleted unless held; 0 keeps them for ever. */
  deleteAfterDays: number;
}

export interface ArchiveServiceDeps {
  repo: RecordingArchiveRepository;
  mover: ArchiveMover;
  settings: ArchiveSettings;
  clock: { now(): number };
  log: Logger;
  /** Rows per batch (default 100). */
  batchSize?: number;
  /** Lets the event loop run between batches (default: setImmediate). */
  yieldToLoop?: () => Promise<void>;
  /** False while the database refuses writes: the run is skipped (default: always writable). */
  writable?: () => boolean;
  /** Default node-schedule. */
  scheduler?: Scheduler;
  /** Called after a retention batch is marked deleted, before its files go (tests: a kill). */
  afterRetentionMark?: () => void | Promise<void>;
}

export interface ArchiveRunReport {
  /** When the run started (ms epoch, the service's clock). */
  startedAt: number;
  skipped: boolean;
  /** Interrupted moves and deletes finished or undone first. */
  recovered: number;
  /** Files moved to the archive tier. */
  moved: number;
  /** Recordings deleted by retention. */
  deleted: number;
  /** Recordings past the retention age kept because of a legal hold. */
  keptForHold: number;
  /** Moves or deletes that failed (the next run tries again). */
  errors: number;
  ms: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class RecordingArchiveService {
  private readonly daily: DailyRun<ArchiveRunReport>;

  constructor(private readonly d: ArchiveServiceDeps) {
    this.daily = new DailyRun({
      name: 'recording archive run',
      log: d.log,
      body: () => this.runOnce(),
      failed: () => ({ startedAt: d.clock.now(), skipped: false, recovered: 0, moved: 0, deleted: 0, keptForHold: 0, errors: 1, ms: 0 }),
      ...(d.scheduler ? { scheduler: d.scheduler } : {}),
    });
  }

  /** Runs every day at `at` (local `HH:MM`). */
  start(at: string): void {
    this.daily.start(at);
    this.d.log.info({ at, archiveAfterDays: this.d.settings.archiveAfterDays, deleteAfterDays: this.d.settings.deleteAfterDays || 'keep' }, 'recording archive scheduled');
  }

  nextRun(): Date | null {
    return this.daily.nextRun();
  }

  /** True while a run is going. */
  get busy(): boolean {
    return this.daily.busy;
  }

  /** At start: finishes or undoes what a kill interrupted. */
  recover(): Promise<RecoveryReport> {
    return this.d.mover.recover();
  }

  /** One run now; a run already going is joined, never doubled. Never rejects. */
  run(): Promise<ArchiveRunReport> {
    return this.daily.run();
  }

  /** Cancels the schedule; a run in progress stops after its current item. */
  close(): Promise<void> {
    return this.daily.close();
  }

  private async runOnce(): Promise<ArchiveRunReport> {
    const t0 = Date.now();
    const now = this.d.clock.now();
    const report: ArchiveRunReport = { startedAt: now, skipped: false, recovered: 0, moved: 0, deleted: 0, keptForHold: 0, errors: 0, ms: 0 };
    if (this.d.writable && !this.d.writable()) {
      report.skipped = true;
      this.d.log.warn('recording archive skipped: the database refuses writes');
      return report;
    }
    const batch = this.d.batchSize ?? 100;
    const yieldToLoop = this.d.yieldToLoop ?? nextTurn;
    const rec = await this.d.mover.recover();
    report.recovered = rec.finished + rec.undone + rec.deleted;
    report.errors += rec.errors;

    const { archiveAfterDays, deleteAfterDays } = this.d.settings;
    if (deleteAfterDays > 0) {
      const before = now - deleteAfterDays * DAY_MS;
      let from: Keyset | undefined;
      while (!this.daily.stopped) {
        const rows = this.d.repo.retentionCandidates(before, batch, from);
        if (rows.length === 0) break;
        const last = rows[rows.length - 1]!;
        from = { startedAt: last.startedAt, id: last.id };
        // The rows are marked deleted first (a deleted row points at nothing by contract), then
        // the files go: a kill in between leaves `deleting` journal rows, finished by recovery.
        const { marked, files } = this.d.repo.markDeleted(rows.map((r) => r.id));
        report.deleted += marked;
        if (this.d.afterRetentionMark) await this.d.afterRetentionMark();
        for (const f of files) {
          try {
            await removeFile(f.fromPath);
            this.d.repo.dropMove(f.id);
          } catch (err) {
            report.errors++;
            this.d.log.error({ err, recordingId: f.recordingId, path: f.fromPath }, 'recording retention: file not deleted; retried at the next run');
          }
        }
        if (rows.length < batch) break;
        await yieldToLoop();
      }
      report.keptForHold = this.d.repo.countHeldBefore(before);
    }

    const before = now - archiveAfterDays * DAY_MS;
    let from: Keyset | undefined;
    while (!this.daily.stopped) {
      const rows = this.d.repo.archiveCandidates(before, batch, from);
      if (rows.length === 0) break;
      const last = rows[rows.length - 1]!;
      from = { startedAt: last.startedAt, id: last.id };
      for (const row of rows) {
        if (this.daily.stopped) break;
        try {
          const outcome = await this.d.mover.move(row);
          if (outcome === 'moved') report.moved++;
          else if (outcome !== 'changed') report.errors++;
        } catch (err) {
          report.errors++;
          this.d.log.error({ err, recordingId: row.id }, 'recording archive: move failed; the journal lets the next run finish or undo it');
          // A half-done move is settled now, so the row is not left with a journal entry until the next start.
          const r = await this.d.mover.recover();
          report.errors += r.errors;
        }
      }
      if (rows.length < batch) break;
      await yieldToLoop();
    }
    report.ms = Date.now() - t0;
    this.d.log.info(
      { moved: report.moved, deleted: report.deleted, keptForHold: report.keptForHold, errors: report.errors, recovered: report.recovered, ms: report.ms },
      'recording archive run done',
    );
    return report;
  }
}
