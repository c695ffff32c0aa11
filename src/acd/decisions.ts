/**
 * The two searches the router makes, each ending in an assignment with its explanation:
 *  - call → agent: the preferred agent (customer rules) if free and qualified; nobody while the
 *    call is held for that agent; else the best free agent of the call's lane at its relax level
 *    by the queue's order; else, in the order they were added, each borrowed queue's lane (relax
 *    0) by that queue's order;
 *  - agent → call: calls held for this agent first; else the heads of every sub-queue the agent
 *    qualifies for, one per queue by queue order, then across queues by fairness.
 *
 * Trade-off: plain functions over the router's state rather than methods, so the Router class
 * stays the event API and these stay the rules; neither allocates more than the explanation.
 */
import type { AgentEntry, AgentIndex } from './agent-index.ts';
import type { QueueRule } from './config.ts';
import type { ServiceRates } from './estimate.ts';
import { tieBreak, TOP_K } from './explain.ts';
import { candidateKey, type RrPointer } from './strategies/agent-orders.ts';
import { fairnessKey, type FairnessPicker } from './strategies/fairness.ts';
import { KEY_NAMES, type Effect, type Explanation, type RouterEvent, type ScoredCandidate } from './types.ts';
import type { CallRec, SubQueue, WaitingCalls } from './waiting-calls.ts';

export interface RouterState {
  agents: AgentIndex;
  waiting: WaitingCalls;
  /** Round-robin position per queue id. */
  pointers: Map<string, RrPointer>;
  rates: ServiceRates;
  picker: FairnessPicker;
}

type Trigger = RouterEvent['kind'];

export function qualifiesForCall(s: RouterState, e: AgentEntry, c: CallRec): boolean {
  if (s.agents.qualifies(e, c.lane, c.relaxBy)) return true;
  for (const q of c.added) if (s.agents.qualifies(e, q.lane, 0)) return true;
  return false;
}

/** Call → agent, for an un-indexed waiting call. */
export function matchCall(s: RouterState, c: CallRec, now: number, trigger: Trigger): Effect | null {
  const q = c.queue;
  if (q.customer && c.preferredAgent !== null) {
    const p = s.agents.agents.get(c.preferredAgent);
    if (p?.pooled && !c.excluded?.has(p.id) && qualifiesForCall(s, p, c)) {
      const top = [{ id: p.id, key: [p.id] }];
      return assign(s, c, p, now, null, explain('callToAgent', trigger, 'preferredAgent', c, c.lane.key, 1, top, KEY_NAMES.preferredAgent));
    }
  }
  if (c.holdUntil !== null) return null;
  for (let i = -1; i < c.added.length; i++) {
    const via = i < 0 ? q : c.added[i]!;
    const lane = i < 0 ? c.lane : via.lane;
    const pointer = via.order === 'roundRobin' ? (s.pointers.get(via.id) ?? null) : null;
    const best = s.agents.best(lane, i < 0 ? c.relaxBy : 0, c.excluded, pointer, TOP_K);
    const winner = best.top[0];
    if (!winner) continue;
    const top = best.top.map((cd) => ({ id: cd.agent.id, key: candidateKey(via.order, via.leastBusyBy, cd) }));
    const ex = explain('callToAgent', trigger, via.order, c, lane.key, best.considered, top, KEY_NAMES[via.order]);
    return assign(s, c, winner.agent as AgentEntry, now, via, ex);
  }
  return null;
}

/** Agent → call, for a free agent that is not in its pools. */
export function matchAgent(s: RouterState, e: AgentEntry, now: number, trigger: Trigger): Effect | null {
  const pick = s.picker;
  pick.begin();
  const held = s.waiting.heldFor(e.id);
  if (held) for (const c of held) if (!c.excluded?.has(e.id) && qualifiesForCall(s, e, c)) pick.offer(c);
  const rule = pick.count > 0 ? 'preferredAgent' : 'fairness';
  if (pick.count === 0) {
    const ms = e.memberships;
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i]!;
      const subs = s.waiting.subQueues(m.lane);
      for (let j = 0; j < subs.length; j++) {
        const sq = subs[j]!;
        if (sq.relax < m.needRelax) continue;
        const head = sq.heap.peek();
        if (head === undefined) continue;
        if (head.excluded === null || !head.excluded.has(e.id)) pick.offer(head);
        else {
          const c = firstNotExcluding(sq, e.id);
          if (c) pick.offer(c);
        }
      }
    }
  }
  if (pick.count === 0) return null;
  const heads = pick.top(TOP_K, now);
  const w = heads[0]!;
  const top = heads.map((c) => ({ id: c.id, key: fairnessKey(c, now) }));
  return assign(s, w, e, now, null, explain('agentToCall', trigger, rule, w, w.lane.key, pick.count, top, KEY_NAMES.fairness));
}

function firstNotExcluding(sq: SubQueue, agentId: string): CallRec | undefined {
  return sq.heap.firstK(1, (c) => c.excluded !== null && c.excluded.has(agentId))[0];
}

function explain(
  direction: Explanation['direction'],
  trigger: Trigger,
  rule: Explanation['rule'],
  c: CallRec,
  lane: string,
  considered: number,
  top: ScoredCandidate[],
  keyNames: readonly string[],
): Explanation {
  return {
    direction,
    trigger,
    rule,
    queue: c.queue.id,
    lane,
    step: c.stepsDone - 1,
    relaxBy: c.relaxBy,
    considered,
    top,
    keyNames,
    winner: top[0]!.id,
    tieBreak: tieBreak(keyNames, top),
  };
}

function assign(s: RouterState, c: CallRec, e: AgentEntry, now: number, via: QueueRule | null, ex: Explanation): Effect {
  s.waiting.unindex(c);
  c.state = 'offered';
  c.explanation = ex;
  e.free = false;
  s.agents.unpool(e);
  if (c.queue.order === 'roundRobin' || (via && via !== c.queue && via.order === 'roundRobin')) {
    const ptr = { rank: e.rank, id: e.id };
    if (c.queue.order === 'roundRobin') s.pointers.set(c.queue.id, ptr);
    if (via && via !== c.queue && via.order === 'roundRobin') s.pointers.set(via.id, ptr);
  }
  s.rates.record(c.queue.id, now);
  return { kind: 'assign', callId: c.id, agentId: e.id, queue: c.queue.id, explanation: ex };
}
