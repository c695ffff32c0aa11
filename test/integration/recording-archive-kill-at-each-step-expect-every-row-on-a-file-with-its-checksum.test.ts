/**
 * Issue 8, point 7: a kill between each step of an archive move leaves no row pointing at a
 * missing file. A real child process runs the mover and SIGKILLs itself after step N; this
 * process then checks the invariant, runs recovery as a start would, checks it again, and lets a
 * new run finish the archive.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingArchiveService } from '../../src/recording/archive/archive-service.ts';
import { ArchiveMover, MOVE_STEPS } from '../../src/recording/archive/mover.ts';
import { RecordingArchiveRepository } from '../../src/storage/repositories/recording-archive.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';
import { addRecording, brokenRows, DAY_MS, rows, sha256 } from '../helpers/recording-archive-fixtures.ts';

const CHILD = join(import.meta.dirname, '../helpers/recording-archive-kill-child.ts');
const log = pino({ level: 'silent' });

function runChild(env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

let t: TempDatabase | null = null;
afterEach(() => {
  t?.dispose();
  t = null;
});

describe('archive move killed after each step', () => {
  for (const step of MOVE_STEPS) {
    it(`killed after "${step}": every row on a file with its checksum, before and after recovery; the next run finishes`, async () => {
      t = openTempDatabase();
      const now = Date.UTC(2026, 5, 1, 2, 30);
      const hot = join(t.dir, 'recordings');
      const archive = join(t.dir, 'archive');
      const made = ['rec-a', 'rec-b', 'rec-c'].map((id, i) => addRecording(t!.sqlite, hot, id, now - (40 + i) * DAY_MS, { seed: i + 1 }));

      const r = await runChild({ DB_FILE: t.file, ARCHIVE_DIR: archive, KILL_AFTER: step, NOW_MS: String(now) });
      expect(r.signal, r.stderr).toBe('SIGKILL');
      // At the kill itself:
      expect(brokenRows(t.sqlite)).toEqual([]);
      expect(t.sqlite.prepare('select count(*) from recording_moves').pluck().get()).toBe(1);

      const repo = new RecordingArchiveRepository({ db: t.db, clock: { now: () => now } });
      const mover = new ArchiveMover({ repo, archiveDir: archive, log });
      const rec = await mover.recover();
      expect(rec.errors).toBe(0);
      expect(brokenRows(t.sqlite)).toEqual([]);
      expect(repo.unfinished()).toEqual([]);
      // No partial copy left behind, and no file both on hot and archive for a moved row.
      expect(filesUnder(archive).filter((f) => f.endsWith('.part'))).toEqual([]);
      for (const row of rows(t.sqlite)) {
        if (row.tier === 'archive') expect(existsSync(join(hot, `${row.id}.wav`))).toBe(false);
      }

      const service = new RecordingArchiveService({ repo, mover, settings: { archiveAfterDays: 30, deleteAfterDays: 0 }, clock: { now: () => now }, log });
      const report = await service.run();
      expect(report.errors).toBe(0);
      expect(brokenRows(t.sqlite)).toEqual([]);
      for (const m of made) {
        const row = rows(t.sqlite).find((x) => x.id === m.id)!;
        expect(row.tier).toBe('archive');
        expect(row.path!.startsWith(archive)).toBe(true);
        expect(sha256(readFileSync(row.path!))).toBe(m.sha256);
      }
      expect(filesUnder(hot)).toEqual([]);
      expect(filesUnder(archive).length).toBe(3);
    });
  }
});

describe('retention killed after marking a batch deleted', () => {
  it('rows marked deleted point at nothing by contract; every other row keeps its file; recovery removes the marked files', async () => {
    t = openTempDatabase();
    const now = Date.UTC(2026, 5, 1, 2, 30);
    const hot = join(t.dir, 'recordings');
    const archive = join(t.dir, 'archive');
    const expired = ['x-1', 'x-2'].map((id, i) => addRecording(t!.sqlite, hot, id, now - (400 + i) * DAY_MS, { seed: i + 1 }));
    addRecording(t.sqlite, hot, 'x-held', now - 402 * DAY_MS, { legalHold: true });
    addRecording(t.sqlite, hot, 'x-young', now - 40 * DAY_MS);

    const r = await runChild({ DB_FILE: t.file, ARCHIVE_DIR: archive, KILL_AFTER: 'retentionMarked', NOW_MS: String(now), DELETE_AFTER_DAYS: '365' });
    expect(r.signal, r.stderr).toBe('SIGKILL');
    expect(brokenRows(t.sqlite)).toEqual([]);
    expect(rows(t.sqlite).filter((x) => x.status === 'deleted').map((x) => x.id)).toEqual(['x-1', 'x-2']);

    const repo = new RecordingArchiveRepository({ db: t.db, clock: { now: () => now } });
    const mover = new ArchiveMover({ repo, archiveDir: archive, log });
    expect(await mover.recover()).toMatchObject({ deleted: 2, errors: 0 });
    for (const e of expired) expect(existsSync(e.path!)).toBe(false);
    expect(repo.unfinished()).toEqual([]);
    expect(brokenRows(t.sqlite)).toEqual([]);
    expect(rows(t.sqlite).find((x) => x.id === 'x-held')!.status).toBe('closed');
  });
});
