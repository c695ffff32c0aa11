/**
 * The ACD router: a pure core that takes events (each with `now`) and returns effects — call
 * assignments with their explanation, moves to another queue, fallbacks. No I/O, no timers, no
 * clock: the service calls `tick(now)` at `nextDeadline()`, keeping a single timer.
 *
 * Invariant kept after every event: no free agent is eligible for a waiting call. So a new call
 * never competes with another waiting call for a free agent, and a freed agent never competes
 * with another free agent for a call: each decision is a search in one direction only (a call for
 * its best free agent in agent-index, or an agent for its best call in waiting-calls), and only
 * events that can create an eligible pair (call queued or requeued, agent freed or reconfigured,
 * a time-based transition) search at all.
 *
 * Trade-off: the two directions are separate indexes kept in step on every change, which costs
 * memory (an agent in one pool per lane it serves) to keep every decision O(log n).
 */
import { AgentIndex, type AgentEntry } from './agent-index.ts';
import { assertNever, checkAgent, effectivePriority, normalizeConfig, type Lane, type NormalConfig, type QueueRule } from './config.ts';
import { ServiceRates } from './estimate.ts';
import { explanation, TOP_K } from './explain.ts';
import { heapNode } from './indexed-heap.ts';
import { candidateKey, type RrPointer } from './strategies/agent-orders.ts';
import { fairnessKey, FairnessPicker } from './strategies/fairness.ts';
import { advance, nextDue } from './timeline.ts';
import { KEY_NAMES, type AgentConfig, type CallInput, type Effect, type Explanation, type RouterConfig, type RouterEvent, type WaitEstimate } from './types.ts';
import { HEAD_EMPTY, HEAD_ORIGIN, HEAD_PLAIN, HEAD_PRIORITY, HEAD_QUEUED_AT, HEAD_RELAX, HEAD_SEQ, HEAD_STATE, HEAD_STRIDE, WaitingCalls, type CallRec, type SubQueue } from './waiting-calls.ts';

type Trigger = RouterEvent['kind'];

export class Router {
  private cfg: NormalConfig;
  private agents: AgentIndex;
  private waiting: WaitingCalls;
  /** Waiting and offered calls (offered: assigned, kept for `requeue` until `callRemoved`). */
  private readonly calls = new Map<string, CallRec>();
  private pointers = new Map<string, RrPointer>();
  private rates: ServiceRates;
  private picker: FairnessPicker;
  private seq = 0;
  /** Records of calls that left, reused for the next calls (with their heap handles), so a
   * waiting call costs the collector nothing: in steady state no call record is allocated, and
   * none is promoted to die in old space. */
  private readonly spareCalls: CallRec[] = [];

  constructor(config: RouterConfig) {
    this.cfg = normalizeConfig(config);
    this.agents = new AgentIndex(this.cfg);
    this.waiting = new WaitingCalls(this.cfg);
    this.rates = new ServiceRates(this.cfg.estimate);
    this.picker = new FairnessPicker(this.cfg.queueList);
  }

  apply(ev: RouterEvent): Effect[] {
    switch (ev.kind) {
      case 'callQueued':
        return this.callQueued(ev.call, ev.now);
      case 'callRemoved':
        this.callRemoved(ev.callId);
        return [];
      case 'requeue':
        return this.requeue(ev.callId, ev.now, ev.excludeAgent);
      case 'agentAvailable':
        return this.agentAvailable(ev.agentId, ev.idleSince, ev.now);
      case 'agentUnavailable':
        this.agentUnavailable(ev.agentId);
        return [];
      case 'agentConfigured':
        return this.configureAgent(ev.agent, ev.now);
      case 'agentRemoved':
        this.removeAgent(ev.agentId);
        return [];
      case 'callCompleted':
        this.callCompleted(ev.agentId, ev.talkMs);
        return [];
      case 'statsReset':
        this.resetStats();
        return [];
      case 'tick':
        return this.tick(ev.now);
      case 'reconfigured':
        return this.reconfigure(ev.config, ev.now);
      default:
        return assertNever(ev);
    }
  }

