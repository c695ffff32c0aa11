/**
 * A busy call centre to measure something beside: the daemon alone in a child process (as
 * bench/e2e.ts runs it, so that /proc/<pid> gives its own CPU), the simulated switch in this
 * process with room for the crowd's monitors, and N softphones (WebSocket agents b0001… at
 * extensions 3001…, queue `sales` behind pilot 8000) logged in with pre-issued tokens, signed in
 * and ready, each answering the calls offered to it. The switch's traffic generator then offers
 * calls at a fixed rate; each caller hangs up `talkS` after being connected, and the agent is
 * ready again (the demo queue has no wrap-up).
 *
 * `measure(seconds)` reads the daemon's CPU (utime + stime of all its threads) over a window and
 * counts the calls the switch routed in it, so that two windows can be compared per call as well
 * as per second. Used by the wallboard's browser test and bench/wallboard.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildSimulator, type RouteRequestHook, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import { WsClient, type EventFrame } from '../../test/helpers/ws-client.ts';
import { freePort, startDaemon, type DaemonProcess } from './daemon-process.ts';
import { cpuBetween, readCpu, readMemory } from './proc.ts';
import { BENCH_PILOT, seedBenchCentre, type BenchAgent } from './seed.ts';

export interface CallCentreOptions {
  agents: number;
  /** Agents logging in at once (default 25). */
  concurrency?: number;
  /** Where the temp data dir goes (default: the OS temp dir). */
  dataRoot?: string;
  /** The daemon's LOG_LEVEL (default warn). */
  logLevel?: string;
  /** Extra node flags of the daemon (e.g. `--cpu-prof`, `--cpu-prof-dir=DIR`). */
  daemonNodeArgs?: string[];
  progress?: (msg: string) => void;
}

export interface TrafficOptions {
  callsPerSecond: number;
  /** The caller hangs up this long after being connected. */
  talkS: number;
  /** The generator stops by itself after this long (stop() stops it sooner). */
  durationS: number;
  /** A caller not connected after this long abandons (default 30). */
  maxWaitS?: number;
}

export interface WindowFigures {
  wallS: number;
  /** Daemon CPU seconds (user + system, all threads) per wall second. */
  cpu: number;
  cpuUser: number;
  cpuSys: number;
  /** RouteRequests to the pilot the switch wrote inside the window. */
  routed: number;
  /** call.offered frames the softphones received inside the window. */
  offered: number;
  /** Daemon CPU milliseconds per call routed in the window. */
  cpuMsPerCall: number;
  /** Daemon resident memory at the end of the window, MiB. */
  rssMiB: number;
}

