/**
 * Many connected softphones: N agents signed in over WebSocket (one socket each, as a softphone
 * keeps), S supervisors subscribed to the centre, and agents changing state one at a time. Measures
 * the daemon's resident memory per connected softphone, its CPU while N softphones sit idle, and
 * how long one agent's state change takes to reach every supervisor's socket.
 *
 *   npm run bench:softphones -- [--agents 10000] [--supervisors 20] [--changes 300] [--change-rate 20]
 *                                [--idle 10] [--concurrency 50] [--queue-stats on|off] [--entry tsx|dist] [--json]
 *
 * What runs: the simulated switch in this process with extensions up to 19999 (bench/lib/seed.ts),
 * the daemon alone in a child process (bench/lib/daemon-process.ts) so /proc shows its own memory
 * and CPU. Agents log in with pre-issued tokens (`auth.login {token}`) and `agent.signIn` at their
 * extension: they are `notReady`, as a softphone is between calls. Then the supervisors log in and
 * `supervisor.subscribe`. The daemon's RSS is read before the agents connect, after, and after the
 * supervisors; CPU over `--idle` seconds with everybody connected and no traffic. Then
 * `--entry dist` runs the compiled daemon (`npm run build` first), as the Docker image does: tsx's
 * transpiler is not in the process then (~30 MiB less). Then `--changes` state changes at `--change-rate` per second: a random agent sends `agent.setState`
 * (ready ↔ notReady); the latency is from sending the request to the last supervisor socket
 * receiving that agent's `agent.state` (and to the first one, and to the agent's own answer).
 *
 * The clients here are minimal (bench/lib/light-client.ts): they keep no event history, so the
 * bench process stays small and its event loop quick. The supervisors run on a thread of their
 * own (bench/lib/supervisor-worker.mjs) and stamp each event when they read it, so the softphones'
 * traffic on the main thread does not delay what they measure; the main thread's loop delay is
 * printed beside the figures. See docs/performance.md.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { buildSimulator, type Simulator } from '../src/pbx-adapters/oxo-sim/index.ts';
import { DEFAULT_SIM_CONFIG } from '../src/pbx-adapters/oxo-sim/config.ts';
import { freePort, startDaemon, type DaemonProcess } from './lib/daemon-process.ts';
import { LightClient } from './lib/light-client.ts';
import { cpuBetween, loadAverage, machineInfo, readCpu, readMemory } from './lib/proc.ts';
import { BENCH_EXTRA_EXTENSIONS, MAX_BENCH_AGENTS, seedBenchCentre, seedBenchSupervisors, type BenchAgent } from './lib/seed.ts';
import { round, summarize, type Summary } from './lib/stats.ts';
import { numberOption } from './lib/options.ts';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '10000' },
    supervisors: { type: 'string', default: '20' },
    changes: { type: 'string', default: '300' },
    'change-rate': { type: 'string', default: '20' },
    idle: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '50' },
    'queue-stats': { type: 'string', default: 'on' },
    entry: { type: 'string', default: 'tsx' },
    'heap-snapshots': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const num = (name: string, raw: string, min: number, max: number): number => numberOption(name, raw, min, max, { integer: true });
const opts = {
  agents: num('agents', values.agents, 1, MAX_BENCH_AGENTS),
  supervisors: num('supervisors', values.supervisors, 1, 999),
  changes: num('changes', values.changes, 1, 100_000),
  changeRate: num('change-rate', values['change-rate'], 1, 1000),
  idleS: num('idle', values.idle, 1, 600),
  concurrency: num('concurrency', values.concurrency, 1, 1000),
  queueStats: values['queue-stats'] !== 'off',
};
if (values.entry !== 'tsx' && values.entry !== 'dist') throw new Error(`--entry ${values.entry}: tsx or dist`);
const entry: 'tsx' | 'dist' = values.entry;
/** --heap-snapshots DIR: the daemon writes a V8 heap snapshot there before the softphones connect,
 * after, and after the changes (compare with bench/lib/heap-diff.ts). */
const snapshotDir = values['heap-snapshots'] ?? null;
if (!['on', 'off'].includes(values['queue-stats'])) throw new Error(`--queue-stats ${values['queue-stats']}: on or off`);

