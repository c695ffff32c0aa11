/**
 * A warning that can come in floods (every IVR port busy, for each call of a burst), logged so
 * that the flood does not become one of its own: writing the log is work on the same event loop
 * that is short of something already. The first of a spell is logged at `warn` with its fields;
 * the next ones at `debug` each, and once a second a `warn` line counts them; a second without
 * any ends the spell. (The overload gate's refusals have their own, by cause: overload/shed-log.ts.)
 */
import type { Logger } from 'pino';
import type { Timers } from './ports.ts';

/** How often a spell is summed up, ms. */
export const SPELL_SUMMARY_MS = 1000;

export class SpellLog {
  private timer: unknown = null;
  private pending = 0;
  private spell = 0;

  constructor(private readonly d: { log: Logger; timers: Timers; msg: string }) {}

  /** One more occurrence, with the fields that name it (call ids, …). */
  warn(fields: Record<string, unknown>): void {
    if (this.timer === null) {
      this.d.log.warn(fields, `${this.d.msg} (more of the same summed up each second)`);
      this.spell = 1;
      this.arm();
      return;
    }
    this.spell++;
    this.pending++;
    this.d.log.debug(fields, this.d.msg);
  }

  close(): void {
    this.flush();
    if (this.timer !== null) this.d.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.timer = this.d.timers.setTimeout(() => {
      this.timer = null;
      if (this.flush()) this.arm();
    }, SPELL_SUMMARY_MS);
  }

  /** Logs the count since the last line; false when there was none. */
  private flush(): boolean {
    if (this.pending === 0) return false;
    this.d.log.warn({ more: this.pending, spell: this.spell }, `${this.d.msg}: ${this.pending} more in the last second`);
    this.pending = 0;
    return true;
  }
}
