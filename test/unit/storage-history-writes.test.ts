/**
 * History writes through the write queue against a real SQLite driven into its faults: disk full
 * (max_page_count), read-only (query_only), locked by another connection (BEGIN EXCLUSIVE). When
 * the fault is lifted every row is there once, complete, in order. Replays are idempotent.
 */
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Timers } from '../../src/services/ports.ts';
import { historyWriteOptions, type HistoryWrite } from '../../src/storage/history-writes.ts';
import type { CallRow } from '../../src/storage/repositories/calls.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';
import { WriteQueue } from '../../src/storage/write-queue.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

function call(id: string, over: Partial<CallRow> = {}): CallRow {
  return {
    id,
    pbxCallIds: [`pbx-${id}`],
    direction: 'inbound',
    fromNumber: '13800000001',
    toNumber: '8000',
    dialledNumber: '8000',
    queueId: 'sales',
    customerId: null,
    agents: [],
    firstAgent: null,
    offeredAt: T0,
    queuedAt: null,
    answeredAt: null,
    endedAt: null,
    waitMs: null,
    talkMs: null,
    holdMs: 0,
    outcome: null,
    cause: null,
    hasCallData: false,
    leftTo: null,
    callerName: null,
    ...over,
  };
}

/** One timer at a time, run by the test. */
function stepTimers() {
  let next: (() => void) | null = null;
  const timers: Timers = {
    setTimeout: (fn) => {
      next = fn;
      return 1;
    },
    clearTimeout: () => {
      next = null;
    },
  };
  return {
    timers,
    fire() {
      const fn = next;
      next = null;
      fn?.();
    },
  };
}

let t: TempDatabase;
let q: WriteQueue<HistoryWrite>;
let steps: ReturnType<typeof stepTimers>;

beforeEach(() => {
  t = openTempDatabase();
  steps = stepTimers();
  q = new WriteQueue<HistoryWrite>({ ...historyWriteOptions(t.repos), maxBacklog: 10_000, timers: steps.timers, clock: t.clock, log: pino({ level: 'silent' }) });
});
afterEach(() => {
  t.dispose();
});

/** A whole call's worth of writes: what CallService, PresenceService and RoutingService send. */
function oneCall(id: string, agent: string, at: number): HistoryWrite[] {
  return [
    { kind: 'call', op: 'insert', row: call(id, { offeredAt: at, queuedAt: at }) },
    { kind: 'decision', decision: { callId: id, at: at + 1, kind: 'assign', queueId: 'sales', agent, detail: { kind: 'assign', explanation: { considered: 3, winner: agent, padding: 'x'.repeat(3000) } } } },
    { kind: 'stateLog', entry: { agent, state: 'reserved', reason: null, startedAt: at + 1, callId: id, extension: '2001' } },
    { kind: 'call', op: 'update', id, patch: { agents: [agent], firstAgent: agent } },
    { kind: 'stateLog', entry: { agent, state: 'busy', reason: null, startedAt: at + 2_000, callId: id, extension: '2001' } },
    { kind: 'call', op: 'update', id, patch: { answeredAt: at + 2_000, waitMs: 2_000 } },
    { kind: 'call', op: 'update', id, patch: { endedAt: at + 60_000, talkMs: 58_000, outcome: 'answered', cause: 'normalClearing' } },
    { kind: 'stateLog', entry: { agent, state: 'ready', reason: null, startedAt: at + 60_000, callId: null, extension: '2001' } },
    { kind: 'audit', entry: { actor: 'sup1', action: 'supervisor.monitor', target: agent, details: { callId: id } }, at: at + 3_000 },
    // Its recording (recording/capture): started, the switch's file, the agent's leg, a pause, closed on the copy.
    { kind: 'recording', rec: { op: 'decision', callId: id, decision: 'recorded', policyId: 1, policyVersion: 1 } },
    { kind: 'recording', rec: { op: 'insert', row: { id: `r-${id}`, callId: id, startedAt: at + 2_000, direction: 'inbound', caller: '13800000001', callee: '8000', queue: 'sales', pilot: '8000', customerId: null, policyId: 1, policyVersion: 1, path: null }, createdAt: at + 2_000 } },
    { kind: 'recording', rec: { op: 'setPath', id: `r-${id}`, path: `/switch/${id}.wav` } },
    { kind: 'recording', rec: { op: 'addLeg', id: `r-${id}`, leg: { agent, extension: '2001', fromMs: 0, startedAt: at + 2_000 } } },
    { kind: 'recording', rec: { op: 'addPause', id: `r-${id}`, fromMs: 5_000, by: agent } },
    { kind: 'recording', rec: { op: 'endPause', id: `r-${id}`, toMs: 9_000 } },
    { kind: 'recording', rec: { op: 'endLegs', id: `r-${id}`, toMs: 58_000 } },
    { kind: 'recording', rec: { op: 'close', id: `r-${id}`, closed: { endedAt: at + 60_000, durationMs: 58_000, path: `/store/${id}.wav`, bytes: 928_044, sha256: 'ab'.repeat(32) } } },
  ];
}

