/**
 * The console's Recordings page in a real Chromium on a real daemon with the simulated switch. A
 * call to the sales queue is answered by a1001, who pauses the recording for a while: a real
 * recording with a paused span. Then, in the page:
 * - qa1 searches by the caller's number, finds that one recording, opens it: the waveform is
 *   drawn, the paused span shaded at its place, a1001's leg marked; nothing is played yet (no
 *   `play` row); Play plays it and a `play` row appears in the access ledger; after Pause a click
 *   on the waveform inside the paused span puts the player's position (and the <audio>'s) there;
 *   qa1 has no legal-hold switch; the QA queue's pick of the call is scored from the form and the
 *   score is in the API with its weighted total;
 * - a search the server times out (SEARCH_TIMEOUT) and one it refuses are told readably;
 * - sup1 places a legal hold (asked first; Cancel changes nothing), and the API has it; the page
 *   in Chinese;
 * - 45 recordings of one number prefix come 20 a page, newest first, through the API's keyset
 *   cursor: every one once, two with the same start time across a page boundary included, and
 *   back to a newer page shows the same rows.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowser, type TestBrowser, type TestPage } from '../helpers/browser.ts';
import { RecordingSeeder } from '../helpers/recordings.ts';
import { answeredCall, closedRecording, pauses, sleep } from '../helpers/recording-capture.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

const CALLER = '13912345678';
const CONSOLE = join(import.meta.dirname, '..', '..', 'console');
const catalogue = async (locale: string): Promise<Record<string, string>> => ((await import(pathToFileURL(join(CONSOLE, 'i18n', `${locale}.js`)).href)) as { default: Record<string, string> }).default;
const zhCN = () => catalogue('zh-CN');

let world: World;
let browser: TestBrowser;
let admin: string;
let rec: { id: string; duration_ms: number };
let span: { fromMs: number; toMs: number };
let entryId: number;
let en: Record<string, string>;

async function token(username: string): Promise<string> {
  const r = await world.http('POST', '/api/v1/auth/login', { body: { username, password: `demo-${username}` } });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

beforeAll(async () => {
  [world, browser, en] = await Promise.all([startWorld(), startBrowser(), catalogue('en-US')]);
  // A real recording: answered, paused for 1.5 s in the middle, resumed, hung up.
  const a = await world.readyAgent('a1001');
  const { callId, simCallId } = await answeredCall(world, a, CALLER, '8000');
  // The recording's length is time passing on the call, not a wait for the page.
  await sleep(1200);
  await a.call('recording.pause', { callId });
  await sleep(1500);
  await a.call('recording.resume', { callId });
  await sleep(1200);
  await world.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  rec = await closedRecording(world, callId);
  [span] = pauses(world, rec.id);
  expect(span.toMs - span.fromMs).toBeGreaterThan(1200);

  // QA: a form, a plan, and this week's sample, which picks a1001's one call.
  admin = await token('admin');
  const form = await world.http('POST', '/api/v1/qa/forms', { token: admin, body: { name: 'Phone manner', items: [{ id: 'greeting', label: 'Greeting', weight: 30 }, { id: 'solution', label: 'Solution', weight: 70 }] } });
  expect(form.status).toBe(201);
  const plan = await world.http('POST', '/api/v1/qa/plans', { token: admin, body: { name: 'Weekly', formId: form.body.id, perAgentPerWeek: 1 } });
  expect(plan.status).toBe(201);
  const sample = await world.http('POST', `/api/v1/qa/plans/${plan.body.id}/sample`, { token: admin, body: {} });
  expect(sample.status).toBe(200);
  const pick = sample.body.added.find((e: { recordingId: string }) => e.recordingId === rec.id);
  expect(pick).toBeTruthy();
  entryId = pick.id;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function openRecordings(username: string): Promise<TestPage> {
  const tp = await browser.newPage();
  // The first load fetches every module; the machine may be busy.
  // Straight to the page (a supervisor would otherwise land on the wallboard first).
  await tp.page.goto(`${world.daemon.url}/console/#/recordings`, { timeout: 30_000 });
  await tp.page.fill('input[name=username]', username);
  await tp.page.fill('input[name=password]', `demo-${username}`);
  await tp.page.click('button[type=submit]');
  await tp.page.locator('[data-test=recordings-results][data-busy=false]').waitFor();
  return tp;
}

async function searchByNumber(page: Page, number: string): Promise<void> {
  await page.fill('[data-test=search-number]', number);
  await page.click('[data-test=search-run]');
  await page.locator(`[data-test=recording-row][data-id="${rec.id}"]`).waitFor();
}

async function ledger(action: string, user: string): Promise<{ action: string; user: string; range?: string; via: string }[]> {
  const r = await world.http('GET', `/api/v1/recordings/access?recordingId=${encodeURIComponent(rec.id)}&user=${user}`, { token: admin });
  expect(r.status).toBe(200);
  return r.body.items.filter((i: { action: string }) => i.action === action);
}

describe('recordings page', () => {
  it('qa1 finds the call by number, plays it (a ledger row), clicks into the paused span, scores it from the QA queue', async () => {
    const { page, errors } = await openRecordings('qa1');
    // A prefix of the number finds it, and only it.
    await searchByNumber(page, CALLER.slice(0, 7));
    expect(await page.locator('[data-test=recording-row]').count()).toBe(1);
    await browser.screenshot(page, 'recordings-search-en-US');

    await page.click(`[data-test=recording-row][data-id="${rec.id}"] [data-test=recording-open]`);
    const player = page.locator(`[data-test=player][data-recording-id="${rec.id}"]`);
    await player.waitFor();
    const wave = page.locator('[data-test=waveform][data-state=drawn]');
    await wave.waitFor();
    expect(Number(await wave.getAttribute('data-length-ms'))).toBe(rec.duration_ms);

    // The paused span is shaded where it is: its box spans fromMs..toMs of the waveform's width.
    const shaded = page.locator('[data-test=paused-span]');
    expect(await shaded.count()).toBe(1);
    expect(Number(await shaded.getAttribute('data-from-ms'))).toBe(span.fromMs);
    expect(Number(await shaded.getAttribute('data-to-ms'))).toBe(span.toMs);
    const wb = (await wave.boundingBox())!;
    const sb = (await shaded.boundingBox())!;
    // The waveform's 1px border: its content box is 2px narrower.
    const inner = wb.width - 2;
    expect(Math.abs(sb.x - (wb.x + 1 + (inner * span.fromMs) / rec.duration_ms))).toBeLessThan(2);
    expect(Math.abs(sb.width - (inner * (span.toMs - span.fromMs)) / rec.duration_ms)).toBeLessThan(2);
    // (Strings run in the page: the test's own types have no DOM.)
    expect(await page.evaluate("getComputedStyle(document.querySelector('[data-test=paused-span]')).backgroundImage")).toContain('gradient');
    // The canvas has ink: the waveform was drawn from the peaks.
    const ink = await page.evaluate(`(() => {
      const c = document.querySelector('[data-test=waveform-canvas]');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    })()`);
    expect(ink).toBeGreaterThan(100);
    // a1001's leg is marked under it.
    await page.locator('[data-test=agent-segment][data-agent=a1001]').waitFor();
    // Not a supervisor: no legal-hold switch.
    expect(await page.locator('[data-test=hold-toggle]').count()).toBe(0);

    // Opened (a view row), not yet played.
    expect(await ledger('view', 'qa1')).toHaveLength(1);
    expect(await ledger('play', 'qa1')).toHaveLength(0);
    await page.click('[data-test=play]');
    await page.locator('[data-test=player][data-playing=true]').waitFor();
    const plays = await eventually(async () => {
      const rows = await ledger('play', 'qa1');
      return rows.length > 0 ? rows : null;
    });
    expect(plays[0]).toMatchObject({ user: 'qa1', via: 'http' });
    expect(plays[0]!.range).toMatch(/^bytes=0-\d+$/);
    await browser.screenshot(page, 'recordings-playing-en-US');

    // Pause, then click the middle of the paused span: the position goes there.
    await page.click('[data-test=pause]');
    await page.locator('[data-test=player][data-playing=false]').waitFor();
    const mid = (span.fromMs + span.toMs) / 2;
    await wave.click({ position: { x: 1 + (inner * mid) / rec.duration_ms, y: wb.height / 2 } });
    // The page's position and the <audio>'s own, both inside the span.
    await page.waitForFunction(`(() => {
      const ms = Number(document.querySelector('[data-test=player]').getAttribute('data-current-ms'));
      const at = document.querySelector('audio').currentTime * 1000;
      return ms > ${span.fromMs} && ms < ${span.toMs} && at > ${span.fromMs} && at < ${span.toMs};
    })()`);
    const cursor = (await page.locator('[data-test=waveform-cursor]').boundingBox())!;
    expect(cursor.x + cursor.width / 2).toBeGreaterThan(sb.x);
    expect(cursor.x + cursor.width / 2).toBeLessThan(sb.x + sb.width);
    await browser.screenshot(page, 'recordings-paused-span-en-US');
    expect(await page.locator('[data-test=recordings-error]').count()).toBe(0);

    // The QA queue's pick of this call: open it from the queue, score it.
    const entry = page.locator(`[data-test=qa-entry][data-entry="${entryId}"]`);
    await entry.waitFor();
    await entry.locator('[data-test=qa-open]').click();
    await page.locator('[data-test=qa-scoring-entry]').waitFor();
    await page.fill('[data-test=qa-item][data-item=greeting]', '80');
    await page.fill('[data-test=qa-item][data-item=solution]', '90');
    // 0.3 × 80 + 0.7 × 90
    expect(await page.locator('[data-test=qa-total]').textContent()).toBe('87.00');
    await page.fill('[data-test=qa-comment-text]', 'Paused for the card number');
    await page.click('[data-test=qa-comment-add]');
    await page.click('[data-test=qa-submit]');
    await page.locator('[data-test=qa-scoring][data-state=scored]').waitFor();
    await browser.screenshot(page, 'recordings-qa-scored-en-US');
    const scores = await world.http('GET', '/api/v1/qa/scores?grader=qa1', { token: admin });
    expect(scores.body.items).toHaveLength(1);
    expect(scores.body.items[0]).toMatchObject({ recordingId: rec.id, agent: 'a1001', grader: 'qa1', queueId: entryId, total: 87 });
    expect(scores.body.items[0].comments).toHaveLength(1);
    expect(scores.body.items[0].comments[0].text).toBe('Paused for the card number');
    // Scored: the entry has left the open queue.
    await page.locator(`[data-test=qa-entry][data-entry="${entryId}"]`).waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  }, 60_000);

  it('a search the server times out, and one it refuses, are told readably', async () => {
    const { page, errors } = await openRecordings('qa1');
    await page.route('**/api/v1/recordings?*', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'SEARCH_TIMEOUT', message: 'the search took over 5000 ms; try again, with narrower filters' } }) }),
    );
    await page.fill('[data-test=search-number]', '139');
    await page.click('[data-test=search-run]');
    const error = page.locator('[data-test=recordings-error][data-code=SEARCH_TIMEOUT]');
    await error.waitFor();
    expect(await error.textContent()).toContain('Narrow it');
    await page.unroute('**/api/v1/recordings?*');

    await page.fill('[data-test=search-number]', '');
    await page.fill('[data-test=search-minDurationS]', '60');
    await page.fill('[data-test=search-maxDurationS]', '5');
    await page.click('[data-test=search-run]');
    const refused = page.locator('[data-test=recordings-error][data-code=BAD_REQUEST]');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('minDurationS is above maxDurationS');
    await browser.screenshot(page, 'recordings-error-en-US');
    expect(errors).toEqual([
      'console: Failed to load resource: the server responded with a status of 503 (Service Unavailable)',
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  }, 30_000);

  it('sup1 places a legal hold on it, asked first; the API has it', async () => {
    const { page, errors } = await openRecordings('sup1');
    await searchByNumber(page, CALLER);
    await page.click(`[data-test=recording-row][data-id="${rec.id}"] [data-test=recording-open]`);
    await page.locator('[data-test=legal-hold][data-hold=false]').waitFor();

    // Cancel: nothing changes.
    await page.click('[data-test=hold-toggle]');
    await page.locator('[data-test=hold-confirm]').waitFor();
    await page.click('[data-test=confirm-cancel]');
    await page.locator('[data-test=hold-confirm]').waitFor({ state: 'detached' });
    expect((await world.http('GET', `/api/v1/recordings/${rec.id}`, { token: admin })).body.legalHold).toBe(false);

    await page.fill('[data-test=hold-reason]', 'complaint 4711');
    await page.click('[data-test=hold-toggle]');
    await browser.screenshot(page, 'recordings-hold-confirm-en-US');
    await page.click('[data-test=confirm-ok]');
    await page.locator('[data-test=legal-hold][data-hold=true]').waitFor();
    await page.locator(`[data-test=recording-row][data-id="${rec.id}"] [data-test=row-hold]`).waitFor();
    expect((await world.http('GET', `/api/v1/recordings/${rec.id}`, { token: admin })).body.legalHold).toBe(true);
    const audit = await world.http('GET', '/api/v1/admin/audit?actor=sup1', { token: admin });
    expect(JSON.stringify(audit.body)).toContain('complaint 4711');
    await browser.screenshot(page, 'recordings-hold-en-US');

    const zh = await zhCN();
    await page.selectOption('[data-test=locale-switch]', 'zh-CN');
    await page.locator('[data-test=legal-hold] .hold-badge', { hasText: zh['recordings.hold.on']! }).waitFor();
    expect(await page.locator('[data-test=play]').textContent()).toBe(zh['recordings.player.play']);
    await browser.screenshot(page, 'recordings-hold-zh-CN');
    expect(errors).toEqual([]);
  }, 30_000);

  it('45 recordings come 20 a page, newest first, each once, through the keyset cursor', async () => {
    const now = Date.now() - 3_600_000;
    const seeded = Array.from({ length: 45 }, (_, i) => ({
      id: `seed-${String(i).padStart(2, '0')}`,
      // The 20th and 21st start at the same instant: a page boundary inside a tie.
      startedAt: now - (i === 20 ? 19 : i) * 60_000,
      caller: `1370000${String(i).padStart(4, '0')}`,
      durationMs: 30_000 + i * 1000,
      agents: [{ agent: 'a1002', extension: '2002', fromMs: 0, toMs: 30_000 }],
    }));
    new RecordingSeeder(world.daemon.storage.sqlite).many(seeded);
    const { page, errors } = await openRecordings('qa1');
    await page.fill('[data-test=search-number]', '1370000');
    await page.click('[data-test=search-run]');
    const rowsOf = async (n: number) => {
      await page.locator(`[data-test=recordings-results][data-page="${n}"][data-busy=false]`).waitFor();
      return page.locator('[data-test=recording-row]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-id')!));
    };
    const first = await rowsOf(0);
    // A stale first page (before the search) would have the call of the first test in it.
    expect(first).not.toContain(rec.id);
    expect(first).toHaveLength(20);
    await page.click('[data-test=page-older]');
    const second = await rowsOf(1);
    expect(second).toHaveLength(20);
    await page.click('[data-test=page-older]');
    const third = await rowsOf(2);
    expect(third).toHaveLength(5);
    expect(await page.locator('[data-test=page-older]').isDisabled()).toBe(true);
    const all = [...first, ...second, ...third];
    expect(new Set(all).size).toBe(45);
    // Newest first: the seeds' start times fall as i rises (20 and 19 tie, in the API's order).
    const order = all.map((id) => seeded.find((r) => r.id === id)!.startedAt);
    expect(order).toEqual([...order].sort((a, b) => b - a));
    await page.click('[data-test=page-newer]');
    expect(await rowsOf(1)).toEqual(second);
    await browser.screenshot(page, 'recordings-paging-en-US');

    // These rows have no file: opened, the page says so instead of drawing for ever.
    await page.click(`[data-test=recording-row][data-id="${second[0]}"] [data-test=recording-open]`);
    await page.locator(`[data-test=player][data-recording-id="${second[0]}"] [data-test=waveform][data-state=failed]`).waitFor();
    expect(await page.locator('[data-test=recordings-error]').textContent()).toBe(en['recordings.error.fileMissing']);
    expect(errors).toEqual(['console: Failed to load resource: the server responded with a status of 404 (Not Found)']);
  }, 30_000);
});
