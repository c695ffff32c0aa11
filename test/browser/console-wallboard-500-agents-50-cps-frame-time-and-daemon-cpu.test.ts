/**
 * The wallboard with 500 agents and 50 calls/s stays responsive, and the daemon's CPU rises by
 * less than 10 % with it open (issue 9, "What must be shown").
 *
 * What runs (bench/lib/wallboard-load.ts, also `npm run bench:wallboard`): the daemon alone in a
 * child process (src/main.ts, as bench/e2e.ts runs it, so /proc/<pid> gives its own CPU and
 * neither Chromium's nor this process's counts); in this process the simulated switch and 500
 * softphones — agents b0001…b0500 at 3001…3500 in queue `sales`, logged in, signed in, ready, each
 * answering the calls offered to it; the switch offers 50 calls/s to pilot 8000 and each caller
 * hangs up 3 s after being connected (≈150 calls up at once, each agent busy ~30 % of the time).
 * The console is opened in headless Chromium and sup1 signs in before the traffic starts; 30 s of
 * warm-up with the wallboard live; then seven windows of 10 s of the same traffic, taking turns:
 * A1 B1 A2 B2 A3 B3 A4 — A with the console on a page that has no socket (#/idle), B with the
 * wallboard live again (#/wallboard: a new session, subscribed, its snapshot loaded). After each
 * change 1 s of traffic passes before the next window.
 *
 * The daemon's CPU: utime + stime of all its threads from /proc/<pid>/stat over each window, per
 * call the switch routed in it. "Rises by less than 10 %" is read as relative to the daemon's own
 * figure: pooled B / pooled A < 1.10 — all B windows' CPU over all their calls, against the same
 * of the A windows. The alternative reading — 10 percentage points of a core — would let one open
 * console add 60 % to the work of a daemon that routes 50 calls/s with ~0.17 CPU-s/s
 * (docs/performance.md), which cannot be what the issue asks. Per call rather than per second, so
 * that a window in which the switch (sharing this process with the softphones and the browser's
 * driver) offered a few calls fewer is compared fairly. Taking turns, a change in the machine's
 * load falls on windows of both kinds, and a drift linear in time cancels (the A windows' mean
 * time is the B windows'). One window against another varies by ~5–10 % on two shared cores (the
 * single A / B / C of 20 s this file used before failed once in CI at 1.151, and its A and C
 * differed by 17 %); the pooled figure of seven windows by ~4 %.
 *
 * A saturated machine cannot tell: when the cores are busy 90 % of a window or more
 * (SATURATED, /proc/stat), the daemon's CPU is the share the scheduler gave it, not the work it
 * had, and extra work in the daemon does not show (150 CPU-ms/s of extra work, +30 %, measured
 * 1.34 with cores to spare and 0.82–0.95 on a saturated machine; docs/performance.md). A pair — a
 * B and the A either side — with a saturated window is left out, and at least two pairs must be
 * left for the 1.10 bound. With fewer (a saturated machine) the check is not skipped: all windows
 * pooled must stay under 1.25, which only a gross fault could cross, not a +30 % one — the log and the
 * failure message say which bound applied. Every window's figures are printed and in the failure
 * message: calls, CPU ms (user, sys), CPU-ms per call, how long the daemon's threads waited for a
 * core, Chromium's CPU and the machine's busy cores.
 *
 * Responsive, measured in the page over every B window (test/helpers/page-responsiveness.ts):
 * - frame intervals of a requestAnimationFrame loop: p95 ≤ 50 ms. 60 Hz is 16.7 ms; 50 ms is
 *   20 frames a second, below which motion and typing visibly stutter (the RAIL model's budget
 *   for a response is 100 ms, which a 50 ms frame leaves room for);
 * - no long task (PerformanceObserver `longtask`) over 200 ms: a click during it would wait that
 *   long, which users notice as the page "hanging" (RAIL: under 100 ms feels instant, and a
 *   long task ≤ 200 ms keeps a click's answer within ~ a quarter second);
 * - the event stream keeps up: the daemon's `ts` → the page handling the frame, p95 under 1 s (the
 *   issue's "within a second of it happening"), p99 and max printed.
 * And it cannot pass on a dead page: over the B windows the page must have received at least one
 * `agent.state` per call routed and the call events, and its agent rows must have changed state
 * (at least once per call routed, scaled by the share of the 500 agents with a row in the DOM,
 * should the page ever draw only the visible rows), half the rows in each window; the page had
 * no console errors.
 *
 * The file runs alone, after the rest of the suite (vitest.config.ts): the figures are CPU and
 * frame times on two cores. One attempt (~120 s alone), no retry, so that the file stays under
 * three minutes. On a machine busy with other work the daemon, Chromium and this process share
 * the cores with it, and a run can fail for the machine: the first checks below then say that the
 * traffic itself was not served (docs/performance.md, "Wallboard under load").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDaemonCpu, describeWallboardLoad, runWallboardLoad, type WallboardLoadResult } from '../../bench/lib/wallboard-load.ts';
import { startBrowser, type TestBrowser } from '../helpers/browser.ts';

const AGENTS = 500;
const RATE = 50;
const TALK_S = 3;
const WARMUP_S = 30;
const WINDOW_S = 10;
const ROUNDS = 3;
const SETTLE_S = 1;
const MIN_PAIRS = 2;

/** Bounds, explained above. */
const MAX_CPU_RATIO = 1.1;
/** When too few windows ran on an unsaturated machine (docs/performance.md, "Wallboard under load"). */
const MAX_CPU_RATIO_SATURATED = 1.25;
const MAX_FRAME_P95_MS = 50;
const MAX_LONG_TASK_MS = 200;
const MAX_LAG_P95_MS = 1000;

