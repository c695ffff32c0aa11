/**
 * The five agent orders ("strategies") as data: how free agents of one pool are ordered, and how
 * candidates from several pools compare. Every order ends in the agent id, so the choice is a
 * strict total order and the fast router and the reference router agree on every tie:
 *
 *   longestIdle  idleSince, agentId
 *   skillBased   skillScore (sum of the agent's levels on the lane's required skills; lower is
 *                better), idleSince, agentId
 *   linear       rank, agentId
 *   roundRobin   wrapped (0 after the queue's last-served agent in (rank, agentId) order, 1 at or
 *                before it), rank, agentId
 *   leastBusy    calls today (or talk ms today), idleSince, agentId
 *
 * Trade-off: a pool holds agents of one (needRelax, skillScore) bucket, so inside a pool only
 * the per-agent part of the key matters; the bucket's skillScore is added when candidates of
 * different pools meet. Round robin needs "first after the pointer", which a heap cannot answer,
 * so its pools are ordered sets.
 */
import { IndexedHeap, type HeapNode } from '../indexed-heap.ts';
import { OrderedSet } from '../ordered-set.ts';
import type { AgentConfig, AgentOrder } from '../types.ts';
import { assertNever } from '../config.ts';

export interface AgentRec {
  readonly id: string;
  cfg: AgentConfig;
  skills: Map<string, number>;
  rank: number;
  free: boolean;
  idleSince: number;
  calls: number;
  talkMs: number;
}

/** Round-robin position: the last agent served, by (rank, agentId). */
export interface RrPointer {
  rank: number;
  id: string;
}

export interface Candidate {
  agent: AgentRec;
  score: number;
  wrapped: number;
}

export interface AgentPool {
  readonly size: number;
  add(node: HeapNode<AgentRec>): void;
  remove(node: HeapNode<AgentRec>): void;
  /** The agent's key changed (leastBusy figures). */
  update(node: HeapNode<AgentRec>): void;
  /** Up to k agents in order (round robin: starting after `pointer`), skipping `skip`. */
  firstK(k: number, skip: ((a: AgentRec) => boolean) | undefined, pointer: RrPointer | null): AgentRec[];
}

export function cmpId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isAfter(a: AgentRec, p: RrPointer | null): boolean {
  return p === null || a.rank > p.rank || (a.rank === p.rank && a.id > p.id);
}

export function metric(a: AgentRec, by: 'calls' | 'talkTime'): number {
  return by === 'calls' ? a.calls : a.talkMs;
}

/** Order inside one pool: `less(a, b)` when a comes first. */
function poolLess(order: Exclude<AgentOrder, 'roundRobin'>, by: 'calls' | 'talkTime'): (a: AgentRec, b: AgentRec) => boolean {
  switch (order) {
    case 'longestIdle':
    case 'skillBased':
      return (a, b) => a.idleSince < b.idleSince || (a.idleSince === b.idleSince && a.id < b.id);
    case 'linear':
      return (a, b) => a.rank < b.rank || (a.rank === b.rank && a.id < b.id);
    case 'leastBusy':
      return (a, b) => {
        const ma = metric(a, by);
        const mb = metric(b, by);
        return ma < mb || (ma === mb && (a.idleSince < b.idleSince || (a.idleSince === b.idleSince && a.id < b.id)));
      };
    default:
      return assertNever(order);
  }
}

class HeapPool implements AgentPool {
  private readonly heap: IndexedHeap<AgentRec>;
  constructor(less: (a: AgentRec, b: AgentRec) => boolean) {
    this.heap = new IndexedHeap(less);
  }
  get size(): number {
    return this.heap.size;
  }
  add(node: HeapNode<AgentRec>): void {
    this.heap.push(node);
  }
  remove(node: HeapNode<AgentRec>): void {
    this.heap.remove(node);
  }
  update(node: HeapNode<AgentRec>): void {
    this.heap.update(node);
  }
  firstK(k: number, skip: ((a: AgentRec) => boolean) | undefined): AgentRec[] {
    return this.heap.firstK(k, skip);
  }
}

const byRank = (a: AgentRec, b: AgentRec): number => a.rank - b.rank || cmpId(a.id, b.id);

class RingPool implements AgentPool {
  private readonly set = new OrderedSet<AgentRec>(byRank);
  get size(): number {
    return this.set.size;
  }
  add(node: HeapNode<AgentRec>): void {
    this.set.add(node.value);
  }
  remove(node: HeapNode<AgentRec>): void {
    this.set.delete(node.value);
  }
  update(): void {
    // The key (rank, id) does not change while the agent is in the pool.
  }
  firstK(k: number, skip: ((a: AgentRec) => boolean) | undefined, pointer: RrPointer | null): AgentRec[] {
    const out: AgentRec[] = [];
    const take = (a: AgentRec): boolean => {
      if (!skip || !skip(a)) out.push(a);
      return out.length < k;
    };
    this.set.scan((a) => isAfter(a, pointer), take);
    if (out.length < k && pointer) this.set.scan(null, (a) => !isAfter(a, pointer) && take(a));
    return out;
  }
}

export function makePool(order: AgentOrder, by: 'calls' | 'talkTime'): AgentPool {
  return order === 'roundRobin' ? new RingPool() : new HeapPool(poolLess(order, by));
}

/** Compares candidates from different pools of one lane (negative: a first). */
export function compareCandidates(order: AgentOrder, by: 'calls' | 'talkTime'): (a: Candidate, b: Candidate) => number {
  const idle = (a: Candidate, b: Candidate): number => a.agent.idleSince - b.agent.idleSince || cmpId(a.agent.id, b.agent.id);
  switch (order) {
    case 'longestIdle':
      return idle;
    case 'skillBased':
      return (a, b) => a.score - b.score || idle(a, b);
    case 'linear':
      return (a, b) => byRank(a.agent, b.agent);
    case 'roundRobin':
      return (a, b) => a.wrapped - b.wrapped || byRank(a.agent, b.agent);
    case 'leastBusy':
      return (a, b) => metric(a.agent, by) - metric(b.agent, by) || idle(a, b);
    default:
      return assertNever(order);
  }
}

/** The key shown in explanations, in the order of KEY_NAMES[order]. */
export function candidateKey(order: AgentOrder, by: 'calls' | 'talkTime', c: Candidate): (number | string)[] {
  const a = c.agent;
  switch (order) {
    case 'longestIdle':
      return [a.idleSince, a.id];
    case 'skillBased':
      return [c.score, a.idleSince, a.id];
    case 'linear':
      return [a.rank, a.id];
    case 'roundRobin':
      return [c.wrapped, a.rank, a.id];
    case 'leastBusy':
      return [metric(a, by), a.idleSince, a.id];
    default:
      return assertNever(order);
  }
}
