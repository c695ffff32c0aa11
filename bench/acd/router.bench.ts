/**
 * ACD routing benchmark: per-decision latency of the indexed router against two baselines on the
 * same data in the same run — a linear scan per decision (Asterisk app_queue style) and one SQL
 * query per decision on SQLite (FreeSWITCH mod_callcenter style).
 *
 *   npx tsx bench/acd/router.bench.ts [--events 200000] [--linear 20000] [--sql 2000]
 *
 * A decision is one event that may route: a busy agent becomes free (it looks for a call), or a
 * new call arrives (it looks for a free agent). Each is timed alone with process.hrtime.bigint.
 * The router runs the whole script and records it; each baseline replays a prefix of that script
 * and must make exactly the same decisions (checked, printed as "agreement").
 */
import { Router } from '../../src/acd/router.ts';
import { LinearBaseline } from './linear-baseline.ts';
import { SqlBaseline } from './sql-baseline.ts';
import { buildWorld, mulberry32, routerConfig, type World } from './workload.ts';
import { fmt, summarize, type Summary } from './stats.ts';

/** The script, as columns allocated once (the timed loop must not leave garbage or survivors of
 * its own behind: they would be the collector's work inside the router's timings). */
interface Script {
  n: number;
  /** 1: a busy agent becomes free; 2: a new call arrives. */
  kind: Uint8Array;
  agent: Int32Array;
  queue: Int32Array;
  now: Float64Array;
  callId: (string | undefined)[];
}

const FREE = 1;
const CALL = 2;

interface Run {
  script: Script;
  results: string[];
  ns: Float64Array;
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function buildRouter(w: World): { router: Router; buildMs: number } {
  const t = performance.now();
  const router = new Router(routerConfig(w));
  for (const a of w.agents) router.configureAgent({ id: a.id, skills: a.skills.map((s) => ({ skill: w.skillNames[s.skill]!, level: s.level })), queues: [] }, w.t0);
  // The waiting calls arrive in time order; their relaxation steps are all due before t0.
  for (const c of [...w.initialCalls].sort((x, y) => x.queuedAt - y.queuedAt)) {
    router.callQueued({ callId: c.id, queue: w.queues[c.queue]!.id, queuedAt: c.queuedAt }, c.queuedAt);
  }
  router.tick(w.t0);
  return { router, buildMs: performance.now() - t };
}

/** Runs the router over `events` decisions, generating the script as it goes (busy agents free up,
 * new calls arrive, half and half; time advances 1 ms every 4 decisions). */
function runRouter(w: World, router: Router, events: number): Run {
  const r = mulberry32(w.opts.seed ^ 0x5eed);
  const busy = w.agents.map((a) => a.idx);
  const freeAgents = new Set<number>();
  const byId = new Map(w.agents.map((a) => [a.id, a.idx]));
  const script: Script = { n: events, kind: new Uint8Array(events), agent: new Int32Array(events).fill(-1), queue: new Int32Array(events).fill(-1), now: new Float64Array(events), callId: new Array<string | undefined>(events).fill(undefined) };
  const results = new Array<string>(events).fill('');
  const ns = new Float64Array(events);
  for (let i = 0; i < events; i++) {
    const now = w.t0 + Math.floor(i / 4);
    script.now[i] = now;
    let out;
    if (r() < 0.5 && busy.length > 0) {
      const k = Math.floor(r() * busy.length);
      const agent = busy[k]!;
      busy[k] = busy[busy.length - 1]!;
      busy.pop();
      script.kind[i] = FREE;
      script.agent[i] = agent;
      const id = w.agents[agent]!.id;
      const t = process.hrtime.bigint();
      out = router.agentAvailable(id, now, now);
      ns[i] = Number(process.hrtime.bigint() - t);
      if (out.length > 0) busy.push(agent);
      else freeAgents.add(agent);
    } else {
      const queue = w.pickQueue(r);
      const id = `n${i}`;
      script.kind[i] = CALL;
      script.queue[i] = queue;
      script.callId[i] = id;
      const t = process.hrtime.bigint();
      out = router.callQueued({ callId: id, queue: w.queues[queue]!.id, queuedAt: now }, now);
      ns[i] = Number(process.hrtime.bigint() - t);
      const a = out[0]?.kind === 'assign' ? byId.get(out[0].agentId)! : -1;
      if (a >= 0) {
        freeAgents.delete(a);
        busy.push(a);
      }
    }
    const e = out[0];
    if (e?.kind === 'assign') {
      results[i] = script.kind[i] === FREE ? e.callId : e.agentId;
      // The call is answered: the service forgets it (not a routing decision, not timed).
      router.callRemoved(e.callId);
    }
  }
  return { script, results, ns };
}

function replay(name: string, base: { callArrives(id: string, q: number, now: number): string; agentFrees(a: number, now: number): string }, run: Run, n: number): { ns: number[]; agree: number } {
  const ns: number[] = [];
  const s = run.script;
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const got = s.kind[i] === FREE ? base.agentFrees(s.agent[i]!, s.now[i]!) : base.callArrives(s.callId[i]!, s.queue[i]!, s.now[i]!);
    ns.push(Number(process.hrtime.bigint() - t));
    if (got === run.results[i]) agree++;
    else if (agree === i) process.stderr.write(`${name}: first disagreement at decision ${i}: ${got} vs router ${run.results[i]}\n`);
  }
  return { ns, agree };
}

