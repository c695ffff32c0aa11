/**
 * Searches off the event loop (docs/recording.md, "Search"): one worker thread with its own
 * read-only connection to the database file (WAL lets it read while the daemon writes). The main
 * thread builds the SQL (query.ts) and posts it; the worker runs executor.ts's code, serialised
 * into its source, and posts the page back. Requests queue (one worker, one search at a time);
 * one that has not answered within `timeoutMs` is rejected with SearchTimeout (503
 * SEARCH_TIMEOUT on HTTP), and the worker is restarted so that the queue behind it moves on.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { executeSearch, hydrateRecordings, type SearchPage } from './executor.ts';
import type { SearchQuery } from './query.ts';

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

interface Pending {
  id: number;
  query: SearchQuery;
  delayMs: number;
  resolve: (p: SearchPage) => void;
  reject: (e: Error) => void;
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
  private worker: Worker | null = null;
  private readonly queue: Pending[] = [];
  private current: (Pending & { timer: NodeJS.Timeout }) | null = null;
  private nextId = 1;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3');

  constructor(private readonly opts: SearchWorkerOptions) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** Runs `query` on the worker. `delayMs` holds the worker first (tests: a slow search). */
  search(query: SearchQuery, delayMs = 0): Promise<SearchPage> {
    if (this.closed) return Promise.reject(new Error('search worker closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, query, delayMs, resolve, reject });
      this.pump();
    });
  }

  private spawn(): Worker {
    const w = new Worker(workerSource(), { eval: true, workerData: { file: this.opts.file, driver: this.driver } });
    w.unref();
    w.on('message', (m: { id: number; page?: SearchPage; error?: string }) => {
      const cur = this.current;
      if (!cur || cur.id !== m.id) return;
      clearTimeout(cur.timer);
      this.current = null;
      if (m.page) cur.resolve(m.page);
      else cur.reject(new Error(m.error ?? 'search failed'));
      this.pump();
    });
    w.on('error', (err) => {
      if (this.worker !== w) return;
      this.opts.log.error({ err }, 'search worker failed; starting another');
      this.worker = null;
      this.failCurrent(err);
    });
    w.on('exit', () => {
      if (this.worker !== w) return;
      this.worker = null;
      if (!this.closed) this.failCurrent(new Error('search worker exited'));
    });
    return w;
  }

  private failCurrent(err: Error): void {
    const cur = this.current;
    if (cur) {
      clearTimeout(cur.timer);
      this.current = null;
      cur.reject(err);
    }
    this.pump();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.worker ??= this.spawn();
    const w = this.worker;
    const timer = setTimeout(() => {
      // A search past its time: answer it, and replace the worker still busy with it.
      this.opts.log.warn({ timeoutMs: this.timeoutMs }, 'search timed out; restarting the search worker');
      const cur = this.current;
      this.current = null;
      this.worker = null;
      void w.terminate();
      cur?.reject(new SearchTimeout(this.timeoutMs));
      this.pump();
    }, this.timeoutMs);
    this.current = { ...next, timer };
    w.postMessage({ id: next.id, query: next.query, delayMs: next.delayMs });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('search worker closed'));
    if (this.current) {
      clearTimeout(this.current.timer);
      this.current.reject(new Error('search worker closed'));
      this.current = null;
    }
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
