/**
 * Free agents, indexed per lane. An agent belongs to a lane when it holds every skill the lane
 * requires, or when the lane is a queue's own lane and the agent lists that queue (an explicit
 * member); within the lane it sits in
 * the bucket of its *needRelax* (how many levels the lane's minimums must be relaxed for it:
 * max(0, level − minLevel) over the required skills, 0..4) and, for skill-based queues, its
 * skill score (sum of its levels there). A call at relax level r looks only at buckets with
 * needRelax <= r and compares their best few agents: O(buckets + log n), independent of the
 * number of agents. Buckets per lane are few: at most 5 (5 × distinct scores for skill-based).
 *
 * Trade-off: an agent is kept in one pool per lane it serves, so becoming free or busy costs
 * O(lanes of the agent × log n), paid once per state change, to make every decision cheap.
 * Lane memberships are computed when the agent is configured, not per event.
 */
import type { Lane, NormalConfig } from './config.ts';
import { heapNode, type HeapNode } from './indexed-heap.ts';
import { compareCandidates, isAfter, makePool, type AgentPool, type AgentRec, type Candidate, type RrPointer } from './strategies/agent-orders.ts';
import type { AgentConfig } from './types.ts';

export interface Membership {
  readonly lane: Lane;
  readonly needRelax: number;
  readonly score: number;
  readonly node: HeapNode<AgentEntry>;
  /** The pool the agent is in for this lane while pooled, else null. */
  bucket: Bucket | null;
  /** The bucket this membership belongs to (fixed for the membership's life; found once). */
  home: Bucket | null;
}

export interface AgentEntry extends AgentRec {
  memberships: Membership[];
  /** The memberships' lanes and needRelax, packed for the freed agent's search. */
  laneIdx: Int32Array;
  laneNeed: Int8Array;
  byLane: Map<number, Membership>;
  /** Free and in its pools (free agents are pooled unless a decision is in progress). */
  pooled: boolean;
}

interface Bucket {
  readonly needRelax: number;
  readonly score: number;
  readonly pool: AgentPool;
}

interface LaneAgents {
  /** Sorted by (score, needRelax): a skill-based search can stop at the first worse score. */
  buckets: Bucket[];
  byKey: Map<number, Bucket>;
  cmp: (a: Candidate, b: Candidate) => number;
}

export interface BestAgents {
  /** Eligible free agents in the lane (not excluded, qualified at the relax level). */
  considered: number;
  /** The best few, best first. */
  top: Candidate[];
}

const NO_LANES = new Int32Array(0);
/** No free agent in the lane: shared, never changed. */
const NO_AGENTS: BestAgents = Object.freeze({ considered: 0, top: Object.freeze([]) as unknown as Candidate[] });
const NO_NEEDS = new Int8Array(0);

export class AgentIndex {
  readonly agents = new Map<string, AgentEntry>();
  private readonly lanes: LaneAgents[];

  constructor(private readonly cfg: NormalConfig) {
    this.lanes = cfg.lanes.map((l) => ({ buckets: [], byKey: new Map(), cmp: compareCandidates(l.queue.order, l.queue.leastBusyBy) }));
  }

  /** Adds or replaces an agent's configuration; state and today's figures are kept. */
  configure(a: AgentConfig): AgentEntry {
    let e = this.agents.get(a.id);
    if (e) {
      this.unpool(e);
      e.cfg = a;
    } else {
      e = { id: a.id, cfg: a, skills: new Map(), rank: 0, free: false, idleSince: 0, calls: 0, talkMs: 0, memberships: [], laneIdx: NO_LANES, laneNeed: NO_NEEDS, byLane: new Map(), pooled: false };
      this.agents.set(a.id, e);
    }
    e.skills = new Map(a.skills.map((s) => [s.skill, s.level]));
    e.rank = a.rank ?? 0;
    e.memberships = this.membershipsOf(e);
    e.laneIdx = Int32Array.from(e.memberships, (m) => m.lane.idx);
    e.laneNeed = Int8Array.from(e.memberships, (m) => m.needRelax);
    e.byLane = new Map(e.memberships.map((m) => [m.lane.idx, m]));
    return e;
  }

  remove(id: string): void {
    const e = this.agents.get(id);
    if (!e) return;
    this.unpool(e);
    this.agents.delete(id);
  }

  pool(e: AgentEntry): void {
    if (e.pooled) return;
    e.pooled = true;
    for (const m of e.memberships) {
      const b = (m.home ??= this.bucketFor(m));
      m.bucket = b;
      b.pool.add(m.node);
    }
  }

  unpool(e: AgentEntry): void {
    if (!e.pooled) return;
    e.pooled = false;
    for (const m of e.memberships) {
      m.bucket?.pool.remove(m.node);
      m.bucket = null;
    }
  }