function line(name: string, s: Summary, extra = ''): string {
  return `${name.padEnd(34)} n=${String(s.n).padStart(7)}  p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}  mean ${fmt(s.mean)}  ${Math.round(1e9 / s.mean).toLocaleString('en-US')} decisions/s${extra}`;
}

function main(): void {
  const events = arg('events', 200_000);
  const linearN = arg('linear', 20_000);
  const sqlN = arg('sql', 2_000);
  const w = buildWorld();
  const lanesOf = w.agents.map((a) => w.queues.filter((q) => q.req.every((s) => a.levels[s.skill]! > 0)).length);
  console.log(`world: ${w.agents.length} agents, ${w.opts.skills} skills, ${w.queues.length} queues (${w.queues.filter((q) => q.order === 'skillBased').length} skill-based), ${w.initialCalls.length} waiting calls`);
  console.log(`       agent serves on average ${(lanesOf.reduce((x, y) => x + y, 0) / lanesOf.length).toFixed(1)} queues (max ${Math.max(...lanesOf)}); node ${process.version}`);

  gc();
  const before = process.memoryUsage();
  const { router, buildMs } = buildRouter(w);
  gc();
  const after = process.memoryUsage();
  console.log(`router: indexes built in ${buildMs.toFixed(0)} ms; heapUsed ${mb(after.heapUsed)} (+${mb(after.heapUsed - before.heapUsed)} for the router), rss ${mb(after.rss)}`);

  const warm = runRouter(w, router, events);
  const run = warm;
  const deadline = router.nextDeadline();
  console.log(`router: script of ${events} decisions, ${run.results.filter((x) => x !== '').length} assignments; next deadline ${deadline === null ? 'none' : `t0+${((deadline - w.t0) / 1000).toFixed(1)} s`} (none inside the run)`);

  const lin = new LinearBaseline(w);
  lin.load([...w.initialCalls].sort((x, y) => x.queuedAt - y.queuedAt));
  const linRun = replay('linear', lin, run, Math.min(linearN, events));

  const sql = new SqlBaseline(w);
  sql.load([...w.initialCalls].sort((x, y) => x.queuedAt - y.queuedAt));
  const sqlRun = replay('sql', sql, run, Math.min(sqlN, events));
  sql.close();

  const all = summarize(Array.from(run.ns));
  const byKind = (kind: number, ns: ArrayLike<number>, n: number): number[] => Array.from(ns).slice(0, n).filter((_, i) => run.script.kind[i] === kind);
  console.log('\nper-decision latency (µs)');
  console.log(line('router, all decisions', all));
  console.log(line('router, agent freed → call', summarize(byKind(FREE, run.ns, events))));
  console.log(line('router, call arrived → agent', summarize(byKind(CALL, run.ns, events))));
  const rLin = summarize(Array.from(run.ns.subarray(0, linRun.ns.length)));
  const rSql = summarize(Array.from(run.ns.subarray(0, sqlRun.ns.length)));
  const sLin = summarize(linRun.ns);
  const sSql = summarize(sqlRun.ns);
  console.log(line(`router, first ${rLin.n}`, rLin));
  console.log(line('linear scan', sLin, `  agreement ${linRun.agree}/${linRun.ns.length}`));
  console.log(line('linear scan, agent freed → call', summarize(byKind(FREE, linRun.ns, linRun.ns.length))));
  console.log(line('linear scan, call arrived → agent', summarize(byKind(CALL, linRun.ns, linRun.ns.length))));
  console.log(line(`router, first ${rSql.n}`, rSql));
  console.log(line('sqlite query', sSql, `  agreement ${sqlRun.agree}/${sqlRun.ns.length}`));
  console.log(line('sqlite, agent freed → call', summarize(byKind(FREE, sqlRun.ns, sqlRun.ns.length))));
  console.log(line('sqlite, call arrived → agent', summarize(byKind(CALL, sqlRun.ns, sqlRun.ns.length))));
  const ratio = (b: Summary, r: Summary): string => `p50 ×${(b.p50 / r.p50).toFixed(0)}, p99 ×${(b.p99 / r.p99).toFixed(0)}, mean ×${(b.mean / r.mean).toFixed(0)}`;
  console.log('\nratios (baseline ÷ router, same decisions)');
  console.log(`  linear scan ÷ router: ${ratio(sLin, rLin)}`);
  console.log(`  sqlite      ÷ router: ${ratio(sSql, rSql)}`);
  const totalS = run.ns.reduce((x, y) => x + y, 0) / 1e9;
  console.log(`\nrouter throughput: ${Math.round(events / totalS).toLocaleString('en-US')} decisions/s (sum of timed decisions, one core)`);
  const end = process.memoryUsage();
  console.log(`memory at end: heapUsed ${mb(end.heapUsed)}, rss ${mb(end.rss)}`);
}

main();
