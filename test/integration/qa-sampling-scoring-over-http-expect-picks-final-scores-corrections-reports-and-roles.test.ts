/**
 * QA end to end over HTTP against the real daemon: a form, a plan, recordings of one ISO week
 * (inserted directly: capture is not this test's subject), sampling (N per agent, short ones
 * skipped, flagged always, idempotent top-up), claim, scoring, a correction, the reports, and
 * the roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWeekRange } from '../../src/recording/qa/iso-week.ts';
import { startWorld, type World } from '../helpers/world.ts';

let world: World;
const tokens: Record<string, string> = {};
const WEEK = '2026-W49';
const weekStart = isoWeekRange(WEEK)!.start;

/** A closed recording with its agents' legs, written as capture would. */
function insertRecording(id: string, agents: string[], durationS: number, queue = 'sales', startOffsetMs = 3_600_000): void {
  const db = world.daemon.storage.sqlite;
  const startedAt = weekStart + startOffsetMs;
  db.prepare(
    `INSERT INTO recordings (id, call_id, started_at, ended_at, duration_ms, direction, caller, callee, queue, tier, status, created_at)
     VALUES (?, ?, ?, ?, ?, 'inbound', '13800000001', '8000', ?, 'hot', 'closed', ?)`,
  ).run(id, `call-${id}`, startedAt, startedAt + durationS * 1000, durationS * 1000, queue, startedAt);
  agents.forEach((agent, i) => {
    db.prepare('INSERT INTO recording_agents (recording_id, agent, extension, from_ms, to_ms, started_at) VALUES (?, ?, ?, ?, ?, ?)').run(id, agent, String(2001 + i), i * 1000, durationS * 1000, startedAt);
  });
}

