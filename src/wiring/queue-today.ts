/**
 * The live `today` figures of `queue.stats` (services/queue-today.ts) wired to the daemon:
 *
 * - `records(inner)`: the calls rows' port with every successful insert and update also counted
 *   (the same rows the KPI report reads, so the two agree); a failure in the counting is logged
 *   and never reaches the call;
 * - the seed: today's rows already in the database (a restart does not zero the wallboard), read
 *   in slices of `SEED_SLICE` rows by `calls_offered_at_idx` with the event loop free between
 *   slices; rows written live meanwhile win;
 * - the local midnight: a timer starts the next day, and every queue's zeroed figures are sent;
 * - each queue's report settings (its `kpi` over the defaults, as the report applies them), read
 *   once and again after an admin change of the queues (`queuesChanged`), never per call.
 */
import type { Logger } from 'pino';
import { kpiConfig, DEFAULT_KPI_CONFIG, type KpiConfig } from '../reports/kpi.ts';
import type { CallRecords, CallRow, Clock, Timers } from '../services/ports.ts';
import { QueueToday, type TodayRow } from '../services/queue-today.ts';
import type { Sqlite } from '../storage/database.ts';

/** Rows read per slice of the seed (a few ms of the event loop each). */
export const SEED_SLICE = 2000;

export interface QueueTodayDeps {
  sqlite: Sqlite;
  /** Each queue's stored report settings (admin API, queue `kpi`). */
  queueKpi(): Record<string, Partial<KpiConfig>>;
  timeZone: string;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** A queue's figures changed: send its `queue.stats`. */
  onChange(queueId: string): void;
}

export interface QueueTodayWiring {
  tally: QueueToday;
  records(inner: CallRecords): CallRecords;
  kpiOf(queueId: string): Readonly<KpiConfig>;
  /** An admin change of the queues: their settings are read again (at the next figures). */
  queuesChanged(): void;
  /** Settles when today's rows of the database are counted. */
  seeded: Promise<void>;
  close(): void;
}

// `offered_at >= @after` is the index range (the slices go on from the last row); rows offered at
// the same ms as the last one are told apart by id.
export const SEED_SQL = `
  SELECT id, queue_id AS queueId, offered_at AS offeredAt, answered_at AS answeredAt, ended_at AS endedAt, outcome
    FROM calls
   WHERE offered_at >= @after AND offered_at < @to AND queue_id IS NOT NULL
     AND NOT (offered_at = @after AND id <= @afterId)
   ORDER BY offered_at, id
   LIMIT @limit`;

export function startQueueToday(d: QueueTodayDeps): QueueTodayWiring {
  const tally = new QueueToday({ timeZone: d.timeZone, now: d.clock.now(), onChange: d.onChange });
  let book: Map<string, Readonly<KpiConfig>> | null = null;
  let closed = false;
  let midnight: unknown = null;

  const kpiOf = (queueId: string): Readonly<KpiConfig> => {
    if (!book) {
      book = new Map();
      for (const [q, partial] of Object.entries(d.queueKpi())) {
        try {
          book.set(q, kpiConfig(partial));
        } catch (err) {
          d.log.warn({ queue: q, err }, 'queue report settings unusable: the defaults apply to its live figures');
        }
      }
    }
    return book.get(queueId) ?? DEFAULT_KPI_CONFIG;
  };

  const feed = (row: TodayRow): void => {
    try {
      tally.row(row, d.clock.now());
    } catch (err) {
      d.log.error({ callId: row.id, err }, 'queue figures of today not updated');
    }
  };

  const armMidnight = (): void => {
    if (closed) return;
    const wait = Math.max(1000, tally.day.end - d.clock.now() + 1);
    midnight = d.timers.setTimeout(() => {
      midnight = null;
      if (tally.rollover(d.clock.now())) d.log.info({ day: tally.day.label }, 'queue figures of today start again');
      armMidnight();
    }, wait);
  };
  armMidnight();

  const seeded = seed(d, tally, () => closed);

  return {
    tally,
    records: (inner) => ({
      insert(row: CallRow) {
        inner.insert(row);
        feed(row);
      },
      update(id: string, patch: Partial<CallRow>) {
        inner.update(id, patch);
        // The call service writes whole rows; a partial patch (none today) is not counted.
        if (patch.offeredAt !== undefined && patch.queueId !== undefined && patch.answeredAt !== undefined && patch.endedAt !== undefined && patch.outcome !== undefined) {
          feed({ id, queueId: patch.queueId, offeredAt: patch.offeredAt, answeredAt: patch.answeredAt, endedAt: patch.endedAt, outcome: patch.outcome });
        }
      },
      saveData: (id, json) => inner.saveData(id, json),
    }),
    kpiOf,
    queuesChanged: () => {
      book = null;
      for (const q of Object.keys(d.queueKpi())) d.onChange(q);
    },
    seeded,
    close: () => {
      closed = true;
      if (midnight !== null) d.timers.clearTimeout(midnight);
      midnight = null;
    },
  };
}

async function seed(d: QueueTodayDeps, tally: QueueToday, isClosed: () => boolean): Promise<void> {
  tally.beginSeed();
  await new Promise<void>((resolve) => setImmediate(resolve)); // not on the daemon's start path
  const started = Date.now();
  let rows = 0;
  try {
    const stmt = d.sqlite.prepare<[{ after: number; afterId: string; to: number; limit: number }], TodayRow>(SEED_SQL);
    const { start, end } = tally.day;
    let after = start;
    let afterId = '';
    for (;;) {
      if (isClosed()) return;
      const slice = stmt.all({ after, afterId, to: end, limit: SEED_SLICE });
      const now = d.clock.now();
      for (const r of slice) tally.seed(r, now);
      rows += slice.length;
      if (slice.length < SEED_SLICE || tally.day.start !== start) break;
      const last = slice[slice.length - 1]!;
      after = last.offeredAt;
      afterId = last.id;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    d.log.info({ day: tally.day.label, rows, ms: Date.now() - started }, 'queue figures of today read from the calls');
  } catch (err) {
    d.log.error({ err, rows }, 'queue figures of today not read from the calls: they count from now');
  } finally {
    tally.endSeed();
  }
}
