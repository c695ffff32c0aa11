/**
 * The XLSX writers read back with the same library (exceljs): the KPI and staffing sheets keep
 * numbers as numbers, ratios as numbers formatted as %, times as dates on the centre's wall clock,
 * print the formulas under the table, freeze the header, and speak Chinese with `zh-CN`; the call
 * detail export streams CSV and XLSX with back-pressure and the same cells.
 */
import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { ReportResult, ReportRow } from '../../src/reports/data/run-report.ts';
import { callDetailOf, type CallDetail } from '../../src/reports/export/call-detail.ts';
import { CALL_COLUMNS, exportCalls, sheetPipe } from '../../src/reports/export/call-export.ts';
import { LocalClock } from '../../src/reports/export/local-time.ts';
import { kpiWorkbook, staffingWorkbook } from '../../src/reports/export/report-sheets.ts';

const FORMULA = 'SL = answered within 20 s / (answered + abandoned − abandoned within 5 s)';
const T0 = Date.parse('2026-11-20T01:00:00Z'); // 09:00 in Shanghai

function row(key: string, over: Partial<ReportRow> = {}): ReportRow {
  return { key, offered: 10, answered: 8, answeredWithinT: 6, abandoned: 2, shortAbandoned: 1, other: 0, talkMs: 800_000, holdMs: 0, wrapMs: 80_000, serviceLevel: 6 / 9, asaMs: 12_500, ahtMs: 110_000, abandonRate: 0.2, abandonRateExclShort: 1 / 9, shortAbandonRate: 0.1, formula: FORMULA, ...over } as unknown as ReportRow;
}

const report = { grouping: 'interval', from: T0, to: T0 + 3_600_000, timeZone: 'Asia/Shanghai', intervalSize: '30m', rows: [row('09:00', { start: T0, end: T0 + 1_800_000 }), row('09:30', { start: T0 + 1_800_000, end: T0 + 3_600_000, serviceLevel: null, asaMs: null })], total: row('total', { offered: 20 }), formulas: [FORMULA] } as unknown as ReportResult;

async function open(buf: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb.worksheets[0]!;
}

