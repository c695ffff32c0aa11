/**
 * Routing metrics: how long a RouteRequest takes to answer and how many decisions the router
 * makes (observed as they happen, through the RoutingMeter port of services/ports.ts), and each
 * queue's waiting calls, longest wait and ready agents (read from the router at scrape time, so
 * routing pays nothing for them).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RouteOutcome, RoutingMeter } from '../services/ports.ts';
import { cached } from './registry.ts';

/** A decision is microseconds of work; a RouteRequest answered in more than 10 ms waited on
 * something (a slow logger, a blocked event loop). */
export const ROUTING_BUCKETS_S = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

const OUTCOMES: readonly RouteOutcome[] = ['agent', 'queue', 'elsewhere', 'noQueue'];
const DECISIONS = ['assign', 'moved', 'fallback', 'unroutable'] as const;

/** What the queue gauges read at scrape time (the router, the directory's queues). */
export interface QueueSource {
  queueIds(): Iterable<string>;
  /** The queue's waiting calls, each with when it started waiting (ms epoch). */
  waiting(queueId: string): readonly { queuedAt: number }[];
  readyAgents(queueId: string): number;
  /** Wall-clock now, ms epoch (the same clock as `queuedAt`). */
  now(): number;
}

export class RoutingMetrics implements RoutingMeter {
  private readonly requests: (outcome: string) => { observe(v: number): void };
  private readonly decisions: Record<(typeof DECISIONS)[number], { inc(): void }>;
  private source: QueueSource | null = null;

  constructor(registry: Registry) {
    const registers = [registry];
    const requests = new Histogram({
      name: 'switchboard_routing_request_duration_seconds',
      help: 'Time from a RouteRequest reaching the routing service to its RouteSelect (or RouteEnd) handed to the CSTA link, by outcome: agent (sent to a phone at once), queue (left to wait on the queue device), elsewhere (a fallback or another queue at once), noQueue (the pilot has no queue).',
      labelNames: ['outcome'],
      buckets: ROUTING_BUCKETS_S,
      registers,
    });
    for (const o of OUTCOMES) requests.zero({ outcome: o });
    this.requests = cached((outcome) => requests.labels(outcome));
    const decisions = new Counter({
      name: 'switchboard_routing_decisions_total',
      help: 'Decisions of the ACD router carried out, by kind: assign (a call to an agent), moved (to another queue), fallback (out of the router: IVR, voicemail, a number), unroutable.',
      labelNames: ['kind'],
      registers,
    });
    this.decisions = Object.fromEntries(DECISIONS.map((k) => [k, decisions.labels(k)])) as RoutingMetrics['decisions'];
    for (const k of DECISIONS) decisions.labels(k).inc(0);

    const self = this;
    new Gauge({
      name: 'switchboard_queue_calls_waiting',
      help: 'Calls waiting in the queue for an agent, now.',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        const s = self.source;
        if (s) for (const q of s.queueIds()) this.set({ queue: q }, s.waiting(q).length);
      },
    });
    new Gauge({
      name: 'switchboard_queue_longest_wait_seconds',
      help: 'How long the call waiting longest in the queue has waited, now (0: none waiting).',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        const s = self.source;
        if (!s) return;
        const now = s.now();
        for (const q of s.queueIds()) {
          let oldest = Infinity;
          for (const w of s.waiting(q)) if (w.queuedAt < oldest) oldest = w.queuedAt;
          this.set({ queue: q }, oldest === Infinity ? 0 : Math.max(0, now - oldest) / 1000);
        }
      },
    });
    new Gauge({
      name: 'switchboard_queue_agents_ready',
      help: 'Agents free to take a call of the queue, now.',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        const s = self.source;
        if (s) for (const q of s.queueIds()) this.set({ queue: q }, s.readyAgents(q));
      },
    });
  }

  now(): number {
    return performance.now();
  }

  routeRequest(outcome: RouteOutcome, ms: number): void {
    this.requests(outcome).observe(ms / 1000);
  }

  decision(kind: (typeof DECISIONS)[number]): void {
    this.decisions[kind].inc();
  }

  /** Where the queue gauges read from; until then they are empty. */
  watchQueues(source: QueueSource): void {
    this.source = source;
  }
}
