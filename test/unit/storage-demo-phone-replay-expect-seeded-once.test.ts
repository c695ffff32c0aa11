/**
 * The demo's replay-by-phone staff (shared/spec/recordings.md, "Replay by phone"): qa1 gets phone
 * id 7001 with PIN 2468 and sup1 7002 with PIN 1357, once — a later run changes nothing, and a phone
 * id an admin cleared or changed does not come back. Real migrated database, cheap scrypt.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, parseHash, verifyPassword } from '../../src/auth/password.ts';
import { DEMO_PHONE_REPLAY, seedDemoCentre, seedDemoPhoneReplay } from '../../src/storage/demo-seed.ts';
import { openTempDatabase, TEST_SCRYPT, type TempDatabase } from '../../src/storage/test-support.ts';

let t: TempDatabase;
beforeAll(() => {
  t = openTempDatabase();
});
beforeEach(async () => {
  t.reset();
  expect(await seedDemoCentre(t.repos)).toEqual({ seeded: true });
});
afterAll(() => t.dispose());

/** Every user's phone id and PIN hash as stored, by username. */
const phoneRows = () =>
  Object.fromEntries(
    (t.sqlite.prepare('select username, phone_id, phone_pin_hash, updated_at from users order by username').all() as { username: string; phone_id: string | null; phone_pin_hash: string | null; updated_at: number }[]).map((r) => [
      r.username,
      { phoneId: r.phone_id, pinHash: r.phone_pin_hash, updatedAt: r.updated_at },
    ]),
  );
const withPhone = () => Object.entries(phoneRows()).filter(([, v]) => v.phoneId !== null || v.pinHash !== null).map(([u, v]) => [u, v.phoneId]);
const seedMarks = () => t.repos.audit.list({ limit: 1000 }).filter((a) => a.action === 'user.phoneReplay.seed');
const pinOk = async (phoneId: string, pin: string) => {
  const cred = t.repos.users.findPhoneCredentials(phoneId);
  return cred !== null && (await verifyPassword(pin, cred.pinHash));
};
const userId = (username: string) => t.repos.users.findByUsername(username)!.id;

