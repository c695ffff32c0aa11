/**
 * End-to-end benchmark: N agents connected over WebSocket and answering, the simulated switch
 * generating inbound calls to pilot 8000 (queue `sales`, longest idle) at R calls/s. Measures the
 * latency from the switch writing the RouteRequest to the agent's WebSocket receiving the
 * `call.offered` frame, the sustained calls/s, and the daemon's CPU and RSS.
 *
 *   npm run bench:e2e -- --agents 500 --rate 200 --duration 20 [--talk 1] [--json]
 *   npm run bench:e2e -- --agents 500 --rate 200 --duration 20 --transport sip-csta-udp
 *   npm run bench:e2e -- --agents 500 --rate 200 --duration 62 --recordings 1000000 --search-rate 10
 *   npm run bench:e2e -- --agents 500 --phases 600:60,150:20
 *
 * With `--search-rate S`, recording searches go to the daemon over HTTP (`GET /api/v1/recordings`,
 * as the demo's qa1) at S per second, in alternate `--search-period` slices of the window (off,
 * on, off, …), over `--recordings N` rows seeded before the daemon starts (bench/lib/
 * recordings-data.ts, the data of bench:recordings): the search latency, and the routing latency
 * of the calls in the slices without searches beside that of the calls in the slices with them.
 *
 * The simulated switch and the agents run in this process; the daemon runs alone in a child
 * process (`node --import tsx src/main.ts`, PBX=csta://127.0.0.1:<sim port>) so /proc/<pid> shows
 * its own CPU and memory. `--transport` picks the PBX link: `annex-g` (default, CSTA over TCP) or
 * SIP/CSTA (`sip-csta-udp`, `sip-csta-tcp`): the switch then also listens for SIP on an ephemeral
 * port and the daemon gets PBX=sip-csta://127.0.0.1:<sip port>;transport=udp|tcp. Everything is
 * on the loopback interface, in a temp data dir that is deleted at the end. See docs/performance.md for the method and the figures.
 *
 * With `--phases rate:seconds,…` the switch offers each rate in turn (bench/lib/load-phases.ts),
 * the pilot's fallback at the switch is `--fallback` (an extension no agent has), and each phase is
 * reported apart: offered, routed, refused by admission control by cause, latency, RSS, event-loop
 * delay, and how soon after a drop the daemon serves normally (docs/overload.md).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildSimulator, type RouteRequestHook, type Simulator } from '../src/pbx-adapters/oxo-sim/index.ts';
import { DEFAULT_SIM_CONFIG } from '../src/pbx-adapters/oxo-sim/config.ts';
import { openDatabase } from '../src/storage/database.ts';
import { isSip, isTransport, pbxUrl, TRANSPORTS, type Transport } from '../test/helpers/transports.ts';
import { WsClient, type EventFrame } from '../test/helpers/ws-client.ts';
import { CstaTap } from './lib/csta-tap.ts';
import { parsePhases, PhaseRunner, phaseRows, type Phase, type PhaseResult } from './lib/load-phases.ts';
import { freePort, REPO_ROOT, startDaemon, type DaemonProcess } from './lib/daemon-process.ts';
import type { ProbeReport } from './lib/daemon-probe.ts';
import { cpuBetween, loadAverage, machineInfo, readCpu, readMemory, type CpuRate, type CpuTimes } from './lib/proc.ts';
import { RecordingData } from './lib/recordings-data.ts';
import { SearchLoad } from './lib/search-load.ts';
import { BENCH_EXTRA_EXTENSIONS, BENCH_PILOT, extensionOf, issueToken, MAX_BENCH_AGENTS, seedBenchCentre, type BenchAgent } from './lib/seed.ts';
import { nsToMs, round, summarize, type Summary } from './lib/stats.ts';
import { numberOption } from './lib/options.ts';

// ------------------------------------------------------------------------------------ options

interface Options {
  transport: Transport;
  agents: number;
  rate: number;
  durationS: number;
  talkS: number;
  warmupS: number;
  maxWaitS: number;
  concurrency: number;
  login: 'token' | 'password';
  json: boolean;
  cpuProfDir: string | null;
  probe: boolean;
  /** The daemon from src/main.ts under tsx (default) or compiled, dist/main.js (npm run build). */
  entry: 'tsx' | 'dist';
  tap: boolean;
  dataRoot: string;
  keepDir: boolean;
  recordings: number;
  searchRate: number;
  searchPeriodS: number;
  /** The agents' queue.stats events (off: queue.statsEvents {enabled: false} at sign-in). */
  queueStats: boolean;
  /** Load phases (--phases): the rates in turn, instead of one --rate for --duration. */
  phases: Phase[] | null;
  /** The pilot's fallback at the switch with --phases. */
  fallback: string;
  /** The daemon's admission control (OVERLOAD). */
  overload: boolean;
  /** Extra environment of the daemon (--daemon-env K=V). */
  daemonEnv: Record<string, string>;
  /** With --phases: a second is normal when its p99 is at or under this, ms. */
  normalMs: number;
  /** --heap-probe DIR: bench/lib/heap-probe.ts preloaded into the daemon, writing there. */
  heapProbeDir: string | null;
}