function expectComplete(ids: string[], agent: string) {
  for (const id of ids) {
    expect(t.repos.calls.get(id)).toMatchObject({ agents: [agent], firstAgent: agent, outcome: 'answered', cause: 'normalClearing', talkMs: 58_000 });
    expect(t.repos.routingDecisions.forCall(id)).toHaveLength(1);
  }
  const states = t.repos.stateLog.listForAgent(agent, 0);
  expect(states.map((s) => s.state)).toEqual(ids.flatMap(() => ['reserved', 'busy', 'ready']));
  // Intervals chain: each closed at the next one's start; only the last is open.
  for (let i = 0; i < states.length - 1; i++) expect(states[i]!.endedAt).toBe(states[i + 1]!.startedAt);
  expect(states.at(-1)!.endedAt).toBeNull();
  expect(t.repos.audit.list({ actor: 'sup1' })).toHaveLength(ids.length);
  expect(t.sqlite.prepare('select count(*) from calls').pluck().get()).toBe(ids.length);
  for (const id of ids) {
    expect(t.sqlite.prepare('select status, path, duration_ms as durationMs, created_at as createdAt from recordings where call_id = ?').all(id)).toEqual([
      { status: 'closed', path: `/store/${id}.wav`, durationMs: 58_000, createdAt: expect.any(Number) },
    ]);
    expect(t.sqlite.prepare('select recording_decision as d, recording_policy_id as p from calls where id = ?').get(id)).toEqual({ d: 'recorded', p: 1 });
    expect(t.sqlite.prepare('select agent, from_ms as fromMs, to_ms as toMs from recording_agents where recording_id = ?').all(`r-${id}`)).toEqual([{ agent, fromMs: 0, toMs: 58_000 }]);
    expect(t.sqlite.prepare('select from_ms as fromMs, to_ms as toMs from recording_pauses where recording_id = ?').all(`r-${id}`)).toEqual([{ fromMs: 5_000, toMs: 9_000 }]);
  }
}

function fillDisk(): void {
  // The database may not grow by a page: what needs a new page fails with SQLITE_FULL.
  const pages = t.sqlite.pragma('page_count', { simple: true }) as number;
  t.sqlite.pragma(`max_page_count = ${pages}`);
}

