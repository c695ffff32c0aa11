/**
 * Reports over HTTP on the real daemon: a generated day of traffic (test/helpers/report-day.ts,
 * which returns the true figures it wrote) is put in the daemon's database, then
 * `GET /api/v1/reports/kpi` by queue and by 30-minute interval gives exactly the generator's
 * counts, the CSV carries the same rows with the formula, the staffing what-if sizes each interval
 * with Erlang C from the measured arrivals and AHT (checked against the pure module), and agents
 * and bad periods are refused with stable codes.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentsNeeded, trafficIntensity } from '../../src/reports/erlang-c.ts';
import { writeReportDay, type ReportDayTruth } from '../helpers/report-day.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
let truth: ReportDayTruth;
let token: string;

async function api(path: string, tok = token): Promise<{ status: number; body: any; text: string; type: string }> {
  const res = await fetch(`${w.daemon.url}${path}`, { headers: { authorization: `Bearer ${tok}` } });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, text, type: res.headers.get('content-type') ?? '' };
}

async function login(username: string): Promise<string> {
  const res = await fetch(`${w.daemon.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `demo-${username}` }) });
  return ((await res.json()) as { token: string }).token;
}

beforeAll(async () => {
  w = await startWorld();
  // sales has report settings of its own (T 30 s, S 10 s), stored with the queue by the admin API.
  truth = writeReportDay(w.daemon.storage.sqlite, { seed: 7, date: '2026-11-20', queues: ['sales', 'support'], agents: 8, thresholds: { t: 20, s: 5 }, queueThresholds: { sales: { t: 30, s: 10 } } });
  const admin = await login('admin');
  const patched = await w.http('PATCH', '/api/v1/admin/queues/sales', { token: admin, body: { kpi: { serviceLevelSeconds: 30, shortAbandonSeconds: 10 } } });
  expect(patched.status).toBe(200);
  expect(patched.body.kpi).toEqual({ serviceLevelSeconds: 30, shortAbandonSeconds: 10 });
  token = await login('sup1');
}, 60_000);
afterAll(async () => w?.close());

const period = () => `from=${truth.from}&to=${truth.to}&slSeconds=20&shortAbandonSeconds=5`;

it('by queue: every count equals the generated day\'s, and the formula is printed', async () => {
  const r = await api(`/api/v1/reports/kpi?${period()}&groupBy=queue`);
  expect(r.status).toBe(200);
  expect(r.body.rows.map((x: any) => x.key).sort()).toEqual(Object.keys(truth.byQueue).sort());
  for (const row of r.body.rows) {
    const t = truth.byQueue[row.key]!;
    expect({ offered: row.offered, answered: row.answered, answeredWithinT: row.answeredWithinT, abandoned: row.abandoned, shortAbandoned: row.shortAbandoned, talkMs: row.talkMs, wrapMs: row.wrapMs }).toEqual({
      offered: t.offered,
      answered: t.answered,
      answeredWithinT: t.answeredWithinT,
      abandoned: t.abandoned,
      shortAbandoned: t.shortAbandoned,
      talkMs: t.talkMs,
      wrapMs: t.wrapMs,
    });
  }
  expect(r.body.total.offered).toBe(truth.total.offered);
  expect(r.body.total.answeredWithinT).toBe(truth.total.answeredWithinT);
  // Each queue row prints its own definition; the total the report-wide one.
  expect(r.body.rows.find((x: any) => x.key === 'sales').formula).toMatch(/within 30 s .*within 10 s/);
  expect(r.body.rows.find((x: any) => x.key === 'support').formula).toMatch(/within 20 s .*within 5 s/);
  expect(r.body.total.formula).toMatch(/20 s/);
  expect(r.body.formulas).toHaveLength(2);
});

it('GET /api/v1/queues: the demo queues with their report settings, for supervisors; an agent is refused', async () => {
  const r = await api('/api/v1/queues');
  expect(r.status).toBe(200);
  expect(r.body.items.map((q: any) => q.id)).toEqual(['sales', 'support', 'vip']);
  expect(r.body.items.find((q: any) => q.id === 'sales')).toEqual({ id: 'sales', name: 'Sales', strategy: 'longestIdle', kpi: { serviceLevelSeconds: 30, shortAbandonSeconds: 10 } });
  expect(r.body.items.find((q: any) => q.id === 'support').kpi).toBeNull();
  expect((await api('/api/v1/queues', await login('a1001'))).status).toBe(403);
});

it('a queue\'s report settings are checked together: S above T is 400 SHORT_OVER_T, an unknown formula 400', async () => {
  const admin = await login('admin');
  const bad = await w.http('PATCH', '/api/v1/admin/queues/support', { token: admin, body: { kpi: { serviceLevelSeconds: 10, shortAbandonSeconds: 15 } } });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details.reason).toBe('SHORT_OVER_T');
  expect((await w.http('PATCH', '/api/v1/admin/queues/support', { token: admin, body: { kpi: { formula: 'bestCase' } } })).status).toBe(400);
  expect((await w.http('GET', '/api/v1/admin/queues/support', { token: admin })).body.kpi).toBeNull();
});

it('by 30-minute interval, as CSV: one line per interval of the day plus the total, the same counts', async () => {
  const r = await api(`/api/v1/reports/kpi?${period()}&groupBy=interval&interval=30m&format=csv`);
  expect(r.status).toBe(200);
  expect(r.type).toMatch(/^text\/csv/);
  const lines = r.text.replace(/^\ufeff/, '').trim().split('\r\n');
  const head = lines[0]!.split(',');
  expect(head.slice(0, 4)).toEqual(['key', 'start', 'end', 'offered']);
  const rows = lines.slice(1, -1);
  expect(rows).toHaveLength(48);
  const offered = rows.map((l) => Number(l.split(',')[3]));
  expect(offered).toEqual(truth.byInterval['30m'].map((c) => c.offered));
  expect(lines.at(-1)!.startsWith('total,')).toBe(true);
});

it('staffing: Erlang C per interval from the measured arrivals and AHT, beside the service level reached', async () => {
  const [s, k] = await Promise.all([api(`/api/v1/reports/staffing?${period()}&interval=60m&target=80`), api(`/api/v1/reports/kpi?${period()}&groupBy=interval&interval=60m&target=80`)]);
  expect(s.status).toBe(200);
  expect(s.body.rows).toHaveLength(24);
  expect(s.body.model).toMatch(/^Erlang C/);
  const busiest = k.body.rows.reduce((a: any, b: any) => (b.offered > a.offered ? b : a));
  const row = s.body.rows.find((x: any) => x.key === busiest.key);
  const aht = busiest.ahtMs / 1000;
  const expected = agentsNeeded({ erlangs: trafficIntensity(busiest.offered, 3600, aht), ahtSeconds: aht, serviceLevel: 0.8, targetSeconds: 20 })!;
  expect(row).toMatchObject({ offered: busiest.offered, agentsNeeded: expected.agents, serviceLevel: busiest.serviceLevel });
  expect(row.predictedServiceLevel).toBeGreaterThanOrEqual(0.8);
  expect(row.agentsNeeded).toBeGreaterThan(row.erlangs);
});

it('the classic reports: the catalogue of seven; 用户放弃率统计表 in Chinese with the day\'s counts; by extension the answered calls add up; the detail redirects to the call export', async () => {
  const list = await api('/api/v1/reports/classic');
  expect(list.body.items.map((x: any) => x.name['zh-CN'])).toHaveLength(7);
  const ab = await api(`/api/v1/reports/classic/abandonment?${period()}&lang=zh-CN`);
  expect(ab.body).not.toHaveProperty('error');
  expect(ab.status).toBe(200);
  expect(ab.body.name).toBe('用户放弃率统计表');
  expect(ab.body.columns.map((c: any) => c.label).slice(0, 4)).toEqual(['队列', '呼入总数', '接通数', '放弃数']);
  for (const r of ab.body.rows) {
    const t = truth.byQueue[r[0]]!;
    expect(r.slice(1, 5)).toEqual([t.offered, t.answered, t.abandoned, t.shortAbandoned]);
  }
  expect(ab.body.total[0]).toBe('合计');
  expect(ab.body.chart.kind).toBe('pie');
  const ext = await api(`/api/v1/reports/classic/extension-summary?${period()}`);
  expect(ext.body.columns.slice(0, 4).map((c: any) => c.id)).toEqual(['key', 'offers', 'answered', 'rona']);
  expect(ext.body.rows.reduce((n: number, r: any[]) => n + (r[2] as number), 0)).toBe(truth.total.answered);
  // Rings and ring-no-answers per extension, from the state log, as the generator wrote them.
  for (const r of ext.body.rows) expect([r[1], r[3]], `extension ${r[0]}`).toEqual([truth.activityByExtension[r[0]]?.offers ?? 0, truth.activityByExtension[r[0]]?.rona ?? 0]);
  const byHour = await api(`/api/v1/reports/classic/interval-traffic?${period()}&format=csv&lang=zh-CN`);
  expect(byHour.type).toMatch(/^text\/csv/);
  const lines = byHour.text.replace(/^\ufeff/, '').trim().split('\r\n');
  expect(lines[0]!.startsWith('时段,呼入总数')).toBe(true);
  expect(lines.slice(1, 25).map((l) => Number(l.split(',')[1]))).toEqual(truth.byInterval['60m'].map((c) => c.offered));
  const detail = await fetch(`${w.daemon.url}/api/v1/reports/classic/agent-detail?${period()}&lang=zh-CN`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
  expect(detail.status).toBe(307);
  const location = detail.headers.get('location') ?? '';
  expect(location).toMatch(/^\/api\/v1\/reports\/calls\?from=.*&lang=zh-CN&format=csv$/);
  // Followed, it is the call export: a line per queue call of the day.
  const calls = await api(location);
  expect(calls.status).toBe(200);
  expect(calls.text.trim().split('\r\n').length - 1).toBe(truth.total.offered);
  // The XLSX of a classic report: the view's labels, typed cells, the total, the formulas.
  const xres = await fetch(`${w.daemon.url}/api/v1/reports/classic/abandonment?${period()}&lang=zh-CN&format=xlsx`, { headers: { authorization: `Bearer ${token}` } });
  expect(xres.headers.get('content-type')).toMatch(/spreadsheetml/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await xres.arrayBuffer()) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  expect(ws.name).toBe('用户放弃率统计表');
  expect((ws.getRow(1).values as unknown[]).slice(1, 5)).toEqual(['队列', '呼入总数', '接通数', '放弃数']);
  for (let i = 2; i < 2 + ab.body.rows.length; i++) {
    const cells = (ws.getRow(i).values as unknown[]).slice(1);
    const t = truth.byQueue[cells[0] as string]!;
    expect(cells.slice(1, 4)).toEqual([t.offered, t.answered, t.abandoned]);
  }
  expect(ws.getRow(2 + ab.body.rows.length).getCell(1).value).toBe('合计');
  expect((await api(`/api/v1/reports/classic/nosuch?${period()}`)).status).toBe(404);
});

it('an agent is refused 403; a reversed or overlong period is 400 with a reason; no token is 401', async () => {
  const agentToken = await login('a1001');
  expect((await api(`/api/v1/reports/kpi?${period()}`, agentToken)).body.error.code).toBe('FORBIDDEN');
  const reversed = await api(`/api/v1/reports/kpi?from=${truth.to}&to=${truth.from}`);
  expect(reversed.status).toBe(400);
  expect(reversed.body.error.details.reason).toBe('BAD_RANGE');
  const long = await api(`/api/v1/reports/kpi?from=2025-01-01T00:00:00Z&to=2026-06-01T00:00:00Z`);
  expect(long.body.error.details.reason).toBe('PERIOD_TOO_LONG');
  expect((await api(`/api/v1/reports/kpi?${period()}&groupBy=skill`)).status).toBe(400);
  const anon = await fetch(`${w.daemon.url}/api/v1/reports/kpi?${period()}`);
  expect(anon.status).toBe(401);
});
