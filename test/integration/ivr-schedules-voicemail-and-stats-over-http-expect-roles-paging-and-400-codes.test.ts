/**
 * The IVR's HTTP side on the real daemon (port 0, temp data dir, demo centre):
 * business-hours schedules (demo `main` always open; PUT by an admin bumps the version, is audited
 * and reaches the engine's ScheduleBook at once; bad schedules 400 INVALID_SCHEDULE; supervisors
 * read, only admins write), voicemail stored through `storage.ivr.voicemail.store` listed newest
 * first with keyset paging and announced to a webhook, and IVR statistics from recorded events.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IvrStatEvent } from '../../src/ivr/statistics/types.ts';
import { adminToken, supervisorToken } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
let admin: string;
let sup: string;
let agent: string;
let hook: Server;
const received: any[] = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  w = await startWorld({ config: { voicemailWebhooks: [`http://127.0.0.1:${(hook.address() as AddressInfo).port}/voicemail`] } });
  admin = await adminToken(w);
  sup = await supervisorToken(w);
  agent = (await w.http('POST', '/api/v1/auth/login', { body: { username: 'a1001', password: 'demo-a1001' } })).body.token;
});
afterAll(async () => {
  await w?.close();
  hook?.closeAllConnections();
  await new Promise((r) => hook?.close(r));
});

const hours = { timeZone: 'Asia/Shanghai', weekly: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']] }, holidays: [{ date: '2026-10-01', name: 'National Day' }] };

describe('business-hours schedules', () => {
  it('the demo schedule main is always open, readable by supervisors', async () => {
    const r = await w.http('GET', '/api/v1/ivr/schedules', { token: sup });
    expect(r.status).toBe(200);
    expect(r.body.schedules).toEqual([expect.objectContaining({ id: 'main', version: 1, updatedBy: 'system', schedule: expect.objectContaining({ alwaysOpen: true }), now: { open: true, reason: 'alwaysOpen', nextChangeAt: null } })]);
    expect((await w.http('GET', '/api/v1/ivr/schedules/main', { token: admin })).body).toMatchObject({ id: 'main', version: 1 });
    expect(w.daemon.storage.ivr.schedules.isOpen('main', Date.now())).toEqual({ open: true, reason: 'alwaysOpen' });
  });

  it('PUT by an admin: version + 1, audited, the engine sees it at once', async () => {
    const r = await w.http('PUT', '/api/v1/ivr/schedules/main', { token: admin, body: hours });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ id: 'main', version: 2, updatedBy: 'admin', schedule: hours, now: { open: expect.any(Boolean), nextChangeAt: expect.any(String) } });
    // Monday 2026-12-07 10:00 in Shanghai is open; Wednesday is not.
    expect(w.daemon.storage.ivr.schedules.isOpen('main', Date.parse('2026-12-07T02:00:00Z'))).toMatchObject({ open: true, reason: 'openHours' });
    expect(w.daemon.storage.ivr.schedules.isOpen('main', Date.parse('2026-12-09T02:00:00Z'))).toMatchObject({ open: false, reason: 'closedHours' });
    const audit = await w.http('GET', '/api/v1/admin/audit?limit=5', { token: admin });
    expect(audit.body.items ?? audit.body.entries ?? audit.body).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'admin', action: 'ivrSchedule.update', target: 'main' })]));
    // A new schedule starts at version 1.
    expect((await w.http('PUT', '/api/v1/ivr/schedules/support-hours', { token: admin, body: { timeZone: 'America/New_York', weekly: {} } })).body).toMatchObject({ version: 1 });
    expect(w.daemon.storage.ivr.schedules.get('support-hours')?.version).toBe(1);
  });

  it('If-Match: a stale version is 409, the current one passes', async () => {
    const cur = (await w.http('GET', '/api/v1/ivr/schedules/main', { token: admin })).body.version as number;
    const res = await fetch(`${w.daemon.url}/api/v1/ivr/schedules/main`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'if-match': String(cur - 1) }, body: JSON.stringify(hours) });
    expect(res.status).toBe(409);
    const ok = await fetch(`${w.daemon.url}/api/v1/ivr/schedules/main`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'if-match': String(cur) }, body: JSON.stringify(hours) });
    expect(ok.status).toBe(200);
  });

  it('bad schedules: 400 BAD_REQUEST, reason INVALID_SCHEDULE with the problems; unknown fields 400', async () => {
    const r = await w.http('PUT', '/api/v1/ivr/schedules/main', { token: admin, body: { timeZone: 'Asia/Shanghai', weekly: { mon: [['08:00', '12:00'], ['11:00', '18:00']] } } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'INVALID_SCHEDULE', problems: ['weekly.mon: ranges [0] "08:00"–"12:00" and [1] "11:00"–"18:00" overlap'] } });
    expect((await w.http('PUT', '/api/v1/ivr/schedules/main', { token: admin, body: { timeZone: 'Nowhere/City', weekly: {} } })).body.error.details.reason).toBe('INVALID_SCHEDULE');
    expect((await w.http('PUT', '/api/v1/ivr/schedules/main', { token: admin, body: { ...hours, colour: 'red' } })).body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/not a known field/) });
    expect((await w.http('PUT', '/api/v1/ivr/schedules/Main!', { token: admin, body: hours })).status).toBe(400);
    // Nothing of that reached the engine.
    expect(w.daemon.storage.ivr.schedules.get('main')?.schedule).toEqual(hours);
  });

  it('roles: supervisors read but do not write; agents neither; no token 401', async () => {
    expect((await w.http('PUT', '/api/v1/ivr/schedules/main', { token: sup, body: hours })).body.error.code).toBe('FORBIDDEN');
    expect((await w.http('PUT', '/api/v1/ivr/schedules/main', { token: sup, body: { bogus: true } })).status).toBe(403);
    expect((await w.http('GET', '/api/v1/ivr/schedules', { token: agent })).status).toBe(403);
    expect((await w.http('GET', '/api/v1/ivr/schedules')).status).toBe(401);
    expect((await w.http('GET', '/api/v1/ivr/schedules/nope', { token: sup })).status).toBe(404);
  });
});

describe('voicemail', () => {
  const base = Date.parse('2026-12-01T10:00:00Z');
  const stored: number[] = [];

  beforeAll(() => {
    for (let i = 0; i < 5; i++) {
      const row = w.daemon.storage.ivr.voicemail.store({ callId: `vm-${i}`, caller: `1380000000${i}`, mailbox: i === 4 ? '8121' : '8120', flow: 'voicemail', recordedAt: base + i * 60_000, durationMs: 1000 * (i + 1), path: `/tmp/vm-${i}.wav`, bytes: 8044 + i });
      stored.push(row.id);
    }
  });

  it('lists newest first, keyset-paged, filtered by mailbox and time', async () => {
    const p1 = await w.http('GET', '/api/v1/voicemail?mailbox=8120&limit=3', { token: sup });
    expect(p1.status).toBe(200);
    expect(p1.body.items.map((v: any) => v.callId)).toEqual(['vm-3', 'vm-2', 'vm-1']);
    expect(p1.body.items[0]).toEqual({ id: stored[3], callId: 'vm-3', caller: '13800000003', mailbox: '8120', flow: 'voicemail', recordedAt: '2026-12-01T10:03:00.000Z', durationMs: 4000, path: '/tmp/vm-3.wav', bytes: 8047 });
    const p2 = await w.http('GET', `/api/v1/voicemail?mailbox=8120&limit=3&cursor=${p1.body.nextCursor}`, { token: sup });
    expect(p2.body).toEqual({ items: [expect.objectContaining({ callId: 'vm-0' })], nextCursor: null });
    const all = await w.http('GET', '/api/v1/voicemail', { token: admin });
    expect(all.body.items.map((v: any) => v.callId)).toEqual(['vm-4', 'vm-3', 'vm-2', 'vm-1', 'vm-0']);
    const ranged = await w.http('GET', `/api/v1/voicemail?from=2026-12-01T10:01:00Z&to=${base + 2 * 60_000}`, { token: sup });
    expect(ranged.body.items.map((v: any) => v.callId)).toEqual(['vm-2', 'vm-1']);
  });

  it('bad values are 400 with a reason; agents are refused', async () => {
    expect((await w.http('GET', '/api/v1/voicemail?cursor=bm9wZQ', { token: sup })).body.error).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'BAD_CURSOR' } });
    expect((await w.http('GET', '/api/v1/voicemail?from=yesterday', { token: sup })).body.error).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'BAD_TIME', field: 'from' } });
    expect((await w.http('GET', '/api/v1/voicemail?limit=0', { token: sup })).status).toBe(400);
    expect((await w.http('GET', '/api/v1/voicemail?box=1', { token: sup })).status).toBe(400);
    expect((await w.http('GET', '/api/v1/voicemail', { token: agent })).status).toBe(403);
  });

  it('each message is announced to the configured webhook (voicemail.created, the row)', async () => {
    await eventually(() => received.length >= 5);
    expect(received.map((b) => b.data.callId).sort()).toEqual(['vm-0', 'vm-1', 'vm-2', 'vm-3', 'vm-4']);
    expect(received[0]).toMatchObject({ event: 'voicemail.created', at: expect.any(String), data: { mailbox: expect.any(String), recordedAt: expect.any(String) } });
    await eventually(() => w.daemon.storage.repos.webhookDeliveries.countByStatus().delivered === 5);
  });
});

describe('IVR statistics', () => {
  const T = Date.parse('2026-12-02T08:00:00Z');
  const ev = (dt: number, callId: string, kind: IvrStatEvent['kind'], node: string | null, extra: Partial<IvrStatEvent> = {}): IvrStatEvent => ({ at: T + dt, callId, flow: 'main', version: 1, node, kind, ...extra });

  beforeAll(async () => {
    const stats = w.daemon.storage.ivr.stats;
    for (const e of [
      ev(0, 's1', 'flowEnter', 'lang'),
      ev(0, 's1', 'nodeEnter', 'lang'),
      ev(3000, 's1', 'key', 'lang'),
      ev(3000, 's1', 'nodeEnter', 'menu'),
      ev(9000, 's1', 'invalid', 'menu'),
      ev(12_000, 's1', 'flowExit', 'menu', { outcome: 'queue', durationMs: 12_000 }),
      ev(3_600_000, 's2', 'flowEnter', 'lang'),
      ev(3_605_000, 's2', 'timeout', 'lang'),
      ev(3_610_000, 's2', 'flowExit', 'lang', { outcome: 'selfService', durationMs: 10_000 }),
      { ...ev(0, 'v1', 'flowEnter', 'pin'), flow: 'verify' },
    ]) {
      stats.record(e);
    }
    stats.flush();
    await eventually(() => (w.daemon.storage.sqlite.prepare('select count(*) from ivr_events').pluck().get() as number) === 10);
  });

  it('per flow, per node, per interval', async () => {
    const r = await w.http('GET', `/api/v1/ivr/stats?flow=main&from=2026-12-02T00:00:00Z&to=${T + 86_400_000}&interval=1h`, { token: sup });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ from: '2026-12-02T00:00:00.000Z', interval: '1h', intervalMs: 3_600_000 });
    expect(r.body.flows).toHaveLength(1);
    const main = r.body.flows[0];
    expect(main.totals).toMatchObject({ entries: 2, keys: 1, timeouts: 1, invalid: 1, avgTimeInFlowMs: 11_000, exits: expect.objectContaining({ queue: 1, selfService: 1, abandoned: 0 }) });
    expect(main.intervals.map((i: any) => [i.start, i.entries])).toEqual([
      ['2026-12-02T08:00:00.000Z', 1],
      ['2026-12-02T09:00:00.000Z', 1],
    ]);
    expect(main.intervals[0].nodes).toEqual([
      { node: 'lang', entries: 1, exits: {}, keys: 1, timeouts: 0, invalid: 0 },
      { node: 'menu', entries: 1, exits: { queue: 1 }, keys: 0, timeouts: 0, invalid: 1 },
    ]);
    const every = await w.http('GET', `/api/v1/ivr/stats?from=${T}&to=${T + 86_400_000}&interval=1d`, { token: admin });
    expect(every.body.flows.map((f: any) => f.flow)).toEqual(['main', 'verify']);
  });

  it('bad query strings are 400 with a reason; agents are refused', async () => {
    const bad = async (qs: string) => (await w.http('GET', `/api/v1/ivr/stats?${qs}`, { token: sup })).body.error;
    expect(await bad('interval=5m')).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await bad('from=2026-13-01')).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'BAD_TIME', field: 'from' } });
    expect(await bad('from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z')).toMatchObject({ details: { reason: 'BAD_RANGE' } });
    expect(await bad('from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&interval=15m')).toMatchObject({ details: { reason: 'RANGE_TOO_LONG', maxDays: 31 } });
    expect(await bad('flow=x&sql=1')).toMatchObject({ code: 'BAD_REQUEST' });
    expect((await w.http('GET', '/api/v1/ivr/stats', { token: agent })).status).toBe(403);
  });

  it('the stats read is an index range read on (flow, at)', async () => {
    const { rangeSql } = await import('../../src/storage/repositories/ivr-events.ts');
    const plan = (flow: string | null) => (w.daemon.storage.sqlite.prepare(`explain query plan ${rangeSql(flow)}`).all(...(flow === null ? [0, 1] : ['main', 0, 1])) as { detail: string }[]).map((p) => p.detail).join('\n');
    expect(plan('main')).toMatch(/SEARCH ivr_events USING INDEX ivr_events_flow_at_idx \(flow=\? AND at>\? AND at<\?\)/);
    expect(plan(null)).toMatch(/SEARCH ivr_events USING INDEX ivr_events_at_idx/);
  });
});
