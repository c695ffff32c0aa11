/**
 * Overload (docs/overload.md) on the real daemon with the simulated switch over TCP: a capacity of
 * two calls in routing and no agent ready. Two calls to the queue pilot are admitted and wait;
 * the next two are refused at their RouteRequest — RouteEnd at once, so the switch sends each to
 * the pilot's fallback (here an extension, 2950) — with the cause in the call's routing decision,
 * in GET /metrics and in the log (the first refusal itself, the next in the per-second summary).
 * The admitted calls are routed normally once an agent is ready; once the calls are gone the
 * daemon admits new calls again. Waits are on the switch's and the daemon's state, never sleeps.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { atDevice, routingOf } from '../helpers/acd.ts';
import { parsePrometheus, type Exposition } from '../helpers/prom-text.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

const FALLBACK = '2950';
let w: World;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  w = await startWorld({
    sim: { routingFallbacks: { '8000': FALLBACK } },
    // Only the count of calls in routing may refuse here: the process signals are set out of reach,
    // so a busy test machine cannot decide the outcome.
    config: { overload: { enabled: true, maxCallsInRouting: 2, loopDelayMs: 60_000, loopUtilisation: 1.01, heapUsed: 0.99, storageBacklog: 1, windowMs: 200 } },
    daemonLog: (e) => logs.push(e),
  });
});
afterAll(async () => w?.close());

async function scrape(): Promise<Exposition> {
  const res = await fetch(`${w.daemon.url}/metrics`);
  expect(res.status).toBe(200);
  return parsePrometheus(await res.text());
}

/** The daemon's call id of the caller's call (its row is written when the call arrives). */
const callIdOf = (from: string): Promise<string> => eventually(() => w.daemon.storage.repos.calls.search({ number: from })[0]?.id);

it('refuses the calls beyond capacity to the pilot fallback with their cause, routes the admitted ones, and admits again once load drops', async () => {
  const admitted = [await w.dial('13900000601', '8000')];
  await atDevice(w, admitted[0]!, '8900');
  admitted.push(await w.dial('13900000602', '8000'));
  await atDevice(w, admitted[1]!, '8900');

  const refused = [await w.dial('13900000603', '8000')];
  await atDevice(w, refused[0]!, FALLBACK, 'alerting');
  refused.push(await w.dial('13900000604', '8000'));
  await atDevice(w, refused[1]!, FALLBACK, 'alerting');

  // Each refused call's routing decision names the cause; the admitted ones have none.
  for (const from of ['13900000603', '13900000604']) {
    const decisions = (await eventually(async () => {
      const r = await routingOf(w, await callIdOf(from));
      return r.decisions.length > 0 ? r : null;
    })).decisions;
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ kind: 'shed', queueId: 'sales', agent: null });
    expect(decisions[0].detail).toMatchObject({ kind: 'shed', cause: 'callsInRouting', pilot: '8000', over: ['callsInRouting'] });
  }
  expect((await routingOf(w, await callIdOf('13900000601'))).decisions.filter((d: { kind: string }) => d.kind === 'shed')).toEqual([]);

  // Counted by cause, and the daemon says it is refusing.
  const during = await scrape();
  expect(during.value('switchboard_overload_shed_total', { cause: 'callsInRouting' })).toBe(2);
  expect(during.value('switchboard_overload_shed_total', { cause: 'eventLoop' })).toBe(0);
  expect(during.value('switchboard_overload_refusing')).toBe(1);
  expect(during.value('switchboard_overload_signal_over', { signal: 'callsInRouting' })).toBe(1);

  // Logged: the first refusal with its call id and cause, the second in the summary a second later.
  const firstId = await callIdOf('13900000603');
  const first = logs.find((e) => typeof e.msg === 'string' && e.msg.startsWith('overload: new call refused'));
  expect(first).toMatchObject({ level: 40, callId: firstId, cause: 'callsInRouting', pilot: '8000' });
  const summary = await eventually(() => logs.find((e) => typeof e.msg === 'string' && /more new calls refused/.test(e.msg)), 3000);
  expect(summary).toMatchObject({ level: 40, refused: 1, byCause: { callsInRouting: 1 } });

  // The admitted calls are routed normally: an agent ready takes the first.
  const agent = await w.readyAgent('a1001');
  const offered = await agent.waitFor('call.offered', (d) => d.from === '13900000601');
  await atDevice(w, admitted[0]!, '2001', 'alerting');
  await agent.call('call.answer', { callId: (offered.data as { callId: string }).callId });
  await atDevice(w, admitted[0]!, '2001', 'connected');

  // Load drops: the callers hang up; the daemon admits new calls again.
  for (const sim of [...admitted, ...refused]) await w.simApi('POST', `/sim/calls/${sim}/hangup`);
  await eventually(async () => (await scrape()).value('switchboard_overload_refusing') === 0);
  expect(logs.some((e) => e.msg === 'overload: admitting new calls again')).toBe(true);
  const after = await w.dial('13900000605', '8000');
  await agent.waitFor('call.offered', (d) => d.from === '13900000605');
  await atDevice(w, after, '2001', 'alerting');
  expect((await scrape()).value('switchboard_overload_shed_total', { cause: 'callsInRouting' })).toBe(2);

  // The refused calls' rows: the pilot's queue, the outcome `overload` (not answered by the queue).
  const rows = await eventually(() => {
    const r = w.daemon.storage.repos.calls.search({ number: '13900000603' });
    return r[0]?.endedAt ? r : null;
  });
  expect(rows[0]).toMatchObject({ queueId: 'sales', outcome: 'overload' });
});
