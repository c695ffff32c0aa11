/**
 * A child process for the kill-at-each-step test: runs the archive over a temp database and folder
 * and SIGKILLs itself right after the move step named by KILL_AFTER (mover.ts, MOVE_STEPS), the
 * way a crash or `kill -9` would stop the daemon; KILL_AFTER=retentionMarked kills a retention
 * batch after its rows are marked deleted, before the files go. Env: DB_FILE, ARCHIVE_DIR,
 * KILL_AFTER, NOW_MS, DELETE_AFTER_DAYS (default 0).
 */
import pino from 'pino';
import { ArchiveMover, type MoveStepName } from '../../src/recording/archive/mover.ts';
import { RecordingArchiveService } from '../../src/recording/archive/archive-service.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { RecordingArchiveRepository } from '../../src/storage/repositories/recording-archive.ts';

const { DB_FILE, ARCHIVE_DIR, KILL_AFTER, NOW_MS, DELETE_AFTER_DAYS } = process.env;
const opened = openDatabase({ file: DB_FILE! });
const clock = { now: () => Number(NOW_MS) };
const repo = new RecordingArchiveRepository({ db: opened.db, clock });
const log = pino({ level: 'silent' });
const mover = new ArchiveMover({
  repo,
  archiveDir: ARCHIVE_DIR!,
  log,
  afterStep: (step: MoveStepName) => {
    if (step === KILL_AFTER) process.kill(process.pid, 'SIGKILL');
  },
});
const service = new RecordingArchiveService({
  repo,
  mover,
  settings: { archiveAfterDays: 30, deleteAfterDays: Number(DELETE_AFTER_DAYS ?? 0) },
  clock,
  log,
  afterRetentionMark: () => {
    if (KILL_AFTER === 'retentionMarked') process.kill(process.pid, 'SIGKILL');
  },
});
await service.run();
opened.close();
process.exit(0);
