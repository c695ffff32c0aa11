/**
 * Which waiting call a free agent takes when it could take several. Two phases:
 *  1. per queue, the queue's own order picks that queue's best call (effective priority, then
 *     queuedAt, then arrival seq) — within a queue, priority is strict;
 *  2. across queues: higher queue tier first, then the longest *weighted* wait
 *     (now − queuedAt) × queue weight × (1 + effective priority), then queuedAt, then seq.
 *
 * Trade-off: weighted waits change with time, so they cannot order a heap; they are compared
 * only among the one-per-queue heads of phase 1, whose number is bounded by the queues the agent
 * serves, not by the number of waiting calls. The picker keeps scratch arrays indexed by queue
 * (a generation stamp instead of clearing them), so a decision allocates almost nothing.
 */
import type { QueueRule } from '../config.ts';
import type { CallRec, SubQueue } from '../waiting-calls.ts';

export function weightedWait(c: CallRec, now: number): number {
  return (now - c.queuedAt) * c.queue.weight * (1 + c.effPriority);
}

/** The key shown in explanations, in the order of KEY_NAMES.fairness. */
export function fairnessKey(c: CallRec, now: number): number[] {
  return [c.queue.tier, weightedWait(c, now), c.queuedAt, c.seq];
}

/**
 * Candidates are offered as numbers (queue index, effective priority, queuedAt, seq) with where
 * the call is: a call record, or a sub-queue whose head it is, read only if it is among the best.
 * Every array is allocated once, sized by the number of queues.
 */
export class FairnessPicker {
  private readonly stamp: Uint32Array;
  private readonly slot: Int32Array;
  private gen = 0;
  private n = 0;
  private readonly qi: Int32Array;
  private readonly prio: Float64Array;
  private readonly at: Float64Array;
  private readonly seq: Float64Array;
  private readonly wait: Float64Array;
  private readonly calls: (CallRec | null)[];
  private readonly subs: (SubQueue | null)[];
  private readonly weight: Float64Array;
  private readonly tier: Float64Array;
  private readonly best: number[] = [];
  private readonly out: CallRec[] = [];

  constructor(queues: readonly QueueRule[]) {
    const n = queues.length;
    this.stamp = new Uint32Array(n);
    this.slot = new Int32Array(n);
    this.qi = new Int32Array(n);
    this.prio = new Float64Array(n);
    this.at = new Float64Array(n);
    this.seq = new Float64Array(n);
    this.wait = new Float64Array(n);
    this.calls = new Array<CallRec | null>(n).fill(null);
    this.subs = new Array<SubQueue | null>(n).fill(null);
    this.weight = Float64Array.from(queues, (q) => q.weight);
    this.tier = Float64Array.from(queues, (q) => q.tier);
  }

  /** Number of queues with a candidate (phase-1 heads). */
  get count(): number {
    return this.n;
  }

  begin(): void {
    this.n = 0;
    if (++this.gen === 0xffffffff) {
      this.stamp.fill(0);
      this.gen = 1;
    }
  }

  /** Phase 1: keeps the best candidate per queue (duplicates are harmless). */
  offer(c: CallRec): void {
    this.offerKey(c.queue.idx, c.effPriority, c.queuedAt, c.seq, c, null);
  }

  /** Phase 1, from numbers: the call is `call`, or else the head of `sub`. */
  offerKey(qi: number, prio: number, at: number, seq: number, call: CallRec | null, sub: SubQueue | null): void {
    let i: number;
    if (this.stamp[qi] !== this.gen) {
      this.stamp[qi] = this.gen;
      i = this.n++;
      this.slot[qi] = i;
      this.qi[i] = qi;
    } else {
      i = this.slot[qi]!;
      // Queue order: higher effective priority, then earlier queuedAt, then arrival.
      if ((this.prio[i]! - prio || at - this.at[i]! || seq - this.seq[i]!) >= 0) return;
    }
    this.prio[i] = prio;
    this.at[i] = at;
    this.seq[i] = seq;
    this.calls[i] = call;
    this.subs[i] = sub;
  }

  /** Phase 2: the best `k` heads, best first. The array is reused by the next call. */
  top(k: number, now: number): readonly CallRec[] {
    const n = this.n;
    for (let i = 0; i < n; i++) this.wait[i] = (now - this.at[i]!) * this.weight[this.qi[i]!]! * (1 + this.prio[i]!);
    // Insertion into the best k (k is 3): no splice, no allocation.
    const best = this.best;
    let m = 0;
    for (let i = 0; i < n; i++) {
      let j = m;
      while (j > 0 && this.before(i, best[j - 1]!)) j--;
      if (j >= k) continue;
      for (let t = Math.min(m, k - 1); t > j; t--) best[t] = best[t - 1]!;
      best[j] = i;
      if (m < k) m++;
    }
    best.length = m;
    const out = this.out;
    out.length = best.length;
    for (let j = 0; j < best.length; j++) {
      const i = best[j]!;
      out[j] = this.calls[i] ?? this.subs[i]!.heap.peek()!;
    }
    // Let go of the records, so a spare one is not kept alive here.
    for (let i = 0; i < n; i++) {
      this.calls[i] = null;
      this.subs[i] = null;
    }
    return out;
  }

  private before(i: number, j: number): boolean {
    return (this.tier[this.qi[j]!]! - this.tier[this.qi[i]!]! || this.wait[j]! - this.wait[i]! || this.at[i]! - this.at[j]! || this.seq[i]! - this.seq[j]!) < 0;
  }
}
