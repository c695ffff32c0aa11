/**
 * The QA sampler, pure: given one ISO week's recordings per agent, what a plan already picked for
 * that week, and the flagged recordings, which recordings to add to the QA queue.
 *
 * - Per agent (the agents who talked in the recording; a recording with two agents is a candidate
 *   for each), up to `perAgentPerWeek` random picks among closed recordings at least
 *   `minDurationS` long and in the plan's queues (none listed: every queue), uniformly without
 *   replacement.
 * - Random picks already made for the agent that week count: running again tops up to N, never
 *   beyond (idempotent).
 * - Every flagged recording of the week is picked as well, whatever N, its duration and queue, and
 *   does not count towards N.
 * - A recording is queued once per plan (for the first agent it is picked for).
 */
import { pickUniform } from './random.ts';

export interface SamplePlan {
  perAgentPerWeek: number;
  minDurationS: number;
  /** Queue ids; empty: every queue. */
  queues: readonly string[];
}

/** One (recording, agent) pair of the week: a recording with two agents gives two. */
export interface Candidate {
  recordingId: string;
  agent: string;
  status: string;
  durationMs: number | null;
  queue: string | null;
}

export interface ExistingPick {
  recordingId: string;
  agent: string;
  reason: string;
}

export type PickReason = 'random' | 'flagged';

export interface Pick {
  recordingId: string;
  agent: string;
  reason: PickReason;
}

export interface SampleInput {
  plan: SamplePlan;
  candidates: readonly Candidate[];
  /** What this plan already queued (any week: a recording is never queued twice by a plan). */
  picked: readonly ExistingPick[];
  /** Recording ids flagged by a supervisor. */
  flagged: ReadonlySet<string>;
  random: () => number;
}

export function eligible(plan: SamplePlan, c: Candidate): boolean {
  if (c.status !== 'closed' || c.durationMs === null) return false;
  if (c.durationMs < plan.minDurationS * 1000) return false;
  return plan.queues.length === 0 || (c.queue !== null && plan.queues.includes(c.queue));
}

export function sample(input: SampleInput): Pick[] {
  const { plan, candidates, flagged, random } = input;
  const taken = new Set(input.picked.map((p) => p.recordingId));
  const randomSoFar = new Map<string, number>();
  for (const p of input.picked) if (p.reason === 'random') randomSoFar.set(p.agent, (randomSoFar.get(p.agent) ?? 0) + 1);
  const picks: Pick[] = [];

  // Flagged ones first, always (a closed recording: its audio exists).
  const byRecording = [...candidates].sort((a, b) => cmp(a.recordingId, b.recordingId) || cmp(a.agent, b.agent));
  for (const c of byRecording) {
    if (!flagged.has(c.recordingId) || taken.has(c.recordingId) || c.status !== 'closed') continue;
    taken.add(c.recordingId);
    picks.push({ recordingId: c.recordingId, agent: c.agent, reason: 'flagged' });
  }

  // Then per agent, in a fixed order (so a seed gives the same picks).
  const perAgent = new Map<string, string[]>();
  for (const c of byRecording) {
    if (flagged.has(c.recordingId) || !eligible(plan, c)) continue;
    const list = perAgent.get(c.agent) ?? [];
    if (!list.includes(c.recordingId)) list.push(c.recordingId);
    perAgent.set(c.agent, list);
  }
  for (const agent of [...perAgent.keys()].sort(cmp)) {
    const want = plan.perAgentPerWeek - (randomSoFar.get(agent) ?? 0);
    if (want <= 0) continue;
    const pool = perAgent.get(agent)!.filter((id) => !taken.has(id));
    for (const id of pickUniform(pool, want, random)) {
      taken.add(id);
      picks.push({ recordingId: id, agent, reason: 'random' });
    }
  }
  return picks;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
