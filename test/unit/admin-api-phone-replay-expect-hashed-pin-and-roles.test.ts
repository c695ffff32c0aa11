/**
 * Replay by phone's credentials through the admin API (docs/admin-api.md): PUT and DELETE
 * /api/v1/admin/users/:id/phone-replay over a real migrated database, and AuthService's
 * verifyPhonePin over what they store. The app is built the way admin-api-config.test.ts does.
 */
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth-service.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { registerAdminRoutes } from '../../src/http/admin/index.ts';
import type { User } from '../../src/storage/repositories/users.ts';
import { openTempDatabase, TEST_SCRYPT, type TempDatabase } from '../../src/storage/test-support.ts';

const buildApp = () => Fastify({ loggerInstance: pino({ level: 'silent' }) });

let t: TempDatabase;
let app: ReturnType<typeof buildApp>;
let auth: AuthService;
let headers: { authorization: string };
let qa: User;
let sup: User;
let agent: User;

beforeAll(async () => {
  t = openTempDatabase();
  auth = new AuthService({ users: t.repos.users, tokens: t.repos.tokens, clock: t.clock, scrypt: TEST_SCRYPT });
  app = buildApp();
  await registerAdminRoutes(app, { repos: t.repos, auth, onDirectoryChanged: () => undefined });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  t.dispose();
});
beforeEach(async () => {
  t.reset();
  const root = await t.repos.users.create({ username: 'root', displayName: 'Root', password: 'root-password', roles: ['admin'] });
  headers = { authorization: `Bearer ${auth.issue(root).token}` };
  qa = await t.repos.users.create({ username: 'qa1', displayName: 'QA One', password: 'qa1-password', roles: ['qa'] });
  sup = await t.repos.users.create({ username: 'sup1', displayName: 'Sup One', password: 'sup1-password', roles: ['supervisor', 'agent'] });
  agent = await t.repos.users.create({ username: 'a1001', displayName: 'Agent', password: 'a1001-password', roles: ['agent'] });
});

