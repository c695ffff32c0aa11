/**
 * The wallboard's store (console/pages/wallboard-state.js), driven from Node as the page drives
 * it: the snapshot, then the API's events in order. Agents, their calls and durations, queues with
 * today's figures or without, away-too-long alerts, the supervisor's own monitor; and that an
 * event replaces only the row it is about (the page's memoised rows rely on it) without
 * re-sorting the agents.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const mod = (await import(pathToFileURL(join(import.meta.dirname, '..', '..', 'console', 'pages', 'wallboard-state.js')).href)) as any;
const { createWallboardState, applySnapshot, applyEvent, currentCall, setMonitor, alertsList } = mod;

const T0 = Date.parse('2026-12-02T09:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const ev = (event: string, atMs: number, data: object) => ({ event, ts: iso(atMs), data });

function snapshot(): any {
  return {
    agents: [
      { agentId: 'a1002', displayName: 'Agent 1002', state: 'busy', reason: null, since: iso(-30_000), extension: '2002', calls: [{ callId: 'c0', state: 'connected', from: '13800000002', to: '8000', queue: 'sales' }] },
      { agentId: 'a1001', displayName: 'Agent 1001', state: 'ready', reason: null, since: iso(-60_000), extension: '2001', calls: [] },
      { agentId: 'a1003', displayName: 'Agent 1003', state: 'loggedOut', reason: null, since: iso(-90_000), extension: null, calls: [] },
    ],
    queues: [
      { id: 'support', name: 'Support', waiting: 0, longestWaitMs: 0, agentsReady: 0, agentsBusy: 0 },
      { id: 'sales', name: 'Sales', waiting: 2, longestWaitMs: 12_000, agentsReady: 1, agentsBusy: 1 },
    ],
    pbx: 'up',
  };
}

function loaded() {
  const s = createWallboardState();
  applySnapshot(s, snapshot(), T0);
  return s;
}

const call = (agentId: string, callId: string, state: string, extra: object = {}) => ({ callId, agentId, state, direction: 'inbound', from: '13900000001', to: '8000', queue: 'sales', ...extra });

describe('wallboard store', () => {
  it('takes the snapshot: agents sorted by id, their calls, queues, the longest wait as a moment', () => {
    const s = loaded();
    expect(s.order).toEqual(['a1001', 'a1002', 'a1003']);
    expect(s.agents.get('a1001')).toMatchObject({ state: 'ready', since: T0 - 60_000, calls: [], alert: null });
    // The snapshot has no call times: a busy agent's call is as old as the agent's busy state.
    expect(currentCall(s.agents.get('a1002').calls)).toMatchObject({ callId: 'c0', state: 'connected', from: '13800000002', queue: 'sales', since: T0 - 30_000 });
    expect(s.queueOrder).toEqual(['sales', 'support']);
    expect(s.queues.get('sales')).toMatchObject({ waiting: 2, longestSince: T0 - 12_000, agentsReady: 1, agentsBusy: 1, today: null });
    expect(s.queues.get('support').longestSince).toBeNull();
    expect(s.pbx).toBe('up');
    expect(s.loaded).toBe(true);
    expect(Object.fromEntries(s.stateCounts)).toEqual({ ready: 1, busy: 1, loggedOut: 1 });
  });

  it('follows a call from offer to answer to clearing, timing the ringing and then the talking', () => {
    const s = loaded();
    applyEvent(s, ev('agent.state', 1000, { agentId: 'a1001', state: 'reserved', reason: null, since: iso(1000), extension: '2001' }));
    applyEvent(s, ev('call.offered', 1000, call('a1001', 'c1', 'alerting')));
    let a = s.agents.get('a1001');
    expect(a.state).toBe('reserved');
    expect(currentCall(a.calls)).toMatchObject({ callId: 'c1', state: 'alerting', from: '13900000001', queue: 'sales', since: T0 + 1000 });

    applyEvent(s, ev('call.established', 4000, call('a1001', 'c1', 'connected')));
    a = s.agents.get('a1001');
    expect(currentCall(a.calls)).toMatchObject({ state: 'connected', since: T0 + 4000 });
    // Hold and retrieve do not restart the talk time.
    applyEvent(s, ev('call.held', 9000, call('a1001', 'c1', 'hold')));
    applyEvent(s, ev('call.retrieved', 12_000, call('a1001', 'c1', 'connected')));
    expect(currentCall(s.agents.get('a1001').calls)).toMatchObject({ state: 'connected', since: T0 + 4000 });

    applyEvent(s, ev('call.cleared', 20_000, call('a1001', 'c1', 'null', { cause: 'normalClearing' })));
    expect(s.agents.get('a1001').calls).toEqual([]);
  });

  it('changes only the row an event is about, and does not re-sort', () => {
    const s = loaded();
    const before = { order: s.order, a1: s.agents.get('a1001'), a2: s.agents.get('a1002'), a3: s.agents.get('a1003') };
    const v = s.version;
    expect(applyEvent(s, ev('agent.state', 500, { agentId: 'a1002', state: 'workingAfterCall', reason: null, since: iso(500), extension: '2002' }))).toBe(true);
    expect(s.version).toBe(v + 1);
    expect(s.order).toBe(before.order);
    expect(s.agents.get('a1001')).toBe(before.a1);
    expect(s.agents.get('a1003')).toBe(before.a3);
    expect(s.agents.get('a1002')).not.toBe(before.a2);
    // Events the wallboard does not show change nothing.
    expect(applyEvent(s, ev('call.dataChanged', 600, { callId: 'c0', state: 'null', changedBy: 'a1002' }))).toBe(false);
    expect(applyEvent(s, ev('announce', 600, { from: 'sup1', text: 'hi' }))).toBe(false);
    expect(s.version).toBe(v + 1);
  });

  it('keeps a consultation and its merge apart: the merged call replaces the consultation', () => {
    const s = loaded();
    applyEvent(s, ev('call.held', 1000, call('a1002', 'c0', 'hold', { from: '13800000002' })));
    applyEvent(s, ev('call.originated', 1500, call('a1002', 'k1', 'connected', { from: '2002', to: '2005', direction: 'internal', consultOf: 'c0' })));
    let a = s.agents.get('a1002');
    expect(a.calls.map((c: any) => c.callId)).toEqual(['c0', 'k1']);
    expect(currentCall(a.calls).callId).toBe('k1');
    applyEvent(s, ev('call.conferenced', 3000, call('a1002', 'c0', 'connected', { from: '13800000002', replacesCallId: 'k1' })));
    a = s.agents.get('a1002');
    expect(a.calls.map((c: any) => c.callId)).toEqual(['c0']);
  });

  it('shows a supervisor on the call from call.conferenced with monitoredBy', () => {
    const s = loaded();
    applyEvent(s, ev('call.conferenced', 1000, call('a1002', 'c0', 'connected', { monitoredBy: 'sup1', participation: 'barge' })));
    expect(currentCall(s.agents.get('a1002').calls)).toMatchObject({ monitoredBy: 'sup1', participation: 'barge', since: T0 - 30_000 });
  });

  it('a signed-out agent has no calls; an agent the snapshot did not have is inserted in order', () => {
    const s = loaded();
    applyEvent(s, ev('agent.state', 1000, { agentId: 'a1002', state: 'loggedOut', reason: null, since: iso(1000) }));
    expect(s.agents.get('a1002')).toMatchObject({ state: 'loggedOut', calls: [], extension: null });
    applyEvent(s, ev('agent.state', 2000, { agentId: 'a1001b', state: 'notReady', reason: 'signedIn', since: iso(2000), extension: '2011' }));
    expect(s.order).toEqual(['a1001', 'a1001b', 'a1002', 'a1003']);
    // Counted as it goes: a1002 busy → signed out, a1001b new and notReady.
    expect(Object.fromEntries(s.stateCounts)).toEqual({ ready: 1, loggedOut: 2, notReady: 1 });
    expect(s.agents.get('a1001b')).toMatchObject({ displayName: 'a1001b', state: 'notReady', extension: '2011' });
  });

  it('queues: queue.stats replaces the row; today\'s figures when the daemon sends them', () => {
    const s = loaded();
    applyEvent(s, ev('queue.stats', 5000, { id: 'sales', name: 'Sales', waiting: 1, longestWaitMs: 3000, agentsReady: 0, agentsBusy: 2 }));
    expect(s.queues.get('sales')).toMatchObject({ waiting: 1, longestSince: T0 + 2000, agentsReady: 0, agentsBusy: 2, today: null });
    const today = { day: '2026-12-02', offered: 10, answered: 8, answeredWithinSl: 7, abandoned: 2, shortAbandoned: 1, serviceLevel: 0.7, abandonRate: 0.2, slThresholdS: 20, shortAbandonS: 5, formula: 'answeredWithinSl / offered' };
    applyEvent(s, ev('queue.stats', 6000, { id: 'sales', name: 'Sales', waiting: 0, longestWaitMs: 0, agentsReady: 1, agentsBusy: 1, today }));
    expect(s.queues.get('sales')).toMatchObject({ waiting: 0, longestSince: null, today });
    applyEvent(s, ev('queue.stats', 6000, { id: 'vip', name: 'VIP', waiting: 0, longestWaitMs: 0, agentsReady: 0, agentsBusy: 0 }));
    expect(s.queueOrder).toEqual(['sales', 'support', 'vip']);
  });

  it('away too long: alerted once, on the row and in the list, until the agent leaves notReady', () => {
    const s = loaded();
    applyEvent(s, ev('agent.state', 0, { agentId: 'a1001', state: 'notReady', reason: 'break', since: iso(0), extension: '2001' }));
    applyEvent(s, ev('supervisor.alert', 900_000, { kind: 'awayTooLong', agentId: 'a1001', team: 'sales', state: 'notReady', reason: 'break', since: iso(0), thresholdS: 900 }));
    expect(s.agents.get('a1001').alert).toMatchObject({ agentId: 'a1001', thresholdS: 900, since: T0 });
    expect(alertsList(s).map((a: any) => a.agentId)).toEqual(['a1001']);
    // A new reason does not end the stretch away.
    applyEvent(s, ev('agent.state', 901_000, { agentId: 'a1001', state: 'notReady', reason: 'lunch', since: iso(901_000), extension: '2001' }));
    expect(s.agents.get('a1001').alert).not.toBeNull();
    // A reconnect's snapshot keeps it (the daemon alerts once per stretch).
    const snap = snapshot();
    snap.agents[1] = { ...snap.agents[1]!, state: 'notReady', reason: 'lunch', since: iso(0) };
    applySnapshot(s, snap, T0 + 902_000);
    expect(alertsList(s).map((a: any) => a.agentId)).toEqual(['a1001']);
    applyEvent(s, ev('agent.state', 903_000, { agentId: 'a1001', state: 'ready', reason: null, since: iso(903_000), extension: '2001' }));
    expect(s.agents.get('a1001').alert).toBeNull();
    expect(alertsList(s)).toEqual([]);
    // An alert about a stretch already over (its agent.state came first) is stale.
    applyEvent(s, ev('supervisor.alert', 903_001, { kind: 'awayTooLong', agentId: 'a1001', team: 'sales', state: 'notReady', reason: 'lunch', since: iso(0), thresholdS: 900 }));
    expect(alertsList(s)).toEqual([]);
  });

  it('the supervisor\'s monitor ends with the agent\'s call, and is dropped by a snapshot without it', () => {
    const s = loaded();
    setMonitor(s, { callId: 'c0', agentId: 'a1002', mode: 'barge' });
    applyEvent(s, ev('call.cleared', 1000, call('a1002', 'other', 'null')));
    expect(s.monitor).not.toBeNull();
    applyEvent(s, ev('call.cleared', 1000, call('a1002', 'c0', 'null')));
    expect(s.monitor).toBeNull();
    setMonitor(s, { callId: 'gone', agentId: 'a1002', mode: 'silent' });
    applySnapshot(s, snapshot(), T0 + 2000);
    expect(s.monitor).toBeNull();
  });

  it('link.status is the switch link', () => {
    const s = loaded();
    applyEvent(s, ev('link.status', 1, { pbx: 'down' }));
    expect(s.pbx).toBe('down');
  });
});
