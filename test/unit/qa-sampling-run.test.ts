import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/storage/database.ts';
import { QaRepository } from '../../src/storage/repositories/qa.ts';
import { runDailySampling, runSampling } from '../../src/recording/qa/run.ts';

let opened: OpenedDatabase | null = null;
afterEach(() => opened?.close());

function setup(now: number) {
  opened = openDatabase({ file: ':memory:' });
  const repo = QaRepository.onConnection(opened.sqlite, { now: () => now });
  const insert = (id: string, agent: string, startedAt: number, durationS = 120) => {
    opened!.sqlite
      .prepare(`INSERT INTO recordings (id, call_id, started_at, ended_at, duration_ms, direction, caller, callee, queue, tier, status, created_at) VALUES (?, ?, ?, ?, ?, 'inbound', '1', '2', 'sales', 'hot', 'closed', ?)`)
      .run(id, `c-${id}`, startedAt, startedAt + durationS * 1000, durationS * 1000, startedAt);
    opened!.sqlite.prepare('INSERT INTO recording_agents (recording_id, agent, extension, from_ms, to_ms, started_at) VALUES (?, ?, ?, 0, ?, ?)').run(id, agent, '2001', durationS * 1000, startedAt);
  };
  const form = repo.createForm({ name: 'f', items: [{ id: 'a', label: 'A', weight: 100 }] }, 'admin');
  return { repo, insert, form };
}

describe('sampling over the QA repository', () => {
  it('the daily run takes the current and the previous ISO week, across a year boundary, and repeats idempotently', () => {
    const now = Date.parse('2027-01-05T03:45:00Z'); // 2027-W01; previous week 2026-W53
    const { repo, insert, form } = setup(now);
    repo.createPlan({ name: 'p', formId: form.id, perAgentPerWeek: 2 }, 'admin');
    repo.createPlan({ name: 'off', formId: form.id, perAgentPerWeek: 2, enabled: false }, 'admin');
    for (let i = 0; i < 4; i++) insert(`w53-${i}`, 'a1001', Date.parse('2026-12-31T10:00:00Z') + i * 60_000);
    for (let i = 0; i < 4; i++) insert(`w01-${i}`, 'a1001', Date.parse('2027-01-04T10:00:00Z') + i * 60_000);
    insert('w52', 'a1001', Date.parse('2026-12-27T23:00:00Z'));
    const log = pino({ level: 'silent' });
    const results = runDailySampling(repo, now, log);
    expect(results.map((r) => r.week)).toEqual(['2026-W53', '2027-W01']);
    const queue = repo.listQueue({ limit: 100 }).items;
    expect(queue.filter((q) => q.week === '2026-W53' && q.recordingId.startsWith('w53-'))).toHaveLength(2);
    expect(queue.filter((q) => q.week === '2027-W01' && q.recordingId.startsWith('w01-'))).toHaveLength(2);
    expect(queue.some((q) => q.recordingId === 'w52')).toBe(false);
    expect(runDailySampling(repo, now, log).every((r) => r.added.length === 0)).toBe(true);
  });

  it('a seed gives the same picks; a flagged recording is added on top', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    const picksWith = (seed: number, flag?: string) => {
      const { repo, insert, form } = setup(now);
      for (let i = 0; i < 10; i++) insert(`r${i}`, 'a1001', Date.parse('2026-12-01T10:00:00Z') + i * 1000);
      if (flag) repo.flag(flag, 'sup1', 'complaint');
      const plan = repo.createPlan({ name: 'p', formId: form.id, perAgentPerWeek: 3, minDurationS: 30 }, 'admin');
      const r = runSampling(repo, plan, '2026-W49', seed);
      opened!.close();
      opened = null;
      return r.added.map((q) => `${q.recordingId}:${q.reason}`).sort();
    };
    expect(picksWith(5)).toEqual(picksWith(5));
    const flagged = picksWith(5, 'r9');
    expect(flagged.filter((p) => p.endsWith(':random'))).toHaveLength(3);
    expect(flagged).toContain('r9:flagged');
  });
});
