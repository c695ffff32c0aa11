/**
 * Report exports on the real daemon, on a generated day of traffic (test/helpers/report-day.ts):
 * the KPI report as XLSX read back with exceljs holds the JSON report's figures (zh-CN labels with
 * `lang=zh-CN`); the staffing XLSX its rows; the call detail export has one CSV row per queue call
 * offered in the period, whose fields are the database's; its XLSX reads back with the same rows;
 * agents are refused and a period over 366 days is 400.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import { SHANGHAI, writeReportDay, type ReportDayTruth } from '../helpers/report-day.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
let truth: ReportDayTruth;
let token: string;

async function login(username: string): Promise<string> {
  const res = await fetch(`${w.daemon.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `demo-${username}` }) });
  return ((await res.json()) as { token: string }).token;
}

async function get(path: string, tok = token): Promise<Response> {
  return fetch(`${w.daemon.url}${path}`, { headers: { authorization: `Bearer ${tok}` } });
}

async function sheetOf(res: Response): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await res.arrayBuffer()) as ArrayBuffer);
  return wb.worksheets[0]!;
}

const values = (row: ExcelJS.Row): unknown[] => (row.values as unknown[]).slice(1);

beforeAll(async () => {
  // The centre's zone, as the generated day's: local times in the sheets are Shanghai's.
  w = await startWorld({ config: { ivr: { ...defaultConfig().ivr, timeZone: SHANGHAI } } });
  truth = writeReportDay(w.daemon.storage.sqlite, { seed: 11, date: '2026-11-20', queues: ['q1', 'q2'], agents: 8, thresholds: { t: 20, s: 5 } });
  token = await login('sup1');
}, 60_000);
afterAll(async () => w?.close());

const period = () => `from=${truth.from}&to=${truth.to}&slSeconds=20&shortAbandonSeconds=5`;

it('KPI by queue as XLSX: the JSON report\'s figures in typed cells, the formula under the table', async () => {
  const json = (await (await get(`/api/v1/reports/kpi?${period()}&groupBy=queue`)).json()) as { rows: any[]; total: any; formulas: string[] };
  const res = await get(`/api/v1/reports/kpi?${period()}&groupBy=queue&format=xlsx`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const ws = await sheetOf(res);
  const head = values(ws.getRow(1)) as string[];
  const col = (label: string) => head.indexOf(label) + 1;
  expect(head.slice(0, 4)).toEqual(['Group', 'Start (Asia/Shanghai)', 'End (Asia/Shanghai)', 'Offered']);
  const rows = [...json.rows, { ...json.total, key: 'total' }];
  rows.forEach((r, i) => {
    const x = ws.getRow(i + 2);
    expect(x.getCell(1).value).toBe(r.key);
    expect(x.getCell(col('Offered')).value).toBe(r.offered);
    expect(x.getCell(col('Answered')).value).toBe(r.answered);
    expect(x.getCell(col('Answered within T')).value).toBe(r.answeredWithinT);
    expect(x.getCell(col('Abandoned')).value).toBe(r.abandoned);
    expect(x.getCell(col('Short abandons')).value).toBe(r.shortAbandoned);
    expect(x.getCell(col('Service level')).value).toBe(r.serviceLevel);
    expect(x.getCell(col('Service level')).numFmt).toBe('0.0%');
    expect(x.getCell(col('ASA (s)')).value).toBe(r.asaMs === null ? null : r.asaMs / 1000);
    expect(x.getCell(col('Talk (s)')).value).toBe(r.talkMs / 1000);
    expect(x.getCell(col('Abandon rate')).value).toBe(r.abandonRate);
  });
  for (const q of Object.keys(truth.byQueue)) expect(rows.find((r) => r.key === q).offered).toBe(truth.byQueue[q]!.offered);
  const defs = ws.getRow(rows.length + 3);
  expect(values(defs)).toEqual(['Formula', json.formulas[0]]);
});

it('KPI by interval with lang=zh-CN: Chinese headers; one row per 30 min with the day\'s counts; staffing as XLSX', async () => {
  const ws = await sheetOf(await get(`/api/v1/reports/kpi?${period()}&groupBy=interval&interval=30m&format=xlsx&lang=zh-CN`));
  const head = values(ws.getRow(1)) as string[];
  expect(head[0]).toBe('分组');
  expect(head[3]).toBe('呼入量');
  const offered = Array.from({ length: 48 }, (_, i) => ws.getRow(i + 2).getCell(4).value);
  expect(offered).toEqual(truth.byInterval['30m'].map((c) => c.offered));
  expect(ws.getRow(50).getCell(1).value).toBe('合计');
  expect(ws.getRow(52).getCell(1).value).toBe('公式');
  const first = ws.getRow(2).getCell(2).value as Date;
  expect(first.toISOString()).toBe('2026-11-20T00:00:00.000Z'); // local midnight in Shanghai

  const st = await sheetOf(await get(`/api/v1/reports/staffing?${period()}&interval=60m&format=xlsx`));
  const json = (await (await get(`/api/v1/reports/staffing?${period()}&interval=60m`)).json()) as { rows: any[]; model: string };
  expect(Array.from({ length: 24 }, (_, i) => st.getRow(i + 2).getCell(7).value)).toEqual(json.rows.map((r) => r.agentsNeeded));
  expect(values(st.getRow(27))).toEqual(['Staffing model', json.model]);
});

it('call detail as CSV: one row per queue call offered in the day, the database\'s fields', async () => {
  const res = await get(`/api/v1/reports/calls?from=${truth.from}&to=${truth.to}&format=csv`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  const lines = (await res.text()).replace(/^\ufeff/, '').trimEnd().split('\r\n');
  expect(lines[0]).toBe('id,offeredAt,answeredAt,endedAt,queue,agent,from,to,waitS,talkS,holdS,wrapS,class,outcome');
  const rows = lines.slice(1).map((l) => l.split(','));
  expect(rows).toHaveLength(truth.total.offered);
  const db = w.daemon.storage.sqlite;
  const n = db.prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM calls WHERE offered_at >= ? AND offered_at < ? AND queue_id IS NOT NULL').get(truth.from, truth.to)!.n;
  expect(rows).toHaveLength(n);
  expect(rows.some((r) => Number(r[10]) > 0)).toBe(true); // the day has holds
  const offered = rows.map((r) => Date.parse(r[1]!));
  expect(offered).toEqual([...offered].sort((a, b) => a - b));
  const counts = { answered: 0, abandoned: 0 };
  for (const r of rows) if (r[12] === 'answered' || r[12] === 'abandoned') counts[r[12]]++;
  expect(counts).toEqual({ answered: truth.total.answered, abandoned: truth.total.abandoned });
  for (const r of [rows[0]!, rows[Math.floor(rows.length / 2)]!, rows.at(-1)!]) {
    const c = db.prepare<[string], any>('SELECT * FROM calls WHERE id = ?').get(r[0]!);
    expect(r[1]).toBe(new Date(c.offered_at).toISOString());
    expect(r[3]).toBe(c.ended_at === null ? '' : new Date(c.ended_at).toISOString());
    expect(r[4]).toBe(c.queue_id);
    expect(r[6]).toBe(c.from_number);
    // Talk and hold split talk_ms (answer to end) between them.
    expect(r[9]).toBe(c.talk_ms === null ? '' : String((c.talk_ms - c.hold_ms) / 1000));
    expect(r[10]).toBe(c.talk_ms === null ? '' : String(c.hold_ms / 1000));
    expect(r[13]).toBe(c.outcome ?? '');
  }
  const q1 = await (await get(`/api/v1/reports/calls?from=${truth.from}&to=${truth.to}&queue=q1`)).text();
  expect(q1.trimEnd().split('\r\n')).toHaveLength(truth.byQueue.q1!.offered + 1);
});

it('call detail as XLSX (streamed): the same calls read back, zh-CN headers', async () => {
  const res = await get(`/api/v1/reports/calls?from=${truth.from}&to=${truth.to}&format=xlsx&lang=zh-CN`);
  expect(res.status).toBe(200);
  const ws = await sheetOf(res);
  expect(ws.rowCount).toBe(truth.total.offered + 1);
  expect(ws.getRow(1).getCell(1).value).toBe('呼叫编号');
  const csv = (await (await get(`/api/v1/reports/calls?from=${truth.from}&to=${truth.to}`)).text()).replace(/^\ufeff/, '').trimEnd().split('\r\n');
  const second = csv[2]!.split(',');
  const x = ws.getRow(3);
  expect(x.getCell(1).value).toBe(second[0]);
  expect(x.getCell(5).value).toBe(second[4]);
  expect(x.getCell(9).value).toBe(second[8] === '' ? null : Number(second[8]));
  expect(x.getCell(11).value).toBe(second[10] === '' ? null : Number(second[10]));
  expect(x.getCell(13).value).toBe(second[12]);
});

it('an agent is refused 403; 367 days is 400 PERIOD_TOO_LONG; a bad format is 400', async () => {
  const agent = await login('a1001');
  expect((await get(`/api/v1/reports/calls?from=${truth.from}&to=${truth.to}`, agent)).status).toBe(403);
  const long = await get(`/api/v1/reports/calls?from=2025-01-01&to=2026-01-03`);
  expect(long.status).toBe(400);
  expect(((await long.json()) as any).error.details.reason).toBe('PERIOD_TOO_LONG');
  expect((await get(`/api/v1/reports/calls?from=${truth.from}&to=${truth.to}&format=pdf`)).status).toBe(400);
});
