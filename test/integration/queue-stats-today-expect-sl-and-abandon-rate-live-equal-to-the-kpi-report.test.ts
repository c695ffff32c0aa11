/**
 * The wallboard's figures of today (`queue.stats` `today`, docs/api.md) on a real daemon and the
 * simulated switch, over a real WebSocket, in Asia/Shanghai: the sales queue set to T = 5 s,
 * S = 3 s (admin API; roomy, as a loaded machine takes over a second from offer to hang-up) takes
 * four calls — abandoned at once (short), abandoned after 5.5 s (long), answered after 5.5 s
 * (slow), answered at once (fast). The figures arrive live in `queue.stats`
 * as each call changes, equal those of `supervisor.snapshot` and `queue.list`, and equal what
 * `GET /api/v1/reports/kpi` gives for sales over the local day; a restarted daemon on the same
 * database shows them again (seeded from the calls rows), not zeros.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import { buildDaemon, type Daemon } from '../../src/daemon.ts';
import { buildSimulator, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import { intervalOf } from '../../src/reports/intervals.ts';
import { TEST_SCRYPT } from '../../src/storage/test-support.ts';
import { eventually } from '../helpers/world.ts';
import { WsClient } from '../helpers/ws-client.ts';
import { TEST_OVERLOAD } from '../helpers/config.ts';

const TZ = 'Asia/Shanghai';
let sim: Simulator;
let daemon: Daemon | null = null;
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-today-'));
const clients: WsClient[] = [];

async function start(): Promise<Daemon> {
  const silent = pino({ level: 'silent' });
  const base = defaultConfig();
  return buildDaemon(defaultConfig({ port: 0, dataDir, pbx: { kind: 'csta', host: '127.0.0.1', port: sim.cstaPort }, demo: true, logLevel: 'silent', overload: TEST_OVERLOAD, ivr: Object.freeze({ ...base.ivr, timeZone: TZ }) }), { scrypt: TEST_SCRYPT, logger: silent });
}

beforeAll(async () => {
  sim = await buildSimulator({ cstaPort: 0, controlPort: 0, config: {}, logger: pino({ level: 'silent' }) });
  daemon = await start();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await daemon?.close();
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function simApi(method: 'GET' | 'POST', path: string, body?: object): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${sim.controlPort}${path}`, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined });
  if (!res.ok) throw new Error(`sim ${method} ${path} → ${res.status}`);
  return res.json();
}

async function http(method: string, path: string, token?: string, body?: object): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body) headers['content-type'] = 'application/json';
  const res = await fetch(daemon!.url + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function token(username: string): Promise<string> {
  const r = await http('POST', '/api/v1/auth/login', undefined, { username, password: `demo-${username}` });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

async function login(username: string): Promise<WsClient> {
  const c = await WsClient.login(daemon!.wsUrl, username);
  clients.push(c);
  return c;
}

async function readyAgent(username: string, extension: string): Promise<WsClient> {
  const c = await login(username);
  await c.call('agent.signIn', { extension });
  await c.call('agent.setState', { state: 'ready' });
  await c.waitFor('agent.state', (d) => d.state === 'ready');
  return c;
}

/** A caller dials sales (8000) and is parked on its queue device (8900). */
async function queuedCaller(from: string): Promise<string> {
  const { simCallId } = await simApi('POST', '/sim/calls', { from, to: '8000' });
  await eventually(async () => (await simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId)?.connections.some((c: any) => c.deviceId === '8900' && c.state === 'queued'));
  return simCallId as string;
}

