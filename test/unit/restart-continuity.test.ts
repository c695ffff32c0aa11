import { afterEach, describe, expect, it } from 'vitest';
import type { PbxPort } from '../../src/core/pbx-port.ts';
import { resumableAt, resumeHash, type StoredSessionRecord } from '../../src/gateway/session-store.ts';
import { Directory } from '../../src/services/directory.ts';
import { DAEMON_RESTART, PresenceService } from '../../src/services/presence-service.ts';
import { lastAlive } from '../../src/storage/repositories/daemon-runs.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';

let t: TempDatabase | undefined;
afterEach(() => {
  t?.dispose();
  t = undefined;
});

const session = (over: Partial<StoredSessionRecord> = {}): StoredSessionRecord => ({
  resumeHash: resumeHash('tok'),
  userId: 1,
  username: 'a1001',
  tokenHash: 'th',
  client: 'softphone',
  expiresAt: 10_000_000,
  createdAt: 0,
  detachedAt: null,
  ...over,
});

describe('daemon runs', () => {
  it('records each run; the previous one ended at its clean stop, or at its last heartbeat after a crash', () => {
    t = openTempDatabase();
    const runs = t.repos.runs;
    expect(runs.latest()).toBeNull();
    expect(lastAlive(null)).toBeNull();
    const first = runs.start(1000);
    runs.alive(first, 6000);
    expect(lastAlive(runs.latest())).toBe(6000); // killed: last heartbeat
    runs.stopped(first, 7000);
    expect(lastAlive(runs.latest())).toBe(7000); // clean stop
    const second = runs.start(9000);
    expect(runs.latest()).toMatchObject({ id: second, startedAt: 9000, aliveAt: 9000, stoppedAt: null });
    for (let i = 0; i < 5; i++) runs.start(10_000 + i);
    expect(runs.trim(3)).toBe(4);
    expect(runs.latest()!.startedAt).toBe(10_004);
  });
});

describe('resumable sessions', () => {
  it('a session may be resumed within the grace of when it went away: its own detach, or the end of the previous run', () => {
    const grace = 120_000;
    expect(resumableAt(session({ detachedAt: 1000 }), 1000 + grace, grace, null)).toBe(true);
    expect(resumableAt(session({ detachedAt: 1000 }), 1001 + grace, grace, null)).toBe(false);
    // Attached when the previous run died: counted from that run's last sign of life.
    expect(resumableAt(session(), 5000 + grace, grace, 5000)).toBe(true);
    expect(resumableAt(session(), 5001 + grace, grace, 5000)).toBe(false);
    // Attached, and no previous run: not a session of ours to take back.
    expect(resumableAt(session(), 10, grace, null)).toBe(false);
    // An expired token ends it whatever the grace.
    expect(resumableAt(session({ detachedAt: 1000, expiresAt: 1500 }), 1500, grace, null)).toBe(false);
  });

  it('the store keeps them by the hash of the resume token, and purges what can no longer be resumed', () => {
    t = openTempDatabase();
    const s = t.repos.wsSessions;
    s.save(session({ resumeHash: 'attached' }));
    s.save(session({ resumeHash: 'left-early', detachedAt: 1000 }));
    s.save(session({ resumeHash: 'left-late', detachedAt: 90_000 }));
    s.save(session({ resumeHash: 'expired', detachedAt: 90_000, expiresAt: 50_000 }));
    s.setDetached('attached', null);
    expect(s.find('left-late')).toMatchObject({ username: 'a1001', detachedAt: 90_000 });
    // At 100 s with a 60 s grace, the previous run having ended at 95 s.
    expect(s.purge(100_000, 40_000, 95_000)).toBe(2);
    expect(s.find('attached')).not.toBeNull();
    expect(s.find('left-late')).not.toBeNull();
    expect(s.find('left-early')).toBeNull();
    expect(s.find('expired')).toBeNull();
    // The previous run ended too long ago: its attached sessions go too.
    expect(s.purge(100_000, 40_000, 30_000)).toBe(1);
    expect(s.count()).toBe(1);
    s.remove('left-late');
    expect(s.count()).toBe(0);
  });
});

describe('the state an agent had before a restart', () => {
  it('is the last one it chose, not the states calls put it in nor the shutdown', () => {
    t = openTempDatabase();
    const log = t.repos.stateLog;
    expect(log.lastChosen('a1')).toBeNull();
    log.append({ agent: 'a1', state: 'notReady', reason: 'signedIn', startedAt: 1, extension: '2001' });
    log.append({ agent: 'a1', state: 'ready', reason: null, startedAt: 2, extension: '2001' });
    log.append({ agent: 'a1', state: 'reserved', reason: null, startedAt: 3, extension: '2001' });
    log.append({ agent: 'a1', state: 'busy', reason: null, startedAt: 4, extension: '2001' });
    expect(log.lastChosen('a1')).toEqual({ state: 'ready', reason: null });
    log.append({ agent: 'a1', state: 'notReady', reason: 'lunch', startedAt: 5, extension: '2001' });
    log.append({ agent: 'a1', state: 'loggedOut', reason: 'daemonShutdown', startedAt: 6, extension: '2001' });
    expect(log.lastChosen('a1')).toEqual({ state: 'notReady', reason: 'lunch' });
  });
});

