/**
 * The schedules in memory, for the IVR engine to ask synchronously on the call path
 * (`book.isOpen('main', now)`), kept current by whoever changes them: loaded from the database at
 * start, `set` by the admin API after each PUT. Pure: no clock, no I/O.
 */
import { isOpen, type OpenState } from './is-open.ts';
import type { Schedule } from './schedule.ts';

export interface ScheduleEntry {
  id: string;
  schedule: Schedule;
  /** 1 at creation, +1 at every change. */
  version: number;
  updatedAt: number;
  updatedBy: string;
}

/** Where the book loads from (the ivr_schedules repository). */
export interface ScheduleSource {
  list(): ScheduleEntry[];
}

export class ScheduleBook {
  private readonly byId = new Map<string, ScheduleEntry>();

  constructor(entries: Iterable<ScheduleEntry> = []) {
    for (const e of entries) this.byId.set(e.id, e);
  }

  /** Replaces everything with what `source` holds. */
  reload(source: ScheduleSource): void {
    this.byId.clear();
    for (const e of source.list()) this.byId.set(e.id, e);
  }

  /** After a change was committed. */
  set(entry: ScheduleEntry): void {
    this.byId.set(entry.id, entry);
  }

  get(id: string): ScheduleEntry | null {
    return this.byId.get(id) ?? null;
  }

  ids(): string[] {
    return [...this.byId.keys()].sort();
  }

  /** The schedule's state at `at` (isOpen); null when there is no schedule `id`. */
  isOpen(id: string, at: number): OpenState | null {
    const e = this.byId.get(id);
    return e ? isOpen(e.schedule, at) : null;
  }
}