  /** A call starts waiting: it takes the best free agent now, or waits. */
  callQueued(input: CallInput, now: number): Effect[] {
    const old = this.calls.get(input.callId);
    if (old) this.callRemoved(old.id);
    const lane = (input.dialled !== undefined ? this.cfg.services.get(input.dialled) : undefined) ?? (input.queue !== undefined ? this.cfg.queues.get(input.queue)?.lane : undefined);
    if (!lane) return [{ kind: 'unroutable', callId: input.callId, reason: 'unknownQueue' }];
    const c = initCall(this.spareCalls.pop() ?? blankCall(), input, lane, ++this.seq, now);
    const p = c.preferredAgent !== null ? this.agents.agents.get(c.preferredAgent) : undefined;
    if (lane.queue.customer && p && this.agents.qualifies(p, lane, 0)) c.holdUntil = now + lane.queue.customer.preferredWaitS * 1000;
    this.calls.set(c.id, c);
    const out: Effect[] = [];
    this.settle(c, now, 'callQueued', out);
    return out;
  }

  /** The call was answered, abandoned or taken elsewhere: forget it. */
  callRemoved(callId: string): void {
    const c = this.calls.get(callId);
    if (!c) return;
    this.waiting.unindex(c);
    this.calls.delete(callId);
    this.release(c);
  }

  /** An offered call comes back (no answer, route refused) at its original place; `excludeAgent`
   * will not be offered it again. */
  requeue(callId: string, now: number, excludeAgent?: string): Effect[] {
    const c = this.calls.get(callId);
    if (!c) return [];
    this.waiting.unindex(c);
    c.state = 'waiting';
    if (excludeAgent !== undefined) {
      (c.excluded ??= new Map()).set(excludeAgent, now + c.queue.retryMs);
      if (c.preferredAgent === excludeAgent) c.holdUntil = null;
    }
    const out: Effect[] = [];
    this.settle(c, now, 'requeue', out);
    return out;
  }

  /** The agent is ready since `idleSince`: it takes the best waiting call now, or waits. */
  agentAvailable(agentId: string, idleSince: number, now: number): Effect[] {
    const e = this.agents.agents.get(agentId);
    if (!e) return [];
    this.agents.unpool(e);
    e.free = true;
    e.idleSince = idleSince;
    return this.place(e, now, 'agentAvailable');
  }

  /** Not ready, busy, reserved elsewhere or logged out. */
  agentUnavailable(agentId: string): void {
    const e = this.agents.agents.get(agentId);
    if (!e) return;
    e.free = false;
    this.agents.unpool(e);
  }

  /** Adds an agent or changes its skills, queues or rank; a free agent may take a call at once. */
  configureAgent(agent: AgentConfig, now: number): Effect[] {
    checkAgent(agent);
    const e = this.agents.configure(agent);
    return e.free ? this.place(e, now, 'agentConfigured') : [];
  }

  removeAgent(agentId: string): void {
    this.agents.remove(agentId);
  }

  /** A call the agent handled ended after `talkMs` of talk (leastBusy figures). */
  callCompleted(agentId: string, talkMs: number): void {
    const e = this.agents.agents.get(agentId);
    if (!e) return;
    e.calls += 1;
    e.talkMs += talkMs;
    this.agents.figuresChanged(e);
  }

  /** A new day: leastBusy figures start from zero. O(agents log n). */
  resetStats(): void {
    const pooled = [...this.agents.agents.values()].filter((e) => e.pooled);
    for (const e of pooled) this.agents.unpool(e);
    for (const e of this.agents.agents.values()) e.calls = e.talkMs = 0;
    for (const e of pooled) this.agents.pool(e);
  }

  /** Applies the time-based rules due at `now`, calls in deadline order. */
  tick(now: number): Effect[] {
    const out: Effect[] = [];
    for (let c = this.waiting.takeDue(now); c; c = this.waiting.takeDue(now)) this.settle(c, now, 'tick', out);
    return out;
  }

  /** When the service should call `tick` next; null: no timer needed. */
  nextDeadline(): number | null {
    return this.waiting.nextDeadline();
  }

