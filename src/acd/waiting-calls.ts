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
 * Each lane also keeps its sub-queues' heads as numbers in one packed array (`LaneHeads`), updated
 * whenever a sub-queue changes: a freed agent compares the heads of every sub-queue it may take
 * from (20–60 of them) reading only that array, and touches call records only for the few best.
 *
 * Trade-off: a call whose state changes (relax step, hold end, borrowed) is un-indexed and
 * indexed again rather than patched in place: O(slots × log n) with slots = 1 + borrowing
 * queues, and one code path that cannot forget an index. The packed heads cost a few stores per
 * index change, paid so that the other direction (an agent freed) reads no call record.
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
  /** The lane's packed heads, and this sub-queue's place in them. */
  readonly heads: LaneHeads;
  readonly slot: number;
}

/** Fields of one sub-queue in `LaneHeads.data`. */
export const HEAD_RELAX = 0;
export const HEAD_ORIGIN = 1;
export const HEAD_PRIORITY = 2;
export const HEAD_QUEUED_AT = 3;
export const HEAD_SEQ = 4;
/** HEAD_EMPTY, HEAD_PLAIN, or HEAD_EXCLUDES: the head call excludes some agents (look closer). */
export const HEAD_STATE = 5;
export const HEAD_STRIDE = 6;
export const HEAD_EMPTY = 0;
export const HEAD_PLAIN = 1;
export const HEAD_EXCLUDES = 2;

/** A lane's sub-queues, with each one's head call as numbers (its queue-order key), packed. */
export class LaneHeads {
  /** Sub-queues in the lane. */
  n = 0;
  data = new Float64Array(4 * HEAD_STRIDE);
  readonly subs: SubQueue[] = [];
}

/** Queue order: higher effective priority, then earlier queuedAt, then arrival (seq). */
export function queueCmp(a: CallRec, b: CallRec): number {
  return b.effPriority - a.effPriority || a.queuedAt - b.queuedAt || a.seq - b.seq;
}
const queueLess = (a: CallRec, b: CallRec): boolean => queueCmp(a, b) < 0;

export const MAX_RELAX = 4;

export class WaitingCalls {
  private readonly subs: { heads: LaneHeads; byKey: Map<number, SubQueue> }[];
  private readonly held = new Map<string, Set<CallRec>>();
  private readonly positions: OrderedSet<CallRec>[];
  private readonly deadlines = new IndexedHeap<CallRec>((a, b) => a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq));

  constructor(cfg: NormalConfig) {
    this.subs = cfg.lanes.map(() => ({ heads: new LaneHeads(), byKey: new Map() }));
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
    refreshHead(own);
    c.ownSq = own;
    for (const q of c.added) {
      const sq = this.subQueue(c, q.lane, 0);
      const node = heapNode(c);
      sq.heap.push(node);
      refreshHead(sq);
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
      refreshHead(c.ownSq);
      c.ownSq = null;
    }
    for (const s of c.borrowed) {
      s.sq.heap.remove(s.node);
      refreshHead(s.sq);
    }
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

  /** The lane's sub-queues and their heads. */
  heads(laneIdx: number): LaneHeads {
    return this.subs[laneIdx]!.heads;
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
      const heads = lc.heads;
      sq = { relax, origin: c.queue, heap: new IndexedHeap<CallRec>(queueLess), heads, slot: heads.n };
      lc.byKey.set(key, sq);
      heads.subs.push(sq);
      if ((heads.n + 1) * HEAD_STRIDE > heads.data.length) {
        const bigger = new Float64Array(heads.data.length * 2);
        bigger.set(heads.data);
        heads.data = bigger;
      }
      const o = heads.n * HEAD_STRIDE;
      heads.data[o + HEAD_RELAX] = relax;
      heads.data[o + HEAD_ORIGIN] = c.queue.idx;
      heads.data[o + HEAD_STATE] = HEAD_EMPTY;
      heads.n++;
    }
    return sq;
  }
}

/** Copies the sub-queue's head key into its lane's packed heads (after any change to its heap). */
function refreshHead(sq: SubQueue): void {
  const d = sq.heads.data;
  const o = sq.slot * HEAD_STRIDE;
  const h = sq.heap.peek();
  if (h === undefined) {
    d[o + HEAD_STATE] = HEAD_EMPTY;
    return;
  }
  d[o + HEAD_PRIORITY] = h.effPriority;
  d[o + HEAD_QUEUED_AT] = h.queuedAt;
  d[o + HEAD_SEQ] = h.seq;
  d[o + HEAD_STATE] = h.excluded !== null ? HEAD_EXCLUDES : HEAD_PLAIN;
}
