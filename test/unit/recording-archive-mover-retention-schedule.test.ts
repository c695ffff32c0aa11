/**
 * The recordings' archive (src/recording/archive): which rows move and when (injected clock),
 * retention with legal hold, recovery of each journal step, checksum refusals, the run guard and
 * the schedule, and the configuration.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, recordingDirs } from '../../src/config.ts';
import { RecordingArchiveService, type Scheduler } from '../../src/recording/archive/archive-service.ts';
import { archivePathFor, tempNameFor } from '../../src/recording/archive/files.ts';
import { ArchiveMover } from '../../src/recording/archive/mover.ts';
import { RecordingArchiveRepository } from '../../src/storage/repositories/recording-archive.ts';
import { manualClock, openTempDatabase } from '../../src/storage/test-support.ts';
import { addRecording, brokenRows, DAY_MS, insertRecording, rows, sha256 } from '../helpers/recording-archive-fixtures.ts';

const log = pino({ level: 'silent' });
const t = openTempDatabase();
afterAll(() => t.dispose());
const NOW = Date.UTC(2026, 5, 1, 2, 30);
const clock = manualClock(NOW);
const hot = join(t.dir, 'recordings');
const archive = join(t.dir, 'archive');

function build(settings = { archiveAfterDays: 30, deleteAfterDays: 0 }, extra: Partial<ConstructorParameters<typeof RecordingArchiveService>[0]> = {}) {
  const repo = new RecordingArchiveRepository({ db: t.db, clock });
  const mover = new ArchiveMover({ repo, archiveDir: archive, log });
  const service = new RecordingArchiveService({ repo, mover, settings, clock, log, ...extra });
  return { repo, mover, service };
}
const row = (id: string) => rows(t.sqlite).find((r) => r.id === id)!;

beforeEach(() => {
  t.reset();
  clock.set(NOW);
});

describe('archive', () => {
  it('moves closed hot recordings older than the archive age to DATA_DIR/archive/YYYY/MM/DD/<id>.wav, same sha256', async () => {
    const old = addRecording(t.sqlite, hot, 'old', NOW - 31 * DAY_MS);
    addRecording(t.sqlite, hot, 'young', NOW - 29 * DAY_MS);
    addRecording(t.sqlite, hot, 'live', NOW - 40 * DAY_MS, { status: 'recording' });
    insertRecording(t.sqlite, { id: 'unclosed', startedAt: NOW - 40 * DAY_MS, path: join(hot, 'nothing.wav'), sha256: null, status: 'closed' });
    const held = addRecording(t.sqlite, hot, 'held', NOW - 35 * DAY_MS, { legalHold: true });
    const { service } = build();
    const report = await service.run();
    expect(report).toMatchObject({ moved: 2, deleted: 0, errors: 0, skipped: false });
    const d = new Date(old.startedAt);
    const expected = join(archive, String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), String(d.getUTCDate()).padStart(2, '0'), 'old.wav');
    expect(row('old')).toMatchObject({ tier: 'archive', path: expected, status: 'closed' });
    expect(readFileSync(expected).equals(old.wav)).toBe(true);
    expect(existsSync(old.path!)).toBe(false);
    expect(row('held')).toMatchObject({ tier: 'archive' });
    expect(sha256(readFileSync(row('held').path!))).toBe(held.sha256);
    expect(row('young').tier).toBe('hot');
    expect(row('live').tier).toBe('hot');
    expect(row('unclosed').tier).toBe('hot');
    expect(brokenRows(t.sqlite)).toEqual([]);
  });

  it('follows the injected clock: a recording becomes due when the clock passes its archive age', async () => {
    addRecording(t.sqlite, hot, 'r1', NOW - 29 * DAY_MS);
    const { service } = build();
    expect((await service.run()).moved).toBe(0);
    clock.advance(1 * DAY_MS + 1);
    expect((await service.run()).moved).toBe(1);
  });

  it('refuses a copy whose sha256 is not the recorded one: row and hot file untouched, no archive file', async () => {
    const r = addRecording(t.sqlite, hot, 'bad', NOW - 40 * DAY_MS);
    writeFileSync(r.path!, Buffer.concat([r.wav, Buffer.from([1])]));
    const { service, repo } = build();
    const report = await service.run();
    expect(report).toMatchObject({ moved: 0, errors: 1 });
    expect(row('bad')).toMatchObject({ tier: 'hot', path: r.path });
    expect(existsSync(archivePathFor(archive, 'bad', r.startedAt))).toBe(false);
    expect(repo.unfinished()).toEqual([]);
  });

  it('a missing hot file is an error, not a move', async () => {
    insertRecording(t.sqlite, { id: 'gone', startedAt: NOW - 40 * DAY_MS, path: join(hot, 'gone.wav'), sha256: 'ab'.repeat(32), status: 'closed' });
    addRecording(t.sqlite, hot, 'fine', NOW - 40 * DAY_MS);
    const { service } = build();
    expect(await service.run()).toMatchObject({ moved: 1, errors: 1 });
    expect(row('gone').tier).toBe('hot');
    expect(row('fine').tier).toBe('archive');
  });
});

describe('recovery', () => {
  it('copying: a partial copy (temp name and target) is deleted and the journal row dropped', async () => {
    const r = addRecording(t.sqlite, hot, 'p', NOW - 40 * DAY_MS);
    const { repo, mover } = build();
    const target = archivePathFor(archive, 'p', r.startedAt);
    repo.startMove({ recordingId: 'p', fromPath: r.path!, toPath: target, sha256: r.sha256! });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(tempNameFor(target), r.wav.subarray(0, 100));
    expect(await mover.recover()).toMatchObject({ undone: 1, errors: 0 });
    expect(existsSync(tempNameFor(target))).toBe(false);
    expect(row('p')).toMatchObject({ tier: 'hot', path: r.path });
    expect(repo.unfinished()).toEqual([]);
  });

  it('copied with a copy that no longer verifies: undone, the row keeps its hot file', async () => {
    const r = addRecording(t.sqlite, hot, 'c', NOW - 40 * DAY_MS);
    const { repo, mover } = build();
    const target = archivePathFor(archive, 'c', r.startedAt);
    const m = repo.startMove({ recordingId: 'c', fromPath: r.path!, toPath: target, sha256: r.sha256! });
    repo.setStep(m.id, 'copied');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, r.wav.subarray(0, 100));
    expect(await mover.recover()).toMatchObject({ undone: 1, errors: 0 });
    expect(existsSync(target)).toBe(false);
    expect(row('c')).toMatchObject({ tier: 'hot', path: r.path });
    expect(brokenRows(t.sqlite)).toEqual([]);
  });

  it('deleting (retention killed after marking): the file is removed at recovery', async () => {
    const r = addRecording(t.sqlite, hot, 'd', NOW - 400 * DAY_MS);
    const { repo, mover } = build();
    expect(repo.markDeleted(['d']).marked).toBe(1);
    expect(row('d').status).toBe('deleted');
    expect(existsSync(r.path!)).toBe(true);
    expect(await mover.recover()).toMatchObject({ deleted: 1 });
    expect(existsSync(r.path!)).toBe(false);
    expect(repo.unfinished()).toEqual([]);
  });
});

describe('retention', () => {
  it('deletes old recordings not on legal hold, keeps held ones, in batches; rows marked deleted keep tier and path', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(addRecording(t.sqlite, hot, `old${i}`, NOW - (100 + i) * DAY_MS).id);
    const held = addRecording(t.sqlite, hot, 'held', NOW - 120 * DAY_MS, { legalHold: true });
    const recent = addRecording(t.sqlite, hot, 'recent', NOW - 10 * DAY_MS);
    let turns = 0;
    const { service, repo } = build({ archiveAfterDays: 30, deleteAfterDays: 90 }, { batchSize: 3, yieldToLoop: async () => void turns++ });
    const report = await service.run();
    expect(report).toMatchObject({ deleted: 7, keptForHold: 1, moved: 1, errors: 0 });
    expect(turns).toBeGreaterThanOrEqual(2);
    for (const id of ids) {
      const r = row(id);
      expect(r.status).toBe('deleted');
      expect(r.path).not.toBeNull();
      expect(existsSync(r.path!)).toBe(false);
    }
    expect(row('held')).toMatchObject({ status: 'closed', tier: 'archive', legal_hold: 1 });
    expect(sha256(readFileSync(row('held').path!))).toBe(held.sha256);
    expect(row('recent')).toMatchObject({ status: 'closed', tier: 'hot', path: recent.path });
    expect(repo.unfinished()).toEqual([]);
    expect(brokenRows(t.sqlite)).toEqual([]);
    // A second run finds nothing more to do.
    expect(await service.run()).toMatchObject({ deleted: 0, moved: 0, keptForHold: 1 });
  });

  it('a hold set after the candidates were read still wins: markDeleted skips held rows', () => {
    addRecording(t.sqlite, hot, 'x', NOW - 400 * DAY_MS);
    const { repo } = build();
    expect(repo.retentionCandidates(NOW, 10).map((r) => r.id)).toEqual(['x']);
    repo.setLegalHold('x', true);
    expect(repo.markDeleted(['x'])).toEqual({ marked: 0, files: [] });
    expect(row('x').status).toBe('closed');
  });
});

describe('guard and schedule', () => {
  it('a run asked for during a run joins it: each row is moved once', async () => {
    for (let i = 0; i < 4; i++) addRecording(t.sqlite, hot, `g${i}`, NOW - 40 * DAY_MS);
    const { service } = build(undefined, { batchSize: 1 });
    const a = service.run();
    expect(service.busy).toBe(true);
    const b = service.run();
    expect(b).toBe(a);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.moved).toBe(4);
    expect(rb).toBe(ra);
    expect(service.busy).toBe(false);
    expect((await service.run()).moved).toBe(0);
  });

  it('schedules at the configured local time and runs when the job fires; the clock decides what is due', async () => {
    let fire: (() => void) | null = null;
    let rule: { hour: number; minute: number } | null = null;
    let cancelled = false;
    const scheduler: Scheduler = (at, fn) => {
      rule = at;
      fire = fn;
      return { cancel: () => void (cancelled = true), nextInvocation: () => null };
    };
    addRecording(t.sqlite, hot, 's', NOW - 29 * DAY_MS - 1000);
    const { service } = build(undefined, { scheduler });
    service.start('02:30');
    expect(rule).toEqual({ hour: 2, minute: 30 });
    clock.advance(DAY_MS);
    fire!();
    expect(service.busy).toBe(true);
    expect((await service.run()).moved).toBe(1);
    await service.close();
    expect(cancelled).toBe(true);
  });

  it('with node-schedule: the next run is at HH:MM local time within a day', async () => {
    const { service } = build();
    service.start('02:30');
    try {
      const next = service.nextRun()!;
      expect([next.getHours(), next.getMinutes(), next.getSeconds()]).toEqual([2, 30, 0]);
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(DAY_MS);
    } finally {
      await service.close();
    }
  });

  it('a database refusing writes skips the run', async () => {
    addRecording(t.sqlite, hot, 'w', NOW - 40 * DAY_MS);
    const { service } = build(undefined, { writable: () => false });
    expect(await service.run()).toMatchObject({ skipped: true, moved: 0 });
  });
});

describe('configuration', () => {
  it('defaults: archive after 30 days, keep for ever, at 02:30; folders under DATA_DIR', () => {
    const c = loadConfig({ DATA_DIR: '/srv/sb' });
    expect(c.recordingArchive).toEqual({ archiveAfterDays: 30, deleteAfterDays: 0, at: '02:30' });
    expect(recordingDirs(c)).toEqual({ hot: '/srv/sb/recordings', archive: '/srv/sb/archive' });
  });

  it('reads the variables and refuses a delete age not above the archive age, or a bad time', () => {
    expect(loadConfig({ RECORDING_ARCHIVE_AFTER_DAYS: '7', RECORDING_DELETE_AFTER_DAYS: '365', RECORDING_ARCHIVE_AT: '23:05' }).recordingArchive).toEqual({ archiveAfterDays: 7, deleteAfterDays: 365, at: '23:05' });
    expect(() => loadConfig({ RECORDING_ARCHIVE_AFTER_DAYS: '30', RECORDING_DELETE_AFTER_DAYS: '30' })).toThrow(/RECORDING_DELETE_AFTER_DAYS=30 must be more than/);
    expect(() => loadConfig({ RECORDING_ARCHIVE_AT: '2:30' })).toThrow(ConfigError);
    expect(() => loadConfig({ RECORDING_ARCHIVE_AFTER_DAYS: '0' })).toThrow(/RECORDING_ARCHIVE_AFTER_DAYS/);
  });
});
