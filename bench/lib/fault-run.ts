/**
 * The fault run (issue 6), shared by `bench/fault-run.ts` (60 s at 50 calls/s) and the bounded
 * test (test/integration/fault-run-expect-every-row-ended-and-no-agent-reserved.test.ts).
 *
 * What runs: the simulated switch in this process; the daemon alone in a child process
 * (`node --expose-gc --import tsx --import bench/lib/heap-probe.ts src/main.ts`, linked over real
 * CSTA XML on loopback, SQLite WAL in a temp dir) with the call audit made quick
 * (CALL_AUDIT_S / CALL_AUDIT_SILENCE_S); N agents over WebSocket, signed in at 3001.., ready in
 * queue `sales`, answering every `call.offered` and going ready again whenever the daemon makes
 * them notReady (no answer, link down), as a person at a softphone would.
 *
 * The switch offers calls to pilot 8000 at a fixed rate (`POST /sim/traffic`, callers hang up
 * `talkS` after being connected, abandon after `maxWaitS`) while faults are on: `POST /sim/faults`
 * with `dropEventsPercent` and `responseDelayMs`, and `POST /sim/link/drop` every `linkDropEveryS`.
 * Then the traffic stops, the faults are cleared, and the run waits — polling with deadlines, no
 * fixed sleeps — until the switch has no call left, and then until:
 *   - every call row in the database has ended (`ended_at` set; read-only SQLite reads);
 *   - no agent is `reserved`, and none is `busy` without a call (supervisor.snapshot over WS);
 * and checks that the daemon never exited and that its memory stayed flat (RSS from /proc every
 * second; heap after a full GC every 2 s from the probe).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { buildSimulator, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import type { TrafficStats } from '../../src/pbx-adapters/oxo-sim/traffic.ts';
import { WsClient, type EventFrame } from '../../test/helpers/ws-client.ts';
import { freePort, REPO_ROOT, startDaemon, type DaemonProcess } from './daemon-process.ts';
import { readMemory } from './proc.ts';
import { BENCH_PILOT, seedBenchCentre, type BenchAgent } from './seed.ts';
import { round } from './stats.ts';

export interface FaultRunOptions {
  agents: number;
  /** Calls per second offered to pilot 8000. */
  rate: number;
  durationS: number;
  talkS: number;
  /** A caller not connected after this long hangs up (abandoned). */
  maxWaitS: number;
  dropEventsPercent: number;
  responseDelayMs: number;
  /** Every this many seconds of traffic the switch drops the CSTA link (0: never). */
  linkDropEveryS: number;
  /** The daemon's CALL_AUDIT_S and CALL_AUDIT_SILENCE_S for the run. */
  auditS: number;
  auditSilenceS: number;
  /** After the switch has no call left: how long rows and agents may take to settle. */
  settleTimeoutS: number;
  /** Memory flat: post-GC heap may grow at most this many MiB per minute over the second half of
   * the traffic, and end (after the drain) at most `heapEndOverMidMiB` above its mid-run value. */
  maxHeapSlopeMiBPerMin: number;
  heapEndOverMidMiB: number;
  dataRoot?: string;
  logLevel?: string;
  progress?: (msg: string) => void;
}

export const FAULT_RUN_DEFAULTS: FaultRunOptions = {
  agents: 30,
  rate: 50,
  durationS: 60,
  talkS: 0.3,
  maxWaitS: 20,
  dropEventsPercent: 2,
  responseDelayMs: 200,
  linkDropEveryS: 15,
  auditS: 5,
  auditSilenceS: 10,
  settleTimeoutS: 90,
  maxHeapSlopeMiBPerMin: 10,
  heapEndOverMidMiB: 16,
};

export interface MemorySample {
  /** Seconds since the traffic started (negative: before). */
  t: number;
  rssMiB: number;
  heapUsedMiB?: number;
  /** V8's reserved heap and the memory outside it that V8 knows of (Buffers, ArrayBuffers). */
  heapTotalMiB?: number;
  externalMiB?: number;
  /** V8's spaces: [reserved, live] MiB. */
  spaces?: Record<string, [number, number]>;
}

