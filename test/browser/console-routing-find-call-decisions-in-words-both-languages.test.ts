/**
 * The console's Routing page in a real Chromium on a real daemon with the simulated switch. Two
 * sales agents go ready, a1002 first; a caller dials the sales pilot and the ACD offers the call
 * to a1002, who has been idle longest. A second caller waits in support, where nobody is ready,
 * past its maximum wait: the call moves to sales and goes to a1003. The supervisor sup1 opens the
 * Routing page, finds the first call by the caller's number and sees the decision in words — the
 * agent chosen, the strategy and its reason, the candidates compared with the winner marked, the
 * tie-break — the same as `GET /api/v1/calls/:callId/routing`; the second call, opened by its id,
 * shows the move with its reason and the assignment in the new queue. In Chinese no English label
 * of the page is left, the reason reads in Chinese, and back.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, supervisorToken } from '../helpers/acd.ts';
import { startBrowser, type TestBrowser } from '../helpers/browser.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

const CONSOLE = join(import.meta.dirname, '..', '..', 'console');
type Catalogue = Record<string, string>;
const catalogue = async (locale: string): Promise<Catalogue> => ((await import(pathToFileURL(join(CONSOLE, 'i18n', `${locale}.js`)).href)) as { default: Catalogue }).default;

const FIRST = '13900000123';
const SECOND = '13900000456';

let world: World;
let browser: TestBrowser;
let en: Catalogue;
let zh: Catalogue;
let token: string;

beforeAll(async () => {
  [world, browser, en, zh] = await Promise.all([startWorld(), startBrowser(), catalogue('en-US'), catalogue('zh-CN')]);
  token = await supervisorToken(world);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

/** A label with its placeholders as a pattern (any text in their place). */
const pattern = (label: string) => new RegExp(`^${label.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.+')}$`, 's');

/** Visible own texts of the page's <main> outside data cells (`.data`) and the raw JSON. Run in the page. */
const MAIN_TEXTS = `(() => {
  const out = [];
  const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const s = n.textContent.trim();
    const el = n.parentElement;
    if (!s || !el || el.closest('pre, .data')) continue;
    if (el.tagName === 'OPTION' || el.checkVisibility()) out.push(s);
  }
  return out;
})()`;

/** Texts that are a label of `from` (for the routing page) that reads differently in `to`. */
async function labelsLeft(page: Page, from: Catalogue, to: Catalogue): Promise<string[]> {
  const patterns = Object.entries(from)
    .filter(([k, v]) => (k.startsWith('routing.') || k === 'page.routing.title') && to[k] !== v && v.replace(/\{\w+\}/g, '').replace(/[^\p{L}]/gu, '').length >= 3)
    .map(([, v]) => pattern(v));
  return ((await page.evaluate(MAIN_TEXTS)) as string[]).filter((s) => patterns.some((re) => re.test(s)));
}

/** Latin words in the own text of the page's pure labels (headings, column heads, form labels, buttons, terms), 'JSON' aside. */
const latinInLabels = (page: Page): Promise<string[]> =>
  page.evaluate(`[...document.querySelectorAll('main h2, main th, main caption, main label, main button, main dt, main summary')]
    .map((e) => [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(' ').replace(/JSON/g, ''))
    .filter((s) => /[A-Za-z]{2,}/.test(s))`) as Promise<string[]>;

const text = async (page: Page, sel: string) => (await page.locator(sel).first().textContent())?.trim() ?? '';

