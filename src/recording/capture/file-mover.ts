/**
 * Moves recording files off the event loop (docs/recording.md, "Capture"): one worker thread runs
 * file-store.ts's `moveFileSync` for each closed recording, in order, and answers with the
 * hashes; the capture service then points the row at the copy and drops the switch's file
 * (`dropSource`, after the row, so a crash in between leaves both files and a row naming one).
 * A move that has not answered within `timeoutMs` (a file far beyond any call's length on a stuck
 * disk) is rejected and the worker replaced.
 *
 * `inProcessFileMover` runs the same code on the calling thread (unit tests of the capture
 * service, tools).
 */
import * as fs from 'node:fs';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { unlink } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { HASH_CHUNK, hashFileSync, moveFileSync, type FileMoveOutcome, type MovedFile } from './file-store.ts';

export interface MoveResult {
  file: MovedFile;
  /** Deletes the switch's file once the row points at the copy (nothing when it was not moved). */
  dropSource: () => Promise<void>;
  /** Why the file stays where the switch wrote it. */
  error?: Error;
}

/** Where the capture service moves its files. Rejects when the source cannot be read at all. */
export interface RecordingFiles {
  move(source: string, target: string): Promise<MoveResult>;
  close(): Promise<void>;
}

function resultOf(source: string, target: string, o: FileMoveOutcome): MoveResult {
  if (o.copy) return { file: { path: target, ...o.copy, moved: true }, dropSource: () => unlink(source) };
  return { file: { path: source, ...o.original, moved: false }, dropSource: async () => undefined, error: new Error(o.error ?? 'copy failed') };
}

// esbuild (tsx, vitest) may wrap named functions in __name(); the worker has no such helper.
const workerSource = () => `
var __name = function (f) { return f; };
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const path = require('node:path');
const hashFileSync = ${hashFileSync.toString()};
const moveFileSync = ${moveFileSync.toString()};
const madeDirs = new Set();
const buf = Buffer.allocUnsafe(${HASH_CHUNK});
parentPort.on('message', (batch) => {
  const results = [];
  for (const job of batch.jobs) {
    try {
      if (job.op === 'drop') {
        fs.unlinkSync(job.source);
        results.push({ id: job.id });
      } else results.push({ id: job.id, outcome: moveFileSync(fs, crypto, path, job.source, job.target, madeDirs, buf) });
    } catch (err) {
      results.push({ id: job.id, error: String((err && err.message) || err), code: err && err.code });
    }
  }
  parentPort.postMessage({ batch: batch.batch, results });
});
`;

type Job = { id: number; op: 'move'; source: string; target: string } | { id: number; op: 'drop'; source: string };

interface JobResult {
  id: number;
  outcome?: FileMoveOutcome;
  error?: string;
  code?: string;
}

interface Waiting {
  resolve: (outcome: FileMoveOutcome | null) => void;
  reject: (err: Error) => void;
}

/** Jobs wait this long to go to the worker together (a recording's row is closed that much later;
 * nobody waits on it). */
const FLUSH_MS = 50;

/**
 * The worker takes jobs in batches: the moves and deletions asked for within `FLUSH_MS` go in one
 * message, and their results come back in one. A message to a worker thread and its answer cost
 * ~80 µs of CPU across the two threads, more when both cores are busy; at a few hundred recordings
 * a second, a message per file (or per turn of the event loop) was 4–6 % of the event loop
 * (docs/performance.md, 2026-12-03 (fifth session)).
 */
export class FileMover implements RecordingFiles {
  private worker: Worker | null = null;
  private outbox: Job[] = [];
  private flushDue = false;
  private nextId = 1;
  private nextBatch = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** Batches posted and not answered: their jobs, and the timer that gives up on them. */
  private readonly inFlight = new Map<number, { ids: number[]; timer: NodeJS.Timeout }>();
  private closed = false;
  private readonly timeoutMs: number;

