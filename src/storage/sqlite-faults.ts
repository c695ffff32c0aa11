/**
 * Which SQLite errors say the database cannot take writes now (disk full, locked, read-only, I/O
 * error, cannot open: keep the write and retry) and which say the write itself is wrong (a
 * constraint, a bad value, anything not SQLite's: a bug, drop it). better-sqlite3 reports the
 * extended code (`SQLITE_IOERR_WRITE`); the primary code decides.
 */

/** `keep`: the database cannot take writes now (retry later); `drop`: this write is wrong. */
export type WriteFault = 'keep' | 'drop';

/** SQLite result codes (primary) that say the database, not the write, is the problem. */
const PASSING = new Set([
  'SQLITE_FULL',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
  'SQLITE_INTERRUPT',
  'SQLITE_NOLFS',
  // Not passing by itself, but an operator may restore the file: keeping the write costs memory
  // within the cap, dropping it loses it.
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
]);

/** The primary SQLite code of an error (`SQLITE_IOERR_WRITE` → `SQLITE_IOERR`), or null. */
export function sqliteCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  return code.split('_', 2).join('_');
}

export function faultOf(err: unknown): WriteFault {
  const code = sqliteCode(err);
  return code !== null && PASSING.has(code) ? 'keep' : 'drop';
}
