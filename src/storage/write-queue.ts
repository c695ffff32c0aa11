/**
 * A write queue in front of SQLite for the rows the daemon writes as calls happen (history-writes.ts
 * says which). The services call synchronous ports and must never wait for the disk, nor stop
 * routing because of it.
 *
 * Healthy, a write goes to SQLite at once: the fast path, the same cost as calling the repository.
 * When SQLite refuses a write for a reason that passes (disk full, busy, read-only, I/O error,
 * cannot open: sqlite-faults.ts), the write is kept in memory and every later write queues behind it, so
 * rows reach the database in the order they were made (a call's update never lands before its
 * insert). A timer retries the backlog with back-off, a batch per transaction; a batch that fails
 * rolls back whole, and one whose commit reported a failure but landed anyway is recognised by
 * the mark it wrote in the same transaction (`markBatch`), so nothing in a batch is written twice.
 * Each write is also replayed idempotently (`replay`): a fast-path write that landed before an
 * ambiguous failure is not written twice either. When the backlog is empty the queue is healthy
 * again. A write SQLite refuses for a reason that will not
 * pass (a constraint, a bad value: a bug) is logged and dropped, never retried.
 *
 * Bounded memory: at most `maxBacklog` writes are kept. Writes with the same merge key (updates of
 * one call row) merge while queued, so a call is one entry however often it changes. Beyond the
 * cap, the oldest write of the first kind in `shedOrder` that has one gives way; every write shed
 * is counted by kind and logged.
 *
 * Trade-off: while degraded, what the database shows lags what happened (history reads miss the
 * backlog), and the backlog is lost if the process dies before the disk is back; in exchange
 * calls keep being routed and answered, and nothing blocks on the disk.
 *
 * Group commit (`perTurn`; DB_GROUP_COMMIT, on by default): healthy, the writes of one turn of
 * the event loop are kept (copied, in order) and written together in one transaction at the end of
 * the turn (`setImmediate`), not one commit each. `barrier()` commits them at once: whatever
 * answers a client (a WebSocket answer, an HTTP response, the daemon closing) calls it first, and
 * the WebSocket frames of the turn wait for it (gateway/turn-outbox.ts), so a client never sees
 * what a crash could still lose (docs/storage.md, "Group commit"). A batch that fails rolls back
 * whole: refused as wrong (a constraint, a bug), its writes go again one by one as before, so only
 * the wrong one is dropped; refused for a reason that passes, they all become the backlog, in
 * order, and the queue degrades as above.
 */
import type { Logger } from 'pino';
import type { Clock, Timers } from '../services/ports.ts';
import { faultOf, sqliteCode } from './sqlite-faults.ts';

export { faultOf, sqliteCode, type WriteFault } from './sqlite-faults.ts';

export interface WriteQueueOptions<W> {
  /** Writes one, atomically; throws what SQLite throws. `replay`: from the backlog, so it may
   * have landed already (an ambiguous failure) and must not be written twice. */
  write(w: W, replay: boolean): void;
  /** Runs `fn` in a transaction (nests as a savepoint). */
  transaction(fn: () => void): void;
  /** Records, inside a retry batch's transaction, that batch `seq` is written… */
  markBatch?(seq: number): void;
  /** …and reads the last batch recorded (after a failure: did it land anyway?). */
  lastBatch?(): number | null;
  /** A copy the caller's later changes cannot reach (kept writes outlive the call). */
  keep(w: W): W;
  /** What the write is, for counters and the shed order. */
  kindOf(w: W): string;
  /** Writes with the same key may merge while queued; null: never. */
  mergeKey(w: W): string | null;
  /** `queued` and then `later` as one write, or null when they cannot merge. */
  merge(queued: W, later: W): W | null;
  /** Ids for a log line. */
  describe(w: W): Record<string, unknown>;
  /** Kinds in the order they give way when the backlog is full; kinds not listed never do
   * unless nothing else is left. */
  shedOrder: readonly string[];
  maxBacklog: number;
  /** Writes per retry transaction (default 500). */
  batchSize?: number;
  /** Group commit: `defer(fn)` runs `fn` at the end of this turn of the event loop (the daemon
   * passes setImmediate); absent, each write is its own commit at once. */
  perTurn?: { defer(fn: () => void): void };
  /** Back-off between retries: from `retryMinMs` doubling to `retryMaxMs` (100 ms … 2 s). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Runs each retry (e.g. with a short busy timeout, so a locked database does not hold the
   * event loop for long at every attempt). */
  aroundRetry?: (fn: () => void) => void;
  timers: Timers;
  clock: Clock;
  log: Logger;
}