  constructor(private readonly opts: { timeoutMs?: number; onError?: (err: Error) => void } = {}) {
    this.timeoutMs = opts.timeoutMs ?? 120_000;
  }

  async move(source: string, target: string): Promise<MoveResult> {
    const outcome = (await this.ask({ op: 'move', source, target }))!;
    if (!outcome.copy) return resultOf(source, target, outcome);
    return { file: { path: target, ...outcome.copy, moved: true }, dropSource: async () => void (await this.ask({ op: 'drop', source })) };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const flight of this.inFlight.values()) clearTimeout(flight.timer);
    this.inFlight.clear();
    this.failAll([...this.waiting.keys()], new Error('recording file mover closed'));
    this.outbox = [];
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private ask(job: { op: 'move'; source: string; target: string } | { op: 'drop'; source: string }): Promise<FileMoveOutcome | null> {
    if (this.closed) return Promise.reject(new Error('recording file mover closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.outbox.push({ id, ...job });
      if (!this.flushDue) {
        this.flushDue = true;
        setTimeout(() => this.flush(), FLUSH_MS);
      }
    });
  }

  private flush(): void {
    this.flushDue = false;
    if (this.closed || this.outbox.length === 0) return;
    const jobs = this.outbox;
    this.outbox = [];
    const batch = this.nextBatch++;
    const w = (this.worker ??= this.spawn());
    const ids = jobs.map((j) => j.id);
    const timer = setTimeout(() => {
      // Past its time (a stuck disk): its jobs fail, and the worker still busy with it is replaced
      // (with it, the batches behind it: they fail too rather than wait on a worker that is gone).
      this.inFlight.delete(batch);
      this.failAll(ids, new Error(`recording file move did not answer within ${this.timeoutMs} ms`));
      if (this.worker === w) this.replace(w, new Error('recording file mover replaced after a timeout'));
    }, this.timeoutMs);
    timer.unref();
    this.inFlight.set(batch, { ids, timer });
    w.postMessage({ batch, jobs });
  }

  private spawn(): Worker {
    const w = new Worker(workerSource(), { eval: true });
    w.unref();
    w.on('message', (m: { batch: number; results: JobResult[] }) => {
      const flight = this.inFlight.get(m.batch);
      if (!flight) return;
      clearTimeout(flight.timer);
      this.inFlight.delete(m.batch);
      for (const r of m.results) {
        const waiting = this.waiting.get(r.id);
        if (!waiting) continue;
        this.waiting.delete(r.id);
        if (r.error !== undefined) waiting.reject(Object.assign(new Error(r.error), r.code ? { code: r.code } : {}));
        else waiting.resolve(r.outcome ?? null);
      }
    });
    w.on('error', (err) => {
      if (this.worker !== w) return;
      this.opts.onError?.(err);
      this.replace(w, err);
    });
    w.on('exit', () => {
      if (this.worker === w && !this.closed) this.replace(w, new Error('recording file mover exited'));
    });
    return w;
  }

  /** The worker is gone or given up on: every batch it held fails; the next flush starts another. */
  private replace(w: Worker, err: Error): void {
    this.worker = null;
    for (const [batch, flight] of this.inFlight) {
      clearTimeout(flight.timer);
      this.inFlight.delete(batch);
      this.failAll(flight.ids, err);
    }
    void w.terminate();
  }

  private failAll(ids: number[], err: Error): void {
    for (const id of ids) {
      const waiting = this.waiting.get(id);
      if (!waiting) continue;
      this.waiting.delete(id);
      waiting.reject(err);
    }
  }
}

/** The same moves on the calling thread. */
export function inProcessFileMover(): RecordingFiles {
  const madeDirs = new Set<string>();
  const buf = Buffer.allocUnsafe(HASH_CHUNK);
  return {
    move: async (source, target) => resultOf(source, target, moveFileSync(fs, crypto, path, source, target, madeDirs, buf)),
    close: async () => undefined,
  };
}
