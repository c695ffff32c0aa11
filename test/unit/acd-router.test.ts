/**
 * The ACD router's rules (docs/acd.md), one example at a time: small hand-built configurations,
 * explicit times, exact effects. The property test (acd-router-property.test.ts) checks that the
 * indexed Router agrees with the reference router on random scenarios; these tests pin down what
 * both of them are supposed to do.
 *
 * Times are whole seconds after T0 (`at(s)`), so a sort key such as idleSince reads as `at(2)`.
 */
import { describe, expect, it } from 'vitest';
import { Router } from '../../src/acd/router.ts';
import type { AgentConfig, AgentOrder, CallInput, Effect, EstimateConfig, QueueConfig, ServiceConfig } from '../../src/acd/types.ts';

const T0 = 1_000_000;
const at = (s: number): number => T0 + s * 1000;

type Assign = Extract<Effect, { kind: 'assign' }>;

const agent = (id: string, skills: Record<string, number> = {}, extra: Partial<AgentConfig> = {}): AgentConfig => ({
  id,
  skills: Object.entries(skills).map(([skill, level]) => ({ skill, level })),
  queues: [],
  ...extra,
});

const queue = (id: string, order: AgentOrder, required: Record<string, number> = {}, extra: Partial<QueueConfig> = {}): QueueConfig => ({
  id,
  order,
  requiredSkills: Object.entries(required).map(([skill, minLevel]) => ({ skill, minLevel })),
  ...extra,
});

/** A router with these queues, services and agents (all configured at T0, none free yet). */
function routerWith(setup: { queues: QueueConfig[]; services?: ServiceConfig[]; estimate?: EstimateConfig; agents?: AgentConfig[] }): Router {
  const r = new Router({ queues: setup.queues, services: setup.services ?? [], ...(setup.estimate ? { estimate: setup.estimate } : {}) });
  for (const a of setup.agents ?? []) expect(r.apply({ kind: 'agentConfigured', now: at(0), agent: a })).toEqual([]);
  return r;
}

/** The agent is ready since `idleS`, told at `nowS` (default: at once). */
const free = (r: Router, agentId: string, idleS: number, nowS = idleS): Effect[] => r.apply({ kind: 'agentAvailable', now: at(nowS), agentId, idleSince: at(idleS) });

/** A call queued at `nowS` (queuedAt = now unless `extra` says otherwise). */
const call = (r: Router, callId: string, queueId: string, nowS: number, extra: Partial<CallInput> = {}): Effect[] =>
  r.apply({ kind: 'callQueued', now: at(nowS), call: { callId, queue: queueId, queuedAt: at(nowS), ...extra } });

/** A call to a dialled number (business service), queued at `nowS`. */
const dial = (r: Router, callId: string, dialled: string, nowS: number): Effect[] => r.apply({ kind: 'callQueued', now: at(nowS), call: { callId, dialled, queuedAt: at(nowS) } });

const tick = (r: Router, nowS: number): Effect[] => r.apply({ kind: 'tick', now: at(nowS) });

/** Effects in a compact form: "call→agent" for an assignment, the kind otherwise. */
const offers = (effects: Effect[]): string[] => effects.map((e) => (e.kind === 'assign' ? `${e.callId}→${e.agentId}` : `${e.kind} ${e.callId}`));

/** The single effect, which must be an assignment. */
function assigned(effects: Effect[]): Assign {
  expect(effects).toHaveLength(1);
  const e = effects[0]!;
  if (e.kind !== 'assign') throw new Error(`expected an assignment, got ${JSON.stringify(e)}`);
  return e;
}

const topIds = (e: Assign): string[] => e.explanation.top.map((c) => c.id);

/**
 * The router's invariant seen from outside: no free agent while a call waits. Only meaningful
 * where every agent listed is eligible for every call listed.
 */
function expectNoEligiblePair(r: Router, agents: string[], calls: string[]): void {
  const freeAgents = agents.filter((a) => r.isFree(a));
  const waiting = calls.filter((c) => r.isWaiting(c));
  expect(freeAgents.length === 0 || waiting.length === 0, `free ${freeAgents.join(',')} while ${waiting.join(',')} wait`).toBe(true);
}

describe('longestIdle', () => {
  const setup = () =>
    routerWith({
      queues: [queue('sales', 'longestIdle', { sales: 3 })],
      agents: [agent('a1', { sales: 1 }), agent('a2', { sales: 2 }), agent('a3', { sales: 3 })],
    });

  it('gives a new call to the agent idle longest, whatever its level, and explains the ranking', () => {
    const r = setup();
    free(r, 'a1', 2, 10);
    free(r, 'a2', 1, 10);
    free(r, 'a3', 0, 10);
    expect(call(r, 'c1', 'sales', 20)).toEqual([
      {
        kind: 'assign',
        callId: 'c1',
        agentId: 'a3',
        queue: 'sales',
        explanation: {
          direction: 'callToAgent',
          trigger: 'callQueued',
          rule: 'longestIdle',
          queue: 'sales',
          lane: 'sales',
          step: -1,
          relaxBy: 0,
          considered: 3,
          top: [
            { id: 'a3', key: [at(0), 'a3'] },
            { id: 'a2', key: [at(1), 'a2'] },
            { id: 'a1', key: [at(2), 'a1'] },
          ],
          keyNames: ['idleSince', 'agentId'],
          winner: 'a3',
          tieBreak: 'idleSince',
        },
      },
    ]);
    expect(offers(call(r, 'c2', 'sales', 21))).toEqual(['c2→a2']);
    expect(offers(call(r, 'c3', 'sales', 22))).toEqual(['c3→a1']);
    expect(call(r, 'c4', 'sales', 23)).toEqual([]);
  });

  it('breaks a tie on idleSince by agentId', () => {
    const r = setup();
    free(r, 'a3', 5);
    free(r, 'a2', 5);
    const e = assigned(call(r, 'c1', 'sales', 10));
    expect(e.agentId).toBe('a2');
    expect(e.explanation.tieBreak).toBe('agentId');
    expect(e.explanation.top).toEqual([
      { id: 'a2', key: [at(5), 'a2'] },
      { id: 'a3', key: [at(5), 'a3'] },
    ]);
  });

  it('a freed agent takes a waiting call (agentToCall, cross-queue fairness with one candidate)', () => {
    const r = setup();
    expect(call(r, 'c1', 'sales', 0)).toEqual([]);
    const e = assigned(free(r, 'a1', 10));
    expect(e).toMatchObject({ callId: 'c1', agentId: 'a1', queue: 'sales' });
    expect(e.explanation).toEqual({
      direction: 'agentToCall',
      trigger: 'agentAvailable',
      rule: 'fairness',
      queue: 'sales',
      lane: 'sales',
      step: -1,
      relaxBy: 0,
      considered: 1,
      // queue tier, weighted wait (10 s × weight 1 × (1 + priority 0)), queuedAt, arrival
      top: [{ id: 'c1', key: [0, 10_000, at(0), 1] }],
      keyNames: ['queueTier', 'weightedWait', 'queuedAt', 'callSeq'],
      winner: 'c1',
      tieBreak: 'onlyCandidate',
    });
  });
});

