import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/auth/password.ts';
import { ensureInitialAdmin, seedDemoCentre } from '../../src/storage/demo-seed.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';

let t: TempDatabase;
// One database per file, emptied before each test (opening and migrating is the slow part).
beforeAll(() => {
  t = openTempDatabase();
});
beforeEach(() => t.reset());
afterAll(() => t.dispose());

const counts = () =>
  Object.fromEntries(
    ['users', 'agents', 'skills', 'agent_skills', 'queues', 'queue_skills', 'queue_agents', 'pilot_numbers', 'customers'].map((tbl) => [
      tbl,
      t.sqlite.prepare(`select count(*) from ${tbl}`).pluck().get(),
    ]),
  );

describe('seedDemoCentre', () => {
  it('loads the demo centre of embedded-default.md', async () => {
    expect(await seedDemoCentre(t.repos)).toEqual({ seeded: true });
    expect(counts()).toEqual({
      users: 13,
      agents: 11, // a1001–a1010 and sup1
      skills: 3,
      agent_skills: 10 + 2 + 3, // one each, vip for a1001/a1006, sup1 all three
      queues: 3,
      queue_skills: 3,
      queue_agents: 6 + 6,
      pilot_numbers: 4,
      customers: 3,
    });

    const dir = t.repos.directory.loadDirectory();
    const agent = (u: string) => dir.agents.find((a) => a.username === u);
    expect(dir.agents.map((a) => a.username)).toEqual([...Array.from({ length: 10 }, (_, i) => `a${1001 + i}`), 'sup1']);
    expect(agent('a1001')).toMatchObject({
      roles: ['agent'],
      defaultExtension: '2001',
      skills: [
        { skill: 'sales', level: 1 },
        { skill: 'vip', level: 1 },
      ],
      queues: ['sales', 'vip'],
      memberOf: ['sales'],
    });
    expect(agent('a1005')).toMatchObject({ defaultExtension: '2005', skills: [{ skill: 'sales', level: 5 }], queues: ['sales'] });
    expect(agent('a1006')).toMatchObject({ defaultExtension: '2006', skills: [{ skill: 'support', level: 1 }, { skill: 'vip', level: 1 }], queues: ['support', 'vip'] });
    expect(agent('a1008')).toMatchObject({ defaultExtension: '2008', skills: [{ skill: 'support', level: 3 }], queues: ['support'] });
    expect(agent('a1010')).toMatchObject({ defaultExtension: '2010', skills: [{ skill: 'support', level: 5 }] });
    expect(agent('sup1')).toMatchObject({
      roles: ['supervisor', 'agent'],
      defaultExtension: '2901',
      skills: ['sales', 'support', 'vip'].map((skill) => ({ skill, level: 3 })),
      queues: ['sales', 'support', 'vip'],
    });

    const acd = { weight: 1, leastBusyBy: 'calls', maxMisses: 1, retryS: 30, customerRules: { vipBoost: 10, preferredWaitS: 20 }, steps: [], kpi: null };
    expect(dir.queues).toEqual([
      { id: 'sales', name: 'Sales', strategy: 'longestIdle', queueDevice: '8900', ringTimeoutS: 15, wrapUpS: 0, maxWaitS: null, overflowTarget: null, priority: 0, ...acd, requiredSkills: [{ skill: 'sales', minLevel: 5 }] },
      { id: 'support', name: 'Support', strategy: 'skillBased', queueDevice: '8901', ringTimeoutS: 15, wrapUpS: 0, maxWaitS: null, overflowTarget: null, priority: 0, ...acd, requiredSkills: [{ skill: 'support', minLevel: 5 }] },
      { id: 'vip', name: 'VIP', strategy: 'customerBased', queueDevice: '8902', ringTimeoutS: 15, wrapUpS: 0, maxWaitS: null, overflowTarget: null, priority: 10, ...acd, requiredSkills: [{ skill: 'vip', minLevel: 5 }] },
    ]);
    expect(t.repos.queues.get('sales')?.members).toEqual(['a1001', 'a1002', 'a1003', 'a1004', 'a1005', 'sup1']);
    expect(t.repos.queues.get('support')?.members).toEqual(['a1006', 'a1007', 'a1008', 'a1009', 'a1010', 'sup1']);
    expect(dir.pilots).toEqual([
      { number: '8000', kind: 'queue', queueId: 'sales', ivrFlow: null, priority: 0, requiredSkills: null },
      { number: '8001', kind: 'queue', queueId: 'support', ivrFlow: null, priority: 0, requiredSkills: null },
      { number: '8002', kind: 'ivr', queueId: null, ivrFlow: 'main', priority: 0, requiredSkills: null },
      { number: '8009', kind: 'replay', queueId: null, ivrFlow: null, priority: 0, requiredSkills: null },
    ]);

    expect(t.repos.customers.findByPhone('13800000001')).toMatchObject({ vipLevel: 1, preferredAgent: 'a1001' });
    expect(t.repos.customers.findByPhone('13800000002')).toMatchObject({ vipLevel: 0, preferredAgent: null });
    // Contract v2: customer numbers, exact balances, languages; 10000003 has no phone.
    expect(t.repos.customers.findByPhone('13800000001')).toMatchObject({ customerNumber: '10000001', name: 'VIP Customer', language: 'zh-CN', balance: '1005.30' });
    expect(t.repos.customers.findByNumber('10000002')).toMatchObject({ name: 'Regular Customer', phone: '13800000002', vipLevel: 0, language: null, balance: '0.50' });
    expect(t.repos.customers.findByNumber('10000003')).toMatchObject({ phone: null, balance: '20000.00' });
    expect(t.repos.ivrSchedules.get('main')).toMatchObject({ version: 1, updatedBy: 'system', schedule: { alwaysOpen: true } });

    expect(t.repos.users.findByUsername('qa1')).toMatchObject({ roles: ['qa'], disabled: false });
    expect(t.repos.users.findByUsername('admin')).toMatchObject({ roles: ['admin'] });
    for (const u of ['a1001', 'a1010', 'sup1', 'qa1', 'admin']) {
      const cred = t.repos.users.findCredentials(u)!;
      expect(await verifyPassword(`demo-${u}`, cred.passwordHash)).toBe(true);
      expect(await verifyPassword(`demo-${u}x`, cred.passwordHash)).toBe(false);
    }
  });

  it('is idempotent and never loads into a database that has data', async () => {
    await seedDemoCentre(t.repos);
    const before = counts();
    expect(await seedDemoCentre(t.repos)).toEqual({ seeded: false });
    expect(counts()).toEqual(before);
  });

  it('does not load when an admin was already created', async () => {
    await ensureInitialAdmin(t.repos, { password: 'x' });
    expect(await seedDemoCentre(t.repos)).toEqual({ seeded: false });
    expect(counts().queues).toBe(0);
  });

  it('two concurrent seeds load once', async () => {
    const [a, b] = await Promise.all([seedDemoCentre(t.repos), seedDemoCentre(t.repos)]);
    expect([a.seeded, b.seeded].sort()).toEqual([false, true]);
    expect(counts().users).toBe(13);
  });
});