describe('PresenceService across a restart', () => {
  function presence() {
    const directory = new Directory({ internalNumber: /^[0-9]{4}$/ });
    const agent = (username: string) => ({ userId: 1, username, displayName: username, roles: ['agent'], defaultExtension: null, team: null, rank: 0, skills: [], queues: [], memberOf: [] });
    directory.load({ agents: [agent('a1'), agent('a2'), agent('a3'), agent('a4')], queues: [], pilots: [] });
    const states: { agent: string; state: string; reason: string | null }[] = [];
    const pbx = { linkUp: false } as unknown as PbxPort;
    const timers = { setTimeout: () => 0, clearTimeout: () => undefined };
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;
    const p = new PresenceService({
      directory,
      pbx,
      stateLog: { append: (e) => states.push({ agent: e.agent, state: e.state, reason: e.reason }) },
      notifier: { publish: () => undefined },
      clock: { now: () => 1000 },
      timers,
      log: silent,
      onChange: () => undefined,
      shiftRules: { admit: () => undefined, changed: () => undefined },
      checkPhone: async () => undefined,
      phoneOutOfService: () => false,
    });
    return { p, states };
  }

  it('keeps agents signed in notReady/daemonRestart; a resumed session gives back the state chosen before (wrap-up is over: ready)', () => {
    const { p } = presence();
    expect(p.restore('a1', '2001', { state: 'ready', reason: null })).toBe(true);
    expect(p.restore('a2', '2002', { state: 'notReady', reason: 'lunch' })).toBe(true);
    expect(p.restore('a3', '2003', { state: 'workingAfterCall', reason: null })).toBe(true);
    expect(p.restore('a4', '2004', { state: 'notReady', reason: DAEMON_RESTART })).toBe(true);
    for (const a of ['a1', 'a2', 'a3', 'a4']) expect(p.status(a)).toMatchObject({ state: 'notReady', reason: DAEMON_RESTART });
    expect(p.resumeAfterRestart('a1')).toBe(true);
    expect(p.status('a1')).toMatchObject({ state: 'ready', reason: null });
    expect(p.resumeAfterRestart('a2')).toBe(true);
    expect(p.status('a2')).toMatchObject({ state: 'notReady', reason: 'lunch' });
    expect(p.resumeAfterRestart('a3')).toBe(true);
    expect(p.status('a3')).toMatchObject({ state: 'ready' });
    // Never chose anything since the restart before this one: nothing to give back.
    expect(p.resumeAfterRestart('a4')).toBe(false);
    // Only once.
    expect(p.resumeAfterRestart('a1')).toBe(false);
  });

  it('a state set since the restart wins; an agent on a call gets its state back after the call', () => {
    const { p } = presence();
    p.restore('a1', '2001', { state: 'ready', reason: null });
    p.restore('a2', '2002', { state: 'ready', reason: null });
    p.setState('a1', 'notReady', 'meeting');
    expect(p.resumeAfterRestart('a1')).toBe(false);
    expect(p.status('a1')).toMatchObject({ state: 'notReady', reason: 'meeting' });
    // a2's phone has a call (the switch's snapshot): busy, back to notReady/daemonRestart after…
    p.phone('2002', 'active', 0, 'c1');
    expect(p.status('a2').state).toBe('busy');
    // …unless its session resumes: then ready after the call.
    expect(p.resumeAfterRestart('a2')).toBe(true);
    p.phone('2002', 'idle', 0, null);
    expect(p.status('a2')).toMatchObject({ state: 'ready' });
  });

  it('signing out forgets the state before the restart', async () => {
    const { p } = presence();
    p.restore('a1', '2001', { state: 'ready', reason: null });
    await p.signOut('a1');
    expect(p.resumeAfterRestart('a1')).toBe(false);
    expect(p.status('a1').state).toBe('loggedOut');
  });
});

describe('a call as its row and back', () => {
  it('a row of the previous run gives back the call it describes, and the same row again', async () => {
    const { callFromRow, toRow } = await import('../../src/services/call-rows.ts');
    const row = {
      id: 'c1', pbxCallIds: ['p1', 'p2'], direction: 'inbound', fromNumber: '13800000002', toNumber: '8000', dialledNumber: '8000',
      queueId: 'sales', customerId: null, agents: ['a1001', 'a1002'], firstAgent: 'a1001', offeredAt: 1000, queuedAt: 1100,
      answeredAt: 5000, endedAt: null, waitMs: 4000, talkMs: null, holdMs: 0, outcome: null, cause: null, hasCallData: true,
      leftTo: null, callerName: 'Wang Fang', callData: '{"order":"A-1","n":[1,2]}',
    };
    const { call, dataUnreadable } = callFromRow(row);
    expect(dataUnreadable).toBeNull();
    expect(call).toMatchObject({ id: 'c1', from: '13800000002', queue: 'sales', agents: ['a1001', 'a1002'], answeredAt: 5000, callerName: 'Wang Fang', callData: { order: 'A-1', n: [1, 2] } });
    expect([...call.pbxCallIds]).toEqual(['p1', 'p2']);
    const { callData: _data, ...plain } = row;
    expect(toRow(call)).toEqual(plain);
    // Stored data that is not JSON: the call comes back without it.
    const broken = callFromRow({ ...row, callData: '{not json' });
    expect(broken.dataUnreadable).toEqual(expect.any(String));
    expect(broken.call.callData).toBeUndefined();
  });
});
