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
import type { CallRec } from '../waiting-calls.ts';
import { queueCmp } from '../waiting-calls.ts';

export function weightedWait(c: CallRec, now: number): number {
  return (now - c.queuedAt) * c.queue.weight * (1 + c.effPriority);
}

/** The key shown in explanations, in the order of KEY_NAMES.fairness. */
export function fairnessKey(c: CallRec, now: number): number[] {
  return [c.queue.tier, weightedWait(c, now), c.queuedAt, c.seq];
}

export class FairnessPicker {
  private readonly stamp: Uint32Array;
  private readonly slot: Int32Array;
  private gen = 0;
  private readonly heads: CallRec[] = [];
  private readonly waits: number[] = [];

  constructor(queues: number) {
    this.stamp = new Uint32Array(queues);
    this.slot = new Int32Array(queues);
  }

  /** Number of queues with a candidate (phase-1 heads). */
  get count(): number {
    return this.heads.length;
  }

  begin(): void {
    this.heads.length = 0;
    if (++this.gen === 0xffffffff) {
      this.stamp.fill(0);
      this.gen = 1;
    }
  }

  /** Phase 1: keeps the best candidate per queue (duplicates are harmless). */
  offer(c: CallRec): void {
    const qi = c.queue.idx;
    if (this.stamp[qi] !== this.gen) {
      this.stamp[qi] = this.gen;
      this.slot[qi] = this.heads.length;
      this.heads.push(c);
    } else {
      const i = this.slot[qi]!;
      if (queueCmp(c, this.heads[i]!) < 0) this.heads[i] = c;
    }
  }

  /** Phase 2: the best `k` heads, best first. */
  top(k: number, now: number): CallRec[] {
    const heads = this.heads;
    const waits = this.waits;
    waits.length = heads.length;
    for (let i = 0; i < heads.length; i++) waits[i] = weightedWait(heads[i]!, now);
    const best: number[] = [];
    for (let i = 0; i < heads.length; i++) {
      let j = best.length;
      while (j > 0 && this.before(i, best[j - 1]!)) j--;
      if (j < k) {
        best.splice(j, 0, i);
        if (best.length > k) best.pop();
      }
    }
    return best.map((i) => heads[i]!);
  }

  private before(i: number, j: number): boolean {
    const a = this.heads[i]!;
    const b = this.heads[j]!;
    return (b.queue.tier - a.queue.tier || this.waits[j]! - this.waits[i]! || a.queuedAt - b.queuedAt || a.seq - b.seq) < 0;
  }
}
