import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallRow } from '../../src/storage/repositories/calls.ts';
import { qualifies } from '../../src/storage/repositories/directory.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';
import { Directory } from '../../src/services/directory.ts';
import type { AgentStateLog, AuditLog, CallRecords, CustomerLookup, RoutingDecisionLog } from '../../src/services/ports.ts';

let t: TempDatabase;
// One database per file, emptied before each test (opening and migrating is the slow part).
beforeAll(() => {
  t = openTempDatabase();
});
beforeEach(() => t.reset());
afterAll(() => t.dispose());

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

describe('the repositories fit the ports the services declare', () => {
  it('type-checks as CallRecords, AgentStateLog, AuditLog and RoutingDecisionLog', () => {
    const ports: { calls: CallRecords; stateLog: AgentStateLog; audit: AuditLog; routingDecisions: RoutingDecisionLog } = t.repos;
    expect(ports.calls).toBe(t.repos.calls);
  });

  it('the customer lookup port is the customers and calls repositories together', () => {
    const lookup: CustomerLookup = { findByPhone: (p) => t.repos.customers.findByPhone(p), lastAgentFor: (p) => t.repos.calls.lastAgentFor(p) };
    expect(lookup.lastAgentFor('nobody')).toBeNull();
  });
});

describe('UsersRepository', () => {
  it('creates, finds, updates and never exposes the hash', async () => {
    const u = await t.repos.users.create({ username: 'jo', displayName: 'Jo', password: 'secret-1', roles: ['supervisor', 'supervisor'] });
    expect(u).toMatchObject({ username: 'jo', displayName: 'Jo', roles: ['supervisor'], disabled: false, createdAt: t.clock.now() });
    expect(u).not.toHaveProperty('passwordHash');
    expect(t.repos.users.findByUsername('jo')?.id).toBe(u.id);
    expect(t.repos.users.findById(u.id)?.username).toBe('jo');
    expect(t.repos.users.findByUsername('nobody')).toBeNull();
    t.clock.advance(1000);
    const v = t.repos.users.update(u.id, { displayName: 'Joanna', disabled: true });
    expect(v).toMatchObject({ displayName: 'Joanna', disabled: true, updatedAt: t.clock.now() });
    expect(t.repos.users.update(9999, { displayName: 'x' })).toBeNull();
    expect(t.repos.users.findCredentials('jo')?.passwordHash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
  });

  it('refuses a taken username with CONFLICT', async () => {
    await t.repos.users.create({ username: 'jo', displayName: 'Jo', password: 'p', roles: [] });
    await expect(t.repos.users.create({ username: 'jo', displayName: 'Other', password: 'p', roles: [] })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps an agents row exactly while the user holds the agent role', async () => {
    const u = await t.repos.users.create({ username: 'a1', displayName: 'A', password: 'p', roles: ['agent'] });
    expect(t.repos.agents.get('a1')).toMatchObject({ userId: u.id, defaultExtension: null, skills: [], queues: [] });
    t.repos.users.update(u.id, { roles: ['qa'] });
    expect(t.repos.agents.get('a1')).toBeNull();
    t.repos.users.update(u.id, { roles: ['qa', 'agent'] });
    expect(t.repos.agents.get('a1')).not.toBeNull();
  });

  it('counts enabled users holding a role', async () => {
    const a = await t.repos.users.create({ username: 'ad1', displayName: 'A', password: 'p', roles: ['admin'] });
    await t.repos.users.create({ username: 'ad2', displayName: 'B', password: 'p', roles: ['admin', 'qa'] });
    expect(t.repos.users.countWithRole('admin')).toBe(2);
    t.repos.users.update(a.id, { disabled: true });
    expect(t.repos.users.countWithRole('admin')).toBe(1);
    expect(t.repos.users.countWithRole('qa')).toBe(1);
  });
});

describe('AgentStateLogRepository', () => {
  it('closes the previous row with its duration when the next state starts', () => {
    const log = t.repos.stateLog;
    log.append({ agent: 'a1001', state: 'notReady', reason: 'login', startedAt: T0, extension: '2001' });
    log.append({ agent: 'a1002', state: 'ready', reason: null, startedAt: T0 + 10 });
    log.append({ agent: 'a1001', state: 'ready', reason: null, startedAt: T0 + 4_500 });
    log.append({ agent: 'a1001', state: 'busy', reason: null, startedAt: T0 + 6_000, callId: 'c1' });
    const rows = log.listForAgent('a1001', T0);
    expect(rows.map((r) => [r.state, r.startedAt, r.endedAt, r.durationMs, r.callId])).toEqual([
      ['notReady', T0, T0 + 4_500, 4_500, null],
      ['ready', T0 + 4_500, T0 + 6_000, 1_500, null],
      ['busy', T0 + 6_000, null, null, 'c1'],
    ]);
    expect(rows[0]!.extension).toBe('2001');
    // the other agent's row is untouched
    expect(log.current('a1002')).toMatchObject({ state: 'ready', endedAt: null });
  });

  it('never writes a negative duration when the clock steps back', () => {
    t.repos.stateLog.append({ agent: 'a1', state: 'ready', reason: null, startedAt: T0 });
    t.repos.stateLog.append({ agent: 'a1', state: 'busy', reason: null, startedAt: T0 - 50 });
    expect(t.repos.stateLog.listForAgent('a1', 0).find((r) => r.state === 'ready')).toMatchObject({ endedAt: T0 - 50, durationMs: 0 });
  });

  it('closeOpen closes every open row at the given time', () => {
    t.repos.stateLog.append({ agent: 'a1', state: 'ready', reason: null, startedAt: T0 });
    t.repos.stateLog.append({ agent: 'a2', state: 'notReady', reason: 'break', startedAt: T0 + 100 });
    expect(t.repos.stateLog.closeOpen(T0 + 1_000)).toBe(2);
    expect(t.repos.stateLog.current('a1')).toBeNull();
    expect(t.repos.stateLog.listForAgent('a2', 0)[0]).toMatchObject({ endedAt: T0 + 1_000, durationMs: 900 });
    expect(t.repos.stateLog.closeOpen(T0 + 2_000)).toBe(0);
  });

  it('listForAgent returns rows overlapping the window, not older ones', () => {
    const log = t.repos.stateLog;
    log.append({ agent: 'a1', state: 'ready', reason: null, startedAt: T0 });
    log.append({ agent: 'a1', state: 'busy', reason: null, startedAt: T0 + 1_000 });
    log.append({ agent: 'a1', state: 'ready', reason: null, startedAt: T0 + 5_000 });
    expect(log.listForAgent('a1', T0 + 2_000).map((r) => r.state)).toEqual(['busy', 'ready']);
    expect(log.listForAgent('a1', T0 + 6_000).map((r) => r.state)).toEqual(['ready']);
  });
});

describe('CallsRepository', () => {
  it('inserts, patches and reads back a call with its JSON and boolean fields', () => {
    t.repos.calls.insert(call('c1'));
    expect(t.repos.calls.update('c1', { answeredAt: T0 + 3_000, agents: ['a1001'], firstAgent: 'a1001', waitMs: 3_000, hasCallData: true })).toBe(true);
    expect(t.repos.calls.update('c1', { endedAt: T0 + 63_000, talkMs: 60_000, outcome: 'answered', cause: 'normalClearing', queueId: null })).toBe(true);
    expect(t.repos.calls.get('c1')).toEqual(
      call('c1', {
        answeredAt: T0 + 3_000,
        agents: ['a1001'],
        firstAgent: 'a1001',
        waitMs: 3_000,
        hasCallData: true,
        endedAt: T0 + 63_000,
        talkMs: 60_000,
        outcome: 'answered',
        cause: 'normalClearing',
        queueId: null,
      }),
    );
    expect(t.repos.calls.update('missing', { outcome: 'failed' })).toBe(false);
    expect(() => t.repos.calls.insert(call('c1'))).toThrow(/UNIQUE/);
  });

  it('listOpen returns only calls with no end time, oldest first', () => {
    t.repos.calls.insert(call('c2', { offeredAt: T0 + 2 }));
    t.repos.calls.insert(call('c1', { offeredAt: T0 + 1 }));
    t.repos.calls.insert(call('c3', { offeredAt: T0, endedAt: T0 + 5, outcome: 'abandoned' }));
    expect(t.repos.calls.listOpen().map((c) => c.id)).toEqual(['c1', 'c2']);
  });

  it('search filters by first agent, any agent, number, queue and time range, newest first', () => {
    const c = t.repos.calls;
    c.insert(call('c1', { offeredAt: T0, firstAgent: 'a1001', agents: ['a1001'] }));
    c.insert(call('c2', { offeredAt: T0 + 1_000, firstAgent: 'a1002', agents: ['a1002', 'a1001'], fromNumber: '555' }));
    c.insert(call('c3', { offeredAt: T0 + 2_000, firstAgent: 'a1001', agents: ['a1001'], direction: 'outbound', fromNumber: '2001', toNumber: '555', queueId: null }));
    c.insert(call('c4', { offeredAt: T0 + 3_000, queueId: 'support' }));
    const ids = (q: Parameters<typeof c.search>[0]) => c.search(q).map((r) => r.id);
    expect(ids({ agent: 'a1001' })).toEqual(['c3', 'c1']);
    expect(ids({ handledBy: 'a1001' })).toEqual(['c3', 'c2', 'c1']);
    expect(ids({ number: '555' })).toEqual(['c3', 'c2']);
    expect(ids({ queueId: 'support' })).toEqual(['c4']);
    expect(ids({ from: T0 + 1_000, to: T0 + 3_000 })).toEqual(['c3', 'c2']);
    expect(ids({ agent: 'a1001', from: T0 + 1 })).toEqual(['c3']);
    expect(ids({ limit: 2 })).toEqual(['c4', 'c3']);
    expect(ids({})).toHaveLength(4);
  });

  it('uses the indexes for agent and number searches', () => {
    const plan = (sql: string) =>
      t.sqlite
        .prepare(`explain query plan ${sql}`)
        .all()
        .map((r) => (r as { detail: string }).detail)
        .join(' | ');
    expect(plan("select * from calls where first_agent = 'a' and offered_at >= 0 order by offered_at desc")).toMatch(/calls_first_agent_idx/);
    expect(plan("select * from calls where from_number = 'x' or to_number = 'x'")).toMatch(/calls_from_number_idx.*calls_to_number_idx|calls_to_number_idx.*calls_from_number_idx/);
    expect(plan('select * from calls where ended_at is null order by offered_at')).toMatch(/calls_open_idx/);
  });

  it('keeps up with the hot path: 4,000 call writes (the daemon needs ~800/s at 200 calls/s) in well under 5 s', () => {
    const start = performance.now();
    for (let i = 0; i < 1_000; i++) {
      const id = `h${i}`;
      t.repos.calls.insert(call(id, { offeredAt: T0 + i }));
      t.repos.calls.update(id, { answeredAt: T0 + i + 5, firstAgent: 'a1001', agents: ['a1001'] });
      t.repos.calls.update(id, { endedAt: T0 + i + 50, outcome: 'answered', talkMs: 45 });
      t.repos.calls.update(id, { hasCallData: true });
    }
    const ms = performance.now() - start;
    expect(t.repos.calls.listOpen()).toHaveLength(0);
    expect(ms).toBeLessThan(5_000);
  });
});

describe('AuditRepository', () => {
  it('appends with the clock and lists newest first, by actor', () => {
    t.repos.audit.append({ actor: 'admin', action: 'queue.create', target: 'sales', details: { strategy: 'longestIdle' } });
    t.clock.advance(5);
    t.repos.audit.append({ actor: 'sup1', action: 'supervisor.forceRelease', target: 'a1001' });
    t.repos.audit.append({ actor: 'admin', action: 'queue.delete', target: 'sales' });
    const all = t.repos.audit.list();
    expect(all.map((a) => a.action)).toEqual(['queue.delete', 'supervisor.forceRelease', 'queue.create']);
    expect(all[2]).toMatchObject({ actor: 'admin', target: 'sales', details: { strategy: 'longestIdle' }, at: t.clock.now() - 5 });
    expect(all[1]!.details).toBeNull();
    expect(t.repos.audit.list({ actor: 'admin', limit: 1 }).map((a) => a.action)).toEqual(['queue.delete']);
    expect(t.repos.audit.list({ before: all[1]!.id }).map((a) => a.action)).toEqual(['queue.create']);
  });
});

describe('configuration repositories', () => {
  async function agent(username: string) {
    return t.repos.users.create({ username, displayName: username, password: 'p', roles: ['agent'] });
  }

  it('agents hold skills with levels and queue memberships; unknown references are BAD_REQUEST', async () => {
    await agent('a1');
    t.repos.skills.create('sales');
    t.repos.queues.create({ id: 'sales', name: 'Sales', strategy: 'longestIdle', queueDevice: '8900' });
    const p = t.repos.agents.update('a1', { defaultExtension: '2001', team: 'red', skills: [{ skill: 'sales', level: 2 }], queues: ['sales'] });
    expect(p).toMatchObject({ username: 'a1', defaultExtension: '2001', team: 'red', skills: [{ skill: 'sales', level: 2 }], queues: ['sales'] });
    expect(() => t.repos.agents.update('a1', { skills: [{ skill: 'nope', level: 1 }] })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => t.repos.agents.update('a1', { queues: ['nope'] })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => t.repos.agents.update('a1', { skills: [{ skill: 'sales', level: 9 }] })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    // the failed updates changed nothing
    expect(t.repos.agents.get('a1')?.skills).toEqual([{ skill: 'sales', level: 2 }]);
    expect(t.repos.agents.update('ghost', { team: 'x' })).toBeNull();
  });

  it('two agents cannot share a default extension', async () => {
    await agent('a1');
    await agent('a2');
    t.repos.agents.update('a1', { defaultExtension: '2001' });
    expect(() => t.repos.agents.update('a2', { defaultExtension: '2001' })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('a skill in use cannot be deleted; a pilot keeps its queue from being deleted', async () => {
    await agent('a1');
    t.repos.skills.create('sales');
    t.repos.agents.update('a1', { skills: [{ skill: 'sales', level: 1 }] });
    expect(() => t.repos.skills.delete('sales')).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    t.repos.queues.create({ id: 'q', name: 'Q', strategy: 'linear', queueDevice: '8950' });
    t.repos.pilots.create({ number: '8050', kind: 'queue', queueId: 'q' });
    expect(() => t.repos.queues.delete('q')).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    t.repos.pilots.delete('8050');
    expect(t.repos.queues.delete('q')).toBe(true);
  });

  it('pilots must name the target their kind needs', () => {
    expect(() => t.repos.pilots.create({ number: '1', kind: 'queue' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => t.repos.pilots.create({ number: '1', kind: 'queue', queueId: 'nope' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => t.repos.pilots.create({ number: '1', kind: 'ivr' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(t.repos.pilots.create({ number: '1', kind: 'replay', ivrFlow: 'ignored' })).toEqual({ number: '1', kind: 'replay', queueId: null, ivrFlow: null, description: null, priority: 0, requiredSkills: null });
  });

  it('customers: by phone, search, unique phone, preferred agent must be an agent', async () => {
    await agent('a1');
    const c = t.repos.customers.create({ name: 'Ann 100%', phone: '555-1', vipLevel: 2, preferredAgent: 'a1' });
    t.repos.customers.create({ name: 'Bob', phone: '555-2' });
    expect(t.repos.customers.findByPhone('555-1')).toMatchObject({ id: c.id, vipLevel: 2, preferredAgent: 'a1' });
    expect(t.repos.customers.findByPhone('nope')).toBeNull();
    expect(t.repos.customers.list({ search: '100%' }).items.map((x) => x.name)).toEqual(['Ann 100%']);
    expect(t.repos.customers.list({ search: '0%' }).total).toBe(1);
    expect(t.repos.customers.list({ search: '555' }).total).toBe(2);
    expect(() => t.repos.customers.create({ name: 'X', phone: '555-2' })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => t.repos.customers.update(c.id, { preferredAgent: 'ghost' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    // deleting the preferred agent's user clears the reference
    t.repos.users.delete(t.repos.users.findByUsername('a1')!.id);
    expect(t.repos.customers.findById(c.id)?.preferredAgent).toBeNull();
  });
});

describe('DirectoryRepository.loadDirectory', () => {
  it('agents serve queues by membership or by holding every required skill at the level', async () => {
    for (const u of ['a1', 'a2', 'a3']) await t.repos.users.create({ username: u, displayName: u, password: 'p', roles: ['agent'] });
    t.repos.skills.create('fr');
    t.repos.skills.create('billing');
    t.repos.queues.create({ id: 'fr-billing', name: 'FR billing', strategy: 'skillBased', queueDevice: '8910', requiredSkills: [{ skill: 'fr', minLevel: 2 }, { skill: 'billing', minLevel: 5 }] });
    t.repos.queues.create({ id: 'open', name: 'Open', strategy: 'roundRobin', queueDevice: '8911', members: ['a3'] });
    t.repos.agents.update('a1', { skills: [{ skill: 'fr', level: 1 }, { skill: 'billing', level: 4 }] });
    t.repos.agents.update('a2', { skills: [{ skill: 'fr', level: 3 }, { skill: 'billing', level: 1 }] }); // fr too weak
    t.repos.agents.update('a3', { skills: [{ skill: 'fr', level: 1 }] }); // lacks billing
    const dir = t.repos.directory.loadDirectory();
    const queuesOf = (u: string) => dir.agents.find((a) => a.username === u)?.queues;
    expect(queuesOf('a1')).toEqual(['fr-billing']);
    expect(queuesOf('a2')).toEqual([]);
    expect(queuesOf('a3')).toEqual(['open']);
  });

  it('leaves out disabled users and non-agents, and feeds the daemon Directory', async () => {
    const a = await t.repos.users.create({ username: 'a1', displayName: 'A', password: 'p', roles: ['agent'] });
    await t.repos.users.create({ username: 'a2', displayName: 'B', password: 'p', roles: ['agent'] });
    await t.repos.users.create({ username: 'q', displayName: 'Q', password: 'p', roles: ['qa'] });
    t.repos.users.update(a.id, { disabled: true });
    const snapshot = t.repos.directory.loadDirectory();
    expect(snapshot.agents.map((x) => x.username)).toEqual(['a2']);
    const directory = new Directory({ internalNumber: /^\d{4}$/ });
    directory.load(snapshot);
    expect(directory.agent('a2')?.displayName).toBe('B');
  });

  it('qualifies: no required skills means membership only', () => {
    expect(qualifies([{ skill: 'x', level: 1 }], [])).toBe(false);
    expect(qualifies([{ skill: 'x', level: 3 }], [{ skill: 'x', minLevel: 3 }])).toBe(true);
    expect(qualifies([{ skill: 'x', level: 4 }], [{ skill: 'x', minLevel: 3 }])).toBe(false);
  });
});