describe('history writes while SQLite refuses them', () => {
  it('disk full (SQLITE_FULL): kept in order, degraded; when space is back every row is written once and complete', () => {
    q.submit(oneCall('c0', 'a1001', T0)[0]!);
    fillDisk();
    const writes = ['c1', 'c2', 'c3'].flatMap((id, i) => oneCall(id, 'a1001', T0 + (i + 1) * 100_000));
    // The first decision (3 KiB of explanation) needs pages the database may not take.
    for (const w of oneCall('c0', 'a1001', T0).slice(1)) q.submit(w);
    for (const w of writes) q.submit(w);
    expect(q.status()).toMatchObject({ state: 'degraded', lastError: 'SQLITE_FULL' });
    const backlog = q.status().backlog;
    expect(backlog).toBeGreaterThan(0);

    steps.fire(); // still full
    expect(q.status()).toMatchObject({ state: 'degraded', backlog, failedRetries: 1 });

    t.sqlite.pragma('max_page_count = 1073741823');
    steps.fire();
    expect(q.status()).toMatchObject({ state: 'ok', backlog: 0, rejected: 0 });
    expectComplete(['c0', 'c1', 'c2', 'c3'], 'a1001');
  });

  it('read-only (SQLITE_READONLY): the same', () => {
    t.sqlite.pragma('query_only = ON');
    for (const w of oneCall('c1', 'a1002', T0)) q.submit(w);
    expect(q.status()).toMatchObject({ state: 'degraded', lastError: 'SQLITE_READONLY', backlog: 14 }); // 4 call writes merged into 1, 8 recording writes
    t.sqlite.pragma('query_only = OFF');
    steps.fire();
    expect(q.status().state).toBe('ok');
    expectComplete(['c1'], 'a1002');
  });

  it('locked by another process (SQLITE_BUSY after the busy timeout): the same, and reads go on meanwhile', () => {
    t.sqlite.pragma('busy_timeout = 0');
    const other = new Database(t.file);
    try {
      other.exec('BEGIN EXCLUSIVE');
      for (const w of oneCall('c1', 'a1003', T0)) q.submit(w);
      expect(q.status()).toMatchObject({ state: 'degraded', lastError: 'SQLITE_BUSY' });
      steps.fire();
      expect(q.status().state).toBe('degraded');
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    steps.fire();
    expect(q.status().state).toBe('ok');
    expectComplete(['c1'], 'a1003');
  });
});

describe('no row twice after an ambiguous failure (a write that landed, then reported an error)', () => {
  it('every kind of history row, written and replayed at once (the fast path’s one write), is there once', () => {
    const { write } = historyWriteOptions(t.repos);
    for (const w of oneCall('c1', 'a1001', T0)) {
      write(w, false);
      write(w, true);
    }
    expectComplete(['c1'], 'a1001');
  });

  it('a replayed state is not taken for a duplicate when the agent really went back to it', () => {
    const { write } = historyWriteOptions(t.repos);
    const s = (state: string, at: number): HistoryWrite => ({ kind: 'stateLog', entry: { agent: 'a1', state, reason: null, startedAt: at } });
    for (const w of [s('ready', T0), s('notReady', T0 + 1), s('ready', T0 + 2)]) write(w, true);
    expect(t.repos.stateLog.listForAgent('a1', 0).map((r) => r.state)).toEqual(['ready', 'notReady', 'ready']);
  });

  it('a retry batch whose commit landed but reported an error is recognised by its mark: written once', () => {
    let depth = 0;
    let failNextCommit = false;
    const opts = historyWriteOptions(t.repos);
    const queue = new WriteQueue<HistoryWrite>({
      ...opts,
      transaction(fn) {
        depth++;
        try {
          opts.transaction(fn);
        } finally {
          depth--;
        }
        if (depth === 0 && failNextCommit) {
          failNextCommit = false;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_FSYNC' });
        }
      },
      maxBacklog: 10_000,
      timers: steps.timers,
      clock: t.clock,
      log: pino({ level: 'silent' }),
    });
    t.sqlite.pragma('query_only = ON');
    for (const w of [...oneCall('c1', 'a1001', T0), ...oneCall('c2', 'a1001', T0 + 100_000)]) queue.submit(w);
    t.sqlite.pragma('query_only = OFF');
    failNextCommit = true;
    steps.fire();
    expect(queue.status()).toMatchObject({ state: 'ok', backlog: 0 });
    expectComplete(['c1', 'c2'], 'a1001');
  });
});