const progress = (msg: string): void => void process.stderr.write(`[softphones] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

interface Change {
  agentId: string;
  state: string;
  t0: bigint;
  first: number;
  reached: number;
  answeredMs: number;
}

const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

/** The daemon's own view of its memory, from GET /metrics (loopback needs no token), MiB. */
interface MemoryView {
  heapUsed: number;
  heapTotal: number;
  external: number;
  resumeBuffers: number;
  unsent: number;
  /** The daemon's event-loop delay since the previous scrape (prom-client's histogram, reset at
   * each scrape; its 10 ms resolution included), ms. */
  loopP99Ms: number;
  loopMaxMs: number;
}

async function memoryView(url: string): Promise<MemoryView> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (re: RegExp): number => {
    const m = re.exec(text);
    return m ? round(Number(m[1]) / 1048576, 1) : Number.NaN;
  };
  const ms = (re: RegExp): number => {
    const m = re.exec(text);
    return m ? round(Number(m[1]) * 1000, 1) : Number.NaN;
  };
  return {
    heapUsed: value(/^nodejs_heap_size_used_bytes (\S+)$/m),
    heapTotal: value(/^nodejs_heap_size_total_bytes (\S+)$/m),
    external: value(/^nodejs_external_memory_bytes (\S+)$/m),
    resumeBuffers: value(/^switchboard_ws_buffered_bytes\{kind="resume"\} (\S+)$/m),
    unsent: value(/^switchboard_ws_buffered_bytes\{kind="unsent"\} (\S+)$/m),
    loopP99Ms: ms(/^nodejs_eventloop_lag_p99_seconds (\S+)$/m),
    loopMaxMs: ms(/^nodejs_eventloop_lag_max_seconds (\S+)$/m),
  };
}

const showMemory = (m: MemoryView): string => `heap ${m.heapUsed}/${m.heapTotal} MiB, external ${m.external} MiB, resume buffers ${m.resumeBuffers} MiB, unsent ${m.unsent} MiB; event loop since the last look p99 ${m.loopP99Ms} ms, max ${m.loopMaxMs} ms`;

/** With --heap-snapshots: SIGUSR2 makes the daemon write one; waits until the file is complete. */
async function snapshot(daemon: DaemonProcess): Promise<void> {
  if (!snapshotDir) return;
  const before = new Set(readdirSync(snapshotDir));
  process.kill(daemon.pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    const file = readdirSync(snapshotDir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    // Complete when its size stops changing.
    const a = statSync(join(snapshotDir, file)).size;
    await sleep(1000);
    if (statSync(join(snapshotDir, file)).size === a && a > 0) {
      progress(`heap snapshot ${join(snapshotDir, file)}`);
      return;
    }
  }
  throw new Error('no heap snapshot within 5 minutes');
}

async function main(): Promise<void> {
  progress(`load average before: ${loadAverage().map((x) => x.toFixed(2)).join(' ')} on ${machineInfo().cpus} CPUs`);
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch((err: unknown) => progress(`cleanup step failed: ${(err as Error).message}`));
  };
  try {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-softphones-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    progress(`seeding ${opts.agents} agents and ${opts.supervisors} supervisors`);
    const agents = await seedBenchCentre(dataDir, opts.agents);
    const sups = await seedBenchSupervisors(dataDir, opts.supervisors);

    const sim: Simulator = await buildSimulator({ cstaPort: 0, controlPort: 0, config: { maxMonitors: opts.agents + 1000, extensions: [...DEFAULT_SIM_CONFIG.extensions, BENCH_EXTRA_EXTENSIONS] } });
    cleanups.push(() => sim.close());
    const port = await freePort();
    const daemon: DaemonProcess = await startDaemon({ cstaHost: '127.0.0.1', cstaPort: sim.cstaPort, dataDir, port, startTimeoutMs: 120_000, entry, ...(snapshotDir ? { nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] } : {}) });
    cleanups.push(async () => void (await daemon.stop()));
    await sleep(1000);
    const rssBase = readMemory(daemon.pid).rssMiB;
    const memBase = await memoryView(daemon.url);
    await snapshot(daemon);
    progress(`daemon up, pid ${daemon.pid}, RSS ${rssBase.toFixed(0)} MiB; ${showMemory(memBase)}`);

    // ------------------------------------------------------------------ softphones connect
    const clients = new Map<string, LightClient>();
    cleanups.push(async () => {
      await Promise.all([...clients.values()].map((c) => c.close()));
    });
    const loginStart = process.hrtime.bigint();
    let done = 0;
    await pool(agents, opts.concurrency, async (a: BenchAgent) => {
      const c = await LightClient.open(daemon.wsUrl);
      clients.set(a.username, c);
      await c.call('auth.login', { token: a.token });
      await c.call('agent.signIn', { extension: a.extension });
      if (!opts.queueStats) await c.call('queue.statsEvents', { enabled: false });
      if (++done % 1000 === 0) progress(`${done} softphones signed in (${msSince(loginStart).toFixed(0)} ms)`);
    });
    const signInS = msSince(loginStart) / 1000;
    await sleep(3000); // the switch's agent events and the first queue.stats settle
    const rssAgents = readMemory(daemon.pid).rssMiB;
    const memAgents = await memoryView(daemon.url);
    await snapshot(daemon);
    progress(`${clients.size} softphones signed in in ${signInS.toFixed(1)} s; daemon RSS ${rssAgents.toFixed(0)} MiB; ${showMemory(memAgents)}`);

    // ------------------------------------------------------------------ supervisors subscribe
    const changes: Change[] = [];
    const pendingBy = new Map<string, Change>();
    /** Per change that reached every supervisor: ms to the last one. */
    const lastMs: number[] = [];
    // The supervisors read their sockets on a thread of their own (bench/lib/supervisor-worker.mjs).
    const onSupervisorEvent = (agentId: string, state: string, at: bigint): void => {
      const ch = pendingBy.get(agentId);
      if (!ch || ch.state !== state) return;
      const ms = Number(at - ch.t0) / 1e6;
      if (ch.reached === 0) ch.first = ms;
      if (++ch.reached === opts.supervisors) {
        pendingBy.delete(ch.agentId);
        lastMs.push(ms);
      }
    };
    const worker = new Worker(new URL('./lib/supervisor-worker.mjs', import.meta.url), { workerData: { wsUrl: daemon.wsUrl, tokens: sups.map((s) => s.token) } });
    cleanups.push(async () => {
      worker.postMessage({ type: 'close' });
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => void worker.terminate().then(() => resolve()), 10_000);
        worker.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: { type: string; agentId?: string; state?: string; at?: string }) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'state') onSupervisorEvent(m.agentId!, m.state!, BigInt(m.at!));
      });
      worker.once('error', reject);
    });
    const supCount = sups.length;
    await sleep(1000);
    const rssAll = readMemory(daemon.pid).rssMiB;

    // ------------------------------------------------------------------ idle CPU
    progress(`idle for ${opts.idleS} s with ${clients.size} softphones and ${supCount} supervisors`);
    const idleA = readCpu(daemon.pid);
    await sleep(opts.idleS * 1000);
    const idleCpu = cpuBetween(idleA, readCpu(daemon.pid));

    // ------------------------------------------------------------------ state changes
    progress(`${opts.changes} state changes at ${opts.changeRate}/s`);
    const eld = monitorEventLoopDelay({ resolution: 1 });
    eld.enable();
    const ids = [...clients.keys()];
    const stateOf = new Map<string, string>();
    let rssPeak = rssAll;
    const cpuA = readCpu(daemon.pid);
    const answers: Promise<void>[] = [];
    const period = 1000 / opts.changeRate;
    const start = performance.now();
    let rnd = 0x2545f491;
    const rand = (n: number): number => {
      rnd ^= rnd << 13;
      rnd ^= rnd >>> 17;
      rnd ^= rnd << 5;
      return (rnd >>> 0) % n;
    };
    for (let i = 0; i < opts.changes; i++) {
      const wait = start + i * period - performance.now();
      if (wait > 0) await sleep(wait);
      // An agent with no change still on its way (a new change of the same agent would be ambiguous).
      let agentId = ids[rand(ids.length)]!;
      while (pendingBy.has(agentId)) agentId = ids[rand(ids.length)]!;
      const state = stateOf.get(agentId) === 'ready' ? 'notReady' : 'ready';
      stateOf.set(agentId, state);
      const ch: Change = { agentId, state, t0: process.hrtime.bigint(), first: Number.NaN, reached: 0, answeredMs: Number.NaN };
      changes.push(ch);
      pendingBy.set(agentId, ch);
      answers.push(
        clients
          .get(agentId)!
          .call('agent.setState', { state })
          .then(() => {
            ch.answeredMs = msSince(ch.t0);
          }),
      );
      if (i % opts.changeRate === 0) rssPeak = Math.max(rssPeak, readMemory(daemon.pid).rssMiB);
    }
    await Promise.all(answers);
    const deadline = Date.now() + 10_000;
    while (pendingBy.size > 0 && Date.now() < deadline) await sleep(20);
    eld.disable();
    const changeCpu = cpuBetween(cpuA, readCpu(daemon.pid));
    rssPeak = Math.max(rssPeak, readMemory(daemon.pid).rssMiB);
    const memEnd = await memoryView(daemon.url);
    await snapshot(daemon);
    progress(`after the changes: daemon RSS ${readMemory(daemon.pid).rssMiB.toFixed(0)} MiB; ${showMemory(memEnd)}`);

    const all = summarize(lastMs);
    const first = summarize(changes.filter((c) => c.reached > 0).map((c) => c.first));
    const answered = summarize(changes.map((c) => c.answeredMs).filter((x) => Number.isFinite(x)));
    const r = (s: Summary) => ({ n: s.n, p50: round(s.p50), p99: round(s.p99), max: round(s.max) });
    const result = {
      agents: clients.size,
      supervisors: supCount,
      queueStats: opts.queueStats,
      entry,
      signInS: round(signInS, 1),
      daemonRssMiB: { before: round(rssBase, 0), softphones: round(rssAgents, 0), withSupervisors: round(rssAll, 0), peak: round(rssPeak, 0) },
      daemonMemoryMiB: { before: memBase, softphones: memAgents, afterChanges: memEnd },
      perSoftphoneKiB: round(((rssAgents - rssBase) * 1024) / clients.size, 1),
      idleDaemonCpu: round(idleCpu.total, 3),
      changes: { sent: changes.length, reachedAll: lastMs.length, lost: changes.length - lastMs.length, daemonCpu: round(changeCpu.total, 3) },
      allSupervisorsMs: r(all),
      firstSupervisorMs: r(first),
      agentAnswerMs: r(answered),
      benchLoopDelayMs: { p99: round(eld.percentile(99) / 1e6), max: round(eld.max / 1e6) },
      daemonWarnings: daemon.warnings,
    };
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const line = (name: string, s: ReturnType<typeof r>) => `  ${name.padEnd(36)} n=${String(s.n).padStart(6)}  p50 ${s.p50.toFixed(2).padStart(8)}  p99 ${s.p99.toFixed(2).padStart(8)}  max ${s.max.toFixed(2).padStart(8)} ms`;
      process.stdout.write(
        [
          `softphones: ${result.agents} signed in (in ${result.signInS} s), ${result.supervisors} supervisors subscribed, queue.stats ${opts.queueStats ? 'on' : 'off'}, daemon from ${entry === 'dist' ? 'dist/main.js' : 'src/main.ts (tsx)'}`,
          `daemon RSS: ${result.daemonRssMiB.before} MiB before, ${result.daemonRssMiB.softphones} with the softphones (${result.perSoftphoneKiB} KiB each), ${result.daemonRssMiB.withSupervisors} with the supervisors, peak ${result.daemonRssMiB.peak}`,
          `daemon CPU: ${result.idleDaemonCpu} CPU-s/s idle, ${result.changes.daemonCpu} during the changes`,
          `state changes: ${result.changes.sent} sent at ${opts.changeRate}/s, ${result.changes.reachedAll} reached every supervisor, ${result.changes.lost} did not`,
          line('agent.setState → every supervisor', result.allSupervisorsMs),
          line('agent.setState → first supervisor', result.firstSupervisorMs),
          line('agent.setState → its answer', result.agentAnswerMs),
          `daemon event loop over the idle time and the changes: p99 ${memEnd.loopP99Ms} ms, max ${memEnd.loopMaxMs} ms (10 ms resolution included)`,
          `bench event loop: p99 ${result.benchLoopDelayMs.p99} ms, max ${result.benchLoopDelayMs.max} ms; daemon warnings ${result.daemonWarnings}`,
          '',
        ].join('\n'),
      );
    }
    if (result.changes.lost > 0) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
