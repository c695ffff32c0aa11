/**
 * Load phases for bench/e2e.ts (`--phases 600:60,150:20`, rate:seconds): the simulated switch
 * offers each phase's rate for its seconds, one after the other, and each phase is reported apart
 * — calls offered (RouteRequests), routed (an agent got `call.offered`), refused by the daemon's
 * admission control by cause (GET /metrics, `switchboard_overload_shed_total`, read at each
 * phase's edges), calls that reached the pilot's fallback at the switch, the routing latency of
 * the routed calls, the daemon's RSS (max) and event-loop delay (prom-client's p99 and max since
 * the previous scrape, i.e. over the phase), and, for a phase after a heavier one, how long after
 * the load dropped the daemon served normally again: every call of each second routed, with a
 * p99 at or under --normal-ms (docs/overload.md, docs/performance.md).
 *
 * Trade-off: the phases are separate runs of the switch's traffic generator, started on a timer
 * in this process; a phase starts within a few ms of when it should, and calls of the previous
 * phase still in progress go on.
 */
import type { ConnectionHook, Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import { readMemory } from './proc.ts';
import { nsToMs, round, summarize, type Summary } from './stats.ts';

export interface Phase {
  rate: number;
  durationS: number;
  /** Seconds from the start of the traffic. */
  fromS: number;
}

/** `400:60,100:20` → phases; throws with the reason. */
export function parsePhases(text: string): Phase[] {
  const out: Phase[] = [];
  let at = 0;
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(part);
    const rate = Number(m?.[1]);
    const durationS = Number(m?.[2]);
    if (!m || !(rate > 0 && rate <= 1000) || !(durationS >= 1 && durationS <= 3600)) throw new Error(`--phases: ${JSON.stringify(part)} is not rate:seconds (rate 0–1000 calls/s, 1–3600 s)`);
    out.push({ rate, durationS, fromS: at });
    at += durationS;
  }
  if (out.length === 0) throw new Error('--phases: at least one rate:seconds');
  return out;
}

/** One call as the phases see it: when its RouteRequest was written, when an agent was offered it. */
export interface PhaseCall {
  calling: string;
  routeRequestAt: bigint;
  offeredAt: bigint | null;
}

export interface PhaseResult {
  rate: number;
  durationS: number;
  offered: number;
  routed: number;
  /** Refused by admission control during the phase, by cause (the daemon's counter). */
  shed: Record<string, number>;
  shedTotal: number;
  /** Calls of the phase that reached the pilot's fallback device at the switch. */
  atFallback: number;
  /** Neither routed to an agent nor at the fallback (waiting when abandoned, or still waiting). */
  neither: number;
  latencyMs: Summary;
  rssMaxMiB: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** After a heavier phase: seconds from the drop to the first second from which every second of
   * the phase routes every call, with a p99 within normal (`normalP99Ms`); null: never in it. */
  recoveryS: number | null;
  normalP99Ms: number | null;
  /** The phase's routing latency p99 second by second (from its start). */
  p99BySecond: number[];
}

type Scrape = { shed: Record<string, number>; loopP99Ms: number; loopMaxMs: number };

async function scrape(url: string): Promise<Scrape> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const shed: Record<string, number> = {};
  let loopP99Ms = Number.NaN;
  let loopMaxMs = Number.NaN;
  for (const line of text.split('\n')) {
    const m = /^switchboard_overload_shed_total\{cause="(\w+)"\} (\S+)$/.exec(line);
    if (m) shed[m[1]!] = Number(m[2]);
    const p = /^nodejs_eventloop_lag_(p99|max)_seconds (\S+)$/.exec(line);
    if (p?.[1] === 'p99') loopP99Ms = Number(p[2]) * 1000;
    if (p?.[1] === 'max') loopMaxMs = Number(p[2]) * 1000;
  }
  return { shed, loopP99Ms, loopMaxMs };
}

/** Runs the phases against the switch and samples the daemon; `done` resolves after the last. */
export class PhaseRunner {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly rss: { at: bigint; mib: number }[] = [];
  private readonly scrapes: Scrape[] = [];
  /** Switch call id → caller, and callers that reached the fallback (when). */
  private readonly callers = new Map<string, string>();
  readonly atFallback = new Map<string, bigint>();
  private t0 = 0n;
  readonly done: Promise<void>;
  private finish: () => void = () => {};

  constructor(
    private readonly d: { sim: Simulator; simUrl: string; daemonUrl: string; pid: number; pilot: string; fallback: string; talkS: number; maxWaitS: number; phases: readonly Phase[]; normalP99Ms: number; progress(msg: string): void },
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    d.sim.hooks.on('callCreated', (h) => void this.callers.set(h.callId, h.calling));
    d.sim.hooks.on('connection', (h: ConnectionHook) => {
      if (h.deviceId !== d.fallback || h.state !== 'alerting') return;
      const calling = this.callers.get(h.callId);
      if (calling !== undefined && !this.atFallback.has(calling)) this.atFallback.set(calling, h.at);
    });
  }

  /** Starts the first phase now; `t0` is the traffic's start (hrtime). */
  start(t0: bigint): void {
    this.t0 = t0;
    this.timers.push(setInterval(() => this.rss.push({ at: process.hrtime.bigint(), mib: readMemory(this.d.pid).rssMiB }), 250));
    void scrape(this.d.daemonUrl).then((s) => this.scrapes.push(s));
    this.d.phases.forEach((p, i) => this.timers.push(setTimeout(() => void this.begin(p, i), p.fromS * 1000)));
    const end = this.d.phases.at(-1)!;
    this.timers.push(
      setTimeout(() => {
        void scrape(this.d.daemonUrl).then(
          (s) => {
            this.scrapes.push(s);
            this.finish();
          },
          () => this.finish(),
        );
      }, (end.fromS + end.durationS) * 1000),
    );
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
  }

