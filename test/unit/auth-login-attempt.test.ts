import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccessChange } from '../../src/auth/auth-service.ts';
import { AuthService } from '../../src/auth/auth-service.ts';
import { HashPool } from '../../src/auth/hash-pool.ts';
import { hashToken } from '../../src/auth/tokens.ts';
import { openTempDatabase, TEST_SCRYPT, type TempDatabase } from '../../src/storage/test-support.ts';

let t: TempDatabase;
let pool: HashPool;
let auth: AuthService;
const IP = '192.0.2.10';

beforeAll(() => {
  t = openTempDatabase();
});
beforeEach(async () => {
  t.reset();
  pool = new HashPool({ concurrency: 1 });
  auth = new AuthService({ users: t.repos.users, tokens: t.repos.tokens, clock: t.clock, scrypt: TEST_SCRYPT, hashPool: pool });
  await t.repos.users.create({ username: 'a1001', displayName: 'Agent 1001', password: 'right', roles: ['agent'] });
});
afterAll(() => t.dispose());

describe('AuthService.attemptLogin (throttled, through the hashing pool)', () => {
  it('after 5 wrong passwords the username is throttled: the right one is refused without any password work until the back-off ends', async () => {
    for (let i = 0; i < 5; i++) expect(await auth.attemptLogin('a1001', `wrong${i}`, IP)).toEqual({ ok: false, reason: 'invalid' });
    const run = vi.spyOn(pool, 'run');
    expect(await auth.attemptLogin('a1001', 'right', IP)).toEqual({ ok: false, reason: 'throttled', retryAfterS: 1 });
    expect(run).not.toHaveBeenCalled();
    t.clock.advance(1000);
    const ok = await auth.attemptLogin('a1001', 'right', IP);
    expect(ok).toMatchObject({ ok: true, result: { user: { username: 'a1001' } } });
    expect(run).toHaveBeenCalled();
  });

  it('a full hashing queue answers busy at once and does not count as a failure', async () => {
    const full = new HashPool({ concurrency: 1, maxQueue: 0 });
    const busyAuth = new AuthService({ users: t.repos.users, tokens: t.repos.tokens, clock: t.clock, scrypt: TEST_SCRYPT, hashPool: full });
    let release!: () => void;
    const blocker = full.run(() => new Promise<void>((r) => (release = r)));
    for (let i = 0; i < 10; i++) expect(await busyAuth.attemptLogin('a1001', 'wrong', IP)).toMatchObject({ ok: false, reason: 'busy' });
    release();
    await blocker;
    expect(await busyAuth.attemptLogin('a1001', 'right', IP)).toMatchObject({ ok: true });
  });

  it('publishes the revoked token by its hash, and a user-wide revocation by user id', async () => {
    const seen: AccessChange[] = [];
    const off = auth.onAccessChanged((c) => seen.push(c));
    const r = await auth.attemptLogin('a1001', 'right', IP);
    if (!r.ok) throw new Error('login failed');
    expect(r.result.tokenHash).toBe(hashToken(r.result.token));
    expect(auth.checkToken(r.result.token)).toMatchObject({ ok: true, tokenHash: r.result.tokenHash });
    auth.revoke(r.result.token);
    auth.revoke(r.result.token); // already revoked: nothing more to tell
    auth.revokeAllForUser(r.result.user.id);
    off();
    auth.revokeAllForUser(r.result.user.id);
    expect(seen).toEqual([
      { kind: 'tokenRevoked', tokenHash: r.result.tokenHash },
      { kind: 'userChanged', userId: r.result.user.id, change: 'sessionsRevoked' },
    ]);
  });
});