function usage(): string {
  return [
    'usage: npm run bench:e2e -- [--transport annex-g] [--agents 500] [--rate 200] [--duration 20] [--talk 1] [--warmup 2]',
    '         [--max-wait 30] [--concurrency 25] [--login token|password] [--json] [--cpu-prof DIR] [--probe] [--heap-probe DIR] [--tap] [--entry tsx|dist]',
    '         [--data-root DIR] [--recordings N] [--search-rate S] [--search-period P] [--queue-stats on|off]',
    '         [--phases R:S,R:S,...] [--fallback EXT] [--normal-ms 50] [--overload on|off] [--daemon-env K=V]...',
    `  --transport T    the PBX link: ${TRANSPORTS.join(', ')} (default annex-g)`,
    '  --agents N       agents logged in, signed in at 3001.. and ready (queue sales)',
    '  --rate R         calls per second offered by the simulated switch to pilot 8000',
    '  --duration S     seconds of traffic; the first --warmup seconds are not measured',
    '  --talk S         talk time: the caller hangs up S seconds after being connected',
    '  --max-wait S     a caller not connected after S seconds abandons',
    '  --concurrency C  agents logging in at once',
    '  --login          token (default: pre-issued session token) or password (scrypt in the daemon)',
    '  --json           machine-readable result on stdout instead of the table',
    '  --cpu-prof DIR   run the daemon with --cpu-prof, profile written to DIR',
    '  --entry tsx|dist the daemon from src/main.ts under tsx (default), or dist/main.js as the Docker image',
    '                   runs it (npm run build first; tsx wraps every closure made in a hot path)',
    '  --probe          preload bench/lib/daemon-probe.ts into the daemon: event-loop stalls, GC',
    '                   pauses and SQLite statement times, matched against the slow calls',
    '  --heap-probe DIR preload bench/lib/heap-probe.ts (with --expose-gc): heap after a full GC every',
    '                   FAULT_PROBE_MS into DIR/heap-probe.jsonl, snapshots at FAULT_PROBE_SNAPSHOTS s',
    '                   (both given with --daemon-env); the heap\'s live size, free of the GC sawtooth',
    '  --tap            relay the CSTA link through a timestamping tap: latency split by stage (annex-g only)',
    '  --data-root DIR  where the temp data dir (SQLite database) is made (default: the OS temp dir)',
    '  --recordings N   recordings seeded into the database before the daemon starts (bench:recordings data)',
    '  --search-rate S  recording searches per second over HTTP (qa1), in the window\'s "on" slices',
    '  --search-period P  the window in alternate slices of P s, without then with searches (default 10;',
    '                   0: searches over the whole window)',
    '  --queue-stats on|off  off: each agent turns its queue.stats events off at sign-in (queue.statsEvents)',
    '  --phases R:S,...  load phases: R calls/s for S seconds, one after the other (replaces --rate and',
    '                   --duration), each reported apart (refusals by cause, latency, RSS, loop delay, recovery)',
    '  --fallback EXT   with --phases: where the switch sends a call the daemon refuses (default 2999)',
    '  --normal-ms MS   with --phases: a second after a drop is normal when every call was routed with a p99 ≤ MS',
    '  --overload on|off  the daemon\'s admission control (OVERLOAD; default on)',
    '  --daemon-env K=V  an environment variable of the daemon (repeat), e.g. OVERLOAD_MAX_CALLS_IN_ROUTING=500',
  ].join('\n');
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      transport: { type: 'string', default: 'annex-g' },
      agents: { type: 'string', default: '500' },
      rate: { type: 'string', default: '200' },
      duration: { type: 'string', default: '20' },
      talk: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '2' },
      'max-wait': { type: 'string', default: '30' },
      concurrency: { type: 'string', default: '25' },
      login: { type: 'string', default: 'token' },
      json: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      probe: { type: 'boolean', default: false },
      entry: { type: 'string', default: 'tsx' },
      tap: { type: 'boolean', default: false },
      'data-root': { type: 'string' },
      'keep-dir': { type: 'boolean', default: false },
      recordings: { type: 'string', default: '0' },
      'search-rate': { type: 'string', default: '0' },
      'search-period': { type: 'string', default: '10' },
      'queue-stats': { type: 'string', default: 'on' },
      phases: { type: 'string' },
      fallback: { type: 'string', default: '2999' },
      overload: { type: 'string', default: 'on' },
      'normal-ms': { type: 'string', default: '50' },
      'daemon-env': { type: 'string', multiple: true, default: [] },
      'heap-probe': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    process.exit(0);
  }
  const num = (name: string, raw: string, min: number, max: number, integer = false): number => numberOption(name, raw, min, max, { integer, usage: usage() });
  if (!isTransport(values.transport)) throw new Error(`--transport ${values.transport}: one of ${TRANSPORTS.join(', ')}\n${usage()}`);
  const opts: Options = {
    transport: values.transport,
    // Extensions 3001–5999, then 10000 on (a range the benchmark's switch adds): seed.ts.
    agents: num('agents', values.agents, 1, MAX_BENCH_AGENTS, true),
    rate: num('rate', values.rate, 0.1, 1000),
    durationS: num('duration', values.duration, 1, 3600),
    talkS: num('talk', values.talk, 0, 3600),
    warmupS: num('warmup', values.warmup, 0, 3600),
    maxWaitS: num('max-wait', values['max-wait'], 1, 3600),
    concurrency: num('concurrency', values.concurrency, 1, 1000, true),
    login: values.login === 'password' ? 'password' : 'token',
    json: values.json,
    cpuProfDir: values['cpu-prof'] ?? null,
    probe: values.probe,
    entry: values.entry === 'dist' ? 'dist' : 'tsx',
    tap: values.tap,
    dataRoot: values['data-root'] ?? tmpdir(),
    keepDir: values['keep-dir'],
    recordings: num('recordings', values.recordings, 0, 100_000_000, true),
    searchRate: num('search-rate', values['search-rate'], 0, 1000),
    searchPeriodS: num('search-period', values['search-period'], 0, 3600),
    queueStats: values['queue-stats'] !== 'off',
    phases: values.phases !== undefined ? parsePhases(values.phases) : null,
    fallback: values.fallback,
    overload: values.overload !== 'off',
    normalMs: num('normal-ms', values['normal-ms'], 1, 60_000),
    heapProbeDir: values['heap-probe'] ?? null,
    daemonEnv: Object.fromEntries(
      values['daemon-env'].map((kv) => {
        const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(kv);
        if (!m) throw new Error(`--daemon-env ${kv}: NAME=value\n${usage()}`);
        return [m[1]!, m[2]!];
      }),
    ),
  };
  if (values.overload !== 'on' && values.overload !== 'off') throw new Error(`--overload ${values.overload}: on or off\n${usage()}`);
  if (opts.phases) {
    opts.durationS = opts.phases.reduce((t, p) => t + p.durationS, 0);
    opts.rate = Math.max(...opts.phases.map((p) => p.rate));
  }
  if (values['queue-stats'] !== 'on' && values['queue-stats'] !== 'off') throw new Error(`--queue-stats ${values['queue-stats']}: on or off\n${usage()}`);
  if (values.login !== 'token' && values.login !== 'password') throw new Error(`--login ${values.login}: token or password`);
  if (values.entry !== 'tsx' && values.entry !== 'dist') throw new Error(`--entry ${values.entry}: tsx or dist\n${usage()}`);
  if (opts.entry === 'dist' && opts.probe) throw new Error('--probe preloads TypeScript into the daemon: not with --entry dist');
  if (opts.entry === 'dist' && opts.heapProbeDir) throw new Error('--heap-probe preloads TypeScript into the daemon: not with --entry dist');
  if (opts.tap && isSip(opts.transport)) throw new Error(`--tap relays Annex G frames over TCP: not with --transport ${opts.transport}`);
  if (opts.warmupS >= opts.durationS) throw new Error(`--warmup (${opts.warmupS}) must be shorter than --duration (${opts.durationS})`);
  return opts;
}

