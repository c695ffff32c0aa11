/**
 * The ACD router's vocabulary: configuration (queues, business services, agents), the events it is
 * told, and the effects it returns. Plain data only, so the daemon can log it, serve it over HTTP
 * and tests can compare it with `toEqual`.
 *
 * Trade-off: one `RouterEvent` union (with `now` on every event) rather than a method per event
 * only; the Router has both, and `apply(event)` is what the property test and a replay log use.
 */

/** How a free agent is chosen for a call (the queue's "strategy"). */
export type AgentOrder = 'longestIdle' | 'skillBased' | 'roundRobin' | 'linear' | 'leastBusy';

export interface SkillLevel {
  skill: string;
  /** 1 = best … 5. */
  level: number;
}

export interface SkillRequirement {
  skill: string;
  /** Worst level accepted (1 = best … 5): an agent qualifies with level <= minLevel. */
  minLevel: number;
}

/** Where a call goes when it leaves a queue without an agent. */
export type Target =
  | { kind: 'queue'; queue: string }
  | { kind: 'ivr'; flow: string }
  | { kind: 'voicemail'; mailbox: string }
  /** A number on the switch (a pilot, an extension): the directory's `overflowTarget` when it
   * names no queue. */
  | { kind: 'number'; number: string };

/** A time-based rule, `afterS` seconds after the call entered its current queue. */
export type Step =
  /** Accept levels `by` worse than each required minLevel (capped at 5). Never tightens: the
   * largest `by` applied so far holds. */
  | { afterS: number; kind: 'relax'; by: number }
  /** Agents of another queue (qualified for its own required skills) may also take the call. */
  | { afterS: number; kind: 'addQueue'; queue: string }
  /** The call leaves: to another queue (keeping its queuedAt), an IVR flow or voicemail. */
  | { afterS: number; kind: 'overflow'; target: Target };

/** Customer-based rules: a VIP waits ahead, the preferred agent is tried first. */
export interface CustomerRules {
  /** Added to the caller's priority per VIP level. */
  vipBoost: number;
  /** How long a call waits for its busy preferred agent before the queue's own order applies. */
  preferredWaitS: number;
}

export interface QueueConfig {
  id: string;
  order: AgentOrder;
  /** leastBusy only: fewest calls today (default) or least talk time today. */
  leastBusyBy?: 'calls' | 'talkTime';
  /** Agents serve the queue by holding every required skill (levels checked per call, relaxed by
   * steps), or by listing it in `AgentConfig.queues` (an explicit member, whatever its skills). */
  requiredSkills: SkillRequirement[];
  /** Strict tier across queues for an agent who serves several: higher first (default 0). */
  tier?: number;
  /** Fairness weight across queues of the same tier (positive integer, default 1). */
  weight?: number;
  customer?: CustomerRules | null;
  /** Sorted by afterS (ties keep their order). */
  steps?: Step[];
  maxWaitS?: number | null;
  /** Where a call goes at maxWaitS; null: the call stays (maxWaitS is then ignored). */
  fallback?: Target | null;
  /** After an unanswered offer, the agent is not offered the same call again for this long
   * (seconds, default 30); then it may be, if nobody else took it. */
  retryS?: number;
}

/** Business-based routing: the dialled number chooses the queue and the skills needed. */
export interface ServiceConfig {
  dialled: string;
  queue: string;
  /** Replaces the queue's required skills for calls to this number; absent: the queue's own. */
  requiredSkills?: SkillRequirement[];
}

export interface RouterConfig {
  queues: QueueConfig[];
  services?: ServiceConfig[];
  estimate?: EstimateConfig;
}

export interface EstimateConfig {
  /** Assignments older than this do not count towards a queue's service rate (default 15 min). */
  windowS: number;
  /** Fewer assignments than this in the window: the estimate is unknown (default 5). */
  minSamples: number;
  /** At most this many recent assignments are kept per queue (default 50). */
  maxSamples: number;
}

export interface AgentConfig {
  id: string;
  skills: SkillLevel[];
  /** Queues this agent serves as an explicit member, whatever its skills. */
  queues: string[];
  /** Fixed order for linear and round-robin (lower first; then agent id). Default 0. */
  rank?: number;
}

