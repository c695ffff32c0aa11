/**
 * The daily housekeeping against a real SQLite: expired tokens purged, history older than its
 * retention deleted in batches with the event loop free between them, open state intervals and
 * (by default) the audit log kept; skipped while the database refuses writes.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth-service.ts';
import { Housekeeping, type HousekeepingDeps } from '../../src/services/housekeeping.ts';
import type { CallRow } from '../../src/storage/repositories/calls.ts';
import { openTempDatabase, TEST_SCRYPT, type TempDatabase } from '../../src/storage/test-support.ts';

const DAY = 24 * 60 * 60 * 1000;
let t: TempDatabase;
let now: number;

function call(id: string, offeredAt: number): CallRow {
  return {
    id,
    pbxCallIds: [],
    direction: 'inbound',
    fromNumber: '13800000001',
    toNumber: '8000',
    dialledNumber: '8000',
    queueId: 'sales',
    customerId: null,
    agents: ['a1001'],
    firstAgent: 'a1001',
    offeredAt,
    queuedAt: null,
    answeredAt: null,
    endedAt: offeredAt + 1000,
    waitMs: null,
    talkMs: null,
    holdMs: 0,
    outcome: 'answered',
    cause: null,
    hasCallData: false,
    leftTo: null,
    callerName: null,
  };
}

/** The targets as the daemon wires them (wiring/storage.ts), with the given retention. */
function housekeeping(days: { calls: number; routingDecisions: number; agentStates: number; audit: number }, over: Partial<HousekeepingDeps> = {}) {
  const r = t.repos;
  return new Housekeeping({
    targets: [
      { name: 'calls', days: days.calls, deleteOlderThan: (b, n) => r.calls.deleteOlderThan(b, n) },
      { name: 'routingDecisions', days: days.routingDecisions, deleteOlderThan: (b, n) => r.routingDecisions.deleteOlderThan(b, n) },
      { name: 'agentStates', days: days.agentStates, deleteOlderThan: (b, n) => r.stateLog.deleteOlderThan(b, n) },
      { name: 'audit', days: days.audit, deleteOlderThan: (b, n) => r.audit.deleteOlderThan(b, n) },
    ],
    purgeTokens: () => 0,
    writable: () => true,
    clock: t.clock,
    log: pino({ level: 'silent' }),
    ...over,
  });
}

beforeEach(() => {
  t = openTempDatabase();
  now = t.clock.now();
});
afterEach(() => t.dispose());

