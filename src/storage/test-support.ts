/**
 * For tests (ours and other tiers'): a real SQLite database in a fresh temp folder, migrated, with
 * repositories whose password hashing is cheap and whose clock the test controls. Not used by the
 * daemon.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScryptParams } from '../auth/password.ts';
import { openDatabase, type OpenedDatabase } from './database.ts';
import { createRepositories, type Repositories } from './repositories/index.ts';

/** ~1 ms per hash instead of ~150 ms; never use outside tests. */
export const TEST_SCRYPT: ScryptParams = Object.freeze({ ln: 10, r: 8, p: 1 });

export interface ManualClock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export const TEST_EPOCH = Date.UTC(2026, 0, 5, 9, 0, 0);

export function manualClock(start = TEST_EPOCH): ManualClock {
  let t = start;
  return {
    now: () => t,
    set: (ms) => void (t = ms),
    advance: (ms) => void (t += ms),
  };
}

export interface TempDatabase extends OpenedDatabase {
  dir: string;
  file: string;
  repos: Repositories;
  clock: ManualClock;
  /** Empties every table and rewinds the clock, keeping the schema (fast per-test isolation). */
  reset(): void;
  /** Closes the database and deletes the folder. */
  dispose(): void;
}

export function openTempDatabase(opts: { scrypt?: ScryptParams; clock?: ManualClock } = {}): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-db-'));
  const file = join(dir, 'data', 'switchboard.sqlite');
  const opened = openDatabase({ file });
  const clock = opts.clock ?? manualClock();
  const repos = createRepositories(opened.db, { clock, scrypt: opts.scrypt ?? TEST_SCRYPT });
  return {
    ...opened,
    dir,
    file,
    repos,
    clock,
    reset() {
      const tables = opened.sqlite
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'")
        .pluck()
        .all() as string[];
      opened.sqlite.pragma('foreign_keys = OFF');
      try {
        opened.sqlite.transaction(() => {
          for (const tbl of tables) opened.sqlite.prepare(`delete from "${tbl}"`).run();
          opened.sqlite.prepare('delete from sqlite_sequence').run();
        })();
      } finally {
        opened.sqlite.pragma('foreign_keys = ON');
      }
      clock.set(TEST_EPOCH);
    },
    dispose() {
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
