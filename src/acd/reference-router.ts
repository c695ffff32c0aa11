/**
 * The reference router: the same rules as `Router`, written to be obviously correct — every
 * decision is a linear scan over all agents or all calls, every order is an explicit key array
 * sorted left to right, every time-based rule is recomputed from the call's fields. It shares
 * only the vocabulary (types, normalized config, the estimate and tie-break naming) with the
 * fast router; eligibility, ordering and timelines are written again here, so the property test
 * (`test/unit/acd-router-property.test.ts`) catches an index that disagrees with the rules.
 *
 * Trade-off: O(agents + calls) per event, and more per decision — for tests only.
 */
import { assertNever, checkAgent, normalizeConfig, type Lane, type NormalConfig, type QueueRule } from './config.ts';
import { ServiceRates } from './estimate.ts';
import { explanation, TOP_K } from './explain.ts';
import { KEY_NAMES, type AgentConfig, type AgentOrder, type CallInput, type Effect, type Explanation, type RouterConfig, type RouterEvent, type Target } from './types.ts';

interface RAgent {
  cfg: AgentConfig;
  free: boolean;
  idleSince: number;
  calls: number;
  talkMs: number;
}

interface RCall {
  id: string;
  seq: number;
  queuedAt: number;
  priority: number;
  vipLevel: number;
  preferredAgent: string | null;
  queue: QueueRule;
  lane: Lane;
  enteredAt: number;
  relaxBy: number;
  stepsDone: number;
  added: QueueRule[];
  holdUntil: number | null;
  /** Agent → until when (ms) it is not offered the call. */
  excluded: Map<string, number>;
  state: 'waiting' | 'offered';
  explanation: Explanation | null;
}

type Key = (number | string)[];

function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

export class ReferenceRouter {
  private cfg: NormalConfig;
  private readonly agents = new Map<string, RAgent>();
  private readonly calls = new Map<string, RCall>();
  private readonly pointers = new Map<string, { rank: number; id: string }>();
  private rates: ServiceRates;
  private seq = 0;

  constructor(config: RouterConfig) {
    this.cfg = normalizeConfig(config);
    this.rates = new ServiceRates(this.cfg.estimate);
  }

  apply(ev: RouterEvent): Effect[] {
    const out: Effect[] = [];
    switch (ev.kind) {
      case 'callQueued': {
        const input: CallInput = ev.call;
        this.calls.delete(input.callId);
        const lane = (input.dialled !== undefined ? this.cfg.services.get(input.dialled) : undefined) ?? (input.queue !== undefined ? this.cfg.queues.get(input.queue)?.lane : undefined);
        if (!lane) return [{ kind: 'unroutable', callId: input.callId, reason: 'unknownQueue' }];
        const q = lane.queue;
        const pref = input.preferredAgent ?? null;
        const p = pref !== null ? this.agents.get(pref) : undefined;
        const call: RCall = {
          id: input.callId,
          seq: ++this.seq,
          queuedAt: input.queuedAt,
          priority: int0(input.priority),
          vipLevel: int0(input.vipLevel),
          preferredAgent: pref,
          queue: q,
          lane,
          enteredAt: ev.now,
          relaxBy: 0,
          stepsDone: 0,
          added: [],
          holdUntil: q.customer && p && this.qualifies(p, lane, 0) ? ev.now + q.customer.preferredWaitS * 1000 : null,
          excluded: new Map(),
          state: 'waiting',
          explanation: null,
        };
        this.calls.set(call.id, call);
        this.settle(call, ev.now, ev.kind, out);
        return out;
      }
      case 'callRemoved':
        this.calls.delete(ev.callId);
        return out;
      case 'requeue': {
        const call = this.calls.get(ev.callId);
        if (!call) return out;
        call.state = 'waiting';
        if (ev.excludeAgent !== undefined) {
          call.excluded.set(ev.excludeAgent, ev.now + call.queue.retryMs);
          if (call.preferredAgent === ev.excludeAgent) call.holdUntil = null;
        }
        this.settle(call, ev.now, ev.kind, out);
        return out;
      }
      case 'agentAvailable': {
        const a = this.agents.get(ev.agentId);
        if (!a) return out;
        a.free = true;
        a.idleSince = ev.idleSince;
        this.matchAgent(a, ev.now, ev.kind, out);
        return out;
      }
      case 'agentUnavailable': {
        const a = this.agents.get(ev.agentId);
        if (a) a.free = false;
        return out;
      }
      case 'agentConfigured': {
        checkAgent(ev.agent);
        const a = this.agents.get(ev.agent.id);
        if (a) a.cfg = ev.agent;
        else this.agents.set(ev.agent.id, { cfg: ev.agent, free: false, idleSince: 0, calls: 0, talkMs: 0 });
        if (a?.free) this.matchAgent(a, ev.now, ev.kind, out);
        return out;
      }
      case 'agentRemoved':
        this.agents.delete(ev.agentId);
        return out;
      case 'callCompleted': {
        const a = this.agents.get(ev.agentId);
        if (a) {
          a.calls += 1;
          a.talkMs += ev.talkMs;
        }
        return out;
      }
      case 'statsReset':
        for (const a of this.agents.values()) a.calls = a.talkMs = 0;
        return out;
      case 'tick': {
        const due = this.waitingCalls()
          .map((c) => ({ c, at: this.transitions(c)[0]?.at ?? Infinity }))
          .filter((d) => d.at <= ev.now)
          .sort((x, y) => x.at - y.at || x.c.seq - y.c.seq);
        for (const { c } of due) this.settle(c, ev.now, ev.kind, out);
        return out;
      }
      case 'reconfigured':
        this.reconfigure(ev.config, ev.now, out);
        return out;
      default:
        return assertNever(ev);
    }
  }