describe('retention', () => {
  it('deletes calls, decisions and closed state intervals older than their retention; keeps the rest, the open interval and the audit log', async () => {
    const r = t.repos;
    for (const [id, age] of [['old1', 500], ['old2', 401], ['keep1', 399], ['keep2', 1]] as const) r.calls.insert(call(id, now - age * DAY));
    for (const [id, age] of [['old1', 100], ['keep2', 10]] as const) r.routingDecisions.append({ callId: id, at: now - age * DAY, kind: 'assign', queueId: 'sales', agent: 'a1001', detail: {} });
    r.stateLog.append({ agent: 'a1001', state: 'ready', reason: null, startedAt: now - 500 * DAY });
    r.stateLog.append({ agent: 'a1001', state: 'busy', reason: null, startedAt: now - 450 * DAY });
    r.stateLog.append({ agent: 'a1001', state: 'ready', reason: null, startedAt: now - 5 * DAY });
    // An agent whose interval opened long ago and is still open: never deleted.
    r.stateLog.append({ agent: 'a1002', state: 'notReady', reason: 'break', startedAt: now - 900 * DAY });
    t.clock.set(now - 1000 * DAY);
    r.audit.append({ actor: 'sup1', action: 'supervisor.monitor', target: 'a1001' });
    t.clock.set(now);

    const report = await housekeeping({ calls: 400, routingDecisions: 90, agentStates: 400, audit: 0 }).run();
    expect(report).toMatchObject({ skipped: false, failed: [], deleted: { calls: 2, routingDecisions: 1, agentStates: 1 } });
    expect(report.deleted).not.toHaveProperty('audit');
    expect(r.calls.search({}).map((c) => c.id).sort()).toEqual(['keep1', 'keep2']);
    // Their call_agents rows went with them (trigger): history by agent finds only what is left.
    expect(r.calls.search({ handledBy: 'a1001' }).map((c) => c.id).sort()).toEqual(['keep1', 'keep2']);
    expect(t.sqlite.prepare('select count(*) from call_agents').pluck().get()).toBe(2);
    expect(r.routingDecisions.forCall('old1')).toEqual([]);
    expect(r.routingDecisions.forCall('keep2')).toHaveLength(1);
    // ready (500 d, ended 450 d ago) goes; busy (ended 5 d ago) stays; the open ones stay.
    expect(r.stateLog.listForAgent('a1001', 0).map((s) => s.state)).toEqual(['busy', 'ready']);
    expect(r.stateLog.current('a1002')).toMatchObject({ state: 'notReady' });
    expect(r.audit.list()).toHaveLength(1);
  });

  it('the audit log is deleted only when asked (RETAIN_AUDIT_DAYS)', async () => {
    t.clock.set(now - 800 * DAY);
    t.repos.audit.append({ actor: 'admin', action: 'queue.update', target: 'sales' });
    t.clock.set(now);
    t.repos.audit.append({ actor: 'admin', action: 'queue.update', target: 'sales' });
    const report = await housekeeping({ calls: 0, routingDecisions: 0, agentStates: 0, audit: 730 }).run();
    expect(report.deleted).toEqual({ audit: 1 });
    expect(t.repos.audit.list().map((a) => a.at)).toEqual([now]);
  });

  it('a large purge goes in batches, with a turn of the event loop between each', async () => {
    const old = now - 1000 * DAY;
    t.repos.transaction(() => {
      for (let i = 0; i < 2_500; i++) t.repos.routingDecisions.append({ callId: `c${i}`, at: old + i, kind: 'assign', queueId: 'q', agent: null, detail: {} });
    });
    const turns: number[] = [];
    const report = await housekeeping({ calls: 0, routingDecisions: 1, agentStates: 0, audit: 0 }, {
      batchSize: 1000,
      yieldToLoop: async () => {
        turns.push(t.sqlite.prepare('select count(*) from routing_decisions').pluck().get() as number);
      },
    }).run();
    expect(report.deleted).toEqual({ routingDecisions: 2_500 });
    // Oldest first, a thousand at a time, the loop free after each full batch.
    expect(turns).toEqual([1500, 500]);
    expect(t.repos.routingDecisions.forCall('c2499')).toEqual([]);
  });

  it('is skipped while the database refuses writes, and stops between batches if it starts refusing', async () => {
    t.repos.calls.insert(call('old', now - 500 * DAY));
    const skipped = await housekeeping({ calls: 1, routingDecisions: 0, agentStates: 0, audit: 0 }, { writable: () => false }).run();
    expect(skipped).toMatchObject({ skipped: true, deleted: {} });
    expect(t.repos.calls.get('old')).not.toBeNull();

    for (let i = 0; i < 30; i++) t.repos.calls.insert(call(`old${i}`, now - 500 * DAY + i));
    let writable = true;
    const stopped = await housekeeping({ calls: 1, routingDecisions: 0, agentStates: 0, audit: 0 }, {
      batchSize: 10,
      writable: () => writable,
      yieldToLoop: async () => {
        writable = false;
      },
    }).run();
    expect(stopped).toMatchObject({ skipped: false, failed: ['calls'], deleted: { calls: 10 } });
    expect(t.repos.calls.search({}).length).toBe(21);
  });

  it('a failing delete is logged and reported; the other tables are still purged, and run() never rejects', async () => {
    t.repos.calls.insert(call('old', now - 500 * DAY));
    const hk = new Housekeeping({
      targets: [
        {
          name: 'routingDecisions',
          days: 1,
          deleteOlderThan: () => {
            throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
          },
        },
        { name: 'calls', days: 1, deleteOlderThan: (b, n) => t.repos.calls.deleteOlderThan(b, n) },
      ],
      purgeTokens: () => {
        throw new Error('boom');
      },
      writable: () => true,
      clock: t.clock,
      log: pino({ level: 'silent' }),
    });
    const report = await hk.run();
    expect(report.failed).toEqual(['tokens', 'routingDecisions']);
    expect(report.deleted.calls).toBe(1);
  });
});

describe('token purge', () => {
  it('tokens that expired or were revoked more than a day ago are deleted; live ones stay', async () => {
    const user = await t.repos.users.create({ username: 'u1', displayName: 'U', password: 'a-long-password', roles: ['agent'] });
    const ins = (hash: string, expiresAt: number, revokedAt: number | null = null) => {
      t.repos.tokens.insert({ tokenHash: hash, userId: user.id, createdAt: now - 10 * DAY, expiresAt });
      if (revokedAt !== null) t.repos.tokens.revoke(hash, revokedAt);
    };
    ins('expired-long-ago', now - 2 * DAY);
    ins('expired-an-hour-ago', now - 60 * 60 * 1000);
    ins('revoked-long-ago', now + DAY, now - 3 * DAY);
    ins('live', now + DAY);
    const auth = new AuthService({ users: t.repos.users, tokens: t.repos.tokens, clock: t.clock, scrypt: TEST_SCRYPT });
    const report = await housekeeping({ calls: 0, routingDecisions: 0, agentStates: 0, audit: 0 }, { purgeTokens: () => auth.purgeExpired() }).run();
    expect(report.tokens).toBe(2);
    expect(t.repos.tokens.find('expired-long-ago')).toBeNull();
    expect(t.repos.tokens.find('revoked-long-ago')).toBeNull();
    expect(t.repos.tokens.find('expired-an-hour-ago')).not.toBeNull();
    expect(t.repos.tokens.find('live')).not.toBeNull();
  });
});

describe('schedule', () => {
  it('runs daily at the configured local time', async () => {
    const hk = housekeeping({ calls: 0, routingDecisions: 0, agentStates: 0, audit: 0 });
    hk.start('03:30');
    try {
      const next = hk.nextRun()!;
      expect([next.getHours(), next.getMinutes(), next.getSeconds()]).toEqual([3, 30, 0]);
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(DAY);
    } finally {
      await hk.close();
    }
  });
});
