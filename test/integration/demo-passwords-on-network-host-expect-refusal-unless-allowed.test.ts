/**
 * The daemon refuses to listen on a network address while demo accounts still have their
 * published passwords — also when the database was seeded in demo mode and DEMO is off now — unless
 * ALLOW_DEMO_PASSWORDS says so; once those passwords are changed it starts. The switch is not
 * needed for any of this (its address has nobody listening: the daemon starts with the link down).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, type Config } from '../../src/config.ts';
import { buildDaemon } from '../../src/daemon.ts';
import { DEMO_USERS } from '../../src/storage/demo-seed.ts';
import { TEST_SCRYPT } from '../../src/storage/test-support.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-demo-pw-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = (patch: Partial<Config>) =>
  buildDaemon(defaultConfig({ port: 0, dataDir, pbx: { kind: 'csta', host: '127.0.0.1', port: 1 }, logLevel: 'silent', ...patch }), { scrypt: TEST_SCRYPT, logger: pino({ level: 'silent' }) });

async function refusal(patch: Partial<Config>): Promise<ConfigError> {
  const err = await start(patch).then(
    async (d) => {
      await d.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('demo passwords and a network HOST', () => {
  it('demo centre on 0.0.0.0: refused, naming the accounts and the ways out', async () => {
    const err = await refusal({ host: '0.0.0.0', demo: true });
    expect(err.message).toContain('HOST=0.0.0.0');
    expect(err.message).toContain('admin');
    expect(err.message).toContain('ALLOW_DEMO_PASSWORDS=1');
  });

  it('with ALLOW_DEMO_PASSWORDS it starts; on loopback it starts without', async () => {
    const allowed = await start({ host: '0.0.0.0', demo: true, allowDemoPasswords: true });
    expect((await fetch(`${allowed.url}/health`)).status).toBe(200);
    await allowed.close();
    const local = await start({ host: '127.0.0.1', demo: true });
    await local.close();
  });

  it('the same database started later with DEMO=0 on a network address is still refused, until the passwords are changed', async () => {
    await refusal({ host: '0.0.0.0', demo: false });
    const local = await start({ host: '127.0.0.1', demo: false });
    const login = await fetch(`${local.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo-admin' }) });
    const { token } = (await login.json()) as { token: string };
    const users = (await (await fetch(`${local.url}/api/v1/admin/users`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { id: number; username: string }[] };
    const demo = new Set(DEMO_USERS.map((u) => u.username));
    // The admin gets a new password last (it ends the admin's own token); the others are disabled.
    for (const u of users.items.filter((x) => demo.has(x.username)).sort((a, b) => Number(a.username === 'admin') - Number(b.username === 'admin'))) {
      const body = u.username === 'admin' ? { password: 'a-real-admin-password' } : { disabled: true };
      const res = await fetch(`${local.url}/api/v1/admin/users/${u.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
    }
    await local.close();
    const network = await start({ host: '0.0.0.0', demo: false });
    expect((await fetch(`${network.url}/health`)).status).toBe(200);
    await network.close();
  });
});
