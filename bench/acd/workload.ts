/**
 * The benchmark's call centre, generated from a fixed seed so every run (and every baseline in
 * a run) sees the same data: 200 skills with skewed popularity, 40 teams each with a core of
 * skills, 10,000 agents with 2–8 skills (mostly from their team's core) at skewed levels, 400
 * queues needing 1–3 of a team's skills (35 % skill-based with relaxation steps), 50,000 calls
 * already waiting.
 *
 * Trade-off: queues are built from team skill sets rather than drawn uniformly, because uniform
 * 3-skill queues over 200 skills would have no qualified agents at all — not a real centre.
 */
import type { QueueConfig, RouterConfig } from '../../src/acd/types.ts';

export interface WorldOptions {
  seed: number;
  skills: number;
  teams: number;
  agents: number;
  queues: number;
  waiting: number;
}

export const DEFAULT_WORLD: WorldOptions = { seed: 20240611, skills: 200, teams: 40, agents: 10_000, queues: 400, waiting: 50_000 };

export interface BenchQueue {
  id: string;
  idx: number;
  order: 'longestIdle' | 'skillBased';
  req: { skill: number; minLevel: number }[];
  weight: number;
  tier: number;
  /** Skill-based queues relax by 1 level after 30 s and by 2 after 60 s. */
  relaxSteps: boolean;
}

export interface BenchAgent {
  id: string;
  idx: number;
  /** Level per skill index, 0 = skill not held. */
  levels: Int8Array;
  skills: { skill: number; level: number }[];
}

export interface BenchCall {
  id: string;
  queue: number;
  queuedAt: number;
  /** Relax level the call is at for the whole run (see `relaxAt`). */
  relax: number;
}

export interface World {
  opts: WorldOptions;
  skillNames: string[];
  queues: BenchQueue[];
  agents: BenchAgent[];
  initialCalls: BenchCall[];
  /** Start of the measured run (ms). Initial calls entered 60–600 s before: fully relaxed. */
  t0: number;
  /** Picks a queue for a new call by popularity (only queues someone can serve). */
  pickQueue: (rand: () => number) => number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index in 0..n-1 with weight 1/(i+1)^s. */
function zipf(n: number, s: number): (r: () => number) => number {
  const cum: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) cum.push((total += 1 / (i + 1) ** s));
  return (r) => {
    const x = r() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function weighted<T>(r: () => number, items: readonly [T, number][]): T {
  let x = r();
  for (const [v, w] of items) if ((x -= w) < 0) return v;
  return items[items.length - 1]![0];
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

export function buildWorld(opts: WorldOptions = DEFAULT_WORLD): World {
  const r = mulberry32(opts.seed);
  const skillNames = Array.from({ length: opts.skills }, (_, i) => `skill${pad(i, 3)}`);
  const popularSkill = zipf(opts.skills, 0.9);
  const teams = Array.from({ length: opts.teams }, () => {
    const core = new Set<number>();
    const size = 6 + Math.floor(r() * 7);
    while (core.size < size) core.add(popularSkill(r));
    return [...core];
  });
  const level = (): number => weighted(r, [[1, 0.1], [2, 0.25], [3, 0.35], [4, 0.2], [5, 0.1]]);
  const agents: BenchAgent[] = [];
  for (let i = 0; i < opts.agents; i++) {
    const team = teams[Math.floor(r() * teams.length)]!;
    const k = 2 + Math.floor(r() * 7);
    const set = new Set<number>();
    while (set.size < Math.min(k, team.length + 2)) set.add(r() < 0.75 ? team[Math.floor(r() * team.length)]! : popularSkill(r));
    const levels = new Int8Array(opts.skills);
    const skills = [...set].map((skill) => ({ skill, level: level() }));
    for (const s of skills) levels[s.skill] = s.level;
    agents.push({ id: `a${pad(i, 5)}`, idx: i, levels, skills });
  }
  const queues: BenchQueue[] = [];
  for (let i = 0; i < opts.queues; i++) {
    const team = teams[Math.floor(r() * teams.length)]!;
    const k = weighted(r, [[1, 0.5], [2, 0.35], [3, 0.15]]);
    const set = new Set<number>();
    while (set.size < Math.min(k, team.length)) set.add(team[Math.floor(r() * team.length)]!);
    const skillBased = r() < 0.35;
    queues.push({
      id: `q${pad(i, 3)}`,
      idx: i,
      order: skillBased ? 'skillBased' : 'longestIdle',
      req: [...set].map((skill) => ({ skill, minLevel: weighted(r, [[3, 0.3], [4, 0.4], [5, 0.3]]) })),
      weight: weighted(r, [[1, 0.7], [2, 0.2], [3, 0.1]]),
      tier: r() < 0.1 ? 1 : 0,
      relaxSteps: skillBased,
    });
  }
  // Queues someone can serve (at the most relaxed level), arrivals skewed towards a few.
  const servable = queues.filter((q) => agents.some((a) => q.req.every((s) => a.levels[s.skill]! > 0 && a.levels[s.skill]! <= Math.min(5, s.minLevel + (q.relaxSteps ? 2 : 0)))));
  const popularQueue = zipf(servable.length, 0.8);
  const pickQueue = (rr: () => number): number => servable[popularQueue(rr)]!.idx;
  const t0 = 1_700_000_000_000;
  const initialCalls: BenchCall[] = [];
  for (let i = 0; i < opts.waiting; i++) {
    const queue = pickQueue(r);
    const queuedAt = t0 - 60_000 - Math.floor(r() * 540_000);
    initialCalls.push({ id: `w${pad(i, 6)}`, queue, queuedAt, relax: queues[queue]!.relaxSteps ? 2 : 0 });
  }
  return { opts, skillNames, queues, agents, initialCalls, t0, pickQueue };
}

export function routerConfig(w: World): RouterConfig {
  const queues: QueueConfig[] = w.queues.map((q) => ({
    id: q.id,
    order: q.order,
    requiredSkills: q.req.map((s) => ({ skill: w.skillNames[s.skill]!, minLevel: s.minLevel })),
    tier: q.tier,
    weight: q.weight,
    steps: q.relaxSteps
      ? [
          { afterS: 30, kind: 'relax', by: 1 },
          { afterS: 60, kind: 'relax', by: 2 },
        ]
      : [],
  }));
  return { queues };
}