/** Past T (the wait counts from the call's offer, a little before this caller is queued). */
const WAIT_MS = 5500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('four calls: SL and abandon rate of today live in queue.stats and the snapshot, equal to the KPI report, and kept over a restart', async () => {
  const adminToken = await token('admin');
  const patched = await http('PATCH', '/api/v1/admin/queues/sales', adminToken, { kpi: { serviceLevelSeconds: 5, shortAbandonSeconds: 3, formula: 'answeredOfOfferedExclShort', targetServiceLevel: 0.8 } });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);

  const sup = await login('sup1');
  await sup.call('supervisor.subscribe');
  const day = intervalOf(Date.now(), 'day', TZ);
  const before = (await sup.call('supervisor.snapshot')).queues.find((q: any) => q.id === 'sales');
  expect(before.today).toMatchObject({ day: day.label, offered: 0, answered: 0, serviceLevel: null, abandonRate: null, slThresholdS: 5, shortAbandonS: 3, formula: 'SL = answered within 5 s / (answered + abandoned − abandoned within 3 s)' });

  // Abandoned at once: a short abandon.
  const short = await queuedCaller('13800000901');
  const waiting = await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.waiting === 1 && d.today?.offered === 1);
  expect(waiting.data.today).toMatchObject({ offered: 1, other: 1, abandoned: 0 });
  await simApi('POST', `/sim/calls/${short}/hangup`);
  await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.today?.abandoned === 1);

  // Abandoned after 5.5 s: past S and T.
  const long = await queuedCaller('13800000902');
  await sleep(WAIT_MS);
  await simApi('POST', `/sim/calls/${long}/hangup`);
  const twoAbandons = await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.today?.abandoned === 2);
  expect(twoAbandons.data.today).toMatchObject({ offered: 2, shortAbandoned: 1, serviceLevel: 0, abandonRate: 1 });

  // Answered after 5.5 s: nobody ready until then.
  const slow = await queuedCaller('13800000903');
  await sleep(WAIT_MS);
  const a1 = await readyAgent('a1001', '2001');
  const offer1 = await a1.waitFor('call.offered', (d) => d.from === '13800000903');
  await a1.call('call.answer', { callId: offer1.data.callId });
  await a1.waitFor('call.established', (d) => d.callId === offer1.data.callId);
  await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.today?.answered === 1);
  await simApi('POST', `/sim/calls/${slow}/hangup`);
  await a1.waitFor('call.cleared', (d) => d.callId === offer1.data.callId);

  // Answered at once by the ready agent.
  await a1.waitFor('agent.state', (d) => d.state === 'ready', 8000, a1.events.findIndex((e) => e.event === 'call.cleared'));
  const fastCall = await simApi('POST', '/sim/calls', { from: '13800000904', to: '8000' });
  const offer2 = await a1.waitFor('call.offered', (d) => d.from === '13800000904');
  await a1.call('call.answer', { callId: offer2.data.callId });
  await a1.waitFor('call.established', (d) => d.callId === offer2.data.callId);
  await simApi('POST', `/sim/calls/${fastCall.simCallId}/hangup`);

  // The live figures: SL = 1 / (2 + 2 − 1), abandon rate (2 − 1) / (4 − 1).
  const live = (await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.today?.answered === 2 && d.today?.other === 0)).data.today;
  expect(live).toMatchObject({ day: day.label, offered: 4, answered: 2, answeredWithinSl: 1, abandoned: 2, shortAbandoned: 1, abandonedWithinSl: 1, other: 0, slThresholdS: 5, shortAbandonS: 3, formulaId: 'answeredOfOfferedExclShort', targetServiceLevel: 0.8 });
  expect(live.serviceLevel).toBeCloseTo(1 / 3, 12);
  expect(live.abandonRate).toBeCloseTo(1 / 3, 12);
  expect(live.asaMs).toBeGreaterThan(1000);

  const snapshot = (await sup.call('supervisor.snapshot')).queues.find((q: any) => q.id === 'sales');
  expect(snapshot.today).toEqual(live);
  expect((await sup.call('queue.list')).queues.find((q: any) => q.id === 'sales').today).toEqual(live);

  // The KPI report of the local day for sales: the same figures (history rows may still be queued).
  const supToken = await token('sup1');
  const period = `from=${encodeURIComponent(new Date(day.start).toISOString())}&to=${encodeURIComponent(new Date(day.end).toISOString())}`;
  const report = await eventually(async () => {
    const r = await http('GET', `/api/v1/reports/kpi?${period}&groupBy=queue&queue=sales`, supToken);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const row = r.body.rows.find((x: any) => x.key === 'sales');
    return row?.offered === 4 && row.other === 0 ? row : null;
  });
  expect({
    offered: live.offered,
    answered: live.answered,
    answeredWithinSl: live.answeredWithinSl,
    abandoned: live.abandoned,
    shortAbandoned: live.shortAbandoned,
    abandonedWithinSl: live.abandonedWithinSl,
    serviceLevel: live.serviceLevel,
    abandonRate: live.abandonRate,
    slThresholdS: live.slThresholdS,
    shortAbandonS: live.shortAbandonS,
    formula: live.formula,
    formulaId: live.formulaId,
  }).toEqual({
    offered: report.offered,
    answered: report.answered,
    answeredWithinSl: report.answeredWithinT,
    abandoned: report.abandoned,
    shortAbandoned: report.shortAbandoned,
    abandonedWithinSl: report.abandonedWithinT,
    serviceLevel: report.serviceLevel,
    abandonRate: report.abandonRateExclShort,
    slThresholdS: report.serviceLevelSeconds,
    shortAbandonS: report.shortAbandonSeconds,
    formula: report.formula,
    formulaId: report.formulaId,
  });
  expect(live.asaMs).toBeCloseTo(report.asaMs, 6);

  // Another formula for the queue: the figures follow at once, still equal to the report.
  const repatched = await http('PATCH', '/api/v1/admin/queues/sales', adminToken, { kpi: { serviceLevelSeconds: 5, shortAbandonSeconds: 3, formula: 'answeredOnly', targetServiceLevel: 0.8 } });
  expect(repatched.status).toBe(200);
  const relive = (await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.today?.formulaId === 'answeredOnly')).data.today;
  expect(relive.serviceLevel).toBe(0.5);
  const rereport = (await http('GET', `/api/v1/reports/kpi?${period}&groupBy=queue&queue=sales`, supToken)).body.rows.find((x: any) => x.key === 'sales');
  expect(relive.serviceLevel).toBe(rereport.serviceLevel);

  // A restart on the same database: the figures come back from the calls rows, not zeros.
  for (const c of clients.splice(0)) c.close();
  await daemon!.close();
  daemon = null;
  daemon = await start();
  const sup2 = await login('sup1');
  const after = await eventually(async () => {
    const q = (await sup2.call('supervisor.snapshot')).queues.find((x: any) => x.id === 'sales');
    return q.today.offered === 4 ? q.today : null;
  });
  expect(after).toEqual(relive);
}, 90_000);