const put = (id: number, payload: unknown, h = headers) => app.inject({ method: 'PUT', url: `/api/v1/admin/users/${id}/phone-replay`, headers: h, payload: payload as object });
const del = (id: number, h = headers) => app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${id}/phone-replay`, headers: h });
const storedHash = (id: number) => t.sqlite.prepare('select phone_pin_hash from users where id = ?').pluck().get(id) as string | null;
const storedPhoneId = (id: number) => t.sqlite.prepare('select phone_id from users where id = ?').pluck().get(id) as string | null;

describe('PUT /users/:id/phone-replay', () => {
  it('200 with phoneId in the user; no PIN and no hash anywhere in the body', async () => {
    const res = await put(qa.id, { phoneId: '7001', pin: '2468' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ ...qa, phoneId: '7001', updatedAt: t.clock.now() });
    expect(res.body).not.toContain('2468');
    expect(res.body).not.toMatch(/scrypt|hash|pin/i);
    // Reading the user back shows the phone id, never the PIN.
    const got = await app.inject({ method: 'GET', url: `/api/v1/admin/users/${qa.id}`, headers });
    expect(got.json().phoneId).toBe('7001');
    expect(got.body).not.toMatch(/2468|scrypt|hash|pin/i);
    const list = await app.inject({ method: 'GET', url: '/api/v1/admin/users', headers });
    expect(list.body).not.toMatch(/2468|scrypt|Hash/);
  });

  it('stores a $scrypt$ hash of the PIN that verifies, not the PIN itself', async () => {
    expect((await put(qa.id, { phoneId: '7001', pin: '2468' })).statusCode).toBe(200);
    const h = storedHash(qa.id)!;
    expect(h).toMatch(/^\$scrypt\$/);
    expect(h).not.toContain('2468');
    expect(await verifyPassword('2468', h)).toBe(true);
    expect(await verifyPassword('2469', h)).toBe(false);
    expect(storedPhoneId(qa.id)).toBe('7001');
    // A second PIN for the same user replaces the first (a fresh salt: another hash).
    expect((await put(qa.id, { phoneId: '7001', pin: '86420' })).statusCode).toBe(200);
    const h2 = storedHash(qa.id)!;
    expect(h2).not.toBe(h);
    expect(await verifyPassword('86420', h2)).toBe(true);
    expect(await verifyPassword('2468', h2)).toBe(false);
  });

  it('a phone id another user has → 409 CONFLICT, and the other user keeps it', async () => {
    expect((await put(qa.id, { phoneId: '7001', pin: '2468' })).statusCode).toBe(200);
    const res = await put(sup.id, { phoneId: '7001', pin: '1357' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('CONFLICT');
    expect(storedPhoneId(sup.id)).toBeNull();
    expect(storedHash(sup.id)).toBeNull();
    expect(storedPhoneId(qa.id)).toBe('7001');
    expect(await verifyPassword('2468', storedHash(qa.id)!)).toBe(true);
    // Another id is fine.
    expect((await put(sup.id, { phoneId: '7002', pin: '1357' })).statusCode).toBe(200);
  });

  it('a user with only the agent role (or none) → 409 INVALID_STATE, nothing stored', async () => {
    const res = await put(agent.id, { phoneId: '7009', pin: '9999' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('INVALID_STATE');
    expect(storedPhoneId(agent.id)).toBeNull();
    expect(storedHash(agent.id)).toBeNull();
    const nobody = await t.repos.users.create({ username: 'nobody', displayName: 'No roles', password: 'nobody-password', roles: [] });
    expect((await put(nobody.id, { phoneId: '7010', pin: '9999' })).json().error.code).toBe('INVALID_STATE');
    // The admin role may replay too.
    const admin2 = await t.repos.users.create({ username: 'admin2', displayName: 'Admin 2', password: 'admin2-password', roles: ['admin'] });
    expect((await put(admin2.id, { phoneId: '7011', pin: '1111' })).statusCode).toBe(200);
  });

  it.each([
    ['letters in the phone id', { phoneId: '70a1', pin: '2468' }],
    ['letters in the PIN', { phoneId: '7001', pin: '24b8' }],
    ['a 2-digit phone id', { phoneId: '70', pin: '2468' }],
    ['a 13-digit phone id', { phoneId: '1234567890123', pin: '2468' }],
    ['a 3-digit PIN', { phoneId: '7001', pin: '246' }],
    ['a 13-digit PIN', { phoneId: '7001', pin: '1234567890123' }],
    ['an extra field', { phoneId: '7001', pin: '2468', note: 'x' }],
    ['no PIN', { phoneId: '7001' }],
    ['no phone id', { pin: '2468' }],
    ['an empty body', {}],
    ['a phone id with a sign', { phoneId: '+7001', pin: '2468' }],
  ])('%s → 400 BAD_REQUEST, nothing stored', async (_what, body) => {
    const res = await put(qa.id, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BAD_REQUEST');
    expect(storedPhoneId(qa.id)).toBeNull();
    expect(storedHash(qa.id)).toBeNull();
    expect(t.repos.audit.list().filter((a) => a.action.startsWith('user.phoneReplay'))).toEqual([]);
  });

  it('the bounds: 3-digit phone id and 4-digit PIN, 12 digits each, are accepted', async () => {
    expect((await put(qa.id, { phoneId: '700', pin: '2468' })).statusCode).toBe(200);
    expect((await put(sup.id, { phoneId: '123456789012', pin: '123456789012' })).statusCode).toBe(200);
  });

  it('an unknown user → 404', async () => {
    expect((await put(999_999, { phoneId: '7001', pin: '2468' })).statusCode).toBe(404);
  });
});

describe('DELETE /users/:id/phone-replay and the audit log', () => {
  it('DELETE clears it (phoneId null, no hash); set and clear are audited without the PIN', async () => {
    expect((await put(qa.id, { phoneId: '7001', pin: '2468' })).statusCode).toBe(200);
    t.clock.advance(1000);
    const res = await del(qa.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: qa.id, username: 'qa1', phoneId: null, updatedAt: t.clock.now() });
    expect(storedPhoneId(qa.id)).toBeNull();
    expect(storedHash(qa.id)).toBeNull();
    const audit = t.repos.audit.list().filter((a) => a.action.startsWith('user.phoneReplay'));
    expect(audit.map((a) => [a.actor, a.action, a.target, a.details])).toEqual([
      ['root', 'user.phoneReplay.clear', 'qa1', { phoneId: '7001' }],
      ['root', 'user.phoneReplay.set', 'qa1', { phoneId: '7001' }],
    ]);
    expect(JSON.stringify(t.repos.audit.list())).not.toMatch(/2468|scrypt/);
    // The id is free again for someone else.
    expect((await put(sup.id, { phoneId: '7001', pin: '1357' })).statusCode).toBe(200);
  });

  it('DELETE on a user without one is 200 and leaves phoneId null; unknown user 404', async () => {
    const res = await del(sup.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().phoneId).toBeNull();
    expect((await del(999_999)).statusCode).toBe(404);
  });
});

describe('who may call them', () => {
  it('a non-admin (even a supervisor or the user themself) → 403, nothing stored', async () => {
    for (const u of [sup, qa, agent]) {
      const h = { authorization: `Bearer ${auth.issue(u).token}` };
      const p = await put(qa.id, { phoneId: '7001', pin: '2468' }, h);
      expect(p.statusCode).toBe(403);
      expect(p.json().error.code).toBe('FORBIDDEN');
      expect((await del(qa.id, h)).statusCode).toBe(403);
    }
    expect(storedPhoneId(qa.id)).toBeNull();
    const anon = await app.inject({ method: 'PUT', url: `/api/v1/admin/users/${qa.id}/phone-replay`, payload: { phoneId: '7001', pin: '2468' } });
    expect(anon.statusCode).toBe(401);
  });
});

describe('AuthService.verifyPhonePin over what the API stored', () => {
  beforeEach(async () => {
    expect((await put(qa.id, { phoneId: '7001', pin: '2468' })).statusCode).toBe(200);
  });

  it('the right PIN → the user (with roles)', async () => {
    expect(await auth.verifyPhonePin('7001', '2468')).toEqual({ user: { id: qa.id, username: 'qa1', displayName: 'QA One', roles: ['qa'] } });
  });

  it('a wrong PIN → wrongPin; an unknown phone id → unknownPhoneId', async () => {
    // The phone id is known: whose it is comes back (for the ledger row), never the user itself.
    expect(await auth.verifyPhonePin('7001', '2469')).toEqual({ user: null, reason: 'wrongPin', username: 'qa1' });
    expect(await auth.verifyPhonePin('7001', '')).toEqual({ user: null, reason: 'wrongPin', username: 'qa1' });
    expect(await auth.verifyPhonePin('7999', '2468')).toEqual({ user: null, reason: 'unknownPhoneId' });
  });

  it('a disabled user → disabled with the right PIN; cleared → unknownPhoneId', async () => {
    t.repos.users.update(qa.id, { disabled: true });
    expect(await auth.verifyPhonePin('7001', '2468')).toEqual({ user: null, reason: 'disabled', username: 'qa1' });
    // A disabled user with a wrong PIN: the PIN is checked first.
    expect(await auth.verifyPhonePin('7001', '1111')).toEqual({ user: null, reason: 'wrongPin', username: 'qa1' });
    t.repos.users.update(qa.id, { disabled: false });
    expect((await auth.verifyPhonePin('7001', '2468')).user?.username).toBe('qa1');
    expect((await del(qa.id)).statusCode).toBe(200);
    expect(await auth.verifyPhonePin('7001', '2468')).toEqual({ user: null, reason: 'unknownPhoneId' });
  });

  it('the phone PIN is not the password, nor the other way round', async () => {
    expect(await auth.verifyPhonePin('7001', 'qa1-password')).toMatchObject({ user: null, reason: 'wrongPin' });
    expect(await auth.login('qa1', '2468')).toBeNull();
  });
});
