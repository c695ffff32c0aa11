/**
 * The metric collectors (src/metrics) fed by hand: what is observed on the hot paths comes out in
 * the exposition with the right name, type, labels and value, and what is read at scrape time
 * follows its source from one scrape to the next.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newCall, type TrackedCall } from '../../src/core/calls/call.ts';
import type { DeviceKind } from '../../src/core/calls/call.ts';
import type { LocalConnectionState, PbxEvent } from '../../src/core/pbx-port.ts';
import { callStateOf } from '../../src/metrics/calls-agents.ts';
import { DaemonMetrics } from '../../src/metrics/index.ts';
import type { WriteQueueStatus } from '../../src/storage/write-queue.ts';
import { parsePrometheus, type Exposition } from '../helpers/prom-text.ts';

const built: DaemonMetrics[] = [];
afterEach(() => {
  for (const m of built.splice(0)) m.close();
});

function metrics(transport = 'annex-g'): DaemonMetrics {
  const m = new DaemonMetrics({ defaultMetrics: false, transport });
  built.push(m);
  return m;
}

const scrape = async (m: DaemonMetrics): Promise<Exposition> => parsePrometheus(await m.scrape());

function call(id: string, conns: [string, LocalConnectionState][], patch: Partial<TrackedCall> = {}): TrackedCall {
  const c = newCall(id, `pbx-${id}`, 0);
  for (const [deviceId, state] of conns) c.connections.set(deviceId, { deviceId, state, since: 0 });
  return Object.assign(c, patch);
}

const kinds: Record<string, DeviceKind> = { '2001': 'agentPhone', '2002': 'agentPhone', '8100': 'ivr', '7000': 'queue', '13800000001': 'external' };
const kindOf = (d: string): DeviceKind => kinds[d] ?? 'other';

describe('routing', () => {
  it('times route requests by outcome and counts decisions by kind; every series is there from the start', async () => {
    const m = metrics();
    let e = await scrape(m);
    expect(e.types.get('switchboard_routing_request_duration_seconds')).toBe('histogram');
    expect(e.types.get('switchboard_routing_decisions_total')).toBe('counter');
    for (const outcome of ['agent', 'queue', 'elsewhere', 'noQueue']) expect(e.histogram('switchboard_routing_request_duration_seconds', { outcome }).count).toBe(0);
    for (const kind of ['assign', 'moved', 'fallback', 'unroutable']) expect(e.value('switchboard_routing_decisions_total', { kind })).toBe(0);

    m.routing.routeRequest('agent', 0.2); // 0.2 ms
    m.routing.routeRequest('agent', 3); // 3 ms
    m.routing.routeRequest('queue', 0.04);
    m.routing.decision('assign');
    m.routing.decision('assign');
    m.routing.decision('moved');
    e = await scrape(m);
    const agent = e.histogram('switchboard_routing_request_duration_seconds', { outcome: 'agent' });
    expect(agent.count).toBe(2);
    expect(agent.sum).toBeCloseTo(0.0032, 9);
    expect(agent.buckets.find((b) => b.le === 0.00025)!.count).toBe(1);
    expect(agent.buckets.find((b) => b.le === 0.0025)!.count).toBe(1);
    expect(agent.buckets.find((b) => b.le === 0.005)!.count).toBe(2);
    expect(e.histogram('switchboard_routing_request_duration_seconds', { outcome: 'queue' }).count).toBe(1);
    expect(e.value('switchboard_routing_decisions_total', { kind: 'assign' })).toBe(2);
    expect(e.value('switchboard_routing_decisions_total', { kind: 'moved' })).toBe(1);
    expect(e.value('switchboard_routing_decisions_total', { kind: 'fallback' })).toBe(0);
  });

  it('reads each queue at scrape time: waiting calls, longest wait, ready agents; a queue removed disappears', async () => {
    const m = metrics();
    let e = await scrape(m);
    expect(e.find('switchboard_queue_calls_waiting')).toEqual([]); // nothing to read from yet
    const waiting: Record<string, { queuedAt: number }[]> = { sales: [{ queuedAt: 95_000 }, { queuedAt: 70_000 }, { queuedAt: 90_000 }], support: [] };
    let now = 100_000;
    m.routing.watchQueues({ queueIds: () => Object.keys(waiting), waiting: (q) => waiting[q] ?? [], readyAgents: (q) => (q === 'support' ? 2 : 0), now: () => now });
    e = await scrape(m);
    expect(e.types.get('switchboard_queue_calls_waiting')).toBe('gauge');
    expect(e.value('switchboard_queue_calls_waiting', { queue: 'sales' })).toBe(3);
    expect(e.value('switchboard_queue_longest_wait_seconds', { queue: 'sales' })).toBe(30); // the oldest, not the head
    expect(e.value('switchboard_queue_calls_waiting', { queue: 'support' })).toBe(0);
    expect(e.value('switchboard_queue_longest_wait_seconds', { queue: 'support' })).toBe(0);
    expect(e.value('switchboard_queue_agents_ready', { queue: 'support' })).toBe(2);

    now = 101_500;
    waiting.sales!.splice(1, 1);
    delete waiting.support;
    e = await scrape(m);
    expect(e.value('switchboard_queue_calls_waiting', { queue: 'sales' })).toBe(2);
    expect(e.value('switchboard_queue_longest_wait_seconds', { queue: 'sales' })).toBe(11.5);
    expect(e.find('switchboard_queue_calls_waiting', { queue: 'support' })).toEqual([]);
    expect(e.find('switchboard_queue_agents_ready', { queue: 'support' })).toEqual([]);
  });
});

describe('calls and agents by state', () => {
  it('gives a call one state from its connections', () => {
    expect(callStateOf(call('a', [['13800000001', 'connected']]), kindOf)).toBe('setup');
    expect(callStateOf(call('b', [['13800000001', 'connected'], ['8100', 'connected']]), kindOf)).toBe('ivr');
    expect(callStateOf(call('c', [['13800000001', 'connected'], ['7000', 'queued']]), kindOf)).toBe('queued');
    expect(callStateOf(call('d', [['13800000001', 'connected'], ['2001', 'alerting']]), kindOf)).toBe('ringing');
    expect(callStateOf(call('e', [['13800000001', 'connected'], ['2001', 'connected']], { answeredAt: 5 }), kindOf)).toBe('connected');
    expect(callStateOf(call('f', [['13800000001', 'connected'], ['2001', 'hold']], { answeredAt: 5, heldSince: 6 }), kindOf)).toBe('held');
    // answered once, then sent to a queue again (a blind transfer to a pilot): it waits
    expect(callStateOf(call('g', [['13800000001', 'connected'], ['7000', 'queued']], { answeredAt: 5 }), kindOf)).toBe('queued');
    // a consultation ringing while the first leg is held counts as held
    expect(callStateOf(call('h', [['2001', 'hold'], ['2002', 'alerting']], { answeredAt: 5 }), kindOf)).toBe('held');
  });

  it('counts the calls in progress and the agents by state at every scrape, zeros included', async () => {
    const m = metrics();
    const calls = [call('a', [['7000', 'queued']]), call('b', [['2001', 'alerting']]), call('c', [['2002', 'connected']], { answeredAt: 1 }), call('d', [['7000', 'queued']])];
    const states = ['ready', 'busy', 'busy', 'loggedOut', 'reserved'] as const;
    m.callsAgents.watch({ calls: { calls: () => calls, deviceKind: kindOf }, agents: { states: () => states } });
    let e = await scrape(m);
    expect(e.types.get('switchboard_calls')).toBe('gauge');
    expect(Object.fromEntries(e.find('switchboard_calls').map((s) => [s.labels.state, s.value]))).toEqual({ setup: 0, ivr: 0, queued: 2, ringing: 1, connected: 1, held: 0 });
    expect(Object.fromEntries(e.find('switchboard_agents').map((s) => [s.labels.state, s.value]))).toEqual({ loggedOut: 1, notReady: 0, ready: 1, reserved: 1, busy: 2, workingAfterCall: 0 });
    calls.length = 0;
    e = await scrape(m);
    for (const s of e.find('switchboard_calls')) expect(s.value).toBe(0);
  });
});

describe('WebSocket gateway', () => {
  it('counts connected and detached sessions and the bytes held, and turns the budget totals into counters', async () => {
    const m = metrics();
    const OPEN = 1;
    const sessions = [
      { socket: { readyState: OPEN, OPEN, bufferedAmount: 1000 }, bufferedBytes: 10 },
      { socket: { readyState: OPEN, OPEN, bufferedAmount: 0 }, bufferedBytes: 20 },
      { socket: { readyState: 2, OPEN, bufferedAmount: 5000 }, bufferedBytes: 30 }, // closing: its unsent bytes go with it
      { socket: null, bufferedBytes: 40 },
    ];
    const memory = { budgetBytes: 256 * 1024 * 1024, cut: 2, shedBytes: 700 };
    m.gateway.watch({ sessions: () => sessions, memory: () => memory });
    let e = await scrape(m);
    expect(e.value('switchboard_ws_sessions', { state: 'connected' })).toBe(2);
    expect(e.value('switchboard_ws_sessions', { state: 'detached' })).toBe(2);
    expect(e.value('switchboard_ws_buffered_bytes', { kind: 'unsent' })).toBe(1000);
    expect(e.value('switchboard_ws_buffered_bytes', { kind: 'resume' })).toBe(100);
    expect(e.value('switchboard_ws_buffer_budget_bytes')).toBe(268_435_456);
    expect(e.types.get('switchboard_ws_slow_clients_cut_total')).toBe('counter');
    expect(e.value('switchboard_ws_slow_clients_cut_total')).toBe(2);
    expect(e.value('switchboard_ws_resume_shed_bytes_total')).toBe(700);
    memory.cut = 5;
    e = await scrape(m);
    expect(e.value('switchboard_ws_slow_clients_cut_total')).toBe(5);
    expect(e.value('switchboard_ws_resume_shed_bytes_total')).toBe(700); // not counted twice
  });
});

describe('CSTA link', () => {
  function fakeLink() {
    const listeners = new Set<(e: PbxEvent) => void>();
    return {
      linkUp: false,
      onEvent(l: (e: PbxEvent) => void) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      emit(e: PbxEvent) {
        for (const l of listeners) l(e);
      },
      listeners,
    };
  }

  it('follows the link: up gauge with its transport, downs and reconnects (not the first connect) counted', async () => {
    const m = metrics('sip-csta-tcp');
    const link = fakeLink();
    m.csta.watchLink(link);
    let e = await scrape(m);
    expect(e.value('switchboard_csta_link_up', { transport: 'sip-csta-tcp' })).toBe(0);
    link.linkUp = true;
    link.emit({ kind: 'linkUp', reconnect: false, snapshot: [], unsnapshotted: [] });
    e = await scrape(m);
    expect(e.value('switchboard_csta_link_up', { transport: 'sip-csta-tcp' })).toBe(1);
    expect(e.value('switchboard_csta_link_reconnects_total')).toBe(0);
    link.linkUp = false;
    link.emit({ kind: 'linkDown', reason: 'test' });
    link.linkUp = true;
    link.emit({ kind: 'linkUp', reconnect: true, snapshot: [], unsnapshotted: [] });
    e = await scrape(m);
    expect(e.value('switchboard_csta_link_downs_total')).toBe(1);
    expect(e.value('switchboard_csta_link_reconnects_total')).toBe(1);
    m.close();
    expect(link.listeners.size).toBe(0);
  });

  it('observes request round trips and counts timeouts by request type', async () => {
    const m = metrics();
    m.csta.answered('MakeCall', 2);
    m.csta.answered('MakeCall', 40);
    m.csta.answered('SnapshotDevice', 1);
    m.csta.timedOut('MakeCall');
    const e = await scrape(m);
    const make = e.histogram('switchboard_csta_request_duration_seconds', { request: 'MakeCall' });
    expect(make.count).toBe(2);
    expect(make.sum).toBeCloseTo(0.042, 9);
    expect(make.buckets.find((b) => b.le === 0.0025)!.count).toBe(1);
    expect(e.histogram('switchboard_csta_request_duration_seconds', { request: 'SnapshotDevice' }).count).toBe(1);
    expect(e.value('switchboard_csta_request_timeouts_total', { request: 'MakeCall' })).toBe(1);
  });
});

describe('storage', () => {
  it('times writes by kind and path and reads the write queue at scrape time', async () => {
    const m = metrics();
    m.storage.written('call', false, 0.08);
    m.storage.written('call', false, 0.3);
    m.storage.written('decision', true, 0.02);
    const status: WriteQueueStatus = { state: 'ok', backlog: 0, since: null, lastError: null, failedRetries: 0, merged: 0, shed: {}, rejected: 0 };
    m.storage.watch(() => status);
    let e = await scrape(m);
    expect(e.histogram('switchboard_db_write_duration_seconds', { kind: 'call', path: 'direct' }).count).toBe(2);
    expect(e.histogram('switchboard_db_write_duration_seconds', { kind: 'decision', path: 'retry' }).count).toBe(1);
    expect(e.find('switchboard_db_write_duration_seconds_count', { kind: 'decision', path: 'direct' })).toEqual([]);
    expect(e.value('switchboard_db_write_backlog')).toBe(0);
    expect(e.value('switchboard_db_writes_degraded')).toBe(0);
    Object.assign(status, { state: 'degraded', backlog: 1234, shed: { decision: 3, stateLog: 1 }, rejected: 1 });
    e = await scrape(m);
    expect(e.value('switchboard_db_write_backlog')).toBe(1234);
    expect(e.value('switchboard_db_writes_degraded')).toBe(1);
    expect(e.value('switchboard_db_writes_dropped_total', { reason: 'shed' })).toBe(4);
    expect(e.value('switchboard_db_writes_dropped_total', { reason: 'rejected' })).toBe(1);
  });
});

describe('registries', () => {
  it('each daemon has its own: two in one process neither collide nor see each other', async () => {
    const a = metrics();
    const b = metrics();
    a.routing.decision('assign');
    expect((await scrape(a)).value('switchboard_routing_decisions_total', { kind: 'assign' })).toBe(1);
    expect((await scrape(b)).value('switchboard_routing_decisions_total', { kind: 'assign' })).toBe(0);
  });

  it('carries the process metrics when asked: event-loop delay, GC, heap, RSS', async () => {
    const m = new DaemonMetrics({ defaultMetrics: true, transport: 'annex-g' });
    built.push(m);
    const e = await scrape(m);
    expect(e.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(e.types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
    expect(e.types.get('nodejs_gc_duration_seconds')).toBe('histogram');
    expect(e.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(e.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    // every family is named and typed, and every sample belongs to a declared family
    for (const s of e.samples) expect(e.types.has(s.name.replace(/_(bucket|sum|count)$/, '')) || e.types.has(s.name)).toBe(true);
  });
});
