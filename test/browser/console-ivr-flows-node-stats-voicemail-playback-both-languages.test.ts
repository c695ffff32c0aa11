/**
 * The console's IVR page in a real Chromium on a real daemon with the simulated switch and the
 * demo flows (20× faster). Two callers go through the main flow (8002): one chooses English,
 * presses a key the menu does not have, then 9 and leaves a voicemail (to the mailbox's limit); the other hangs
 * up at the language choice. An admin opens the IVR page: the flow list shows main with the
 * version the API serves; the per-node table of main has, for every node, the same entries, keys,
 * timeouts, invalid inputs and exits by outcome as `GET /api/v1/ivr/stats` for the same range, and
 * both bar charts are drawn. The voicemail list shows the message; Play fetches a signed URL and
 * the <audio> element plays it (the audio answers 200/206 and currentTime advances). The signed
 * URL is refused when tampered with, and the audio without either a signature or a token. In
 * Chinese no English label of the page is left, and back.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken } from '../helpers/acd.ts';
import { startBrowser, type TestBrowser } from '../helpers/browser.ts';
import { heard, ivrWorld, press, waitGone, waitHeard, waitRecording } from '../helpers/ivr.ts';
import { eventually, type World } from '../helpers/world.ts';

const CONSOLE = join(import.meta.dirname, '..', '..', 'console');
type Catalogue = Record<string, string>;
const catalogue = async (locale: string): Promise<Catalogue> => ((await import(pathToFileURL(join(CONSOLE, 'i18n', `${locale}.js`)).href)) as { default: Catalogue }).default;

const REGULAR = '13800000002';
const HANGS_UP = '13900000321';

let world: World;
let browser: TestBrowser;
let en: Catalogue;
let zh: Catalogue;
let token: string;

beforeAll(async () => {
  [world, browser, en, zh] = await Promise.all([ivrWorld(), startBrowser(), catalogue('en-US'), catalogue('zh-CN')]);
  token = await adminToken(world);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

/** Visible texts of the page's <main> (text nodes, options, placeholders), data (`.data`: flow and node ids, numbers) aside. Run in the page. */
const MAIN_TEXTS = `(() => {
  const main = document.querySelector('main');
  const out = [];
  const walk = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const s = n.textContent.trim();
    const el = n.parentElement;
    if (!s || !el || el.closest('pre, .data')) continue;
    if (el.tagName === 'OPTION' || el.checkVisibility()) out.push(s);
  }
  for (const el of main.querySelectorAll('[title],[placeholder],[aria-label]')) {
    for (const a of ['placeholder', 'aria-label']) { const v = el.getAttribute(a); if (v) out.push(v); }
  }
  return out;
})()`;

/** Texts of the page that are one of `from`'s labels (placeholders filled with anything), for labels that differ in `to`. */
async function labelsLeft(page: Page, from: Catalogue, to: Catalogue, prefixes: string[]): Promise<string[]> {
  const patterns = Object.entries(from)
    // A label with too few letters of its own ('v{n}') would match any data: left to the exact checks.
    .filter(([k, v]) => prefixes.some((p) => k.startsWith(p)) && to[k] !== v && v.replace(/\{\w+\}/g, '').replace(/[^\p{L}]/gu, '').length >= 3)
    .map(([, v]) => new RegExp(`^${v.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}|\{\w+\}/g, '.+')}$`, 's'));
  const texts = (await page.evaluate(MAIN_TEXTS)) as string[];
  return texts.filter((s) => patterns.some((re) => re.test(s)));
}

/** Latin words in the page's pure labels (the own text of headings, column heads, form labels, buttons), 'IVR' aside: none in Chinese. */
const latinInLabels = (page: Page): Promise<string[]> =>
  page.evaluate(`[...document.querySelectorAll('main h2, main h3, main th, main caption, main label, main button, main dt, main summary')]
    .map((e) => [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(' ').replace(/IVR|JSON/g, ''))
    .filter((s) => /[A-Za-z]{2,}/.test(s))`) as Promise<string[]>;

async function openIvrPage(): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await browser.newPage();
  await page.goto(`${world.daemon.url}/console/#/ivr`, { timeout: 30_000 });
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'demo-admin');
  await page.click('button[type=submit]');
  await page.locator('main[data-page=ivr] [data-test=ivr]').waitFor();
  return { page, errors };
}

const cellText = async (page: Page, sel: string) => (await page.locator(sel).textContent())?.trim();

