/**
 * Recording metadata benchmark (docs/performance.md): insert rate, then search latency per filter.
 *
 *   npm run bench:recordings -- [--rows 1000000] [--batch 1000] [--queries 300] [--cache-kib N] [--dir /tmp/x] [--keep] [--json]
 *
 * Inserts --rows recordings (one year of calls; each with 1–2 agent legs, 5 % tagged) into a fresh
 * migrated database, in transactions of --batch rows, and reports rows/s (and rows per CPU-second
 * of the process, which a busy machine disturbs less); --cache-kib N sets the connection's
 * page cache (`PRAGMA cache_size = -N`) instead of the daemon's (storage/database.ts) for A/B runs. Then, per filter —
 * agent + one week, number prefix (7 digits, ~100 matches), customer, tag, no filter — runs
 * --queries searches with random values, first page (50) and the next page by cursor, on the
 * calling thread through the repository (the same code the search worker runs), and reports
 * p50/p99/max in ms; plus the round trip through the worker thread for agent + week. Also the
 * database's size on disk and the process's memory.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { openDatabase } from '../src/storage/database.ts';
import { RecordingsReadRepository } from '../src/storage/repositories/recordings-read.ts';
import { buildSearch } from '../src/recording/search/query.ts';
import { SearchWorker } from '../src/recording/search/worker.ts';
import { machineInfo } from './lib/proc.ts';
import { RecordingData } from './lib/recordings-data.ts';
import { round, summarize } from './lib/stats.ts';

const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '1000' }, queries: { type: 'string', default: '300' }, dir: { type: 'string' }, 'cache-kib': { type: 'string' }, keep: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
const ROWS = Number(args.rows);
const BATCH = Number(args.batch);
const QUERIES = Number(args.queries);

// Seeded: the same data and the same search values every run.
const data = new RecordingData();

const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'bench-recordings-'));
const file = join(dir, 'switchboard.db');
if (existsSync(file)) rmSync(file);
const opened = openDatabase({ file });
// --cache-kib N: the connection's page cache (`PRAGMA cache_size = -N`) instead of the daemon's
// own (storage/database.ts sets none: better-sqlite3 is built with SQLITE_DEFAULT_CACHE_SIZE=-16000,
// 16 MiB), for A/B runs: 2000 is SQLite's own default, 65536 is 64 MiB.
if (args['cache-kib'] !== undefined) opened.sqlite.pragma(`cache_size = ${-Math.trunc(Number(args['cache-kib']))}`);
const cacheSize = opened.sqlite.pragma('cache_size', { simple: true }) as number;
const log = (m: string) => {
  if (!args.json) process.stdout.write(`${m}\n`);
};

// ---------------------------------------------------------------------------------- inserts
log(`inserting ${ROWS} recordings into ${file} in transactions of ${BATCH}, cache_size ${cacheSize}`);
const seeded = data.insert(opened.sqlite, ROWS, BATCH, (done, perS) => log(`  ${done} rows, ${perS} rows/s`));
const { agentRows, tagRows, insertS, cpuS, writtenBytes } = seeded;
opened.sqlite.pragma('wal_checkpoint(TRUNCATE)');
opened.sqlite.exec('ANALYZE');
const size = statSync(file).size;
log(`inserted ${ROWS} rows (+${agentRows} agent legs, ${tagRows} tags) in ${round(insertS, 1)} s: ${Math.round(ROWS / insertS)} rows/s; ${round(cpuS, 1)} CPU-s (${Math.round(ROWS / cpuS)} rows per CPU-s); ${writtenBytes === null ? '?' : round(writtenBytes / 2 ** 30, 2)} GiB written; database ${round(size / 2 ** 20, 1)} MiB`);

// ---------------------------------------------------------------------------------- searches
const repo = new RecordingsReadRepository(opened.sqlite);
const filters = data.filters();
const results: Record<string, { first: ReturnType<typeof summarize>; next: ReturnType<typeof summarize>; rowsPerPage: number }> = {};
for (const [name, make] of Object.entries(filters)) {
  const first: number[] = [];
  const next: number[] = [];
  let rowsSeen = 0;
  for (let i = 0; i < QUERIES; i++) {
    const f = make();
    let t = performance.now();
    const p1 = repo.search(f, null, 50);
    first.push(performance.now() - t);
    rowsSeen += p1.rows.length;
    const last = p1.rows[p1.rows.length - 1];
    if (p1.more && last) {
      t = performance.now();
      repo.search(f, { startedAt: last.startedAtMs, id: last.recording.id }, 50);
      next.push(performance.now() - t);
    }
  }
  results[name] = { first: summarize(first), next: summarize(next), rowsPerPage: round(rowsSeen / QUERIES, 1) };
  const s = results[name].first;
  const n = results[name].next;
  log(`  ${name.padEnd(26)} page 1: p50 ${round(s.p50)} p99 ${round(s.p99)} max ${round(s.max)} ms | page 2: p50 ${round(n.p50)} p99 ${round(n.p99)} max ${round(n.max)} ms (n=${n.n}) | ${results[name].rowsPerPage} rows/page`);
}

// The worker round trip (what the HTTP handler awaits).
const worker = new SearchWorker({ file, log: pino({ level: 'silent' }) });
await worker.search(buildSearch({}, null, 1)); // the thread and its connection start
const rt: number[] = [];
for (let i = 0; i < QUERIES; i++) {
  const t = performance.now();
  await worker.search(buildSearch(filters['agent + week']!(), null, 50));
  rt.push(performance.now() - t);
}
await worker.close();
const worker_ = summarize(rt);
log(`  worker round trip, agent + week: p50 ${round(worker_.p50)} p99 ${round(worker_.p99)} max ${round(worker_.max)} ms`);
const mem = process.memoryUsage();
log(`memory: rss ${round(mem.rss / 2 ** 20, 1)} MiB, heap ${round(mem.heapUsed / 2 ** 20, 1)} MiB`);
if (args.json) process.stdout.write(`${JSON.stringify({ machine: machineInfo(), rows: ROWS, cacheSize, agentRows, tagRows, insertS: round(insertS, 2), rowsPerS: Math.round(ROWS / insertS), cpuS: round(cpuS, 2), rowsPerCpuS: Math.round(ROWS / cpuS), writtenBytes, dbBytes: size, searches: results, worker: worker_, rssMiB: round(mem.rss / 2 ** 20, 1) })}\n`);
opened.close();
if (!args.keep && !args.dir) rmSync(dir, { recursive: true, force: true });
