/**
 * A flood of logins cannot starve call routing: 200 users log in at once (real scrypt work,
 * ln=13, ~20–30 ms of CPU each) while the simulated switch routes 50 calls/s to 30 ready agents.
 * The password checks go through the bounded hashing pool (one at a time on two cores, on a worker
 * thread at low CPU priority; overflow is refused with RATE_LIMITED and retried after
 * `retryAfterS`), and the logins' synchronous first steps take one event-loop turn each
 * (src/services/event-loop-turns.ts), as do the WebSocket upgrades, so the event loop keeps its
 * core.
 *
 * Two bounds. Routing p99 during the flood must stay under 20 ms (calm, on the 2-core test
 * machines: p50 ~3 ms, p99 9–22 ms with n=100); starvation — the event loop losing its core for the
 * length of the flood — lifts the whole distribution (with scrypt moved onto the event loop: p50
 * 35, p95 49, p99 65 ms). And no call may take 100 ms: a block — work done for the whole crowd
 * in one go — delays only a few calls, but by a lot. Before the logins and the upgrades took
 * turns, the crowd's 200 WebSocket upgrades and then its 200 logins each ran in one go (30–70 ms),
 * and in a short flood (n≈200) p99 is the 2nd-slowest call: that block (docs/performance.md,
 * "Login flood").
 *
 * Measured as bench/e2e.ts does: the daemon runs as a process of its own (test/helpers/
 * daemon-entry.ts: src/main.ts with the hashing cost set), the simulated switch and the agents in
 * this process; routing latency runs from the switch writing the RouteRequest (its `routeRequest`
 * hook, process.hrtime) to the agent's WebSocket receiving `call.offered`. The crowd of softphones
 * runs on a thread of its own at low priority (test/helpers/login-flood.worker.mjs), as it would
 * on other machines. The file runs alone, after the rest of the suite (vitest.config.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/lib/daemon-process.ts';
import { seedBenchCentre } from '../../bench/lib/seed.ts';
import { nsToMs, percentile, summarize } from '../../bench/lib/stats.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { buildSimulator, type RouteRequestHook, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { createRepositories } from '../../src/storage/repositories/index.ts';
import { WsClient, type EventFrame } from '../helpers/ws-client.ts';
import { eventually } from '../helpers/world.ts';

const AGENTS = 30;
const FLOOD = 200;
const RATE = 50;
const FLOOD_PASSWORD = 'flood-password';
const SCRYPT_LN = 13;

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-flood-'));
let sim: Simulator;
let daemon: ChildProcess;
let wsUrl: string;
const agents: WsClient[] = [];
const routeRequests = new Map<string, bigint>();
const offeredAt = new Map<string, bigint>();
const daemonOutput: string[] = [];

/** Busy share of all cores over the last `windowMs` (/proc/stat). */
async function cpuBusy(windowMs: number): Promise<number> {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3]! + (f[4] ?? 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await new Promise((r) => setTimeout(r, windowMs));
  const b = read();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}

/** Waits until the machine's CPU is under 30 % busy over a second (at most 60 s). */
async function machineQuiet(): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) if ((await cpuBusy(1000)) < 0.3) return;
}

beforeAll(async () => {
  // The demo centre, 30 agents of queue `sales` (b0001… at 3001…, with session tokens), and 200
  // users whose passwords cost real scrypt work (one hash, reused: the cost is per check).
  const bench = await seedBenchCentre(dataDir, AGENTS);
  const opened = openDatabase({ file: join(dataDir, 'switchboard.db') });
  try {
    const repos = createRepositories(opened.db);
    const passwordHash = await hashPassword(FLOOD_PASSWORD, { ln: SCRYPT_LN, r: 8, p: 1 });
    repos.transaction(() => {
      for (let i = 0; i < FLOOD; i++) repos.users.createWithHash({ username: `f${i}`, displayName: `Flood ${i}`, roles: ['qa'], passwordHash });
    });
  } finally {
    opened.close();
  }

  sim = await buildSimulator({ cstaPort: 0, controlPort: 0, logger: pino({ level: 'silent' }) });
  const port = await freePort();
  daemon = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/daemon-entry.ts'], {
    env: { ...process.env, PBX: `csta://127.0.0.1:${sim.cstaPort}`, DATA_DIR: dataDir, PORT: String(port), DEMO: '1', LOG_LEVEL: 'warn', SCRYPT_LN: String(SCRYPT_LN) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const s of [daemon.stdout!, daemon.stderr!]) s.on('data', (b: Buffer) => daemonOutput.push(b.toString().slice(0, 2000)));
  await eventually(async () => {
    const r = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
    return r?.ok ? ((await r.json()) as { pbx: string }).pbx === 'up' : false;
  }, 30_000, 100);
  wsUrl = `ws://127.0.0.1:${port}/ws`;
  // The daemon's start-up work (the IVR prompts it renders with espeak-ng, once) is over before
  // anything is measured: the machine's CPU, not only the daemon's, quiet again.
  await machineQuiet();

  for (const a of bench) {
    const c = await WsClient.open(wsUrl);
    expect((await c.request('auth.login', { token: a.token })).ok).toBe(true);
    await c.call('agent.signIn', { extension: a.extension });
    await c.call('agent.setState', { state: 'ready' });
    c.onEvent = (e: EventFrame) => {
      if (e.event !== 'call.offered') return;
      const from = e.data.from as string;
      if (!offeredAt.has(from)) offeredAt.set(from, process.hrtime.bigint());
      c.request('call.answer', { callId: e.data.callId }).catch(() => undefined);
    };
    agents.push(c);
  }
  sim.hooks.on('routeRequest', (h: RouteRequestHook) => {
    if (h.routingDevice === '8000' && !routeRequests.has(h.calling)) routeRequests.set(h.calling, h.at);
  });
}, 120_000);