export interface FaultRunResult {
  options: Omit<FaultRunOptions, 'progress'>;
  sim: TrafficStats;
  agents: { offers: number; distinctCalls: number; answered: number; answerErrors: Record<string, number>; reReady: number; noAnswer: number; notReady: Record<string, number> };
  linkDrops: number;
  linkDownSeen: number;
  rows: { total: number; openAtEnd: number; openAfterTraffic: number; settleS: number; open: unknown[] };
  agentStates: { reserved: string[]; busyNoCall: string[]; byState: Record<string, number>; settleS: number };
  memory: {
    rss: MemorySample[];
    heap: MemorySample[];
    start: { rssMiB: number; heapMiB: number };
    mid: { rssMiB: number; heapMiB: number };
    end: { rssMiB: number; heapMiB: number };
    heapSlopeMiBPerMin: number;
    rssSlopeMiBPerMin: number;
    hwmMiB: number;
  };
  daemon: { pid: number; exitCode: number | string | null; warnings: number; exitedEarly: boolean };
  wallS: number;
  failures: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every `stepMs` until `done(value)`; returns the last value and whether it held. */
export async function pollUntil<T>(probe: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs: number, stepMs = 250): Promise<{ value: T; ok: boolean; waitedMs: number }> {
  const t0 = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return { value, ok: true, waitedMs: Date.now() - t0 };
    if (Date.now() - t0 > timeoutMs) return { value, ok: false, waitedMs: Date.now() - t0 };
    await sleep(stepMs);
  }
}

/** Least-squares slope of y over x (per unit of x); NaN under two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** An agent at a softphone: answers what it is offered, goes ready again when made notReady. */
class Softphone {
  offers = 0;
  answered = 0;
  reReady = 0;
  noAnswer = 0;
  /** Why the daemon made the agent notReady, by reason. */
  readonly notReady: Record<string, number> = {};
  readonly callIds = new Set<string>();
  readonly answerErrors: Record<string, number> = {};
  private stopped = false;
  private readyTimer: NodeJS.Timeout | null = null;

  constructor(readonly client: WsClient) {
    client.onEvent = (e: EventFrame) => this.onEvent(e);
  }

  stop(): void {
    this.stopped = true;
    if (this.readyTimer) clearTimeout(this.readyTimer);
  }

  private onEvent(e: EventFrame): void {
    if (this.stopped) return;
    if (e.event === 'call.offered') {
      const callId = (e.data as { callId: string }).callId;
      this.offers++;
      this.callIds.add(callId);
      this.client.request('call.answer', { callId }).then(
        (r) => {
          if (r.ok) this.answered++;
          else this.answerErrors[r.error?.code ?? 'error'] = (this.answerErrors[r.error?.code ?? 'error'] ?? 0) + 1;
        },
        () => {
          this.answerErrors.timeout = (this.answerErrors.timeout ?? 0) + 1;
        },
      );
    } else if (e.event === 'agent.state') {
      const d = e.data as { state: string; reason: string | null };
      if (d.state === 'notReady') {
        if (d.reason === 'noAnswer') this.noAnswer++;
        const why = d.reason ?? '(none)';
        this.notReady[why] = (this.notReady[why] ?? 0) + 1;
        this.scheduleReady(300);
      }
    }
  }

  private scheduleReady(ms: number): void {
    if (this.stopped || this.readyTimer) return;
    this.readyTimer = setTimeout(() => {
      this.readyTimer = null;
      if (this.stopped) return;
      this.client.request('agent.setState', { state: 'ready' }).then(
        (r) => {
          if (r.ok) this.reReady++;
          else this.scheduleReady(1000);
        },
        () => this.scheduleReady(1000),
      );
    }, ms);
  }
}

interface SnapshotAgent {
  agentId: string;
  state: string;
  calls: unknown[];
}