describe('skillBased', () => {
  it('offers the best proficiency (lowest sum of levels) first, however long the others were idle', () => {
    const r = routerWith({
      queues: [queue('tech', 'skillBased', { net: 3, unix: 3 })],
      agents: [agent('x1', { net: 1, unix: 2 }), agent('x2', { net: 2, unix: 2 }), agent('x3', { net: 1, unix: 1 }), agent('x4', { net: 1 })],
    });
    free(r, 'x4', 0);
    free(r, 'x2', 0);
    free(r, 'x1', 5);
    free(r, 'x3', 9);
    const e = assigned(call(r, 'c1', 'tech', 10));
    expect(e.agentId).toBe('x3');
    expect(e.explanation).toMatchObject({
      rule: 'skillBased',
      considered: 3, // x4 lacks unix
      keyNames: ['skillScore', 'idleSince', 'agentId'],
      top: [
        { id: 'x3', key: [2, at(9), 'x3'] },
        { id: 'x1', key: [3, at(5), 'x1'] },
        { id: 'x2', key: [4, at(0), 'x2'] },
      ],
      tieBreak: 'skillScore',
    });
  });

  it('at equal skill score, the agent idle longest, then agentId', () => {
    const r = routerWith({
      queues: [queue('tech', 'skillBased', { net: 3, unix: 3 })],
      agents: [agent('y1', { net: 1, unix: 2 }), agent('y2', { net: 2, unix: 1 }), agent('y3', { net: 2, unix: 1 })],
    });
    free(r, 'y1', 2);
    free(r, 'y2', 1);
    free(r, 'y3', 2);
    const first = assigned(call(r, 'c1', 'tech', 10));
    expect([first.agentId, first.explanation.tieBreak]).toEqual(['y2', 'idleSince']);
    const second = assigned(call(r, 'c2', 'tech', 11));
    expect([second.agentId, second.explanation.tieBreak]).toEqual(['y1', 'agentId']);
  });
});

describe('roundRobin', () => {
  const setup = () =>
    routerWith({
      queues: [queue('rr', 'roundRobin', { support: 5 })],
      agents: [agent('r1', { support: 1 }), agent('r2', { support: 1 }), agent('r3', { support: 1 })],
    });

  it('offers the next agent after the last one offered, and wraps round', () => {
    const r = setup();
    // Idle times are the reverse of the rotation: they do not matter.
    free(r, 'r3', 0);
    free(r, 'r2', 1);
    free(r, 'r1', 2);
    const c1 = assigned(call(r, 'c1', 'rr', 10));
    expect(c1.agentId).toBe('r1');
    expect(c1.explanation.keyNames).toEqual(['wrapped', 'rank', 'agentId']);
    expect(c1.explanation.top.map((c) => c.key)).toEqual([
      [0, 0, 'r1'],
      [0, 0, 'r2'],
      [0, 0, 'r3'],
    ]);

    free(r, 'r1', 11);
    const c2 = assigned(call(r, 'c2', 'rr', 12));
    expect(c2.agentId).toBe('r2');
    expect(c2.explanation.top.map((c) => c.key)).toEqual([
      [0, 0, 'r2'],
      [0, 0, 'r3'],
      [1, 0, 'r1'],
    ]);

    free(r, 'r2', 13);
    const c3 = assigned(call(r, 'c3', 'rr', 14));
    expect([c3.agentId, c3.explanation.tieBreak]).toEqual(['r3', 'wrapped']);

    free(r, 'r3', 15);
    const c4 = assigned(call(r, 'c4', 'rr', 16));
    expect(c4.agentId).toBe('r1');
    expect(c4.explanation.top.map((c) => c.key)).toEqual([
      [1, 0, 'r1'],
      [1, 0, 'r2'],
      [1, 0, 'r3'],
    ]);
    expect(offers(call(r, 'c5', 'rr', 17))).toEqual(['c5→r2']);
  });

  it('goes round in (rank, agentId) order, the first round starting at the lowest rank', () => {
    const r = routerWith({
      queues: [queue('rr', 'roundRobin', { support: 5 })],
      agents: [agent('ra', { support: 1 }, { rank: 2 }), agent('rb', { support: 1 }, { rank: 1 }), agent('rc', { support: 1 }, { rank: 1 })],
    });
    const got: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (const id of ['ra', 'rb', 'rc']) if (!r.isFree(id)) free(r, id, 2 * i);
      got.push(assigned(call(r, `c${i}`, 'rr', 2 * i + 1)).agentId);
    }
    expect(got).toEqual(['rb', 'rc', 'ra', 'rb']);
  });

  it('an agent taking a waiting call moves the pointer too', () => {
    const r = setup();
    call(r, 'c1', 'rr', 0);
    expect(offers(free(r, 'r2', 1))).toEqual(['c1→r2']);
    free(r, 'r1', 2);
    free(r, 'r3', 2);
    expect(offers(call(r, 'c2', 'rr', 3))).toEqual(['c2→r3']);
    expect(offers(call(r, 'c3', 'rr', 4))).toEqual(['c3→r1']);
  });
});

