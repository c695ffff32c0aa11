/**
 * Soak: bench:e2e for a long time (issue 11: 1 hour at 50 calls/s with 1,000 agents), the
 * daemon's own figures read from its GET /metrics all along. Says whether memory grew and whether
 * anything was left behind: calls still tracked, timers and sockets still open, once the traffic
 * has drained.
 *
 *   npm run bench:soak -- [--agents 1000] [--rate 50] [--duration 3600] [--talk 5] [--every 60] [--settle 300] [--json]
 *                          [--heap-probe DIR [--heap-probe-ms 30000] [--heap-snapshots S1,S2]]
 *
 * --heap-probe DIR preloads bench/lib/heap-probe.ts into the daemon: the heap after a full GC every
 * --heap-probe-ms into DIR/heap-probe.jsonl (what is live, free of the GC sawtooth), and V8 heap
 * snapshots S1, S2 … seconds after the daemon started, to compare with bench/lib/heap-diff.ts.
 *
 * It runs `bench/e2e.ts` as a child (its figures: latency, CPU, RSS) and reads the daemon's port
 * from its progress lines. Scrapes: once when the agents are ready (before any call), every
 * `--every` seconds during the traffic, and every second after the traffic window while e2e
 * drains the calls in progress; the last scrape before e2e stops the daemon is the "after"
 * figure. Memory growth is RSS at the end of the traffic against RSS `--settle` seconds into it
 * (caches and pools filled, the JIT done). Leaks are judged on the "after" scrape against the one
 * before any call: calls tracked (`switchboard_calls`, should be 0), and Node's active resources
 * by type (`nodejs_active_resources`: timers, sockets, …), which must not have grown.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { round } from './lib/stats.ts';
import { numberOption } from './lib/options.ts';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '3600' },
    talk: { type: 'string', default: '5' },
    every: { type: 'string', default: '60' },
    settle: { type: 'string', default: '300' },
    json: { type: 'boolean', default: false },
    'heap-probe': { type: 'string' },
    'heap-probe-ms': { type: 'string', default: '30000' },
    'heap-snapshots': { type: 'string' },
  },
  strict: true,
});
const num = (name: string, raw: string, min: number, max: number): number => numberOption(name, raw, min, max);
const opts = {
  agents: num('agents', values.agents, 1, 12_999),
  rate: num('rate', values.rate, 0.1, 1000),
  durationS: num('duration', values.duration, 10, 86_400),
  talkS: num('talk', values.talk, 0, 3600),
  everyS: num('every', values.every, 1, 3600),
  settleS: num('settle', values.settle, 0, 86_400),
};
if (opts.settleS >= opts.durationS) throw new Error('--settle must be shorter than --duration');
const progress = (msg: string): void => void process.stderr.write(`[soak] ${msg}\n`);

/** One scrape: the figures this report uses, by name (labels folded into the name). */
interface Scrape {
  atS: number;
  phase: 'before' | 'traffic' | 'drain';
  values: Map<string, number>;
}

function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

const sum = (m: Map<string, number>, prefix: string): number => {
  let s = 0;
  for (const [k, v] of m) if (k === prefix || k.startsWith(`${prefix}{`)) s += v;
  return s;
};
const byLabel = (m: Map<string, number>, prefix: string): Map<string, number> => {
  const out = new Map<string, number>();
  for (const [k, v] of m) if (k.startsWith(`${prefix}{`)) out.set(k.slice(prefix.length), v);
  return out;
};
const mib = (b: number): number => round(b / 1048576, 1);

