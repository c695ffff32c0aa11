/**
 * IVR journeys beyond the menu: a caller sent into a flow by the ACD's maximum-wait fallback, the
 * business hours closed by an admin, a flow file changed while a call is in it (the call finishes
 * on the version it entered with), and the statistics of what callers did.
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, adminToken } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';
import { heard, IVR_SPEED, press, waitAt, waitGone, waitHeard, waitRecording } from '../helpers/ivr.ts';

let w: World;
let flowsDir: string;
let token: string;

beforeAll(async () => {
  // A copy of the demo flows that this test may edit.
  flowsDir = mkdtempSync(join(tmpdir(), 'switchboard-flows-'));
  for (const f of readdirSync('flows')) if (f.endsWith('.yaml')) copyFileSync(join('flows', f), join(flowsDir, f));
  w = await startWorld({
    sim: { voiceTimeScale: IVR_SPEED },
    config: { ivr: Object.freeze({ flowsDir, ports: Array.from({ length: 30 }, (_, i) => String(8100 + i)), promptsDir: null, timeZone: 'Asia/Shanghai', timeScale: IVR_SPEED, watch: false }) },
  });
  token = await adminToken(w);
}, 60_000);
afterAll(async () => w?.close());

const REGULAR = '13800000002';

describe('IVR journeys', () => {
  it('a caller who waits past the maximum wait of a queue whose fallback is ivr:main enters the flow', async () => {
    await admin(w, '/queues/sales', { maxWaitS: 1, overflowTarget: 'ivr:main' });
    try {
      const id = await w.dial('13900000777', '8000');
      await waitAt(w, id, '8900');
      await waitHeard(w, id, '欢迎致电', 1, 8000);
      const at = (await w.simApi('GET', `/sim/calls/${id}`)).connections.map((c: { deviceId: string }) => c.deviceId);
      expect(at.some((d: string) => /^81[0-2][0-9]$/.test(d))).toBe(true);
      await w.simApi('POST', `/sim/calls/${id}/hangup`);
    } finally {
      await admin(w, '/queues/sales', { maxWaitS: null, overflowTarget: null });
    }
  });

  it('out of hours: the hours are said; 1 leaves a voicemail, another key or none ends the call', async () => {
    const closed = { timeZone: 'Asia/Shanghai', weekly: {}, holidays: [] };
    const put = await w.http('PUT', '/api/v1/ivr/schedules/main', { token, body: closed });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    try {
      const a = await w.dial(REGULAR, '8002');
      await waitHeard(w, a, 'For English');
      await press(w, a, '1');
      await waitHeard(w, a, '现在是非工作时间');
      await waitGone(w, a);
      expect((await heard(w, a)).map((i) => i.kind)).not.toContain('tone');

      const b = await w.dial(REGULAR, '8002');
      await waitHeard(w, b, 'For English');
      await press(w, b, '1');
      await waitHeard(w, b, '现在是非工作时间');
      await press(w, b, '1');
      await eventually(async () => (await heard(w, b)).some((i) => i.kind === 'tone'));
      // The stop key counts once the switch records (after the beep), as on a real voice unit.
      await waitRecording(w, b);
      await press(w, b, '#');
      const pressedAt = Date.now();
      await waitGone(w, b);
      // Ended by the key, not by the 120 s limit (6 s at this speed).
      expect(Date.now() - pressedAt).toBeLessThan(5000);
      const list = await w.http('GET', '/api/v1/voicemail?mailbox=8120', { token });
      expect(list.status).toBe(200);
      expect(list.body.items.some((v: { caller: string }) => v.caller === REGULAR)).toBe(true);
    } finally {
      await w.http('PUT', '/api/v1/ivr/schedules/main', { token, body: { timeZone: 'Asia/Shanghai', weekly: {}, holidays: [], alwaysOpen: true } });
    }
  });

  it('a flow reloaded while a call is in it: the call keeps its version, new calls get the new one; a broken file keeps the last good version', async () => {
    const before = await w.http('GET', '/api/v1/ivr/flows', { token });
    expect(before.status).toBe(200);
    const v1 = before.body.items.find((f: { id: string }) => f.id === 'main').version as number;

    const old = await w.dial(REGULAR, '8002');
    await waitHeard(w, old, 'For English');
    await press(w, old, '2');
    await waitHeard(w, old, 'For sales, press one');

    const file = join(flowsDir, 'main.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('For sales, press one.', 'For new sales, press one.'));
    const reloaded = await w.http('POST', '/api/v1/ivr/flows/reload', { token, body: {} });
    expect(reloaded.status, JSON.stringify(reloaded.body)).toBe(200);
    expect(reloaded.body.changed).toEqual(['main']);
    expect(reloaded.body.items.find((f: { id: string }) => f.id === 'main').version).toBe(v1 + 1);

    // The call already in the flow hears the old menu again (0), the new call the new one.
    await press(w, old, '0');
    await waitHeard(w, old, 'For sales, press one', 2);
    expect((await heard(w, old)).some((i) => i.text?.includes('For new sales'))).toBe(false);
    const fresh = await w.dial(REGULAR, '8002');
    await waitHeard(w, fresh, 'For English');
    await press(w, fresh, '2');
    await waitHeard(w, fresh, 'For new sales, press one');

    writeFileSync(file, original.replace('start: greeting', 'start: nowhere'));
    const broken = await w.http('POST', '/api/v1/ivr/flows/reload', { token, body: {} });
    expect(broken.body.refused).toEqual(['main']);
    const entry = broken.body.items.find((f: { id: string }) => f.id === 'main');
    expect(entry).toMatchObject({ status: 'error', version: v1 + 1 });
    expect(entry.problems.map((p: { code: string }) => p.code)).toContain('START_MISSING');
    const third = await w.dial(REGULAR, '8002');
    await waitHeard(w, third, 'For English');
    for (const id of [old, fresh, third]) await w.simApi('POST', `/sim/calls/${id}/hangup`);
    writeFileSync(file, original);
    await w.http('POST', '/api/v1/ivr/flows/reload', { token, body: {} });
  });

  it('a queue node with skills of its own: the ACD offers the call only to agents with those skills (a business service of the flow)', async () => {
    writeFileSync(
      join(flowsDir, 'skills.yaml'),
      [
        'id: skills',
        'languages: [en-US]',
        'start: hello',
        'prompts:',
        '  hello: { en-US: Connecting you to an expert. }',
        'nodes:',
        '  hello: { type: play, prompt: hello, next: experts }',
        '  experts:',
        '    type: queue',
        '    queue: sales',
        '    skills: [{ skill: sales, minLevel: 2 }]',
        '',
      ].join('\n'),
    );
    const reloaded = await w.http('POST', '/api/v1/ivr/flows/reload', { token, body: {} });
    expect(reloaded.body.changed).toContain('skills');
    await admin(w, '/pilots', { number: '8005', kind: 'ivr', ivrFlow: 'skills', description: 'experts' }, 'POST');
    // a1004 (sales level 4) has waited longest; only a1002 (level 2) has the skill the flow asks
    // (without the node's skills, a1004 gets the call: checked by hand when this was written).
    const a4 = await w.readyAgent('a1004');
    const a2 = await w.readyAgent('a1002');
    const id = await w.dial('13900000555', '8005');
    const offered = await a2.waitFor('call.offered', () => true, 10_000);
    expect(a4.events.some((e) => e.event === 'call.offered')).toBe(false);
    const decisions = (await w.http('GET', `/api/v1/calls/${offered.data.callId}/routing`, { token })).body.decisions;
    expect(decisions.at(-1)).toMatchObject({ queueId: 'sales', agent: 'a1002' });
    await w.simApi('POST', `/sim/calls/${id}/hangup`);
    for (const a of [a2, a4]) await a.call('agent.signOut', {});
  });

  it('statistics: entries, exits by outcome, keys, timeouts and invalid input per flow and node', async () => {
    const id = await w.dial('13900000888', '8002');
    await waitHeard(w, id, 'For English');
    await press(w, id, '2');
    await waitHeard(w, id, 'For sales, press one');
    await press(w, id, '7');
    await waitHeard(w, id, 'For sales, press one', 2);
    await press(w, id, '1');
    await waitAt(w, id, '8900');
    await w.simApi('POST', `/sim/calls/${id}/hangup`);
    const stats = await eventually(async () => {
      const r = await w.http('GET', '/api/v1/ivr/stats?flow=main&interval=1d', { token });
      const main = r.body.flows?.find((f: { flow: string }) => f.flow === 'main');
      return main && main.totals.exits.queue >= 1 ? main : null;
    });
    expect(stats.totals.entries).toBeGreaterThanOrEqual(1);
    const menu = stats.totals.nodes.find((n: { node: string }) => n.node === 'mainMenu');
    expect(menu.invalid).toBeGreaterThanOrEqual(1);
    expect(menu.keys).toBeGreaterThanOrEqual(2);
    const forbidden = await w.http('GET', '/api/v1/ivr/flows');
    expect(forbidden.status).toBe(401);
  });
});
