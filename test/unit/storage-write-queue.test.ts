import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Timers } from '../../src/services/ports.ts';
import { faultOf, WriteQueue, type WriteQueueOptions } from '../../src/storage/write-queue.ts';

/** Timers the test runs by hand: `fire()` runs the next one due, in time order. */
function manualTimers() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = ++seq;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
  };
  return {
    timers,
    clock: { now: () => now },
    get pending() {
      return pending.size;
    },
    /** Runs the earliest timer; returns the delay it was set for, or null when none. */
    fire(): number | null {
      const next = [...pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) return null;
      pending.delete(next[0]);
      const delay = next[1].at - now;
      now = next[1].at;
      next[1].fn();
      return delay;
    },
  };
}

const sqliteError = (code: string) => Object.assign(new Error(code), { code });

interface W {
  kind: 'call' | 'state' | 'decision';
  id: string;
  op?: 'insert' | 'update';
  v?: Record<string, unknown>;
}

/** A store that keeps what it was given, in order, and refuses while `fault` is set. */
function harness(opts: Partial<WriteQueueOptions<W>> = {}, o: { dedupe?: boolean } = {}) {
  const t = manualTimers();
  /** The batch mark, written in the batch's transaction. */
  let mark: number | null = null;
  let pendingMark: number | null = null;
  /** The next outer commit lands, then reports a failure. */
  let commitLandsThenFails = false;
  const store: { w: W; replay: boolean }[] = [];
  let fault: Error | null = null;
  /** Writes that land and then report a failure (an ambiguous failure), once each. */
  const landThenFail = new Set<string>();
  /** Writes the database refuses as wrong (a constraint). */
  const wrong = new Set<string>();
  let inTx = 0;
  let txBuffer: { w: W; replay: boolean }[] = [];
  const write = (w: W, replay: boolean) => {
    if (fault) throw fault;
    if (wrong.has(w.id)) throw sqliteError('SQLITE_CONSTRAINT_CHECK');
    if (replay && o.dedupe !== false && store.some((s) => s.w.kind === w.kind && s.w.id === w.id && s.w.op === w.op && JSON.stringify(s.w.v) === JSON.stringify(w.v))) return;
    const row = { w: structuredClone(w), replay };
    if (inTx > 0) txBuffer.push(row);
    else store.push(row);
    if (landThenFail.delete(w.id)) throw sqliteError('SQLITE_IOERR_WRITE');
  };
  const q = new WriteQueue<W>({
    write,
    transaction(fn) {
      // Outer transaction: all or nothing; inner ones are savepoints.
      if (inTx > 0) {
        const mark = txBuffer.length;
        inTx++;
        try {
          fn();
        } catch (err) {
          txBuffer.length = mark;
          throw err;
        } finally {
          inTx--;
        }
        return;
      }
      inTx = 1;
      txBuffer = [];
      pendingMark = null;
      try {
        fn();
        store.push(...txBuffer);
        if (pendingMark !== null) mark = pendingMark;
      } finally {
        inTx = 0;
        txBuffer = [];
      }
      if (commitLandsThenFails) {
        commitLandsThenFails = false;
        throw sqliteError('SQLITE_IOERR_FSYNC');
      }
    },
    markBatch: (seq) => {
      if (fault) throw fault;
      pendingMark = seq;
    },
    lastBatch: () => mark,
    keep: (w) => structuredClone(w),
    kindOf: (w) => w.kind,
    mergeKey: (w) => (w.kind === 'call' ? w.id : null),
    merge: (a, b) => (b.op === 'update' ? { ...a, v: { ...a.v, ...b.v } } : null),
    describe: (w) => ({ kind: w.kind, id: w.id }),
    shedOrder: ['decision', 'state', 'call'],
    maxBacklog: 1000,
    retryMinMs: 100,
    retryMaxMs: 800,
    timers: t.timers,
    clock: t.clock,
    log: pino({ level: 'silent' }),
    ...opts,
  });
  const changes: string[] = [];
  q.onChange((s) => changes.push(`${s.state}:${s.backlog}`));
  return {
    q,
    t,
    store,
    changes,
    landThenFail,
    wrong,
    commitLandsThenFails() {
      commitLandsThenFails = true;
    },
    setFault(e: Error | null) {
      fault = e;
    },
    ids: () => store.map((s) => `${s.w.kind}:${s.w.id}${s.w.op ? ':' + s.w.op : ''}`),
  };
}

