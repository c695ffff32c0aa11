/**
 * Searches off the event loop (docs/recording.md, "Search"): one worker thread with its own
 * read-only connection to the database file (WAL lets it read while the daemon writes). The main
 * thread builds the SQL (query.ts) and posts it; the worker runs executor.ts's code, serialised
 * into its source, and posts the page back. Requests queue (one worker, one search at a time);
 * one that has not answered within `timeoutMs` is rejected with SearchTimeout (503
 * SEARCH_TIMEOUT on HTTP), and the worker is restarted so that the queue behind it moves on.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { executeSearch, hydrateRecordings, type SearchPage } from './executor.ts';
import type { SearchQuery } from './query.ts';
import { WorkerQueue } from '../../storage/worker-queue.ts';

export class SearchTimeout extends Error {
  constructor(ms: number) {
    super(`search did not answer within ${ms} ms`);
    this.name = 'SearchTimeout';
  }
}

export interface SearchWorkerOptions {
  file: string;
  log: Logger;
  /** Default 5000. */
  timeoutMs?: number;
}

// esbuild (tsx, vitest) may wrap named functions in __name(); the worker has no such helper.
const workerSource = () => `
var __name = function (f) { return f; };
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 1000');
const cache = new Map();
const prepare = (sql) => {
  let st = cache.get(sql);
  if (!st) { st = db.prepare(sql); cache.set(sql, st); }
  return { all: (p) => (p === undefined ? st.all() : Array.isArray(p) ? st.all(...p) : st.all(p)) };
};
const hydrateRecordings = ${hydrateRecordings.toString()};
const executeSearch = ${executeSearch.toString()};
parentPort.on('message', (m) => {
  if (m === 'stop') { db.close(); parentPort.close(); return; }
  try {
    if (m.delayMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, m.delayMs);
    parentPort.postMessage({ id: m.id, page: executeSearch(prepare, m.query) });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});
`;

export class SearchWorker {
  private readonly queue: WorkerQueue<SearchPage>;

  constructor(opts: SearchWorkerOptions) {
    const timeoutMs = opts.timeoutMs ?? 5000;
    this.queue = new WorkerQueue<SearchPage>({
      source: workerSource(),
      workerData: { file: opts.file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
      timeoutMs,
      name: 'search worker',
      decode: (raw) => {
        const m = raw as { id: number; page?: SearchPage; error?: string };
        return m.page ? { id: m.id, value: m.page } : { id: m.id, error: new Error(m.error ?? 'search failed') };
      },
      timeoutError: (ms) => new SearchTimeout(ms),
      onTimeout: () => opts.log.warn({ timeoutMs }, 'search timed out; restarting the search worker'),
      onError: (err) => opts.log.error({ err }, 'search worker failed; starting another'),
    });
  }

  /** Runs `query` on the worker. `delayMs` holds the worker first (tests: a slow search). */
  search(query: SearchQuery, delayMs = 0): Promise<SearchPage> {
    return this.queue.run({ query, delayMs });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