  /** New queues or services: rebuilds the indexes, then re-settles waiting calls in arrival order. */
  reconfigure(config: RouterConfig, now: number): Effect[] {
    const cfg = normalizeConfig(config);
    const agents = [...this.agents.agents.values()];
    const calls = [...this.calls.values()].sort((a, b) => a.seq - b.seq);
    this.cfg = cfg;
    this.agents = new AgentIndex(cfg);
    this.waiting = new WaitingCalls(cfg);
    this.picker = new FairnessPicker(cfg.queueList);
    const old = this.rates;
    this.rates = new ServiceRates(cfg.estimate);
    this.rates.adopt(old);
    for (const a of agents) {
      const e = this.agents.configure(a.cfg);
      Object.assign(e, { free: a.free, idleSince: a.idleSince, calls: a.calls, talkMs: a.talkMs });
      if (e.free) this.agents.pool(e);
    }
    const out: Effect[] = [];
    for (const c of calls) {
      const q = cfg.queues.get(c.queue.id);
      // A business service that is gone (or no longer names its own skills): its calls wait on
      // under the queue's own rules rather than being dropped.
      const lane = q && (c.lane === c.queue.lane ? q.lane : (cfg.lanes.find((l) => l.key === c.lane.key) ?? q.lane));
      c.indexed = false;
      c.ownSq = null;
      c.borrowed.length = 0;
      if (!q || !lane) {
        this.calls.delete(c.id);
        if (c.state === 'waiting') out.push({ kind: 'unroutable', callId: c.id, reason: 'unknownQueue' });
        this.release(c);
        continue;
      }
      c.queue = q;
      c.lane = lane;
      c.effPriority = effectivePriority(q, c.priority, c.vipLevel);
      c.added = c.added.map((a) => cfg.queues.get(a.id)).filter((a): a is QueueRule => a !== undefined && a !== q);
      c.stepsDone = Math.min(c.stepsDone, q.steps.length);
      if (c.state === 'waiting') this.settle(c, now, 'reconfigured', out);
    }
    return out;
  }

  // ------------------------------------------------------------------------------- queries

  waitEstimate(callId: string, now: number): WaitEstimate | null {
    const c = this.calls.get(callId);
    if (!c || c.state !== 'waiting') return null;
    const position = this.waiting.position(c);
    return { queue: c.queue.id, position, estimatedWaitS: this.rates.estimateS(c.queue.id, position, now) };
  }

  /** The explanation of the call's latest assignment, while the router still knows the call. */
  explanation(callId: string): Explanation | null {
    return this.calls.get(callId)?.explanation ?? null;
  }

  /** The call is waiting or offered (not yet removed). */
  knows(callId: string): boolean {
    return this.calls.has(callId);
  }

  isWaiting(callId: string): boolean {
    return this.calls.get(callId)?.state === 'waiting';
  }

  isFree(agentId: string): boolean {
    return this.agents.agents.get(agentId)?.free ?? false;
  }

  waitingCount(queue: string): number {
    const q = this.cfg.queues.get(queue);
    return q ? this.waiting.count(q) : 0;
  }

  /** The queue's waiting calls in queue order, with queuedAt (O(n): statistics, displays). */
  waitingIn(queue: string): { callId: string; queuedAt: number }[] {
    const q = this.cfg.queues.get(queue);
    return q ? this.waiting.inQueue(q).map((c) => ({ callId: c.id, queuedAt: c.queuedAt })) : [];
  }

  /** Free agents who serve the queue's own lane (at any relax level). */
  readyCount(queue: string): number {
    const q = this.cfg.queues.get(queue);
    return q ? this.agents.readyCount(q.lane) : 0;
  }

  // ----------------------------------------------------------------------------- internals

  /** Applies due transitions to an un-indexed waiting call, then matches or indexes it. */
  private settle(c: CallRec, now: number, trigger: Trigger, out: Effect[]): void {
    if (!advance(c, now, this.cfg, out)) {
      this.calls.delete(c.id);
      this.release(c);
      return;
    }
    const assigned = this.matchCall(c, now, trigger);
    if (assigned) out.push(assigned);
    else this.waiting.index(c, nextDue(c));
  }