async function login(username: string, password = `demo-${username}`): Promise<string> {
  const r = await world.http('POST', '/api/v1/auth/login', { body: { username, password } });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

const api = (who: string, method: string, path: string, body?: object) => world.http(method, path, { token: tokens[who]!, ...(body ? { body } : {}) });

beforeAll(async () => {
  world = await startWorld();
  for (const u of ['admin', 'sup1', 'qa1', 'a1001']) tokens[u] = await login(u);
  const created = await api('admin', 'POST', '/api/v1/admin/users', { username: 'qa2', displayName: 'Quality 2', password: 'qa2-password', roles: ['qa'] });
  expect(created.status).toBe(201);
  tokens.qa2 = await login('qa2', 'qa2-password');
  // a1001: 6 long calls, 2 short; a1002: 2 long calls; one call shared by both; a support call.
  for (let i = 0; i < 6; i++) insertRecording(`r1-${i}`, ['a1001'], 120);
  insertRecording('r1-short-a', ['a1001'], 10);
  insertRecording('r1-short-b', ['a1001'], 5);
  insertRecording('r2-0', ['a1002'], 90);
  insertRecording('r2-1', ['a1002'], 90);
  insertRecording('shared', ['a1001', 'a1002'], 300);
  insertRecording('support-0', ['a1002'], 300, 'support');
  // Outside the week: never picked.
  insertRecording('next-week', ['a1001'], 300, 'sales', 8 * 86_400_000);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('QA over HTTP', () => {
  let formId: number;
  let planId: number;

  it('forms: admin creates (weights sum to 100, ids unique), PUT bumps the version; qa reads; others 403', async () => {
    const items = [
      { id: 'greet', label: 'Greeting', weight: 20 },
      { id: 'solve', label: 'Solved it', weight: 50 },
      { id: 'close', label: 'Closing', weight: 30 },
    ];
    const bad = await api('admin', 'POST', '/api/v1/qa/forms', { name: 'Calls', items: [{ id: 'a', label: 'A', weight: 90 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'WEIGHTS_NOT_100' } });
    const dup = await api('admin', 'POST', '/api/v1/qa/forms', { name: 'Calls', items: [...items.slice(0, 2), { id: 'greet', label: 'x', weight: 30 }] });
    expect(dup.body.error.details.reason).toBe('DUPLICATE_ITEM');
    const unknownField = await api('admin', 'POST', '/api/v1/qa/forms', { name: 'Calls', items, colour: 'red' });
    expect(unknownField.status).toBe(400);
    const created = await api('admin', 'POST', '/api/v1/qa/forms', { name: 'Calls', items: [{ id: 'greet', label: 'Greeting', weight: 100 }] });
    expect(created.status).toBe(201);
    expect(created.body.version).toBe(1);
    formId = created.body.id;
    const put = await api('admin', 'PUT', `/api/v1/qa/forms/${formId}`, { name: 'Calls', items });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: formId, version: 2, items });
    expect((await api('qa1', 'GET', `/api/v1/qa/forms/${formId}`)).body.version).toBe(2);
    expect((await api('qa1', 'GET', '/api/v1/qa/forms')).body.items).toHaveLength(1);
    expect((await api('qa1', 'POST', '/api/v1/qa/forms', { name: 'x', items })).status).toBe(403);
    expect((await api('a1001', 'GET', '/api/v1/qa/forms')).status).toBe(403);
    expect((await world.http('GET', '/api/v1/qa/forms')).status).toBe(401);
    expect((await api('admin', 'GET', '/api/v1/qa/forms/999')).status).toBe(404);
  });

  it('plans: admin only; a plan names an existing form', async () => {
    const bad = await api('admin', 'POST', '/api/v1/qa/plans', { name: 'weekly', formId: 999, perAgentPerWeek: 2 });
    expect(bad.body.error).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'UNKNOWN_FORM' } });
    expect((await api('admin', 'POST', '/api/v1/qa/plans', { name: 'weekly', formId, perAgentPerWeek: 0 })).status).toBe(400);
    const created = await api('admin', 'POST', '/api/v1/qa/plans', { name: 'weekly', formId, perAgentPerWeek: 1, minDurationS: 30, queues: ['sales'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ formId, perAgentPerWeek: 1, minDurationS: 30, queues: ['sales'], enabled: true });
    planId = created.body.id;
    expect((await api('qa1', 'GET', '/api/v1/qa/plans')).status).toBe(403);
    expect((await api('admin', 'GET', `/api/v1/qa/plans/${planId}`)).body.name).toBe('weekly');
  });

  it('flags: supervisors flag (audited), agents cannot; sampling picks N per agent plus every flagged one, and tops up', async () => {
    expect((await api('a1001', 'POST', '/api/v1/recordings/r1-short-a/flag', { reason: 'complaint' })).status).toBe(403);
    expect((await api('sup1', 'POST', '/api/v1/recordings/nope/flag', {})).status).toBe(404);
    const flag = await api('sup1', 'POST', '/api/v1/recordings/r1-short-a/flag', { reason: 'complaint' });
    expect(flag.status).toBe(201);
    expect((await api('sup1', 'POST', '/api/v1/recordings/r2-0/flag', {})).status).toBe(201);
    expect((await api('sup1', 'DELETE', '/api/v1/recordings/r2-0/flag')).status).toBe(204);
    const audit = await api('admin', 'GET', '/api/v1/admin/audit?limit=50');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['recording.flag', 'recording.unflag', 'qaForm.create', 'qaForm.update', 'qaPlan.create']));

    expect((await api('admin', 'POST', `/api/v1/qa/plans/${planId}/sample`, { week: '2026-W54' })).body.error.details.reason).toBe('BAD_WEEK');
    expect((await api('qa1', 'POST', `/api/v1/qa/plans/${planId}/sample`, { week: WEEK })).status).toBe(403);
    const first = await api('admin', 'POST', `/api/v1/qa/plans/${planId}/sample`, { week: WEEK, seed: 7 });
    expect(first.status).toBe(200);
    const added = first.body.added as { recordingId: string; agent: string; reason: string; week: string }[];
    expect(added.every((a) => a.week === WEEK)).toBe(true);
    expect(added.filter((a) => a.reason === 'flagged').map((a) => a.recordingId)).toEqual(['r1-short-a']);
    const random = added.filter((a) => a.reason === 'random');
    expect(random.filter((a) => a.agent === 'a1001')).toHaveLength(1);
    expect(random.filter((a) => a.agent === 'a1002')).toHaveLength(1);
    for (const a of random) expect(a.recordingId).not.toMatch(/short|support|next-week/);
    // Again: nothing more (N reached).
    expect((await api('admin', 'POST', `/api/v1/qa/plans/${planId}/sample`, { week: WEEK })).body.added).toEqual([]);
    // N raised to 2: tops up by one per agent, never beyond.
    expect((await api('admin', 'PUT', `/api/v1/qa/plans/${planId}`, { perAgentPerWeek: 2 })).status).toBe(200);
    const top = await api('admin', 'POST', `/api/v1/qa/plans/${planId}/sample`, { week: WEEK });
    expect(top.body.added.filter((a: { agent: string }) => a.agent === 'a1001')).toHaveLength(1);
    expect(top.body.added.filter((a: { agent: string }) => a.agent === 'a1002').length).toBeLessThanOrEqual(1);
    const queue = await api('qa1', 'GET', '/api/v1/qa/queue?limit=500');
    const ids = queue.body.items.map((q: { recordingId: string }) => q.recordingId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(queue.body.items.filter((q: { agent: string; reason: string }) => q.agent === 'a1001' && q.reason === 'random')).toHaveLength(2);
    // Each pick names the form its plan scores on: a grader is shown that one.
    expect(queue.body.items.every((q: { planId: number; formId: number }) => q.planId === planId && q.formId === formId)).toBe(true);
  });

  it('queue: paged with a cursor, filtered; claim assigns to self, 409 for another qa user', async () => {
    const p1 = await api('sup1', 'GET', '/api/v1/qa/queue?limit=2');
    expect(p1.status).toBe(200);
    expect(p1.body.items).toHaveLength(2);
    const p2 = await api('sup1', 'GET', `/api/v1/qa/queue?limit=2&cursor=${p1.body.nextCursor}`);
    expect(p2.body.items[0].id).toBeGreaterThan(p1.body.items[1].id);
    expect((await api('sup1', 'GET', '/api/v1/qa/queue?cursor=zzz')).body.error.details.reason).toBe('BAD_CURSOR');
    expect((await api('a1001', 'GET', '/api/v1/qa/queue')).status).toBe(403);
    const mine = (await api('qa1', 'GET', '/api/v1/qa/queue?agent=a1001&status=open')).body.items;
    expect(mine.length).toBeGreaterThan(0);
    const entry = mine[0];
    const claim = await api('qa1', 'POST', `/api/v1/qa/queue/${entry.id}/claim`);
    expect(claim.status).toBe(200);
    expect(claim.body.assignedTo).toBe('qa1');
    expect((await api('qa1', 'POST', `/api/v1/qa/queue/${entry.id}/claim`)).status).toBe(200);
    const other = await api('qa2', 'POST', `/api/v1/qa/queue/${entry.id}/claim`);
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'CONFLICT', details: { reason: 'CLAIMED', assignedTo: 'qa1' } });
    expect((await api('sup1', 'POST', `/api/v1/qa/queue/${entry.id}/claim`)).status).toBe(403);
    expect((await api('qa1', 'GET', '/api/v1/qa/queue?assignedTo=qa1')).body.items.map((q: { id: number }) => q.id)).toEqual([entry.id]);
  });

  it('scores: validated, final, corrected by a new row; reports use the latest of a chain', async () => {
    const entry = (await api('qa1', 'GET', '/api/v1/qa/queue?assignedTo=qa1')).body.items[0];
    const rec = entry.recordingId as string;
    const items = (g: number, s: number, c: number) => [
      { itemId: 'greet', score: g },
      { itemId: 'solve', score: s },
      { itemId: 'close', score: c },
    ];
    const missing = await api('qa1', 'POST', '/api/v1/qa/scores', { recordingId: rec, queueId: entry.id, items: items(1, 2, 3).slice(1) });
    expect(missing.body.error).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'MISSING_ITEMS' } });
    const late = await api('qa1', 'POST', '/api/v1/qa/scores', { recordingId: rec, queueId: entry.id, items: items(1, 2, 3), comments: [{ atMs: 10_000_000, text: 'x' }] });
    expect(late.body.error.details.reason).toBe('COMMENT_OUT_OF_RANGE');
    expect((await api('qa2', 'POST', '/api/v1/qa/scores', { recordingId: rec, queueId: entry.id, items: items(1, 2, 3) })).status).toBe(409);
    expect((await api('sup1', 'POST', '/api/v1/qa/scores', { recordingId: rec, queueId: entry.id, items: items(1, 2, 3) })).status).toBe(403);

    const scored = await api('qa1', 'POST', '/api/v1/qa/scores', { recordingId: rec, queueId: entry.id, items: items(100, 75, 33), comments: [{ atMs: 1500, text: 'good greeting' }] });
    expect(scored.status).toBe(201);
    expect(scored.body).toMatchObject({ agent: 'a1001', grader: 'qa1', formId, formVersion: 2, total: 67.4, queueId: entry.id, corrects: null });
    expect((await api('qa1', 'GET', `/api/v1/qa/queue?assignedTo=qa1`)).body.items[0].status).toBe('scored');
    // Final: no update or delete route, and the entry cannot be scored twice.
    expect((await api('qa1', 'PUT', `/api/v1/qa/scores/${scored.body.id}`, {})).status).toBe(404);
    expect((await api('qa1', 'DELETE', `/api/v1/qa/scores/${scored.body.id}`)).status).toBe(404);
    expect((await api('qa1', 'POST', '/api/v1/qa/scores', { recordingId: rec, queueId: entry.id, items: items(1, 2, 3) })).body.error.details.reason).toBe('ALREADY_SCORED');

    // A correction by someone else (not admin) is refused; by the grader it is a new row.
    expect((await api('qa2', 'POST', '/api/v1/qa/scores', { recordingId: rec, corrects: scored.body.id, items: items(0, 0, 0) })).status).toBe(403);
    const fix = await api('qa1', 'POST', '/api/v1/qa/scores', { recordingId: rec, corrects: scored.body.id, items: items(100, 100, 50) });
    expect(fix.status).toBe(201);
    expect(fix.body).toMatchObject({ corrects: scored.body.id, total: 85, agent: 'a1001' });
    expect((await api('qa1', 'POST', '/api/v1/qa/scores', { recordingId: rec, corrects: scored.body.id, items: items(1, 1, 1) })).body.error.details.reason).toBe('ALREADY_CORRECTED');
    const byAdmin = await api('admin', 'POST', '/api/v1/qa/scores', { recordingId: rec, corrects: fix.body.id, items: items(90, 90, 90) });
    expect(byAdmin.status).toBe(201);

    // A score without a queue entry: the form named, the recording's one agent.
    const direct = await api('qa2', 'POST', '/api/v1/qa/scores', { recordingId: 'r2-1', formId, items: items(50, 50, 50) });
    expect(direct.status).toBe(201);
    expect(direct.body).toMatchObject({ agent: 'a1002', total: 50, queueId: null });
    expect((await api('qa2', 'POST', '/api/v1/qa/scores', { recordingId: 'shared', formId, items: items(50, 50, 50) })).body.error.details.reason).toBe('AGENT_REQUIRED');

    const list = await api('sup1', 'GET', '/api/v1/qa/scores?agent=a1001');
    expect(list.body.items.map((s: { id: number; superseded: boolean }) => [s.id, s.superseded])).toEqual([
      [scored.body.id, true],
      [fix.body.id, true],
      [byAdmin.body.id, false],
    ]);
    expect((await api('a1001', 'GET', '/api/v1/qa/scores')).status).toBe(403);

    const agents = await api('sup1', 'GET', '/api/v1/qa/reports/agents');
    expect(agents.body.items).toEqual([
      { agent: 'a1001', callsScored: 1, averageTotal: 90, minTotal: 90, maxTotal: 90, items: { close: 90, greet: 90, solve: 90 } },
      { agent: 'a1002', callsScored: 1, averageTotal: 50, minTotal: 50, maxTotal: 50, items: { close: 50, greet: 50, solve: 50 } },
    ]);
    const graders = await api('qa1', 'GET', '/api/v1/qa/reports/graders');
    expect(graders.body.items).toEqual([
      { grader: 'admin', scoresGiven: 0, averageTotal: 90, correctionsMade: 1 },
      { grader: 'qa1', scoresGiven: 1, averageTotal: null, correctionsMade: 1 },
      { grader: 'qa2', scoresGiven: 1, averageTotal: 50, correctionsMade: 0 },
    ]);
    const empty = await api('admin', 'GET', '/api/v1/qa/reports/agents?from=2000-01-01&to=2000-01-02');
    expect(empty.body.items).toEqual([]);
    expect((await api('admin', 'GET', '/api/v1/qa/reports/agents?from=yesterday')).body.error.details.reason).toBe('BAD_TIME');
    expect((await api('a1001', 'GET', '/api/v1/qa/reports/graders')).status).toBe(403);
  });
});