describe('faultOf: which SQLite errors keep a write and which drop it', () => {
  it.each(['SQLITE_FULL', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_IOERR_WRITE', 'SQLITE_CANTOPEN', 'SQLITE_NOMEM'])('%s: keep (the database, not the write)', (code) => {
    expect(faultOf(sqliteError(code))).toBe('keep');
  });
  it.each(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_CHECK', 'SQLITE_ERROR', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG'])('%s: drop (the write is wrong)', (code) => {
    expect(faultOf(sqliteError(code))).toBe('drop');
  });
  it('an error that is not SQLite’s (a bug in our code) drops', () => {
    expect(faultOf(new TypeError('x is undefined'))).toBe('drop');
    expect(faultOf(null)).toBe('drop');
  });
});

describe('WriteQueue', () => {
  it('healthy: writes at once, nothing queued, no timer', () => {
    const h = harness();
    h.q.submit({ kind: 'call', id: 'c1', op: 'insert' });
    h.q.submit({ kind: 'state', id: 's1' });
    expect(h.ids()).toEqual(['call:c1:insert', 'state:s1']);
    expect(h.store.every((s) => !s.replay)).toBe(true);
    expect(h.t.pending).toBe(0);
    expect(h.q.status()).toMatchObject({ state: 'ok', backlog: 0 });
  });

  it('a refused write is kept; every later write goes behind it; retried in order once the database takes writes', () => {
    const h = harness();
    h.q.submit({ kind: 'call', id: 'c0', op: 'insert' });
    h.setFault(sqliteError('SQLITE_FULL'));
    h.q.submit({ kind: 'call', id: 'c1', op: 'insert' });
    h.setFault(null);
    // The database would take this one, but it must not overtake c1.
    h.q.submit({ kind: 'state', id: 's1' });
    h.q.submit({ kind: 'call', id: 'c2', op: 'insert' });
    expect(h.ids()).toEqual(['call:c0:insert']);
    expect(h.q.status()).toMatchObject({ state: 'degraded', backlog: 3, lastError: 'SQLITE_FULL' });
    expect(h.changes).toEqual(['degraded:1']);

    expect(h.t.fire()).toBe(100);
    expect(h.ids()).toEqual(['call:c0:insert', 'call:c1:insert', 'state:s1', 'call:c2:insert']);
    expect(h.store.slice(1).every((s) => s.replay)).toBe(true);
    expect(h.q.status()).toMatchObject({ state: 'ok', backlog: 0 });
    expect(h.changes).toEqual(['degraded:1', 'ok:0']);
    expect(h.t.pending).toBe(0);
  });

  it('retries back off (doubling to the maximum) while the database still refuses, and restart from the minimum after', () => {
    const h = harness();
    h.setFault(sqliteError('SQLITE_BUSY'));
    h.q.submit({ kind: 'state', id: 's1' });
    expect([h.t.fire(), h.t.fire(), h.t.fire(), h.t.fire(), h.t.fire()]).toEqual([100, 200, 400, 800, 800]);
    expect(h.q.status()).toMatchObject({ state: 'degraded', failedRetries: 5, backlog: 1 });
    h.setFault(null);
    expect(h.t.fire()).toBe(800);
    expect(h.ids()).toEqual(['state:s1']);
    h.setFault(sqliteError('SQLITE_BUSY'));
    h.q.submit({ kind: 'state', id: 's2' });
    expect(h.t.fire()).toBe(100);
  });

  it('a call row’s updates merge into its queued insert: one write, the update never before the insert', () => {
    const h = harness();
    h.setFault(sqliteError('SQLITE_FULL'));
    h.q.submit({ kind: 'call', id: 'c1', op: 'insert', v: { offered: 1 } });
    h.q.submit({ kind: 'decision', id: 'd1' });
    h.q.submit({ kind: 'call', id: 'c1', op: 'update', v: { answered: 2 } });
    h.q.submit({ kind: 'call', id: 'c1', op: 'update', v: { ended: 3, cause: 'normalClearing' } });
    expect(h.q.status()).toMatchObject({ backlog: 2, merged: 2 });
    h.setFault(null);
    h.t.fire();
    expect(h.store.map((s) => s.w)).toEqual([
      { kind: 'call', id: 'c1', op: 'insert', v: { offered: 1, answered: 2, ended: 3, cause: 'normalClearing' } },
      { kind: 'decision', id: 'd1' },
    ]);
  });

  it('a kept write is a copy: the caller changing its object later does not change what is written', () => {
    const h = harness();
    h.setFault(sqliteError('SQLITE_FULL'));
    const w: W = { kind: 'state', id: 's1', v: { state: 'ready' } };
    h.q.submit(w);
    w.v!.state = 'busy';
    h.setFault(null);
    h.t.fire();
    expect(h.store[0]!.w.v).toEqual({ state: 'ready' });
  });

  it('a write that landed but reported a failure (ambiguous) is replayed idempotently: it is there once', () => {
    const h = harness();
    h.landThenFail.add('c1');
    h.q.submit({ kind: 'call', id: 'c1', op: 'insert' });
    expect(h.q.status().state).toBe('degraded');
    h.t.fire();
    expect(h.ids()).toEqual(['call:c1:insert']);
    expect(h.q.status()).toMatchObject({ state: 'ok', backlog: 0 });
  });

  it('a retry batch whose commit reports a failure but landed is recognised by its mark and not written again', () => {
    // Writes that cannot tell a replay from a new row: only the batch mark prevents doubles.
    const h = harness({}, { dedupe: false });
    h.setFault(sqliteError('SQLITE_FULL'));
    for (let i = 0; i < 3; i++) h.q.submit({ kind: 'state', id: `s${i}` });
    h.setFault(null);
    h.commitLandsThenFails();
    h.t.fire();
    expect(h.ids()).toEqual(['state:s0', 'state:s1', 'state:s2']);
    expect(h.q.status()).toMatchObject({ state: 'ok', backlog: 0 });
    expect(h.t.pending).toBe(0);
  });

  it('a batch that fails part-way leaves nothing behind: the retry writes each row once', () => {
    const h = harness({ batchSize: 10 });
    h.setFault(sqliteError('SQLITE_FULL'));
    for (let i = 0; i < 5; i++) h.q.submit({ kind: 'state', id: `s${i}` });
    h.setFault(null);
    // The third write of the batch lands and then fails: the whole batch rolls back.
    h.landThenFail.add('s2');
    h.t.fire();
    expect(h.store).toEqual([]);
    h.t.fire();
    expect(h.ids()).toEqual(['state:s0', 'state:s1', 'state:s2', 'state:s3', 'state:s4']);
  });

  it('a write the database refuses as wrong (constraint) is dropped with an error count, not retried; the others go on', () => {
    const h = harness();
    const bad = sqliteError('SQLITE_CONSTRAINT_UNIQUE');
    h.setFault(bad);
    h.q.submit({ kind: 'call', id: 'dup', op: 'insert' });
    h.setFault(null);
    expect(h.q.status()).toMatchObject({ state: 'ok', backlog: 0, rejected: 1 });
    expect(h.t.pending).toBe(0);
    h.q.submit({ kind: 'state', id: 's1' });
    expect(h.ids()).toEqual(['state:s1']);
  });

  it('a wrong write inside a retry batch is undone alone; the rest of the batch is written', () => {
    const h = harness();
    h.setFault(sqliteError('SQLITE_FULL'));
    h.q.submit({ kind: 'state', id: 's1' });
    h.q.submit({ kind: 'state', id: 'bad' });
    h.q.submit({ kind: 'state', id: 's2' });
    h.setFault(null);
    h.wrong.add('bad');
    h.t.fire();
    expect(h.ids()).toEqual(['state:s1', 'state:s2']);
    expect(h.q.status()).toMatchObject({ state: 'ok', backlog: 0, rejected: 1 });
  });

  it('bounded: beyond the cap the oldest decision goes first, then state rows, call rows last; counted by kind', () => {
    const h = harness({ maxBacklog: 4 });
    h.setFault(sqliteError('SQLITE_FULL'));
    h.q.submit({ kind: 'call', id: 'c1', op: 'insert' });
    h.q.submit({ kind: 'decision', id: 'd1' });
    h.q.submit({ kind: 'state', id: 's1' });
    h.q.submit({ kind: 'decision', id: 'd2' });
    h.q.submit({ kind: 'call', id: 'c2', op: 'insert' }); // over: d1 goes
    h.q.submit({ kind: 'call', id: 'c3', op: 'insert' }); // over: d2 goes
    h.q.submit({ kind: 'call', id: 'c4', op: 'insert' }); // over: s1 goes
    h.q.submit({ kind: 'call', id: 'c5', op: 'insert' }); // over: only calls left, the oldest goes
    expect(h.q.status()).toMatchObject({ backlog: 4, shed: { decision: 2, state: 1, call: 1 } });
    h.setFault(null);
    h.t.fire();
    expect(h.ids()).toEqual(['call:c2:insert', 'call:c3:insert', 'call:c4:insert', 'call:c5:insert']);
  });

  it('memory stays bounded under a long outage: 100,000 writes into a cap of 1,000', () => {
    const h = harness({ maxBacklog: 1000 });
    h.setFault(sqliteError('SQLITE_FULL'));
    for (let i = 0; i < 100_000; i++) h.q.submit({ kind: i % 3 === 0 ? 'call' : 'state', id: String(i), op: 'insert' });
    expect(h.q.status().backlog).toBe(1000);
    h.setFault(null);
    while (h.q.status().state === 'degraded') h.t.fire();
    expect(h.store).toHaveLength(1000);
    // State rows gave way first: what is left are the newest call rows.
    expect(h.store.every((s) => s.w.kind === 'call')).toBe(true);
    const ids = h.store.map((s) => Number(s.w.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.at(-1)).toBe(99_999);
  });

  it('a long backlog is written in batches with the event loop free in between (one batch per timer turn)', () => {
    const h = harness({ batchSize: 100 });
    h.setFault(sqliteError('SQLITE_FULL'));
    for (let i = 0; i < 350; i++) h.q.submit({ kind: 'state', id: String(i) });
    h.setFault(null);
    const delays: (number | null)[] = [];
    while (h.q.status().state === 'degraded') delays.push(h.t.fire());
    expect(delays).toEqual([100, 0, 0, 0]);
    expect(h.store).toHaveLength(350);
  });

  it('never throws to the caller, even when the write itself throws something odd', () => {
    const h = harness();
    h.setFault(new RangeError('boom'));
    expect(() => h.q.submit({ kind: 'state', id: 's1' })).not.toThrow();
    expect(h.q.status()).toMatchObject({ state: 'ok', rejected: 1 });
  });

  it('close: a last attempt; what the database still refuses is reported lost, and later writes are dropped', () => {
    const h = harness();
    h.setFault(sqliteError('SQLITE_FULL'));
    h.q.submit({ kind: 'state', id: 's1' });
    h.q.close();
    expect(h.t.pending).toBe(0);
    h.setFault(null);
    h.q.submit({ kind: 'state', id: 's2' });
    expect(h.store).toEqual([]);

    const ok = harness();
    ok.setFault(sqliteError('SQLITE_FULL'));
    ok.q.submit({ kind: 'state', id: 's1' });
    ok.setFault(null);
    ok.q.close();
    expect(ok.ids()).toEqual(['state:s1']);
  });
});

describe('WriteQueue: group commit (perTurn)', () => {
  /** A harness whose turn ends when the test says so (`endTurn`), counting outer commits. */
  function grouped() {
    const deferred: (() => void)[] = [];
    let commits = 0;
    const h = harness({ perTurn: { defer: (fn) => void deferred.push(fn) } });
    const inner = (h.q as unknown as { o: WriteQueueOptions<W> }).o;
    const tx = inner.transaction;
    inner.transaction = (fn) => {
      commits++;
      tx(fn);
    };
    return {
      ...h,
      get commits() {
        return commits;
      },
      get due() {
        return deferred.length;
      },
      endTurn() {
        for (const fn of deferred.splice(0)) fn();
      },
    };
  }

  it('a turn’s writes wait for its end and go in one transaction, in order; one end-of-turn per turn', () => {
    const h = grouped();
    h.q.submit({ kind: 'call', id: 'c1', op: 'insert' });
    h.q.submit({ kind: 'state', id: 's1' });
    h.q.submit({ kind: 'call', id: 'c1', op: 'update', v: { a: 1 } });
    expect(h.store).toEqual([]);
    expect(h.due).toBe(1);
    h.endTurn();
    expect(h.ids()).toEqual(['call:c1:insert', 'state:s1', 'call:c1:update']);
    expect(h.commits).toBe(1);
    expect(h.store.every((s) => !s.replay)).toBe(true);
    h.endTurn(); // nothing left: no empty transaction
    expect(h.commits).toBe(1);
    h.q.submit({ kind: 'state', id: 's2' });
    expect(h.due).toBe(1);
    h.endTurn();
    expect(h.commits).toBe(2);
    expect(h.q.status()).toMatchObject({ state: 'ok', backlog: 0 });
  });

  it('barrier commits now (before an answer leaves); the end of the turn then has nothing to do', () => {
    const h = grouped();
    h.q.submit({ kind: 'state', id: 's1' });
    h.q.barrier();
    expect(h.ids()).toEqual(['state:s1']);
    h.endTurn();
    expect(h.commits).toBe(1);
    h.q.barrier(); // empty: nothing, no transaction
    expect(h.commits).toBe(1);
  });

  it('a write is kept as submitted: the caller changing its object in the same turn changes nothing written', () => {
    const h = grouped();
    const w: W = { kind: 'call', id: 'c1', op: 'insert', v: { state: 'ringing' } };
    h.q.submit(w);
    w.v!.state = 'connected';
    h.endTurn();
    expect(h.store[0]!.w.v).toEqual({ state: 'ringing' });
  });

  it('a batch refused for a reason that passes rolls back whole and becomes the backlog, in order, ahead of later writes', () => {
    const h = grouped();
    h.q.submit({ kind: 'call', id: 'c1', op: 'insert' });
    h.q.submit({ kind: 'state', id: 's1' });
    h.landThenFail.add('s1'); // written, then an I/O error: the transaction rolls back whole
    h.endTurn();
    expect(h.store).toEqual([]);
    expect(h.q.status()).toMatchObject({ state: 'degraded', backlog: 2, lastError: 'SQLITE_IOERR' });
    // Degraded: later writes queue behind, not in a turn of their own.
    h.q.submit({ kind: 'state', id: 's2' });
    expect(h.due).toBe(0);
    expect(h.t.fire()).toBe(100);
    expect(h.ids()).toEqual(['call:c1:insert', 'state:s1', 'state:s2']);
    expect(h.store.every((s) => s.replay)).toBe(true);
    expect(h.q.status()).toMatchObject({ state: 'ok', backlog: 0 });
  });

  it('a batch with a wrong write (a constraint) rolls back and goes again one by one: only that one is dropped', () => {
    const h = grouped();
    h.q.submit({ kind: 'call', id: 'c1', op: 'insert' });
    h.q.submit({ kind: 'state', id: 'bad' });
    h.q.submit({ kind: 'state', id: 's2' });
    h.wrong.add('bad');
    h.endTurn();
    expect(h.ids()).toEqual(['call:c1:insert', 'state:s2']);
    expect(h.q.status()).toMatchObject({ state: 'ok', backlog: 0, rejected: 1 });
  });

  it('close (and flush) commit the turn first: nothing submitted before a clean stop is lost', () => {
    const h = grouped();
    h.q.submit({ kind: 'state', id: 's1' });
    h.q.close();
    expect(h.ids()).toEqual(['state:s1']);
    const f = grouped();
    f.q.submit({ kind: 'state', id: 's1' });
    expect(f.q.flush()).toBe(true);
    expect(f.ids()).toEqual(['state:s1']);
  });
});
