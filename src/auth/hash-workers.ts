/**
 * Worker threads that run scrypt for the hashing pool (hash-pool.ts), at a low CPU priority.
 *
 * Why threads of our own rather than node:crypto's async scrypt: that one runs on libuv's four
 * threads at the same priority as the event loop, so a burst of logins competes for the CPU with
 * call routing, and takes the threads file-system and DNS work need. A worker here lowers its own
 * priority first (`os.setPriority(10)`: on Linux the nice value is per thread, so the event loop
 * keeps its own) and then runs `scryptSync` one job at a time. Under contention the scheduler
 * gives the event loop the CPU (CFS weights 1024 against 110, and a waking event loop preempts
 * the worker). Nice 10 rather than 19: at 19 (weight 15) logins all but stop whenever other
 * processes keep the cores busy; at 10 they still get about a tenth of a contended core.
 *
 * The worker's code is a few lines of plain JavaScript given as a string, so it runs the same from
 * tsx, from the compiled dist/ and under the test runner, with nothing to resolve. If a worker
 * cannot be started at all, jobs fall back to libuv's scrypt.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { libuvScrypt, type ScryptJob } from './password.ts';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
try { require('node:os').setPriority(10); } catch {}
parentPort.on('message', ({ password, salt, keylen, options }) => {
  try {
    const key = scryptSync(password, Buffer.from(salt), keylen, options);
    parentPort.postMessage({ key });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

interface Slot {
  worker: Worker;
  busy: boolean;
  job: { resolve: (key: Buffer) => void; reject: (err: Error) => void } | null;
}

export class HashWorkers {
  private readonly slots: Slot[] = [];
  private broken = false;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly log?: Logger,
  ) {}

  /** Runs one derivation on an idle worker (the caller — the pool — never asks for more than
   * `size` at once). */
  run(job: ScryptJob): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('hash workers closed'));
    const slot = this.broken ? null : this.idleSlot();
    if (!slot) return libuvScrypt(job);
    slot.busy = true;
    slot.worker.ref(); // a job in flight keeps the process alive; an idle worker does not
    return new Promise<Buffer>((resolve, reject) => {
      slot.job = { resolve, reject };
      slot.worker.postMessage(job);
    });
  }

  /** Workers running (started and not exited). */
  get started(): number {
    return this.slots.length;
  }

  /**
   * Starts every worker now and resolves when they are running (or could not be started). Called
   * when the daemon starts: a worker started by the first login of a flood — a shift start, just
   * after a restart — would boot a Node.js environment (tens of ms of CPU, at normal priority
   * until its code lowers it) in the middle of the flood, on the cores routing needs, and its
   * first job's time would tell the pool that a check costs far more than it does.
   */
  async warm(): Promise<void> {
    const starting: Promise<void>[] = [];
    while (!this.broken && !this.closed && this.slots.length < this.size) {
      const slot = this.trySpawn();
      if (!slot) break;
      starting.push(
        new Promise<void>((resolve) => {
          slot.worker.once('online', () => resolve());
          slot.worker.once('error', () => resolve());
          slot.worker.once('exit', () => resolve());
        }),
      );
    }
    await Promise.all(starting);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private idleSlot(): Slot | null {
    const idle = this.slots.find((s) => !s.busy);
    if (idle) return idle;
    if (this.slots.length >= this.size) return null;
    return this.trySpawn();
  }

  /** A new worker, or null (and libuv's scrypt from now on) when workers cannot be started. */
  private trySpawn(): Slot | null {
    try {
      return this.spawn();
    } catch (err) {
      this.broken = true;
      this.log?.warn({ err }, 'cannot start password hashing workers; hashing on the libuv thread pool');
      return null;
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    // Idle workers must not keep the process alive.
    worker.unref();
    const slot: Slot = { worker, busy: false, job: null };
    worker.on('message', (m: { key?: Uint8Array; error?: string }) => {
      const job = slot.job;
      slot.job = null;
      slot.busy = false;
      worker.unref();
      if (!job) return;
      if (m.key) job.resolve(Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength));
      else job.reject(new Error(m.error ?? 'scrypt failed'));
    });
    const fail = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      slot.job?.reject(err);
      slot.job = null;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`hash worker exited with ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }
}
