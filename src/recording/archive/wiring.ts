/**
 * The archive's place in the daemon: recovery of half-done moves at start (before anything else
 * could move a file), then the daily schedule at `RECORDING_ARCHIVE_AT`.
 */
import type { Logger } from 'pino';
import { recordingDirs, type Config } from '../../config.ts';
import type { Sqlite } from '../../storage/database.ts';
import { RecordingArchiveRepository } from '../../storage/repositories/recording-archive.ts';
import { RecordingArchiveService } from './archive-service.ts';
import { ArchiveMover } from './mover.ts';

export interface RecordingArchive {
  repo: RecordingArchiveRepository;
  service: RecordingArchiveService;
  close(): Promise<void>;
}

export async function startRecordingArchive(d: { config: Readonly<Config>; sqlite: Sqlite; clock: { now(): number }; log: Logger; writable: () => boolean }): Promise<RecordingArchive> {
  const repo = RecordingArchiveRepository.fromSqlite(d.sqlite, d.clock);
  const mover = new ArchiveMover({ repo, archiveDir: recordingDirs(d.config).archive, log: d.log });
  const service = new RecordingArchiveService({ repo, mover, settings: d.config.recordingArchive, clock: d.clock, log: d.log, writable: d.writable });
  await service.recover();
  service.start(d.config.recordingArchive.at);
  return { repo, service, close: () => service.close() };
}
