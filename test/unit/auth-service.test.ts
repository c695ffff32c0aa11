import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthService, loginResponse } from '../../src/auth/auth-service.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { hashToken } from '../../src/auth/tokens.ts';
import { openTempDatabase, TEST_SCRYPT, type TempDatabase } from '../../src/storage/test-support.ts';

let t: TempDatabase;
let auth: AuthService;
const HOUR = 3_600_000;

beforeAll(() => {
  t = openTempDatabase();
  auth = new AuthService({ users: t.repos.users, tokens: t.repos.tokens, clock: t.clock, scrypt: TEST_SCRYPT, tokenTtlMs: 2 * HOUR });
});
beforeEach(async () => {
  t.reset();
  await t.repos.users.create({ username: 'a1001', displayName: 'Agent 1001', password: 'demo-a1001', roles: ['agent'] });
});
afterAll(() => t.dispose());

describe('AuthService', () => {
  it('logs in with the right password and issues a 32-byte base64url token', async () => {
    const r = await auth.login('a1001', 'demo-a1001');
    expect(r).not.toBeNull();
    expect(r!.user).toEqual({ id: expect.any(Number), username: 'a1001', displayName: 'Agent 1001', roles: ['agent'] });
    expect(r!.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(r!.token, 'base64url')).toHaveLength(32);
    expect(r!.expiresAt).toBe(t.clock.now() + 2 * HOUR);
    expect(auth.verifyToken(r!.token)).toEqual(r!.user);
    expect(loginResponse(r!).expiresAt).toBe(new Date(r!.expiresAt).toISOString());
  });

  it('stores only the sha256 of the token', async () => {
    const r = (await auth.login('a1001', 'demo-a1001'))!;
    const stored = t.sqlite.prepare('select token_hash from auth_tokens').pluck().all();
    expect(stored).toEqual([hashToken(r.token)]);
    expect(stored[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a wrong password, an unknown user and a disabled user', async () => {
    expect(await auth.login('a1001', 'wrong')).toBeNull();
    expect(await auth.login('nobody', 'demo-a1001')).toBeNull();
    const u = t.repos.users.findByUsername('a1001')!;
    t.repos.users.update(u.id, { disabled: true });
    expect(await auth.login('a1001', 'demo-a1001')).toBeNull();
    expect(t.sqlite.prepare('select count(*) from auth_tokens').pluck().get()).toBe(0);
  });

  it('tokens expire after the TTL, with reason expired', async () => {
    const r = (await auth.login('a1001', 'demo-a1001'))!;
    t.clock.advance(2 * HOUR - 1);
    expect(auth.checkToken(r.token)).toMatchObject({ ok: true });
    t.clock.advance(1);
    expect(auth.checkToken(r.token)).toEqual({ ok: false, reason: 'expired' });
    expect(auth.verifyToken(r.token)).toBeNull();
  });

  it('revoke ends a session, with reason revoked; other sessions live on', async () => {
    const a = (await auth.login('a1001', 'demo-a1001'))!;
    const b = (await auth.login('a1001', 'demo-a1001'))!;
    expect(auth.revoke(a.token)).toBe(true);
    expect(auth.revoke(a.token)).toBe(false);
    expect(auth.checkToken(a.token)).toEqual({ ok: false, reason: 'revoked' });
    expect(auth.verifyToken(b.token)?.username).toBe('a1001');
    expect(auth.revokeAllForUser(b.user.id)).toBe(1);
    expect(auth.checkToken(b.token)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('an unknown or malformed token is unknown; a disabled user’s token is revoked', async () => {
    expect(auth.checkToken('x'.repeat(43))).toEqual({ ok: false, reason: 'unknown' });
    expect(auth.checkToken('not a token')).toEqual({ ok: false, reason: 'unknown' });
    const r = (await auth.login('a1001', 'demo-a1001'))!;
    t.repos.users.update(r.user.id, { disabled: true });
    expect(auth.checkToken(r.token)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('re-hashes a password made with other parameters on a successful login', async () => {
    const u = t.repos.users.findByUsername('a1001')!;
    await t.repos.users.setPassword(u.id, 'pw'); // TEST_SCRYPT
    const strong = new AuthService({ users: t.repos.users, tokens: t.repos.tokens, clock: t.clock, scrypt: { ln: 11, r: 8, p: 1 } });
    expect(await strong.login('a1001', 'pw')).not.toBeNull();
    expect(t.repos.users.findCredentials('a1001')!.passwordHash.startsWith('$scrypt$ln=11,r=8,p=1$')).toBe(true);
    expect(await strong.login('a1001', 'pw')).not.toBeNull();
  });

  it('a failed login takes about as long for an unknown user as for a wrong password', async () => {
    const service = new AuthService({ users: t.repos.users, tokens: t.repos.tokens, clock: t.clock, scrypt: { ln: 12, r: 8, p: 1 } });
    await t.repos.users.create({ username: 'strong', displayName: 'S', password: 'x', roles: [] });
    t.repos.users.setPasswordHash(t.repos.users.findByUsername('strong')!.id, await hashPassword('right', { ln: 12, r: 8, p: 1 }));
    // The fastest of several interleaved runs: robust against a busy machine (other test files
    // run in parallel), while a skipped scrypt for unknown users would still show as ~0.
    const fastest = { wrong: Infinity, unknown: Infinity };
    for (let i = 0; i < 6; i++) {
      for (const [key, user] of [
        ['wrong', 'strong'],
        ['unknown', 'nobody'],
      ] as const) {
        const s = performance.now();
        expect(await service.login(user, 'wrong')).toBeNull();
        fastest[key] = Math.min(fastest[key], performance.now() - s);
      }
    }
    const ratio = fastest.unknown / fastest.wrong;
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(2.5);
  });

  it('purges tokens that ended long ago', async () => {
    const r = (await auth.login('a1001', 'demo-a1001'))!;
    await auth.login('a1001', 'demo-a1001');
    auth.revoke(r.token);
    t.clock.advance(HOUR);
    expect(auth.purgeExpired(HOUR / 2)).toBe(1);
    t.clock.advance(2 * HOUR);
    expect(auth.purgeExpired(0)).toBe(1);
  });
});