describe('linear', () => {
  it('always offers the first free agent in (rank, agentId) order', () => {
    const r = routerWith({
      queues: [queue('lin', 'linear', { sales: 5 })],
      agents: [agent('l1', { sales: 1 }, { rank: 2 }), agent('l2', { sales: 1 }, { rank: 1 }), agent('l3', { sales: 1 }, { rank: 1 })],
    });
    free(r, 'l3', 0);
    free(r, 'l1', 1);
    free(r, 'l2', 2);
    const c1 = assigned(call(r, 'c1', 'lin', 10));
    expect(c1.agentId).toBe('l2');
    expect(c1.explanation).toMatchObject({
      rule: 'linear',
      keyNames: ['rank', 'agentId'],
      top: [
        { id: 'l2', key: [1, 'l2'] },
        { id: 'l3', key: [1, 'l3'] },
        { id: 'l1', key: [2, 'l1'] },
      ],
      tieBreak: 'agentId',
    });
    // No rotation: l2 is first again as soon as it is free.
    free(r, 'l2', 11);
    expect(offers(call(r, 'c2', 'lin', 12))).toEqual(['c2→l2']);
    const c3 = assigned(call(r, 'c3', 'lin', 13));
    expect(c3.agentId).toBe('l3');
    expect(c3.explanation.top.map((c) => c.id)).toEqual(['l3', 'l1']);
    expect(c3.explanation.tieBreak).toBe('rank');
  });
});

describe('leastBusy', () => {
  /** b1: one call of 60 s today; b2: two calls of 10 s; b2 idle longer. */
  function busyRouter(by: 'calls' | 'talkTime'): Router {
    const r = routerWith({ queues: [queue('lb', 'leastBusy', { sales: 5 }, { leastBusyBy: by })], agents: [agent('b1', { sales: 1 }), agent('b2', { sales: 1 })] });
    expect(r.apply({ kind: 'callCompleted', now: at(0), agentId: 'b1', talkMs: 60_000 })).toEqual([]);
    r.apply({ kind: 'callCompleted', now: at(0), agentId: 'b2', talkMs: 10_000 });
    r.apply({ kind: 'callCompleted', now: at(0), agentId: 'b2', talkMs: 10_000 });
    free(r, 'b2', 1);
    free(r, 'b1', 5);
    return r;
  }

  it('by calls: fewest calls today first', () => {
    const e = assigned(call(busyRouter('calls'), 'c1', 'lb', 10));
    expect(e.agentId).toBe('b1');
    expect(e.explanation).toMatchObject({
      rule: 'leastBusy',
      keyNames: ['busyMetric', 'idleSince', 'agentId'],
      top: [
        { id: 'b1', key: [1, at(5), 'b1'] },
        { id: 'b2', key: [2, at(1), 'b2'] },
      ],
      tieBreak: 'busyMetric',
    });
  });

  it('by talkTime: least talk time today first', () => {
    const e = assigned(call(busyRouter('talkTime'), 'c1', 'lb', 10));
    expect(e.agentId).toBe('b2');
    expect(e.explanation.top).toEqual([
      { id: 'b2', key: [20_000, at(1), 'b2'] },
      { id: 'b1', key: [60_000, at(5), 'b1'] },
    ]);
  });

  it('figures that change while the agent is free re-order it', () => {
    const ids = ['b1', 'b2', 'b3', 'b4'];
    const r = routerWith({ queues: [queue('lb', 'leastBusy', { sales: 5 })], agents: ids.map((id) => agent(id, { sales: 1 })) });
    const completed = (agentId: string, times: number) => {
      for (let i = 0; i < times; i++) r.apply({ kind: 'callCompleted', now: at(0), agentId, talkMs: 1000 });
    };
    completed('b2', 1);
    completed('b3', 1);
    completed('b4', 2);
    ids.forEach((id, i) => free(r, id, i + 1));
    completed('b1', 3); // b1, free and first so far, now has the most calls
    const e = assigned(call(r, 'c1', 'lb', 10));
    expect(e.agentId).toBe('b2');
    expect(e.explanation.top).toEqual([
      { id: 'b2', key: [1, at(2), 'b2'] },
      { id: 'b3', key: [1, at(3), 'b3'] },
      { id: 'b4', key: [2, at(4), 'b4'] },
    ]);
  });

  it('statsReset: everyone starts from zero, so the agent idle longest wins', () => {
    const r = busyRouter('calls');
    expect(r.apply({ kind: 'statsReset', now: at(8) })).toEqual([]);
    const e = assigned(call(r, 'c1', 'lb', 10));
    expect(e.agentId).toBe('b2');
    expect(e.explanation.top).toEqual([
      { id: 'b2', key: [0, at(1), 'b2'] },
      { id: 'b1', key: [0, at(5), 'b1'] },
    ]);
    expect(e.explanation.tieBreak).toBe('idleSince');
  });
});

