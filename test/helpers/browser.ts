/**
 * A real browser for page tests: Debian's Chromium (apt-get install chromium; .ci/run installs
 * it), driven by playwright-core, which never downloads a browser of its own. Headless, no
 * sandbox when running as root (CI), background networking off so that the browser talks to
 * nobody but the daemon under test.
 *
 * Each test takes its own context (fresh cookies, localStorage, sessionStorage) from one browser
 * per file; pages record their console errors and uncaught exceptions so that a test can insist
 * there were none. Screenshots go to test-artifacts/screenshots/ (git-ignored), kept by CI as
 * artefacts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions of the page, in order. */
  errors: string[];
}

export interface TestBrowser {
  browser: Browser;
  /** A page in a fresh context (no storage shared with other pages), English unless told. */
  newPage(opts?: { locale?: string }): Promise<TestPage>;
  /** Saves a full-page PNG as test-artifacts/screenshots/<name>.png; returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<TestBrowser> {
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-default-apps',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
    // Docker's /dev/shm is 64 MiB: Chromium would crash on bigger pages.
    '--disable-dev-shm-usage',
  ];
  // Chromium refuses to run as root with its sandbox on.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
  const contexts: BrowserContext[] = [];
  mkdirSync(SCREENSHOT_DIR, { recursive: true });

  return {
    browser,
    async newPage(opts = {}) {
      const context = await browser.newContext({ locale: opts.locale ?? 'en-US', viewport: { width: 1280, height: 800 } });
      contexts.push(context);
      // Well under the test's own timeout, so that a failing wait names what it waited for.
      context.setDefaultTimeout(5000);
      // Loading the console (a dozen modules, the vendor files) on a two-core machine busy with a
      // daemon and a simulator per test file can take longer than a wait for an element.
      context.setDefaultNavigationTimeout(20_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      return { page, context, errors };
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}
