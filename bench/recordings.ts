/**
 * Recording metadata benchmark (docs/performance.md): insert rate, then search latency per filter.
 *
 *   npm run bench:recordings -- [--rows 1000000] [--batch 1000] [--queries 300] [--dir /tmp/x] [--keep] [--json]
 *
 * Inserts --rows recordings (one year of calls; each with 1–2 agent legs, 5 % tagged) into a fresh
 * migrated database, in transactions of --batch rows, and reports rows/s. Then, per filter —
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
import { buildSearch, type RecordingFilters } from '../src/recording/search/query.ts';
import { SearchWorker } from '../src/recording/search/worker.ts';
import { RecordingSeeder, type SeedRecording } from '../test/helpers/recordings.ts';
import { machineInfo } from './lib/proc.ts';
import { round, summarize } from './lib/stats.ts';

const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '1000' }, queries: { type: 'string', default: '300' }, dir: { type: 'string' }, keep: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
const ROWS = Number(args.rows);
const BATCH = Number(args.batch);
const QUERIES = Number(args.queries);
const AGENTS = 300;
const CUSTOMERS = 100_000;
const TAGS = ['complaint', 'vip', 'escalated', 'sale', 'churn-risk', 'training', 'legal', 'callback', 'refund', 'praise'];
const YEAR = 365 * 86_400_000;
const T0 = Date.UTC(2025, 11, 1);
const WEEK = 7 * 86_400_000;

// mulberry32, seeded: the same data every run.
let seed = 42;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const pick = (n: number) => Math.floor(rnd() * n);
const digits = (n: number) => String(pick(10 ** n)).padStart(n, '0');

const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'bench-recordings-'));
const file = join(dir, 'switchboard.db');
if (existsSync(file)) rmSync(file);
const opened = openDatabase({ file });
const seeder = new RecordingSeeder(opened.sqlite);
const log = (m: string) => {
  if (!args.json) process.stdout.write(`${m}\n`);
};

// ---------------------------------------------------------------------------------- inserts
log(`inserting ${ROWS} recordings into ${file} in transactions of ${BATCH}`);
let agentRows = 0;
let tagRows = 0;
const t0 = performance.now();
for (let done = 0; done < ROWS; ) {
  const batch: SeedRecording[] = [];
  for (let i = 0; i < BATCH && done < ROWS; i++, done++) {
    // Start times increase with the row number (calls arrive in time order), a little jitter.
    const startedAt = T0 + Math.floor((done / ROWS) * YEAR) + pick(1000);
    const inbound = rnd() < 0.8;
    const outside = `138${digits(8)}`;
    const ext = String(2000 + pick(AGENTS));
    const legs = rnd() < 0.15 ? 2 : 1;
    const agents = Array.from({ length: legs }, (_, k) => ({ agent: `a${1000 + pick(AGENTS)}`, extension: ext, fromMs: k * 30_000, toMs: (k + 1) * 30_000 }));
    agentRows += legs;
    const tags = rnd() < 0.05 ? [TAGS[pick(TAGS.length)]!] : [];
    tagRows += tags.length;
    batch.push({
      id: `rec-${done.toString(36).padStart(5, '0')}-${digits(4)}`,
      startedAt,
      durationMs: 10_000 + pick(600_000),
      direction: inbound ? 'inbound' : 'outbound',
      caller: inbound ? outside : ext,
      callee: inbound ? '8000' : outside,
      queue: inbound ? ['sales', 'support', 'billing'][pick(3)]! : null,
      customerId: rnd() < 0.3 ? 1 + pick(CUSTOMERS) : null,
      path: `/var/lib/switchboard/recordings/2026/${done}.wav`,
      bytes: 16_044 * 60,
      sha256: 'a'.repeat(64),
      agents,
      tags,
    });
  }
  seeder.many(batch);
  if (done % 200_000 === 0) log(`  ${done} rows, ${Math.round(done / ((performance.now() - t0) / 1000))} rows/s`);
}
const insertS = (performance.now() - t0) / 1000;
opened.sqlite.pragma('wal_checkpoint(TRUNCATE)');
opened.sqlite.exec('ANALYZE');
const size = statSync(file).size;
log(`inserted ${ROWS} rows (+${agentRows} agent legs, ${tagRows} tags) in ${round(insertS, 1)} s: ${Math.round(ROWS / insertS)} rows/s; database ${round(size / 2 ** 20, 1)} MiB`);

// ---------------------------------------------------------------------------------- searches
const repo = new RecordingsReadRepository(opened.sqlite);
const filters: Record<string, () => RecordingFilters> = {
  'agent + week': () => {
    const from = T0 + pick(YEAR - WEEK);
    return { agent: `a${1000 + pick(AGENTS)}`, from, to: from + WEEK };
  },
  'number prefix (7 digits)': () => ({ number: `1380${digits(3)}` }),
  customer: () => ({ customer: 1 + pick(CUSTOMERS) }),
  tag: () => ({ tag: TAGS[pick(TAGS.length)]! }),
  'tag + month': () => {
    const from = T0 + pick(YEAR - 4 * WEEK);
    return { tag: TAGS[pick(TAGS.length)]!, from, to: from + 4 * WEEK };
  },
  'none (newest)': () => ({}),
};
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
if (args.json) process.stdout.write(`${JSON.stringify({ machine: machineInfo(), rows: ROWS, agentRows, tagRows, insertS: round(insertS, 2), rowsPerS: Math.round(ROWS / insertS), dbBytes: size, searches: results, worker: worker_, rssMiB: round(mem.rss / 2 ** 20, 1) })}\n`);
opened.close();
if (!args.keep && !args.dir) rmSync(dir, { recursive: true, force: true });
