/**
 * The start-up guard against published passwords on the network: the demo centre's accounts have
 * passwords everybody can read (`demo-<username>`). A daemon listening on a non-loopback address
 * with one of them still enabled and unchanged refuses to start, unless the operator says so
 * explicitly (ALLOW_DEMO_PASSWORDS=1).
 *
 * The check looks at the accounts, not at DEMO: a database seeded in demo mode and started later
 * with DEMO=0 still holds those passwords. It costs one scrypt verification per demo account that
 * exists and is enabled (13 at most, in parallel), and only runs when the address is not loopback.
 */
import { isIP } from 'node:net';
import type { UsersRepository } from '../storage/repositories/users.ts';
import { verifyPassword } from './password.ts';

export interface KnownPassword {
  username: string;
  password: string;
}

/** 127.0.0.0/8, ::1, ::ffff:127.x.x.x and `localhost`; anything else (0.0.0.0, ::, a name, an
 * interface's address) can be reached from elsewhere. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(h) || /^::ffff:127\./.test(h);
  return false;
}

/** Enabled accounts whose password is still the known one. */
export async function accountsWithKnownPasswords(users: UsersRepository, known: readonly KnownPassword[]): Promise<string[]> {
  const checks = await Promise.all(
    known.map(async ({ username, password }) => {
      const cred = users.findCredentials(username);
      if (!cred || cred.user.disabled) return null;
      return (await verifyPassword(password, cred.passwordHash)) ? username : null;
    }),
  );
  return checks.filter((u): u is string => u !== null);
}

/** Why the daemon will not start, naming the ways out; null when it may. */
export async function knownPasswordsRefusal(opts: { host: string; allow: boolean; users: UsersRepository; known: readonly KnownPassword[] }): Promise<string | null> {
  if (opts.allow || isLoopbackHost(opts.host)) return null;
  const found = await accountsWithKnownPasswords(opts.users, opts.known);
  if (found.length === 0) return null;
  return [
    `refusing to start: HOST=${opts.host} can be reached from the network, and ${found.length} account(s) still have the demo centre's published password (demo-<username>): ${found.join(', ')}.`,
    'Start once with HOST=127.0.0.1 and change or disable them (PATCH /api/v1/admin/users/:id with {password} or {disabled: true}),',
    'or set ALLOW_DEMO_PASSWORDS=1 to start anyway (a demo on a trusted network only).',
  ].join('\n  ');
}
