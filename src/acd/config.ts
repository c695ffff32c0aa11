/**
 * Router configuration, checked once and turned into the shapes routing reads on every event:
 * queues with defaults filled in, and *lanes*. A lane is one set of required skills in one queue:
 * every queue has its own lane, and a business service (dialled number) that names its own skills
 * adds a lane to its queue. Agents are indexed per lane; a call waits in exactly one lane.
 *
 * Trade-off: a change of queues or services rebuilds the router's indexes (O(agents × lanes of
 * an agent + calls)); such changes are admin edits, rare next to call events.
 */
import { badRequest } from '../core/errors.ts';
import type { AgentConfig, AgentOrder, CustomerRules, EstimateConfig, QueueConfig, RouterConfig, SkillRequirement, Step, Target } from './types.ts';

export interface Lane {
  idx: number;
  /** `queue` for the queue's own lane, `queue@dialled` for a business service's. */
  key: string;
  queue: QueueRule;
  /** Sorted by skill name. Empty: membership by `AgentConfig.queues`. */
  req: readonly SkillRequirement[];
}

export interface QueueRule {
  id: string;
  idx: number;
  order: AgentOrder;
  leastBusyBy: 'calls' | 'talkTime';
  tier: number;
  weight: number;
  customer: CustomerRules | null;
  steps: readonly Step[];
  maxWaitMs: number | null;
  fallback: Target | null;
  /** How long an agent who let the call ring unanswered is not offered it again. */
  retryMs: number;
  lane: Lane;
}

export interface NormalConfig {
  queues: ReadonlyMap<string, QueueRule>;
  queueList: readonly QueueRule[];
  lanes: readonly Lane[];
  services: ReadonlyMap<string, Lane>;
  estimate: EstimateConfig;
  /** Lanes with required skills, under their first required skill. */
  lanesByFirstSkill: ReadonlyMap<string, readonly Lane[]>;
  /** Lanes without required skills, under their queue (served by agents listing the queue). */
  openLanes: ReadonlyMap<string, readonly Lane[]>;
}

export const ORDERS: readonly AgentOrder[] = ['longestIdle', 'skillBased', 'roundRobin', 'linear', 'leastBusy'];
export const DEFAULT_CUSTOMER_RULES: CustomerRules = { vipBoost: 1, preferredWaitS: 20 };
export const DEFAULT_RETRY_S = 30;
const DEFAULT_ESTIMATE: EstimateConfig = { windowS: 900, minSamples: 5, maxSamples: 50 };

export function normalizeConfig(config: RouterConfig): NormalConfig {
  const queues = new Map<string, QueueRule>();
  const lanes: Lane[] = [];
  const queueList: QueueRule[] = [];
  for (const q of config.queues) {
    if (queues.has(q.id)) throw badRequest(`queue ${q.id} configured twice`);
    checkQueue(q);
    const rule: QueueRule = {
      id: q.id,
      idx: queueList.length,
      order: q.order,
      leastBusyBy: q.leastBusyBy ?? 'calls',
      tier: q.tier ?? 0,
      weight: q.weight ?? 1,
      customer: q.customer ?? null,
      steps: [...(q.steps ?? [])],
      maxWaitMs: q.fallback && q.maxWaitS != null ? q.maxWaitS * 1000 : null,
      fallback: q.fallback ?? null,
      retryMs: (q.retryS ?? DEFAULT_RETRY_S) * 1000,
      lane: null as unknown as Lane, // set just below: a lane and its queue point at each other
    };
    rule.lane = { idx: lanes.length, key: q.id, queue: rule, req: sortedReq(q.requiredSkills) };
    lanes.push(rule.lane);
    queues.set(q.id, rule);
    queueList.push(rule);
  }
  for (const q of queueList) {
    for (const s of q.steps) {
      if (s.kind === 'addQueue' && !queues.has(s.queue)) throw badRequest(`queue ${q.id}: addQueue step names unknown queue ${s.queue}`);
    }
  }
  const services = new Map<string, Lane>();
  for (const s of config.services ?? []) {
    const q = queues.get(s.queue);
    if (!q) throw badRequest(`service ${s.dialled} names unknown queue ${s.queue}`);
    if (services.has(s.dialled)) throw badRequest(`service ${s.dialled} configured twice`);
    if (!s.requiredSkills) {
      services.set(s.dialled, q.lane);
      continue;
    }
    checkRequirements(s.requiredSkills, `service ${s.dialled}`);
    const lane: Lane = { idx: lanes.length, key: `${q.id}@${s.dialled}`, queue: q, req: sortedReq(s.requiredSkills) };
    lanes.push(lane);
    services.set(s.dialled, lane);
  }
  const lanesByFirstSkill = new Map<string, Lane[]>();
  const openLanes = new Map<string, Lane[]>();
  for (const lane of lanes) {
    const first = lane.req[0];
    const [map, key] = first ? [lanesByFirstSkill, first.skill] : [openLanes, lane.queue.id];
    const list = map.get(key) ?? [];
    list.push(lane);
    map.set(key, list);
  }
  return { queues, queueList, lanes, services, estimate: { ...DEFAULT_ESTIMATE, ...config.estimate }, lanesByFirstSkill, openLanes };
}