const progress = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, at most `limit` at a time; rejects with the first failure. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// --------------------------------------------------------------------------------- recording

interface CallRecord {
  calling: string;
  routeRequestAt: bigint;
  offeredAt: bigint | null;
  /** Round trip of call.answer (sent on call.offered → response), ns. */
  answerNs: bigint | null;
  answerError: string | null;
  offers: number;
}

class Recorder {
  readonly calls = new Map<string, CallRecord>();
  unmatchedOffers = 0;
  answerErrors = 0;

  routeRequest(h: RouteRequestHook): void {
    if (h.routingDevice !== BENCH_PILOT || this.calls.has(h.calling)) return;
    this.calls.set(h.calling, { calling: h.calling, routeRequestAt: h.at, offeredAt: null, answerNs: null, answerError: null, offers: 0 });
  }

  /** A call.offered frame reached an agent's socket at `at`. */
  offered(from: string, at: bigint): CallRecord | null {
    const rec = this.calls.get(from);
    if (!rec) {
      this.unmatchedOffers++;
      return null;
    }
    rec.offers++;
    rec.offeredAt ??= at;
    return rec;
  }
}

function attachAgent(client: WsClient, rec: Recorder): void {
  client.onEvent = (e: EventFrame) => {
    if (e.event !== 'call.offered') return;
    const at = process.hrtime.bigint();
    const data = e.data as { callId: string; from: string };
    const call = rec.offered(data.from, at);
    client.request('call.answer', { callId: data.callId }).then(
      (r) => {
        if (!call) return;
        if (r.ok) call.answerNs ??= process.hrtime.bigint() - at;
        else {
          call.answerError = r.error?.code ?? 'error';
          rec.answerErrors++;
        }
      },
      (err: unknown) => {
        if (call) call.answerError = (err as Error).message;
        rec.answerErrors++;
      },
    );
  };
}

// ------------------------------------------------------------------------------------ result

interface Result {
  sizes: { transport: Transport; agents: number; rate: number; durationS: number; warmupS: number; windowS: number; talkS: number; maxWaitS: number; login: string; dataRoot: string; queueStats: boolean; entry: 'tsx' | 'dist' };
  latencyMs: Summary;
  answerRttMs: Summary;
  throughput: { routeRequests: number; offered: number; answered: number; offeredPerS: number; answeredPerS: number; notOffered: number; offeredTwice: number; answerErrors: number; unmatchedOffers: number };
  sim: unknown;
  daemon: { pid: number; cpu: CpuRate; rssWindowStartMiB: number; rssPeakWindowMiB: number; rssEndMiB: number; hwmMiB: number; warnings: number };
  bench: { cpu: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number };
  machine: ReturnType<typeof machineInfo> & { loadBefore: number[]; loadAfter: number[] };
  timeline: { second: number; routeRequests: number; offered: number; p50: number; p99: number; max: number }[];
  /** Event frames the agents received over the whole run, by event name (the daemon also keeps
   * each session's last 1,000 in its resume buffer). */
  frames: { total: number; approxBytes: number; perCall: number; byEvent: Record<string, number> };
  window: { startUs: number; endUs: number };
  setup: { loginS: number };
  probe?: ProbeSummary;
  stages?: StageSummary;
  search?: SearchSummary;
  phases?: PhaseResult[];
}

// ----------------------------------------------------------------------------- search load

interface SearchSummary {
  recordings: number;
  /** Seeding the recordings before the daemon started. */
  seed: { s: number; rowsPerS: number; rowsPerCpuS: number } | null;
  rate: number;
  periodS: number;
  /** HTTP round trip of the searches (first page, 50), as the bench process saw it. */
  latencyMs: Summary;
  byFilter: Record<string, Summary & { rowsPerPage: number }>;
  sent: number;
  errors: number;
  statuses: Record<string, number>;
  /** RouteRequest → call.offered of the calls in the slices without searches, and with them. */
  routing: { withoutSearch: Summary; withSearch: Summary };
  /** Daemon CPU-s per s in the slices without searches and with them (null: --search-period 0). */
  daemonCpu: { withoutSearch: number; withSearch: number } | null;
}

/** Whether the window's slice holding `t` has searches; null outside the window. */
function searchPhase(opts: Options, winStart: bigint, winEnd: bigint, t: bigint): boolean | null {
  if (t < winStart || t >= winEnd) return null;
  if (opts.searchPeriodS === 0) return true;
  return Math.floor(Number(t - winStart) / 1e9 / opts.searchPeriodS) % 2 === 1;
}

function summarizeSearch(
  opts: Options,
  rec: Recorder,
  load: SearchLoad,
  winStart: bigint,
  winEnd: bigint,
  seed: SearchSummary['seed'],
  cpuMarks: { on: boolean; a: CpuTimes; b: CpuTimes }[],
): SearchSummary {
  const samples = load.samples.filter((x) => searchPhase(opts, winStart, winEnd, x.at) === true);
  const ok = samples.filter((x) => x.status === 200);
  const statuses: Record<string, number> = {};
  for (const x of samples) statuses[String(x.status)] = (statuses[String(x.status)] ?? 0) + 1;
  const byFilter: SearchSummary['byFilter'] = {};
  for (const name of new Set(ok.map((x) => x.filter))) {
    const mine = ok.filter((x) => x.filter === name);
    byFilter[name] = { ...roundSummary(summarize(mine.map((x) => x.ms))), rowsPerPage: round(mine.reduce((t, x) => t + x.rows, 0) / mine.length, 1) };
  }
  const lat = (on: boolean) =>
    roundSummary(summarize([...rec.calls.values()].filter((c) => c.offeredAt !== null && searchPhase(opts, winStart, winEnd, c.routeRequestAt) === on).map((c) => nsToMs(c.offeredAt! - c.routeRequestAt))));
  const cpu = (on: boolean) => {
    const m = cpuMarks.filter((x) => x.on === on);
    const busy = m.reduce((t, x) => t + (x.b.user - x.a.user + x.b.sys - x.a.sys), 0);
    const wall = m.reduce((t, x) => t + Number(x.b.at - x.a.at) / 1e9, 0);
    return round(busy / wall, 3);
  };
  return {
    recordings: opts.recordings,
    seed,
    rate: opts.searchRate,
    periodS: opts.searchPeriodS,
    latencyMs: roundSummary(summarize(ok.map((x) => x.ms))),
    byFilter,
    sent: samples.length,
    errors: samples.length - ok.length,
    statuses,
    routing: { withoutSearch: lat(false), withSearch: lat(true) },
    daemonCpu: cpuMarks.length > 0 ? { withoutSearch: cpu(false), withSearch: cpu(true) } : null,
  };
}