  /** Re-sorts a pooled agent whose leastBusy figures changed. */
  figuresChanged(e: AgentEntry): void {
    if (!e.pooled) return;
    for (const m of e.memberships) if (m.lane.queue.order === 'leastBusy') m.bucket?.pool.update(m.node);
  }

  qualifies(e: AgentEntry, lane: Lane, relax: number): boolean {
    const m = e.byLane.get(lane.idx);
    return m !== undefined && m.needRelax <= relax;
  }

  /** The best free agents of `lane` at relax level `relax`, skipping `excluded`. */
  best(lane: Lane, relax: number, excluded: ReadonlyMap<string, number> | null, pointer: RrPointer | null, k: number): BestAgents {
    const la = this.lanes[lane.idx]!;
    if (this.readyIn(la, relax) === 0) return NO_AGENTS;
    const skip = excluded && excluded.size > 0 ? (a: AgentRec) => excluded.has(a.id) : undefined;
    const top: Candidate[] = [];
    let considered = 0;
    let maxScore = -Infinity;
    for (const b of la.buckets) {
      if (b.needRelax > relax || b.pool.size === 0) continue;
      considered += b.pool.size;
      if (top.length >= k && b.score > maxScore) continue;
      for (const agent of b.pool.firstK(k, skip, pointer)) {
        top.push({ agent, score: b.score, wrapped: isAfter(agent, pointer) ? 0 : 1 });
        if (b.score > maxScore) maxScore = b.score;
      }
    }
    if (skip) {
      for (const id of excluded!.keys()) {
        const e = this.agents.get(id);
        if (e?.pooled && this.qualifies(e, lane, relax)) considered--;
      }
    }
    if (top.length > 1) top.sort(la.cmp);
    if (top.length > k) top.length = k;
    return { considered, top };
  }

  /** Free agents of the lane qualified at relax level `relax` (no allocation). */
  private readyIn(la: LaneAgents, relax: number): number {
    let n = 0;
    for (const b of la.buckets) if (b.needRelax <= relax) n += b.pool.size;
    return n;
  }

  /** Free agents of the lane at any relax level. */
  readyCount(lane: Lane): number {
    let n = 0;
    for (const b of this.lanes[lane.idx]!.buckets) n += b.pool.size;
    return n;
  }

  /** The lanes the agent serves: a lane whose every required skill it holds (needRelax from its
   * levels), and the own lane (and skill-less lanes) of every queue it lists — an explicit member
   * serves its queue whatever its skills (needRelax 0; a required skill it lacks counts as level 5 in the score). */
  private membershipsOf(e: AgentEntry): Membership[] {
    const out: Membership[] = [];
    const explicit = new Set(e.cfg.queues);
    const seen = new Set<number>();
    for (const skill of e.skills.keys()) {
      for (const lane of this.cfg.lanesByFirstSkill.get(skill) ?? []) {
        let need = 0;
        let score = 0;
        let ok = true;
        for (const r of lane.req) {
          const level = e.skills.get(r.skill);
          if (level === undefined) {
            ok = false;
            break;
          }
          need = Math.max(need, level - r.minLevel);
          score += level;
        }
        if (!ok) continue;
        if (lane === lane.queue.lane && explicit.has(lane.queue.id)) need = 0;
        seen.add(lane.idx);
        out.push({ lane, needRelax: need, score, node: heapNode(e), bucket: null, home: null });
      }
    }
    for (const qid of explicit) {
      const q = this.cfg.queues.get(qid);
      if (!q) continue;
      if (!seen.has(q.lane.idx)) {
        seen.add(q.lane.idx);
        const score = q.lane.req.reduce((sum, r) => sum + (e.skills.get(r.skill) ?? 5), 0);
        out.push({ lane: q.lane, needRelax: 0, score, node: heapNode(e), bucket: null, home: null });
      }
      for (const lane of this.cfg.openLanes.get(qid) ?? []) {
        if (seen.has(lane.idx)) continue;
        seen.add(lane.idx);
        out.push({ lane, needRelax: 0, score: 0, node: heapNode(e), bucket: null, home: null });
      }
    }
    return out;
  }

  private bucketFor(m: Membership): Bucket {
    const la = this.lanes[m.lane.idx]!;
    const score = m.lane.queue.order === 'skillBased' ? m.score : 0;
    const key = m.needRelax * 1_000_000 + score;
    let b = la.byKey.get(key);
    if (!b) {
      b = { needRelax: m.needRelax, score, pool: makePool(m.lane.queue.order, m.lane.queue.leastBusyBy) };
      la.byKey.set(key, b);
      let i = la.buckets.length;
      while (i > 0 && (la.buckets[i - 1]!.score > score || (la.buckets[i - 1]!.score === score && la.buckets[i - 1]!.needRelax > m.needRelax))) i--;
      la.buckets.splice(i, 0, b);
    }
    return b;
  }
}
