import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, parseHash, verifyPassword } from '../../src/auth/password.ts';

/** Cheap parameters (as in src/storage/test-support.ts), without importing the database layer. */
const TEST_SCRYPT = { ln: 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('stores parameters, salt and hash in the string, with the default cost', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(parseHash(h)?.params).toEqual(DEFAULT_SCRYPT);
    expect(await Promise.all([verifyPassword('correct horse', h), verifyPassword('correct horsf', h)])).toEqual([true, false]);
  });

  it('salts: the same password hashes differently each time, and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('pw', TEST_SCRYPT), hashPassword('pw', TEST_SCRYPT)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('pw', a)).toBe(true);
    expect(await verifyPassword('pw', b)).toBe(true);
  });

  it('verifies with the parameters in the string, not the current defaults', async () => {
    const h = await hashPassword('pw', { ln: 11, r: 4, p: 2 });
    expect(h.startsWith('$scrypt$ln=11,r=4,p=2$')).toBe(true);
    expect(await verifyPassword('pw', h)).toBe(true);
    expect(needsRehash(h)).toBe(true);
    expect(needsRehash(h, { ln: 11, r: 4, p: 2 })).toBe(false);
  });

  it('treats Unicode forms alike and rejects the empty password against a real hash', async () => {
    const h = await hashPassword('caf\u00e9', TEST_SCRYPT);
    expect(await verifyPassword('cafe\u0301', h)).toBe(true);
    expect(await verifyPassword('', h)).toBe(false);
  });

  it('never matches a malformed or hostile stored string', async () => {
    for (const bad of ['', 'plain', '$scrypt$ln=15,r=8,p=1$$', '$scrypt$ln=40,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', '$bcrypt$xyz']) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
    await expect(hashPassword('x', { ln: 30, r: 8, p: 1 })).rejects.toThrow(RangeError);
  });
});
