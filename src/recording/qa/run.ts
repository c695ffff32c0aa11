/**
 * One sampling run of a plan for an ISO week over the QA repository, and the daily job that runs
 * every enabled plan for the current and the previous week (node-schedule, local time).
 */
import { randomInt } from 'node:crypto';
import schedule from 'node-schedule';
import type { Logger } from 'pino';
import type { QaPlan, QaQueueEntry, QaRepository } from '../../storage/repositories/qa.ts';
import { isoWeekOf, isoWeekRange, previousIsoWeek } from './iso-week.ts';
import { seededRandom } from './random.ts';
import { sample } from './sampler.ts';

export interface SampleResult {
  planId: number;
  week: string;
  seed: number;
  added: QaQueueEntry[];
}

/** Picks and queues, in one transaction. `week` must be valid (isoWeekRange). */
export function runSampling(repo: QaRepository, plan: QaPlan, week: string, seed: number = randomInt(0, 2 ** 31)): SampleResult {
  const range = isoWeekRange(week);
  if (!range) throw new Error(`not an ISO week: ${week}`);
  return repo.transaction(() => {
    const candidates = repo.candidates(range.start, range.end);
    const picked = repo.picked(plan.id, week, [...new Set(candidates.map((c) => c.recordingId))]);
    const picks = sample({ plan, candidates, picked, flagged: repo.flaggedIn(range.start, range.end), random: seededRandom(seed) });
    return { planId: plan.id, week, seed, added: repo.enqueue(plan.id, week, picks) };
  });
}

/** Every enabled plan, for the week of `now` and the one before. */
export function runDailySampling(repo: QaRepository, now: number, log: Logger): SampleResult[] {
  const week = isoWeekOf(now);
  const out: SampleResult[] = [];
  for (const plan of repo.listPlans().filter((p) => p.enabled)) {
    for (const w of [previousIsoWeek(week), week]) {
      try {
        out.push(runSampling(repo, plan, w));
      } catch (err) {
        log.error({ err, planId: plan.id, week: w }, 'QA sampling failed');
      }
    }
  }
  log.info({ plans: out.length / 2, added: out.reduce((s, r) => s + r.added.length, 0) }, 'QA sampling done');
  return out;
}

/** Daily at `at` (local `HH:MM`); returns the job's cancel. */
export function scheduleQaSampling(repo: QaRepository, clock: { now(): number }, log: Logger, at = '03:45'): () => void {
  const [hour, minute] = at.split(':').map(Number);
  const job = schedule.scheduleJob({ hour: hour!, minute: minute! }, () => {
    try {
      runDailySampling(repo, clock.now(), log);
    } catch (err) {
      log.error({ err }, 'QA sampling failed');
    }
  });
  return () => job?.cancel();
}