export interface WriteQueueStatus {
  state: 'ok' | 'degraded';
  /** Writes kept in memory, waiting for the database. */
  backlog: number;
  /** Since when writes are being kept (ms epoch); null when ok. */
  since: number | null;
  /** The SQLite code of the last refusal that kept writes. */
  lastError: string | null;
  /** Retries that failed since the start. */
  failedRetries: number;
  /** Writes merged into a queued one (updates of the same call). */
  merged: number;
  /** Writes dropped because the backlog was full, by kind. */
  shed: Record<string, number>;
  /** Writes the database refused as wrong (a bug), dropped. */
  rejected: number;
}

interface Entry<W> {
  seq: number;
  w: W;
  kind: string;
  key: string | null;
  /** Refused as wrong (this error) in a batch that then failed for another reason: skipped
   * from now on, dropped with the batch that gets through. */
  refused?: { err: unknown };
}

export class WriteQueue<W> {
  private readonly entries = new Map<number, Entry<W>>();
  private readonly byKind = new Map<string, Map<number, Entry<W>>>();
  private readonly byKey = new Map<string, Entry<W>>();
  private seq = 0;
  private batchSeq = 0;
  private timer: unknown = null;
  private delay: number;
  private since: number | null = null;
  private lastError: string | null = null;
  private lastWarnAt = 0;
  private closed = false;
  private readonly counts = { failedRetries: 0, merged: 0, rejected: 0, shed: {} as Record<string, number> };
  private readonly listeners: ((s: WriteQueueStatus) => void)[] = [];
  /** Group commit: this turn's writes (kept copies, in order), and whether their commit is due. */
  private turn: W[] = [];
  private turnDue = false;
  private readonly commitTurn = (): void => {
    this.turnDue = false;
    this.barrier();
  };

  constructor(private readonly o: WriteQueueOptions<W>) {
    this.delay = this.minDelay;
  }

  /** Writes now (or at the end of this turn, with `perTurn`), or keeps the write behind the ones
   * already waiting. Never throws. */
  submit(w: W): void {
    if (this.closed) {
      this.o.log.error({ write: this.safeDescribe(w) }, 'write after the database was closed; dropped');
      return;
    }
    if (this.o.perTurn && this.entries.size === 0) {
      let kept: W;
      try {
        kept = this.o.keep(w);
      } catch (err) {
        this.reject(w, err);
        return;
      }
      this.turn.push(kept);
      if (!this.turnDue) {
        this.turnDue = true;
        this.o.perTurn.defer(this.commitTurn);
      }
      return;
    }
    this.direct(w);
  }

  /** Group commit: commits the writes of this turn now (before telling a client anything is
   * done). Cheap when there are none. Never throws. */
  barrier(): void {
    if (this.turn.length === 0) return;
    const batch = this.turn;
    this.turn = [];
    try {
      this.o.transaction(() => {
        for (const w of batch) this.o.write(w, false);
      });
      return;
    } catch (err) {
      if (faultOf(err) !== 'drop') {
        // Rolled back whole, for a reason that passes: all of it waits, in order.
        for (const w of batch) this.enqueue(w);
        this.degrade(err);
        return;
      }
    }
    // One of them is wrong (a bug): the batch rolled back; again one by one, so only it is dropped.
    for (const w of batch) this.direct(w);
  }

  /** One write, its own commit, now; or behind the backlog. */
  private direct(w: W): void {
    if (this.entries.size === 0) {
      try {
        this.o.write(w, false);
        return;
      } catch (err) {
        if (faultOf(err) === 'drop') {
          this.reject(w, err);
          return;
        }
        this.enqueue(w);
        this.degrade(err);
        return;
      }
    }
    this.enqueue(w);
  }