describe('explicit members', () => {
  const services: ServiceConfig[] = [
    { dialled: '8100', queue: 'billing', requiredSkills: [{ skill: 'premium', minLevel: 2 }] },
    { dialled: '8101', queue: 'billing', requiredSkills: [] },
    { dialled: '8102', queue: 'billing' },
  ];
  const setup = (order: AgentOrder = 'longestIdle') =>
    routerWith({
      queues: [queue('billing', order, { billing: 2 })],
      services,
      agents: [
        agent('m1', {}, { queues: ['billing'] }), // member without the skill
        agent('m2', { billing: 5 }, { queues: ['billing'] }), // member with a level worse than minLevel
        agent('s1', { billing: 2 }), // qualified by skill
        agent('n1', { other: 1 }), // neither
        agent('p1', { premium: 1 }), // the 8100 service's skill only
      ],
    });

  it('an agent listing the queue serves it without the skills, at once (relaxBy 0)', () => {
    const r = setup();
    free(r, 'm1', 0);
    free(r, 'm2', 1);
    free(r, 's1', 2);
    const e = assigned(call(r, 'c1', 'billing', 10));
    expect(e.agentId).toBe('m1');
    expect(e.explanation).toMatchObject({ relaxBy: 0, considered: 3, lane: 'billing' });
    expect(topIds(e)).toEqual(['m1', 'm2', 's1']);
    expect(offers(call(r, 'c2', 'billing', 11))).toEqual(['c2→m2']);
  });

  it('an agent neither qualified nor a member is never offered the call', () => {
    const r = setup();
    free(r, 'n1', 0);
    expect(call(r, 'c1', 'billing', 10)).toEqual([]);
    expect([r.isFree('n1'), r.isWaiting('c1')]).toEqual([true, true]);
  });

  it('skillBased: a required skill a member lacks counts as level 5', () => {
    const r = setup('skillBased');
    free(r, 'm1', 0);
    free(r, 's1', 5);
    const e = assigned(call(r, 'c1', 'billing', 10));
    expect(e.agentId).toBe('s1');
    expect(e.explanation.top).toEqual([
      { id: 's1', key: [2, at(5), 's1'] },
      { id: 'm1', key: [5, at(0), 'm1'] },
    ]);
  });

  it('a business service with its own requiredSkills is served by those skills, not by the members', () => {
    const r = setup();
    free(r, 'm1', 0);
    expect(dial(r, 'c1', '8100', 10)).toEqual([]);
    // m1 is free and serves the queue's own lane all the same.
    expect(offers(call(r, 'c2', 'billing', 11))).toEqual(['c2→m1']);
    const e = assigned(free(r, 'p1', 12));
    expect(e).toMatchObject({ callId: 'c1', agentId: 'p1', queue: 'billing' });
    expect(e.explanation.lane).toBe('billing@8100');
  });

  it('a member holding the service’s skills at a poor level needs the relaxation like anyone else', () => {
    const r = routerWith({
      queues: [queue('billing', 'longestIdle', { billing: 2 }, { steps: [{ afterS: 10, kind: 'relax', by: 2 }] })],
      services: [services[0]!],
      agents: [agent('m3', { premium: 4 }, { queues: ['billing'] })],
    });
    free(r, 'm3', 0);
    expect(dial(r, 'c1', '8100', 0)).toEqual([]);
    const e = assigned(tick(r, 10));
    expect(e.agentId).toBe('m3');
    expect(e.explanation).toMatchObject({ lane: 'billing@8100', relaxBy: 2 });
  });

  it('a business service with an empty requiredSkills is served by the queue’s members only', () => {
    const r = setup();
    free(r, 's1', 0);
    expect(dial(r, 'c1', '8101', 10)).toEqual([]);
    const e = assigned(free(r, 'm1', 11));
    expect(e).toMatchObject({ callId: 'c1', agentId: 'm1', queue: 'billing' });
    expect(e.explanation.lane).toBe('billing@8101');
  });

  it('a business service without requiredSkills uses the queue’s own lane', () => {
    const r = setup();
    free(r, 's1', 0);
    const e = assigned(dial(r, 'c1', '8102', 10));
    expect(e.agentId).toBe('s1');
    expect(e.explanation.lane).toBe('billing');
  });
});

describe('priority and VIP', () => {
  it('effective priority = priority + vipLevel × vipBoost orders the queue, then queuedAt', () => {
    const r = routerWith({
      queues: [queue('vip', 'longestIdle', { sales: 3 }, { customer: { vipBoost: 10, preferredWaitS: 20 } })],
      agents: [agent('a', { sales: 1 })],
    });
    call(r, 'c1', 'vip', 0); // 0
    call(r, 'c2', 'vip', 1, { priority: 5 }); // 5
    call(r, 'c3', 'vip', 2, { vipLevel: 1 }); // 10
    call(r, 'c4', 'vip', 3, { priority: 2, vipLevel: 1 }); // 12
    call(r, 'c5', 'vip', 4, { priority: 5 }); // 5, after c2
    expect(r.waitingIn('vip').map((c) => c.callId)).toEqual(['c4', 'c3', 'c2', 'c5', 'c1']);
    expect(r.waitEstimate('c4', at(5))).toEqual({ queue: 'vip', position: 1, estimatedWaitS: null });
    expect(r.waitEstimate('c2', at(5))).toEqual({ queue: 'vip', position: 3, estimatedWaitS: null });
    expect(r.waitEstimate('c1', at(5))?.position).toBe(5);
    const e = assigned(free(r, 'a', 10));
    expect(e.callId).toBe('c4');
    // weighted wait: 7 s × weight 1 × (1 + 12)
    expect(e.explanation.top).toEqual([{ id: 'c4', key: [0, 91_000, at(3), 4] }]);
    expect(r.waitEstimate('c3', at(10))?.position).toBe(1);
  });

  it('without customer rules the VIP level counts for nothing', () => {
    const r = routerWith({ queues: [queue('plain', 'longestIdle', { sales: 3 })] });
    call(r, 'c1', 'plain', 0, { vipLevel: 3 });
    call(r, 'c2', 'plain', 1, { priority: 1 });
    call(r, 'c3', 'plain', 2);
    expect(r.waitingIn('plain').map((c) => c.callId)).toEqual(['c2', 'c1', 'c3']);
  });
});

describe('customer rules: the preferred agent', () => {
  const setup = (customer = true) =>
    routerWith({
      queues: [queue('cust', 'longestIdle', { sales: 3 }, customer ? { customer: { vipBoost: 1, preferredWaitS: 20 } } : {})],
      agents: [agent('p', { sales: 2 }), agent('o', { sales: 1 }), agent('x', { other: 1 })],
    });

  it('gets the call when free, even if another agent has been idle longer', () => {
    const r = setup();
    free(r, 'o', 0);
    free(r, 'p', 5);
    const e = assigned(call(r, 'c1', 'cust', 10, { preferredAgent: 'p' }));
    expect(e.agentId).toBe('p');
    expect(e.explanation).toEqual({
      direction: 'callToAgent',
      trigger: 'callQueued',
      rule: 'preferredAgent',
      queue: 'cust',
      lane: 'cust',
      step: -1,
      relaxBy: 0,
      considered: 1,
      top: [{ id: 'p', key: ['p'] }],
      keyNames: ['preferredAgent'],
      winner: 'p',
      tieBreak: 'onlyCandidate',
    });
  });

  it('when busy, the call is held for them (nobody else gets it) until preferredWaitS, then the queue’s order applies', () => {
    const r = setup();
    free(r, 'o', 0);
    expect(call(r, 'c1', 'cust', 10, { preferredAgent: 'p' })).toEqual([]);
    expect([r.isFree('o'), r.isWaiting('c1')]).toEqual([true, true]);
    expect(r.nextDeadline()).toBe(at(30));
    expect(tick(r, 29)).toEqual([]);
    const e = assigned(tick(r, 30));
    expect(e).toMatchObject({ callId: 'c1', agentId: 'o' });
    expect(e.explanation).toMatchObject({ trigger: 'tick', rule: 'longestIdle', step: -1 });
    expect(r.nextDeadline()).toBeNull();
  });

  it('a freed preferred agent takes its held call before a call that waited longer', () => {
    const r = setup();
    call(r, 'c0', 'cust', 0);
    call(r, 'c1', 'cust', 5, { preferredAgent: 'p' });
    const e = assigned(free(r, 'p', 10));
    expect(e.callId).toBe('c1');
    expect(e.explanation).toMatchObject({ direction: 'agentToCall', rule: 'preferredAgent', considered: 1 });
    expect(offers(free(r, 'o', 11))).toEqual(['c0→o']);
  });

  it('a requeue excluding the preferred agent ends the hold: the next agent gets it at once', () => {
    const r = setup();
    free(r, 'o', 0);
    free(r, 'p', 5);
    expect(offers(call(r, 'c1', 'cust', 10, { preferredAgent: 'p' }))).toEqual(['c1→p']);
    const e = assigned(r.apply({ kind: 'requeue', now: at(15), callId: 'c1', excludeAgent: 'p' }));
    expect(e).toMatchObject({ callId: 'c1', agentId: 'o' });
    expect(e.explanation).toMatchObject({ trigger: 'requeue', rule: 'longestIdle' });
  });

  it('a requeue without excludeAgent keeps the hold, counted from the call’s arrival', () => {
    const r = setup();
    free(r, 'o', 0);
    free(r, 'p', 5);
    expect(offers(call(r, 'c1', 'cust', 10, { preferredAgent: 'p' }))).toEqual(['c1→p']);
    expect(r.apply({ kind: 'requeue', now: at(15), callId: 'c1' })).toEqual([]);
    expect(r.nextDeadline()).toBe(at(30));
    expect(offers(tick(r, 30))).toEqual(['c1→o']);
  });

  it('no hold for an unknown or unqualified preferred agent, nor in a queue without customer rules', () => {
    for (const preferredAgent of ['ghost', 'x']) {
      const r = setup();
      free(r, 'o', 0);
      expect(offers(call(r, 'c1', 'cust', 10, { preferredAgent }))).toEqual(['c1→o']);
    }
    const r = setup(false);
    free(r, 'o', 0);
    free(r, 'p', 5);
    expect(offers(call(r, 'c1', 'cust', 10, { preferredAgent: 'p' }))).toEqual(['c1→o']);
  });
});

