/**
 * Replay by phone's service (src/recording/replay/phone-replay.ts) over a real migrated SQLite
 * database: the access ledger is the real AccessLedgerRepository, the search runs the real
 * executor on the same database; only the PIN check is a fake (injected by interface).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain, type LedgerRow } from '../../src/recording/ledger/chain.ts';
import { PhoneReplayService, REPLAY_ROLES, usernameDigits, type PhoneReplayDeps } from '../../src/recording/replay/phone-replay.ts';
import { executeSearch } from '../../src/recording/search/executor.ts';
import type { SearchQuery } from '../../src/recording/search/query.ts';
import { AccessLedgerRepository } from '../../src/storage/repositories/access-ledger.ts';
import { statementCache } from '../../src/storage/repositories/recordings-read.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';
import { RecordingSeeder, type SeedRecording } from '../helpers/recordings.ts';

const MIN = 60_000;
const T = Date.UTC(2026, 11, 1, 9, 0, 0);
const CALL = { callId: 'call-77', caller: '13800000009' };

type VerifyResult = Awaited<ReturnType<PhoneReplayDeps['verifyPin']>>;

/** The fake PIN check, shaped like AuthService.verifyPhonePin: by phone id, the right PIN gives
 * the user, else the reason (and whose phone id it is, when it is known). */
const STAFF: Record<string, { username: string; pin: string; result: VerifyResult }> = {
  '7001': { username: 'qa1', pin: '2468', result: { user: { username: 'qa1', displayName: 'QA One', roles: ['qa'] } } },
  '7002': { username: 'sup1', pin: '1357', result: { user: { username: 'sup1', displayName: 'Supervisor One', roles: ['supervisor', 'agent'] } } },
  '7005': { username: 'root', pin: '5555', result: { user: { username: 'root', displayName: 'Root', roles: ['admin'] } } },
  '7003': { username: 'gone1', pin: '3333', result: { user: null, reason: 'disabled', username: 'gone1' } },
  '7004': { username: 'a1001', pin: '4444', result: { user: { username: 'a1001', displayName: 'Agent 1001', roles: ['agent'] } } },
};

let t: TempDatabase;
let ledger: AccessLedgerRepository;
let svc: PhoneReplayService;
let searches: SearchQuery[];
let logLines: string[];
let users: string[];

beforeAll(() => {
  t = openTempDatabase();
});
afterAll(() => t.dispose());
beforeEach(() => {
  t.reset();
  ledger = new AccessLedgerRepository(t.sqlite, t.clock);
  const prepare = statementCache(t.sqlite);
  searches = [];
  logLines = [];
  users = ['a1001', 'b1001', 'a1002', 'qa1', 'sup1', 'root'];
  const log = pino({ level: 'info', timestamp: false, base: undefined }, { write: (s: string) => void logLines.push(s) });
  svc = new PhoneReplayService({
    verifyPin: async (phoneId, pin) => {
      const s = STAFF[phoneId];
      if (!s) return { user: null, reason: 'unknownPhoneId' };
      if (s.pin !== pin) return { user: null, reason: 'wrongPin', username: s.username };
      return s.result;
    },
    usernames: () => users,
    search: async (q) => {
      searches.push(q);
      return executeSearch(prepare, q);
    },
    pathOf: (id) => (id === 'r-a1' ? '/data/recordings/r-a1.wav' : null),
    ledger,
    log,
  });
});

const rows = (): LedgerRow[] => [...ledger.all()];