let browser: TestBrowser;
let r: WallboardLoadResult | undefined;

beforeAll(async () => {
  browser = await startBrowser();
  r = await runWallboardLoad(browser, {
    agents: AGENTS,
    rate: RATE,
    talkS: TALK_S,
    warmupS: WARMUP_S,
    windowS: WINDOW_S,
    rounds: ROUNDS,
    settleS: SETTLE_S,
    minPairs: MIN_PAIRS,
    screenshot: 'wallboard-500-agents-50-cps',
    progress: (msg) => console.log(`[wallboard-load] ${msg}`),
  });
  console.log(describeWallboardLoad(r));
}, 200_000);

afterAll(async () => {
  await browser?.close();
});

describe('wallboard under load', () => {
  it(`${AGENTS} agents, ${RATE} calls/s: frames p95 ≤ ${MAX_FRAME_P95_MS} ms, no long task over ${MAX_LONG_TASK_MS} ms, events within a second`, () => {
    const run = r!;
    const cpu = describeDaemonCpu(run);
    // The traffic was there in every window (≥ 90 % of the calls planned), and answered: the calls
    // routed reached the softphones (all windows summed: a second's delay is a tenth of a window).
    expect(run.windows).toHaveLength(2 * ROUNDS + 1);
    for (const w of run.windows) expect(w.routed, `${w.name}: the switch offered the calls\n${cpu}`).toBeGreaterThanOrEqual(RATE * WINDOW_S * 0.9);
    const routed = run.windows.reduce((s, w) => s + w.routed, 0);
    expect(run.windows.reduce((s, w) => s + w.offered, 0), `the daemon kept up: the calls routed reached the softphones\n${cpu}`).toBeGreaterThanOrEqual(routed * 0.9);
    const withWallboard = run.windows.filter((w) => w.wallboard);
    expect(run.answerErrors).toBeLessThanOrEqual(withWallboard.reduce((s, w) => s + w.routed, 0) * 0.01);
    expect(run.pageErrors).toEqual([]);

    // The page was alive: it received the events and its rows changed (the windows with it summed:
    // a call's events straddle a window's edges).
    const sum = (f: (w: (typeof withWallboard)[number]) => number) => withWallboard.reduce((s, w) => s + f(w), 0);
    const calls = sum((w) => w.routed);
    const rows = Math.min(...withWallboard.map((w) => w.page!.agentRows));
    const pages = withWallboard.map((w) => `${w.name}: ${w.routed} calls routed, events ${JSON.stringify(w.page!.events)}, ${w.page!.stateChanges} row state changes, ${w.page!.changedAgents} agents changed of ${w.page!.agentRows} rows`).join('\n');
    expect(sum((w) => w.page!.events['agent.state'] ?? 0), `agent.state events\n${pages}`).toBeGreaterThanOrEqual(calls);
    expect(sum((w) => w.page!.events['call.offered'] ?? 0), `call.offered events\n${pages}`).toBeGreaterThanOrEqual(calls * 0.9);
    expect(sum((w) => w.page!.events['call.cleared'] ?? 0), `call.cleared events\n${pages}`).toBeGreaterThanOrEqual(calls * 0.9);
    expect(rows, `agent rows in the DOM\n${pages}`).toBeGreaterThanOrEqual(10);
    expect(sum((w) => w.page!.stateChanges), `agent rows changing state\n${pages}`).toBeGreaterThanOrEqual(Math.floor(calls * Math.min(1, rows / AGENTS)));
    for (const w of withWallboard) {
      const p = w.page!;
      const at = (what: string) => `${w.name}: ${what}`;
      expect(p.changedAgents, at('agents whose row changed')).toBeGreaterThanOrEqual(Math.floor(Math.min(p.agentRows, AGENTS) * 0.5));
      // Responsive, in every window with the wallboard open.
      expect(p.frameMs.n, at('frames')).toBeGreaterThan(WINDOW_S * 5);
      expect(p.frameMs.p95, at('frame interval p95, ms')).toBeLessThanOrEqual(MAX_FRAME_P95_MS);
      expect(p.longTasks.maxMs, at('longest task, ms')).toBeLessThanOrEqual(MAX_LONG_TASK_MS);
      expect(p.lagMs.p95, at('event lag p95, ms')).toBeLessThan(MAX_LAG_P95_MS);
    }
  });

  it(`the daemon's CPU per call with the wallboard open: < ${MAX_CPU_RATIO} × without (< ${MAX_CPU_RATIO_SATURATED} × on a saturated machine)`, () => {
    const run = r!;
    const cpu = describeDaemonCpu(run);
    if (run.comparable) {
      expect(run.cpuPerCallRatio, `daemon CPU per call, with the wallboard / without (pooled)\n${cpu}`).toBeLessThan(MAX_CPU_RATIO);
    } else {
      // A saturated machine measures the CPU the daemon was given, not the work it had: every window
      // pooled, against a looser bound that only a gross fault could cross (+30 % of work measured
      // 0.82–0.95 so; runs without it 0.79–0.97). Never skipped.
      expect(run.cpuPerCallRatioAll, `daemon CPU per call, with the wallboard / without (all windows pooled, machine saturated)\n${cpu}`).toBeLessThan(MAX_CPU_RATIO_SATURATED);
    }
  });
});
