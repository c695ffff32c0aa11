/**
 * The read side of recordings (docs/recording.md, "Search"): one recording by id, and the search
 * on the calling thread (the daemon's HTTP search goes through the worker, recording/search/worker.ts,
 * which runs the very same code on its own read-only connection). Only `closed` recordings are
 * visible: one still being recorded, failed or deleted is neither listed nor found.
 */
import type { Sqlite } from '../database.ts';
import { executeSearch, hydrateRecordings, type RecordingWithPath, type SearchPage } from '../../recording/search/executor.ts';
import { buildSearch, DEFAULT_LIMIT, type Keyset, type RecordingFilters } from '../../recording/search/query.ts';

export type { Recording, RecordingWithPath, SearchPage } from '../../recording/search/executor.ts';

/** A statement cache over one connection (the executor asks for the same few texts again and again). */
export function statementCache(sqlite: Sqlite): (sql: string) => { all(params?: unknown): unknown[] } {
  const cache = new Map<string, ReturnType<Sqlite['prepare']>>();
  return (sql) => {
    let st = cache.get(sql);
    if (!st) {
      st = sqlite.prepare(sql);
      cache.set(sql, st);
    }
    const s = st as unknown as { all(...a: unknown[]): unknown[] };
    return { all: (params?: unknown) => (params === undefined ? s.all() : Array.isArray(params) ? s.all(...(params as unknown[])) : s.all(params)) };
  };
}

export class RecordingsReadRepository {
  private readonly prepare: ReturnType<typeof statementCache>;

  constructor(sqlite: Sqlite) {
    this.prepare = statementCache(sqlite);
  }

  /** One closed recording with its agents, pauses and tags, and its file's path; null if none. */
  get(id: string): RecordingWithPath | null {
    const rows = this.prepare(
      `SELECT r.id, r.call_id, r.started_at, r.ended_at, r.duration_ms, r.direction, r.caller, r.callee, r.queue, r.pilot, r.customer_id, r.tier, r.bytes, r.sha256, r.legal_hold, r.path
       FROM recordings r WHERE r.id = ? AND r.status = 'closed'`,
    ).all([id]) as Record<string, unknown>[];
    return hydrateRecordings(this.prepare, rows)[0] ?? null;
  }

  /** The search on this thread (tests, bench); the daemon uses the worker. */
  search(filters: RecordingFilters, after: Keyset | null = null, limit = DEFAULT_LIMIT): SearchPage {
    return executeSearch(this.prepare, buildSearch(filters, after, limit));
  }
}