describe('steps', () => {
  it('relax: at afterS (tick at nextDeadline) an agent up to `by` levels worse qualifies', () => {
    const r = routerWith({
      queues: [
        queue('tech', 'longestIdle', { net: 2 }, {
          steps: [
            { afterS: 10, kind: 'relax', by: 1 },
            { afterS: 30, kind: 'relax', by: 2 },
          ],
        }),
      ],
      agents: [agent('w2', { net: 4 }), agent('w3', { net: 5 })],
    });
    free(r, 'w3', 0);
    free(r, 'w2', 1);
    expect(call(r, 'c1', 'tech', 5)).toEqual([]);
    expect(r.nextDeadline()).toBe(at(15));
    expect(tick(r, 15)).toEqual([]); // by 1: level 3 accepted, w2 has 4
    expect([r.isFree('w2'), r.isWaiting('c1')]).toEqual([true, true]);
    expect(r.nextDeadline()).toBe(at(35));
    const e = assigned(tick(r, 35));
    expect(e.agentId).toBe('w2'); // w3 (level 5) would need by 3, though idle longer
    expect(e.explanation).toMatchObject({ trigger: 'tick', rule: 'longestIdle', step: 1, relaxBy: 2, considered: 1 });
    expect(r.nextDeadline()).toBeNull();
  });

  it('addQueue: after afterS, agents of the other queue may take the call, in that queue’s order', () => {
    const r = routerWith({
      queues: [queue('sales', 'longestIdle', { sales: 3 }, { steps: [{ afterS: 20, kind: 'addQueue', queue: 'support' }] }), queue('support', 'linear', { support: 3 })],
      agents: [agent('h1', { support: 1 }, { rank: 1 }), agent('h2', { support: 2 }, { rank: 0 })],
    });
    free(r, 'h1', 0);
    free(r, 'h2', 1);
    expect(call(r, 'c1', 'sales', 5)).toEqual([]);
    const e = assigned(tick(r, 25));
    expect(e).toMatchObject({ callId: 'c1', agentId: 'h2', queue: 'sales' });
    expect(e.explanation).toMatchObject({ rule: 'linear', queue: 'sales', lane: 'support', step: 0, considered: 2, tieBreak: 'rank' });
  });

  it('addQueue: an agent of the other queue freed later takes the borrowed call', () => {
    const r = routerWith({
      queues: [queue('sales', 'longestIdle', { sales: 3 }, { steps: [{ afterS: 20, kind: 'addQueue', queue: 'support' }] }), queue('support', 'linear', { support: 3 })],
      agents: [agent('h1', { support: 1 })],
    });
    call(r, 'c1', 'sales', 0);
    expect(free(r, 'h1', 10)).toEqual([]);
    r.apply({ kind: 'agentUnavailable', now: at(11), agentId: 'h1' });
    expect(tick(r, 20)).toEqual([]);
    expect(offers(free(r, 'h1', 30))).toEqual(['c1→h1']);
  });

  describe('overflow to a known queue', () => {
    const setup = () =>
      routerWith({
        queues: [
          queue('first', 'longestIdle', { first: 3 }, { steps: [{ afterS: 30, kind: 'overflow', target: { kind: 'queue', queue: 'second' } }] }),
          queue('second', 'longestIdle', { second: 3 }, { maxWaitS: 60, fallback: { kind: 'voicemail', mailbox: '8120' } }),
        ],
        agents: [agent('g', { second: 1 })],
      });

    it('moves the call, which keeps its queuedAt and so its place; that queue’s rules start at the move', () => {
      const r = setup();
      call(r, 'c1', 'first', 0);
      call(r, 'c2', 'second', 10);
      expect(r.nextDeadline()).toBe(at(30));
      expect(tick(r, 30)).toEqual([{ kind: 'moved', callId: 'c1', from: 'first', to: 'second', reason: 'overflow' }]);
      expect(r.waitingIn('second')).toEqual([
        { callId: 'c1', queuedAt: at(0) },
        { callId: 'c2', queuedAt: at(10) },
      ]);
      expect(r.waitEstimate('c1', at(30))).toEqual({ queue: 'second', position: 1, estimatedWaitS: null });
      expect(r.waitingCount('first')).toBe(0);
      // c2's maxWait (queued at 10) is due first; c1's counts from the move at 30.
      expect(r.nextDeadline()).toBe(at(70));
      expect(tick(r, 70)).toEqual([{ kind: 'fallback', callId: 'c2', queue: 'second', target: { kind: 'voicemail', mailbox: '8120' }, reason: 'maxWait' }]);
      expect(r.nextDeadline()).toBe(at(90));
      expect(offers(free(r, 'g', 80))).toEqual(['c1→g']);
    });

    it('moves and assigns in the same decision when an agent of the new queue is free', () => {
      const r = setup();
      free(r, 'g', 0);
      call(r, 'c1', 'first', 0);
      const effects = tick(r, 30);
      expect(offers(effects)).toEqual(['moved c1', 'c1→g']);
      expect(effects[1]).toMatchObject({ queue: 'second', explanation: { trigger: 'tick', queue: 'second', lane: 'second', step: -1 } });
    });
  });

  it('overflow to an IVR flow, or to a queue the router does not know: fallback, the call leaves the router', () => {
    for (const target of [{ kind: 'ivr', flow: 'main' } as const, { kind: 'queue', queue: 'nowhere' } as const]) {
      const r = routerWith({ queues: [queue('first', 'longestIdle', { first: 3 }, { steps: [{ afterS: 30, kind: 'overflow', target }] })] });
      call(r, 'c1', 'first', 0);
      expect(tick(r, 30)).toEqual([{ kind: 'fallback', callId: 'c1', queue: 'first', target, reason: 'overflow' }]);
      expect(r.knows('c1')).toBe(false);
      expect(r.nextDeadline()).toBeNull();
    }
  });

  it('maxWait with a fallback: the call leaves at maxWaitS; late, every due call leaves in deadline order', () => {
    const target = { kind: 'voicemail', mailbox: '8120' } as const;
    const r = routerWith({ queues: [queue('q', 'longestIdle', { s: 3 }, { maxWaitS: 60, fallback: target })] });
    call(r, 'c1', 'q', 5);
    call(r, 'c2', 'q', 0);
    expect(r.nextDeadline()).toBe(at(60));
    expect(tick(r, 100)).toEqual([
      { kind: 'fallback', callId: 'c2', queue: 'q', target, reason: 'maxWait' },
      { kind: 'fallback', callId: 'c1', queue: 'q', target, reason: 'maxWait' },
    ]);
  });

  it('maxWait without a fallback is ignored: the call stays', () => {
    const r = routerWith({ queues: [queue('q', 'longestIdle', { s: 3 }, { maxWaitS: 60 })] });
    call(r, 'c1', 'q', 0);
    expect(r.nextDeadline()).toBeNull();
    expect(tick(r, 1000)).toEqual([]);
    expect(r.isWaiting('c1')).toBe(true);
  });

  describe('a late tick applies every due transition, in order', () => {
    const setup = () =>
      routerWith({
        queues: [
          queue('late', 'longestIdle', { net: 2 }, {
            steps: [
              { afterS: 10, kind: 'relax', by: 1 },
              { afterS: 20, kind: 'addQueue', queue: 'help' },
              { afterS: 40, kind: 'overflow', target: { kind: 'queue', queue: 'help' } },
            ],
            maxWaitS: 30,
            fallback: { kind: 'ivr', flow: 'main' },
          }),
          queue('help', 'longestIdle', { help: 3 }),
        ],
        agents: [agent('k', { net: 3 })],
      });

    it('relax and addQueue both applied before matching (the explanation shows the last step)', () => {
      const r = setup();
      call(r, 'c1', 'late', 0);
      free(r, 'k', 1);
      expect(r.isWaiting('c1')).toBe(true);
      const e = assigned(tick(r, 25));
      expect(e.agentId).toBe('k');
      expect(e.explanation).toMatchObject({ step: 1, relaxBy: 1, lane: 'late' });
    });

    it('the maximum wait (30 s) comes before the overflow step (40 s)', () => {
      const r = setup();
      call(r, 'c1', 'late', 0);
      expect(tick(r, 100)).toEqual([{ kind: 'fallback', callId: 'c1', queue: 'late', target: { kind: 'ivr', flow: 'main' }, reason: 'maxWait' }]);
    });
  });
});

