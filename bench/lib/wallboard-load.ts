/**
 * The wallboard under load, as one run shared by the browser test
 * (test/browser/console-wallboard-500-agents-50-cps-frame-time-and-daemon-cpu.test.ts) and
 * bench/wallboard.ts: a busy call centre (bench/lib/call-centre-load.ts — the daemon in a child
 * process, N softphones answering, the simulated switch offering calls at a fixed rate), and
 * three windows of the same traffic, one after another:
 *
 *   A  no console open
 *   (the traffic pauses while the console is opened and signed in, then warms up again)
 *   B  the wallboard open and live as sup1 in headless Chromium, measured inside the page
 *      (test/helpers/page-responsiveness.ts: frame intervals, long tasks, the event stream's
 *      lag, the rows changing, the renderer's busy time)
 *   C  the console closed again
 *
 * The daemon's CPU is read from /proc over each window. The console's cost is B against the mean
 * of A and C: the database grows and the process warms as the run goes on, and a drift that is
 * linear in time cancels out of (A + C) / 2. Per call routed as well as per second, so that a
 * window in which the switch (in this process, beside Chromium) offered fewer calls is compared
 * fairly.
 */
import type { Page } from 'playwright-core';
import type { TestBrowser, TestPage } from '../../test/helpers/browser.ts';
import { installResponsivenessProbe, startWindow, type PageFigures } from '../../test/helpers/page-responsiveness.ts';
import { startCallCentre, type CallCentre, type WindowFigures } from './call-centre-load.ts';
import { loadAverage, machineInfo } from './proc.ts';

export interface WallboardLoadOptions {
  agents: number;
  /** Calls per second offered to the pilot. */
  rate: number;
  talkS: number;
  /** Traffic before window A (the daemon's code paths warm up). */
  warmupS: number;
  /** Length of each of the three windows. */
  windowS: number;
  /** The console's user (a supervisor of the demo centre) and password. */
  username?: string;
  password?: string;
  /** A CPU profile of the page over window B (changes the page's timing: for diagnosis only). */
  profile?: boolean;
  /** How long opening the console and the wallboard may take (default 30 s). */
  openTimeoutMs?: number;
  /** CSS added to the page once the wallboard is live (to try a fix without changing the page). */
  extraCss?: string;
  /** Saves the wallboard's screenshot under this name at the end of window B. */
  screenshot?: string;
  progress?: (msg: string) => void;
}

