/**
 * Baseline 1: no index, one linear scan per decision — what an ACD without routing indexes does
 * (Asterisk app_queue walks the member list for every caller it tries). A new call scans every
 * agent; a freed agent scans every waiting call. Same rules and tie-breaks as the router (the
 * bench checks that every decision agrees), typed arrays and no allocation in the scans, so the
 * comparison measures the algorithm, not sloppy code.
 */
import type { BenchCall, World } from './workload.ts';

interface LCall {
  id: string;
  queue: number;
  queuedAt: number;
  seq: number;
  relax: number;
}

export class LinearBaseline {
  private readonly free: Uint8Array;
  private readonly idleSince: Float64Array;
  private readonly calls: LCall[] = [];
  private seq = 0;

  constructor(private readonly w: World) {
    this.free = new Uint8Array(w.agents.length);
    this.idleSince = new Float64Array(w.agents.length);
  }

  load(calls: readonly BenchCall[]): void {
    for (const c of calls) this.calls.push({ id: c.id, queue: c.queue, queuedAt: c.queuedAt, seq: ++this.seq, relax: c.relax });
  }

  /** A new call: the best free agent (its id), or '' and the call waits. */
  callArrives(id: string, queue: number, now: number): string {
    const q = this.w.queues[queue]!;
    const skill = q.order === 'skillBased';
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i] === 0) continue;
      const levels = this.w.agents[i]!.levels;
      let need = 0;
      let score = 0;
      let ok = true;
      for (const r of q.req) {
        const l = levels[r.skill]!;
        if (l === 0) {
          ok = false;
          break;
        }
        if (l - r.minLevel > need) need = l - r.minLevel;
        score += l;
      }
      // A new call is at relax level 0 for the whole run.
      if (!ok || need > 0) continue;
      if (!skill) score = 0;
      // Agent ids are zero-padded, so index order is id order.
      if (best < 0 || score < bestScore || (score === bestScore && this.idleSince[i]! < this.idleSince[best]!)) {
        best = i;
        bestScore = score;
      }
    }
    if (best < 0) {
      this.calls.push({ id, queue, queuedAt: now, seq: ++this.seq, relax: 0 });
      return '';
    }
    this.free[best] = 0;
    return this.w.agents[best]!.id;
  }

  /** A freed agent: the waiting call it takes (its id), or '' and the agent waits. */
  agentFrees(agent: number, now: number): string {
    const levels = this.w.agents[agent]!.levels;
    const queues = this.w.queues;
    let best = -1;
    let bTier = 0;
    let bWait = 0;
    for (let i = 0; i < this.calls.length; i++) {
      const c = this.calls[i]!;
      const q = queues[c.queue]!;
      let ok = true;
      for (const r of q.req) {
        const l = levels[r.skill]!;
        if (l === 0 || l - r.minLevel > c.relax) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      const wait = (now - c.queuedAt) * q.weight;
      if (best >= 0) {
        const b = this.calls[best]!;
        if (q.tier < bTier || (q.tier === bTier && (wait < bWait || (wait === bWait && (c.queuedAt > b.queuedAt || (c.queuedAt === b.queuedAt && c.seq > b.seq)))))) continue;
      }
      best = i;
      bTier = q.tier;
      bWait = wait;
    }
    if (best < 0) {
      this.free[agent] = 1;
      this.idleSince[agent] = now;
      return '';
    }
    const c = this.calls[best]!;
    this.calls[best] = this.calls[this.calls.length - 1]!;
    this.calls.pop();
    return c.id;
  }
}
