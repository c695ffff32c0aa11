/**
 * How responsive a page stays under a stream of events, measured inside Chromium over a window:
 *
 * - frame intervals: a requestAnimationFrame loop records the time between consecutive frames
 *   (16.7 ms at 60 Hz when the main thread keeps up; a frame the page could not paint in time
 *   shows as a longer interval);
 * - long tasks: PerformanceObserver `longtask` (main-thread tasks over 50 ms), each with its length;
 * - the WebSocket stream: every frame the page's sockets receive, counted by event name, and its
 *   lag — the page handling the frame (its `message` event dispatched) less the daemon's `ts`
 *   stamped when it sent the frame (same machine, same clock). A page that cannot keep up queues
 *   the frames and the lag grows;
 * - what the page did with them: changes of `data-state` on elements with `data-agent` (the
 *   wallboard's agent rows), the agents whose row changed, and all DOM mutation records by kind;
 * - Chromium's own counters for the renderer's main thread (CDP Performance.getMetrics): busy
 *   time (TaskDuration), script, layout and style time, layouts and style recalculations, DOM
 *   nodes and the JS heap;
 * - optionally a CPU profile of the page (CDP Profiler) summarised as self time per function.
 *
 * installResponsivenessProbe(context) must run before the page loads (it wraps WebSocket for the
 * page's own code); startWindow/endWindow bracket the measured window. The page's code is not
 * changed; the probe's own cost is a regex per frame and a few array pushes.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { percentile } from '../../bench/lib/stats.ts';

/** Installed before any of the page's scripts (Playwright addInitScript). A string: the test's
 * own types have no DOM. */
const INIT_SCRIPT = `(() => {
  const p = {
    active: false, t0: 0, t1: 0, frames: [], longTasks: [], lags: [], events: {}, frames_in: 0, bytes: 0,
    sent: 0, stateChanges: 0, changed: new Set(), mutations: { attributes: 0, childList: 0, characterData: 0 },
    observers: [],
  };
  Object.defineProperty(window, '__sbProbe', { value: p });
  const Native = window.WebSocket;
  const HEAD = /^\\{"event":"([^"]+)","seq":\\d+,"ts":"([^"]+)"/;
  class ProbedWebSocket extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (m) => {
        if (!p.active || typeof m.data !== 'string') return;
        p.frames_in++;
        p.bytes += m.data.length;
        const h = HEAD.exec(m.data);
        if (!h) return;
        p.events[h[1]] = (p.events[h[1]] || 0) + 1;
        const ts = Date.parse(h[2]);
        if (ts === ts) p.lags.push(Date.now() - ts);
      });
    }
    send(data) {
      if (p.active) p.sent++;
      return super.send(data);
    }
  }
  window.WebSocket = ProbedWebSocket;
  try {
    new PerformanceObserver((list) => {
      if (!p.active) return;
      for (const e of list.getEntries()) p.longTasks.push({ at: e.startTime - p.t0, ms: e.duration });
    }).observe({ type: 'longtask' });
  } catch {}
  p.start = () => {
    p.frames = []; p.longTasks = []; p.lags = []; p.events = {}; p.frames_in = 0; p.bytes = 0; p.sent = 0;
    p.stateChanges = 0; p.changed = new Set(); p.mutations = { attributes: 0, childList: 0, characterData: 0 };
    const states = new MutationObserver((records) => {
      for (const r of records) {
        const agent = r.target.getAttribute && r.target.getAttribute('data-agent');
        if (agent === null || agent === undefined) continue;
        if (r.target.getAttribute('data-state') === r.oldValue) continue;
        p.stateChanges++;
        p.changed.add(agent);
      }
    });
    states.observe(document.body, { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-state'] });
    const all = new MutationObserver((records) => {
      for (const r of records) p.mutations[r.type]++;
    });
    all.observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
    p.observers = [states, all];
    p.active = true;
    p.t0 = performance.now();
    let last = -1;
    const frame = (t) => {
      if (!p.active) return;
      if (last >= 0) p.frames.push(t - last);
      last = t;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  };
  p.stop = () => {
    p.active = false;
    p.t1 = performance.now();
    for (const o of p.observers) o.disconnect();
    return {
      wallMs: p.t1 - p.t0, frames: p.frames, longTasks: p.longTasks, lags: p.lags, events: p.events, framesIn: p.frames_in,
      bytes: p.bytes, sent: p.sent, stateChanges: p.stateChanges, changedAgents: p.changed.size, mutations: p.mutations,
      agentRows: document.querySelectorAll('[data-agent][data-state]').length,
    };
  };
})()`;

