/**
 * The log of calls refused for overload, aggregated: a flood of refusals must not flood the log
 * (writing it is work too, on the very event loop that is short of time). The first refusal of a
 * spell is logged at `warn` with its call id and cause; the next ones at `debug` each, and once a
 * second a `warn` summary counts them by cause; a second without refusals ends the spell. The
 * admission state's changes (refusing, admitting again) are logged as they happen.
 */
import type { Logger } from 'pino';
import type { Timers } from '../ports.ts';
import type { OverloadCause } from './admission.ts';

/** How often a spell of refusals is summed up, ms. */
export const SHED_SUMMARY_MS = 1000;

export class ShedLog {
  private counts = new Map<OverloadCause, number>();
  private timer: unknown = null;
  private spellTotal = 0;
  /** Refusals since the admission state last went to refusing (for the "admitting again" line). */
  private episode = 0;
  private episodeSince: number | null = null;

  constructor(private readonly d: { log: Logger; timers: Timers }) {}

  /** A call refused: `ids` names it (callId, pbxCallId, pilot). */
  refused(cause: OverloadCause, ids: Record<string, unknown>): void {
    this.episode++;
    if (this.timer === null) {
      this.d.log.warn({ ...ids, cause }, "overload: new call refused, the switch applies the pilot's fallback (further refusals summed up each second)");
      this.spellTotal = 1;
      this.arm();
      return;
    }
    this.spellTotal++;
    this.counts.set(cause, (this.counts.get(cause) ?? 0) + 1);
    this.d.log.debug({ ...ids, cause }, 'overload: new call refused');
  }

  /** The admission state changed: `over` the signals over now (empty: admitting again). */
  stateChanged(over: readonly OverloadCause[], figures: Record<string, number> | null, now: number): void {
    if (over.length > 0) {
      if (this.episodeSince === null) {
        this.episodeSince = now;
        this.episode = 0;
      }
      this.d.log.warn({ over, figures }, 'overload: refusing new calls');
      return;
    }
    this.flush();
    this.d.log.info({ refused: this.episode, forMs: this.episodeSince === null ? 0 : now - this.episodeSince, figures }, 'overload: admitting new calls again');
    this.episodeSince = null;
    this.episode = 0;
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
    }, SHED_SUMMARY_MS);
  }

  /** Logs the refusals counted since the last line; false when there were none. */
  private flush(): boolean {
    if (this.counts.size === 0) return false;
    let n = 0;
    for (const v of this.counts.values()) n += v;
    this.d.log.warn({ refused: n, byCause: Object.fromEntries(this.counts), spell: this.spellTotal }, `overload: ${n} more new calls refused, to the pilot's fallback`);
    this.counts = new Map();
    return true;
  }
}
