/**
 * Reports off the event loop: one worker thread (report-worker.ts) with its own read-only
 * connection to the database file runs `runReport` and posts the plain result back, so a month of
 * calls costs the daemon's event loop one structured clone, not the read. Requests queue (one
 * report at a time); one that has not answered within `timeoutMs` is rejected with ReportTimeout
 * and the worker is replaced, so the queue behind it moves on. The same shape as recording search
 * (src/recording/search/worker.ts), except that the worker loads our TypeScript modules through
 * tsx's API (a runtime dependency: the daemon runs under tsx) instead of carrying serialised
 * function sources, since a report needs several modules.
 *
 * `onProgress` does not cross the thread boundary; a request given one here ignores it.
 */
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../core/errors.ts';
import type { ReportRequest, ReportResult } from './run-report.ts';
import type { WorkerReply } from './report-worker.ts';

export class ReportTimeout extends Error {
  constructor(ms: number) {
    super(`report did not answer within ${ms} ms`);
    this.name = 'ReportTimeout';
  }
}

export interface ReportRunnerOptions {
  /** The database file (not `:memory:`: the worker opens its own connection). */
  file: string;
  /** Default 60,000. */
  timeoutMs?: number;
}

interface Pending {
  id: number;
  request: Omit<ReportRequest, 'onProgress'>;
  resolve: (r: ReportResult) => void;
  reject: (e: Error) => void;
}

// Run from the sources (tsx, vitest) the worker imports the TypeScript entry through tsx (worker
// threads do not inherit the loader of vitest or of `tsx` running the daemon); from the compiled
// build (dist/, the Docker image) it imports the JavaScript one directly.
const COMPILED = import.meta.url.endsWith('.js');
const ENTRY = new URL(COMPILED ? './report-worker.js' : './report-worker.ts', import.meta.url).href;
const workerSource = COMPILED ? `import(${JSON.stringify(ENTRY)});` : `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(ENTRY)}, ${JSON.stringify(ENTRY)}));`;

export class ReportRunner {
  private worker: Worker | null = null;
  private readonly queue: Pending[] = [];
  private current: (Pending & { timer: NodeJS.Timeout }) | null = null;
  private nextId = 1;
  private closed = false;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ReportRunnerOptions) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  run(request: ReportRequest): Promise<ReportResult> {
    if (this.closed) return Promise.reject(new Error('report runner closed'));
    const { onProgress: _ignored, ...plain } = request;
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request: plain, resolve, reject });
      this.pump();
    });
  }

  private spawn(): Worker {
    const w = new Worker(workerSource, { eval: true, workerData: { file: this.opts.file } });
    w.unref();
    w.on('message', (m: WorkerReply | 'ready') => {
      const cur = this.current;
      if (m === 'ready' || !cur || cur.id !== m.id) return;
      clearTimeout(cur.timer);
      this.current = null;
      if ('result' in m) cur.resolve(m.result);
      else cur.reject(m.error.code ? new AppError(m.error.code as ErrorCode, m.error.message, m.error.details) : new Error(m.error.message));
      this.pump();
    });
    w.on('error', (err) => {
      if (this.worker !== w) return;
      this.worker = null;
      this.failCurrent(err);
    });
    w.on('exit', () => {
      if (this.worker !== w) return;
      this.worker = null;
      if (!this.closed) this.failCurrent(new Error('report worker exited'));
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
      const cur = this.current;
      this.current = null;
      this.worker = null;
      void w.terminate();
      cur?.reject(new ReportTimeout(this.timeoutMs));
      this.pump();
    }, this.timeoutMs);
    this.current = { ...next, timer };
    w.postMessage({ id: next.id, request: next.request });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('report runner closed'));
    if (this.current) {
      clearTimeout(this.current.timer);
      this.current.reject(new Error('report runner closed'));
      this.current = null;
    }
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
