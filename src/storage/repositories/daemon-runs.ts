/**
 * One row per daemon run: started, last alive (a heartbeat), stopped cleanly. The previous run's
 * row tells a new start how long the daemon was away — from its clean stop, or after a crash from
 * its last heartbeat — which decides what survives the restart (docs/operations.md, "Restarts").
 */
import { desc, eq, lte } from 'drizzle-orm';
import { daemonRuns } from '../schema.ts';
import type { RepoContext } from './context.ts';

export interface DaemonRun {
  id: number;
  startedAt: number;
  aliveAt: number;
  stoppedAt: number | null;
}

export class DaemonRunsRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** The latest run recorded; null on a new database. */
  latest(): DaemonRun | null {
    return this.ctx.db.select().from(daemonRuns).orderBy(desc(daemonRuns.id)).limit(1).get() ?? null;
  }

  /** Records a run starting now; returns its id. */
  start(now: number): number {
    return this.ctx.db.insert(daemonRuns).values({ startedAt: now, aliveAt: now }).returning({ id: daemonRuns.id }).get().id;
  }

  alive(id: number, now: number): void {
    this.ctx.db.update(daemonRuns).set({ aliveAt: now }).where(eq(daemonRuns.id, id)).run();
  }

  stopped(id: number, now: number): void {
    this.ctx.db.update(daemonRuns).set({ aliveAt: now, stoppedAt: now }).where(eq(daemonRuns.id, id)).run();
  }

  /** Keeps the latest `keep` runs (housekeeping). */
  trim(keep = 1000): number {
    const cut = this.ctx.db.select({ id: daemonRuns.id }).from(daemonRuns).orderBy(desc(daemonRuns.id)).limit(1).offset(keep).get();
    if (!cut) return 0;
    return this.ctx.db.delete(daemonRuns).where(lte(daemonRuns.id, cut.id)).run().changes;
  }
}

/** When the previous run was last known alive: its clean stop, or its last heartbeat. */
export function lastAlive(run: DaemonRun | null): number | null {
  return run ? (run.stoppedAt ?? run.aliveAt) : null;
}
