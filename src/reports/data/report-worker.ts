/**
 * The worker thread's side of report-runner.ts: its own read-only connection to the database file
 * (WAL lets it read while the daemon writes), one report at a time, the result or the error
 * (code, message and details of an AppError) posted back. Started by report-runner.ts only.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../core/errors.ts';
import { runReport, type ReportRequest } from './run-report.ts';

export type WorkerRequest = { id: number; request: Omit<ReportRequest, 'onProgress'> } | 'stop';
export type WorkerReply = { id: number; result: ReturnType<typeof runReport> } | { id: number; error: { message: string; code?: string; details?: Record<string, unknown> } };

const port = parentPort;
if (port) {
  const { file } = workerData as { file: string };
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  port.on('message', (m: WorkerRequest) => {
    if (m === 'stop') {
      db.close();
      port.close();
      return;
    }
    let reply: WorkerReply;
    try {
      reply = { id: m.id, result: runReport(db, m.request) };
    } catch (err) {
      reply = { id: m.id, error: err instanceof AppError ? { message: err.message, code: err.code, ...(err.details ? { details: err.details } : {}) } : { message: String((err as Error)?.message ?? err) } };
    }
    port.postMessage(reply);
  });
  port.postMessage('ready');
}