describe('requeue', () => {
  const setup = () => routerWith({ queues: [queue('sales', 'longestIdle', { sales: 3 })], agents: [agent('a1', { sales: 1 }), agent('a2', { sales: 1 })] });

  it('the call goes back to its place at the head; the excluded agent takes the next call instead', () => {
    const r = setup();
    call(r, 'c1', 'sales', 0);
    call(r, 'c2', 'sales', 5);
    expect(offers(free(r, 'a1', 10))).toEqual(['c1→a1']);
    call(r, 'c3', 'sales', 12);
    expect(r.apply({ kind: 'requeue', now: at(20), callId: 'c1', excludeAgent: 'a1' })).toEqual([]);
    expect(r.waitingIn('sales').map((c) => c.callId)).toEqual(['c1', 'c2', 'c3']);
    expect(r.waitEstimate('c1', at(20))?.position).toBe(1);
    expect(offers(free(r, 'a1', 21))).toEqual(['c2→a1']);
    expect(offers(free(r, 'a2', 22))).toEqual(['c1→a2']);
  });

  it('goes straight to another free agent', () => {
    const r = setup();
    free(r, 'a1', 0);
    free(r, 'a2', 1);
    expect(offers(call(r, 'c1', 'sales', 10))).toEqual(['c1→a1']);
    const e = assigned(r.apply({ kind: 'requeue', now: at(20), callId: 'c1', excludeAgent: 'a1' }));
    expect(e.agentId).toBe('a2');
    expect(e.explanation.trigger).toBe('requeue');
  });

  it('is not offered to the excluded agent again within retryS (default 30 s), even when nobody else is free', () => {
    const r = setup();
    free(r, 'a1', 0);
    call(r, 'c1', 'sales', 10);
    r.apply({ kind: 'requeue', now: at(20), callId: 'c1', excludeAgent: 'a1' });
    expect(free(r, 'a1', 21)).toEqual([]);
    expect([r.isFree('a1'), r.isWaiting('c1')]).toEqual([true, true]);
    // a1 still takes other calls: a later one, and that one again after a requeue without exclusion.
    expect(offers(call(r, 'c2', 'sales', 22))).toEqual(['c2→a1']);
    expect(r.apply({ kind: 'requeue', now: at(23), callId: 'c2' })).toEqual([]);
    expect(offers(free(r, 'a1', 24))).toEqual(['c2→a1']);
    expect(r.isWaiting('c1')).toBe(true);
  });

  it('after retryS the agent who let it ring may be offered it again, if nobody else took it', () => {
    const r = routerWith({ queues: [queue('sales', 'longestIdle', {}, { retryS: 10 })], agents: [agent('a1', {}, { queues: ['sales'] })] });
    free(r, 'a1', 0);
    call(r, 'c1', 'sales', 1);
    expect(r.apply({ kind: 'requeue', now: at(5), callId: 'c1', excludeAgent: 'a1' })).toEqual([]);
    expect(free(r, 'a1', 6)).toEqual([]);
    expect(r.nextDeadline()).toBe(at(15));
    expect(tick(r, 14)).toEqual([]);
    const e = assigned(tick(r, 15));
    expect(e).toMatchObject({ callId: 'c1', agentId: 'a1', explanation: { trigger: 'tick', rule: 'longestIdle' } });
    expect(r.nextDeadline()).toBeNull();
  });

  it('a second miss restarts the agent’s exclusion; another agent’s exclusion runs on its own', () => {
    const r = routerWith({ queues: [queue('sales', 'longestIdle', {}, { retryS: 10 })], agents: [agent('a1', {}, { queues: ['sales'] }), agent('a2', {}, { queues: ['sales'] })] });
    call(r, 'c1', 'sales', 0);
    free(r, 'a1', 1);
    r.apply({ kind: 'requeue', now: at(2), callId: 'c1', excludeAgent: 'a1' }); // a1 out until 12
    expect(offers(free(r, 'a2', 3))).toEqual(['c1→a2']);
    r.apply({ kind: 'requeue', now: at(8), callId: 'c1', excludeAgent: 'a2' }); // a2 out until 18
    expect(r.nextDeadline()).toBe(at(12));
    expect(offers(tick(r, 12))).toEqual([]); // a1 was offered c1 and has not been freed since
    expect(offers(free(r, 'a1', 13))).toEqual(['c1→a1']);
  });
});

