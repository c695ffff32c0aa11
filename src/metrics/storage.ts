/**
 * Storage metrics: how long each history write takes on SQLite (wiring/storage.ts times the write
 * queue's writes, storage/write-queue.ts), by kind of row and path — `direct` (written at once, its
 * own transaction and commit) or `retry` (from the backlog, inside a batch's transaction) — and,
 * read at scrape time, the backlog of writes kept in memory while the database refuses them and
 * the writes dropped.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WriteQueueStatus } from '../storage/write-queue.ts';
import type { HistoryWriteMeter } from '../wiring/storage.ts';
import { cached, deltaOf } from './registry.ts';

/** A WAL append is tens of microseconds; a write waiting on a lock waits up to DB_BUSY_TIMEOUT_MS. */
export const DB_WRITE_BUCKETS_S = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export class StorageMetrics implements HistoryWriteMeter {
  private readonly direct: (kind: string) => { observe(v: number): void };
  private readonly retry: (kind: string) => { observe(v: number): void };
  private status: (() => WriteQueueStatus) | null = null;

  constructor(registry: Registry) {
    const registers = [registry];
    const writes = new Histogram({
      name: 'switchboard_db_write_duration_seconds',
      help: 'Time SQLite took for one history write (call row, agent state, routing decision, audit, IVR data), by kind and path: direct (its own transaction) or retry (from the backlog, in a batch; the commit is not in it).',
      labelNames: ['kind', 'path'],
      buckets: DB_WRITE_BUCKETS_S,
      registers,
    });
    this.direct = cached((kind) => writes.labels(kind, 'direct'));
    this.retry = cached((kind) => writes.labels(kind, 'retry'));
    const read = () => this.status?.() ?? null;
    new Gauge({
      name: 'switchboard_db_write_backlog',
      help: 'History writes kept in memory, waiting for the database to take writes again (0 while healthy).',
      registers,
      collect() {
        this.set(read()?.backlog ?? 0);
      },
    });
    new Gauge({
      name: 'switchboard_db_writes_degraded',
      help: '1 while the database refuses history writes and they are kept in memory, else 0.',
      registers,
      collect() {
        this.set(read()?.state === 'degraded' ? 1 : 0);
      },
    });
    const shed = deltaOf(() => sum(read()?.shed));
    const rejected = deltaOf(() => read()?.rejected ?? 0);
    new Counter({
      name: 'switchboard_db_writes_dropped_total',
      help: 'History writes lost, by reason: shed (the backlog was full, DB_BACKLOG_MAX), rejected (refused by the database as wrong: a bug).',
      labelNames: ['reason'],
      registers,
      collect() {
        this.inc({ reason: 'shed' }, shed());
        this.inc({ reason: 'rejected' }, rejected());
      },
    });
  }

  now(): number {
    return performance.now();
  }

  written(kind: string, replay: boolean, ms: number): void {
    (replay ? this.retry : this.direct)(kind).observe(ms / 1000);
  }

  watch(status: () => WriteQueueStatus): void {
    this.status = status;
  }
}

function sum(counts: Record<string, number> | undefined): number {
  let n = 0;
  for (const k in counts) n += counts[k]!;
  return n;
}