describe('login', () => {
  it.each([
    ['a wrong PIN', '7001', '9999', 'wrongPin', 'qa1'],
    ['an unknown phone id', '9999', '2468', 'unknownPhoneId', 'phone:9999'],
    ['a disabled user', '7003', '3333', 'disabled', 'gone1'],
    ['a user without qa, supervisor or admin', '7004', '4444', 'noReplayRole', 'a1001'],
  ])('%s → null and exactly one denied row via phone naming the right user; the chain verifies', async (_what, phoneId, pin, reason, user) => {
    expect(await svc.login(phoneId, pin, CALL)).toBeNull();
    const all = rows();
    expect(all).toHaveLength(1);
    const r = all[0]!;
    expect(r).toMatchObject({ seq: 1, at: t.clock.now(), user, action: 'denied', via: 'phone', recordingId: null, range: null });
    expect(r.detail).toContain(reason);
    expect(r.detail).toContain(CALL.callId);
    expect(r.detail).toContain(CALL.caller);
    // The PIN keyed is written nowhere: not in the row, not in the log.
    expect(JSON.stringify([r.user, r.detail, r.recordingId, r.range])).not.toContain(pin);
    expect(logLines.some((l) => l.includes(reason) && l.includes('sign-in refused'))).toBe(true);
    expect(logLines.join('\n')).not.toContain(pin);
    expect(verifyChain(ledger.all())).toEqual({ rows: 1, broken: null });
  });

  it('the refused row names the username when the phone id is known, phone:<id> when it is not', async () => {
    await svc.login('7004', '4444', CALL);
    await svc.login('9999', '2468', CALL);
    await svc.login('7002', '0000', CALL);
    await svc.login('7003', '3333', CALL);
    expect(rows().map((r) => r.user)).toEqual(['a1001', 'phone:9999', 'sup1', 'gone1']);
    // So the refusals can be asked for by user.
    expect(ledger.list({ user: 'sup1', limit: 10 }).items.map((r) => r.action)).toEqual(['denied']);
    expect(verifyChain(ledger.all())).toEqual({ rows: 4, broken: null });
  });

  it('three wrong tries are three rows, chained', async () => {
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1000);
      expect(await svc.login('7001', `000${i}`, { callId: 'call-9', caller: '' })).toBeNull();
    }
    const all = rows();
    expect(all.map((r) => [r.seq, r.user, r.action, r.via])).toEqual([
      [1, 'qa1', 'denied', 'phone'],
      [2, 'qa1', 'denied', 'phone'],
      [3, 'qa1', 'denied', 'phone'],
    ]);
    expect(all[1]!.prevHash).toBe(all[0]!.hash);
    expect(all[2]!.prevHash).toBe(all[1]!.hash);
    expect(all[0]!.detail).toContain('unknown'); // no caller number
    expect(verifyChain(ledger.all())).toEqual({ rows: 3, broken: null });
  });

  it.each([
    ['qa', '7001', '2468', { user: 'qa1', name: 'QA One' }],
    ['supervisor', '7002', '1357', { user: 'sup1', name: 'Supervisor One' }],
    ['admin', '7005', '5555', { user: 'root', name: 'Root' }],
  ])('a good login (%s) → {user, name} and no ledger row', async (_role, phoneId, pin, expected) => {
    expect(await svc.login(phoneId, pin, CALL)).toEqual(expected);
    expect(rows()).toEqual([]);
  });

  it('the replay roles are qa, supervisor and admin', () => {
    expect([...REPLAY_ROLES].sort()).toEqual(['admin', 'qa', 'supervisor']);
  });
});

