/**
 * Opens the SQLite database, sets the pragmas the daemon relies on and applies the committed
 * drizzle-kit migrations synchronously, before anything else touches the data. One connection per
 * process: better-sqlite3 is synchronous, so every query runs on the event loop and there is no
 * pool to size. See docs/storage.md for why WAL + synchronous=NORMAL.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type Db = ReturnType<typeof drizzle<typeof schema>>;
export type Sqlite = Database.Database;

export interface OpenDatabaseOptions {
  /** A file path, or `:memory:` (tests). */
  file: string;
  /** Defaults to the repository's `migrations/`, found by walking up from this module. */
  migrationsFolder?: string;
  /** How long a statement waits for a lock another connection holds, ms (default 1000). The
   * daemon's history writes do not wait longer: a write that fails is kept and retried by the
   * write queue (write-queue.ts), while the event loop goes on. */
  busyTimeoutMs?: number;
}

export interface OpenedDatabase {
  db: Db;
  sqlite: Sqlite;
  close(): void;
}

export function openDatabase(opts: OpenDatabaseOptions): OpenedDatabase {
  const inMemory = opts.file === ':memory:' || opts.file === '';
  if (!inMemory) mkdirSync(dirname(resolve(opts.file)), { recursive: true });

  const sqlite = new Database(opts.file);
  try {
    applyPragmas(sqlite, opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    const db = drizzle({ client: sqlite, schema });
    migrate(db, { migrationsFolder: opts.migrationsFolder ?? findMigrationsFolder() });
    let closed = false;
    return {
      db,
      sqlite,
      close() {
        if (closed) return;
        closed = true;
        try {
          // Lets SQLite refresh its planner statistics for the tables this process used.
          sqlite.pragma('optimize');
        } finally {
          sqlite.close();
        }
      },
    };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}

export const DEFAULT_BUSY_TIMEOUT_MS = 1000;

function applyPragmas(sqlite: Sqlite, busyTimeoutMs: number): void {
  // WAL: readers never block the writer; a commit is one append to the -wal file.
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: no fsync per commit, only at checkpoints. Survives a process crash, may
  // lose the last commits on power loss or an OS crash (docs/storage.md).
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  // After a checkpoint lets SQLite start the WAL over, trim the file back to 64 MiB at most.
  sqlite.pragma('journal_size_limit = 67108864');
}

/**
 * The `migrations/` folder of this repository, found by walking up from this module's own folder
 * (src/storage when run through tsx, dist/storage when compiled) until a folder holds
 * `migrations/meta/_journal.json`.
 */
export function findMigrationsFolder(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no migrations/meta/_journal.json found above ${from}`);
    dir = parent;
  }
}