export interface CallInput {
  callId: string;
  /** The queue; ignored when `dialled` names a business service. */
  queue?: string;
  dialled?: string;
  /** When the caller started waiting (kept across requeue and overflow; orders the queue). */
  queuedAt: number;
  /** Caller priority: higher waits ahead (integer >= 0, default 0). */
  priority?: number;
  vipLevel?: number;
  /** The customer's preferred agent, or the last agent who served them. */
  preferredAgent?: string | null;
}

export type RouterEvent =
  | { kind: 'callQueued'; now: number; call: CallInput }
  | { kind: 'callRemoved'; now: number; callId: string }
  | { kind: 'requeue'; now: number; callId: string; excludeAgent?: string }
  | { kind: 'agentAvailable'; now: number; agentId: string; idleSince: number }
  | { kind: 'agentUnavailable'; now: number; agentId: string }
  | { kind: 'agentConfigured'; now: number; agent: AgentConfig }
  | { kind: 'agentRemoved'; now: number; agentId: string }
  | { kind: 'callCompleted'; now: number; agentId: string; talkMs: number }
  | { kind: 'statsReset'; now: number }
  | { kind: 'tick'; now: number }
  /** New queues/services: indexes are rebuilt and every waiting call re-settled (O(n log n)). */
  | { kind: 'reconfigured'; now: number; config: RouterConfig };

export type Effect =
  | { kind: 'assign'; callId: string; agentId: string; queue: string; explanation: Explanation }
  /** The call now waits in another queue (the service moves it on the switch). */
  | { kind: 'moved'; callId: string; from: string; to: string; reason: LeaveReason }
  /** The call left the router for an IVR flow, voicemail or a queue the router does not know. */
  | { kind: 'fallback'; callId: string; queue: string; target: Target; reason: LeaveReason }
  /** No such queue or service (on arrival), or its queue was removed by a reconfiguration. */
  | { kind: 'unroutable'; callId: string; reason: 'unknownQueue' };

export type LeaveReason = 'overflow' | 'maxWait';

export interface ScoredCandidate {
  /** An agent id (callToAgent) or a call id (agentToCall). */
  id: string;
  /** The sort key, compared left to right; names in `Explanation.keyNames`. */
  key: (number | string)[];
}

export interface Explanation {
  /** callToAgent: a call looked for an agent; agentToCall: a free agent looked for a call. */
  direction: 'callToAgent' | 'agentToCall';
  /** The event that led to the decision. */
  trigger: RouterEvent['kind'];
  /** What decided: the queue's agent order, the preferred agent, or cross-queue fairness. */
  rule: AgentOrder | 'preferredAgent' | 'fairness';
  queue: string;
  /** Lane searched: `queue`, or `queue@dialled` for a business service. */
  lane: string;
  /** Index of the last time-based step applied to the call (-1: none). */
  step: number;
  relaxBy: number;
  /** Candidates in the final comparison: eligible free agents of the lane, or queues whose best
   * eligible call competed (one per queue). */
  considered: number;
  /** The best few (up to 3), best first. */
  top: ScoredCandidate[];
  keyNames: readonly string[];
  winner: string;
  /** The key that separated the winner from the runner-up; `onlyCandidate` if none. */
  tieBreak: string;
}

export interface WaitEstimate {
  queue: string;
  /** 1 = next to be served in its queue (queue order: priority, then queuedAt, then arrival). */
  position: number;
  /** position ÷ observed service rate, in seconds; null when there is too little data. */
  estimatedWaitS: number | null;
}

/** The key names of each rule, as shown in explanations (the tie-break rules). */
export const KEY_NAMES = {
  longestIdle: ['idleSince', 'agentId'],
  skillBased: ['skillScore', 'idleSince', 'agentId'],
  roundRobin: ['wrapped', 'rank', 'agentId'],
  linear: ['rank', 'agentId'],
  leastBusy: ['busyMetric', 'idleSince', 'agentId'],
  preferredAgent: ['preferredAgent'],
  fairness: ['queueTier', 'weightedWait', 'queuedAt', 'callSeq'],
} as const satisfies Record<AgentOrder | 'preferredAgent' | 'fairness', readonly string[]>;
