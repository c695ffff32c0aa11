/**
 * The wallboard with 500 agents and 50 calls/s stays responsive, and the daemon's CPU rises by
 * less than 10 % with it open (issue 9, "What must be shown").
 *
 * What runs (bench/lib/wallboard-load.ts, also `npm run bench:wallboard`): the daemon alone in a
 * child process (src/main.ts, as bench/e2e.ts runs it, so /proc/<pid> gives its own CPU); in this
 * process the simulated switch and 500 softphones — agents b0001…b0500 at 3001…3500 in queue
 * `sales`, logged in, signed in, ready, each answering the calls offered to it; the switch offers
 * 50 calls/s to pilot 8000 and each caller hangs up 3 s after being connected (≈150 calls up at
 * once, each agent busy ~30 % of the time). After 5 s of warm-up, three windows of 20 s of the same
 * traffic: A without the console, B with the wallboard open and live as sup1 in headless
 * Chromium, C with it closed again.
 *
 * The daemon's CPU: utime + stime of all its threads from /proc/<pid>/stat over each window, per
 * call the switch routed in it. "Rises by less than 10 %" is read as relative to the daemon's own
 * figure: B / ((A + C) / 2) < 1.10. The alternative reading — 10 percentage points of a core —
 * would let one open console add 60 % to the work of a daemon that routes 50 calls/s with
 * ~0.17 CPU-s/s (docs/performance.md), which cannot be what the issue asks. Per call rather than
 * per second, so that a window in which the switch (sharing this process with the softphones and
 * the browser's driver) offered a few calls fewer is compared fairly; (A + C) / 2 cancels a drift
 * that is linear in time (the database grows, the process warms).
 *
 * Responsive, measured in the page over window B (test/helpers/page-responsiveness.ts):
 * - frame intervals of a requestAnimationFrame loop: p95 ≤ 50 ms. 60 Hz is 16.7 ms; 50 ms is
 *   20 frames a second, below which motion and typing visibly stutter (the RAIL model's budget
 *   for a response is 100 ms, which a 50 ms frame leaves room for);
 * - no long task (PerformanceObserver `longtask`) over 200 ms: a click during it would wait that
 *   long, which users notice as the page "hanging" (RAIL: under 100 ms feels instant, and a
 *   long task ≤ 200 ms keeps a click's answer within ~ a quarter second);
 * - the event stream keeps up: the daemon's `ts` → the page handling the frame, p95 under 1 s (the
 *   issue's "within a second of it happening"), p99 and max printed.
 * And it cannot pass on a dead page: the page must have received at least one `agent.state` per
 * call routed in the window and the call events, and its agent rows must have changed state (at
 * least once per call routed, scaled by the share of the 500 agents with a row in the DOM, should
 * the page ever draw only the visible rows); the page had no console errors.
 *
 * The file runs alone, after the rest of the suite (vitest.config.ts): the figures are CPU and
 * frame times on two cores. One attempt (~100 s alone), no retry, so that the file stays under
 * three minutes. On a machine busy with other work the daemon, Chromium and this process share
 * the cores with it, and a run can fail for the machine: the first checks below then say that the
 * traffic itself was not served (docs/performance.md, "Wallboard under load").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWallboardLoad, runWallboardLoad, type WallboardLoadResult } from '../../bench/lib/wallboard-load.ts';
import { startBrowser, type TestBrowser } from '../helpers/browser.ts';

const AGENTS = 500;
const RATE = 50;
const TALK_S = 3;
const WARMUP_S = 5;
const WINDOW_S = 20;

/** Bounds, explained above. */
const MAX_CPU_RATIO = 1.1;
const MAX_FRAME_P95_MS = 50;
const MAX_LONG_TASK_MS = 200;
const MAX_LAG_P95_MS = 1000;

let browser: TestBrowser;

beforeAll(async () => {
  browser = await startBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('wallboard under load', () => {
  it(`${AGENTS} agents, ${RATE} calls/s: frames p95 ≤ ${MAX_FRAME_P95_MS} ms, no long task over ${MAX_LONG_TASK_MS} ms, events within a second, daemon CPU +<10 %`, { timeout: 170_000 }, async () => {
    const r: WallboardLoadResult = await runWallboardLoad(browser, {
      agents: AGENTS,
      rate: RATE,
      talkS: TALK_S,
      warmupS: WARMUP_S,
      windowS: WINDOW_S,
      screenshot: 'wallboard-500-agents-50-cps',
      progress: (msg) => console.log(`[wallboard-load] ${msg}`),
    });
    console.log(describeWallboardLoad(r));

    // The traffic was there in all three windows (≥ 90 % of the calls planned), and answered.
    for (const w of [...r.without, r.withConsole]) {
      expect(w.routed, 'the switch offered the calls').toBeGreaterThanOrEqual(RATE * WINDOW_S * 0.9);
      expect(w.offered, 'the daemon kept up: the calls routed reached the softphones').toBeGreaterThanOrEqual(w.routed * 0.9);
    }
    expect(r.answerErrors).toBeLessThanOrEqual(r.withConsole.routed * 0.01);

    // The page was alive: it received the events and its rows changed.
    const p = r.page;
    const calls = r.withConsole.routed;
    expect(p.events['agent.state'] ?? 0).toBeGreaterThanOrEqual(calls);
    expect(p.events['call.offered'] ?? 0).toBeGreaterThanOrEqual(calls * 0.9);
    expect(p.events['call.cleared'] ?? 0).toBeGreaterThanOrEqual(calls * 0.9);
    expect(p.agentRows).toBeGreaterThanOrEqual(10);
    expect(p.stateChanges).toBeGreaterThanOrEqual(Math.floor(calls * Math.min(1, p.agentRows / AGENTS)));
    expect(p.changedAgents).toBeGreaterThanOrEqual(Math.floor(Math.min(p.agentRows, AGENTS) * 0.5));
    expect(r.pageErrors).toEqual([]);

    // Responsive.
    expect(p.frameMs.n).toBeGreaterThan(WINDOW_S * 5);
    expect(p.frameMs.p95).toBeLessThanOrEqual(MAX_FRAME_P95_MS);
    expect(p.longTasks.maxMs).toBeLessThanOrEqual(MAX_LONG_TASK_MS);
    expect(p.lagMs.p95).toBeLessThan(MAX_LAG_P95_MS);

    // The daemon's CPU with the wallboard open, against without.
    expect(r.cpuPerCallRatio).toBeLessThan(MAX_CPU_RATIO);
  });
});