describe('Routing page', () => {
  it('finds a call by number and explains who got it and why; a moved call by its id; in Chinese and back', async () => {
    // a1002 goes ready before a1003: longest idle.
    const a2 = await world.readyAgent('a1002');
    const a3 = await world.readyAgent('a1003');
    const first = await world.dial(FIRST, '8000');
    const offered = await a2.waitFor('call.offered', () => true, 10_000);
    const callId = offered.data.callId as string;
    expect(a3.events.some((e) => e.event === 'call.offered')).toBe(false);
    const api = await eventually(async () => {
      const r = await world.http('GET', `/api/v1/calls/${callId}/routing`, { token });
      return r.status === 200 && r.body.decisions.length > 0 ? r.body : null;
    });
    const decision = api.decisions[0];
    expect(decision).toMatchObject({ kind: 'assign', agent: 'a1002', queueId: 'sales' });
    const ex = decision.detail.explanation;
    expect(ex).toMatchObject({ rule: 'longestIdle', considered: 2, winner: 'a1002', tieBreak: 'idleSince' });

    // The second caller waits in support (nobody ready there) past 1 s, then moves to sales: a1003.
    await admin(world, '/queues/support', { maxWaitS: 1, overflowTarget: 'sales' });
    let secondId: string;
    try {
      const second = await world.dial(SECOND, '8001');
      const offered3 = await a3.waitFor('call.offered', () => true, 10_000);
      secondId = offered3.data.callId as string;
      await eventually(async () => (await world.http('GET', `/api/v1/calls/${secondId}/routing`, { token })).body?.decisions?.some((d: { kind: string }) => d.kind === 'assign'));
      await world.simApi('POST', `/sim/calls/${second}/hangup`);
    } finally {
      await admin(world, '/queues/support', { maxWaitS: null, overflowTarget: null });
    }
    await world.simApi('POST', `/sim/calls/${first}/hangup`);
    const secondApi = (await world.http('GET', `/api/v1/calls/${secondId}/routing`, { token })).body;
    expect(secondApi.decisions.map((d: { kind: string }) => d.kind)).toEqual(['moved', 'assign']);

    // sup1 opens the Routing page and finds the first call by the caller's number.
    const { page, errors } = await browser.newPage();
    await page.goto(`${world.daemon.url}/console/#/routing`, { timeout: 30_000 });
    await page.fill('input[name=username]', 'sup1');
    await page.fill('input[name=password]', 'demo-sup1');
    await page.click('button[type=submit]');
    await page.locator('main[data-page=routing] [data-test=routing-form]').waitFor();
    await page.fill('[data-test=routing-number]', FIRST);
    await page.click('[data-test=routing-find]');
    const row = page.locator(`[data-test=routing-call][data-call="${callId}"][data-from="${FIRST}"]`);
    await row.waitFor();
    expect(await page.locator('[data-test=routing-call]').count()).toBe(1);
    await row.locator('[data-test=routing-explain]').click();
    await page.locator(`[data-test=routing-result][data-call="${callId}"]`).waitFor();
    expect(page.url()).toContain(`#/routing/${callId}`);

    // The decision in words: who, the rule, why, when, what told them apart, and the candidates.
    const shown = page.locator('[data-test=decision][data-kind=assign][data-agent=a1002][data-rule=longestIdle]');
    await shown.waitFor();
    expect(await page.locator('[data-test=decision]').count()).toBe(api.decisions.length);
    expect(await text(page, '[data-test=decision-headline]')).toBe(en['routing.decision.assign']!.replace('{agent}', 'a1002').replace('{queue}', 'sales'));
    const reason = await text(page, '[data-test=decision-reason]');
    expect(reason).toMatch(pattern(en['routing.reason.longestIdle']!));
    expect(reason).toContain('a1002');
    expect(reason).toContain('of 2 eligible');
    expect(await text(page, '[data-test=decision-rule]')).toBe(en['routing.rule.longestIdle']);
    expect(await text(page, '[data-test=decision-trigger]')).toBe(en[`routing.trigger.${ex.trigger}`]);
    expect(await text(page, '[data-test=decision-tiebreak]')).toContain(en['routing.key.idleSince']);
    expect(await page.locator('[data-test=candidate]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-candidate')))).toEqual(ex.top.map((c: { id: string }) => c.id));
    expect(await page.locator('[data-test=candidate].winner').getAttribute('data-candidate')).toBe('a1002');
    // The raw JSON is there for engineers, folded.
    expect(await page.locator('[data-test=decision-raw] pre').isVisible()).toBe(false);
    await page.click('[data-test=decision-raw] summary');
    expect(JSON.parse((await page.locator('[data-test=decision-raw] pre').textContent())!)).toEqual(decision);
    await browser.screenshot(page, 'routing-en-US');

    // The moved call, by its id: the move and its reason, then the agent in the new queue.
    await page.fill('[data-test=routing-number]', '');
    await page.fill('[data-test=routing-call-id]', secondId!);
    await page.click('[data-test=routing-find]');
    await page.locator(`[data-test=routing-result][data-call="${secondId!}"]`).waitFor();
    const moved = page.locator('[data-test=decision][data-kind=moved]');
    await moved.waitFor();
    const movedDetail = secondApi.decisions[0].detail;
    expect(await moved.locator('[data-test=decision-headline]').textContent()).toBe(
      en['routing.decision.moved']!.replace('{from}', 'support').replace('{to}', 'sales').replace('{reason}', en[`routing.leave.${movedDetail.reason}`]!),
    );
    await page.locator('[data-test=decision][data-kind=assign][data-agent=a1003]').waitFor();
    await browser.screenshot(page, 'routing-moved-en-US');

    // An unknown call id is said so (the browser logs the API's 404 itself: that one is expected).
    expect(errors).toEqual([]);
    await page.fill('[data-test=routing-call-id]', 'no-such-call');
    await page.click('[data-test=routing-find]');
    expect(await text(page, '[data-test=routing-error]')).toBe(en['routing.error']!.replace('{message}', en['routing.error.noCall']!));
    expect(errors).toEqual(['console: Failed to load resource: the server responded with a status of 404 (Not Found)']);
    errors.length = 0;

    // Chinese: back to the first call; every label and the reason in Chinese.
    await page.fill('[data-test=routing-call-id]', callId);
    await page.click('[data-test=routing-find]');
    await page.locator(`[data-test=routing-result][data-call="${callId}"]`).waitFor();
    await page.selectOption('[data-test=locale-switch]', 'zh-CN');
    await page.locator(`main[data-page=routing] h2:text-is("${zh['page.routing.title']}")`).waitFor();
    expect(await labelsLeft(page, en, zh)).toEqual([]);
    expect(await latinInLabels(page)).toEqual([]);
    expect(await text(page, '[data-test=decision-reason]')).toMatch(pattern(zh['routing.reason.longestIdle']!));
    expect(await text(page, '[data-test=decision-rule]')).toBe(zh['routing.rule.longestIdle']);
    await browser.screenshot(page, 'routing-zh-CN');
    await page.selectOption('[data-test=locale-switch]', 'en-US');
    await page.locator(`main[data-page=routing] h2:text-is("${en['page.routing.title']}")`).waitFor();
    expect(await labelsLeft(page, zh, en)).toEqual([]);

    expect(errors).toEqual([]);
    for (const a of [a2, a3]) await a.call('agent.signOut', {}).catch(() => undefined);
  }, 90_000);
});
