import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findMigrationsFolder, openDatabase } from '../../src/storage/database.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';

let t: TempDatabase | undefined;
afterEach(() => {
  t?.dispose();
  t = undefined;
});

describe('openDatabase', () => {
  it('creates the parent folder and applies every migration to an empty file', () => {
    t = openTempDatabase();
    expect(existsSync(t.file)).toBe(true);
    const tables = t.sqlite
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'access_ledger',
      'agent_skills',
      'agent_state_log',
      'agents',
      'audit_log',
      'auth_tokens',
      'call_agents',
      'calls',
      'customers',
      'daemon_runs',
      'ivr_collected',
      'ivr_events',
      'ivr_schedules',
      'pilot_numbers',
      'qa_forms',
      'qa_plans',
      'qa_queue',
      'qa_scores',
      'queue_agents',
      'queue_skills',
      'queues',
      'recording_agents',
      'recording_flags',
      'recording_moves',
      'recording_pauses',
      'recording_policies',
      'recording_tags',
      'recordings',
      'routing_decisions',
      'skills',
      'teams',
      'users',
      'voicemails',
      'webhook_deliveries',
      'write_batches',
      'ws_sessions',
    ]);
    const applied = t.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get();
    expect(applied).toBeGreaterThanOrEqual(1);
  });

  it('sets WAL, synchronous=NORMAL, foreign keys and a busy timeout', () => {
    t = openTempDatabase();
    expect(t.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(t.sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(t.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(t.sqlite.pragma('busy_timeout', { simple: true })).toBe(1000);
  });

  it('opens an existing database again without re-applying migrations, keeping the data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-reopen-'));
    try {
      const file = join(dir, 'db.sqlite');
      const first = openDatabase({ file });
      first.sqlite.prepare("insert into skills (name) values ('sales')").run();
      const applied = first.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get();
      first.close();
      const second = openDatabase({ file });
      expect(second.sqlite.prepare('select name from skills').pluck().all()).toEqual(['sales']);
      expect(second.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get()).toBe(applied);
      second.close();
      second.close(); // idempotent
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('works in memory', () => {
    const h = openDatabase({ file: ':memory:' });
    expect(h.sqlite.prepare('select count(*) from users').pluck().get()).toBe(0);
    h.close();
  });

  it('finds the migrations folder from a nested module folder, e.g. dist/storage', () => {
    const root = findMigrationsFolder();
    expect(existsSync(join(root, 'meta', '_journal.json'))).toBe(true);
    expect(findMigrationsFolder(join(root, '..', 'dist', 'storage'))).toBe(root);
    expect(() => findMigrationsFolder(tmpdir())).toThrow(/no migrations/);
  });

  it('enforces foreign keys', () => {
    t = openTempDatabase();
    expect(() => t!.sqlite.prepare('insert into agents (user_id) values (999)').run()).toThrow(/FOREIGN KEY/);
  });
});

describe('test support', () => {
  it('reset empties every table and restarts ids, keeping the schema', async () => {
    t = openTempDatabase();
    const first = await t.repos.users.create({ username: 'x', displayName: 'X', password: 'p', roles: ['agent'] });
    t.repos.calls.insert({ id: 'c', pbxCallIds: [], direction: 'inbound', fromNumber: '1', toNumber: '2', dialledNumber: '2', queueId: null, customerId: null, agents: [], firstAgent: null, offeredAt: 1, queuedAt: null, answeredAt: null, endedAt: null, waitMs: null, talkMs: null, holdMs: 0, outcome: null, cause: null, hasCallData: false, leftTo: null, callerName: null });
    t.clock.advance(10);
    t.reset();
    expect(t.repos.users.list()).toEqual([]);
    expect(t.repos.calls.get('c')).toBeNull();
    expect(t.repos.agents.list()).toEqual([]);
    expect((await t.repos.users.create({ username: 'y', displayName: 'Y', password: 'p', roles: [] })).id).toBe(first.id);
    expect(t.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});