  status(): WriteQueueStatus {
    return {
      state: this.since === null ? 'ok' : 'degraded',
      backlog: this.entries.size,
      since: this.since,
      lastError: this.lastError,
      failedRetries: this.counts.failedRetries,
      merged: this.counts.merged,
      shed: { ...this.counts.shed },
      rejected: this.counts.rejected,
    };
  }

  /** Called when the queue degrades (writes start being kept) and when it is ok again. */
  onChange(listener: (s: WriteQueueStatus) => void): void {
    this.listeners.push(listener);
  }

  /** Tries the backlog now, ignoring back-off (e.g. before closing). True when it is empty. */
  flush(): boolean {
    this.barrier();
    if (this.timer !== null) this.o.timers.clearTimeout(this.timer);
    this.timer = null;
    while (this.entries.size > 0) if (!this.retryBatch()) break;
    if (this.entries.size === 0) this.recovered();
    else this.schedule();
    return this.entries.size === 0;
  }

  /** Last attempt, then no more writes: what is still kept is reported lost. */
  close(): void {
    if (this.closed) return;
    const empty = this.flush();
    if (this.timer !== null) this.o.timers.clearTimeout(this.timer);
    this.timer = null;
    this.closed = true;
    if (!empty) {
      const lost: Record<string, number> = {};
      for (const e of this.entries.values()) lost[e.kind] = (lost[e.kind] ?? 0) + 1;
      this.o.log.error({ lost, lastError: this.lastError }, 'database still refuses writes at shutdown; these rows are lost');
    }
  }

  // ---------------------------------------------------------------------------------- internals

  private get minDelay(): number {
    return this.o.retryMinMs ?? 100;
  }

  private enqueue(w: W): void {
    let kept: W;
    let kind: string;
    let key: string | null;
    try {
      kind = this.o.kindOf(w);
      key = this.o.mergeKey(w);
      if (key !== null) {
        const queued = this.byKey.get(key);
        const merged = queued && !queued.refused ? this.o.merge(queued.w, w) : null;
        if (queued && merged) {
          queued.w = this.o.keep(merged);
          this.counts.merged++;
          return;
        }
      }
      kept = this.o.keep(w);
    } catch (err) {
      this.reject(w, err);
      return;
    }
    const e: Entry<W> = { seq: ++this.seq, w: kept, kind, key };
    this.entries.set(e.seq, e);
    let ofKind = this.byKind.get(kind);
    if (!ofKind) this.byKind.set(kind, (ofKind = new Map()));
    ofKind.set(e.seq, e);
    if (key !== null) this.byKey.set(key, e);
    while (this.entries.size > this.o.maxBacklog) this.shed();
  }

  private remove(e: Entry<W>): void {
    this.entries.delete(e.seq);
    this.byKind.get(e.kind)?.delete(e.seq);
    if (e.key !== null && this.byKey.get(e.key) === e) this.byKey.delete(e.key);
  }

  /** The backlog is over the cap: the oldest write of the first kind in the shed order goes. */
  private shed(): void {
    let victim: Entry<W> | undefined;
    for (const kind of this.o.shedOrder) {
      victim = this.byKind.get(kind)?.values().next().value;
      if (victim) break;
    }
    victim ??= this.entries.values().next().value;
    if (!victim) return;
    this.remove(victim);
    const n = (this.counts.shed[victim.kind] = (this.counts.shed[victim.kind] ?? 0) + 1);
    // The first of each kind, then every 1,000th: a long outage must not flood the log.
    if (n === 1 || n % 1000 === 0) {
      this.o.log.error({ kind: victim.kind, shed: n, backlog: this.entries.size, max: this.o.maxBacklog }, 'write backlog full; oldest write of this kind dropped');
    }
  }

  private reject(w: W, err: unknown): void {
    this.counts.rejected++;
    this.o.log.error({ err, write: this.safeDescribe(w) }, 'database refused a write as wrong; dropped (not retried)');
  }

