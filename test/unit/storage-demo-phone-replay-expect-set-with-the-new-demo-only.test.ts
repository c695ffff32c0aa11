/**
 * The demo's replay-by-phone staff (shared/spec/recordings.md, "Replay by phone"): a new demo
 * database gives qa1 phone id 7001 with PIN 2468 and sup1 7002 with PIN 1357, hashed; nobody else
 * has one; the seed never runs again on a database with users, so a phone id an admin cleared or
 * changed stays so across restarts (no marker that audit retention could delete). Real migrated
 * database, cheap scrypt.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, parseHash, verifyPassword } from '../../src/auth/password.ts';
import { DEMO_PHONE_REPLAY, seedDemoCentre } from '../../src/storage/demo-seed.ts';
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

const withPhone = () => (t.sqlite.prepare('select username, phone_id AS phoneId from users where phone_id is not null or phone_pin_hash is not null order by username').all() as { username: string; phoneId: string }[]).map((r) => [r.username, r.phoneId]);
const pinOk = async (phoneId: string, pin: string) => {
  const cred = t.repos.users.findPhoneCredentials(phoneId);
  return cred !== null && (await verifyPassword(pin, cred.pinHash));
};
const userId = (username: string) => t.repos.users.findByUsername(username)!.id;

describe('demo phone ids for replay by phone', () => {
  it('the published values: qa1 7001 / 2468, sup1 7002 / 1357', () => {
    expect(DEMO_PHONE_REPLAY).toEqual([
      { username: 'qa1', phoneId: '7001', pin: '2468' },
      { username: 'sup1', phoneId: '7002', pin: '1357' },
    ]);
  });

  it('a new demo database: qa1 and sup1 have them, the PINs verify and are hashed, nobody else has one', async () => {
    expect(withPhone()).toEqual([
      ['qa1', '7001'],
      ['sup1', '7002'],
    ]);
    expect(await pinOk('7001', '2468')).toBe(true);
    expect(await pinOk('7002', '1357')).toBe(true);
    expect(await pinOk('7001', '1357')).toBe(false);
    for (const id of ['7001', '7002']) {
      const h = t.repos.users.findPhoneCredentials(id)!.pinHash;
      expect(h).toMatch(/^\$scrypt\$/);
      expect(h).not.toMatch(/2468|1357/);
      expect(parseHash(h)?.params).toEqual(TEST_SCRYPT);
    }
  });

  it('cleared or changed by an admin: a later start (the seed again) puts nothing back', async () => {
    t.repos.users.setPhoneReplay(userId('qa1'), null);
    t.repos.users.setPhoneReplay(userId('sup1'), { phoneId: '7100', pinHash: await hashPassword('9090', TEST_SCRYPT) });
    expect(await seedDemoCentre(t.repos)).toEqual({ seeded: false });
    expect(withPhone()).toEqual([['sup1', '7100']]);
    expect(await pinOk('7100', '9090')).toBe(true);
    expect(t.repos.users.findPhoneCredentials('7001')).toBeNull();
  });
});
