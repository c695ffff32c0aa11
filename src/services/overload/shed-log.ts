/**
 * The log of calls refused for overload, aggregated: a flood of refusals must not flood the log
 * (writing it is work too, on the very event loop that is short of time). The first refusal of a
 * spell is logged at `warn` with its call id and cause; the next ones at `debug` each, and once a
 * second a `warn` summary counts them by cause; a second without refusals ends the spell. The
 * admission state's changes (refusing, admitting again) are logged as they happen. The spell
 * itself is services/spell-log.ts, as the IVR's busy ports use it.
 */
import type { Logger } from 'pino';
import type { Timers } from '../ports.ts';
import { SPELL_SUMMARY_MS, SpellLog } from '../spell-log.ts';
import type { OverloadCause } from './admission.ts';

/** How often a spell of refusals is summed up, ms. */
export const SHED_SUMMARY_MS = SPELL_SUMMARY_MS;

export class ShedLog {
  private readonly spell: SpellLog<OverloadCause>;
  /** Refusals since the admission state last went to refusing (for the "admitting again" line). */
  private episode = 0;
  private episodeSince: number | null = null;

  constructor(private readonly d: { log: Logger; timers: Timers }) {
    this.spell = new SpellLog<OverloadCause>({
      log: d.log,
      timers: d.timers,
      lines: {
        first: "overload: new call refused, the switch applies the pilot's fallback (further refusals summed up each second)",
        each: 'overload: new call refused',
        summary: (counts, n, spell) => ({ fields: { refused: n, byCause: Object.fromEntries(counts), spell }, msg: `overload: ${n} more new calls refused, to the pilot's fallback` }),
      },
    });
  }

  /** A call refused: `ids` names it (callId, pbxCallId, pilot). */
  refused(cause: OverloadCause, ids: Record<string, unknown>): void {
    this.episode++;
    this.spell.warn({ ...ids, cause }, cause);
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
    this.spell.flush();
    this.d.log.info({ refused: this.episode, forMs: this.episodeSince === null ? 0 : now - this.episodeSince, figures }, 'overload: admitting new calls again');
    this.episodeSince = null;
    this.episode = 0;
  }

  close(): void {
    this.spell.close();
  }
}
