/**
 * Retention deletes, one bounded batch at a time: the housekeeping job (services/housekeeping.ts)
 * calls a repository's `deleteOlderThan(before, limit)` until it returns less than `limit`,
 * yielding to the event loop between batches, so a purge of millions of rows never holds the
 * connection (or the loop) for more than one batch.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../database.ts';

export interface RetentionTarget {
  /** Our own table and column names (constants, never input). */
  table: string;
  /** The time column the cut-off applies to; it must be indexed. Rows where it is null (an open
   * state interval) are never deleted. */
  time: string;
}

/** Deletes up to `limit` rows whose `time` is before `before`, oldest first; returns how many. */
export function deleteOldest(db: Db, target: RetentionTarget, before: number, limit: number): number {
  const t = sql.raw(`\`${target.table}\``);
  const c = sql.raw(`\`${target.time}\``);
  return db.run(sql`delete from ${t} where rowid in (select rowid from ${t} where ${c} < ${before} order by ${c} limit ${limit})`).changes;
}