export interface CallCentre {
  readonly daemon: DaemonProcess;
  readonly sim: Simulator;
  readonly agents: readonly BenchAgent[];
  readonly dataDir: string;
  /** Seconds the softphones took to log in, sign in and go ready. */
  readonly loginS: number;
  /** RouteRequests to the pilot so far. */
  readonly routed: number;
  /** call.offered frames received by the softphones so far, and call.answer refusals/failures. */
  readonly offered: number;
  readonly answerErrors: number;
  /** The refusals and failures of call.answer by error code (or message). */
  readonly answerErrorCodes: Readonly<Record<string, number>>;
  startTraffic(t: TrafficOptions): Promise<void>;
  /** Stops offering calls (calls in progress end by themselves). */
  stopTraffic(): Promise<void>;
  /** The simulator's traffic counters (offered, connected, completed, abandoned, failed, active). */
  trafficStats(): Promise<Record<string, number | boolean | string | null>>;
  /** Waits until at least `n` more calls have been routed (or throws after `timeoutMs`). */
  waitRouted(n: number, timeoutMs: number): Promise<void>;
  /** The daemon's CPU and the calls routed over the next `seconds`. */
  measure(seconds: number): Promise<WindowFigures>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, at most `limit` at a time; rejects with the first failure. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function startCallCentre(opts: CallCentreOptions): Promise<CallCentre> {
  const progress = opts.progress ?? (() => undefined);
  const cleanups: (() => Promise<unknown> | void)[] = [];
  const cleanup = async () => {
    while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch(() => undefined);
  };
  try {
    const dataDir = mkdtempSync(join(opts.dataRoot ?? tmpdir(), 'switchboard-load-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    progress(`seeding ${opts.agents} agents in ${dataDir}`);
    const agents = await seedBenchCentre(dataDir, opts.agents);

    // A real OXO allows 208 monitors; this switch is a bigger one (agents + pilots + queues).
    const sim = await buildSimulator({ cstaPort: 0, controlPort: 0, config: { maxMonitors: opts.agents + 1000 }, logger: pino({ level: 'silent' }) });
    cleanups.push(() => sim.close());
    const simUrl = `http://127.0.0.1:${sim.controlPort}`;
    const port = await freePort();
    const daemon = await startDaemon({ cstaHost: '127.0.0.1', cstaPort: sim.cstaPort, dataDir, port, logLevel: opts.logLevel ?? 'warn', ...(opts.daemonNodeArgs ? { nodeArgs: opts.daemonNodeArgs } : {}) });
    cleanups.push(() => daemon.stop());
    progress(`daemon up, pid ${daemon.pid}, ${daemon.url}`);

    const counts = { routed: 0, offered: 0, answerErrors: 0 };
    const answerErrorCodes: Record<string, number> = {};
    const answerError = (code: string) => {
      counts.answerErrors++;
      answerErrorCodes[code] = (answerErrorCodes[code] ?? 0) + 1;
    };
    /** Resolvers waiting for `counts.routed` to reach a value. */
    let routedWaiters: { at: number; resolve: () => void }[] = [];
    sim.hooks.on('routeRequest', (h: RouteRequestHook) => {
      if (h.routingDevice !== BENCH_PILOT) return;
      counts.routed++;
      if (routedWaiters.length) {
        const due = routedWaiters.filter((w) => counts.routed >= w.at);
        routedWaiters = routedWaiters.filter((w) => counts.routed < w.at);
        for (const w of due) w.resolve();
      }
    });

    const phones: WsClient[] = [];
    cleanups.push(async () => {
      for (const c of phones) c.close();
      await Promise.all(phones.map((c) => c.waitClose(5000).catch(() => c.ws.terminate())));
    });
    const loginStart = performance.now();
    await pool(agents, opts.concurrency ?? 25, async (a) => {
      const c = await WsClient.open(daemon.wsUrl);
      phones.push(c);
      const r = await c.request('auth.login', { token: a.token });
      if (!r.ok) throw new Error(`login ${a.username} failed: ${JSON.stringify(r.error)}`);
      c.session = r.data;
      c.onEvent = (e: EventFrame) => {
        // The softphone keeps no history (WsClient would keep every frame for waitFor).
        c.events.length = 0;
        if (e.event !== 'call.offered') return;
        counts.offered++;
        c.request('call.answer', { callId: (e.data as { callId: string }).callId }).then(
          (res) => {
            if (!res.ok) answerError(res.error?.code ?? 'error');
          },
          (err: unknown) => answerError((err as Error).message),
        );
      };
      await c.call('agent.signIn', { extension: a.extension });
      const view = (await c.call('agent.setState', { state: 'ready' })) as { state: string };
      if (view.state !== 'ready') throw new Error(`${a.username} is ${view.state}, not ready`);
    });
    const loginS = (performance.now() - loginStart) / 1000;
    progress(`${phones.length} agents ready in ${loginS.toFixed(1)} s`);

    const trafficApi = async (method: 'GET' | 'POST' | 'DELETE', body?: object) => {
      const res = await fetch(`${simUrl}/sim/traffic`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      if (!res.ok) throw new Error(`${method} /sim/traffic: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, number | boolean | string | null>;
    };
    cleanups.push(() => trafficApi('DELETE'));

    const centre: CallCentre = {
      daemon,
      sim,
      agents,
      dataDir,
      loginS,
      get routed() {
        return counts.routed;
      },
      get offered() {
        return counts.offered;
      },
      get answerErrors() {
        return counts.answerErrors;
      },
      answerErrorCodes,
      async startTraffic(t) {
        await trafficApi('POST', { callsPerSecond: t.callsPerSecond, durationS: t.durationS, talkS: t.talkS, numbers: [BENCH_PILOT], maxWaitS: t.maxWaitS ?? 30 });
      },
      async stopTraffic() {
        await trafficApi('DELETE');
      },
      trafficStats: () => trafficApi('GET'),
      waitRouted(n, timeoutMs) {
        const at = counts.routed + n;
        return new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${n} calls not routed within ${timeoutMs} ms (${counts.routed - at + n} were)`)), timeoutMs);
          routedWaiters.push({
            at,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
      },
      async measure(seconds) {
        const r0 = counts.routed;
        const o0 = counts.offered;
        const a = readCpu(daemon.pid);
        await sleep(seconds * 1000);
        const b = readCpu(daemon.pid);
        const routed = counts.routed - r0;
        const c = cpuBetween(a, b);
        return {
          wallS: c.wallS,
          cpu: c.total,
          cpuUser: c.user,
          cpuSys: c.sys,
          routed,
          offered: counts.offered - o0,
          cpuMsPerCall: routed > 0 ? (c.total * c.wallS * 1000) / routed : Number.NaN,
          rssMiB: readMemory(daemon.pid).rssMiB,
        };
      },
      close: cleanup,
    };
    return centre;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
