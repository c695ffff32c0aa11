/**
 * Queue figures (`queue.list`, event `queue.stats`): waiting calls, longest wait, agents ready and
 * busy. Sent at most once a second per queue, to the queue's members and subscribed supervisors:
 * a change marks the queue dirty, and the first change after a quiet second is sent at once.
 * With `today`, each queue's figures also carry its calls today, service level and abandon rate
 * under its own report settings (queue-today.ts), sent as they change, at the same pace.
 */
import type { Router } from '../acd/router.ts';
import type { KpiConfig } from '../reports/kpi.ts';
import type { Directory, DirectoryQueue } from './directory.ts';
import type { PresenceService } from './presence-service.ts';
import type { Clock, Notifier, Timers } from './ports.ts';
import type { QueueTodayFigures } from './queue-today.ts';

export interface QueueStats {
  id: string;
  name: string;
  waiting: number;
  longestWaitMs: number;
  agentsReady: number;
  agentsBusy: number;
  /** The queue's calls today (with `today` in the deps; the daemon always has it). */
  today?: QueueTodayFigures;
}

export interface QueueStatsDeps {
  directory: Directory;
  router: () => Router;
  presence: () => PresenceService;
  notifier: Notifier;
  clock: Clock;
  timers: Timers;
  intervalMs?: number;
  /** The queue's calls today (queue-today.ts) and its report settings. */
  today?: {
    tally: { figures(queueId: string, config: Readonly<KpiConfig>, now: number): QueueTodayFigures };
    kpiOf(queueId: string): Readonly<KpiConfig>;
  };
}

export class QueueStatsService {
  private readonly lastSent = new Map<string, number>();
  private readonly scheduled = new Map<string, unknown>();
  private readonly interval: number;

  constructor(private readonly d: QueueStatsDeps) {
    this.interval = d.intervalMs ?? 1000;
  }

  stats(queue: DirectoryQueue): QueueStats {
    const router = this.d.router();
    const waiting = router.waitingIn(queue.id);
    const now = this.d.clock.now();
    let busy = 0;
    const presence = this.d.presence();
    for (const member of this.d.directory.membersOf(queue.id)) {
      const s = presence.status(member.username).state;
      if (s === 'busy' || s === 'reserved') busy++;
    }
    return {
      id: queue.id,
      name: queue.name,
      waiting: waiting.length,
      longestWaitMs: waiting.length ? Math.max(0, now - oldest(waiting)) : 0,
      agentsReady: router.readyCount(queue.id),
      agentsBusy: busy,
      ...(this.d.today ? { today: this.d.today.tally.figures(queue.id, this.d.today.kpiOf(queue.id), now) } : {}),
    };
  }

  changed(queueId: string): void {
    if (this.scheduled.has(queueId)) return;
    const since = this.d.clock.now() - (this.lastSent.get(queueId) ?? 0);
    if (since >= this.interval) {
      this.send(queueId);
      return;
    }
    this.scheduled.set(
      queueId,
      this.d.timers.setTimeout(() => {
        this.scheduled.delete(queueId);
        this.send(queueId);
      }, this.interval - since),
    );
  }

  close(): void {
    for (const t of this.scheduled.values()) this.d.timers.clearTimeout(t);
    this.scheduled.clear();
  }

  private send(queueId: string): void {
    const queue = this.d.directory.queue(queueId);
    if (!queue) return;
    this.lastSent.set(queueId, this.d.clock.now());
    const members = this.d.directory.membersOf(queueId).map((a) => a.username);
    this.d.notifier.publish('queue.stats', this.stats(queue), { users: members, subscribers: true, background: true });
  }
}

/** The earliest queuedAt (queue order puts priority first, so the head is not always the oldest). */
function oldest(waiting: readonly { queuedAt: number }[]): number {
  let t = Infinity;
  for (const w of waiting) if (w.queuedAt < t) t = w.queuedAt;
  return t;
}
