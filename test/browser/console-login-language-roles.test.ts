/**
 * The web console in a real Chromium, on a real daemon with the simulated switch: a supervisor
 * signs in and sees an agent go ready on the wallboard within a second; every page opens and is
 * photographed; the language switch turns every label to Chinese and back and is remembered
 * across a reload; an agent-only account reaches none of the supervisor pages; a wrong password
 * is told.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startWorld, type World } from '../helpers/world.ts';
import { startBrowser, type TestBrowser, type TestPage } from '../helpers/browser.ts';

const CONSOLE = join(import.meta.dirname, '..', '..', 'console');
type Catalogue = Record<string, string>;
const catalogue = async (locale: string): Promise<Catalogue> => ((await import(pathToFileURL(join(CONSOLE, 'i18n', `${locale}.js`)).href)) as { default: Catalogue }).default;

let world: World;
let browser: TestBrowser;
let en: Catalogue;
let zh: Catalogue;

beforeAll(async () => {
  [world, browser, en, zh] = await Promise.all([startWorld(), startBrowser(), catalogue('en-US'), catalogue('zh-CN')]);
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function openConsole(): Promise<TestPage> {
  const tp = await browser.newPage();
  await tp.page.goto(`${world.daemon.url}/console/`);
  await tp.page.locator('[data-test=login-form]').waitFor();
  return tp;
}

async function signIn(page: Page, username: string, password = `demo-${username}`): Promise<void> {
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** Every piece of text a user reads: the title, text nodes, and the labels in attributes. (A
 * string, run in the page: the test's own types have no DOM.) */
const VISIBLE_TEXTS = `(() => {
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const s = n.textContent.trim();
    if (s) out.push(s);
  }
  for (const el of document.querySelectorAll('[aria-label],[title],[placeholder]')) {
    for (const a of ['aria-label', 'title', 'placeholder']) {
      const v = el.getAttribute(a);
      if (v) out.push(v);
    }
  }
  return out;
})()`;

function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(VISIBLE_TEXTS) as Promise<string[]>;
}

/** English labels still on the page (values shared by both catalogues, such as "English", aside). */
async function englishLeft(page: Page): Promise<string[]> {
  const english = new Set(Object.entries(en).filter(([k, v]) => zh[k] !== v).map(([, v]) => v));
  return (await visibleTexts(page)).filter((s) => english.has(s));
}

