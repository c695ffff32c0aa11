/**
 * ReportRunner: the report on a worker thread with its own read-only connection gives the same
 * result as runReport on this thread, while this thread's timers keep firing; BAD_REQUEST comes
 * back as the same AppError; a report past its time is rejected and the next one still runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { ReportRunner, ReportTimeout } from '../../src/reports/data/report-runner.ts';
import { runReport, type ReportRequest } from '../../src/reports/data/run-report.ts';
import { openDatabase, type OpenedDatabase } from '../../src/storage/database.ts';
import { SHANGHAI, writeReportDay, type ReportDayTruth } from '../helpers/report-day.ts';

let dir: string;
let file: string;
let opened: OpenedDatabase;
let truth: ReportDayTruth;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reports-worker-'));
  file = join(dir, 'switchboard.db');
  opened = openDatabase({ file });
  truth = writeReportDay(opened.sqlite, { seed: 42, date: '2026-12-01', agents: 120, talkS: [20, 120], gapS: [5, 60], abandons: 20_000 });
}, 60_000);
afterAll(() => {
  opened.close();
  rmSync(dir, { recursive: true, force: true });
});

const request = (over: Partial<ReportRequest> = {}): ReportRequest => ({ from: truth.from, to: truth.to, grouping: 'interval', intervalSize: '15m', timeZone: SHANGHAI, ...over });

describe('ReportRunner', () => {
  it('gives what runReport gives on this thread, and this thread keeps turning meanwhile', async () => {
    const runner = new ReportRunner({ file });
    try {
      const here = runReport(opened.sqlite, request());
      let ticks = 0;
      let last = performance.now();
      let maxGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        ticks++;
      }, 10);
      const t0 = performance.now();
      let there;
      try {
        there = await runner.run(request({ onProgress: () => undefined }));
      } finally {
        clearInterval(timer);
      }
      const elapsed = performance.now() - t0;
      expect(there).toEqual({ ...here });
      expect(there.total.offered).toBe(truth.total.offered);
      // Long enough to mean something; a run on this thread would leave no tick at all.
      expect(elapsed).toBeGreaterThan(200);
      expect(ticks).toBeGreaterThanOrEqual(5);
      expect(maxGap).toBeLessThan(Math.max(150, elapsed / 2));
    } finally {
      await runner.close();
    }
  }, 60_000);

  it('a bad request comes back as the AppError runReport throws', async () => {
    const runner = new ReportRunner({ file });
    try {
      const err = await runner.run(request({ timeZone: 'Mars/Olympus' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'BAD_TIME_ZONE' } });
    } finally {
      await runner.close();
    }
  }, 30_000);

  it('a report past its time is rejected with ReportTimeout; the one queued behind it still runs', async () => {
    const runner = new ReportRunner({ file, timeoutMs: 1 });
    try {
      const slow = runner.run(request());
      await expect(slow).rejects.toBeInstanceOf(ReportTimeout);
    } finally {
      await runner.close();
    }
    const patient = new ReportRunner({ file, timeoutMs: 60_000 });
    try {
      const first = patient.run(request({ grouping: 'queue' }));
      const second = patient.run(request({ grouping: 'agent' }));
      const [q, a] = await Promise.all([first, second]);
      expect(q.rows.map((r) => r.key)).toEqual(Object.keys(truth.byQueue).sort());
      expect(a.rows.length).toBe(Object.keys(truth.byAgent).length);
    } finally {
      await patient.close();
    }
  }, 60_000);

  it('refuses work once closed', async () => {
    const runner = new ReportRunner({ file });
    await runner.close();
    await expect(runner.run(request())).rejects.toThrow('closed');
  });
});