describe('IVR page', () => {
  it('shows the flows, the per-node figures the API has, the charts, and plays a voicemail; in Chinese and back', async () => {
    // A caller through the main flow: English, an invalid key, then 9 → voicemail ended by #.
    const a = await world.dial(REGULAR, '8002');
    await waitHeard(world, a, 'For English');
    await press(world, a, '2');
    await waitHeard(world, a, 'For sales, press one');
    await press(world, a, '7');
    await waitHeard(world, a, 'For sales, press one', 2);
    await press(world, a, '9');
    await eventually(async () => (await heard(world, a)).some((i) => i.kind === 'tone'), 10_000);
    await waitRecording(world, a);
    // The message runs to the mailbox's limit (120 s, 6 s at this speed): long enough to play.
    await waitGone(world, a, 20_000);
    // Another hangs up at the language choice.
    const b = await world.dial(HANGS_UP, '8002');
    await waitHeard(world, b, 'For English');
    await world.simApi('POST', `/sim/calls/${b}/hangup`);

    // The statistics are written in batches: wait until the API counts both.
    await eventually(async () => {
      const r = await world.http('GET', '/api/v1/ivr/stats?flow=main&interval=1h', { token });
      const main = r.body.flows?.find((f: { flow: string }) => f.flow === 'main');
      return main && main.totals.exits.voicemail >= 1 && main.totals.exits.abandoned >= 1 ? main : null;
    }, 10_000);
    const vm = await eventually(async () => (await world.http('GET', '/api/v1/voicemail?mailbox=8120', { token })).body.items.find((v: { caller: string }) => v.caller === REGULAR));

    const { page, errors } = await openIvrPage();
    expect(await page.locator('main[data-page=ivr] h2').textContent()).toBe(en['page.ivr.title']);

    // The flows, with the version the API serves.
    const flows = (await world.http('GET', '/api/v1/ivr/flows', { token })).body.items as { id: string; version: number; status: string }[];
    const main = flows.find((f) => f.id === 'main')!;
    await page.locator(`[data-test=flow-row][data-flow=main][data-version="${main.version}"][data-status=ok]`).waitFor();
    expect(await page.locator('[data-test=flow-row]').count()).toBe(flows.length);

    // The statistics of today, per hour, as the page asked for them: the same figures as the API's for that range.
    const result = page.locator('[data-test=stats-result]');
    await result.waitFor();
    const from = await result.getAttribute('data-from');
    const to = await result.getAttribute('data-to');
    expect(await result.getAttribute('data-interval')).toBe('1h');
    const api = (await world.http('GET', `/api/v1/ivr/stats?flow=main&interval=1h&from=${encodeURIComponent(from!)}&to=${encodeURIComponent(to!)}`, { token })).body.flows[0];
    expect(api.totals.exits.voicemail).toBeGreaterThanOrEqual(1);
    const block = '[data-test=flow-stats][data-flow=main]';
    expect(await cellText(page, `${block} [data-test=flow-totals] [data-col=entries]`)).toBe(String(api.totals.entries));
    expect(await cellText(page, `${block} [data-test=flow-totals] [data-col=exit-voicemail]`)).toBe(String(api.totals.exits.voicemail));
    expect(await cellText(page, `${block} [data-test=flow-totals] [data-col=exit-abandoned]`)).toBe(String(api.totals.exits.abandoned));
    const nodes = api.totals.nodes as { node: string; entries: number; keys: number; timeouts: number; invalid: number; exits: Record<string, number> }[];
    expect(nodes.length).toBeGreaterThan(3);
    expect(await page.locator(`${block} [data-test=node-row]`).count()).toBe(nodes.length);
    for (const n of nodes) {
      const row = `${block} [data-test=node-row][data-node="${n.node}"]`;
      for (const col of ['entries', 'keys', 'timeouts', 'invalid'] as const) expect(await cellText(page, `${row} [data-col=${col}]`), `${n.node} ${col}`).toBe(String(n[col]));
      for (const [outcome, count] of Object.entries(n.exits)) expect(await cellText(page, `${row} [data-col=exit-${outcome}]`), `${n.node} exit ${outcome}`).toBe(String(count));
      expect(await cellText(page, `${row} [data-col=exits]`)).toBe(String(Object.values(n.exits).reduce((x, y) => x + y, 0)));
    }
    // The menu saw the invalid key; the voicemail node is where the message was left.
    const menu = nodes.find((n) => n.node === 'mainMenu')!;
    expect(menu.invalid).toBeGreaterThanOrEqual(1);
    expect(Number(await cellText(page, `${block} [data-test=node-row][data-node=mainMenu] [data-col=invalid]`))).toBeGreaterThanOrEqual(1);
    expect(await page.locator(`${block} [data-test=interval-row]`).count()).toBe(api.intervals.length);
    await page.locator(`${block} [data-test=node-chart] canvas[data-drawn]`).waitFor();
    await page.locator(`${block} [data-test=interval-chart] canvas[data-drawn]`).waitFor();

    // Another interval: asked again, per 15 minutes.
    await page.selectOption('[data-test=stats-interval]', '15m');
    await page.click('[data-test=stats-run]');
    await page.locator('[data-test=stats-result][data-interval="15m"]').waitFor();

    // The voicemail: listed, and played through a signed URL.
    const row = page.locator(`[data-test=voicemail-row][data-voicemail="${vm.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-caller')).toBe(REGULAR);
    const audioAnswer = page.waitForResponse((r) => r.url().includes(`/api/v1/voicemail/${vm.id}/audio?`));
    await row.locator('[data-test=voicemail-play]').click();
    const answer = await audioAnswer;
    expect([200, 206]).toContain(answer.status());
    expect(answer.headers()['content-type']).toBe('audio/wav');
    const audio = page.locator(`[data-test=voicemail-audio][data-voicemail="${vm.id}"]`);
    await audio.waitFor();
    // Playing: its position moves on.
    // (A function, not a string: the console's CSP forbids eval, which a string predicate needs.)
    type AudioDoc = { document: { querySelector(sel: string): { currentTime: number } | null } };
    await page.waitForFunction((id: number) => ((globalThis as unknown as AudioDoc).document.querySelector(`[data-test=voicemail-audio][data-voicemail="${id}"]`)?.currentTime ?? 0) > 0, vm.id as number);
    expect(await page.evaluate(`document.querySelector('[data-test=voicemail-audio][data-voicemail="${vm.id}"]').duration`)).toBeGreaterThan(0.5);
    await browser.screenshot(page, 'ivr-en-US');

    // The signed URL is the only way in without a token: tampered, 403; neither, 401.
    const src = (await audio.getAttribute('src'))!;
    const ok = await fetch(world.daemon.url + src, { headers: { range: 'bytes=0-43' } });
    expect(ok.status).toBe(206);
    const tampered = await fetch(world.daemon.url + src.replace(/sig=[^&]+/, 'sig=AAAA'));
    expect(tampered.status).toBe(403);
    expect(((await tampered.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe('BAD_SIGNATURE');
    expect((await fetch(`${world.daemon.url}/api/v1/voicemail/${vm.id}/audio`)).status).toBe(401);
    // Signed for this message only.
    const other = await fetch(world.daemon.url + src.replace(`/voicemail/${vm.id}/`, `/voicemail/${vm.id + 1000}/`));
    expect(other.status).toBe(403);

    // Chinese: no label of this page left in English; then back, no Chinese one left.
    await page.selectOption('[data-test=locale-switch]', 'zh-CN');
    await page.locator(`main[data-page=ivr] h2:text-is("${zh['page.ivr.title']}")`).waitFor();
    expect(await labelsLeft(page, en, zh, ['ivr.', 'page.ivr.'])).toEqual([]);
    expect(await latinInLabels(page)).toEqual([]);
    expect(await cellText(page, '[data-test=flow-row][data-flow=main] [data-col=version]')).toBe(zh['ivr.flows.versionN']!.replace('{n}', String(main.version)));
    expect(await cellText(page, '[data-test=voicemail-play] >> nth=0')).toBe(zh['ivr.voicemail.play']);
    await browser.screenshot(page, 'ivr-zh-CN');
    await page.selectOption('[data-test=locale-switch]', 'en-US');
    await page.locator(`main[data-page=ivr] h2:text-is("${en['page.ivr.title']}")`).waitFor();
    expect(await labelsLeft(page, zh, en, ['ivr.', 'page.ivr.'])).toEqual([]);

    expect(errors).toEqual([]);
  }, 90_000);

  it('an agent cannot open it, and the API refuses them the voicemail audio', async () => {
    const { page, errors } = await browser.newPage();
    await page.goto(`${world.daemon.url}/console/#/ivr`, { timeout: 30_000 });
    await page.fill('input[name=username]', 'a1001');
    await page.fill('input[name=password]', 'demo-a1001');
    await page.click('button[type=submit]');
    await page.locator('[data-test=not-allowed]').waitFor();
    expect(await page.locator('[data-test=ivr]').count()).toBe(0);
    const login = await world.http('POST', '/api/v1/auth/login', { body: { username: 'a1001', password: 'demo-a1001' } });
    const vm = (await world.http('GET', '/api/v1/voicemail', { token })).body.items[0];
    expect((await world.http('POST', `/api/v1/voicemail/${vm.id}/play-url`, { token: login.body.token })).status).toBe(403);
    expect((await world.http('POST', '/api/v1/voicemail/999999/play-url', { token })).status).toBe(404);
    expect(errors).toEqual([]);
  }, 30_000);
});