  nextDeadline(): number | null {
    let best = Infinity;
    for (const c of this.waitingCalls()) best = Math.min(best, this.transitions(c)[0]?.at ?? Infinity);
    return best === Infinity ? null : best;
  }

  position(callId: string): number | null {
    const c = this.calls.get(callId);
    if (!c || c.state !== 'waiting') return null;
    const same = this.waitingCalls().filter((o) => o.queue === c.queue);
    return same.filter((o) => this.queueBefore(o, c)).length + 1;
  }

  waitEstimateS(callId: string, now: number): number | null {
    const c = this.calls.get(callId);
    const pos = this.position(callId);
    return c && pos !== null ? this.rates.estimateS(c.queue.id, pos, now) : null;
  }

  // ------------------------------------------------------------------------------ the rules

  private waitingCalls(): RCall[] {
    return [...this.calls.values()].filter((c) => c.state === 'waiting');
  }

  private level(a: RAgent, skill: string): number | undefined {
    return a.cfg.skills.find((s) => s.skill === skill)?.level;
  }

  /** Serves the lane at relax level r: lists the lane's queue and the lane is the queue's own or
   * requires no skill (an explicit member, whatever its skills), or holds every required skill at minLevel + r or better (capped
   * at 5). */
  private qualifies(a: RAgent, lane: Lane, r: number): boolean {
    if ((lane === lane.queue.lane || lane.req.length === 0) && a.cfg.queues.includes(lane.queue.id)) return true;
    if (lane.req.length === 0) return false;
    return lane.req.every((req) => {
      const l = this.level(a, req.skill);
      return l !== undefined && l <= Math.min(5, req.minLevel + r);
    });
  }

  private canTake(a: RAgent, c: RCall): boolean {
    if (c.excluded.has(a.cfg.id)) return false;
    return this.qualifies(a, c.lane, c.relaxBy) || c.added.some((q) => this.qualifies(a, q.lane, 0));
  }

  private effPriority(c: RCall): number {
    return c.priority + (c.queue.customer ? c.vipLevel * c.queue.customer.vipBoost : 0);
  }

  private queueBefore(a: RCall, b: RCall): boolean {
    return compareKeys([-this.effPriority(a), a.queuedAt, a.seq], [-this.effPriority(b), b.queuedAt, b.seq]) < 0;
  }