  private degrade(err: unknown): void {
    this.lastError = sqliteCode(err);
    if (this.since === null) {
      this.since = this.o.clock.now();
      this.delay = this.minDelay;
      this.lastWarnAt = this.since;
      this.o.log.error({ err, code: this.lastError }, 'database refuses writes; keeping them in memory, in order, and retrying');
      this.notify();
    }
    this.schedule();
  }

  private recovered(): void {
    if (this.since === null) return;
    const outageMs = this.o.clock.now() - this.since;
    this.since = null;
    this.delay = this.minDelay;
    this.o.log.warn({ outageMs, failedRetries: this.counts.failedRetries, shed: this.counts.shed, rejected: this.counts.rejected }, 'database takes writes again; backlog written');
    this.notify();
  }

  private notify(): void {
    const s = this.status();
    for (const l of this.listeners) {
      try {
        l(s);
      } catch (err) {
        this.o.log.error({ err }, 'write status listener failed');
      }
    }
  }

  private schedule(ms: number = this.delay): void {
    if (this.timer !== null || this.closed) return;
    this.timer = this.o.timers.setTimeout(() => this.onTimer(), ms);
  }

  private onTimer(): void {
    this.timer = null;
    try {
      if (this.entries.size === 0) {
        this.recovered();
        return;
      }
      if (this.retryBatch()) {
        this.delay = this.minDelay;
        if (this.entries.size === 0) this.recovered();
        // More to write: the next batch after other work had its turn on the event loop.
        else this.schedule(0);
      } else {
        this.delay = Math.min(this.delay * 2, this.o.retryMaxMs ?? 2000);
        this.schedule();
      }
    } catch (err) {
      // Never into the event loop: log and try again later.
      this.o.log.error({ err }, 'write retry failed unexpectedly');
      this.schedule();
    }
  }

  /** Writes the oldest batch in one transaction. False when the database still refuses. */
  private retryBatch(): boolean {
    const batch: Entry<W>[] = [];
    for (const e of this.entries.values()) {
      batch.push(e);
      if (batch.length >= (this.o.batchSize ?? 500)) break;
    }
    const refused: { e: Entry<W>; err: unknown }[] = [];
    // Unique across restarts too (a mark left by an earlier run must not pass for this batch's).
    const seq = (this.batchSeq = Math.max(this.o.clock.now(), this.batchSeq + 1));
    const run = () =>
      this.o.transaction(() => {
        for (const e of batch) {
          if (e.refused) continue;
          try {
            // A savepoint each: a write refused as wrong is undone alone, the batch goes on.
            this.o.transaction(() => this.o.write(e.w, true));
          } catch (err) {
            if (faultOf(err) === 'keep') throw err;
            refused.push({ e, err });
          }
        }
        this.o.markBatch?.(seq);
      });
    try {
      if (this.o.aroundRetry) this.o.aroundRetry(run);
      else run();
    } catch (err) {
      if (this.landedAnyway(seq)) {
        this.o.log.warn({ err }, 'a write batch reported a failure but is in the database; not written again');
      } else {
        this.failed(err, refused);
        return false;
      }
    }
    for (const r of refused) r.e.refused = { err: r.err };
    for (const e of batch) {
      this.remove(e);
      if (e.refused) this.reject(e.w, e.refused.err);
    }
    return true;
  }

  private landedAnyway(seq: number): boolean {
    try {
      return this.o.lastBatch?.() === seq;
    } catch {
      return false;
    }
  }

  /** The batch was rolled back whole: nothing of it is in the database. */
  private failed(err: unknown, refused: { e: Entry<W>; err: unknown }[]): void {
    for (const r of refused) r.e.refused = { err: r.err };
    this.counts.failedRetries++;
    const code = sqliteCode(err);
    const now = this.o.clock.now();
    if (code !== this.lastError || now - this.lastWarnAt >= 30_000) {
      this.lastWarnAt = now;
      this.o.log.warn({ err, code, backlog: this.entries.size, since: this.since }, 'database still refuses writes');
    }
    this.lastError = code ?? this.lastError;
  }

  private safeDescribe(w: W): Record<string, unknown> {
    try {
      return this.o.describe(w);
    } catch {
      return {};
    }
  }
}