describe('KPI sheet', () => {
  it('typed cells: counts and seconds as numbers, SL as a number formatted %, times as local dates; header frozen; formula under the table', async () => {
    const ws = await open(await kpiWorkbook(report, 'en-US'));
    const head = (ws.getRow(1).values as unknown[]).slice(1);
    expect(head.slice(0, 4)).toEqual(['Group', 'Start (Asia/Shanghai)', 'End (Asia/Shanghai)', 'Offered']);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const r2 = ws.getRow(2);
    expect(r2.getCell(1).value).toBe('09:00');
    const start = r2.getCell(2).value as Date;
    expect(start).toBeInstanceOf(Date);
    expect(start.toISOString()).toBe('2026-11-20T09:00:00.000Z'); // the Shanghai wall clock
    expect(r2.getCell(2).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(r2.getCell(4).value).toBe(10);
    expect(r2.getCell(4).type).toBe(ExcelJS.ValueType.Number);
    expect(r2.getCell(10).value).toBeCloseTo(6 / 9, 12);
    expect(r2.getCell(10).numFmt).toBe('0.0%');
    expect(r2.getCell(11).value).toBe(12.5);
    expect(ws.getRow(3).getCell(10).value).toBeNull(); // no SL: an empty cell, never NaN
    expect(ws.getRow(4).getCell(1).value).toBe('total');
    expect(ws.getRow(4).getCell(4).value).toBe(20);
    expect(ws.getRow(5).cellCount).toBe(0);
    expect((ws.getRow(6).values as unknown[]).slice(1)).toEqual(['Formula', FORMULA]);
    expect((ws.getRow(7).values as unknown[]).slice(1)).toEqual(['Times are local to', 'Asia/Shanghai']);
    expect(ws.getColumn(1).width).toBe(24);
  });

  it('zh-CN: Chinese headers, total and definition labels; the same cells', async () => {
    const ws = await open(await kpiWorkbook(report, 'zh-CN'));
    const head = (ws.getRow(1).values as unknown[]).slice(1);
    expect(head.slice(0, 4)).toEqual(['分组', '开始时间 (Asia/Shanghai)', '结束时间 (Asia/Shanghai)', '呼入量']);
    expect(head).toContain('服务水平');
    expect(head).toContain('放弃率');
    expect(ws.getRow(4).getCell(1).value).toBe('合计');
    expect(ws.getRow(6).getCell(1).value).toBe('公式');
    expect(ws.getRow(2).getCell(4).value).toBe(10);
  });
});

it('staffing sheet: the model and the formula under the table', async () => {
  const s = { timeZone: 'Asia/Shanghai', formulas: [FORMULA], model: 'Erlang C: A = offered × AHT / 1800 s', rows: [{ key: '09:00', start: T0, end: T0 + 1_800_000, offered: 360, ahtSeconds: 240, erlangs: 48, agentsNeeded: 55, scheduled: 55, predictedServiceLevel: 0.846, serviceLevel: 0.8 }] };
  const ws = await open(await staffingWorkbook(s, 'en-US'));
  expect(ws.getRow(2).getCell(7).value).toBe(55);
  expect(ws.getRow(2).getCell(9).numFmt).toBe('0.0%');
  expect((ws.getRow(4).values as unknown[]).slice(1)).toEqual(['Staffing model', s.model]);
  expect((ws.getRow(5).values as unknown[]).slice(1)).toEqual(['Formula', FORMULA]);
});

it('the Shanghai and New York wall clocks, across a fall-back', () => {
  expect(new LocalClock('Asia/Shanghai').offsetAt(T0)).toBe(8 * 3_600_000);
  const ny = new LocalClock('America/New_York');
  expect(ny.offsetAt(Date.parse('2026-11-01T05:30:00Z'))).toBe(-4 * 3_600_000);
  expect(ny.offsetAt(Date.parse('2026-11-01T06:30:00Z'))).toBe(-5 * 3_600_000);
});

// ------------------------------------------------------------------------------ call detail

function detail(i: number): CallDetail {
  return callDetailOf({ id: `c${i}`, queue_id: 'q1', offered_at: T0 + i * 1000, answered_at: i % 3 === 0 ? null : T0 + i * 1000 + 7000, ended_at: T0 + i * 1000 + 90_000, talk_ms: i % 3 === 0 ? null : 83_000, hold_ms: i % 3 === 0 ? 0 : i * 1000, outcome: i % 3 === 0 ? 'abandoned' : 'answered', first_agent: 'a1', answer_agent: i % 3 === 0 ? null : 'a2', answer_extension: null, wrap_ms: i % 3 === 0 ? null : 5000, team: null, from_number: i === 1 ? '=cmd' : '13800000000', to_number: '8000' });
}

it('a call detail row: the answering agent, wait to the answer (or the end), talk (hold taken out), hold and wrap in seconds', () => {
  expect(detail(1)).toMatchObject({ agent: 'a2', waitS: 7, talkS: 82, holdS: 1, wrapS: 5, class: 'answered' });
  expect(detail(4)).toMatchObject({ talkS: 79, holdS: 4 });
  expect(detail(3)).toMatchObject({ agent: null, waitS: 90, talkS: null, class: 'abandoned' });
});

/** A slow reader: one chunk per millisecond. */
function slowSink(): { sink: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      setTimeout(cb, 1);
    },
  });
  return { sink, chunks };
}

