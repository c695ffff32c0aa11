/**
 * What every repository is built from: the drizzle handle and a clock. Also the one way to run
 * several repository calls atomically. Transactions go through better-sqlite3's own
 * `transaction()`, which nests as SAVEPOINTs, so a repository method that needs atomicity can be
 * called inside a route's wider transaction (mutation + audit row) without "cannot start a
 * transaction within a transaction".
 */
import type { Db } from '../database.ts';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface RepoContext {
  db: Db;
  clock: Clock;
}

/** Runs `fn` in a transaction (a savepoint when one is already open); rolls back if it throws. */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn)();
}