  /** Agent now free and un-pooled: takes a call, or joins its pools. */
  private place(e: AgentEntry, now: number, trigger: Trigger): Effect[] {
    const assigned = this.matchAgent(e, now, trigger);
    if (assigned) return [assigned];
    this.agents.pool(e);
    return [];
  }

  /** Call → agent: the preferred agent, else the call's lane, else each borrowed queue's lane. */
  private matchCall(c: CallRec, now: number, trigger: Trigger): Effect | null {
    const q = c.queue;
    if (q.customer && c.preferredAgent !== null) {
      const p = this.agents.agents.get(c.preferredAgent);
      if (p?.pooled && !c.excluded?.has(p.id) && this.qualifiesForCall(p, c)) {
        const top = [{ id: p.id, key: [p.id] }];
        return this.assign(c, p, now, null, explanation({ direction: 'callToAgent', trigger, queue: q.id, step: c.stepsDone - 1, relaxBy: c.relaxBy, rule: 'preferredAgent', lane: c.lane.key, considered: 1, top, keyNames: KEY_NAMES.preferredAgent }));
      }
    }
    if (c.holdUntil !== null) return null;
    for (let i = -1; i < c.added.length; i++) {
      const via = i < 0 ? q : c.added[i]!;
      const lane = i < 0 ? c.lane : via.lane;
      const pointer = via.order === 'roundRobin' ? (this.pointers.get(via.id) ?? null) : null;
      const best = this.agents.best(lane, i < 0 ? c.relaxBy : 0, c.excluded, pointer, TOP_K);
      const winner = best.top[0];
      if (!winner) continue;
      const top = best.top.map((cd) => ({ id: cd.agent.id, key: candidateKey(via.order, via.leastBusyBy, cd) }));
      const ex = explanation({ direction: 'callToAgent', trigger, queue: q.id, step: c.stepsDone - 1, relaxBy: c.relaxBy, rule: via.order, lane: lane.key, considered: best.considered, top, keyNames: KEY_NAMES[via.order] });
      return this.assign(c, winner.agent as AgentEntry, now, via, ex);
    }
    return null;
  }

  /** Agent → call: calls held for this agent first, else the fairest queue head it qualifies for.
   * The heads are read from each lane's packed heads; a call record is read only for a head that
   * excludes some agents (was let ring by one) and for the few best at the end. */
  private matchAgent(e: AgentEntry, now: number, trigger: Trigger): Effect | null {
    const picker = this.picker;
    picker.begin();
    const held = this.waiting.heldFor(e.id);
    if (held) for (const c of held) if (!c.excluded?.has(e.id) && this.qualifiesForCall(e, c)) picker.offer(c);
    const rule = picker.count > 0 ? 'preferredAgent' : 'fairness';
    if (picker.count === 0) {
      const lanes = e.laneIdx;
      const needs = e.laneNeed;
      for (let m = 0; m < lanes.length; m++) {
        const heads = this.waiting.heads(lanes[m]!);
        const d = heads.data;
        const need = needs[m]!;
        for (let j = 0, o = 0; j < heads.n; j++, o += HEAD_STRIDE) {
          const state = d[o + HEAD_STATE]!;
          if (state === HEAD_EMPTY || d[o + HEAD_RELAX]! < need) continue;
          if (state === HEAD_PLAIN) picker.offerKey(d[o + HEAD_ORIGIN]!, d[o + HEAD_PRIORITY]!, d[o + HEAD_QUEUED_AT]!, d[o + HEAD_SEQ]!, null, heads.subs[j]!);
          else {
            const c = this.firstNotExcluding(heads.subs[j]!, e.id);
            if (c) picker.offer(c);
          }
        }
      }
    }
    if (picker.count === 0) return null;
    const considered = picker.count;
    const heads = picker.top(TOP_K, now);
    const w = heads[0]!;
    const top = heads.map((c) => ({ id: c.id, key: fairnessKey(c, now) }));
    const ex = explanation({ direction: 'agentToCall', trigger, rule, queue: w.queue.id, lane: w.lane.key, step: w.stepsDone - 1, relaxBy: w.relaxBy, considered, top, keyNames: KEY_NAMES.fairness });
    return this.assign(w, e, now, null, ex);
  }