// -------------------------------------------------------------------------------------- tap

interface StageSummary {
  calls: number;
  /** Switch hook → RouteRequest through the tap (bench process). */
  switchToTap: Summary;
  /** RouteRequest through the tap → RouteSelect back through the tap (daemon routing + 2 loopback hops). */
  daemonRouting: Summary;
  /** RouteSelect through the tap → the agent's DeliveredEvent through the tap (switch, in the bench process). */
  switchDelivery: Summary;
  /** DeliveredEvent through the tap → call.offered received by the agent (daemon events → WebSocket → bench). */
  daemonToAgent: Summary;
}

function summarizeStages(tap: CstaTap, rec: Recorder, winStart: bigint, winEnd: bigint): StageSummary {
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  const d: number[] = [];
  for (const call of rec.calls.values()) {
    if (call.routeRequestAt < winStart || call.routeRequestAt >= winEnd || call.offeredAt === null) continue;
    const t = tap.byCaller.get(call.calling);
    if (!t?.routeRequestAt || !t.routeSelectAt || !t.deliveredAt) continue;
    a.push(nsToMs(t.routeRequestAt - call.routeRequestAt));
    b.push(nsToMs(t.routeSelectAt - t.routeRequestAt));
    c.push(nsToMs(t.deliveredAt - t.routeSelectAt));
    d.push(nsToMs(call.offeredAt - t.deliveredAt));
  }
  return { calls: a.length, switchToTap: roundSummary(summarize(a)), daemonRouting: roundSummary(summarize(b)), switchDelivery: roundSummary(summarize(c)), daemonToAgent: roundSummary(summarize(d)) };
}

// ------------------------------------------------------------------------------------ probe

/** Slow calls: RouteRequest → call.offered over this many ms. */
const SLOW_CALL_MS = 10;

interface ProbeSummary {
  stalls: { count: number; totalMs: number; maxMs: number; worst: { atS: number; lateMs: number }[]; all: [number, number][] };
  gc: { count: number; totalMs: number; maxMs: number; over5ms: number; worst: { atS: number; ms: number; kind: number }[] };
  sql: { statements: number; totalMs: number; msPerS: number; slowCount: number; worst: { atS: number; ms: number; sql: string }[]; topByTotal: { sql: string; count: number; ms: number; maxMs: number }[] };
  slowCalls: { thresholdMs: number; count: number; overlappingStall: number; overlappingGc: number; overlappingSlowSql: number };
  /** The window in 10 s slices (from the start of the traffic): how each kind of pause evolves. */
  buckets: { fromS: number; stallMs: number; gcMs: number; gcMaxMs: number; sqlMs: number; slowSql: number; slowSqlMs: number }[];
}

function summarizeProbe(report: ProbeReport, rec: Recorder, winStartUs: number, winEndUs: number, trafficStartUs: number): ProbeSummary {
  const inWin = (atUs: number) => atUs >= winStartUs && atUs < winEndUs;
  const atS = (us: number) => round((us - trafficStartUs) / 1e6, 3);
  const stalls = report.stalls.filter((x) => inWin(x.atUs));
  const gc = report.gc.filter((x) => inWin(x.atUs));
  const slowSql = report.sql.filter((x) => inWin(x.atUs));
  const seconds = report.sqlBySecond.filter((b) => b.second * 1e6 >= winStartUs && (b.second + 1) * 1e6 <= winEndUs);
  const sqlMs = seconds.reduce((t, b) => t + b.ms, 0);
  // Busy intervals [from, to] in µs: a stall is the time the 5 ms timer was held up.
  const stallIv = stalls.map((x) => [x.atUs - x.lateMs * 1000, x.atUs] as const);
  const gcIv = gc.map((x) => [x.atUs, x.atUs + x.ms * 1000] as const);
  const sqlIv = slowSql.map((x) => [x.atUs, x.atUs + x.ms * 1000] as const);
  const overlaps = (iv: readonly (readonly [number, number])[], a: number, b: number) => iv.some(([f, t]) => f < b && t > a);
  const slow = [...rec.calls.values()].filter((c) => c.offeredAt !== null && inWin(Number(c.routeRequestAt / 1000n)) && nsToMs(c.offeredAt - c.routeRequestAt) > SLOW_CALL_MS);
  const span = (c: CallRecord) => [Number(c.routeRequestAt / 1000n), Number(c.offeredAt! / 1000n)] as const;
  const buckets: ProbeSummary['buckets'] = [];
  for (let from = Math.floor((winStartUs - trafficStartUs) / 10e6) * 10; from * 1e6 + trafficStartUs < winEndUs; from += 10) {
    const a = trafficStartUs + from * 1e6;
    const b = a + 10e6;
    const within = (us: number) => us >= a && us < b && inWin(us);
    const g = gc.filter((x) => within(x.atUs));
    const q = slowSql.filter((x) => within(x.atUs));
    buckets.push({
      fromS: from,
      stallMs: round(stalls.filter((x) => within(x.atUs)).reduce((t, x) => t + x.lateMs, 0), 1),
      gcMs: round(g.reduce((t, x) => t + x.ms, 0), 1),
      gcMaxMs: round(Math.max(0, ...g.map((x) => x.ms)), 2),
      sqlMs: round(report.sqlBySecond.filter((x) => x.second * 1e6 >= a && x.second * 1e6 < b && inWin(x.second * 1e6)).reduce((t, x) => t + x.ms, 0), 1),
      slowSql: q.length,
      slowSqlMs: round(q.reduce((t, x) => t + x.ms, 0), 1),
    });
  }
  return {
    buckets,
    stalls: {
      count: stalls.length,
      totalMs: round(stalls.reduce((t, x) => t + x.lateMs, 0), 1),
      maxMs: round(Math.max(0, ...stalls.map((x) => x.lateMs)), 1),
      worst: [...stalls].sort((a, b) => b.lateMs - a.lateMs).slice(0, 8).map((x) => ({ atS: atS(x.atUs), lateMs: x.lateMs })),
      all: stalls.map((x) => [atS(x.atUs), x.lateMs] as [number, number]),
    },
    gc: {
      count: gc.length,
      totalMs: round(gc.reduce((t, x) => t + x.ms, 0), 1),
      maxMs: round(Math.max(0, ...gc.map((x) => x.ms)), 2),
      over5ms: gc.filter((x) => x.ms > 5).length,
      worst: [...gc].sort((a, b) => b.ms - a.ms).slice(0, 5).map((x) => ({ atS: atS(x.atUs), ms: round(x.ms, 2), kind: x.kind })),
    },
    sql: {
      statements: seconds.reduce((t, b) => t + b.count, 0),
      totalMs: round(sqlMs, 1),
      msPerS: round(sqlMs / Math.max(1, seconds.length), 1),
      slowCount: slowSql.length,
      worst: [...slowSql].sort((a, b) => b.ms - a.ms).slice(0, 8).map((x) => ({ atS: atS(x.atUs), ms: round(x.ms, 2), sql: x.sql })),
      topByTotal: [...report.sqlByStatement].sort((a, b) => b.ms - a.ms).slice(0, 8).map((x) => ({ sql: x.sql, count: x.count, ms: round(x.ms, 1), maxMs: round(x.maxMs, 2) })),
    },
    slowCalls: {
      thresholdMs: SLOW_CALL_MS,
      count: slow.length,
      overlappingStall: slow.filter((c) => overlaps(stallIv, ...span(c))).length,
      overlappingGc: slow.filter((c) => overlaps(gcIv, ...span(c))).length,
      overlappingSlowSql: slow.filter((c) => overlaps(sqlIv, ...span(c))).length,
    },
  };
}

