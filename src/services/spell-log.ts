/**
 * A warning that can come in floods (every IVR port busy for each call of a burst, every call
 * refused for overload), logged so that the flood does not become one of its own: writing the
 * log is work on the same event loop that is short of something already. The first of a spell is
 * logged at `warn` with its fields; the next ones at `debug` each, and once a second a `warn` line
 * counts them (by kind); a second without any ends the spell.
 */
import type { Logger } from 'pino';
import type { Timers } from './ports.ts';

/** How often a spell is summed up, ms. */
export const SPELL_SUMMARY_MS = 1000;

/** The lines of a spell: the first one's message, each next one's (debug), and the summary. */
export interface SpellLines<K> {
  first: string;
  each: string;
  summary(counts: ReadonlyMap<K, number>, n: number, spell: number): { fields: Record<string, unknown>; msg: string };
}

export class SpellLog<K = 'all'> {
  private timer: unknown = null;
  private counts = new Map<K, number>();
  private spell = 0;

  constructor(private readonly d: { log: Logger; timers: Timers; lines: SpellLines<K> }) {}

  /** One kind of message, counted as one: `msg` first, `msg: N more in the last second` after. */
  static plain(log: Logger, timers: Timers, msg: string): SpellLog {
    return new SpellLog({
      log,
      timers,
      lines: {
        first: `${msg} (more of the same summed up each second)`,
        each: msg,
        summary: (_counts, n, spell) => ({ fields: { more: n, spell }, msg: `${msg}: ${n} more in the last second` }),
      },
    });
  }

  /** One more occurrence, with the fields that name it (call ids, …). */
  warn(fields: Record<string, unknown>, kind: K = 'all' as K): void {
    if (this.timer === null) {
      this.d.log.warn(fields, this.d.lines.first);
      this.spell = 1;
      this.arm();
      return;
    }
    this.spell++;
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.d.log.debug(fields, this.d.lines.each);
  }

  /** Logs the count since the last line; false when there was none. */
  flush(): boolean {
    if (this.counts.size === 0) return false;
    let n = 0;
    for (const v of this.counts.values()) n += v;
    const { fields, msg } = this.d.lines.summary(this.counts, n, this.spell);
    this.d.log.warn(fields, msg);
    this.counts = new Map();
    return true;
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
}
