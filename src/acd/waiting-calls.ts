/**
 * Waiting calls, indexed four ways:
 *  - per lane, sub-queues keyed by (relax level, origin queue), each a heap in queue order, so a
 *    freed agent looks only at the heads of sub-queues it qualifies for (its needRelax in that
 *    lane <= the sub-queue's relax level). A call borrowed by another queue ("addQueue" step)
 *    also sits in a sub-queue of that queue's lane, at relax level 0, with its own queue as origin;
 *  - per preferred agent, the calls held for that agent (customer rules) — a held call sits
 *    nowhere else, because nobody else may take it yet;
 *  - one deadline heap (next time-based transition, then arrival), so `nextDeadline()` is O(1) and
 *    a tick touches only calls that are due;
 *  - per queue, an ordered set in queue order, so a caller's position is a rank query.
 *
 * Trade-off: a call whose state changes (relax step, hold end, borrowed) is un-indexed and
 * indexed again rather than patched in place: O(slots × log n) with slots = 1 + borrowing
 * queues, and one code path that cannot forget an index.
 */
import type { Lane, NormalConfig, QueueRule } from './config.ts';
import { heapNode, IndexedHeap, type HeapNode } from './indexed-heap.ts';
import { OrderedSet } from './ordered-set.ts';
import type { Explanation } from './types.ts';

export interface CallRec {
  readonly id: string;
  /** Arrival order in this router; the last tie-break everywhere. */
  readonly seq: number;
  readonly queuedAt: number;
  readonly priority: number;
  readonly vipLevel: number;
  readonly preferredAgent: string | null;
  queue: QueueRule;
  lane: Lane;
  effPriority: number;
  /** When the call entered its current queue; time-based rules count from here. */
  enteredAt: number;
  relaxBy: number;
  /** Number of the queue's steps applied so far. */
  stepsDone: number;
  added: QueueRule[];
  /** Held for the preferred agent until then; null: not held. */
  holdUntil: number | null;
  /** Agents not to be offered the call, until when (ms): they let it ring unanswered. */
  excluded: Map<string, number> | null;
  state: 'waiting' | 'offered';
  indexed: boolean;
  /** Sub-queue of its own lane (handle allocated once with the call), while indexed. */
  ownSq: SubQueue | null;
  ownNode: HeapNode<CallRec>;
  /** Sub-queues of queues that borrowed it (addQueue steps). */
  borrowed: Slot[];
  deadline: number;
  deadlineNode: HeapNode<CallRec>;
  explanation: Explanation | null;
}

interface Slot {
  sq: SubQueue;
  node: HeapNode<CallRec>;
}

export interface SubQueue {
  /** min(relaxBy, 4): needRelax is never above 4 (levels 1..5). */
  readonly relax: number;
  readonly origin: QueueRule;
  readonly heap: IndexedHeap<CallRec>;
}

/** Queue order: higher effective priority, then earlier queuedAt, then arrival (seq). */
export function queueCmp(a: CallRec, b: CallRec): number {
  return b.effPriority - a.effPriority || a.queuedAt - b.queuedAt || a.seq - b.seq;
}
const queueLess = (a: CallRec, b: CallRec): boolean => queueCmp(a, b) < 0;

export const MAX_RELAX = 4;

export class WaitingCalls {
  private readonly subs: { list: SubQueue[]; byKey: Map<number, SubQueue> }[];
  private readonly held = new Map<string, Set<CallRec>>();
  private readonly positions: OrderedSet<CallRec>[];
  private readonly deadlines = new IndexedHeap<CallRec>((a, b) => a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq));

  constructor(cfg: NormalConfig) {
    this.subs = cfg.lanes.map(() => ({ list: [], byKey: new Map() }));
    this.positions = cfg.queueList.map(() => new OrderedSet<CallRec>(queueCmp));
  }

  index(c: CallRec, deadline: number): void {
    if (c.indexed) this.unindex(c);
    c.indexed = true;
    this.positions[c.queue.idx]!.add(c);
    c.deadline = deadline;
    if (deadline !== Infinity) this.deadlines.push(c.deadlineNode);
    if (c.holdUntil !== null && c.preferredAgent !== null) {
      let set = this.held.get(c.preferredAgent);
      if (!set) this.held.set(c.preferredAgent, (set = new Set()));
      set.add(c);
      return;
    }
    const own = this.subQueue(c, c.lane, Math.min(c.relaxBy, MAX_RELAX));
    own.heap.push(c.ownNode);
    c.ownSq = own;
    for (const q of c.added) {
      const sq = this.subQueue(c, q.lane, 0);
      const node = heapNode(c);
      sq.heap.push(node);
      c.borrowed.push({ sq, node });
    }
  }

  unindex(c: CallRec): void {
    if (!c.indexed) return;
    c.indexed = false;
    this.positions[c.queue.idx]!.delete(c);
    this.deadlines.remove(c.deadlineNode);
    if (c.ownSq) {
      c.ownSq.heap.remove(c.ownNode);
      c.ownSq = null;
    }
    for (const s of c.borrowed) s.sq.heap.remove(s.node);
    c.borrowed.length = 0;
    if (c.preferredAgent !== null) {
      const set = this.held.get(c.preferredAgent);
      if (set?.delete(c) && set.size === 0) this.held.delete(c.preferredAgent);
    }
  }

  /** Calls held for this agent (customer rules), if any. */
  heldFor(agentId: string): ReadonlySet<CallRec> | undefined {
    return this.held.get(agentId);
  }

  subQueues(lane: Lane): readonly SubQueue[] {
    return this.subs[lane.idx]!.list;
  }

  nextDeadline(): number | null {
    return this.deadlines.peek()?.deadline ?? null;
  }

  /** The call with the earliest deadline if it is due at `now`, un-indexed; null otherwise. */
  takeDue(now: number): CallRec | null {
    const c = this.deadlines.peek();
    if (!c || c.deadline > now) return null;
    this.unindex(c);
    return c;
  }

  /** 1-based position of an indexed call in its queue. */
  position(c: CallRec): number {
    return this.positions[c.queue.idx]!.rank(c) + 1;
  }

  count(q: QueueRule): number {
    return this.positions[q.idx]!.size;
  }

  /** The queue's waiting calls in queue order (O(n): for statistics and displays). */
  inQueue(q: QueueRule): CallRec[] {
    return this.positions[q.idx]!.values();
  }

  private subQueue(c: CallRec, lane: Lane, relax: number): SubQueue {
    const lc = this.subs[lane.idx]!;
    const key = c.queue.idx * (MAX_RELAX + 1) + relax;
    let sq = lc.byKey.get(key);
    if (!sq) {
      sq = { relax, origin: c.queue, heap: new IndexedHeap<CallRec>(queueLess) };
      lc.byKey.set(key, sq);
      lc.list.push(sq);
    }
    return sq;
  }
}