  /** Pending transitions, soonest first: hold end, end of an agent's exclusion, then steps in
   * order, then maximum wait. */
  private transitions(c: RCall): { at: number; rank: number; what: 'hold' | 'unexclude' | number | 'maxWait' }[] {
    const list: { at: number; rank: number; what: 'hold' | 'unexclude' | number | 'maxWait' }[] = [];
    if (c.holdUntil !== null) list.push({ at: c.holdUntil, rank: 0, what: 'hold' });
    for (const until of c.excluded.values()) list.push({ at: until, rank: 0.5, what: 'unexclude' });
    c.queue.steps.forEach((s, i) => {
      if (i >= c.stepsDone) list.push({ at: c.enteredAt + s.afterS * 1000, rank: 1 + i, what: i });
    });
    if (c.queue.fallback && c.queue.maxWaitMs !== null) list.push({ at: c.enteredAt + c.queue.maxWaitMs, rank: 1e9, what: 'maxWait' });
    return list.sort((x, y) => x.at - y.at || x.rank - y.rank);
  }

  private settle(c: RCall, now: number, trigger: RouterEvent['kind'], out: Effect[]): void {
    for (;;) {
      const t = this.transitions(c)[0];
      if (!t || t.at > now) break;
      if (t.what === 'hold') c.holdUntil = null;
      else if (t.what === 'unexclude') {
        for (const [agent, until] of c.excluded) if (until <= t.at) c.excluded.delete(agent);
      } else if (t.what === 'maxWait') {
        if (!this.leave(c, c.queue.fallback!, 'maxWait', now, out)) return;
      } else {
        const step = c.queue.steps[t.what]!;
        c.stepsDone = t.what + 1;
        if (step.kind === 'relax') c.relaxBy = Math.max(c.relaxBy, step.by);
        else if (step.kind === 'addQueue') {
          const q = this.cfg.queues.get(step.queue)!;
          if (q !== c.queue && !c.added.includes(q)) c.added.push(q);
        } else if (!this.leave(c, step.target, 'overflow', now, out)) return;
      }
    }
    this.matchCall(c, now, trigger, out);
  }

  private leave(c: RCall, target: Target, reason: 'overflow' | 'maxWait', now: number, out: Effect[]): boolean {
    const to = target.kind === 'queue' ? this.cfg.queues.get(target.queue) : undefined;
    if (!to) {
      out.push({ kind: 'fallback', callId: c.id, queue: c.queue.id, target, reason });
      this.calls.delete(c.id);
      return false;
    }
    out.push({ kind: 'moved', callId: c.id, from: c.queue.id, to: to.id, reason });
    Object.assign(c, { queue: to, lane: to.lane, enteredAt: now, relaxBy: 0, stepsDone: 0, added: [], holdUntil: null });
    return true;
  }

  private agentKey(order: AgentOrder, via: QueueRule, lane: Lane, a: RAgent): Key {
    const id = a.cfg.id;
    const rank = a.cfg.rank ?? 0;
    switch (order) {
      case 'longestIdle':
        return [a.idleSince, id];
      case 'skillBased':
        // A skill an explicit member lacks counts as the worst level, 5.
        return [lane.req.reduce((sum, r) => sum + (this.level(a, r.skill) ?? 5), 0), a.idleSince, id];
      case 'linear':
        return [rank, id];
      case 'roundRobin': {
        const p = this.pointers.get(via.id);
        const after = !p || compareKeys([rank, id], [p.rank, p.id]) > 0;
        return [after ? 0 : 1, rank, id];
      }
      case 'leastBusy':
        return [via.leastBusyBy === 'calls' ? a.calls : a.talkMs, a.idleSince, id];
      default:
        return assertNever(order);
    }
  }

  private matchCall(c: RCall, now: number, trigger: RouterEvent['kind'], out: Effect[]): void {
    const q = c.queue;
    const base = { direction: 'callToAgent', trigger, queue: q.id, step: c.stepsDone - 1, relaxBy: c.relaxBy } as const;
    if (q.customer && c.preferredAgent !== null) {
      const p = this.agents.get(c.preferredAgent);
      if (p && p.free && this.canTake(p, c)) {
        const ex = explanation({ ...base, rule: 'preferredAgent', lane: c.lane.key, considered: 1, top: [{ id: p.cfg.id, key: [p.cfg.id] }], keyNames: KEY_NAMES.preferredAgent });
        return this.assign(c, p, now, null, ex, out);
      }
    }
    if (c.holdUntil !== null) return;
    const tries = [{ via: q, lane: c.lane, r: c.relaxBy }, ...c.added.map((a) => ({ via: a, lane: a.lane, r: 0 }))];
    for (const t of tries) {
      const cands = [...this.agents.values()].filter((a) => a.free && !c.excluded.has(a.cfg.id) && this.qualifies(a, t.lane, t.r));
      if (cands.length === 0) continue;
      const keyed = cands.map((a) => ({ a, id: a.cfg.id, key: this.agentKey(t.via.order, t.via, t.lane, a) })).sort((x, y) => compareKeys(x.key, y.key));
      const top = keyed.slice(0, TOP_K).map(({ id, key }) => ({ id, key }));
      const ex = explanation({ ...base, rule: t.via.order, lane: t.lane.key, considered: cands.length, top, keyNames: KEY_NAMES[t.via.order] });
      return this.assign(c, keyed[0]!.a, now, t.via, ex, out);
    }
  }

