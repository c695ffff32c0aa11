/**
 * The small worker pool password checks go through. scrypt costs ~0.1–0.2 s of CPU and 32 MiB per
 * check; without a bound, a flood of logins (a shift start, or an attacker) would take every core
 * and every libuv thread, and the event loop routing calls would starve for CPU.
 *
 * So at most `concurrency` derivations run at once (default: one fewer than the CPUs, at most two),
 * on worker threads of their own at a low CPU priority (hash-workers.ts); the rest wait in a
 * FIFO queue, and a job that would wait longer than `maxWaitMs` (judged from the recent job times)
 * or find `maxQueue` jobs ahead of it is refused at once with `HashPoolBusy`, which carries when to
 * try again. Refusing fast keeps memory flat and tells the client the truth; queueing for a minute
 * would only make it time out.
 *
 * Why not piscina: what is needed is admission (how many, how long the line may get) in front of
 * one or two threads running one function; a general-purpose task pool adds a file to resolve at
 * run time (tsx, dist/ and the test runner each see another path) and no part of the admission.
 */
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { HashWorkers } from './hash-workers.ts';
import type { Scrypt } from './password.ts';

export interface HashPoolOptions {
  /** Jobs run at once. */
  concurrency?: number;
  /** Jobs waiting at most. */
  maxQueue?: number;
  /** A job whose expected wait is longer is refused, ms. */
  maxWaitMs?: number;
  /** Monotonic ms, for tests. */
  now?: () => number;
  log?: Logger;
}

const MAX_RETRY_AFTER_S = 60;

export class HashPoolBusy extends Error {
  readonly code = 'HASH_POOL_BUSY';
  constructor(readonly retryAfterS: number) {
    super(`password checks are queued for the next ${retryAfterS} s; try again then`);
  }
}

export function defaultHashConcurrency(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

interface Waiting {
  start: () => void;
}

export class HashPool {
  readonly concurrency: number;
  readonly maxQueue: number;
  readonly maxWaitMs: number;
  private readonly now: () => number;
  private running = 0;
  private readonly queue: Waiting[] = [];
  private head = 0;
  /** Moving average of a job's duration, ms; 0 until one has run. */
  private avgMs = 0;
  private refusedCount = 0;
  /** Until when the retries already promised to refused jobs fill the pool (monotonic ms). */
  private promisedUntil = 0;
  private readonly workers: HashWorkers;
  /** One scrypt derivation through the pool, on a worker thread: pass it to password.ts. */
  readonly scrypt: Scrypt;

  constructor(opts: HashPoolOptions = {}) {
    this.concurrency = opts.concurrency ?? defaultHashConcurrency();
    this.maxQueue = opts.maxQueue ?? 1000;
    this.maxWaitMs = opts.maxWaitMs ?? 5000;
    this.now = opts.now ?? (() => performance.now());
    if (!(this.concurrency >= 1) || !(this.maxQueue >= 0) || !(this.maxWaitMs > 0)) throw new RangeError('bad hash pool options');
    this.workers = new HashWorkers(this.concurrency, opts.log);
    this.scrypt = (job) => this.run(() => this.workers.run(job));
  }

  /** Starts the worker threads ahead of the first login (hash-workers.ts `warm`). */
  warm(): Promise<void> {
    return this.workers.warm();
  }

  /** Stops the worker threads (they are unref'd: an idle pool never keeps the process alive). */
  close(): Promise<void> {
    return this.workers.close();
  }

  stats(): { running: number; queued: number; avgMs: number; refused: number; workers: number } {
    return { running: this.running, queued: this.queued, avgMs: Math.round(this.avgMs * 10) / 10, refused: this.refusedCount, workers: this.workers.started };
  }

  /** Runs `job` (on this thread; `scrypt` runs on the workers) when a slot is free; rejects with
   * HashPoolBusy when the line is too long. */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency && this.queued === 0) return this.start(job);
    const wait = this.expectedWaitMs(this.queued + 1);
    if (this.queued >= this.maxQueue || wait > this.maxWaitMs) {
      this.refusedCount++;
      return Promise.reject(new HashPoolBusy(this.retryAfterS()));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ start: () => void this.start(job).then(resolve, reject) });
    });
  }

  private get queued(): number {
    return this.queue.length - this.head;
  }

  /**
   * When a refused job should come back: after the line ahead of it has drained, and after the
   * jobs refused before it, each promised its own slot — so that refused clients do not all come
   * back in the same second to be refused again. At most MAX_RETRY_AFTER_S ahead.
   */
  private retryAfterS(): number {
    const now = this.now();
    const drained = now + this.expectedWaitMs(this.queued);
    this.promisedUntil = Math.min(Math.max(this.promisedUntil, drained) + this.avgMs / this.concurrency, now + MAX_RETRY_AFTER_S * 1000);
    return Math.max(1, Math.ceil((this.promisedUntil - now) / 1000));
  }

  /** How long the `position`-th job in line would wait, ms. */
  private expectedWaitMs(position: number): number {
    return Math.ceil(position / this.concurrency) * this.avgMs;
  }

  private async start<T>(job: () => Promise<T>): Promise<T> {
    this.running++;
    const t0 = this.now();
    try {
      return await job();
    } finally {
      const ms = this.now() - t0;
      this.avgMs = this.avgMs === 0 ? ms : this.avgMs * 0.8 + ms * 0.2;
      this.running--;
      this.next();
    }
  }

  private next(): void {
    if (this.running >= this.concurrency || this.queued === 0) return;
    const w = this.queue[this.head++]!;
    if (this.head > 256 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    w.start();
  }
}