describe('ensureInitialAdmin', () => {
  it('creates admin with a random password returned once, then does nothing', async () => {
    const r = await ensureInitialAdmin(t.repos);
    expect(r).toMatchObject({ action: 'created', username: 'admin' });
    const pw = (r as { generatedPassword: string }).generatedPassword;
    expect(pw).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await verifyPassword(pw, t.repos.users.findCredentials('admin')!.passwordHash)).toBe(true);
    expect(await ensureInitialAdmin(t.repos)).toEqual({ action: 'none' });
    expect(t.repos.audit.list().map((a) => a.action)).toEqual(['user.create']);
  });

  it('uses the configured password and does not echo it', async () => {
    const r = await ensureInitialAdmin(t.repos, { username: 'root', password: 'configured-pw' });
    expect(r).toEqual({ action: 'created', username: 'root' });
    expect(await verifyPassword('configured-pw', t.repos.users.findCredentials('root')!.passwordHash)).toBe(true);
  });

  it('restores a disabled admin account', async () => {
    const u = await t.repos.users.create({ username: 'admin', displayName: 'A', password: 'old', roles: ['admin'] });
    t.repos.users.update(u.id, { disabled: true });
    const r = await ensureInitialAdmin(t.repos, { password: 'new-pw' });
    expect(r).toEqual({ action: 'restored', username: 'admin' });
    expect(t.repos.users.findById(u.id)).toMatchObject({ disabled: false, roles: ['admin'] });
    expect(await verifyPassword('new-pw', t.repos.users.findCredentials('admin')!.passwordHash)).toBe(true);
  });

  it('leaves a seeded demo alone', async () => {
    await seedDemoCentre(t.repos);
    expect(await ensureInitialAdmin(t.repos)).toEqual({ action: 'none' });
  });
});
