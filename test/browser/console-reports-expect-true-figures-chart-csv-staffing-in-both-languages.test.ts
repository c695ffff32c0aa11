/**
 * The console's Reports page in a real Chromium on a real daemon whose database holds a generated
 * day of traffic (test/helpers/report-day.ts, which returns the true figures it wrote). A
 * supervisor in Shanghai, browsing in Chinese, runs 用户放弃率统计表 for that day: the table's
 * offered and abandoned cells are the generator's per queue, the pie chart is drawn, the formulas
 * are printed; the CSV download's first line is the Chinese header and the Excel download is a
 * workbook; a refused query shows the API's message; the per-call report downloads one line per
 * call; the staffing what-if lists every hour with the agents it needs beside a bar
 * chart; switching to English turns the page's labels and the report's own to English.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import { startBrowser, type TestBrowser } from '../helpers/browser.ts';
import { SHANGHAI, writeReportDay, type ReportDayTruth } from '../helpers/report-day.ts';
import { startWorld, type World } from '../helpers/world.ts';

const CONSOLE = join(import.meta.dirname, '..', '..', 'console');
type Catalogue = Record<string, string>;
const catalogue = async (locale: string): Promise<Catalogue> => ((await import(pathToFileURL(join(CONSOLE, 'i18n', `${locale}.js`)).href)) as { default: Catalogue }).default;

const DAY = '2026-11-20';
const QUEUES = ['sales', 'support'];

let world: World;
let browser: TestBrowser;
let truth: ReportDayTruth;
let en: Catalogue;
let zh: Catalogue;

beforeAll(async () => {
  [world, browser, en, zh] = await Promise.all([startWorld({ config: { ivr: Object.freeze({ ...defaultConfig().ivr, timeZone: SHANGHAI }) } }), startBrowser(), catalogue('en-US'), catalogue('zh-CN')]);
  truth = writeReportDay(world.daemon.storage.sqlite, { seed: 20, date: DAY, queues: QUEUES });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

/** A page on the centre's clock (the period's days are the browser's local days), in Chinese. */
async function openAsShanghaiSupervisor(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.browser.newContext({ locale: 'zh-CN', timezoneId: SHANGHAI, viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  context.setDefaultTimeout(5000);
  context.setDefaultNavigationTimeout(20_000); // as test/helpers/browser.ts: loads on a busy machine
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${world.daemon.url}/console/`);
  await page.fill('input[name=username]', 'sup1');
  await page.fill('input[name=password]', 'demo-sup1');
  await page.click('button[type=submit]');
  await page.click('[data-test=nav] a[data-page=reports]');
  await page.locator('[data-test=report-picker] option[value=abandonment]').waitFor({ state: 'attached' });
  return { page, errors };
}

/** Pixels of a canvas that something was drawn on (not transparent). Run in the page. */
const DRAWN_PIXELS = `(sel) => {
  const c = document.querySelector(sel);
  if (!c || !c.width || !c.height) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
}`;
const drawnPixels = (page: Page, sel: string): Promise<number> => page.evaluate(`(${DRAWN_PIXELS})(${JSON.stringify(sel)})`) as Promise<number>;

const cell = (page: Page, key: string, col: string) => page.locator(`[data-test=report-table] tr[data-key="${key}"] td[data-col=${col}]`);

describe('Reports page', () => {
  it('用户放弃率统计表 shows the true figures, its chart and formulas; CSV, what-if and English follow', async () => {
    const { page, errors } = await openAsShanghaiSupervisor();
    const started = Date.now();
    expect(await page.locator('main[data-page=reports] h2').textContent()).toBe(zh['page.reports.title']);
    expect(await page.locator('[data-test=report-picker] option[value=abandonment]').textContent()).toBe('用户放弃率统计表');
    expect(await page.locator('[data-test=report-picker] option').count()).toBe(8); // seven classic + the what-if
    // The queue picker offers the configured queues (GET /api/v1/queues), by id with their names.
    const configured = (await world.http('GET', '/api/v1/queues', { token: (await world.http('POST', '/api/v1/auth/login', { body: { username: 'sup1', password: 'demo-sup1' } })).body.token })).body.items as { id: string; name: string }[];
    expect(configured.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator('#report-queues option').evaluateAll((os) => os.map((o) => o.getAttribute('value')).sort())).toEqual(configured.map((q) => q.id).sort());

    await page.selectOption('[data-test=report-picker]', 'abandonment');
    await page.selectOption('[data-test=period]', 'custom');
    await page.fill('[data-test=from]', DAY);
    await page.fill('[data-test=to]', DAY);
    await page.click('[data-test=run]');
    // The first report starts the report worker (a thread loading the report code): it may take
    // longer than the page's 5 s default on a loaded machine.
    await page.locator('[data-test=report-result][data-report=abandonment] tr[data-key=total]').waitFor({ timeout: 15_000 });

    // The table: one row per queue, offered and abandoned as the generator wrote them.
    const keys = await page.locator('[data-test=report-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')));
    expect(keys.sort()).toEqual([...QUEUES].sort());
    for (const q of QUEUES) {
      const t = truth.byQueue[q]!;
      expect(t.offered).toBeGreaterThan(0);
      expect(await cell(page, q, 'offered').textContent(), `${q} offered`).toBe(String(t.offered));
      expect(await cell(page, q, 'abandoned').textContent(), `${q} abandoned`).toBe(String(t.abandoned));
      expect(await cell(page, q, 'answered').textContent(), `${q} answered`).toBe(String(t.answered));
      expect(await cell(page, q, 'abandonRate').textContent()).toBe(`${((t.abandoned / t.offered) * 100).toFixed(1)}%`);
    }
    expect(await cell(page, 'total', 'offered').textContent()).toBe(String(truth.total.offered));
    expect(await cell(page, 'total', 'key').textContent()).toBe('合计');
    const headers = await page.locator('[data-test=report-table] thead th').allTextContents();
    expect(headers.slice(0, 4)).toEqual(['队列', '呼入总数', '接通数', '放弃数']);

    // The pie of abandons is drawn; the formulas are printed under the table.
    await page.locator('[data-test=chart][data-kind=pie] canvas[data-drawn=true]').waitFor();
    expect(await drawnPixels(page, '[data-test=chart] canvas')).toBeGreaterThan(2000);
    expect(await page.locator('[data-test=formulas] h4').textContent()).toBe(zh['reports.formulas']);
    const formulas = await page.locator('[data-test=formulas] li').allTextContents();
    expect(formulas.length).toBeGreaterThan(0);
    // In the reader's language: the same formula, its terms in Chinese.
    expect(formulas.join('\n')).toMatch(/服务水平 SL = 20 秒内接通数 \//);
    expect(formulas.join('\n')).not.toMatch(/answered|abandoned/);
    console.log(`reports: 用户放弃率统计表 picked, run, shown and drawn in ${Date.now() - started} ms`);
    await browser.screenshot(page, 'reports-abandonment-zh-CN');

    // The CSV: fetched with the token, saved from a Blob; its header is the table's, in Chinese.
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=download-csv]')]);
    expect(file.suggestedFilename()).toBe('用户放弃率统计表.csv');
    const csv = readFileSync((await file.path())!, 'utf8').replace(/^\ufeff/, '');
    expect(csv.split('\r\n')[0]).toBe(headers.join(','));
    expect(csv).toContain(`sales,${truth.byQueue.sales!.offered},`);
    // Excel: the same report as a workbook.
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=download-xlsx]')]);
    expect(xlsx.suggestedFilename()).toBe('用户放弃率统计表.xlsx');
    expect(readFileSync((await xlsx.path())!).subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');

    // A query the API refuses: its message, readable, in the page.
    await page.fill('[data-test=agent]', 'not an agent!');
    await page.click('[data-test=run]');
    await page.locator('[data-test=report-error]').waitFor();
    expect(await page.locator('[data-test=report-error]').textContent()).toMatch(/^报表无法生成：.*agent/);
    await page.fill('[data-test=agent]', '');

    // 座席话务统计详细表 is one row per call: no table, the call export as a file (a header, then each call).
    await page.selectOption('[data-test=report-picker]', 'agent-detail');
    await page.click('[data-test=run]');
    await page.locator('[data-test=report-result][data-report=agent-detail]').waitFor();
    expect(await page.locator('[data-test=report-error]').count()).toBe(0);
    expect(await page.locator('[data-test=report-result] h3').textContent()).toBe('座席话务统计详细表');
    const [calls] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=download-csv]')]);
    const callLines = readFileSync((await calls.path())!, 'utf8').replace(/^\ufeff/, '').trimEnd().split('\r\n');
    expect(callLines).toHaveLength(truth.total.offered + 1);

    // The staffing what-if, hour by hour: agents needed beside the service level reached.
    await page.selectOption('[data-test=report-picker]', 'staffing');
    await page.selectOption('[data-test=interval]', '60m');
    await page.fill('[data-test=target]', '80');
    await page.fill('[data-test=sl-seconds]', '20');
    await page.click('[data-test=run]');
    await page.locator('[data-test=staffing-table] tbody tr[data-key]').first().waitFor();
    expect(await page.locator('[data-test=report-error]').count()).toBe(0);
    expect(await page.locator('[data-test=staffing-table] tbody tr[data-key]').count()).toBe(24);
    const needed = (await page.locator('[data-test=staffing-table] td[data-col=agentsNeeded]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value') || 0)))) as number[];
    expect(Math.max(...needed)).toBeGreaterThan(0);
    const offered = (await page.locator('[data-test=staffing-table] td[data-col=offered]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))))) as number[];
    expect(offered.reduce((a, b) => a + b, 0)).toBe(truth.total.offered);
    expect(await page.locator('[data-test=staffing-table] th[data-col=agentsNeeded]').textContent()).toBe(zh['reports.staffing.col.agentsNeeded']);
    await page.locator('[data-test=staffing-chart][data-kind=bar] canvas[data-drawn=true]').waitFor();
    expect(await drawnPixels(page, '[data-test=staffing-chart] canvas')).toBeGreaterThan(500);
    expect(await page.locator('[data-test=staffing-result] [data-test=formulas] li').first().textContent()).toMatch(/^Erlang C 模型：A = 呼入量 × AHT/);
    await browser.screenshot(page, 'reports-staffing-zh-CN');
    const [staffingXlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=download-xlsx]')]);
    expect(staffingXlsx.suggestedFilename()).toBe('staffing.xlsx');
    expect(readFileSync((await staffingXlsx.path())!).subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');

    // English: the page's labels at once, the report's names and columns (the API's) with them.
    await page.selectOption('[data-test=locale-switch]', 'en-US');
    await page.locator('[data-test=staffing-table] th[data-col=agentsNeeded]', { hasText: en['reports.staffing.col.agentsNeeded']! }).waitFor();
    // The what-if asked again in English: its model printed in English (the button says Run again once it is in).
    await page.locator('[data-test=staffing-result] [data-test=formulas] li', { hasText: /^Erlang C: A = offered × AHT/ }).waitFor();
    expect(await page.locator('[data-test=run]').textContent()).toBe(en['reports.run']);
    expect(await page.locator('[data-test=report-picker] option[value=abandonment]').textContent()).toBe('Caller abandonment');
    expect(await page.locator('[data-test=report-picker] option[value=staffing]').textContent()).toBe(en['reports.staffing']);
    await browser.screenshot(page, 'reports-staffing-en-US');

    await page.selectOption('[data-test=report-picker]', 'abandonment');
    await page.click('[data-test=run]');
    await page.locator('[data-test=report-result][data-report=abandonment] tr[data-key=total]').waitFor();
    expect((await page.locator('[data-test=report-table] thead th').allTextContents()).slice(0, 4)).toEqual(['Queue', 'Offered', 'Answered', 'Abandoned']);
    expect(await cell(page, 'total', 'key').textContent()).toBe('Total');
    expect((await page.locator('[data-test=formulas] li').allTextContents()).join('\n')).toMatch(/SL = answered within 20 s/);
    expect(await cell(page, 'sales', 'offered').textContent()).toBe(String(truth.byQueue.sales!.offered));
    await page.locator('[data-test=chart] canvas[data-drawn=true]').waitFor();
    // Nothing Chinese left but the language switch's own name for Chinese.
    const han = (await page.evaluate(`[...document.querySelectorAll('main, nav, .top-bar')].map((e) => e.innerText).join('\\n')`)) as string;
    expect(han.split('\n').filter((l) => /\p{Script=Han}/u.test(l) && l.trim() !== zh['locale.zh-CN'] && l.trim() !== en['locale.zh-CN'])).toEqual([]);
    await browser.screenshot(page, 'reports-abandonment-en-US');

    // The one refused query is the only thing the browser logged (Chromium logs every 4xx).
    expect(errors).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    // One journey of ~25 steps: 6 s alone, more beside the suite on two cores.
  }, 45_000);

  it('a manager opens each of the seven classic reports: its table and its chart, and the Excel file of each', async () => {
    const { page, errors } = await openAsShanghaiSupervisor();
    const ids = (await page.locator('[data-test=report-picker] option').evaluateAll((os) => os.map((o) => o.getAttribute('value')))).filter((v) => v !== 'staffing') as string[];
    expect(ids).toHaveLength(7);
    await page.selectOption('[data-test=period]', 'custom');
    await page.fill('[data-test=from]', DAY);
    await page.fill('[data-test=to]', DAY);
    for (const id of ids) {
      await page.selectOption('[data-test=report-picker]', id);
      await page.click('[data-test=run]');
      await page.locator(`[data-test=report-result][data-report=${id}]`).waitFor({ timeout: 15_000 });
      const name = await page.locator('[data-test=report-result] h3').textContent();
      expect(name, id).toMatch(/\p{Script=Han}/u); // named in Chinese
      const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=download-xlsx]')]);
      const file = readFileSync((await xlsx.path())!);
      expect(file.subarray(0, 4).toString('latin1'), `${id} xlsx`).toBe('PK\x03\x04');
      if (id === 'agent-detail') continue; // one row per call: the file only, no table or chart
      await page.locator(`[data-test=report-result][data-report=${id}] tr[data-key=total]`).waitFor();
      expect(await page.locator('[data-test=report-table] tbody tr').count(), id).toBeGreaterThan(0);
      await page.locator('[data-test=chart] canvas[data-drawn=true]').waitFor();
      expect(await drawnPixels(page, '[data-test=chart] canvas'), `${id} chart`).toBeGreaterThan(500);
      await browser.screenshot(page, `reports-${id}-zh-CN`);
    }
    expect(errors).toEqual([]);
  }, 90_000);
});