  private async begin(p: Phase, i: number): Promise<void> {
    if (i > 0) this.scrapes.push(await scrape(this.d.daemonUrl));
    await fetch(`${this.d.simUrl}/sim/traffic`, { method: 'DELETE' });
    this.d.progress(`phase ${i + 1}: ${p.rate} calls/s for ${p.durationS} s`);
    const res = await fetch(`${this.d.simUrl}/sim/traffic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ callsPerSecond: p.rate, durationS: p.durationS, talkS: this.d.talkS, numbers: [this.d.pilot], maxWaitS: this.d.maxWaitS }),
    });
    if (!res.ok) this.d.progress(`phase ${i + 1}: POST /sim/traffic ${res.status} ${await res.text()}`);
  }

  /** Each phase's figures, from the calls the bench recorded. */
  results(calls: Iterable<PhaseCall>): PhaseResult[] {
    const all = [...calls];
    const edge = (s: number) => this.t0 + BigInt(Math.round(s * 1e9));
    return this.d.phases.map((p, i) => {
      const a = edge(p.fromS);
      const b = edge(p.fromS + p.durationS);
      const mine = all.filter((c) => c.routeRequestAt >= a && c.routeRequestAt < b);
      const routed = mine.filter((c) => c.offeredAt !== null);
      const fallback = mine.filter((c) => this.atFallback.has(c.calling));
      const before = this.scrapes[i];
      const after = this.scrapes[i + 1];
      const shed: Record<string, number> = {};
      if (before && after) for (const [k, v] of Object.entries(after.shed)) if (v - (before.shed[k] ?? 0) > 0) shed[k] = v - (before.shed[k] ?? 0);
      const rss = this.rss.filter((x) => x.at >= a && x.at < b).map((x) => x.mib);
      const heavierBefore = i > 0 && this.d.phases[i - 1]!.rate > p.rate;
      const rec = heavierBefore ? { recoveryS: recovery(mine, a, this.atFallback, this.d.normalP99Ms), normalP99Ms: this.d.normalP99Ms } : { recoveryS: null, normalP99Ms: null };
      const lat = summarize(routed.map((c) => nsToMs(c.offeredAt! - c.routeRequestAt)));
      return {
        rate: p.rate,
        durationS: p.durationS,
        offered: mine.length,
        routed: routed.length,
        shed,
        shedTotal: Object.values(shed).reduce((x, y) => x + y, 0),
        atFallback: fallback.length,
        neither: mine.length - routed.length - fallback.length,
        latencyMs: { n: lat.n, p50: round(lat.p50, 3), p90: round(lat.p90, 3), p99: round(lat.p99, 3), max: round(lat.max, 3), mean: round(lat.mean, 3) },
        rssMaxMiB: round(Math.max(0, ...rss), 1),
        loopDelayP99Ms: round(after?.loopP99Ms ?? Number.NaN, 2),
        loopDelayMaxMs: round(after?.loopMaxMs ?? Number.NaN, 2),
        ...rec,
        p99BySecond: bySecond(mine, a).map((b) => round(summarize(b.lat).p99, 1)),
      };
    });
  }
}

/** The phase's calls second by second: routed latencies, and calls sent to the fallback. */
function bySecond(calls: readonly PhaseCall[], from: bigint, atFallback?: ReadonlyMap<string, bigint>): { lat: number[]; refused: number }[] {
  const out: { lat: number[]; refused: number }[] = [];
  for (const c of calls) {
    const s = Math.floor(Number(c.routeRequestAt - from) / 1e9);
    while (out.length <= s) out.push({ lat: [], refused: 0 });
    if (c.offeredAt !== null) out[s]!.lat.push(nsToMs(c.offeredAt - c.routeRequestAt));
    else if (atFallback?.has(c.calling)) out[s]!.refused++;
  }
  return out;
}

/**
 * After a drop: per second of the phase, every call routed to an agent (none refused) and a p99
 * at or under `normalMs` (--normal-ms). Recovery is the start of the first second from which every
 * later second is so; null when the phase never gets there.
 */
function recovery(calls: readonly PhaseCall[], from: bigint, atFallback: ReadonlyMap<string, bigint>, normalMs: number): number | null {
  let firstGood: number | null = null;
  bySecond(calls, from, atFallback).forEach((b, k) => {
    const ok = b.refused === 0 && b.lat.length > 0 && summarize(b.lat).p99 <= normalMs;
    if (!ok) firstGood = null;
    else firstGood ??= k;
  });
  return firstGood;
}

/** The phases as table rows for bench/e2e.ts. */
export function phaseRows(results: readonly PhaseResult[]): [string, string][] {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  return results.map((r, i): [string, string] => [
    `phase ${i + 1}: ${r.rate}/s × ${r.durationS} s`,
    `offered ${r.offered}, routed ${r.routed}, refused ${r.shedTotal}${r.shedTotal ? ` (${Object.entries(r.shed).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}, at fallback ${r.atFallback}, neither ${r.neither}; ` +
      `routed p50 ${f(r.latencyMs.p50)} p99 ${f(r.latencyMs.p99)} max ${f(r.latencyMs.max)} ms; RSS max ${f(r.rssMaxMiB, 1)} MiB; loop delay p99 ${f(r.loopDelayP99Ms)} max ${f(r.loopDelayMaxMs)} ms` +
      (r.normalP99Ms !== null ? `; normal again after ${r.recoveryS === null ? 'never' : `${r.recoveryS} s`} (p99 ≤ ${f(r.normalP99Ms, 0)} ms each second, none refused); p99 by second ${r.p99BySecond.join(' ')}` : ''),
  ]);
}