export interface WallboardLoadResult {
  options: Omit<WallboardLoadOptions, 'progress'>;
  machine: ReturnType<typeof machineInfo> & { loadBefore: number[]; loadAfter: number[] };
  loginS: number;
  without: [WindowFigures, WindowFigures];
  withConsole: WindowFigures;
  /** withConsole against the mean of the two windows without: CPU-s per s, and CPU per call. */
  cpuRatio: number;
  cpuPerCallRatio: number;
  page: PageFigures;
  /** Console errors and uncaught exceptions of the page. */
  pageErrors: string[];
  /** The time from the sign-in click to the wallboard live with its rows, ms. */
  openMs: number;
  traffic: Record<string, number | boolean | string | null>;
  answerErrors: number;
  daemonWarnings: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export async function runWallboardLoad(browser: TestBrowser, opts: WallboardLoadOptions): Promise<WallboardLoadResult> {
  const progress = opts.progress ?? (() => undefined);
  const loadBefore = loadAverage();
  const centre: CallCentre = await startCallCentre({ agents: opts.agents, progress });
  let tp: TestPage | null = null;
  try {
    const totalS = opts.warmupS + 3 * opts.windowS + 120;
    await centre.startTraffic({ callsPerSecond: opts.rate, talkS: opts.talkS, durationS: totalS });
    progress(`traffic: ${opts.rate} calls/s, talk ${opts.talkS} s; warming up for ${opts.warmupS} s`);
    await centre.waitRouted(Math.round(opts.rate * opts.warmupS), (opts.warmupS + 30) * 1000);

    progress(`window A (no console), ${opts.windowS} s`);
    const a = await centre.measure(opts.windowS);

    // The console: sign in as the supervisor, the wallboard live with the centre's agents. The
    // traffic pauses meanwhile (calls up end by themselves): on a busy two-core machine the daemon
    // under 50 calls/s served the console's files too slowly for a page load within a minute, and
    // opening the page is not what is measured here (the time is printed).
    await centre.stopTraffic();
    tp = await browser.newPage();
    const page: Page = tp.page;
    await installResponsivenessProbe(tp.context);
    // Generous waits: the machine is under the test's load (and maybe others').
    const openTimeout = opts.openTimeoutMs ?? 30_000;
    tp.context.setDefaultTimeout(openTimeout);
    await page.goto(`${centre.daemon.url}/console/`, { timeout: openTimeout });
    await page.locator('[data-test=login-form]').waitFor();
    const username = opts.username ?? 'sup1';
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', opts.password ?? `demo-${username}`);
    const clicked = performance.now();
    await page.click('button[type=submit]');
    await page.locator('[data-test=wallboard][data-status=live]').waitFor();
    // Every agent is in the table (a big centre's is windowed: only the rows in view are in the DOM).
    await page.waitForFunction((n) => Number((globalThis as any).document.querySelector('[data-test=agents]')?.getAttribute('data-rows') ?? 0) >= n, centre.agents.length);
    await page.locator(`[data-agent="${centre.agents[0]!.username}"]`).waitFor({ state: 'attached' });
    const openMs = performance.now() - clicked;
    if (opts.extraCss) await page.addStyleTag({ content: opts.extraCss });
    progress(`wallboard live in ${Math.round(openMs)} ms; traffic again, ${opts.warmupS} s before window B`);
    await centre.startTraffic({ callsPerSecond: opts.rate, talkS: opts.talkS, durationS: totalS });
    await centre.waitRouted(Math.round(opts.rate * opts.warmupS), (opts.warmupS + 30) * 1000);

    progress(`window B (wallboard open), ${opts.windowS} s`);
    const win = await startWindow(page, { profile: opts.profile ?? false });
    const b = await centre.measure(opts.windowS);
    const pageFigures = await win.end();
    if (opts.screenshot) await browser.screenshot(page, opts.screenshot);
    // The windowed table scrolls: the last agent's row is drawn once scrolled to the end.
    const lastAgent = centre.agents[centre.agents.length - 1]!.username;
    if ((await page.locator('[data-test=agents-scroll]').count()) > 0) {
      await page.locator('[data-test=agents-scroll]').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.locator(`[data-agent="${lastAgent}"]`).waitFor({ state: 'attached', timeout: 5000 });
    }
    const pageErrors = [...tp.errors];
    await tp.context.close();
    tp = null;
    // The daemon ends the session when the socket closes; two seconds of traffic after that.
    await centre.waitRouted(opts.rate * 2, 30_000);

    progress(`window C (console closed), ${opts.windowS} s`);
    const c = await centre.measure(opts.windowS);
    await centre.stopTraffic();
    const traffic = await centre.trafficStats();

    const base = (a.cpu + c.cpu) / 2;
    const basePerCall = (a.cpuMsPerCall + c.cpuMsPerCall) / 2;
    const { progress: _p, ...options } = opts;
    return {
      options,
      machine: { ...machineInfo(), loadBefore: loadBefore.map(r3), loadAfter: loadAverage().map(r3) },
      loginS: r3(centre.loginS),
      without: [a, c],
      withConsole: b,
      cpuRatio: r3(b.cpu / base),
      cpuPerCallRatio: r3(b.cpuMsPerCall / basePerCall),
      page: pageFigures,
      pageErrors,
      openMs: Math.round(openMs),
      traffic,
      answerErrors: centre.answerErrors,
      daemonWarnings: centre.daemon.warnings,
    };
  } finally {
    await tp?.context.close().catch(() => undefined);
    await centre.close();
  }
}

/** The figures as lines for a log or a terminal. */
export function describeWallboardLoad(r: WallboardLoadResult): string {
  const w = (name: string, x: WindowFigures) =>
    `${name}: daemon ${x.cpu.toFixed(3)} CPU-s/s (user ${x.cpuUser.toFixed(3)}, sys ${x.cpuSys.toFixed(3)}), ${x.routed} calls routed in ${x.wallS.toFixed(1)} s (${(x.routed / x.wallS).toFixed(1)}/s), ${x.cpuMsPerCall.toFixed(2)} CPU-ms per call, RSS ${x.rssMiB.toFixed(0)} MiB`;
  const p = r.page;
  const ev = Object.entries(p.events)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${(v / p.wallS).toFixed(1)}/s`)
    .join(', ');
  const rd = p.renderer;
  return [
    `wallboard under load: ${r.options.agents} agents, ${r.options.rate} calls/s, talk ${r.options.talkS} s, windows of ${r.options.windowS} s after ${r.options.warmupS} s of warm-up`,
    `  machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.node}; load average before ${r.machine.loadBefore.join(' ')}, after ${r.machine.loadAfter.join(' ')}`,
    `  ${r.options.agents} softphones ready in ${r.loginS} s; wallboard live with its rows ${r.openMs} ms after the sign-in click`,
    `  ${w('A without console', r.without[0])}`,
    `  ${w('B with wallboard ', r.withConsole)}`,
    `  ${w('C without console', r.without[1])}`,
    `  daemon CPU with / without (mean of A and C): ${r.cpuRatio.toFixed(3)} per second, ${r.cpuPerCallRatio.toFixed(3)} per call`,
    `  page frames: ${p.frameMs.n} in ${p.wallS.toFixed(1)} s (${p.fps} fps), interval p50 ${p.frameMs.p50} / p95 ${p.frameMs.p95} / p99 ${p.frameMs.p99} / max ${p.frameMs.max} ms`,
    `  long tasks: ${p.longTasks.count} (${p.longTasks.totalMs} ms in all, longest ${Math.round(p.longTasks.maxMs)} ms, ${p.longTasks.over200} over 200 ms)`,
    `  socket: ${p.framesIn} frames in (${p.framesPerS}/s, ${p.kBPerS} kB/s), ${p.sent} sent by the page; ${ev}`,
    `  lag daemon → page handler: p50 ${p.lagMs.p50} / p95 ${p.lagMs.p95} / p99 ${p.lagMs.p99} / max ${p.lagMs.max} ms`,
    `  DOM: ${p.stateChanges} agent-row state changes, ${p.changedAgents} agents changed of ${p.agentRows} rows; mutation records ${p.mutations.attributes} attributes, ${p.mutations.childList} childList, ${p.mutations.characterData} characterData`,
    rd
      ? `  renderer main thread: busy ${rd.busyPct} % (script ${rd.scriptPct} %, layout ${rd.layoutPct} %, style ${rd.stylePct} %), ${rd.layoutsPerS} layouts/s, ${rd.styleRecalcsPerS} style recalcs/s, ${rd.nodes} DOM nodes, JS heap ${rd.jsHeapMiB} MiB`
      : '  renderer: no metrics',
    ...(p.profile ? ['  page CPU profile, self time (top 25):', ...p.profile.map((x) => `    ${String(x.selfMs).padStart(6)} ms ${x.pct.toFixed(1).padStart(5)} %  ${x.fn}`)] : []),
    `  switch: ${JSON.stringify(r.traffic)}; answer errors ${r.answerErrors}; daemon warnings ${r.daemonWarnings}; page errors ${r.pageErrors.length}`,
  ].join('\n');
}
