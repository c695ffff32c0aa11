/**
 * A job run every day at a local `HH:MM` and on demand, never twice at once: a run asked for while
 * one is going joins it. Housekeeping and the recording archive are built on it. `stopped` tells a
 * long run to end after its current batch once `close()` was called.
 */
import schedule from 'node-schedule';
import type { Logger } from 'pino';

/** What node-schedule gives back, as much as a daily run uses (tests inject their own). */
export interface ScheduledJob {
  cancel(): void;
  nextInvocation(): Date | null;
}
export type Scheduler = (at: { hour: number; minute: number }, fn: () => void) => ScheduledJob | null;

/** node-schedule's job as a ScheduledJob; its next invocation is a cron-parser date, given back
 * as a real Date. */
function wrap(job: schedule.Job | null): ScheduledJob | null {
  if (!job) return null;
  return {
    cancel: () => void job.cancel(),
    nextInvocation: () => {
      const next = job.nextInvocation() as { getTime(): number } | null;
      return next ? new Date(next.getTime()) : null;
    },
  };
}

export const nodeScheduler: Scheduler = (at, fn) => wrap(schedule.scheduleJob({ hour: at.hour, minute: at.minute }, fn));

/** Runs `fn` at every midnight of `timeZone` (an IANA name): a "today" that starts again when the
 * centre's day does, not the server's (a daemon in UTC serving a centre in Asia/Shanghai). */
export function atEveryMidnight(timeZone: string, fn: () => void): ScheduledJob | null {
  return wrap(schedule.scheduleJob({ rule: '0 0 * * *', tz: timeZone }, fn));
}

export class DailyRun<R> {
  private job: ScheduledJob | null = null;
  private running: Promise<R> | null = null;
  private closed = false;

  constructor(
    private readonly o: {
      /** For the log. */
      name: string;
      log: Logger;
      body: () => Promise<R>;
      /** The report of a run that threw (logged). */
      failed: () => R;
      scheduler?: Scheduler;
    },
  ) {}

  /** Runs every day at `at` (local `HH:MM`). */
  start(at: string): void {
    const [hour, minute] = at.split(':').map(Number);
    this.job = (this.o.scheduler ?? nodeScheduler)({ hour: hour!, minute: minute! }, () => {
      void this.run();
    });
  }

  /** When the next scheduled run is; null when not scheduled. */
  nextRun(): Date | null {
    return this.job?.nextInvocation() ?? null;
  }

  /** True while a run is going. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** True once close() was called: a run in progress stops after its current batch. */
  get stopped(): boolean {
    return this.closed;
  }

  /** One run now; a run already going is joined, never doubled. Never rejects. */
  run(): Promise<R> {
    this.running ??= this.o
      .body()
      .catch((err: unknown): R => {
        this.o.log.error({ err }, `${this.o.name} failed`);
        return this.o.failed();
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Cancels the schedule and waits for a run in progress. */
  async close(): Promise<void> {
    this.closed = true;
    this.job?.cancel();
    this.job = null;
    await this.running;
  }
}
