/**
 * The directory kept up to date one record at a time: an agent replaced or removed alone, a whole
 * load that says which agents changed, and an admin change applied by reading back only what it
 * touched (services/directory-changes.ts), against a real database.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyDirectoryChange, type DirectoryChangeDeps } from '../../src/services/directory-changes.ts';
import { Directory, type DirectoryAgent, type DirectoryData } from '../../src/services/directory.ts';
import { seedDemoCentre } from '../../src/storage/demo-seed.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';

function agent(username: string, over: Partial<DirectoryAgent> = {}): DirectoryAgent {
  return { userId: 1, username, displayName: username, roles: ['agent'], defaultExtension: null, team: null, rank: 0, skills: [], queues: [], memberOf: [], ...over };
}

const queue = (id: string) => ({
  id,
  name: id,
  strategy: 'longestIdle',
  queueDevice: `89${id.length}0`,
  ringTimeoutS: 15,
  wrapUpS: 0,
  maxWaitS: null,
  overflowTarget: null,
  priority: 0,
  weight: 1,
  leastBusyBy: 'calls' as const,
  maxMisses: 1,
  retryS: 30,
  customerRules: null,
  steps: [],
  requiredSkills: [],
});

describe('Directory: one agent at a time', () => {
  it('upsertAgent replaces that agent alone and moves it between queue member lists (kept in username order)', () => {
    const d = new Directory({ internalNumber: /^\d{2,6}$/ });
    const others = [agent('a1', { queues: ['sales'] }), agent('a3', { queues: ['sales', 'support'] })];
    d.load({ agents: [...others, agent('a2', { queues: ['sales'] })], queues: [queue('sales'), queue('support')], pilots: [] });
    d.upsertAgent(agent('a2', { queues: ['support'], rank: 5 }));
    expect(d.membersOf('sales').map((a) => a.username)).toEqual(['a1', 'a3']);
    expect(d.membersOf('support').map((a) => a.username)).toEqual(['a2', 'a3']);
    expect(d.agent('a2')!.rank).toBe(5);
    // The other agents' records are the very same objects: not reloaded.
    expect(d.agent('a1')).toBe(others[0]);
    expect(d.agent('a3')).toBe(others[1]);

    d.upsertAgent(agent('a0', { queues: ['sales'] }));
    expect(d.membersOf('sales').map((a) => a.username)).toEqual(['a0', 'a1', 'a3']);
  });

  it('removeAgent forgets the agent and its memberships', () => {
    const d = new Directory({ internalNumber: /^\d{2,6}$/ });
    d.load({ agents: [agent('a1', { queues: ['sales'] }), agent('a2', { queues: ['sales'] })], queues: [queue('sales')], pilots: [] });
    expect(d.removeAgent('a1')).toBe(true);
    expect(d.agent('a1')).toBeUndefined();
    expect(d.membersOf('sales').map((a) => a.username)).toEqual(['a2']);
    expect(d.removeAgent('a1')).toBe(false);
    d.removeAgent('a2');
    expect(d.membersOf('sales')).toEqual([]);
  });

  it('load says which agents were added, removed or changed', () => {
    const d = new Directory({ internalNumber: /^\d{2,6}$/ });
    const base: DirectoryData = { agents: [agent('a1'), agent('a2', { skills: [{ skill: 'sales', level: 1 }] }), agent('a3')], queues: [], pilots: [] };
    expect(d.load(base).sort()).toEqual(['a1', 'a2', 'a3']);
    expect(d.load(structuredClone(base))).toEqual([]);
    const next = structuredClone(base);
    next.agents[1] = agent('a2', { skills: [{ skill: 'inside-sales', level: 1 }] });
    next.agents.splice(2, 1);
    next.agents.push(agent('a4'));
    expect(d.load(next).sort()).toEqual(['a2', 'a3', 'a4']);
  });
});

describe('applyDirectoryChange against the database', () => {
  let t: TempDatabase;
  let d: Directory;
  let calls: string[];
  let deps: DirectoryChangeDeps;
  let reads: { full: number; agent: number };

  beforeEach(async () => {
    t = openTempDatabase();
    await seedDemoCentre(t.repos);
    d = new Directory({ internalNumber: /^\d{2,6}$/ });
    d.load(t.repos.directory.loadDirectory());
    calls = [];
    reads = { full: 0, agent: 0 };
    deps = {
      directory: d,
      loadAgent: (u) => (reads.agent++, t.repos.directory.loadAgent(u)),
      loadDirectory: () => (reads.full++, t.repos.directory.loadDirectory()),
      routing: { agentChanged: (u) => calls.push(`agentChanged ${u}`), queuesChanged: (agents) => calls.push(`queuesChanged ${[...agents].sort().join(',')}`) },
      reloadShiftRules: () => calls.push('shiftRules'),
      updateMonitors: () => calls.push('monitors'),
      log: pino({ level: 'silent' }),
    };
  });
  afterEach(() => t.dispose());

  it('loadAgent gives the same record as the whole load', () => {
    const whole = t.repos.directory.loadDirectory().agents;
    for (const a of whole) expect(t.repos.directory.loadAgent(a.username)).toEqual(a);
    expect(t.repos.directory.loadAgent('admin')).toBeNull();
    expect(t.repos.directory.loadAgent('nobody')).toBeNull();
  });

  it('an agent edit reads that agent alone and configures it alone; the others are untouched', () => {
    const before = d.agent('a1002');
    t.repos.agents.update('a1001', { skills: [{ skill: 'support', level: 1 }], queues: [] });
    expect(applyDirectoryChange({ entity: 'agent', action: 'update', id: 'a1001' }, deps)).toBe('agent');
    expect(reads).toEqual({ full: 0, agent: 1 });
    expect(calls).toEqual(['agentChanged a1001']);
    expect(d.agent('a1001')!.skills).toEqual([{ skill: 'support', level: 1 }]);
    expect(d.agent('a1001')!.queues).toEqual(['support']);
    expect(d.membersOf('sales').map((a) => a.username)).not.toContain('a1001');
    expect(d.membersOf('support').map((a) => a.username)).toContain('a1001');
    expect(d.agent('a1002')).toBe(before);
  });

  it('a new phone or a new team also updates the monitors or the shift rules', () => {
    t.repos.agents.update('a1001', { defaultExtension: '2050', team: 'support' });
    applyDirectoryChange({ entity: 'agent', action: 'update', id: 'a1001' }, deps);
    expect(calls).toEqual(['agentChanged a1001', 'shiftRules', 'monitors']);
  });

  it('a user disabled or deleted leaves the directory and the router', async () => {
    const u = t.repos.users.findByUsername('a1003')!;
    t.repos.users.update(u.id, { disabled: true });
    applyDirectoryChange({ entity: 'user', action: 'update', id: 'a1003' }, deps);
    expect(d.agent('a1003')).toBeUndefined();
    expect(calls).toEqual(['agentChanged a1003', 'shiftRules', 'monitors']);
    const created = await t.repos.users.create({ username: 'n1', displayName: 'N', password: 'a-long-password', roles: ['agent'] });
    applyDirectoryChange({ entity: 'user', action: 'create', id: created.username }, deps);
    expect(d.agent('n1')).toMatchObject({ username: 'n1', roles: ['agent'] });
  });

  it('a queue edit rebuilds the queues and configures again only the agents whose records changed', () => {
    // The vip queue now also needs the sales skill at level 1: only a1001 still serves it by
    // skill; sup1 and a1006 stop serving it.
    t.repos.queues.update('vip', { requiredSkills: [{ skill: 'vip', minLevel: 5 }, { skill: 'sales', minLevel: 1 }] });
    expect(applyDirectoryChange({ entity: 'queue', action: 'update', id: 'vip' }, deps)).toBe('queues');
    expect(reads).toEqual({ full: 1, agent: 0 });
    expect(calls).toEqual(['queuesChanged a1006,sup1', 'monitors']);
    expect(d.membersOf('vip').map((a) => a.username)).toEqual(['a1001']);
  });

  it('a customer change reads nothing; a team change only the shift rules', () => {
    expect(applyDirectoryChange({ entity: 'customer', action: 'update', id: '1' }, deps)).toBe('none');
    expect(applyDirectoryChange({ entity: 'team', action: 'update', id: 'sales' }, deps)).toBe('teams');
    expect(reads).toEqual({ full: 0, agent: 0 });
    expect(calls).toEqual(['shiftRules']);
  });
});
