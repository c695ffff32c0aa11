/**
 * Estimated wait per queued call, from the queue's observed service rate: the times of its most
 * recent assignments (at most `maxSamples`, none older than `windowS`). With n assignments since
 * the oldest kept one at t0, the rate is n / (now − t0), and a caller at position p expects about
 * p / rate. Fewer than `minSamples` assignments in the window: the estimate is null ("unknown"),
 * never a made-up number.
 *
 * Trade-off: a sliding count rather than a queueing model (Erlang C needs handle times and
 * staffing the router does not know); it follows the queue's real pace, including agents shared
 * with other queues, and reacts within `windowS` when that pace changes.
 */
import type { EstimateConfig } from './types.ts';

export class ServiceRates {
  private readonly samples = new Map<string, number[]>();

  constructor(private readonly cfg: EstimateConfig) {}

  /** Takes over another tracker's samples (after a reconfiguration). */
  adopt(other: ServiceRates): void {
    for (const [q, list] of other.samples) this.samples.set(q, list.slice(-this.cfg.maxSamples));
  }

  /** A call of `queue` was given to an agent at `at`. */
  record(queue: string, at: number): void {
    let list = this.samples.get(queue);
    if (!list) this.samples.set(queue, (list = []));
    list.push(at);
    if (list.length > this.cfg.maxSamples) list.shift();
  }

  /** Seconds a caller at `position` (1 = next) should expect to wait; null when unknown. */
  estimateS(queue: string, position: number, now: number): number | null {
    const list = this.samples.get(queue);
    if (!list) return null;
    const from = now - this.cfg.windowS * 1000;
    let i = 0;
    while (i < list.length && list[i]! <= from) i++;
    const n = list.length - i;
    if (n < this.cfg.minSamples) return null;
    const span = now - list[i]!;
    if (span <= 0) return null;
    return Math.round((position * span) / n / 100) / 10;
  }
}
