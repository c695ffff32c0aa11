/**
 * Call detail export benchmark (docs/performance.md, "Report exports"): seeds --rows queue calls
 * into a real daemon's database (startWorld: the daemon runs in this process), then downloads
 * `GET /api/v1/reports/calls` as CSV (and XLSX with --xlsx) over HTTP as a stream, and prints
 * rows/s, MB/s, the process's heap and RSS during the download, and the event loop's longest stall.
 *
 *   npx tsx bench/report-export.ts [--rows 1000000] [--xlsx] [--json]
 */
import { parseArgs } from 'node:util';
import { downloadMeasured, seedCalls } from '../test/helpers/report-export-seed.ts';
import { startWorld } from '../test/helpers/world.ts';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, xlsx: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
const ROWS = Number(args.rows);
const MB = 1e6;
const from = Date.parse('2026-01-01T00:00:00Z');
const spanMs = 300 * 86_400_000;

const w = await startWorld();
try {
  const seeded = seedCalls(w.daemon.storage.sqlite, { rows: ROWS, from, spanMs });
  w.daemon.storage.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const login = await fetch(`${w.daemon.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sup1', password: 'demo-sup1' }) });
  const { token } = (await login.json()) as { token: string };
  const out: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, rows: ROWS, seedSeconds: round(seeded.seconds), seedRowsPerS: Math.round(ROWS / seeded.seconds) };
  for (const format of args.xlsx ? ['csv', 'xlsx'] : ['csv']) {
    const url = `${w.daemon.url}/api/v1/reports/calls?from=${from}&to=${from + spanMs}&format=${format}`;
    const f = await downloadMeasured(url, token);
    out[format] = {
      status: f.status,
      lines: f.lines,
      mb: round(f.bytes / MB),
      seconds: round(f.seconds),
      rowsPerS: Math.round(ROWS / f.seconds),
      mbPerS: round(f.bytes / MB / f.seconds),
      heapStartMb: round(f.heapStart / MB),
      heapGrowthMb: round((f.heapMax - f.heapStart) / MB),
      rssStartMb: round(f.rssStart / MB),
      rssGrowthMb: round((f.rssMax - f.rssStart) / MB),
      loopDelayMaxMs: round(f.loopDelayMaxMs),
    };
  }
  process.stdout.write(args.json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out, null, 2)}\n`);
} finally {
  await w.close();
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