  private matchAgent(a: RAgent, now: number, trigger: RouterEvent['kind'], out: Effect[]): void {
    const waiting = this.waitingCalls();
    const held = waiting.filter((c) => c.holdUntil !== null && c.preferredAgent === a.cfg.id && this.canTake(a, c));
    const pool = held.length > 0 ? held : waiting.filter((c) => c.holdUntil === null && this.canTake(a, c));
    if (pool.length === 0) return;
    const best = new Map<QueueRule, RCall>();
    for (const c of pool) {
      const cur = best.get(c.queue);
      if (!cur || this.queueBefore(c, cur)) best.set(c.queue, c);
    }
    const ww = (c: RCall): number => (now - c.queuedAt) * c.queue.weight * (1 + this.effPriority(c));
    const heads = [...best.values()].sort((x, y) => compareKeys([-x.queue.tier, -ww(x), x.queuedAt, x.seq], [-y.queue.tier, -ww(y), y.queuedAt, y.seq]));
    const w = heads[0]!;
    const top = heads.slice(0, TOP_K).map((c) => ({ id: c.id, key: [c.queue.tier, ww(c), c.queuedAt, c.seq] }));
    const rule = held.length > 0 ? 'preferredAgent' : 'fairness';
    const ex = explanation({ direction: 'agentToCall', trigger, rule, queue: w.queue.id, lane: w.lane.key, step: w.stepsDone - 1, relaxBy: w.relaxBy, considered: heads.length, top, keyNames: KEY_NAMES.fairness });
    this.assign(w, a, now, null, ex, out);
  }

  private assign(c: RCall, a: RAgent, now: number, via: QueueRule | null, ex: Explanation, out: Effect[]): void {
    c.state = 'offered';
    c.explanation = ex;
    a.free = false;
    const ptr = { rank: a.cfg.rank ?? 0, id: a.cfg.id };
    if (c.queue.order === 'roundRobin') this.pointers.set(c.queue.id, ptr);
    if (via && via !== c.queue && via.order === 'roundRobin') this.pointers.set(via.id, ptr);
    this.rates.record(c.queue.id, now);
    out.push({ kind: 'assign', callId: c.id, agentId: a.cfg.id, queue: c.queue.id, explanation: ex });
  }

  private reconfigure(config: RouterConfig, now: number, out: Effect[]): void {
    const cfg = normalizeConfig(config);
    this.cfg = cfg;
    const old = this.rates;
    this.rates = new ServiceRates(cfg.estimate);
    this.rates.adopt(old);
    for (const c of [...this.calls.values()].sort((x, y) => x.seq - y.seq)) {
      const q = cfg.queues.get(c.queue.id);
      // A business service that is gone (or no longer names its own skills): its calls wait on
      // under the queue's own rules rather than being dropped.
      const lane = q && (c.lane === c.queue.lane ? q.lane : (cfg.lanes.find((l) => l.key === c.lane.key) ?? q.lane));
      if (!q || !lane) {
        this.calls.delete(c.id);
        if (c.state === 'waiting') out.push({ kind: 'unroutable', callId: c.id, reason: 'unknownQueue' });
        continue;
      }
      c.queue = q;
      c.lane = lane;
      c.added = c.added.map((a) => cfg.queues.get(a.id)).filter((a): a is QueueRule => a !== undefined && a !== q);
      c.stepsDone = Math.min(c.stepsDone, q.steps.length);
      if (c.state === 'waiting') this.settle(c, now, 'reconfigured', out);
    }
  }
}

function int0(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? Math.trunc(n) : 0;
}