async function main(): Promise<number> {
  const started = Date.now();
  const atS = (): number => round((Date.now() - started) / 1000, 1);
  const args = ['--import', 'tsx', 'bench/e2e.ts', '--agents', String(opts.agents), '--rate', String(opts.rate), '--duration', String(opts.durationS), '--talk', String(opts.talkS), '--warmup', String(Math.min(opts.settleS, 60)), '--json'];
  const probeDir = values['heap-probe'];
  if (probeDir !== undefined) {
    const everyMs = num('heap-probe-ms', values['heap-probe-ms'], 1000, 3_600_000);
    const snapshots = (values['heap-snapshots'] ?? '').split(',').filter((s) => s !== '').map((s) => num('heap-snapshots', s, 1, 86_400));
    args.push('--heap-probe', probeDir, '--daemon-env', `FAULT_PROBE_MS=${everyMs}`, '--daemon-env', `FAULT_PROBE_SNAPSHOTS=${snapshots.join(',')}`);
  }
  progress(`bench/e2e.ts ${args.slice(3).join(' ')}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => void (out += d.toString()));

  let url: string | null = null;
  let phase: Scrape['phase'] | null = null;
  let trafficAt = 0;
  const scrapes: Scrape[] = [];
  const scrape = async (p: Scrape['phase']): Promise<void> => {
    if (!url) return;
    try {
      const res = await fetch(`${url}/metrics`);
      if (res.ok) scrapes.push({ atS: atS(), phase: p, values: parseMetrics(await res.text()) });
    } catch {
      // the daemon is stopping
    }
  };
  let timer: NodeJS.Timeout | null = null;
  createInterface({ input: child.stderr }).on('line', (line) => {
    process.stderr.write(`${line}\n`);
    const port = /starting the daemon on port (\d+)/.exec(line);
    if (port) url = `http://127.0.0.1:${port[1]}`;
    if (/agents ready in/.test(line)) {
      void scrape('before');
    } else if (/^\[e2e\] traffic: /.test(line) || /traffic: .* calls\/s for/.test(line)) {
      phase = 'traffic';
      trafficAt = atS();
      timer = setInterval(() => void scrape('traffic'), opts.everyS * 1000);
    } else if (/traffic window over/.test(line)) {
      phase = 'drain';
      if (timer) clearInterval(timer);
      void scrape('traffic');
      timer = setInterval(() => void scrape('drain'), 1000);
    }
  });
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  if (timer) clearInterval(timer);
  if (code !== 0 || phase === null) {
    progress(`bench/e2e.ts exited with ${code}`);
    return 1;
  }

  const before = scrapes.find((s) => s.phase === 'before');
  const traffic = scrapes.filter((s) => s.phase === 'traffic');
  const after = scrapes.filter((s) => s.phase === 'drain').at(-1);
  if (!before || traffic.length < 2 || !after) throw new Error(`too few scrapes (${scrapes.length}): before ${!!before}, traffic ${traffic.length}, after ${!!after}`);
  const settled = traffic.find((s) => s.atS - trafficAt >= opts.settleS) ?? traffic[0]!;
  const last = traffic.at(-1)!;
  const rss = (s: Scrape): number => s.values.get('process_resident_memory_bytes') ?? Number.NaN;
  const heap = (s: Scrape): number => s.values.get('nodejs_heap_size_used_bytes') ?? Number.NaN;
  const growth = (rss(last) - rss(settled)) / rss(settled);
  const resBefore = byLabel(before.values, 'nodejs_active_resources');
  const resAfter = byLabel(after.values, 'nodejs_active_resources');
  const resources = [...new Set([...resBefore.keys(), ...resAfter.keys()])].map((k) => ({ type: k, before: resBefore.get(k) ?? 0, after: resAfter.get(k) ?? 0 }));
  const grown = resources.filter((r) => r.after > r.before);
  const callsAfter = sum(after.values, 'switchboard_calls');
  const e2e = JSON.parse(out) as { latencyMs?: unknown; daemon?: unknown; calls?: unknown };
  const result = {
    options: opts,
    samples: scrapes.map((s) => ({ atS: s.atS, phase: s.phase, rssMiB: mib(rss(s)), heapUsedMiB: mib(heap(s)), calls: sum(s.values, 'switchboard_calls'), timeouts: s.values.get('nodejs_active_resources{type="Timeout"}') ?? 0, handles: s.values.get('nodejs_active_handles_total') ?? Number.NaN, sessions: sum(s.values, 'switchboard_ws_sessions'), dbBacklog: s.values.get('switchboard_db_write_backlog') ?? Number.NaN })),
    rss: { settledMiB: mib(rss(settled)), settledAtS: round(settled.atS - trafficAt, 0), endMiB: mib(rss(last)), growthPct: round(growth * 100, 2) },
    after: { calls: callsAfter, resources },
    verdict: { rssGrowthUnder5Pct: growth < 0.05, noCallsLeft: callsAfter === 0, noResourcesGrown: grown.length === 0 },
    e2e,
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const lines = [`soak: ${opts.agents} agents, ${opts.rate} calls/s for ${opts.durationS} s, talk ${opts.talkS} s`];
    lines.push('   at s  phase     RSS MiB  heap MiB   calls  timers  handles  sessions  db backlog');
    for (const s of result.samples) lines.push(`${String(s.atS).padStart(7)}  ${s.phase.padEnd(8)} ${String(s.rssMiB).padStart(8)} ${String(s.heapUsedMiB).padStart(9)} ${String(s.calls).padStart(7)} ${String(s.timeouts).padStart(7)} ${String(s.handles).padStart(8)} ${String(s.sessions).padStart(9)} ${String(s.dbBacklog).padStart(11)}`);
    lines.push(`RSS ${result.rss.settledMiB} MiB at ${result.rss.settledAtS} s into the traffic → ${result.rss.endMiB} MiB at its end: ${result.rss.growthPct} % (aim < 5 %)`);
    lines.push(`after the drain: ${callsAfter} calls tracked; active resources before → after: ${resources.map((r) => `${r.type} ${r.before}→${r.after}`).join(', ')}`);
    lines.push(`verdict: ${Object.entries(result.verdict).map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`).join(', ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return result.verdict.rssGrowthUnder5Pct && result.verdict.noCallsLeft && result.verdict.noResourcesGrown ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
