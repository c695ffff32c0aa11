import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressKey, DEFAULT_THROTTLE, LoginThrottle, type LoginThrottleOptions } from '../../src/auth/login-throttle.ts';

const policy = { freeFailures: 3, baseMs: 1000, maxMs: 8000, forgetAfterMs: 60_000, capInFlight: true };
const opts: LoginThrottleOptions = { username: policy, address: { ...policy, freeFailures: 10, capInFlight: false }, maxEntries: 100 };

/** One whole attempt: begin, then end with `outcome`; the verdict of begin. */
function attempt(t: LoginThrottle, user: string, addr: string, now: number, outcome: 'success' | 'failure' = 'failure') {
  const v = t.begin(user, addr, now);
  if (v.ok) t.end(v.ticket, outcome, now);
  return v;
}

describe('LoginThrottle', () => {
  it('blocks a username after its free failures, doubling the block with each further failure up to the cap', () => {
    const t = new LoginThrottle(opts);
    let now = 0;
    expect(attempt(t, 'a1001', '10.0.0.1', now).ok).toBe(true);
    expect(attempt(t, 'a1001', '10.0.0.1', now).ok).toBe(true);
    expect(attempt(t, 'a1001', '10.0.0.1', now).ok).toBe(true); // the 3rd failure starts the back-off
    const blocks: number[] = [];
    for (let i = 0; i < 6; i++) {
      const v = t.begin('a1001', '10.0.0.1', now);
      expect(v).toMatchObject({ ok: false, key: 'username' });
      blocks.push(v.ok ? 0 : v.retryAfterS);
      now += (v.ok ? 0 : v.retryAfterS) * 1000;
      attempt(t, 'a1001', '10.0.0.1', now); // the next failure, once allowed
    }
    expect(blocks).toEqual([1, 2, 4, 8, 8, 8]);
  });

  it('refuses even the right password while blocked, and does not grow the block for refused attempts', () => {
    const t = new LoginThrottle(opts);
    for (let i = 0; i < 3; i++) attempt(t, 'sup1', '10.0.0.2', 0);
    for (let i = 0; i < 50; i++) expect(t.begin('sup1', '10.0.0.2', 500)).toMatchObject({ ok: false, retryAfterS: 1 });
    const v = t.begin('sup1', '10.0.0.2', 1000);
    expect(v.ok).toBe(true);
    if (v.ok) t.end(v.ticket, 'success', 1000);
    // A success clears the username's counter: three more failures before the next block.
    expect(attempt(t, 'sup1', '10.0.0.2', 1000).ok).toBe(true);
    expect(attempt(t, 'sup1', '10.0.0.2', 1000).ok).toBe(true);
    expect(t.begin('sup1', '10.0.0.2', 1000).ok).toBe(true);
  });

  it('counts usernames case-insensitively', () => {
    const t = new LoginThrottle(opts);
    attempt(t, 'Admin', '10.0.0.3', 0);
    attempt(t, 'ADMIN', '10.0.0.3', 0);
    attempt(t, 'admin', '10.0.0.3', 0);
    expect(t.begin('aDmIn', '10.0.0.3', 0)).toMatchObject({ ok: false, key: 'username' });
  });

  it('blocks an address that sprays many usernames; a success there does not clear it', () => {
    const t = new LoginThrottle(opts);
    for (let i = 0; i < 9; i++) expect(attempt(t, `u${i}`, '10.0.0.4', 0).ok).toBe(true);
    attempt(t, 'real', '10.0.0.4', 0, 'success');
    expect(attempt(t, 'u9', '10.0.0.4', 0).ok).toBe(true); // the 10th failure blocks the address
    expect(t.begin('someone-else', '10.0.0.4', 0)).toMatchObject({ ok: false, key: 'address' });
    expect(t.begin('someone-else', '10.0.0.5', 0).ok).toBe(true);
  });

  it('lets no more checks run at once on a username than failures are left, then one at a time in back-off', () => {
    const t = new LoginThrottle(opts);
    const started = Array.from({ length: 10 }, () => t.begin('a1002', '10.0.0.6', 0));
    expect(started.filter((v) => v.ok)).toHaveLength(3);
    for (const v of started) if (v.ok) t.end(v.ticket, 'failure', 0);
    const later = [t.begin('a1002', '10.0.0.6', 1000), t.begin('a1002', '10.0.0.6', 1000)];
    expect(later.map((v) => v.ok)).toEqual([true, false]);
  });

  it('lets a whole centre behind one address log in at once (no in-flight cap on a clean address)', () => {
    const t = new LoginThrottle(opts);
    const started = Array.from({ length: 200 }, (_, i) => t.begin(`agent${i}`, '10.0.0.8', 0));
    expect(started.every((v) => v.ok)).toBe(true);
  });

  it('forgets a key after forgetAfterMs, and holds no more keys than maxEntries however many are sprayed', () => {
    const t = new LoginThrottle(opts);
    attempt(t, 'a1003', '10.0.0.7', 0);
    attempt(t, 'a1003', '10.0.0.7', 0);
    attempt(t, 'a1003', '10.0.0.7', 0);
    expect(t.begin('a1003', '10.0.0.7', 500).ok).toBe(false);
    expect(attempt(t, 'a1003', '10.0.0.7', 1000 + 60_000).ok).toBe(true); // forgotten: a fresh count
    for (let i = 0; i < 5000; i++) attempt(t, `spray${i}`, `10.1.${i >> 8}.${i & 255}`, 70_000 + i);
    expect(t.size.usernames).toBeLessThanOrEqual(100);
    expect(t.size.addresses).toBeLessThanOrEqual(100);
  });

  it('keys IPv6 addresses by their /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('property: whatever the sequence of failures and successes, a blocked username is never let through before its time', () => {
    const step = fc.record({ user: fc.constantFrom('a', 'b', 'c', 'd'), addr: fc.constantFrom('1.1.1.1', '2.2.2.2'), dt: fc.nat(3000), ok: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const t = new LoginThrottle(DEFAULT_THROTTLE);
        let now = 0;
        const blockedUntil = new Map<string, number>();
        for (const s of steps) {
          now += s.dt;
          const v = t.begin(s.user, s.addr, now);
          if (v.ok) {
            expect(blockedUntil.get(s.user) ?? 0).toBeLessThanOrEqual(now);
            t.end(v.ticket, s.ok ? 'success' : 'failure', now);
          } else {
            blockedUntil.set(v.key === 'username' ? s.user : '', now + (v.retryAfterS - 1) * 1000);
          }
        }
      }),
    );
  });
});
