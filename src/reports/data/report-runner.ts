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
import { AppError, type ErrorCode } from '../../core/errors.ts';
import type { ReportRequest, ReportResult } from './run-report.ts';
import type { WorkerReply } from './report-worker.ts';
import { WorkerQueue } from '../../storage/worker-queue.ts';

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

// Run from the sources (tsx, vitest) the worker imports the TypeScript entry through tsx (worker
// threads do not inherit the loader of vitest or of `tsx` running the daemon); from the compiled
// build (dist/, the Docker image) it imports the JavaScript one directly.
const COMPILED = import.meta.url.endsWith('.js');
const ENTRY = new URL(COMPILED ? './report-worker.js' : './report-worker.ts', import.meta.url).href;
const workerSource = COMPILED ? `import(${JSON.stringify(ENTRY)});` : `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(ENTRY)}, ${JSON.stringify(ENTRY)}));`;

export class ReportRunner {
  private readonly queue: WorkerQueue<ReportResult>;

  constructor(opts: ReportRunnerOptions) {
    this.queue = new WorkerQueue<ReportResult>({
      source: workerSource,
      workerData: { file: opts.file },
      timeoutMs: opts.timeoutMs ?? 60_000,
      name: 'report runner',
      decode: (raw) => {
        const m = raw as WorkerReply | 'ready';
        if (m === 'ready') return null;
        if ('result' in m) return { id: m.id, value: m.result };
        return { id: m.id, error: m.error.code ? new AppError(m.error.code as ErrorCode, m.error.message, m.error.details) : new Error(m.error.message) };
      },
      timeoutError: (ms) => new ReportTimeout(ms),
    });
  }

  run(request: ReportRequest): Promise<ReportResult> {
    const { onProgress: _ignored, ...plain } = request;
    return this.queue.run({ request: plain });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