function countFrames(clients: readonly WsClient[], calls: number): Result['frames'] {
  const byEvent: Record<string, number> = {};
  let total = 0;
  let approxBytes = 0;
  for (const c of clients) {
    for (const e of c.events) {
      byEvent[e.event] = (byEvent[e.event] ?? 0) + 1;
      total++;
      approxBytes += JSON.stringify(e).length;
    }
  }
  return { total, approxBytes, perCall: round(total / Math.max(1, calls), 2), byEvent };
}

function compute(opts: Options, rec: Recorder, winStart: bigint, winEnd: bigint, trafficStart: bigint): Omit<Result, 'sim' | 'daemon' | 'bench' | 'machine' | 'setup' | 'frames'> {
  const windowS = Number(winEnd - winStart) / 1e9;
  const inWindow = [...rec.calls.values()].filter((c) => c.routeRequestAt >= winStart && c.routeRequestAt < winEnd);
  const offered = inWindow.filter((c) => c.offeredAt !== null);
  const answered = offered.filter((c) => c.answerNs !== null);
  const latency = offered.map((c) => nsToMs(c.offeredAt! - c.routeRequestAt));
  const timeline: Result['timeline'] = [];
  const bySecond = new Map<number, { rr: number; lat: number[] }>();
  for (const c of rec.calls.values()) {
    const s = Math.floor(Number(c.routeRequestAt - trafficStart) / 1e9);
    const b = bySecond.get(s) ?? { rr: 0, lat: [] };
    b.rr++;
    if (c.offeredAt !== null) b.lat.push(nsToMs(c.offeredAt - c.routeRequestAt));
    bySecond.set(s, b);
  }
  for (const [second, b] of [...bySecond.entries()].sort((x, y) => x[0] - y[0])) {
    const s = summarize(b.lat);
    timeline.push({ second, routeRequests: b.rr, offered: b.lat.length, p50: round(s.p50, 3), p99: round(s.p99, 3), max: round(s.max, 3) });
  }
  return {
    sizes: { transport: opts.transport, agents: opts.agents, rate: opts.rate, durationS: opts.durationS, warmupS: opts.warmupS, windowS: round(windowS, 3), talkS: opts.talkS, maxWaitS: opts.maxWaitS, login: opts.login, dataRoot: opts.dataRoot, queueStats: opts.queueStats, entry: opts.entry },
    latencyMs: roundSummary(summarize(latency)),
    answerRttMs: roundSummary(summarize(answered.map((c) => nsToMs(c.answerNs!)))),
    throughput: {
      routeRequests: inWindow.length,
      offered: offered.length,
      answered: answered.length,
      offeredPerS: round(offered.length / windowS, 1),
      answeredPerS: round(answered.length / windowS, 1),
      notOffered: inWindow.length - offered.length,
      offeredTwice: inWindow.filter((c) => c.offers > 1).length,
      answerErrors: rec.answerErrors,
      unmatchedOffers: rec.unmatchedOffers,
    },
    timeline,
    window: { startUs: Number(winStart / 1000n), endUs: Number(winEnd / 1000n) },
  };
}

function roundSummary(s: Summary): Summary {
  return { n: s.n, p50: round(s.p50, 3), p90: round(s.p90, 3), p99: round(s.p99, 3), max: round(s.max, 3), mean: round(s.mean, 3) };
}

