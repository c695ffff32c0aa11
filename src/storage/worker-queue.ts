/**
 * One worker thread that answers requests one at a time, for work kept off the event loop (the
 * recording search, src/recording/search/worker.ts; the reports, src/reports/data/report-runner.ts):
 * requests queue; the worker starts at the first and is replaced when it fails or exits; a request
 * not answered within `timeoutMs` is rejected with the caller's timeout error and its worker is
 * terminated, so the queue behind it moves on. Each message to the worker is `{id, ...payload}`;
 * each answer carries the `id` it is for, and `decode` turns it into a value or an error.
 */
import { Worker } from 'node:worker_threads';

export interface WorkerQueueOptions<Res> {
  /** Source of the worker (run with `eval: true`) and its `workerData`. */
  source: string;
  workerData: unknown;
  timeoutMs: number;
  /** Names the queue in errors: `${name} closed`, `${name} exited`. */
  name: string;
  /** A message from the worker: the answer to request `id`, or null for anything else. */
  decode(m: unknown): { id: number; value: Res } | { id: number; error: Error } | null;
  timeoutError(ms: number): Error;
  onTimeout?(): void;
  onError?(err: Error): void;
}

interface Pending<Res> {
  id: number;
  payload: object;
  resolve: (r: Res) => void;
  reject: (e: Error) => void;
}

export class WorkerQueue<Res> {
  private worker: Worker | null = null;
  private readonly queue: Pending<Res>[] = [];
  private current: (Pending<Res> & { timer: NodeJS.Timeout }) | null = null;
  private nextId = 1;
  private closed = false;

  constructor(private readonly o: WorkerQueueOptions<Res>) {}

  /** Posts `{id, ...payload}` to the worker once those before it are answered. */
  run(payload: object): Promise<Res> {
    if (this.closed) return Promise.reject(new Error(`${this.o.name} closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, payload, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error(`${this.o.name} closed`));
    if (this.current) {
      clearTimeout(this.current.timer);
      this.current.reject(new Error(`${this.o.name} closed`));
      this.current = null;
    }
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private spawn(): Worker {
    const w = new Worker(this.o.source, { eval: true, workerData: this.o.workerData });
    w.unref();
    w.on('message', (m: unknown) => {
      const answer = this.o.decode(m);
      const cur = this.current;
      if (!answer || !cur || cur.id !== answer.id) return;
      clearTimeout(cur.timer);
      this.current = null;
      if ('value' in answer) cur.resolve(answer.value);
      else cur.reject(answer.error);
      this.pump();
    });
    w.on('error', (err) => {
      if (this.worker !== w) return;
      this.o.onError?.(err);
      this.worker = null;
      this.failCurrent(err);
    });
    w.on('exit', () => {
      if (this.worker !== w) return;
      this.worker = null;
      if (!this.closed) this.failCurrent(new Error(`${this.o.name} exited`));
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
      // A request past its time: answer it, and replace the worker still busy with it.
      this.o.onTimeout?.();
      const cur = this.current;
      this.current = null;
      this.worker = null;
      void w.terminate();
      cur?.reject(this.o.timeoutError(this.o.timeoutMs));
      this.pump();
    }, this.o.timeoutMs);
    this.current = { ...next, timer };
    w.postMessage({ id: next.id, ...next.payload });
  }
}
