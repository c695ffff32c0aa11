import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsWithKnownPasswords, isLoopbackHost, knownPasswordsRefusal } from '../../src/auth/known-passwords.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';

let t: TempDatabase;
beforeAll(async () => {
  t = openTempDatabase();
  await t.repos.users.create({ username: 'admin', displayName: 'Admin', password: 'demo-admin', roles: ['admin'] });
  await t.repos.users.create({ username: 'a1001', displayName: 'A', password: 'changed-since', roles: ['agent'] });
  await t.repos.users.create({ username: 'a1002', displayName: 'B', password: 'demo-a1002', roles: ['agent'], disabled: true });
});
afterAll(() => t.dispose());

const known = ['admin', 'a1001', 'a1002', 'nobody'].map((u) => ({ username: u, password: `demo-${u}` }));

describe('known passwords on a network address', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['switchboard.example', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('finds the enabled accounts whose password is still the known one', async () => {
    expect(await accountsWithKnownPasswords(t.repos.users, known)).toEqual(['admin']);
  });

  it('refuses a network HOST with such an account, naming it and the ways out; not on loopback, not when allowed', async () => {
    const refusal = await knownPasswordsRefusal({ host: '0.0.0.0', allow: false, users: t.repos.users, known });
    expect(refusal).toContain('admin');
    expect(refusal).toContain('ALLOW_DEMO_PASSWORDS=1');
    expect(refusal).toContain('HOST=127.0.0.1');
    expect(await knownPasswordsRefusal({ host: '127.0.0.1', allow: false, users: t.repos.users, known })).toBeNull();
    expect(await knownPasswordsRefusal({ host: '0.0.0.0', allow: true, users: t.repos.users, known })).toBeNull();
  });
});