function table(r: Result): string {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const rows: [string, string][] = [
    ['PBX link', r.sizes.transport],
    ['agents / rate / talk', `${r.sizes.agents} agents, ${r.sizes.rate} calls/s, talk ${r.sizes.talkS} s (max wait ${r.sizes.maxWaitS} s), login by ${r.sizes.login}${r.sizes.queueStats ? '' : ', queue.stats off'}${r.sizes.entry === 'dist' ? ', daemon from dist/main.js' : ''}`],
    ['traffic / steady window', `${r.sizes.durationS} s of traffic, first ${r.sizes.warmupS} s discarded, window ${f(r.sizes.windowS, 1)} s; database under ${r.sizes.dataRoot}`],
    ['RouteRequest → call.offered', `p50 ${f(r.latencyMs.p50, 3)} ms   p99 ${f(r.latencyMs.p99, 3)} ms   max ${f(r.latencyMs.max, 3)} ms   (mean ${f(r.latencyMs.mean, 3)}, p90 ${f(r.latencyMs.p90, 3)}, n=${r.latencyMs.n})`],
    ['call.answer round trip', `p50 ${f(r.answerRttMs.p50, 3)} ms   p99 ${f(r.answerRttMs.p99, 3)} ms   max ${f(r.answerRttMs.max, 3)} ms`],
    ['sustained calls/s', `offered ${f(r.throughput.offeredPerS, 1)}/s, answered ${f(r.throughput.answeredPerS, 1)}/s (${r.throughput.offered} offered, ${r.throughput.answered} answered of ${r.throughput.routeRequests} RouteRequests in the window)`],
    ['anomalies', `not offered ${r.throughput.notOffered}, offered twice ${r.throughput.offeredTwice}, answer errors ${r.throughput.answerErrors}, unmatched offers ${r.throughput.unmatchedOffers}, daemon warn/error log lines ${r.daemon.warnings}`],
    ['daemon CPU', `${f(r.daemon.cpu.total, 3)} CPU-s per s (user ${f(r.daemon.cpu.user, 3)}, sys ${f(r.daemon.cpu.sys, 3)}) over the window`],
    ['daemon RSS', `window start ${f(r.daemon.rssWindowStartMiB, 1)} MiB, window peak ${f(r.daemon.rssPeakWindowMiB, 1)} MiB, end ${f(r.daemon.rssEndMiB, 1)} MiB, VmHWM ${f(r.daemon.hwmMiB, 1)} MiB`],
    ['bench process (sim + agents)', `${f(r.bench.cpu, 3)} CPU-s per s, event-loop delay p99 ${f(r.bench.eventLoopDelayP99Ms, 2)} ms, max ${f(r.bench.eventLoopDelayMaxMs, 2)} ms`],
    ['machine', `${r.machine.cpus} × ${r.machine.cpuModel}, node ${r.machine.node}, load ${r.machine.loadBefore.map((x) => x.toFixed(2)).join(' ')} before / ${r.machine.loadAfter.map((x) => x.toFixed(2)).join(' ')} after`],
    ['setup', `${r.sizes.agents} agents logged in, signed in and ready in ${f(r.setup.loginS, 1)} s`],
    ['frames to agents (whole run)', `${r.frames.total} event frames, ~${f(r.frames.approxBytes / 1048576, 1)} MiB, ${f(r.frames.perCall, 1)} per call: ${Object.entries(r.frames.byEvent).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`],
  ];
  const st = r.stages;
  if (st) {
    const line = (x: Summary) => `p50 ${f(x.p50, 3)}  p99 ${f(x.p99, 3)}  max ${f(x.max, 3)} ms`;
    rows.push(
      ['tap: switch → tap', line(st.switchToTap)],
      ['tap: daemon RouteRequest → RouteSelect', line(st.daemonRouting)],
      ['tap: switch RouteSelect → Delivered', line(st.switchDelivery)],
      ['tap: daemon Delivered → call.offered', `${line(st.daemonToAgent)}   (${st.calls} calls)`],
    );
  }
  const se = r.search;
  if (se) {
    const line = (x: Summary) => `p50 ${f(x.p50, 3)} ms   p99 ${f(x.p99, 3)} ms   max ${f(x.max, 3)} ms   (n=${x.n})`;
    rows.push(
      ['search: data', `${se.recordings} recordings${se.seed ? ` seeded in ${f(se.seed.s, 1)} s (${Math.round(se.seed.rowsPerS)} rows/s)` : ''}; ${se.rate} searches/s over HTTP as qa1, ${se.periodS > 0 ? `alternate ${se.periodS} s slices without / with` : 'over the whole window'}`],
      ['search: HTTP round trip (page 1)', `${line(se.latencyMs)}; ${se.sent} sent, ${se.errors} not 200 (${Object.entries(se.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')})`],
      ...Object.entries(se.byFilter).map(([k, v]): [string, string] => [`  ${k}`, `p50 ${f(v.p50, 2)}  p99 ${f(v.p99, 2)}  max ${f(v.max, 2)} ms (n=${v.n}, ${f(v.rowsPerPage, 1)} rows/page)`]),
      ['routing without searches', line(se.routing.withoutSearch)],
      ['routing with searches', line(se.routing.withSearch)],
    );
    if (se.daemonCpu) rows.push(['daemon CPU without / with', `${f(se.daemonCpu.withoutSearch, 3)} / ${f(se.daemonCpu.withSearch, 3)} CPU-s per s`]);
  }
  if (r.phases) rows.push(...phaseRows(r.phases));
  const p = r.probe;
  if (p) {
    rows.push(
      ['probe: event-loop stalls', `${p.stalls.count} stalls over 10 ms in the window, ${f(p.stalls.totalMs, 0)} ms in all, worst ${f(p.stalls.maxMs, 1)} ms (at ${p.stalls.worst.map((x) => `${x.atS.toFixed(2)} s: ${x.lateMs.toFixed(0)} ms`).join(', ')})`],
      ['probe: GC', `${p.gc.count} pauses, ${f(p.gc.totalMs, 1)} ms in all, worst ${f(p.gc.maxMs, 2)} ms, ${p.gc.over5ms} over 5 ms`],
      ['probe: SQLite', `${p.sql.statements} statements, ${f(p.sql.totalMs, 0)} ms (${f(p.sql.msPerS, 1)} ms per s), ${p.sql.slowCount} single statements over 2 ms, worst ${p.sql.worst.map((x) => `${x.ms.toFixed(1)} ms ${x.sql.slice(0, 40)}`).slice(0, 3).join(' | ')}`],
      ['probe: slow calls', `${p.slowCalls.count} calls over ${p.slowCalls.thresholdMs} ms; their span overlaps a daemon stall: ${p.slowCalls.overlappingStall}, a GC pause: ${p.slowCalls.overlappingGc}, a slow SQL statement: ${p.slowCalls.overlappingSlowSql}`],
    );
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  return ['Switchboard end-to-end benchmark', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)].join('\n');
}