export function checkAgent(a: AgentConfig): void {
  const seen = new Set<string>();
  for (const s of a.skills) {
    if (!isLevel(s.level)) throw badRequest(`agent ${a.id}: skill ${s.skill} level must be an integer 1..5`);
    if (seen.has(s.skill)) throw badRequest(`agent ${a.id}: skill ${s.skill} listed twice`);
    seen.add(s.skill);
  }
  if (a.rank !== undefined && !Number.isFinite(a.rank)) throw badRequest(`agent ${a.id}: rank must be a number`);
}

/** Effective priority of a caller in a queue: caller priority plus the queue's VIP boost. */
export function effectivePriority(q: QueueRule, priority: number, vipLevel: number): number {
  return priority + (q.customer ? vipLevel * q.customer.vipBoost : 0);
}

function checkQueue(q: QueueConfig): void {
  if (!ORDERS.includes(q.order)) throw badRequest(`queue ${q.id}: unknown order ${String(q.order)}`);
  checkRequirements(q.requiredSkills, `queue ${q.id}`);
  if (q.tier !== undefined && !Number.isInteger(q.tier)) throw badRequest(`queue ${q.id}: tier must be an integer`);
  if (q.weight !== undefined && !(Number.isInteger(q.weight) && q.weight >= 1)) throw badRequest(`queue ${q.id}: weight must be an integer >= 1`);
  if (q.customer && !(Number.isInteger(q.customer.vipBoost) && q.customer.vipBoost >= 0 && q.customer.preferredWaitS >= 0)) {
    throw badRequest(`queue ${q.id}: customer rules need an integer vipBoost >= 0 and preferredWaitS >= 0`);
  }
  if (q.maxWaitS != null && !(q.maxWaitS > 0)) throw badRequest(`queue ${q.id}: maxWaitS must be > 0`);
  if (q.retryS !== undefined && !(Number.isFinite(q.retryS) && q.retryS >= 0)) throw badRequest(`queue ${q.id}: retryS must be >= 0`);
  let last = 0;
  for (const s of q.steps ?? []) {
    if (!(s.afterS >= last)) throw badRequest(`queue ${q.id}: steps must be sorted by afterS (>= 0)`);
    last = s.afterS;
    switch (s.kind) {
      case 'relax':
        if (!(Number.isInteger(s.by) && s.by >= 0)) throw badRequest(`queue ${q.id}: relax step needs an integer by >= 0`);
        break;
      case 'addQueue':
        break;
      case 'overflow':
        // A call moved at the moment it enters could bounce between queues forever.
        if (!(s.afterS > 0)) throw badRequest(`queue ${q.id}: an overflow step needs afterS > 0`);
        break;
      default:
        return assertNever(s);
    }
  }
}

function checkRequirements(req: readonly SkillRequirement[], what: string): void {
  const seen = new Set<string>();
  for (const r of req) {
    if (!isLevel(r.minLevel)) throw badRequest(`${what}: minLevel of ${r.skill} must be an integer 1..5`);
    if (seen.has(r.skill)) throw badRequest(`${what}: skill ${r.skill} required twice`);
    seen.add(r.skill);
  }
}

function sortedReq(req: readonly SkillRequirement[]): SkillRequirement[] {
  return [...req].sort((a, b) => (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0));
}

function isLevel(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 5;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
