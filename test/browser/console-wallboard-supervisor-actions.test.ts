/**
 * The wallboard and the supervisor's actions in a real Chromium, on a real daemon with the
 * simulated switch (issue 9): sup1 signs in to the console; an agent going ready, a call offered,
 * a second call waiting in the queue and the first answered each show within a second of the
 * event (measured from the moment a second supervisor socket got the same event to the DOM);
 * sup1 barges in from the page (confirmed) and the agent is told; switches to whisper; force-
 * releases the agent (confirmed) and the call ends at the agent; both actions are in the audit
 * log; a refusal (the call already over) is said in words; force sign-out and an announcement to
 * a queue reach the agent; an agent away too long is alerted on the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { startWorld, type World } from '../helpers/world.ts';
import { startBrowser, type TestBrowser } from '../helpers/browser.ts';
import type { WsClient } from '../helpers/ws-client.ts';

type Catalogue = Record<string, string>;
const catalogue = async (locale: string): Promise<Catalogue> => ((await import(pathToFileURL(join(import.meta.dirname, '..', '..', 'console', 'i18n', `${locale}.js`)).href)) as { default: Catalogue }).default;

let world: World;
let browser: TestBrowser;
let en: Catalogue;
let zh: Catalogue;
/** An admin socket subscribed like the console: when it has an event, the page has it too. */
let watcher: WsClient;
let adminToken: string;