// -------------------------------------------------------------------------------------- main

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const concurrent = opts.rate * (opts.talkS + 0.05);
  if (concurrent > opts.agents * 0.8) progress(`warning: ${opts.rate} calls/s × ${opts.talkS} s talk ≈ ${Math.round(concurrent)} calls at once for ${opts.agents} agents: calls will queue`);
  const loadBefore = loadAverage();
  progress(`load average before: ${loadBefore.map((x) => x.toFixed(2)).join(' ')} on ${machineInfo().cpus} CPUs`);

  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch (err) {
        progress(`cleanup step failed: ${(err as Error).message}`);
      }
    }
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    progress('interrupted: cleaning up');
    cleanup().then(
      () => process.exit(130),
      () => process.exit(130),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const dataDir = mkdtempSync(join(opts.dataRoot, 'switchboard-bench-'));
    cleanups.push(() => (opts.keepDir ? progress(`data dir kept: ${dataDir}`) : rmSync(dataDir, { recursive: true, force: true })));

    progress(`seeding ${opts.agents} agents in ${dataDir}`);
    const agents = await seedBenchCentre(dataDir, opts.agents);
    const recordingData = new RecordingData();
    let seed: SearchSummary['seed'] = null;
    if (opts.recordings > 0) {
      progress(`seeding ${opts.recordings} recordings`);
      const opened = openDatabase({ file: join(dataDir, 'switchboard.db') });
      try {
        const r = recordingData.insert(opened.sqlite, opts.recordings, 1000, (done, perS) => progress(`  ${done} recordings, ${perS} rows/s`));
        seed = { s: round(r.insertS, 1), rowsPerS: Math.round(r.rows / r.insertS), rowsPerCpuS: Math.round(r.rows / r.cpuS) };
        opened.sqlite.pragma('wal_checkpoint(TRUNCATE)');
        opened.sqlite.exec('ANALYZE');
      } finally {
        opened.close();
      }
      progress(`${opts.recordings} recordings in ${seed.s} s (${seed.rowsPerS} rows/s)`);
    }
    const qaToken = opts.searchRate > 0 ? issueToken(dataDir, 'qa1') : null;

    // A real OXO allows 208 monitors; the benchmark's switch is a bigger one (agents + pilots + queues).
    // With --phases, a call the daemon refuses goes out of the ACD (the default fallback is the
    // queue's own device, where the daemon would adopt it again: docs/overload.md).
    const fallbacks = opts.phases ? { routingFallbacks: { ...DEFAULT_SIM_CONFIG.routingFallbacks, [BENCH_PILOT]: opts.fallback } } : {};
    const sim: Simulator = await buildSimulator({ cstaPort: 0, controlPort: 0, ...(isSip(opts.transport) ? { sipPort: 0 } : {}), config: { maxMonitors: opts.agents + 1000, extensions: [...DEFAULT_SIM_CONFIG.extensions, BENCH_EXTRA_EXTENSIONS], ...fallbacks } });
    cleanups.push(() => sim.close());
    const simUrl = `http://127.0.0.1:${sim.controlPort}`;

    let cstaPort = sim.cstaPort;
    let tap: CstaTap | null = null;
    if (opts.tap) {
      const agentPhones = new Set(Array.from({ length: opts.agents }, (_, i) => extensionOf(i + 1)));
      tap = await CstaTap.start({ host: '127.0.0.1', port: sim.cstaPort }, (dev) => agentPhones.has(dev));
      const t = tap;
      cleanups.push(() => t.close());
      cstaPort = tap.port;
    }
    const port = await freePort();
    const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
    if (opts.heapProbeDir) nodeArgs.push('--expose-gc');
    const preload = [
      ...(opts.probe ? [pathToFileURL(join(REPO_ROOT, 'bench', 'lib', 'daemon-probe.ts')).href] : []),
      ...(opts.heapProbeDir ? [pathToFileURL(join(REPO_ROOT, 'bench', 'lib', 'heap-probe.ts')).href] : []),
    ];
    const pbx = pbxUrl(opts.transport, '127.0.0.1', sim, cstaPort);
    progress(`starting the daemon on port ${port} (switch: ${pbx}${tap ? ', through the tap' : ''})`);
    const probeFile = opts.probe ? join(tmpdir(), `switchboard-probe-${process.pid}-${Date.now()}.json`) : null;
    if (probeFile) cleanups.push(() => rmSync(probeFile, { force: true }));
    const daemon: DaemonProcess = await startDaemon({
      cstaHost: '127.0.0.1',
      cstaPort,
      pbx,
      dataDir,
      port,
      nodeArgs,
      entry: opts.entry,
      ...(preload.length > 0 ? { preload } : {}),
      env: {
        ...opts.daemonEnv,
        ...(probeFile ? { BENCH_PROBE_OUT: probeFile } : {}),
        ...(opts.heapProbeDir ? { FAULT_PROBE_OUT: join(opts.heapProbeDir, 'heap-probe.jsonl') } : {}),
        OVERLOAD: opts.overload ? '1' : '0',
      },
    });
    const stopDaemon = async () => {
      const code = await daemon.stop();
      if (code !== 0) progress(`daemon exited with ${String(code)}`);
    };
    cleanups.push(stopDaemon);
    progress(`daemon up, pid ${daemon.pid}`);

    // ------------------------------------------------------------------- agents: log in, ready
    const rec = new Recorder();
    const clients: WsClient[] = [];
    cleanups.push(async () => {
      for (const c of clients) c.close();
      await Promise.all(clients.map((c) => c.waitClose(5000).catch(() => c.ws.terminate())));
    });
    const loginStart = process.hrtime.bigint();
    await pool(agents, opts.concurrency, async (a: BenchAgent) => {
      let c: WsClient;
      if (opts.login === 'password') c = await WsClient.login(daemon.wsUrl, a.username, a.password);
      else {
        c = await WsClient.open(daemon.wsUrl);
        const r = await c.request('auth.login', { token: a.token });
        if (!r.ok) throw new Error(`login ${a.username} failed: ${JSON.stringify(r.error)}`);
        c.session = r.data;
      }
      clients.push(c);
      attachAgent(c, rec);
      await c.call('agent.signIn', { extension: a.extension });
      if (!opts.queueStats) await c.call('queue.statsEvents', { enabled: false });
      const view = (await c.call('agent.setState', { state: 'ready' })) as { state: string };
      if (view.state !== 'ready') throw new Error(`${a.username} is ${view.state}, not ready`);
    });
    const loginS = Number(process.hrtime.bigint() - loginStart) / 1e9;
    progress(`${clients.length} agents ready in ${loginS.toFixed(1)} s`);
    await sleep(1000); // let the sign-in bursts (queue.stats, switch agent states) settle

    // ------------------------------------------------------------------------- traffic
    sim.hooks.on('routeRequest', (h) => rec.routeRequest(h));
    const eld = monitorEventLoopDelay({ resolution: 1 });
    let cpuA: CpuTimes | null = null;
    let cpuB: CpuTimes | null = null;
    let benchCpuA: NodeJS.CpuUsage | null = null;
    let benchCpu = Number.NaN;
    let rssWindowStart = Number.NaN;
    let rssPeakWindow = 0;
    let sampler: NodeJS.Timeout | null = null;

    const trafficStart = process.hrtime.bigint();
    const winStart = trafficStart + BigInt(Math.round(opts.warmupS * 1e9));
    const winEnd = trafficStart + BigInt(Math.round(opts.durationS * 1e9));
    const startTimer = setTimeout(() => {
      cpuA = readCpu(daemon.pid);
      benchCpuA = process.cpuUsage();
      rssWindowStart = readMemory(daemon.pid).rssMiB;
      rssPeakWindow = rssWindowStart;
      eld.enable();
      sampler = setInterval(() => {
        rssPeakWindow = Math.max(rssPeakWindow, readMemory(daemon.pid).rssMiB);
      }, 250);
    }, opts.warmupS * 1000);
    const windowDone = new Promise<void>((resolve) => {
      setTimeout(() => {
        cpuB = readCpu(daemon.pid);
        if (benchCpuA) {
          const u = process.cpuUsage(benchCpuA);
          benchCpu = (u.user + u.system) / 1e6 / ((opts.durationS - opts.warmupS) || 1);
        }
        rssPeakWindow = Math.max(rssPeakWindow, readMemory(daemon.pid).rssMiB);
        eld.disable();
        if (sampler) clearInterval(sampler);
        resolve();
      }, opts.durationS * 1000);
    });
    cleanups.push(() => {
      clearTimeout(startTimer);
      if (sampler) clearInterval(sampler);
    });

    // Recording searches in the window's "on" slices; the daemon's CPU read at each slice's edge.
    const searchLoad = qaToken
      ? new SearchLoad({ url: daemon.url, token: qaToken, rate: opts.searchRate, filters: recordingData.filters(), active: (t) => searchPhase(opts, winStart, winEnd, t) === true })
      : null;
    const cpuMarks: { on: boolean; a: CpuTimes; b: CpuTimes }[] = [];
    const searchTimers: NodeJS.Timeout[] = [];
    if (searchLoad) {
      searchTimers.push(setTimeout(() => searchLoad.start(), opts.warmupS * 1000));
      searchTimers.push(setTimeout(() => void searchLoad.stop(), opts.durationS * 1000));
      if (opts.searchPeriodS > 0) {
        let last: CpuTimes | null = null;
        for (let k = 0; opts.warmupS + k * opts.searchPeriodS <= opts.durationS + 1e-9; k++) {
          searchTimers.push(
            setTimeout(
              (slice: number) => {
                const now = readCpu(daemon.pid);
                if (last) cpuMarks.push({ on: (slice - 1) % 2 === 1, a: last, b: now });
                last = now;
              },
              (opts.warmupS + k * opts.searchPeriodS) * 1000,
              k,
            ),
          );
        }
      }
      cleanups.push(async () => {
        for (const t of searchTimers) clearTimeout(t);
        await searchLoad.stop();
      });
    }

    let phases: PhaseRunner | null = null;
    if (opts.phases) {
      const runner = new PhaseRunner({ sim, simUrl, daemonUrl: daemon.url, pid: daemon.pid, pilot: BENCH_PILOT, fallback: opts.fallback, talkS: opts.talkS, maxWaitS: opts.maxWaitS, phases: opts.phases, normalP99Ms: opts.normalMs, progress });
      phases = runner;
      cleanups.push(() => runner.stop());
      progress(`traffic: ${opts.phases.map((p) => `${p.rate} calls/s for ${p.durationS} s`).join(', then ')}, talk ${opts.talkS} s`);
      runner.start(trafficStart);
    } else {
      progress(`traffic: ${opts.rate} calls/s for ${opts.durationS} s, talk ${opts.talkS} s`);
      const res = await fetch(`${simUrl}/sim/traffic`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ callsPerSecond: opts.rate, durationS: opts.durationS, talkS: opts.talkS, numbers: [BENCH_PILOT], maxWaitS: opts.maxWaitS }),
      });
      if (!res.ok) throw new Error(`POST /sim/traffic: ${res.status} ${await res.text()}`);
    }
    await windowDone;
    await phases?.done;
    await searchLoad?.stop();

    // Let the calls in progress finish (bounded), then read the end figures.
    progress('traffic window over; waiting for the calls in progress to end');
    const drainDeadline = Date.now() + (opts.talkS + opts.maxWaitS + 10) * 1000;
    let simStats: { running: boolean; active: number } & Record<string, unknown> = { running: true, active: 1 };
    while (Date.now() < drainDeadline) {
      simStats = (await (await fetch(`${simUrl}/sim/traffic`)).json()) as typeof simStats;
      if (!simStats.running && simStats.active === 0) break;
      await sleep(200);
    }
    if (simStats.running || simStats.active > 0) {
      progress(`calls still in progress after the drain time: ${JSON.stringify(simStats)}; stopping the traffic`);
      await fetch(`${simUrl}/sim/traffic`, { method: 'DELETE' });
    }
    await sleep(500); // the last call.cleared / agent.state frames
    const memEnd = readMemory(daemon.pid);
    const loadAfter = loadAverage();

    if (!cpuA || !cpuB) throw new Error('the steady window was not sampled');
    const base = compute(opts, rec, winStart, winEnd, trafficStart);
    const result: Result = {
      ...base,
      sim: simStats,
      daemon: {
        pid: daemon.pid,
        cpu: (() => {
          const c = cpuBetween(cpuA, cpuB);
          return { total: round(c.total, 3), user: round(c.user, 3), sys: round(c.sys, 3), wallS: round(c.wallS, 3) };
        })(),
        rssWindowStartMiB: round(rssWindowStart, 1),
        rssPeakWindowMiB: round(rssPeakWindow, 1),
        rssEndMiB: round(memEnd.rssMiB, 1),
        hwmMiB: round(memEnd.hwmMiB, 1),
        warnings: daemon.warnings,
      },
      bench: { cpu: round(benchCpu, 3), eventLoopDelayP99Ms: round(eld.percentile(99) / 1e6, 3), eventLoopDelayMaxMs: round(eld.max / 1e6, 3) },
      machine: { ...machineInfo(), loadBefore: loadBefore.map((x) => round(x, 2)), loadAfter: loadAfter.map((x) => round(x, 2)) },
      setup: { loginS: round(loginS, 2) },
      frames: countFrames(clients, rec.calls.size),
    };
    if (tap) result.stages = summarizeStages(tap, rec, winStart, winEnd);
    if (phases) result.phases = phases.results(rec.calls.values());
    if (searchLoad) result.search = summarizeSearch(opts, rec, searchLoad, winStart, winEnd, seed, cpuMarks);
    if (daemon.warnings > 0) progress(`daemon warnings (last lines):\n${daemon.tail().slice(-10).join('\n')}`);

    if (probeFile) {
      // The probe writes its file when the daemon exits: stop the daemon first (LIFO: sockets, then it).
      while (cleanups.length > 0) {
        const step = cleanups.pop()!;
        await step();
        if (step === stopDaemon) break;
      }
      result.probe = summarizeProbe(JSON.parse(readFileSync(probeFile, 'utf8')) as ProbeReport, rec, result.window.startUs, result.window.endUs, Number(trafficStart / 1000n));
    }
    await cleanup();
    process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${table(result)}\n`);
    return 0;
  } catch (err) {
    progress(`failed: ${(err as Error).stack ?? String(err)}`);
    await cleanup();
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; if a handle was left behind, do not hang.
    setTimeout(() => {
      progress('handles still open after cleanup; exiting');
      process.exit(code);
    }, 3000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