describe('search', () => {
  const agent = (name: string) => ({ agent: name, extension: '2001', fromMs: 0, toMs: null });
  const from = T;
  const to = T + 60 * MIN;
  const fixture: SeedRecording[] = [
    { id: 'r-from', startedAt: from, durationMs: 11_000, agents: [agent('a1001')] }, // exactly at from: in
    { id: 'r-a1', startedAt: T + 10 * MIN, durationMs: 12_000, agents: [agent('a1001')] },
    { id: 'r-b1', startedAt: T + 20 * MIN, durationMs: 13_000, agents: [agent('b1001')] },
    { id: 'r-a2', startedAt: T + 30 * MIN, durationMs: 14_000, agents: [agent('a1001')] },
    { id: 'r-other', startedAt: T + 35 * MIN, agents: [agent('a1002')] }, // another agent
    { id: 'r-b2', startedAt: T + 40 * MIN, durationMs: 15_000, agents: [agent('b1001')] },
    { id: 'r-ab', startedAt: T + 45 * MIN, durationMs: 16_000, agents: [agent('a1001'), agent('b1001')] }, // both: once
    { id: 'r-a3', startedAt: T + 50 * MIN, durationMs: 17_000, agents: [agent('a1001')] },
    { id: 'r-last', startedAt: to - 1, durationMs: 18_000, agents: [agent('b1001')] }, // the last ms: in
    { id: 'r-to', startedAt: to, agents: [agent('a1001')] }, // exactly at to: out
    { id: 'r-before', startedAt: from - 1, agents: [agent('b1001')] }, // out
    { id: 'r-open', startedAt: T + 55 * MIN, status: 'recording', agents: [agent('a1001')] }, // not closed: out
  ];
  const expectedOrder = ['r-last', 'r-a3', 'r-ab', 'r-b2', 'r-a2', 'r-b1', 'r-a1', 'r-from'];

  beforeEach(() => new RecordingSeeder(t.sqlite).many(fixture));

  it('the digits 1001 find a1001 and b1001: merged newest first, a shared recording once, [from, to)', async () => {
    const found = await svc.search({ agentDigits: '1001', from, to, limit: 20 });
    expect(found.map((r) => r.id)).toEqual(expectedOrder);
    expect(found.find((r) => r.id === 'r-ab')).toEqual({ id: 'r-ab', startedAt: T + 45 * MIN, durationMs: 16_000 });
    expect(found.find((r) => r.id === 'r-from')).toEqual({ id: 'r-from', startedAt: from, durationMs: 11_000 });
    // One search per agent with those digits, nobody else's.
    expect(searches.map((q) => q.params.agent)).toEqual(['a1001', 'b1001']);
  });

  it('the limit applies to the merged list (the newest ones), duplicates not counted twice', async () => {
    expect((await svc.search({ agentDigits: '1001', from, to, limit: 3 })).map((r) => r.id)).toEqual(expectedOrder.slice(0, 3));
    expect((await svc.search({ agentDigits: '1001', from, to, limit: 5 })).map((r) => r.id)).toEqual(expectedOrder.slice(0, 5));
    expect((await svc.search({ agentDigits: '1001', from, to, limit: 1 })).map((r) => r.id)).toEqual(['r-last']);
  });

  it('`to` is exclusive: a recording starting exactly at `to` is left out, one at `from` is in', async () => {
    const found = (await svc.search({ agentDigits: '1001', from, to, limit: 50 })).map((r) => r.id);
    expect(found).toContain('r-from');
    expect(found).toContain('r-last');
    expect(found).not.toContain('r-to');
    expect(found).not.toContain('r-before');
    // Moving the window by one ms takes r-to in and r-from out.
    const shifted = (await svc.search({ agentDigits: '1001', from: from + 1, to: to + 1, limit: 50 })).map((r) => r.id);
    expect(shifted).toContain('r-to');
    expect(shifted).not.toContain('r-from');
  });

  it('an agent alone: 1002 finds only a1002', async () => {
    expect((await svc.search({ agentDigits: '1002', from, to, limit: 20 })).map((r) => r.id)).toEqual(['r-other']);
  });

  it('ties on the start time: newest first, then id descending, like the search itself', async () => {
    new RecordingSeeder(t.sqlite).many([
      { id: 'tie-a', startedAt: T + 5 * MIN, agents: [agent('b1001')] },
      { id: 'tie-b', startedAt: T + 5 * MIN, agents: [agent('a1001')] },
    ]);
    const ids = (await svc.search({ agentDigits: '1001', from: T + 5 * MIN, to: T + 6 * MIN, limit: 20 })).map((r) => r.id);
    expect(ids).toEqual(['tie-b', 'tie-a']);
  });

  it.each(['', 'a1001', '10*1', '1001#', ' 1001', '１００１', '-1001'])('keys that are not all digits (%j) → [] without a search', async (keys) => {
    expect(await svc.search({ agentDigits: keys, from, to, limit: 20 })).toEqual([]);
    expect(searches).toEqual([]);
  });

  it('digits nobody has → [] without a search; a window with nothing in it → []', async () => {
    expect(await svc.search({ agentDigits: '9999', from, to, limit: 20 })).toEqual([]);
    expect(searches).toEqual([]);
    expect(await svc.search({ agentDigits: '1001', from: to + MIN, to: to + 2 * MIN, limit: 20 })).toEqual([]);
  });

  it('the search writes no ledger row', async () => {
    await svc.search({ agentDigits: '1001', from, to, limit: 20 });
    expect(rows()).toEqual([]);
  });

  it('usernameDigits keeps the digits only', () => {
    expect(usernameDigits('a1001')).toBe('1001');
    expect(usernameDigits('sup1')).toBe('1');
    expect(usernameDigits('team2.agent07')).toBe('207');
    expect(usernameDigits('root')).toBe('');
  });
});

describe('played and fileOf', () => {
  it('played() appends a row phone via phone with the recording id and the user; chained after a refusal', async () => {
    await svc.login('7001', '0000', CALL);
    t.clock.advance(5000);
    svc.played('r-a1', 'qa1', CALL);
    svc.played('r-a2', 'qa1', { callId: 'call-78', caller: '' });
    const all = rows();
    expect(all).toHaveLength(3);
    expect(all[1]).toMatchObject({ seq: 2, at: t.clock.now(), user: 'qa1', recordingId: 'r-a1', action: 'phone', via: 'phone', range: null, prevHash: all[0]!.hash });
    expect(all[1]!.detail).toContain('call-77');
    expect(all[2]).toMatchObject({ seq: 3, user: 'qa1', recordingId: 'r-a2', action: 'phone', via: 'phone' });
    expect(verifyChain(ledger.all())).toEqual({ rows: 3, broken: null });
    expect(ledger.list({ recordingId: 'r-a1', limit: 10 }).items.map((r) => r.action)).toEqual(['phone']);
  });

  it('fileOf is the injected path lookup', () => {
    expect(svc.fileOf('r-a1')).toBe('/data/recordings/r-a1.wav');
    expect(svc.fileOf('nope')).toBeNull();
  });
});