export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface PageFigures {
  wallS: number;
  /** Frame intervals, ms. */
  frameMs: Distribution;
  /** Frames painted per second. */
  fps: number;
  longTasks: { count: number; totalMs: number; maxMs: number; over200: number; list: { atS: number; ms: number }[] };
  /** WebSocket frames received (events and responses), per second, and their size. */
  framesIn: number;
  framesPerS: number;
  kBPerS: number;
  /** Events received, by name. */
  events: Record<string, number>;
  /** Daemon's `ts` → the page handling the frame, ms. */
  lagMs: Distribution;
  /** Frames the page sent over its sockets during the window (requests). */
  sent: number;
  /** `data-state` changes on agent rows, and the agents whose row changed. */
  stateChanges: number;
  changedAgents: number;
  /** Elements with `data-agent` and `data-state` (agent rows) in the DOM at the end of the window. */
  agentRows: number;
  mutations: { attributes: number; childList: number; characterData: number };
  /** The renderer's main thread (Chromium's counters), per second of the window. */
  renderer: { busyPct: number; scriptPct: number; layoutPct: number; stylePct: number; layoutsPerS: number; styleRecalcsPerS: number; nodes: number; jsHeapMiB: number } | null;
  /** Self time per function over the window (only with startWindow(page, {profile: true})). */
  profile?: { fn: string; selfMs: number; pct: number }[];
}

interface RawFigures {
  wallMs: number;
  frames: number[];
  longTasks: { at: number; ms: number }[];
  lags: number[];
  events: Record<string, number>;
  framesIn: number;
  bytes: number;
  sent: number;
  stateChanges: number;
  changedAgents: number;
  mutations: { attributes: number; childList: number; characterData: number };
  agentRows: number;
}

export async function installResponsivenessProbe(context: BrowserContext): Promise<void> {
  await context.addInitScript(INIT_SCRIPT);
}

function distribution(samples: number[]): Distribution {
  const s = [...samples].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s.length ? s[s.length - 1]! : Number.NaN) };
}

type Metrics = Record<string, number>;

async function metrics(cdp: CDPSession): Promise<Metrics> {
  const r = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(r.metrics.map((m) => [m.name, m.value]));
}

export interface MeasuredWindow {
  /** Ends the window and returns its figures. */
  end(): Promise<PageFigures>;
}

export async function startWindow(page: Page, opts: { profile?: boolean } = {}): Promise<MeasuredWindow> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  if (opts.profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  const m0 = await metrics(cdp);
  await page.evaluate('window.__sbProbe.start()');
  return {
    async end() {
      const raw = (await page.evaluate('window.__sbProbe.stop()')) as RawFigures;
      const m1 = await metrics(cdp);
      let profile: PageFigures['profile'];
      if (opts.profile) {
        const { profile: p } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
        profile = summarizeProfile(p);
      }
      await cdp.detach().catch(() => undefined);
      const wallS = raw.wallMs / 1000;
      const d = (k: string) => (m1[k] ?? 0) - (m0[k] ?? 0);
      const renderer =
        'TaskDuration' in m1
          ? {
              busyPct: Math.round((d('TaskDuration') / wallS) * 1000) / 10,
              scriptPct: Math.round((d('ScriptDuration') / wallS) * 1000) / 10,
              layoutPct: Math.round((d('LayoutDuration') / wallS) * 1000) / 10,
              stylePct: Math.round((d('RecalcStyleDuration') / wallS) * 1000) / 10,
              layoutsPerS: Math.round((d('LayoutCount') / wallS) * 10) / 10,
              styleRecalcsPerS: Math.round((d('RecalcStyleCount') / wallS) * 10) / 10,
              nodes: m1.Nodes ?? 0,
              jsHeapMiB: Math.round(((m1.JSHeapUsedSize ?? 0) / 1048576) * 10) / 10,
            }
          : null;
      const long = raw.longTasks;
      return {
        wallS,
        frameMs: distribution(raw.frames),
        fps: Math.round((raw.frames.length / wallS) * 10) / 10,
        longTasks: {
          count: long.length,
          totalMs: Math.round(long.reduce((t, x) => t + x.ms, 0)),
          maxMs: long.length ? Math.max(...long.map((x) => x.ms)) : 0,
          over200: long.filter((x) => x.ms > 200).length,
          list: long.map((x) => ({ atS: Math.round(x.at / 100) / 10, ms: Math.round(x.ms) })),
        },
        framesIn: raw.framesIn,
        framesPerS: Math.round((raw.framesIn / wallS) * 10) / 10,
        kBPerS: Math.round((raw.bytes / 1024 / wallS) * 10) / 10,
        events: raw.events,
        lagMs: distribution(raw.lags),
        sent: raw.sent,
        stateChanges: raw.stateChanges,
        changedAgents: raw.changedAgents,
        agentRows: raw.agentRows,
        mutations: raw.mutations,
        renderer,
        ...(profile ? { profile } : {}),
      };
    },
  };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** Self time per function (name, file and line), the top 25. */
function summarizeProfile(p: CpuProfile): { fn: string; selfMs: number; pct: number }[] {
  const byNode = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const n = byNode.get(samples[i]!);
    if (!n) continue;
    const f = n.callFrame;
    const file = f.url ? f.url.replace(/^.*\/(console|node_modules)\//, '$1/') : '';
    const key = `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
    // timeDeltas[i+1] is the time until the next sample: the time this sample stands for.
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
  }
  const total = (p.endTime - p.startTime) / 1000;
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([fn, ms]) => ({ fn, selfMs: Math.round(ms), pct: Math.round((ms / total) * 1000) / 10 }));
}