beforeAll(async () => {
  [world, browser, en, zh] = await Promise.all([startWorld(), startBrowser(), catalogue('en-US'), catalogue('zh-CN')]);
  watcher = await world.login('admin');
  await watcher.call('supervisor.subscribe');
  adminToken = watcher.session.token;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

/**
 * How long after the daemon sent an event the page showed it. `watch` starts both waits before
 * the action: for the event, on the subscribed watcher socket, whose `ts` is when the daemon sent
 * it; and for the DOM, by a MutationObserver in the page that notes the wall-clock time the
 * selector first matched — so neither the action's round trip, nor the test's await order, nor
 * Playwright's polling is counted. The daemon runs in this process: same machine, same clock.
 */
let watches = 0;
async function watch(page: Page, selector: string, event: string, match: (d: any) => boolean) {
  const id = ++watches;
  await page.evaluate(`(() => {
    const sel = ${JSON.stringify(selector)};
    const now = () => performance.timeOrigin + performance.now();
    (window.__wb ??= {})[${id}] = new Promise((resolve) => {
      if (document.querySelector(sel)) return resolve(now());
      const obs = new MutationObserver(() => {
        if (!document.querySelector(sel)) return;
        obs.disconnect();
        resolve(now());
      });
      obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      setTimeout(() => { obs.disconnect(); resolve(null); }, 5000);
    });
  })()`);
  const eventAt = watcher.next(event, match).then((e) => Date.parse(e.ts));
  return {
    async within1s(what: string): Promise<number> {
      const shownAt = (await page.evaluate(`window.__wb[${id}]`)) as number | null;
      expect(shownAt, `${what}: ${selector} never shown`).not.toBeNull();
      const ms = Math.round(shownAt! - (await eventAt));
      console.log(`wallboard: ${what} shown ${ms} ms after the daemon sent the event`);
      expect(ms, what).toBeLessThan(1000);
      await page.locator(selector).first().waitFor();
      return ms;
    },
  };
}

/** sup1 signs in to the console and the wallboard goes live (the first load of the modules may be
 * slow on a busy machine: 15 s for it). */
async function signInSup1() {
  const tp = await browser.newPage();
  await tp.page.goto(`${world.daemon.url}/console/`, { timeout: 15_000 });
  await tp.page.fill('input[name=username]', 'sup1');
  await tp.page.fill('input[name=password]', 'demo-sup1');
  await tp.page.click('button[type=submit]');
  await tp.page.locator('[data-test=wallboard][data-status=live]').waitFor({ timeout: 15_000 });
  return tp;
}

async function openMenu(page: Page, agentId: string, action: string): Promise<void> {
  await page.click(`tr[data-agent=${agentId}] [data-test=agent-actions]`);
  await page.click(`tr[data-agent=${agentId}] [data-test=action-menu] [data-action=${action}]`);
}

async function auditOf(actor: string): Promise<{ action: string; target: string; details: any }[]> {
  const r = await world.http('GET', `/api/v1/admin/audit?actor=${actor}&limit=50`, { token: adminToken });
  expect(r.status).toBe(200);
  return r.body.items;
}

describe('wallboard: live agents, calls and queues; supervisor actions from the page', { timeout: 60_000 }, () => {
  it('shows a ready agent, a call offered, waiting and answered within a second; barges in, switches mode and force-releases from the page, audited', async () => {
    const { page, context, errors } = await signInSup1();
    await page.locator('tr[data-agent=a1001][data-state=loggedOut]').waitFor();
    // Every queue of the centre, none waiting yet.
    expect(await page.locator('[data-test=queues] tr[data-queue]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-queue')))).toEqual(['sales', 'support', 'vip']);
    expect(await page.textContent('tr[data-queue=sales] [data-test=waiting]')).toBe('0');

    // The agent goes ready.
    let seen = await watch(page, 'tr[data-agent=a1001][data-state=ready]', 'agent.state', (d) => d.agentId === 'a1001' && d.state === 'ready');
    const agent = await world.readyAgent('a1001');
    await seen.within1s('a1001 ready');

    // A caller dials the sales pilot: offered to a1001, shown on its row with number and queue.
    seen = await watch(page, 'tr[data-agent=a1001][data-call=alerting]', 'call.offered', (d) => d.agentId === 'a1001');
    await world.dial('13900000111', '8000');
    const offered = await agent.waitFor('call.offered');
    const callId = offered.data.callId as string;
    await seen.within1s('call offered');
    expect(await page.textContent('tr[data-agent=a1001] [data-test=call-number]')).toBe('13900000111');
    expect(await page.textContent('tr[data-agent=a1001] [data-test=call-queue]')).toBe('sales');
    expect(await page.textContent('tr[data-agent=a1001] [data-test=call-state]')).toContain(en['wallboard.callState.alerting']);

    // A second caller finds nobody ready: the queue shows it waiting, and its wait counting.
    seen = await watch(page, 'tr[data-queue=sales][data-waiting="1"]', 'queue.stats', (d) => d.id === 'sales' && d.waiting === 1);
    const sim2 = await world.dial('13900000222', '8000');
    await seen.within1s('second call waiting in sales');
    await expect.poll(() => page.textContent('tr[data-queue=sales] [data-test=longest-wait]'), { timeout: 3000 }).toMatch(/^00:0[1-9]$/);

    // The agent answers over its own socket.
    seen = await watch(page, 'tr[data-agent=a1001][data-call=connected]', 'call.established', (d) => d.agentId === 'a1001' && d.callId === callId);
    await agent.call('call.answer', { callId });
    await seen.within1s('call answered');
    await page.locator('tr[data-agent=a1001][data-call=connected][data-state=busy]').waitFor();
    expect(await page.textContent('tr[data-agent=a1001] [data-test=call-state]')).toContain(en['wallboard.callState.connected']);
    await expect.poll(() => page.textContent('tr[data-agent=a1001] [data-test=call-duration]'), { timeout: 3000 }).toMatch(/^00:0\d$/);
    await browser.screenshot(page, 'wallboard-call-en-US');

    // Barge in (强插) from the page: asked first, then the agent's softphone is told.
    await openMenu(page, 'a1001', 'barge');
    const dialog = page.locator('[data-test=confirm-barge]');
    await dialog.waitFor();
    expect(await dialog.locator('h3').textContent()).toBe(en['sup.confirm.barge.title']!.replace('{agent}', 'Agent 1001 (a1001)'));
    await browser.screenshot(page, 'wallboard-confirm-barge-en-US');
    const told = agent.next('call.conferenced', (d) => d.callId === callId && d.monitoredBy === 'sup1');
    await dialog.locator('[data-test=confirm-ok]').click();
    expect((await told).data).toMatchObject({ agentId: 'a1001', monitoredBy: 'sup1', participation: 'barge' });
    await page.locator('[data-test=monitor][data-mode=barge]').waitFor();
    expect(await dialog.count()).toBe(0);

    // Switch to whisper from the monitor panel (asked too).
    await page.click('[data-test=monitor] .mode-switch button[data-mode=whisper]');
    await page.locator('[data-test=confirm-mode-whisper] [data-test=confirm-ok]').click();
    await page.locator('[data-test=monitor][data-mode=whisper]').waitFor();

    // Leave the call from the panel: the supervisor's phone goes, the agent and the caller stay.
    await page.click('[data-test=monitor-leave]');
    await page.locator('[data-test=monitor]').waitFor({ state: 'detached' });
    const onSwitch = async () => ((await world.simApi('GET', '/sim/calls')).calls as any[]).flatMap((c) => c.connections.map((x: any) => x.deviceId));
    await expect.poll(onSwitch, { timeout: 3000 }).not.toContain('2901');
    expect(await onSwitch()).toEqual(expect.arrayContaining(['2001']));
    // And listen again (silently), for the force-release below to end.
    await openMenu(page, 'a1001', 'silent');
    await page.locator('[data-test=confirm-silent] [data-test=confirm-ok]').click();
    await page.locator('[data-test=monitor][data-mode=silent]').waitFor();

    // The second caller hangs up (abandons): the queue empties.
    await world.simApi('POST', `/sim/calls/${sim2}/hangup`);
    await page.locator('tr[data-queue=sales][data-waiting="0"]').waitFor({ timeout: 3000 });

    // Force-release (强拆) the agent from the row: asked, then the call ends at the agent.
    await openMenu(page, 'a1001', 'releaseAgent');
    await page.locator('[data-test=confirm-releaseAgent]').waitFor();
    const cleared = agent.next('call.cleared', (d) => d.callId === callId);
    await page.click('[data-test=confirm-releaseAgent] [data-test=confirm-ok]');
    await cleared;
    await page.locator('tr[data-agent=a1001][data-call=""]').waitFor({ timeout: 2000 });
    // The monitored call is over: the panel goes with it.
    await page.locator('[data-test=monitor]').waitFor({ state: 'detached', timeout: 2000 });

    // Both actions are in the audit log, as sup1.
    const audit = await auditOf('sup1');
    expect(audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'supervisor.monitor', target: 'a1001', details: expect.objectContaining({ callId, mode: 'barge', from: '2901' }) }),
      expect.objectContaining({ action: 'supervisor.setMode', target: callId, details: { mode: 'whisper' } }),
      expect.objectContaining({ action: 'supervisor.stopMonitor', target: callId, details: { from: '2901' } }),
      expect.objectContaining({ action: 'supervisor.forceRelease', target: 'a1001', details: { scope: 'agent', callId } }),
    ]));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says a refusal in words, signs an agent out, and announces to a queue; the agent gets both', async () => {
    const { page, context, errors } = await signInSup1();

    // A call ends while the supervisor is asked to confirm: the daemon refuses, the dialog says why.
    // In support (pilot 8001): a1001 is ready again in sales since the first test.
    const agent = await world.readyAgent('a1007');
    await page.locator('tr[data-agent=a1007][data-state=ready]').waitFor();
    await world.dial('13900000333', '8001');
    const offered = await agent.waitFor('call.offered', (d) => d.agentId === 'a1007');
    await agent.call('call.answer', { callId: offered.data.callId });
    await page.locator('tr[data-agent=a1007][data-call=connected]').waitFor();
    await openMenu(page, 'a1007', 'releaseAgent');
    await page.locator('[data-test=confirm-releaseAgent]').waitFor();
    await agent.call('call.hangup', { callId: offered.data.callId });
    await page.locator('tr[data-agent=a1007][data-call=""]').waitFor();
    await page.click('[data-test=confirm-releaseAgent] [data-test=confirm-ok]');
    const refusal = page.locator('[data-test=confirm-releaseAgent] [data-test=confirm-error]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(en['sup.error.INVALID_STATE']);
    expect(await refusal.textContent()).toBe(en['sup.error.withDetail']!.replace('{what}', en['sup.error.INVALID_STATE']!).replace('{detail}', 'a1007 is not on a call'));
    await browser.screenshot(page, 'wallboard-refusal-en-US');
    await page.click('[data-test=confirm-releaseAgent] [data-test=confirm-cancel]');

    // Force sign-out.
    await openMenu(page, 'a1007', 'loggedOut');
    const signedOut = agent.next('agent.state', (d) => d.state === 'loggedOut');
    await page.click('[data-test=confirm-loggedOut] [data-test=confirm-ok]');
    await signedOut;
    await page.locator('tr[data-agent=a1007][data-state=loggedOut]').waitFor();

    // An announcement to the agents of the support queue.
    await page.click('[data-test=announce-open]');
    await page.fill('[data-test=announce-form] textarea', 'Team meeting at 3');
    await page.check('[data-test=announce-form] input[name=audience][value=queues]');
    await page.check('[data-test=announce-queues] input[value=support]');
    await page.click('[data-test=announce-send]');
    await page.locator('[data-test=confirm-announce]').waitFor();
    const heard = agent.next('announce');
    await page.click('[data-test=confirm-announce] [data-test=confirm-ok]');
    expect((await heard).data).toMatchObject({ from: 'sup1', text: 'Team meeting at 3' });
    // Support: a1006..a1010 and sup1.
    expect(await page.textContent('[data-test=announce-sent]')).toBe(en['announce.sent']!.replace('{count}', '6'));

    const audit = await auditOf('sup1');
    expect(audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'supervisor.setAgentState', target: 'a1007', details: { state: 'loggedOut', reason: null } }),
      expect.objectContaining({ action: 'announce.send', target: 'support', details: { text: 'Team meeting at 3' } }),
    ]));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('alerts an agent away too long, in a banner and on the row, until the agent is back', async () => {
    const r = await world.http('POST', '/api/v1/admin/teams', { token: adminToken, body: { name: 'sales', awayAlertS: 1 } });
    expect([201, 409]).toContain(r.status);
    if (r.status === 409) expect((await world.http('PATCH', '/api/v1/admin/teams/sales', { token: adminToken, body: { awayAlertS: 1 } })).status).toBe(200);

    const { page, context, errors } = await signInSup1();

    const agent = await world.readyAgent('a1003');
    const alerted = await watch(page, '[data-test=away-alerts] li[data-agent=a1003]', 'supervisor.alert', (d) => d.agentId === 'a1003');
    await agent.call('agent.setState', { state: 'notReady', reason: 'break' });
    await alerted.within1s('away-too-long alert');
    await page.locator('tr[data-agent=a1003].away-alert [data-test=away-badge]').waitFor();
    expect(await page.textContent('[data-test=away-alerts] li[data-agent=a1003]')).toMatch(/^\s*Agent 1003, not ready past 1 s:\s*00:0\d\s*$/);
    await browser.screenshot(page, 'wallboard-away-alert-en-US');
    // In Chinese too: the banner and the badge are labelled from the catalogue.
    await page.selectOption('[data-test=locale-switch]', 'zh-CN');
    await expect.poll(() => page.textContent('tr[data-agent=a1003] [data-test=away-badge]')).toBe(zh['wallboard.alert.badge']);
    expect(await page.textContent('[data-test=away-alerts] strong')).toBe(zh['wallboard.alert.heading']!.replace('{count}', '1'));
    expect(await page.textContent('table.agents th:nth-child(7)')).toBe(zh['wallboard.col.callNumber']);
    expect(await page.textContent('table.queues th:nth-child(9)')).toBe(zh['wallboard.queues.col.serviceLevel']);
    await browser.screenshot(page, 'wallboard-away-alert-zh-CN');
    // A menu opens and closes on Escape.
    await page.click('tr[data-agent=a1003] [data-test=agent-actions]');
    expect(await page.textContent('tr[data-agent=a1003] [data-action=loggedOut]')).toBe(zh['sup.action.loggedOut']);
    await page.keyboard.press('Escape');
    await page.locator('[data-test=action-menu]').waitFor({ state: 'detached' });
    await page.selectOption('[data-test=locale-switch]', 'en-US');

    await agent.call('agent.setState', { state: 'ready' });
    await page.locator('tr[data-agent=a1003][data-state=ready]').waitFor();
    expect(await page.locator('[data-test=away-alerts]').count()).toBe(0);
    expect(await page.locator('tr[data-agent=a1003] [data-test=away-badge]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
