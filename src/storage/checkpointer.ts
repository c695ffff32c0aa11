/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that
 * crosses `wal_autocheckpoint` pages: that commit copies the WAL back into the database file and
 * fsyncs both, 5–7 ms on the event loop, every few hundred milliseconds at full call rate. Every
 * call event that arrives meanwhile waits (docs/performance.md). Here a worker thread with its own
 * connection runs `PRAGMA wal_checkpoint(PASSIVE)` on a timer instead: in WAL mode a checkpoint
 * never blocks the writer, and PASSIVE never waits for it, so the event loop only appends to
 * the WAL.
 *
 * Trade-off: a thread and a second connection, and the WAL holds up to one interval of writes.
 * Durability is unchanged: a commit is in the WAL (and so survives a process crash) whether or not
 * it has been checkpointed. If the worker cannot start or dies, the main connection goes back to
 * automatic checkpoints and the daemon carries on.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Sqlite } from './database.ts';

export interface CheckpointerOptions {
  /** The database file (not `:memory:`). */
  file: string;
  /** The daemon's own connection: its automatic checkpoint is turned off while the worker runs. */
  sqlite: Sqlite;
  /** How often the worker checkpoints, ms. */
  intervalMs?: number;
  log: Logger;
}

export interface CheckpointStats {
  /** Checkpoints run by the worker. */
  runs: number;
  /** WAL frames copied back into the database file, in all. */
  frames: number;
  /** The last checkpoint's result: frames in the WAL, and how many of them are checkpointed. */
  last: { log: number; checkpointed: number } | null;
}

export interface Checkpointer {
  /** False once the worker has stopped or failed (automatic checkpoints are back on). */
  readonly running: boolean;
  stats(): CheckpointStats;
  close(): Promise<void>;
}

/** The automatic checkpoint threshold SQLite uses by default, restored when the worker stops. */
const AUTO_CHECKPOINT_PAGES = 1000;

// Plain CommonJS run with `eval: true`, so it loads the same way under tsx, vitest and the
// compiled daemon.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ type: 'checkpoint', busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: String(err && err.message || err) });
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(opts: CheckpointerOptions): Checkpointer {
  const log = opts.log;
  const stats: CheckpointStats = { runs: 0, frames: 0, last: null };
  let running = true;
  let stopping = false;
  const fallBack = (why: string, err?: unknown) => {
    if (!running) return;
    running = false;
    try {
      opts.sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    } catch {
      // The connection is closed: nothing left to protect.
    }
    if (!stopping) log.warn({ err, why }, 'WAL checkpoint worker stopped; automatic checkpoints are back on');
  };

  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  let lastCheckpointed = 0;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: opts.file, driver, intervalMs: opts.intervalMs ?? 200 } });
  worker.unref();
  worker.on('message', (m: { type: string; busy?: number; log?: number; checkpointed?: number; message?: string }) => {
    if (m.type === 'checkpoint') {
      stats.runs++;
      const checkpointed = m.checkpointed ?? 0;
      // The count restarts when SQLite resets the WAL; count what is new since the last run.
      stats.frames += checkpointed >= lastCheckpointed ? checkpointed - lastCheckpointed : checkpointed;
      lastCheckpointed = checkpointed;
      stats.last = { log: m.log ?? 0, checkpointed };
    } else if (m.type === 'error') {
      log.warn({ err: m.message }, 'WAL checkpoint failed; retrying at the next interval');
    }
  });
  worker.on('error', (err) => fallBack('worker error', err));
  worker.on('exit', (code) => fallBack(`worker exited with code ${code}`));
  opts.sqlite.pragma('wal_autocheckpoint = 0');

  return {
    get running() {
      return running;
    },
    stats: () => ({ ...stats, last: stats.last && { ...stats.last } }),
    async close() {
      if (!running) return;
      stopping = true;
      // Held while closing: an unref'd worker and timer would let the event loop run dry in the
      // middle of a shutdown (a failed start then exited 0 with nothing printed).
      worker.ref();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)));
      await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (running) await worker.terminate();
      fallBack('closed');
    },
  };
}