afterAll(async () => {
  if (sim) await traffic('DELETE').catch(() => undefined);
  for (const c of agents) c.close();
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon.once('exit', r));
    daemon.kill('SIGTERM');
    const kill = setTimeout(() => daemon.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  }
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function traffic(method: 'POST' | 'DELETE', body?: object): Promise<Response> {
  return fetch(`http://127.0.0.1:${sim.controlPort}/sim/traffic`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
}

interface FloodStats {
  ok: number;
  refused: number;
  errors: string[];
  ms: number;
}

/** The crowd, on its own thread, loaded and waiting; `go()` starts the logins (each softphone
 * retries after `retryAfterS`) and resolves with their figures. */
function crowd(usernames: string[]): Promise<{ go: () => Promise<FloodStats> }> {
  return new Promise((ready, reject) => {
    const worker = new Worker(new URL('../helpers/login-flood.worker.mjs', import.meta.url), { workerData: { url: wsUrl, usernames, password: FLOOD_PASSWORD } });
    worker.once('error', reject);
    worker.once('message', () =>
      ready({
        go: () =>
          new Promise<FloodStats>((resolve) => {
            worker.once('message', (m: FloodStats) => {
              resolve(m);
              void worker.terminate();
            });
            worker.postMessage('go');
          }),
      }),
    );
  });
}

describe('200 logins at once while 50 calls/s are routed', () => {
  // Tail figures on a machine that may be shared: a burst of something else can preempt this
  // process for 20 ms by itself. A flood that starves routing fails every attempt; a stray burst
  // does not come back three times.
  it('routing during the flood (RouteRequest → call.offered): p99 under 20 ms, none over 100 ms; every login gets in', { retry: 2, timeout: 120_000 }, async () => {
    // A retried attempt starts from a switch with no traffic running (an attempt that failed
    // half-way would otherwise leave its traffic on, and the next POST would get 409).
    await traffic('DELETE');
    const res = await traffic('POST', { callsPerSecond: RATE, durationS: 120, talkS: 0.2, numbers: ['8000'], maxWaitS: 10 });
    expect(res.status).toBeLessThan(300);
    let floodStart: bigint;
    let floodEnd: bigint;
    let stats: FloodStats;
    let warm: bigint;
    try {
      const trafficStart = routeRequests.size;
      // Three seconds of traffic first (the daemon's code paths warm), then the flood.
      await eventually(() => routeRequests.size >= trafficStart + 3 * RATE, 10_000);
      warm = [...routeRequests.values()][trafficStart + RATE]!;
      const softphones = await crowd(Array.from({ length: FLOOD }, (_, i) => `f${i}`));
      floodStart = process.hrtime.bigint();
      stats = await softphones.go();
      floodEnd = process.hrtime.bigint();
    } finally {
      await traffic('DELETE');
    }
    const inFlood = [...routeRequests].filter(([, at]) => at >= floodStart && at < floodEnd);
    // The last calls of the window reach their agent a few ms after it.
    await eventually(() => inFlood.every(([calling]) => offeredAt.has(calling)), 3000).catch(() => undefined);

    const latencies: number[] = [];
    let notOffered = 0;
    for (const [calling, at] of inFlood) {
      const off = offeredAt.get(calling);
      if (off === undefined) notOffered++;
      else latencies.push(nsToMs(off - at));
    }
    const s = summarize(latencies);
    const p95 = percentile([...latencies].sort((a, b) => a - b), 95);
    // For the log: the same latency in the second and third seconds, before the flood.
    const calm = summarize([...routeRequests].filter(([c, at]) => at >= warm && at < floodStart && offeredAt.has(c)).map(([c, at]) => nsToMs(offeredAt.get(c)! - at)));
    const floodS = Number(floodEnd - floodStart) / 1e9;
    console.log(
      `login flood: ${stats.ok} of ${FLOOD} logins in ${floodS.toFixed(1)} s (${stats.refused} RATE_LIMITED and retried); ` +
        `routing during it: n=${s.n} p50 ${s.p50.toFixed(2)} ms p95 ${p95.toFixed(2)} ms p99 ${s.p99.toFixed(2)} ms max ${s.max.toFixed(2)} ms, not offered ${notOffered}; ` +
        `before it: n=${calm.n} p50 ${calm.p50.toFixed(2)} ms p99 ${calm.p99.toFixed(2)} ms max ${calm.max.toFixed(2)} ms`,
    );
    expect(stats.errors).toEqual([]);
    expect(stats.ok).toBe(FLOOD);
    // The flood did cost real time (the scrypt work is there), and calls kept coming through it.
    expect(floodS).toBeGreaterThan(2);
    expect(s.n).toBeGreaterThan(floodS * RATE * 0.7);
    expect(notOffered).toBeLessThanOrEqual(2);
    expect(s.p99).toBeLessThan(20);
    expect(s.max).toBeLessThan(100);
  });
});
