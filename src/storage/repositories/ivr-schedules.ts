/**
 * Business-hours schedules by id (`main`, …), each with a version that grows by one at every
 * change. The stored JSON is what `validateSchedule` returned: callers validate first (the admin
 * API does, with messages); this repository does not judge.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { Schedule } from '../../ivr/business-hours/schedule.ts';
import type { ScheduleEntry } from '../../ivr/business-hours/schedule-book.ts';
import { ivrSchedules } from '../schema.ts';
import type { RepoContext } from './context.ts';

const versionPlusOne = sql`${ivrSchedules.version} + 1`;

export class IvrSchedulesRepository {
  constructor(private readonly ctx: RepoContext) {}

  list(): ScheduleEntry[] {
    return this.ctx.db.select().from(ivrSchedules).orderBy(asc(ivrSchedules.id)).all().map(toEntry);
  }

  get(id: string): ScheduleEntry | null {
    const r = this.ctx.db.select().from(ivrSchedules).where(eq(ivrSchedules.id, id)).get();
    return r ? toEntry(r) : null;
  }

  /** Creates the schedule (version 1) or replaces it (version + 1). Run it in a transaction with
   * its audit row. */
  put(id: string, schedule: Schedule, by: string): ScheduleEntry {
    const now = this.ctx.clock.now();
    const r = this.ctx.db
      .insert(ivrSchedules)
      .values({ id, schedule, version: 1, updatedAt: now, updatedBy: by })
      .onConflictDoUpdate({ target: ivrSchedules.id, set: { schedule, version: versionPlusOne, updatedAt: now, updatedBy: by } })
      .returning()
      .get();
    return toEntry(r);
  }

  /** Creates the schedule when there is none of that id; never replaces one. True when created. */
  ensure(id: string, schedule: Schedule, by: string): boolean {
    const now = this.ctx.clock.now();
    return this.ctx.db.insert(ivrSchedules).values({ id, schedule, version: 1, updatedAt: now, updatedBy: by }).onConflictDoNothing().run().changes > 0;
  }
}


function toEntry(r: typeof ivrSchedules.$inferSelect): ScheduleEntry {
  return { id: r.id, schedule: r.schedule as Schedule, version: r.version, updatedAt: r.updatedAt, updatedBy: r.updatedBy };
}
