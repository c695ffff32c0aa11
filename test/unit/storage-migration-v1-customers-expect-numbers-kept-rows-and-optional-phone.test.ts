/**
 * Migrations 0007/0008 on a database of v1 (migrations up to 0006, customers with a required
 * phone, no number, no balance): every row survives with its phone, VIP level and preferred agent;
 * each gets a customer number 10000000 + id and a balance of 0.00; the phone becomes optional; the
 * foreign key to users still holds; the new IVR tables are there.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { findMigrationsFolder, openDatabase } from '../../src/storage/database.ts';
import { createRepositories } from '../../src/storage/repositories/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-v1-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The migrations folder as it was at v1 (journal up to 0006). */
function v1Migrations(): string {
  const src = findMigrationsFolder();
  const out = join(dir, 'migrations-v1');
  cpSync(src, out, { recursive: true });
  const journalFile = join(out, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag < '0007');
  writeFileSync(journalFile, JSON.stringify(journal));
  return out;
}

it('a v1 database with customers migrates: rows kept, numbers given, phone optional', () => {
  const file = join(dir, 'db.sqlite');
  const v1 = openDatabase({ file, migrationsFolder: v1Migrations() });
  const now = 1_767_600_000_000;
  v1.sqlite.prepare("insert into users (username, display_name, password_hash, roles, created_at, updated_at) values ('a1001', 'Agent', 'x', '[\"agent\"]', ?, ?)").run(now, now);
  const ins = v1.sqlite.prepare('insert into customers (name, phone, vip_level, preferred_agent, notes, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)');
  ins.run('VIP Customer', '13800000001', 1, 'a1001', 'Demo VIP customer', now, now);
  ins.run('Regular Customer', '13800000002', 0, null, null, now, now);
  expect(() => ins.run('No phone', null, 0, null, null, now, now)).toThrow(/NOT NULL/);
  v1.close();

  const v2 = openDatabase({ file });
  try {
    const repos = createRepositories(v2.db);
    expect(repos.customers.findByPhone('13800000001')).toMatchObject({ id: 1, customerNumber: '10000001', name: 'VIP Customer', vipLevel: 1, preferredAgent: 'a1001', balance: '0.00', language: null, notes: 'Demo VIP customer' });
    expect(repos.customers.findByNumber('10000002')).toMatchObject({ id: 2, phone: '13800000002', vipLevel: 0, preferredAgent: null });
    // Customer-based routing's lookup is unchanged.
    expect(repos.customers.findByPhone('13800000009')).toBeNull();
    const c = repos.customers.create({ name: 'No phone', customerNumber: '10000003', balance: '20000', phone: null });
    expect(c).toMatchObject({ phone: null, balance: '20000.00' });
    expect(v2.sqlite.pragma('foreign_key_check')).toEqual([]);
    // The foreign key still sets the preferred agent to null when the user goes.
    v2.sqlite.prepare("delete from users where username = 'a1001'").run();
    expect(repos.customers.findByNumber('10000001')?.preferredAgent).toBeNull();
    for (const t of ['ivr_schedules', 'voicemails', 'webhook_deliveries', 'ivr_collected', 'ivr_events']) {
      expect(v2.sqlite.prepare(`select count(*) from ${t}`).pluck().get()).toBe(0);
    }
  } finally {
    v2.close();
  }
});

it('balances are exact: decimal strings in, integer cents stored, two places out', () => {
  const db = openDatabase({ file: join(dir, 'balances.sqlite') });
  try {
    const repos = createRepositories(db.db);
    const cases: [string, string, number][] = [
      ['1005.30', '1005.30', 100530],
      ['0.5', '0.50', 50],
      ['-3.5', '-3.50', -350],
      ['20000', '20000.00', 2_000_000],
      ['0.07', '0.07', 7],
    ];
    cases.forEach(([input, shown, cents], i) => {
      const c = repos.customers.create({ name: `c${i}`, customerNumber: String(i), balance: input });
      expect(c.balance).toBe(shown);
      expect(db.sqlite.prepare('select balance_cents from customers where id = ?').pluck().get(c.id)).toBe(cents);
    });
    for (const bad of ['1.234', '1e3', '01.00', '', '.5', '--1']) expect(() => repos.customers.create({ name: 'x', balance: bad })).toThrow(/not a decimal amount/);
    expect(() => repos.customers.create({ name: 'dup', customerNumber: '1' })).toThrow(/customer number 1 exists/);
  } finally {
    db.close();
  }
});
