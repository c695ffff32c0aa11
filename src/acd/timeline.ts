/**
 * A waiting call's time-based rules, all counted from when it entered its current queue: the end
 * of the preferred-agent hold, the queue's steps (relax, addQueue, overflow) in order, and the
 * maximum wait. At equal times the hold ends first, then steps in their listed order, then the
 * maximum wait. `advance` applies every transition due at `now`, in that order, and reports a
 * call that left its queue.
 *
 * Trade-off: transitions are applied one by one up to `now` (no skipping ahead), so a late tick
 * gives exactly the state an on-time tick would have; a call moved to another queue starts that
 * queue's rules at `now`, the moment it is moved.
 */
import { assertNever, effectivePriority, type NormalConfig } from './config.ts';
import type { CallRec } from './waiting-calls.ts';
import type { Effect, LeaveReason, Target } from './types.ts';

/** When the earliest exclusion of an agent from the call ends; Infinity when there is none. */
function exclusionEnds(c: CallRec): number {
  let t = Infinity;
  if (c.excluded) for (const until of c.excluded.values()) if (until < t) t = until;
  return t;
}

/** The time of the call's next transition; Infinity when it has none. */
export function nextDue(c: CallRec): number {
  let t = Math.min(c.holdUntil ?? Infinity, exclusionEnds(c));
  const step = c.queue.steps[c.stepsDone];
  if (step) t = Math.min(t, c.enteredAt + step.afterS * 1000);
  if (c.queue.maxWaitMs !== null) t = Math.min(t, c.enteredAt + c.queue.maxWaitMs);
  return t;
}

/**
 * Applies every transition due at `now` to an un-indexed waiting call, appending `moved` and
 * `fallback` effects to `out`. Returns false when the call left the router (fallback).
 */
export function advance(c: CallRec, now: number, cfg: NormalConfig, out: Effect[]): boolean {
  for (;;) {
    const t = nextDue(c);
    if (t > now) return true;
    if (c.holdUntil === t) {
      c.holdUntil = null;
      continue;
    }
    if (exclusionEnds(c) === t) {
      // The agent may be offered the call again (it changes who qualifies, not the queue).
      for (const [agent, until] of c.excluded!) if (until <= t) c.excluded!.delete(agent);
      if (c.excluded!.size === 0) c.excluded = null;
      continue;
    }
    const step = c.queue.steps[c.stepsDone];
    if (step && c.enteredAt + step.afterS * 1000 === t) {
      c.stepsDone++;
      switch (step.kind) {
        case 'relax':
          c.relaxBy = Math.max(c.relaxBy, step.by);
          break;
        case 'addQueue': {
          const q = cfg.queues.get(step.queue)!;
          if (q !== c.queue && !c.added.includes(q)) c.added.push(q);
          break;
        }
        case 'overflow':
          if (!leave(c, step.target, 'overflow', now, cfg, out)) return false;
          break;
        default:
          return assertNever(step);
      }
      continue;
    }
    // Only the maximum wait is left at t (maxWaitMs is set only with a fallback).
    if (!leave(c, c.queue.fallback!, 'maxWait', now, cfg, out)) return false;
  }
}

/** Moves the call to a queue the router knows, or reports the fallback; false when it left. */
function leave(c: CallRec, target: Target, reason: LeaveReason, now: number, cfg: NormalConfig, out: Effect[]): boolean {
  const to = target.kind === 'queue' ? cfg.queues.get(target.queue) : undefined;
  if (!to) {
    out.push({ kind: 'fallback', callId: c.id, queue: c.queue.id, target, reason });
    return false;
  }
  out.push({ kind: 'moved', callId: c.id, from: c.queue.id, to: to.id, reason });
  c.queue = to;
  c.lane = to.lane;
  c.effPriority = effectivePriority(to, c.priority, c.vipLevel);
  c.enteredAt = now;
  c.relaxBy = 0;
  c.stepsDone = 0;
  c.added = [];
  c.holdUntil = null;
  return true;
}
