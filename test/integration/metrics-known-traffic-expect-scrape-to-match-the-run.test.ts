/**
 * GET /metrics on the real daemon (port 0, temp database, the simulated switch over each PBX
 * transport), scraped over HTTP and read as Prometheus text, after a run whose figures are known:
 * N calls routed to N ready agents, answered and hung up; then M calls left waiting in the queue
 * with every agent not ready, and abandoned. Every figure is checked against the run. The waits
 * are on events (WebSocket events, or the scrape itself showing the state), never fixed sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '../helpers/transports.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';
import type { WsClient } from '../helpers/ws-client.ts';
import { parsePrometheus, type Exposition } from '../helpers/prom-text.ts';

const N = 3;
const M = 2;
const AGENTS = ['a1001', 'a1002', 'a1003'];
const ROUTING = 'switchboard_routing_request_duration_seconds';

async function scrape(w: World, headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await fetch(`${w.daemon.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheus(await res.text());
}

const byLabel = (e: Exposition, name: string, label: string): Record<string, number> => Object.fromEntries(e.find(name).map((s) => [s.labels[label]!, s.value]));
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** Scrapes until `check` passes (the daemon has caught up with the switch), then returns it. */
async function scrapeUntil(w: World, check: (e: Exposition) => boolean): Promise<Exposition> {
  let last: Exposition | null = null;
  try {
    return await eventually(async () => {
      last = await scrape(w);
      return check(last) ? last : null;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; calls ${JSON.stringify(last && byLabel(last, 'switchboard_calls', 'state'))}, agents ${JSON.stringify(last && byLabel(last, 'switchboard_agents', 'state'))}`);
  }
}

describe.each(TRANSPORTS)('GET /metrics after a known run, over %s', (transport) => {
  let w: World;
  let agents: WsClient[] = [];
  let baseline: Exposition;
  let directoryAgents = 0;
  beforeAll(async () => {
    w = await startWorld({ transport });
    baseline = await scrape(w);
    directoryAgents = sum(byLabel(baseline, 'switchboard_agents', 'state'));
  });
  afterAll(async () => w?.close());

  it('starts from zero with the link up', () => {
    const wire = transport === 'annex-g' ? 'annex-g' : transport;
    expect(baseline.value('switchboard_csta_link_up', { transport: wire })).toBe(1);
    expect(baseline.value('switchboard_csta_link_reconnects_total')).toBe(0);
    expect(sum(byLabel(baseline, 'switchboard_routing_decisions_total', 'kind'))).toBe(0);
    for (const s of baseline.find(`${ROUTING}_count`)) expect(s.value).toBe(0);
    expect(sum(byLabel(baseline, 'switchboard_calls', 'state'))).toBe(0);
    expect(directoryAgents).toBeGreaterThanOrEqual(10); // the demo centre's agents, all logged out
    expect(baseline.value('switchboard_agents', { state: 'loggedOut' })).toBe(directoryAgents);
    expect(baseline.value('switchboard_ws_sessions', { state: 'connected' })).toBe(0);
    expect(baseline.value('switchboard_queue_calls_waiting', { queue: 'sales' })).toBe(0);
    // the link's set-up (session, monitors, snapshot) went through the request meter
    expect(baseline.histogram('switchboard_csta_request_duration_seconds', { request: 'StartApplicationSession' }).count).toBe(1);
    expect(baseline.histogram('switchboard_csta_request_duration_seconds', { request: 'MonitorStart' }).count).toBeGreaterThan(0);
  });

  it(`routes ${N} calls to ${N} ready agents: decisions, route timings, calls and agents by state, WebSocket sessions`, async () => {
    agents = await Promise.all(AGENTS.map((a) => w.readyAgent(a)));
    await w.login('sup1'); // a session that is not an agent's
    const ready = await scrape(w);
    expect(ready.value('switchboard_agents', { state: 'ready' })).toBe(N);
    expect(ready.value('switchboard_agents', { state: 'loggedOut' })).toBe(directoryAgents - N);
    expect(ready.value('switchboard_ws_sessions', { state: 'connected' })).toBe(N + 1);
    expect(ready.value('switchboard_queue_agents_ready', { queue: 'sales' })).toBe(N);

    const simCalls: string[] = [];
    for (let i = 0; i < N; i++) simCalls.push(await w.dial(`1390000000${i}`, '8000'));
    const offers = await Promise.all(agents.map((a) => a.waitFor('call.offered')));
    expect(new Set(offers.map((o) => o.data.from)).size).toBe(N);
    const ringing = await scrapeUntil(w, (e) => e.value('switchboard_calls', { state: 'ringing' }) === N);
    expect(ringing.value('switchboard_agents', { state: 'reserved' })).toBe(N);

    await Promise.all(agents.map((a, i) => a.call('call.answer', { callId: offers[i]!.data.callId })));
    await Promise.all(agents.map((a, i) => a.waitFor('call.established', (d) => d.callId === offers[i]!.data.callId && d.state === 'connected')));
    const talking = await scrapeUntil(w, (e) => e.value('switchboard_calls', { state: 'connected' }) === N && e.value('switchboard_agents', { state: 'busy' }) === N);
    expect(sum(byLabel(talking, 'switchboard_calls', 'state'))).toBe(N);

    for (const id of simCalls) await w.simApi('POST', `/sim/calls/${id}/hangup`);
    await Promise.all(agents.map((a, i) => a.waitFor('call.cleared', (d) => d.callId === offers[i]!.data.callId)));
    const after = await scrapeUntil(w, (e) => sum(byLabel(e, 'switchboard_calls', 'state')) === 0 && e.value('switchboard_agents', { state: 'ready' }) === N);

    expect(after.value('switchboard_routing_decisions_total', { kind: 'assign' })).toBe(N);
    expect(sum(byLabel(after, 'switchboard_routing_decisions_total', 'kind'))).toBe(N);
    const routed = after.histogram(ROUTING, { outcome: 'agent' });
    expect(routed.count).toBe(N);
    expect(routed.sum).toBeGreaterThan(0);
    expect(routed.sum).toBeLessThan(N * 0.25); // under the last bucket each, as a route decision should be
    expect(sum(Object.fromEntries(after.find(`${ROUTING}_count`).map((s) => [s.labels.outcome!, s.value])))).toBe(N);
    // each answer was one AnswerCall request and its answer
    expect(after.histogram('switchboard_csta_request_duration_seconds', { request: 'AnswerCall' }).count).toBe(N);
    expect(after.find('switchboard_csta_request_timeouts_total')).toEqual([]);
    // history rows went to SQLite directly, none kept back
    expect(after.histogram('switchboard_db_write_duration_seconds', { kind: 'decision', path: 'direct' }).count).toBe(N);
    expect(after.histogram('switchboard_db_write_duration_seconds', { kind: 'call', path: 'direct' }).count).toBeGreaterThanOrEqual(N);
    expect(after.find('switchboard_db_write_duration_seconds_count', { path: 'retry' })).toEqual([]);
    expect(after.value('switchboard_db_write_backlog')).toBe(0);
    expect(after.value('switchboard_db_writes_degraded')).toBe(0);
    expect(after.value('switchboard_ws_sessions', { state: 'connected' })).toBe(N + 1);
    expect(after.value('switchboard_ws_buffered_bytes', { kind: 'resume' })).toBeGreaterThan(0);
  });

  it(`counts ${M} calls waiting in the queue and their longest wait while every agent is not ready, and none once they hang up`, async () => {
    await Promise.all(agents.map((a) => a.call('agent.setState', { state: 'notReady' })));
    await Promise.all(agents.map((a) => a.waitFor('agent.state', (d) => d.state === 'notReady')));
    const simCalls: string[] = [];
    for (let i = 0; i < M; i++) simCalls.push(await w.dial(`1391000000${i}`, '8000'));
    const waiting = await scrapeUntil(w, (e) => e.value('switchboard_queue_calls_waiting', { queue: 'sales' }) === M && e.value('switchboard_calls', { state: 'queued' }) === M);
    expect(waiting.value('switchboard_queue_longest_wait_seconds', { queue: 'sales' })).toBeGreaterThan(0);
    expect(waiting.value('switchboard_queue_agents_ready', { queue: 'sales' })).toBe(0);
    expect(waiting.value('switchboard_agents', { state: 'notReady' })).toBe(N);
    expect(waiting.histogram(ROUTING, { outcome: 'queue' }).count).toBe(M);
    expect(waiting.histogram(ROUTING, { outcome: 'agent' }).count).toBe(N);
    expect(waiting.value('switchboard_routing_decisions_total', { kind: 'assign' })).toBe(N); // nobody to assign to

    for (const id of simCalls) await w.simApi('POST', `/sim/calls/${id}/hangup`);
    const gone = await scrapeUntil(w, (e) => e.value('switchboard_queue_calls_waiting', { queue: 'sales' }) === 0 && sum(byLabel(e, 'switchboard_calls', 'state')) === 0);
    expect(gone.value('switchboard_queue_longest_wait_seconds', { queue: 'sales' })).toBe(0);
  });

  it('carries the process metrics: event-loop delay, GC, heap and RSS', async () => {
    const e = await scrape(w);
    expect(e.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    // percentiles since the previous scrape (prom-client resets them): there, not necessarily > 0
    expect(e.find('nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
    expect(e.value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(e.types.get('nodejs_gc_duration_seconds')).toBe('histogram');
    expect(e.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(e.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });
});

describe('GET /metrics with METRICS_TOKEN set, over real HTTP', () => {
  const token = 'it-metrics-token-0123456789abcdef';
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ config: { metricsToken: token } });
  });
  afterAll(async () => w?.close());

  it('refuses a loopback client without it (401) and serves it with the bearer', async () => {
    const refused = await fetch(`${w.daemon.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    const e = await scrape(w, { authorization: `Bearer ${token}` });
    expect(e.value('switchboard_csta_link_up', { transport: 'annex-g' })).toBe(1);
  });
});