describe('seedDemoPhoneReplay', () => {
  it('the published demo values: qa1 7001 / 2468, sup1 7002 / 1357', () => {
    expect(DEMO_PHONE_REPLAY).toEqual([
      { username: 'qa1', phoneId: '7001', pin: '2468' },
      { username: 'sup1', phoneId: '7002', pin: '1357' },
    ]);
  });

  it('after seedDemoCentre: qa1 gets 7001 and sup1 7002, the PINs verify (hashed, cheaply in tests), nobody else has one', async () => {
    expect(withPhone()).toEqual([]);
    expect(await seedDemoPhoneReplay(t.repos)).toEqual({ seeded: true });
    expect(withPhone()).toEqual([
      ['qa1', '7001'],
      ['sup1', '7002'],
    ]);
    expect(t.repos.users.findByUsername('qa1')).toMatchObject({ phoneId: '7001', roles: ['qa'] });
    expect(t.repos.users.findByUsername('sup1')).toMatchObject({ phoneId: '7002' });
    expect(await pinOk('7001', '2468')).toBe(true);
    expect(await pinOk('7002', '1357')).toBe(true);
    // Each PIN belongs to its own phone id only.
    expect(await pinOk('7001', '1357')).toBe(false);
    expect(await pinOk('7002', '2468')).toBe(false);
    const rows = phoneRows();
    for (const u of ['qa1', 'sup1']) {
      const h = rows[u]!.pinHash!;
      expect(h).toMatch(/^\$scrypt\$/);
      expect(h).not.toMatch(/2468|1357/);
      expect(parseHash(h)?.params).toEqual(TEST_SCRYPT); // the repositories' cost, not the default
    }
    expect(seedMarks().map((a) => [a.actor, a.target, a.details])).toEqual([['system', 'demo', { users: ['qa1', 'sup1'] }]]);
    expect(JSON.stringify(t.repos.audit.list({ limit: 1000 }))).not.toMatch(/2468|1357/);
  });

  it('running it again changes nothing: same hashes, same update times, one audit mark', async () => {
    await seedDemoPhoneReplay(t.repos);
    const before = phoneRows();
    t.clock.advance(60_000);
    expect(await seedDemoPhoneReplay(t.repos)).toEqual({ seeded: false });
    expect(await seedDemoPhoneReplay(t.repos)).toEqual({ seeded: false });
    expect(phoneRows()).toEqual(before);
    expect(seedMarks()).toHaveLength(1);
  });

  it('after an admin clears qa1’s phone id, a second run does not bring it back (and leaves sup1 as is)', async () => {
    await seedDemoPhoneReplay(t.repos);
    expect(t.repos.users.setPhoneReplay(userId('qa1'), null)).toBe(true);
    const before = phoneRows();
    expect(before.qa1).toMatchObject({ phoneId: null, pinHash: null });
    t.clock.advance(60_000);
    expect(await seedDemoPhoneReplay(t.repos)).toEqual({ seeded: false });
    expect(phoneRows()).toEqual(before);
    expect(t.repos.users.findPhoneCredentials('7001')).toBeNull();
    expect(await pinOk('7002', '1357')).toBe(true);
  });

  it('a phone id or PIN an admin changed is not put back', async () => {
    await seedDemoPhoneReplay(t.repos);
    t.repos.users.setPhoneReplay(userId('sup1'), { phoneId: '7100', pinHash: await hashPassword('9090', TEST_SCRYPT) });
    t.repos.users.setPhoneReplay(userId('qa1'), { phoneId: '7001', pinHash: await hashPassword('1111', TEST_SCRYPT) });
    const before = phoneRows();
    expect(await seedDemoPhoneReplay(t.repos)).toEqual({ seeded: false });
    expect(phoneRows()).toEqual(before);
    expect(await pinOk('7001', '1111')).toBe(true);
    expect(await pinOk('7001', '2468')).toBe(false);
    expect(t.repos.users.findPhoneCredentials('7002')).toBeNull();
  });

  it('the first run leaves a user who already has a phone id alone, and does not take an id someone else holds', async () => {
    // Before the seed ever ran: an admin gave qa1 its own id, and 7002 to admin.
    t.repos.users.setPhoneReplay(userId('qa1'), { phoneId: '7500', pinHash: await hashPassword('5050', TEST_SCRYPT) });
    t.repos.users.setPhoneReplay(userId('admin'), { phoneId: '7002', pinHash: await hashPassword('6060', TEST_SCRYPT) });
    expect(await seedDemoPhoneReplay(t.repos)).toEqual({ seeded: false });
    expect(withPhone()).toEqual([
      ['admin', '7002'],
      ['qa1', '7500'],
    ]);
    expect(await pinOk('7500', '5050')).toBe(true);
    expect(await pinOk('7002', '6060')).toBe(true);
    expect(t.repos.users.findPhoneCredentials('7001')).toBeNull();
    // It still counts as done: a later run does not try again.
    expect(seedMarks().map((a) => a.details)).toEqual([{ users: [] }]);
    t.repos.users.setPhoneReplay(userId('admin'), null);
    expect(await seedDemoPhoneReplay(t.repos)).toEqual({ seeded: false });
    expect(phoneRows().sup1).toMatchObject({ phoneId: null });
  });

  it('only the users that got one are named when one of the two is taken', async () => {
    t.repos.users.setPhoneReplay(userId('admin'), { phoneId: '7001', pinHash: await hashPassword('6060', TEST_SCRYPT) });
    expect(await seedDemoPhoneReplay(t.repos)).toEqual({ seeded: true });
    expect(withPhone()).toEqual([
      ['admin', '7001'],
      ['sup1', '7002'],
    ]);
    expect(seedMarks().map((a) => a.details)).toEqual([{ users: ['sup1'] }]);
  });

  it('two runs at once seed once', async () => {
    const [a, b] = await Promise.all([seedDemoPhoneReplay(t.repos), seedDemoPhoneReplay(t.repos)]);
    expect([a.seeded, b.seeded].sort()).toEqual([false, true]);
    expect(seedMarks()).toHaveLength(1);
    expect(await pinOk('7001', '2468')).toBe(true);
    expect(await pinOk('7002', '1357')).toBe(true);
  });
});
