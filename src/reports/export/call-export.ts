/**
 * The call detail export streamed to a Writable (the HTTP response's body): CSV or XLSX, one row per
 * call straight from the SQLite cursor, never the whole file in memory.
 *
 * Back-pressure: a CSV chunk (~64 KiB of lines) is written, and when `write()` returns false the
 * export waits for 'drain'. The XLSX goes through exceljs's streaming WorkbookWriter (each row
 * committed as it is added, inline strings, no shared-string table kept) into a zip that is piped
 * into the same Writable; after each slice the export waits while that Writable is over its mark,
 * and while the sheet's XML waits for the zip's deflate (`sheetCaughtUp`: exceljs itself ignores
 * back-pressure there).
 *
 * Off the event loop, by slices rather than a worker: the rows are read `sliceRows` at a time and
 * the export yields (`setImmediate`) between slices, so a slice costs a few milliseconds and other
 * requests, timers and CSTA events run between them. A worker would take the SQLite work off the
 * loop entirely but would bring every chunk back as a message with a back-pressure protocol of its
 * own; the cursor runs on its own read-only connection (the daemon's writer connection stays free:
 * better-sqlite3 refuses other statements on a connection while an iterator is open).
 */
import { setTimeout as delay, setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { csvField } from './csv.ts';
import type { CallDetail } from './call-detail.ts';
import type { ExportLang } from './labels.ts';
import { LocalClock } from './local-time.ts';
import { cellOf, FROZEN_HEADER, headerOf, layOut, type ColumnSpec } from './sheet.ts';

export const CALL_COLUMNS: readonly ColumnSpec<CallDetail>[] = [
  { id: 'id', type: 'text', value: (r) => r.id, width: 38 },
  { id: 'offeredAt', type: 'time', value: (r) => r.offeredAt },
  { id: 'answeredAt', type: 'time', value: (r) => r.answeredAt },
  { id: 'endedAt', type: 'time', value: (r) => r.endedAt },
  { id: 'queue', type: 'text', value: (r) => r.queue },
  { id: 'agent', type: 'text', value: (r) => r.agent },
  { id: 'from', type: 'text', value: (r) => r.from, width: 16 },
  { id: 'to', type: 'text', value: (r) => r.to, width: 16 },
  { id: 'waitS', type: 'seconds', value: (r) => r.waitS },
  { id: 'talkS', type: 'seconds', value: (r) => r.talkS },
  { id: 'holdS', type: 'seconds', value: (r) => r.holdS },
  { id: 'wrapS', type: 'seconds', value: (r) => r.wrapS },
  { id: 'class', type: 'text', value: (r) => r.class },
  { id: 'outcome', type: 'text', value: (r) => r.outcome },
];

export interface CallExportOptions {
  rows: Iterator<CallDetail>;
  format: 'csv' | 'xlsx';
  lang: ExportLang;
  timeZone: string;
  out: Writable;
  /** Rows between two yields to the event loop (default: 1,000 for CSV, 100 for XLSX). */
  sliceRows?: number;
}

export interface CallExportResult {
  rows: number;
  /** False when the reader went away before the end. */
  complete: boolean;
  /** The longest slice, ms: how long the export held the event loop at once. */
  longestSliceMs: number;
}

const CSV_CHUNK = 64 * 1024;
const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/** Resolves on 'drain', or on 'close'/'error' (the reader went away). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    out.on('drain', done).on('close', done).on('error', done);
  });
}

/** Streams every row to `out` and ends it (unless the reader went away). The iterator is always
 * closed, which frees its SQLite statement. */
export async function exportCalls(o: CallExportOptions): Promise<CallExportResult> {
  // ~10–20 ms of work a slice on the 2-core CI machine (CSV ~60k rows/s, XLSX ~11k rows/s); an
  // XLSX slice of 250 rows measured p99 81 ms and 100 rows 22 ms (docs/performance.md).
  const slice = o.sliceRows ?? (o.format === 'csv' ? 1000 : 100);
  const stats = { rows: 0, complete: false, longestSliceMs: 0 };
  try {
    if (o.format === 'csv') await writeCsv(o, slice, stats);
    else await writeXlsx(o, slice, stats);
  } finally {
    o.rows.return?.();
  }
  return stats;
}

/** Runs `step` on up to `slice` rows, then yields; returns false when the rows ran out. */
async function eachSlice(o: CallExportOptions, slice: number, stats: CallExportResult, step: (r: CallDetail) => void, afterSlice: () => Promise<void>): Promise<boolean> {
  for (;;) {
    const t0 = performance.now();
    let n = 0;
    let done = false;
    while (n < slice) {
      const next = o.rows.next();
      if (next.done) {
        done = true;
        break;
      }
      step(next.value);
      n++;
    }
    stats.rows += n;
    stats.longestSliceMs = Math.max(stats.longestSliceMs, performance.now() - t0);
    await afterSlice();
    if (o.out.destroyed) return false;
    if (done) return true;
    await yieldToLoop();
  }
}

async function writeCsv(o: CallExportOptions, slice: number, stats: CallExportResult): Promise<void> {
  const { out } = o;
  let buf = `\ufeff${CALL_COLUMNS.map((c) => c.id).join(',')}\r\n`;
  let full = false;
  const flush = () => {
    if (buf.length > 0 && !out.destroyed) full = !out.write(buf) || full;
    buf = '';
  };
  const step = (r: CallDetail) => {
    buf += `${csvField(r.id)},${iso(r.offeredAt)},${iso(r.answeredAt)},${iso(r.endedAt)},${csvField(r.queue)},${csvField(r.agent)},${csvField(r.from)},${csvField(r.to)},${csvField(r.waitS)},${csvField(r.talkS)},${csvField(r.holdS)},${csvField(r.wrapS)},${r.class},${csvField(r.outcome)}\r\n`;
    if (buf.length >= CSV_CHUNK) flush();
  };
  const afterSlice = async () => {
    flush();
    if (full || out.writableNeedDrain) {
      full = false;
      if (!out.destroyed) await drained(out);
    }
  };
  if (!(await eachSlice(o, slice, stats, step, afterSlice))) return;
  stats.complete = true;
  out.end();
}

async function writeXlsx(o: CallExportOptions, slice: number, stats: CallExportResult): Promise<void> {
  const { out } = o;
  const clock = new LocalClock(o.timeZone);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Switchboard';
  const ws = wb.addWorksheet('Calls', FROZEN_HEADER);
  const header = headerOf(CALL_COLUMNS, o.lang, o.timeZone);
  layOut(ws, CALL_COLUMNS, header);
  const head = ws.addRow(header);
  head.font = { bold: true };
  head.commit();
  const step = (r: CallDetail) => ws.addRow(CALL_COLUMNS.map((c) => cellOf(c.type, c.value(r), clock))).commit();
  const afterSlice = async () => {
    await sheetCaughtUp(ws, out);
    if (out.writableNeedDrain && !out.destroyed) await drained(out);
  };
  if (!(await eachSlice(o, slice, stats, step, afterSlice))) return;
  ws.commit();
  await wb.commit(); // ends `out`
  stats.complete = true;
}

/** The most sheet XML let wait for the zip's deflate before the export pauses. */
const SHEET_BACKLOG_BYTES = 1024 * 1024;

interface StreamState {
  length: number;
}

/** The stream exceljs 4.4 feeds the sheet's XML into: its StreamBuf (`ws.stream`) writes 64 KiB
 * batches to the pipe archiver gave it and ignores the answer of `write()`, so when the deflate
 * is slower than the rows (it is: ~10 MB/s of XML), the XML piles up in that pipe's buffer, outside
 * the JavaScript heap — 80 MB per 200,000 rows, measured. Reaching in is the only way to see it;
 * null when exceljs's insides differ (test/unit/reports-export-xlsx-… fails then). */
export function sheetPipe(ws: unknown): { _writableState: StreamState } | null {
  const stream = (ws as { stream?: { pipes?: unknown[] } }).stream;
  const pipe = stream?.pipes?.[0] as { _writableState?: StreamState } | undefined;
  return pipe?._writableState && typeof pipe._writableState.length === 'number' ? (pipe as { _writableState: StreamState }) : null;
}

/** Waits (polling every 2 ms) while more than SHEET_BACKLOG_BYTES of the sheet wait for the zip. */
async function sheetCaughtUp(ws: unknown, out: Writable): Promise<void> {
  const pipe = sheetPipe(ws);
  while (pipe && pipe._writableState.length > SHEET_BACKLOG_BYTES && !out.destroyed) await delay(2);
}