it('CSV streams with back-pressure: every row, the writer never far past its mark while the reader is slow', async () => {
  const N = 20_000;
  const out = new PassThrough({ highWaterMark: 16 * 1024 });
  const { sink, chunks } = slowSink();
  let maxBuffered = 0;
  const timer = setInterval(() => (maxBuffered = Math.max(maxBuffered, out.writableLength + out.readableLength)), 1);
  out.pipe(sink);
  const rows = Array.from({ length: N }, (_, i) => detail(i))[Symbol.iterator]();
  const r = await exportCalls({ rows, format: 'csv', lang: 'en-US', timeZone: 'Asia/Shanghai', out, sliceRows: 500 });
  await new Promise((res) => sink.on('finish', res));
  clearInterval(timer);
  expect(r).toMatchObject({ rows: N, complete: true });
  const text = Buffer.concat(chunks).toString('utf8');
  const lines = text.replace(/^\ufeff/, '').trimEnd().split('\r\n');
  expect(lines).toHaveLength(N + 1);
  expect(lines[0]).toBe(CALL_COLUMNS.map((c) => c.id).join(','));
  expect(lines[2]).toBe(`c1,2026-11-20T01:00:01.000Z,2026-11-20T01:00:08.000Z,2026-11-20T01:01:31.000Z,q1,a2,'=cmd,8000,7,82,1,5,answered,answered`);
  // A slice (500 rows, ~60 KiB) plus the marks: far below the 2 MB body.
  expect(text.length).toBeGreaterThan(2_000_000);
  expect(maxBuffered).toBeLessThan(256 * 1024);
});

it('a reader that goes away stops the export and closes the rows', async () => {
  const out = new PassThrough({ highWaterMark: 1024 });
  let closed = false;
  function* many(): Generator<CallDetail> {
    try {
      for (let i = 0; ; i++) yield detail(i);
    } finally {
      closed = true;
    }
  }
  setTimeout(() => out.destroy(), 20);
  const r = await exportCalls({ rows: many(), format: 'csv', lang: 'en-US', timeZone: 'UTC', out, sliceRows: 100 });
  expect(r.complete).toBe(false);
  expect(closed).toBe(true);
});

it('XLSX streams through the WorkbookWriter: read back, every row, typed cells, zh-CN header', async () => {
  const N = 3000;
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (c: Buffer) => parts.push(c));
  const ended = new Promise((res) => out.on('end', res));
  const r = await exportCalls({ rows: Array.from({ length: N }, (_, i) => detail(i))[Symbol.iterator](), format: 'xlsx', lang: 'zh-CN', timeZone: 'Asia/Shanghai', out, sliceRows: 250 });
  await ended;
  expect(r).toMatchObject({ rows: N, complete: true });
  const ws = await open(Buffer.concat(parts));
  expect(ws.rowCount).toBe(N + 1);
  expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  expect(ws.getRow(1).getCell(1).value).toBe('呼叫编号');
  expect(ws.getRow(1).getCell(2).value).toBe('呼入时间 (Asia/Shanghai)');
  const r2 = ws.getRow(3); // c1
  expect(r2.getCell(1).value).toBe('c1');
  expect((r2.getCell(2).value as Date).toISOString()).toBe('2026-11-20T09:00:01.000Z');
  expect(r2.getCell(7).value).toBe('=cmd'); // text, not a formula
  expect(r2.getCell(7).type).toBe(ExcelJS.ValueType.String);
  expect(r2.getCell(9).value).toBe(7);
  expect(r2.getCell(10).value).toBe(82); // talk, the 1 s of hold taken out
  expect(r2.getCell(11).value).toBe(1);
  expect(r2.getCell(13).value).toBe('answered');
  expect(ws.getRow(5).getCell(3).value).toBeNull(); // c3 abandoned: no answer time
});

it('exceljs\'s sheet pipe, where the XML waits for the deflate, is found (the XLSX back-pressure depends on it)', async () => {
  const out = new PassThrough();
  out.resume();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('Calls');
  for (let i = 0; i < 2000; i++) ws.addRow([`row ${i}`, i, 'some text to fill the 64 KiB batch']).commit();
  await new Promise((r) => setImmediate(r));
  const pipe = sheetPipe(ws);
  expect(pipe).not.toBeNull();
  expect(pipe!._writableState.length).toBeGreaterThanOrEqual(0);
  ws.commit();
  await wb.commit();
});