describe('web console', () => {
  it('a supervisor signs in, sees the wallboard, and an agent going ready shows within a second; every page opens', async () => {
    const { page, errors } = await openConsole();
    await browser.screenshot(page, 'login-en-US');
    await signIn(page, 'sup1');

    await page.locator('[data-test=wallboard][data-status=live]').waitFor();
    expect(page.url()).toMatch(/#\/wallboard$/);
    await expect.poll(() => page.textContent('[data-test=user]')).toContain('sup1');
    expect(await page.locator('[data-test=roles] [data-role]').allTextContents()).toEqual([en['role.supervisor'], en['role.agent']]);
    // The snapshot lists the centre's agents, a1001 not signed in yet.
    await page.locator('tr[data-agent=a1001][data-state=loggedOut]').waitFor();

    const agent = await world.readyAgent('a1001');
    const readyAt = Date.now();
    await page.locator('tr[data-agent=a1001][data-state=ready]').waitFor({ timeout: 1000 });
    const shownAfterMs = Date.now() - readyAt;
    expect(shownAfterMs).toBeLessThan(1000);
    console.log(`wallboard: a1001 shown ready ${shownAfterMs} ms after the agent's own socket had it`);
    expect(await page.locator('tr[data-agent=a1001] .state').textContent()).toBe(en['state.ready']);
    expect(await page.locator('tr[data-agent=a1001] td').nth(2).textContent()).toBe('2001');
    await browser.screenshot(page, 'wallboard-en-US');

    // And back: notReady with a reason, shown translated.
    await agent.call('agent.setState', { state: 'notReady', reason: 'break' });
    await page.locator('tr[data-agent=a1001][data-state=notReady]').waitFor({ timeout: 1000 });
    expect(await page.locator('tr[data-agent=a1001] td').nth(4).textContent()).toBe(en['reason.break']);

    const navPages = await page.locator('[data-test=nav] a').evaluateAll((as) => as.map((a) => a.getAttribute('data-page')));
    expect(navPages).toEqual(['wallboard', 'recordings', 'reports', 'ivr', 'routing']);
    for (const id of navPages.slice(1)) {
      await page.click(`[data-test=nav] a[data-page=${id}]`);
      await page.locator(`main[data-page=${id}] h2`).waitFor();
      expect(await page.locator(`main[data-page=${id}] h2`).textContent()).toBe(en[`page.${id}.title`]);
      await browser.screenshot(page, `${id}-en-US`);
    }
    expect(errors).toEqual([]);
  });

  it('the language switch turns every label to Chinese and back, and is remembered after a reload', async () => {
    const { page, errors } = await openConsole();
    await page.selectOption('[data-test=locale-switch]', 'zh-CN');
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.locator('[data-test=login-form] h1').textContent()).toBe(zh['login.heading']);
    expect(await page.locator('button[type=submit]').textContent()).toBe(zh['login.submit']);
    expect(await englishLeft(page)).toEqual([]);
    await browser.screenshot(page, 'login-zh-CN');

    await signIn(page, 'sup1');
    await page.locator('[data-test=wallboard][data-status=live]').waitFor();
    await page.locator('tr[data-agent]').first().waitFor();
    expect(await page.title()).toBe(zh['app.title']);
    expect(await page.locator('[data-test=nav] a[data-page=wallboard]').textContent()).toBe(zh['page.wallboard.title']);
    expect(await page.locator('[data-test=logout]').textContent()).toBe(zh['topbar.logout']);
    expect(await page.locator('table.agents th').first().textContent()).toBe(zh['wallboard.col.agent']);
    expect(await englishLeft(page)).toEqual([]);
    await browser.screenshot(page, 'wallboard-zh-CN');
    for (const id of ['recordings', 'reports', 'ivr', 'routing']) {
      await page.click(`[data-test=nav] a[data-page=${id}]`);
      await page.locator(`main[data-page=${id}] h2`).waitFor();
      expect(await page.locator(`main[data-page=${id}] h2`).textContent()).toBe(zh[`page.${id}.title`]);
      expect(await englishLeft(page)).toEqual([]);
      await browser.screenshot(page, `${id}-zh-CN`);
    }

    // Remembered: a reload comes back in Chinese, still signed in (the token is in sessionStorage).
    await page.reload();
    await page.locator('main[data-page=routing] h2').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.locator('main[data-page=routing] h2').textContent()).toBe(zh['page.routing.title']);
    expect(await page.evaluate("localStorage.getItem('switchboard.console.locale')")).toBe('zh-CN');

    // And back to English.
    await page.selectOption('[data-test=locale-switch]', 'en-US');
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en-US');
    expect(await page.title()).toBe(en['app.title']);
    expect(await page.locator('main[data-page=routing] h2').textContent()).toBe(en['page.routing.title']);
    expect(await page.locator('[data-test=nav] a[data-page=reports]').textContent()).toBe(en['page.reports.title']);
    const zhValues = new Set(Object.entries(zh).filter(([k, v]) => en[k] !== v).map(([, v]) => v));
    expect((await visibleTexts(page)).filter((s) => zhValues.has(s))).toEqual([]);

    // Signing out goes back to the form, in the language chosen.
    await page.click('[data-test=logout]');
    await page.locator('[data-test=login-form]').waitFor();
    expect(await page.locator('[data-test=login-form] h1').textContent()).toBe(en['login.heading']);
    expect(errors).toEqual([]);
  });

  it('a second window of the same supervisor takes the wallboard over; the first says so and does not take it back by itself', async () => {
    const first = await openConsole();
    await signIn(first.page, 'sup1');
    await first.page.locator('[data-test=wallboard][data-status=live]').waitFor();
    const second = await openConsole();
    await signIn(second.page, 'sup1');
    await second.page.locator('[data-test=wallboard][data-status=live]').waitFor();
    // The daemon closes the older session (4009): the first window stops there, the second stays live.
    await first.page.locator('[data-test=wallboard][data-status=replaced]').waitFor();
    expect(await first.page.locator('[data-test=conn]').textContent()).toBe(en['conn.replaced']);
    await browser.screenshot(first.page, 'wallboard-replaced-en-US');
    // 'replaced' is final: a window set to reconnect would show 'reconnecting' instead.
    expect(await second.page.getAttribute('[data-test=wallboard]', 'data-status')).toBe('live');
    // Taking it back is the user's choice.
    await first.page.click('[data-test=take-over]');
    await first.page.locator('[data-test=wallboard][data-status=live]').waitFor();
    await second.page.locator('[data-test=wallboard][data-status=replaced]').waitFor();
    await first.context.close();
    await second.context.close();
    expect([...first.errors, ...second.errors]).toEqual([]);
  });

  it('an agent-only account cannot open the wallboard or recordings', async () => {
    const { page, errors } = await openConsole();
    await signIn(page, 'a1001');
    await page.locator('[data-test=not-allowed][data-why=none]').waitFor();
    expect(await page.locator('[data-test=nav]').count()).toBe(0);
    expect(await page.locator('[data-test=roles] [data-role]').allTextContents()).toEqual([en['role.agent']]);
    await browser.screenshot(page, 'agent-no-pages-en-US');

    for (const id of ['wallboard', 'recordings']) {
      await page.goto(`${world.daemon.url}/console/#/${id}`);
      await page.locator('[data-test=not-allowed][data-why=page]').waitFor();
      expect(await page.locator('[data-test=wallboard]').count()).toBe(0);
      expect(await page.locator(`main[data-page=${id}]`).count()).toBe(0);
      expect(await page.locator('[data-test=not-allowed] p').textContent()).toBe(en['notAllowed.page']);
      await browser.screenshot(page, `agent-${id}-not-allowed-en-US`);
    }
    // And the server agrees: supervisor ops are refused to the agent's token.
    const ws = await world.login('a1001');
    expect((await ws.request('supervisor.snapshot')).error?.code).toBe('FORBIDDEN');
    expect(errors).toEqual([]);
  });

  it('a QA user sees Recordings only', async () => {
    const { page } = await openConsole();
    await signIn(page, 'qa1');
    await page.locator('main[data-page=recordings] h2').waitFor();
    expect(await page.locator('[data-test=nav] a').evaluateAll((as) => as.map((a) => a.getAttribute('data-page')))).toEqual(['recordings']);
    await page.goto(`${world.daemon.url}/console/#/wallboard`);
    await page.locator('[data-test=not-allowed][data-why=page]').waitFor();
  });

  it('a wrong password is told in the form', async () => {
    const { page, errors } = await openConsole();
    await signIn(page, 'sup1', 'not-the-password');
    const error = page.locator('[data-test=login-error]');
    await error.waitFor();
    expect(await error.textContent()).toBe(en['login.error.invalid']);
    expect(await page.locator('[data-test=wallboard]').count()).toBe(0);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await browser.screenshot(page, 'login-error-en-US');
    // The browser logs the 401 of the failed login as a console error: that one is expected.
    expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
  });
});