export async function runFaultRun(o: FaultRunOptions): Promise<FaultRunResult> {
  const progress = o.progress ?? (() => undefined);
  const failures: string[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const wall0 = Date.now();
  try {
    const dataDir = mkdtempSync(join(o.dataRoot ?? tmpdir(), 'switchboard-faults-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    progress(`seeding ${o.agents} agents in ${dataDir}`);
    const agents = await seedBenchCentre(dataDir, o.agents);

    const sim: Simulator = await buildSimulator({ cstaPort: 0, controlPort: 0, config: { maxMonitors: o.agents + 1000 } });
    cleanups.push(() => sim.close());
    const simUrl = `http://127.0.0.1:${sim.controlPort}`;
    const simApi = async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<any> => {
      const res = await fetch(simUrl + path, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined });
      const json = await res.json().catch(() => null);
      if (!res.ok) throw new Error(`sim ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    const probeFile = join(dataDir, 'heap-probe.jsonl');
    const port = await freePort();
    progress(`starting the daemon on port ${port} (CALL_AUDIT_S=${o.auditS} CALL_AUDIT_SILENCE_S=${o.auditSilenceS})`);
    const daemon: DaemonProcess = await startDaemon({
      cstaHost: '127.0.0.1',
      cstaPort: sim.cstaPort,
      dataDir,
      port,
      logLevel: o.logLevel ?? 'warn',
      nodeArgs: ['--expose-gc'],
      preload: [pathToFileURL(join(REPO_ROOT, 'bench', 'lib', 'heap-probe.ts')).href],
      env: { CALL_AUDIT_S: String(o.auditS), CALL_AUDIT_SILENCE_S: String(o.auditSilenceS), FAULT_PROBE_OUT: probeFile },
    });
    let exitCode: number | string | null = null;
    let stopped = false;
    cleanups.push(async () => {
      stopped = true;
      exitCode = await daemon.stop();
    });
    const alive = (): boolean => {
      try {
        readFileSync(`/proc/${daemon.pid}/stat`);
        return true;
      } catch {
        return false;
      }
    };
    progress(`daemon up, pid ${daemon.pid}`);

    // ------------------------------------------------------------ agents and a supervisor
    const clients: WsClient[] = [];
    const phones: Softphone[] = [];
    cleanups.push(async () => {
      for (const p of phones) p.stop();
      for (const c of clients) c.close();
      await Promise.all(clients.map((c) => c.waitClose(5000).catch(() => c.ws.terminate())));
    });
    await pool(agents, 10, async (a: BenchAgent) => {
      const c = await WsClient.open(daemon.wsUrl);
      clients.push(c);
      const r = await c.request('auth.login', { token: a.token });
      if (!r.ok) throw new Error(`login ${a.username} failed: ${JSON.stringify(r.error)}`);
      await c.call('agent.signIn', { extension: a.extension });
      const view = (await c.call('agent.setState', { state: 'ready' })) as { state: string };
      if (view.state !== 'ready') throw new Error(`${a.username} is ${view.state}, not ready`);
      phones.push(new Softphone(c));
    });
    const sup = await WsClient.login(daemon.wsUrl, 'sup1');
    clients.push(sup);
    let linkDownSeen = 0;
    sup.onEvent = (e) => {
      if (e.event === 'link.status' && (e.data as { pbx: string }).pbx === 'down') linkDownSeen++;
    };
    const benchAgents = new Set(agents.map((a) => a.username));
    const snapshot = async (): Promise<SnapshotAgent[]> => {
      const s = (await sup.call('supervisor.snapshot')) as { agents: SnapshotAgent[] };
      return s.agents.filter((a) => benchAgents.has(a.agentId));
    };
    progress(`${phones.length} agents ready`);

    // ------------------------------------------------------------------- memory sampling
    let trafficT0 = Date.now();
    const rss: MemorySample[] = [];
    let hwm = 0;
    const sampleRss = () => {
      try {
        const m = readMemory(daemon.pid);
        rss.push({ t: round((Date.now() - trafficT0) / 1000, 1), rssMiB: round(m.rssMiB, 1) });
        hwm = Math.max(hwm, m.hwmMiB);
      } catch {
        // the daemon is gone: found below
      }
    };
    sampleRss();
    const rssTimer = setInterval(sampleRss, 1000);
    cleanups.push(() => clearInterval(rssTimer));

    // ------------------------------------------------------------------ traffic and faults
    await simApi('POST', '/sim/faults', { dropEventsPercent: o.dropEventsPercent, responseDelayMs: o.responseDelayMs });
    trafficT0 = Date.now();
    await simApi('POST', '/sim/traffic', { callsPerSecond: o.rate, durationS: o.durationS, talkS: o.talkS, numbers: [BENCH_PILOT], maxWaitS: o.maxWaitS });
    progress(`traffic: ${o.rate} calls/s for ${o.durationS} s, faults: ${o.dropEventsPercent} % events dropped, answers ${o.responseDelayMs} ms late, link dropped every ${o.linkDropEveryS} s`);
    let linkDrops = 0;
    const dropTimer =
      o.linkDropEveryS > 0
        ? setInterval(() => {
            simApi('POST', '/sim/link/drop').then(
              (r: { dropped: number }) => {
                linkDrops += r.dropped;
                progress(`link dropped at ${((Date.now() - trafficT0) / 1000).toFixed(1)} s`);
              },
              (err: unknown) => progress(`link drop failed: ${(err as Error).message}`),
            );
          }, o.linkDropEveryS * 1000)
        : null;
    cleanups.push(() => {
      if (dropTimer) clearInterval(dropTimer);
    });

    const traffic = await pollUntil(() => simApi('GET', '/sim/traffic') as Promise<TrafficStats>, (s) => !s.running, o.durationS * 1000 + 30_000, 500);
    if (dropTimer) clearInterval(dropTimer);
    await simApi('DELETE', '/sim/faults');
    if (!traffic.ok) failures.push(`the traffic did not finish within ${o.durationS + 30} s`);
    const trafficEndT = (Date.now() - trafficT0) / 1000;
    progress(`traffic over at ${trafficEndT.toFixed(1)} s: ${JSON.stringify(traffic.value)}; faults cleared`);

    // ------------------------------------------------------------------------- settling
    const dbFile = join(dataDir, 'switchboard.db');
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    cleanups.push(() => void db.close());
    const openRows = () => (db.prepare('select count(*) as n from calls where ended_at is null').get() as { n: number }).n;
    const openAfterTraffic = openRows();

    const simDrained = await pollUntil(() => simApi('GET', '/sim/traffic') as Promise<TrafficStats>, (s) => s.active === 0, (o.maxWaitS + o.talkS + 30) * 1000, 250);
    if (!simDrained.ok) failures.push(`the switch still had ${simDrained.value.active} traffic calls ${o.maxWaitS + 30} s after the traffic`);
    progress(`switch drained in ${(simDrained.waitedMs / 1000).toFixed(1)} s; open rows then: ${openRows()}`);

    const settle0 = Date.now();
    const rows = await pollUntil(openRows, (n) => n === 0, o.settleTimeoutS * 1000, 250);
    const rowsSettleS = (Date.now() - settle0) / 1000;
    progress(`open call rows: ${rows.value} after ${rowsSettleS.toFixed(1)} s`);
    const stuck = (list: SnapshotAgent[]) => ({
      reserved: list.filter((a) => a.state === 'reserved').map((a) => a.agentId),
      busyNoCall: list.filter((a) => a.state === 'busy' && a.calls.length === 0).map((a) => a.agentId),
    });
    const states = await pollUntil(snapshot, (l) => {
      const s = stuck(l);
      return s.reserved.length === 0 && s.busyNoCall.length === 0;
    }, Math.max(5000, o.settleTimeoutS * 1000 - (Date.now() - settle0)), 250);
    const agentSettleS = (Date.now() - settle0) / 1000;
    const final = stuck(states.value);
    const byState: Record<string, number> = {};
    for (const a of states.value) byState[a.state] = (byState[a.state] ?? 0) + 1;

    // Memory after the drain: a few more probe samples with nothing going on.
    const quietUntil = Date.now() + 6000;
    await pollUntil(() => Date.now(), (t) => t >= quietUntil, 7000, 500);
    sampleRss();
    clearInterval(rssTimer);

    const openList = rows.value === 0 ? [] : db.prepare('select id, from_number, offered_at, answered_at, agents, outcome from calls where ended_at is null limit 10').all();
    const total = (db.prepare('select count(*) as n from calls').get() as { n: number }).n;
    const exitedEarly = !alive();

    // ------------------------------------------------------------------------ memory
    const heap: MemorySample[] = [];
    try {
      for (const line of readFileSync(probeFile, 'utf8').split('\n')) {
        if (!line) continue;
        const s = JSON.parse(line) as { atMs: number; rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number; spaces?: Record<string, [number, number]> };
        heap.push({ t: round((s.atMs - trafficT0) / 1000, 1), rssMiB: s.rssMiB, heapUsedMiB: s.heapUsedMiB, heapTotalMiB: s.heapTotalMiB, externalMiB: s.externalMiB, ...(s.spaces ? { spaces: s.spaces } : {}) });
      }
    } catch {
      failures.push('no heap samples from the probe');
    }
    const near = <T extends MemorySample>(list: T[], t: number): T | undefined => list.reduce<T | undefined>((best, s) => (best === undefined || Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best), undefined);
    const half = o.durationS / 2;
    const heapSecondHalf = heap.filter((s) => s.t >= half && s.t <= o.durationS).map((s) => ({ x: s.t, y: s.heapUsedMiB! }));
    const rssSecondHalf = rss.filter((s) => s.t >= half && s.t <= o.durationS).map((s) => ({ x: s.t, y: s.rssMiB }));
    const heapSlope = slope(heapSecondHalf) * 60;
    const rssSlope = slope(rssSecondHalf) * 60;
    const pick = (t: number) => ({ rssMiB: near(rss, t)?.rssMiB ?? Number.NaN, heapMiB: near(heap, t)?.heapUsedMiB ?? Number.NaN });
    const start = pick(0);
    const mid = pick(half);
    const end = { rssMiB: rss.at(-1)?.rssMiB ?? Number.NaN, heapMiB: heap.at(-1)?.heapUsedMiB ?? Number.NaN };

    // -------------------------------------------------------------------------- checks
    const sum = (f: (p: Softphone) => number) => phones.reduce((s, p) => s + f(p), 0);
    const answerErrors: Record<string, number> = {};
    for (const p of phones) for (const [k, v] of Object.entries(p.answerErrors)) answerErrors[k] = (answerErrors[k] ?? 0) + v;
    const notReady: Record<string, number> = {};
    for (const p of phones) for (const [k, v] of Object.entries(p.notReady)) notReady[k] = (notReady[k] ?? 0) + v;
    const distinct = new Set<string>();
    for (const p of phones) for (const id of p.callIds) distinct.add(id);

    if (exitedEarly && !stopped) failures.push(`the daemon exited during the run; its last lines:\n${daemon.tail().slice(-20).join('\n')}`);
    if (rows.value !== 0) failures.push(`${rows.value} call rows still open ${rowsSettleS.toFixed(0)} s after the switch drained: ${JSON.stringify(openList)}`);
    if (final.reserved.length) failures.push(`agents stuck reserved: ${final.reserved.join(', ')}`);
    if (final.busyNoCall.length) failures.push(`agents busy with no call: ${final.busyNoCall.join(', ')}`);
    if (!(heapSlope <= o.maxHeapSlopeMiBPerMin)) failures.push(`heap after GC grew ${heapSlope.toFixed(1)} MiB/min over the second half of the traffic (limit ${o.maxHeapSlopeMiBPerMin})`);
    if (!(end.heapMiB - mid.heapMiB <= o.heapEndOverMidMiB)) failures.push(`heap after GC at the end ${end.heapMiB} MiB is over mid-run ${mid.heapMiB} MiB + ${o.heapEndOverMidMiB} MiB`);
    const simStats = (await simApi('GET', '/sim/traffic')) as TrafficStats;
    if (distinct.size === 0) failures.push('no call was offered to any agent');
    // The simulated phones here never refuse an offer: a refusal is a call the switch had already
    // forgotten, sent from agent to agent (fixed in call-mover.ts; it knocked out whole teams).
    if (notReady.offerRefused) failures.push(`agents made notReady offerRefused ${notReady.offerRefused}×: the phones here never refuse, so each was a call the switch no longer had`);

    const { progress: _p, ...options } = o;
    void _p;
    return {
      options,
      sim: simStats,
      agents: { offers: sum((p) => p.offers), distinctCalls: distinct.size, answered: sum((p) => p.answered), answerErrors, reReady: sum((p) => p.reReady), noAnswer: sum((p) => p.noAnswer), notReady },
      linkDrops,
      linkDownSeen,
      rows: { total, openAtEnd: rows.value, openAfterTraffic, settleS: round(rowsSettleS, 1), open: openList },
      agentStates: { reserved: final.reserved, busyNoCall: final.busyNoCall, byState, settleS: round(agentSettleS, 1) },
      memory: {
        rss,
        heap,
        start,
        mid,
        end,
        heapSlopeMiBPerMin: round(heapSlope, 2),
        rssSlopeMiBPerMin: round(rssSlope, 2),
        hwmMiB: round(hwm, 1),
      },
      daemon: {
        pid: daemon.pid,
        get exitCode() {
          return exitCode;
        },
        get warnings() {
          return daemon.warnings;
        },
        exitedEarly,
      },
      wallS: round((Date.now() - wall0) / 1000, 1),
      failures,
    };
  } finally {
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch (err) {
        progress(`cleanup step failed: ${(err as Error).message}`);
      }
    }
  }
}

/** The result as the lines the bench prints. */
export function describeFaultRun(r: FaultRunResult): string {
  const o = r.options;
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const spaces = (m: MemorySample | undefined) =>
    m?.spaces
      ? Object.entries(m.spaces)
          .filter(([, [size]]) => size >= 0.5)
          .map(([name, [size, used]]) => `${name.replace(/_space$/, '')} ${f(size, 1)}/${f(used, 1)}`)
          .join(', ')
      : '—';
  const series = (list: MemorySample[], key: 'rssMiB' | 'heapUsedMiB' | 'heapTotalMiB' | 'externalMiB', every: number) =>
    list
      .filter((_, i) => i % every === 0 || i === list.length - 1)
      .map((s) => `${f(s.t, 0)}s:${f(s[key] ?? Number.NaN, 0)}`)
      .join(' ');
  const rows: [string, string][] = [
    ['load', `${o.agents} agents, ${o.rate} calls/s for ${o.durationS} s, talk ${o.talkS} s, callers abandon after ${o.maxWaitS} s`],
    ['faults', `${o.dropEventsPercent} % of events dropped, answers ${o.responseDelayMs} ms late, link dropped every ${o.linkDropEveryS} s (${r.linkDrops} drops, supervisor saw link down ${r.linkDownSeen}×)`],
    ['call audit', `CALL_AUDIT_S=${o.auditS} CALL_AUDIT_SILENCE_S=${o.auditSilenceS}`],
    ['switch (calls)', `offered ${r.sim.offered}, connected ${r.sim.connected}, completed ${r.sim.completed}, abandoned ${r.sim.abandoned}, failed ${r.sim.failed}, lost ${r.sim.abandoned + r.sim.failed}, still active ${r.sim.active}`],
    ['agents', `call.offered ${r.agents.offers} (${r.agents.distinctCalls} calls), answered ${r.agents.answered}, answer errors ${JSON.stringify(r.agents.answerErrors)}, made notReady ${JSON.stringify(r.agents.notReady)}, back to ready ${r.agents.reReady}×`],
    ['call rows', `${r.rows.total} rows; open when the traffic stopped ${r.rows.openAfterTraffic}, open at the end ${r.rows.openAtEnd} (settled ${f(r.rows.settleS)} s after the switch drained)`],
    ['agent states at end', `reserved ${r.agentStates.reserved.length}, busy without a call ${r.agentStates.busyNoCall.length}; ${JSON.stringify(r.agentStates.byState)}`],
    ['daemon RSS (MiB)', `start ${f(r.memory.start.rssMiB)}, mid ${f(r.memory.mid.rssMiB)}, end ${f(r.memory.end.rssMiB)}, VmHWM ${f(r.memory.hwmMiB)}; slope over the second half ${f(r.memory.rssSlopeMiBPerMin, 2)} MiB/min`],
    ['daemon heap after GC (MiB)', `start ${f(r.memory.start.heapMiB)}, mid ${f(r.memory.mid.heapMiB)}, end ${f(r.memory.end.heapMiB)}; slope over the second half ${f(r.memory.heapSlopeMiBPerMin, 2)} MiB/min`],
    ['RSS series', series(r.memory.rss, 'rssMiB', 5)],
    ['heap series', series(r.memory.heap, 'heapUsedMiB', 3)],
    // What of the RSS V8 accounts for: the heap it has reserved, and Buffers/ArrayBuffers.
    ['heap total series', series(r.memory.heap, 'heapTotalMiB', 3)],
    ['external series', series(r.memory.heap, 'externalMiB', 3)],
    ['V8 spaces, reserved/live', `start ${spaces(r.memory.heap[0])}; end ${spaces(r.memory.heap.at(-1))}`],
    ['daemon', `pid ${r.daemon.pid}, exited during the run: ${r.daemon.exitedEarly ? 'YES' : 'no'}, warn/error log lines ${r.daemon.warnings}, exit on SIGTERM ${String(r.daemon.exitCode)}`],
    ['wall time', `${f(r.wallS)} s`],
    ['result', r.failures.length === 0 ? 'PASS' : `FAIL (${r.failures.length}):\n    - ${r.failures.join('\n    - ')}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return ['Switchboard fault run', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)].join('\n');
}