describe('cross-queue fairness', () => {
  const setup = () =>
    routerWith({
      queues: [queue('q1', 'longestIdle', {}), queue('q2', 'longestIdle', {}, { weight: 3 }), queue('top', 'longestIdle', {}, { tier: 1 })],
      agents: [agent('f', {}, { queues: ['q1', 'q2', 'top'] })],
    });

  it('a freed agent takes the longest weighted wait: weight 3 beats a call that waited twice as long', () => {
    const r = setup();
    call(r, 'c1', 'q1', 0);
    call(r, 'c2', 'q2', 15);
    const e = assigned(free(r, 'f', 30));
    expect(e).toMatchObject({ callId: 'c2', queue: 'q2' });
    expect(e.explanation).toMatchObject({
      rule: 'fairness',
      considered: 2,
      top: [
        { id: 'c2', key: [0, 45_000, at(15), 2] },
        { id: 'c1', key: [0, 30_000, at(0), 1] },
      ],
      tieBreak: 'weightedWait',
    });
  });

  it('at equal weighted wait, the earlier queuedAt', () => {
    const r = setup();
    call(r, 'c1', 'q1', 0);
    call(r, 'c2', 'q2', 20); // 10 s × 3 = 30 s × 1
    const e = assigned(free(r, 'f', 30));
    expect([e.callId, e.explanation.tieBreak]).toEqual(['c1', 'queuedAt']);
  });

  it('caller priority multiplies the weighted wait', () => {
    const r = setup();
    call(r, 'c1', 'q1', 10, { priority: 3 }); // 20 s × 1 × 4 = 80 s
    call(r, 'c2', 'q2', 5); // 25 s × 3 × 1 = 75 s
    expect(offers(free(r, 'f', 30))).toEqual(['c1→f']);
  });

  it('a higher queue tier wins, however long the other call waited', () => {
    const r = setup();
    call(r, 'c1', 'q1', 0);
    call(r, 'c3', 'top', 29);
    const e = assigned(free(r, 'f', 30));
    expect(e.callId).toBe('c3');
    expect(e.explanation.top.map((c) => c.key)).toEqual([
      [1, 1000, at(29), 2],
      [0, 30_000, at(0), 1],
    ]);
    expect(e.explanation.tieBreak).toBe('queueTier');
  });

  it('within a queue, priority is strict: only the queue’s head competes', () => {
    const r = setup();
    call(r, 'c1', 'q1', 0);
    call(r, 'c2', 'q1', 29, { priority: 1 });
    const e = assigned(free(r, 'f', 30));
    expect(e.callId).toBe('c2');
    expect(e.explanation.considered).toBe(1);
  });
});

describe('wait estimates', () => {
  it('null with fewer than minSamples assignments in the window, then position × span / n', () => {
    const r = routerWith({
      queues: [queue('e', 'longestIdle', { sales: 3 })],
      estimate: { windowS: 60, minSamples: 3, maxSamples: 10 },
      agents: [agent('a', { sales: 1 })],
    });
    for (const id of ['w1', 'w2', 'w3', 'w4', 'w5']) call(r, id, 'e', 0);
    expect(r.waitEstimate('w1', at(1))).toEqual({ queue: 'e', position: 1, estimatedWaitS: null });
    expect(offers(free(r, 'a', 10))).toEqual(['w1→a']);
    r.apply({ kind: 'callRemoved', now: at(15), callId: 'w1' });
    expect(offers(free(r, 'a', 20))).toEqual(['w2→a']);
    expect(r.waitEstimate('w3', at(25))).toEqual({ queue: 'e', position: 1, estimatedWaitS: null }); // 2 samples
    expect(offers(free(r, 'a', 30))).toEqual(['w3→a']);
    // 3 assignments (10, 20, 30) over 30 s at 40: one per 10 s.
    expect(r.waitEstimate('w4', at(40))).toEqual({ queue: 'e', position: 1, estimatedWaitS: 10 });
    expect(r.waitEstimate('w5', at(40))).toEqual({ queue: 'e', position: 2, estimatedWaitS: 20 });
    // Over 25 s at 35: 25 / 3 = 8.33 s per position, in tenths.
    expect(r.waitEstimate('w4', at(35))?.estimatedWaitS).toBe(8.3);
    expect(r.waitEstimate('w5', at(35))?.estimatedWaitS).toBe(16.7);
    // At 75 the assignment at 10 is out of the 60 s window: 2 samples left.
    expect(r.waitEstimate('w4', at(75))?.estimatedWaitS).toBeNull();
    // Only waiting calls have an estimate.
    expect(r.waitEstimate('w3', at(40))).toBeNull();
    expect(r.waitEstimate('nope', at(40))).toBeNull();
  });
});

