/**
 * A set of timers that can be cancelled together, so that `close()` and a switch restart leave
 * nothing behind. The callbacks' failures are logged, never thrown into the event loop.
 */
import type { Logger } from 'pino';

export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly log: Logger) {}

  get size(): number {
    return this.timers.size;
  }

  after(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        fn();
      } catch (err) {
        this.log.error({ err }, 'simulator timer callback failed');
      }
    }, ms);
    this.timers.add(t);
    return t;
  }

  cancel(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