  /** The sub-queue's first call that does not exclude the agent. */
  private firstNotExcluding(sq: SubQueue, agentId: string): CallRec | undefined {
    const head = sq.heap.peek()!;
    if (head.excluded === null || !head.excluded.has(agentId)) return head;
    return sq.heap.firstK(1, (c) => c.excluded !== null && c.excluded.has(agentId))[0];
  }

  private qualifiesForCall(e: AgentEntry, c: CallRec): boolean {
    if (this.agents.qualifies(e, c.lane, c.relaxBy)) return true;
    for (const q of c.added) if (this.agents.qualifies(e, q.lane, 0)) return true;
    return false;
  }

  /** The call left the router (un-indexed, forgotten): its record is kept for a next call. */
  private release(c: CallRec): void {
    c.explanation = null;
    c.excluded = null;
    c.added.length = 0;
    if (this.spareCalls.length < MAX_SPARE_CALLS) this.spareCalls.push(c);
  }

  private assign(c: CallRec, e: AgentEntry, now: number, via: QueueRule | null, ex: Explanation): Effect {
    this.waiting.unindex(c);
    c.state = 'offered';
    c.explanation = ex;
    e.free = false;
    this.agents.unpool(e);
    const ptr = { rank: e.rank, id: e.id };
    if (c.queue.order === 'roundRobin') this.pointers.set(c.queue.id, ptr);
    if (via && via !== c.queue && via.order === 'roundRobin') this.pointers.set(via.id, ptr);
    this.rates.record(c.queue.id, now);
    return { kind: 'assign', callId: c.id, agentId: e.id, queue: c.queue.id, explanation: ex };
  }
}

/** Spare call records kept at most (a burst's worth; beyond, the collector takes them). */
const MAX_SPARE_CALLS = 65_536;

/** A call record with its two heap handles, which point back at it for its whole life. */
function blankCall(): CallRec {
  const c = {
    id: '',
    seq: 0,
    queuedAt: 0,
    priority: 0,
    vipLevel: 0,
    preferredAgent: null,
    queue: null as unknown as QueueRule,
    lane: null as unknown as Lane,
    effPriority: 0,
    enteredAt: 0,
    relaxBy: 0,
    stepsDone: 0,
    added: [],
    holdUntil: null,
    excluded: null,
    state: 'waiting',
    indexed: false,
    ownSq: null,
    ownNode: null as unknown as CallRec['ownNode'],
    deadlineNode: null as unknown as CallRec['deadlineNode'],
    borrowed: [],
    deadline: Infinity,
    explanation: null,
  } as CallRec;
  c.ownNode = heapNode(c);
  c.deadlineNode = heapNode(c);
  return c;
}

/** Fills a blank or released record for a new call (every field set: nothing of the last call
 * it held is left). */
function initCall(rec: CallRec, input: CallInput, lane: Lane, seq: number, now: number): CallRec {
  const c = rec as Mutable<CallRec>;
  const priority = nonNegativeInt(input.priority);
  const vipLevel = nonNegativeInt(input.vipLevel);
  c.id = input.callId;
  c.seq = seq;
  c.queuedAt = input.queuedAt;
  c.priority = priority;
  c.vipLevel = vipLevel;
  c.preferredAgent = input.preferredAgent ?? null;
  c.queue = lane.queue;
  c.lane = lane;
  c.effPriority = effectivePriority(lane.queue, priority, vipLevel);
  c.enteredAt = now;
  c.relaxBy = 0;
  c.stepsDone = 0;
  c.added.length = 0;
  c.holdUntil = null;
  c.excluded = null;
  c.state = 'waiting';
  c.indexed = false;
  c.ownSq = null;
  c.borrowed.length = 0;
  c.deadline = Infinity;
  c.explanation = null;
  return c;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Priorities and VIP levels are integers >= 0; anything else counts as 0 (fractions truncated). */
function nonNegativeInt(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? Math.trunc(n) : 0;
}
