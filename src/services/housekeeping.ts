/**
 * The daily housekeeping job: purges login tokens that expired (or were revoked) more than a day
 * ago, and deletes history older than its retention — call rows, routing decisions, agent state
 * intervals, and the audit log only when an operator asks for it (its default is to keep it).
 *
 * Deletes go in batches (one transaction each) with a turn of the event loop between batches, so
 * a purge of millions of rows never holds calls up for more than one batch: about 10 ms (200 call
 * rows, whose eight indexes make a delete cost ~50 µs a row; 1,000 rows of the other tables).
 * docs/storage.md has the measurements. A run is skipped while the database refuses writes:
 * the write queue has priority on a full disk, and the next day's run catches up.
 *
 * Scheduled with node-schedule at a local time of day (`HOUSEKEEPING_AT`, default 03:30): a
 * cron-style library that follows the local clock across daylight-saving changes, which a plain
 * 24-hour interval would not.
 */
import type { Logger } from 'pino';
import { DailyRun } from './daily-run.ts';
import type { Clock } from './ports.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A history table and how long it is kept. */
export interface RetentionTarget {
  /** For the log: `calls`, `routingDecisions`, `agentStates`, `audit`. */
  name: string;
  /** Days to keep; 0 keeps for ever. */
  days: number;
  /** Deletes up to `limit` of the oldest rows before `before` (ms epoch); returns how many. */
  deleteOlderThan(before: number, limit: number): number;
  /** Rows per batch for this table (default: `HousekeepingDeps.batchSize`). */
  batch?: number;
}

export interface HousekeepingDeps {
  targets: RetentionTarget[];
  /** Deletes expired and revoked login tokens; returns how many. */
  purgeTokens(): number;
  /** False while the database refuses writes: the run is skipped. */
  writable(): boolean;
  clock: Clock;
  log: Logger;
  /** Rows per delete transaction, unless the target says (default 1,000). */
  batchSize?: number;
  /** Lets the event loop run between batches (default: setImmediate). */
  yieldToLoop?: () => Promise<void>;
}

export interface HousekeepingReport {
  skipped: boolean;
  tokens: number;
  /** Rows deleted per target (targets kept for ever are absent). */
  deleted: Record<string, number>;
  /** Targets whose run stopped on an error (the next run takes it up again). */
  failed: string[];
  ms: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Housekeeping {
  private readonly daily: DailyRun<HousekeepingReport>;

  constructor(private readonly d: HousekeepingDeps) {
    this.daily = new DailyRun({ name: 'housekeeping', log: d.log, body: () => this.runOnce(), failed: () => ({ skipped: false, tokens: 0, deleted: {}, failed: ['run'], ms: 0 }) });
  }

  /** Runs every day at `at` (local `HH:MM`). */
  start(at: string): void {
    this.daily.start(at);
    this.d.log.info({ at, retentionDays: Object.fromEntries(this.d.targets.map((t) => [t.name, t.days || 'keep'])) }, 'housekeeping scheduled');
  }

  /** When the next scheduled run is; null when not scheduled. */
  nextRun(): Date | null {
    return this.daily.nextRun();
  }

  /** One run now (a run already going is joined, not doubled). Never rejects. */
  run(): Promise<HousekeepingReport> {
    return this.daily.run();
  }

  /** Cancels the schedule; a run in progress stops after its current batch. */
  close(): Promise<void> {
    return this.daily.close();
  }

  private async runOnce(): Promise<HousekeepingReport> {
    const started = Date.now();
    const report: HousekeepingReport = { skipped: false, tokens: 0, deleted: {}, failed: [], ms: 0 };
    if (!this.d.writable()) {
      report.skipped = true;
      this.d.log.warn('housekeeping skipped: the database refuses writes');
      return report;
    }
    try {
      report.tokens = this.d.purgeTokens();
    } catch (err) {
      report.failed.push('tokens');
      this.d.log.error({ err }, 'housekeeping: token purge failed');
    }
    const now = this.d.clock.now();
    const yieldToLoop = this.d.yieldToLoop ?? nextTurn;
    for (const t of this.d.targets) {
      if (t.days <= 0) continue;
      const batch = t.batch ?? this.d.batchSize ?? 1000;
      const before = now - t.days * DAY_MS;
      let total = 0;
      try {
        for (;;) {
          if (this.daily.stopped || !this.d.writable()) {
            report.failed.push(t.name);
            break;
          }
          const n = t.deleteOlderThan(before, batch);
          total += n;
          if (n < batch) break;
          await yieldToLoop();
        }
      } catch (err) {
        report.failed.push(t.name);
        this.d.log.error({ err, table: t.name, deleted: total }, 'housekeeping: retention delete failed; the next run goes on');
      }
      report.deleted[t.name] = total;
    }
    report.ms = Date.now() - started;
    this.d.log.info({ tokens: report.tokens, deleted: report.deleted, failed: report.failed, ms: report.ms }, 'housekeeping done');
    return report;
  }
}
