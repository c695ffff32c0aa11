import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { qualifies } from '../../src/storage/repositories/directory.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';
import { Directory } from '../../src/services/directory.ts';

let t: TempDatabase;
beforeEach(() => {
  t = openTempDatabase();
});
afterEach(() => t.dispose());

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
