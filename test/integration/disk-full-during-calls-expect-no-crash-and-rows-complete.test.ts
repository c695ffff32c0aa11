/**
 * Disk full during calls → no crash, rows complete afterwards. The daemon's own SQLite connection
 * is held at its current size (PRAGMA max_page_count), which is how SQLite meets a full disk: every
 * write that needs a new page fails with SQLITE_FULL. Calls keep being routed and answered over
 * the real switch link; /health says the database is degraded; a subscribed supervisor is told.
 * When space is back, every call row, agent state interval and routing decision is written, once
 * and complete.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.ts';
import type { WsClient } from '../helpers/ws-client.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

/** One inbound call to the sales pilot, offered to the agent, answered, hung up by the caller. */
async function answeredCall(agent: WsClient, caller: string): Promise<string> {
  const simCallId = await w.dial(caller, '8000');
  const offered = await agent.waitFor('call.offered', (d) => d.from === caller);
  const callId: string = offered.data.callId;
  await agent.call('call.answer', { callId });
  await agent.waitFor('call.established', (d) => d.callId === callId && d.state === 'connected');
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  await agent.waitFor('call.cleared', (d) => d.callId === callId);
  await agent.waitFor('agent.state', (d) => d.state === 'ready' && agent.events.some((e) => e.event === 'call.cleared' && e.data.callId === callId));
  return callId;
}

it('calls are routed and answered while every write fails; the supervisor is told; afterwards every row is there once', async () => {
  const sup = await w.login('sup1');
  await sup.call('supervisor.subscribe', {});
  const agent = await w.readyAgent('a1001');
  const t0 = Date.now();
  const storage = w.daemon.storage;

  // The disk is full from now on.
  const pages = storage.sqlite.pragma('page_count', { simple: true }) as number;
  storage.sqlite.pragma(`max_page_count = ${pages}`);

  // Calls go on; within the first few the database runs out of pages it may take.
  const callIds: string[] = [];
  for (let i = 0; i < 10 && storage.writes().state === 'ok'; i++) callIds.push(await answeredCall(agent, `1390000${String(1000 + i)}`));
  expect(storage.writes().state).toBe('degraded');

  const health = await w.http('GET', '/health');
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ status: 'degraded', pbx: 'up', db: 'degraded', dbError: 'SQLITE_FULL' });
  expect(health.body.dbBacklog).toBeGreaterThan(0);
  const alarm = await sup.waitFor('error', (d) => d.code === 'DB_DEGRADED');
  expect(alarm.data).toMatchObject({ lastError: 'SQLITE_FULL', message: expect.stringContaining('SQLITE_FULL') });
  await sup.waitFor('db.status', (d) => d.db === 'degraded');

  // Degraded, and still serving: three more calls routed, answered and cleared, the session open.
  for (let i = 0; i < 3; i++) callIds.push(await answeredCall(agent, `1391000${String(1000 + i)}`));
  expect((await w.http('GET', '/health')).body.db).toBe('degraded');
  expect(await sup.call('supervisor.snapshot', {})).toBeTruthy();
  // Nothing of the calls made while degraded reached the database yet.
  expect(storage.repos.calls.get(callIds.at(-1)!)).toBeNull();

  // Space is back: the backlog drains by itself.
  storage.sqlite.pragma('max_page_count = 1073741823');
  await sup.waitFor('db.status', (d) => d.db === 'ok', 10_000);
  await eventually(async () => (await w.http('GET', '/health')).body.db === 'ok', 5000);
  expect(storage.writes()).toMatchObject({ state: 'ok', backlog: 0, rejected: 0, shed: {} });

  // Every call row complete, once (a normal clearing leaves `cause` null, as in a healthy run).
  for (const id of callIds) {
    expect(storage.repos.calls.get(id)).toMatchObject({ id, queueId: 'sales', agents: ['a1001'], firstAgent: 'a1001', outcome: 'answered', cause: null, direction: 'inbound', toNumber: '8000' });
    const row = storage.repos.calls.get(id)!;
    expect(row.endedAt).toBeGreaterThanOrEqual(row.answeredAt!);
    expect(row.talkMs).toBeGreaterThanOrEqual(0);
  }
  const count = (sql: string, ...args: unknown[]) => storage.sqlite.prepare(sql).pluck().get(...args) as number;
  const placeholders = callIds.map(() => '?').join(',');
  expect(count(`select count(*) from calls where id in (${placeholders})`, ...callIds)).toBe(callIds.length);
  // One assignment per call, once.
  for (const id of callIds) expect(storage.repos.routingDecisions.forCall(id).map((d) => [d.kind, d.agent])).toEqual([['assign', 'a1001']]);
  expect(count(`select count(*) from routing_decisions where call_id in (${placeholders})`, ...callIds)).toBe(callIds.length);
  // The agent's state intervals: reserved, busy, ready for each call, chained, none twice.
  const states = storage.repos.stateLog.listForAgent('a1001', t0).filter((r) => r.startedAt >= t0);
  expect(states.map((r) => r.state)).toEqual(callIds.flatMap(() => ['reserved', 'busy', 'ready']));
  for (let i = 0; i < states.length - 1; i++) expect(states[i]!.endedAt).toBe(states[i + 1]!.startedAt);
  expect(states.at(-1)!.endedAt).toBeNull();
  expect(states.filter((r) => r.state === 'reserved').map((r) => r.callId)).toEqual(callIds);
  // History by agent (call_agents, kept by trigger) finds them all.
  expect(storage.repos.calls.search({ handledBy: 'a1001', from: t0 }).map((r) => r.id).sort()).toEqual([...callIds].sort());
}, 60_000);
