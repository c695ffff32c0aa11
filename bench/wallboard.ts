/**
 * The wallboard under load: N agents answering, the switch offering R calls/s, the daemon's CPU
 * without the console, with the wallboard open in headless Chromium, and without it again; the
 * page's frame intervals, long tasks, event lag and renderer time over the window with it
 * (bench/lib/wallboard-load.ts, the same run as the browser test
 * test/browser/console-wallboard-500-agents-50-cps-frame-time-and-daemon-cpu.test.ts).
 *
 *   npm run bench:wallboard -- [--agents 500] [--rate 50] [--talk 3] [--warmup 5] [--window 20] [--profile] [--json]
 *                               [--css 'table.agents { table-layout: fixed }']
 *
 * --profile takes a CPU profile of the page over the window with it and prints the functions with
 * the most self time (the profiler slows the page: frame figures of such a run are not the page's).
 * --css adds a style sheet to the page once the wallboard is live: to try a fix of the page's
 * layout cost without changing the page. Needs Debian's chromium (CHROMIUM_PATH to use another). See docs/performance.md.
 */
import { parseArgs } from 'node:util';
import { startBrowser } from '../test/helpers/browser.ts';
import { describeWallboardLoad, runWallboardLoad } from './lib/wallboard-load.ts';
import { numberOption } from './lib/options.ts';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '500' },
    rate: { type: 'string', default: '50' },
    talk: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '5' },
    window: { type: 'string', default: '20' },
    profile: { type: 'boolean', default: false },
    css: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const num = (name: string, raw: string, min: number, max: number): number => numberOption(name, raw, min, max);
const progress = (msg: string): void => void process.stderr.write(`[wallboard] ${msg}\n`);

const browser = await startBrowser();
let code = 0;
try {
  const result = await runWallboardLoad(browser, {
    // Extensions 3001.. must stay inside the switch's 2000–5999.
    agents: num('agents', values.agents, 1, 2999),
    rate: num('rate', values.rate, 0.1, 1000),
    talkS: num('talk', values.talk, 0, 600),
    warmupS: num('warmup', values.warmup, 1, 600),
    windowS: num('window', values.window, 1, 600),
    profile: values.profile,
    ...(values.css ? { extraCss: values.css } : {}),
    // A bench run waits longer than the test for the console to open on a busy machine.
    openTimeoutMs: 120_000,
    screenshot: 'bench-wallboard-under-load',
    progress,
  });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${describeWallboardLoad(result)}\n`);
  if (result.pageErrors.length) progress(`page errors:\n${result.pageErrors.join('\n')}`);
} catch (err) {
  progress(`failed: ${(err as Error).stack ?? String(err)}`);
  code = 1;
} finally {
  await browser.close();
}
process.exitCode = code;
setTimeout(() => process.exit(code), 3000).unref();