describe('reconfigured', () => {
  it('re-settles waiting calls in arrival order: a newly qualified agent gets one at once, calls of a removed queue are unroutable', () => {
    const sales = (minLevel: number) => queue('sales', 'longestIdle', { sales: minLevel });
    const r = routerWith({ queues: [sales(2), queue('old', 'longestIdle', { old: 3 })], agents: [agent('a', { sales: 3 })] });
    free(r, 'a', 0);
    expect(call(r, 'c0', 'old', 1)).toEqual([]);
    expect(call(r, 'c1', 'sales', 2)).toEqual([]);
    const effects = r.apply({ kind: 'reconfigured', now: at(10), config: { queues: [sales(3)] } });
    expect(offers(effects)).toEqual(['unroutable c0', 'c1→a']);
    expect(effects[0]).toEqual({ kind: 'unroutable', callId: 'c0', reason: 'unknownQueue' });
    expect(effects[1]).toMatchObject({ explanation: { trigger: 'reconfigured', direction: 'callToAgent' } });
    expect(r.knows('c0')).toBe(false);
  });

  it('a call to a business service waits on in its lane under the service’s new skills, and in the queue’s own lane once the service is gone', () => {
    const queues = [queue('billing', 'longestIdle', { billing: 2 })];
    const service = (minLevel: number): ServiceConfig => ({ dialled: '8100', queue: 'billing', requiredSkills: [{ skill: 'premium', minLevel }] });
    const r = routerWith({ queues, services: [service(1)], agents: [agent('p', { premium: 3 })] });
    free(r, 'p', 0);
    expect(dial(r, 'c1', '8100', 1)).toEqual([]);
    expect(dial(r, 'c2', '8100', 2)).toEqual([]);
    const e = assigned(r.apply({ kind: 'reconfigured', now: at(10), config: { queues, services: [service(3)] } }));
    expect(e).toMatchObject({ callId: 'c1', agentId: 'p', explanation: { lane: 'billing@8100' } });
    // The service is gone, its queue is not: the call waits on under the queue's own skills.
    expect(r.apply({ kind: 'reconfigured', now: at(11), config: { queues } })).toEqual([]);
    expect(r.isWaiting('c2')).toBe(true);
    expect(r.waitEstimate('c2', at(11))).toMatchObject({ queue: 'billing', position: 1 });
  });

  it('an agent reconfigured with a new skill while free takes a waiting call at once', () => {
    const r = routerWith({ queues: [queue('sales', 'longestIdle', { sales: 2 })], agents: [agent('a', { other: 1 })] });
    free(r, 'a', 0);
    call(r, 'c1', 'sales', 1);
    const e = assigned(r.apply({ kind: 'agentConfigured', now: at(5), agent: agent('a', { sales: 1 }) }));
    expect(e.callId).toBe('c1');
    expect(e.explanation.trigger).toBe('agentConfigured');
  });
});

describe('unknown queues and agents', () => {
  it('a call for an unknown queue or number is unroutable on arrival', () => {
    const r = routerWith({ queues: [queue('sales', 'longestIdle', { sales: 3 })] });
    expect(call(r, 'c1', 'nope', 0)).toEqual([{ kind: 'unroutable', callId: 'c1', reason: 'unknownQueue' }]);
    expect(dial(r, 'c2', '9999', 0)).toEqual([{ kind: 'unroutable', callId: 'c2', reason: 'unknownQueue' }]);
    expect(r.knows('c1')).toBe(false);
    // An unknown dialled number falls back to the queue, if one is given.
    expect(r.apply({ kind: 'callQueued', now: at(1), call: { callId: 'c3', dialled: '9999', queue: 'sales', queuedAt: at(1) } })).toEqual([]);
    expect(r.isWaiting('c3')).toBe(true);
  });

  it('events about an unknown agent or call have no effect', () => {
    const r = routerWith({ queues: [queue('sales', 'longestIdle', {})] });
    call(r, 'c1', 'sales', 0);
    expect(free(r, 'ghost', 1)).toEqual([]);
    expect(r.isFree('ghost')).toBe(false);
    expect(r.apply({ kind: 'agentUnavailable', now: at(2), agentId: 'ghost' })).toEqual([]);
    expect(r.apply({ kind: 'requeue', now: at(3), callId: 'nope', excludeAgent: 'ghost' })).toEqual([]);
    expect(r.isWaiting('c1')).toBe(true);
  });
});

describe('the invariant: after any event, no free agent is eligible for a waiting call', () => {
  it('holds through a busy sequence in one queue every agent serves', () => {
    const r = routerWith({
      queues: [queue('q', 'roundRobin', { s: 3 })],
      agents: [agent('a1', { s: 1 }), agent('a2', { s: 2 }), agent('a3', { s: 3 })],
    });
    const agents = ['a1', 'a2', 'a3'];
    const calls = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    let assignments = 0;
    const step = (effects: Effect[]): void => {
      assignments += effects.filter((e) => e.kind === 'assign').length;
      expectNoEligiblePair(r, agents, calls);
    };
    step(call(r, 'c1', 'q', 0));
    step(free(r, 'a1', 1));
    step(free(r, 'a2', 2));
    step(free(r, 'a3', 3));
    step(call(r, 'c2', 'q', 4));
    step(call(r, 'c3', 'q', 5));
    step(call(r, 'c4', 'q', 6));
    step(r.apply({ kind: 'requeue', now: at(7), callId: 'c2' }));
    step(r.apply({ kind: 'callRemoved', now: at(8), callId: 'c1' }));
    step(free(r, 'a1', 9));
    step(call(r, 'c5', 'q', 10));
    step(free(r, 'a2', 11));
    step(r.apply({ kind: 'agentUnavailable', now: at(12), agentId: 'a3' }));
    step(call(r, 'c6', 'q', 13));
    step(free(r, 'a3', 14));
    step(r.apply({ kind: 'agentConfigured', now: at(15), agent: agent('a3', { s: 1 }) }));
    expect(assignments).toBe(6);
  });
});
