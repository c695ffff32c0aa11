/**
 * Webhooks: POSTs an event as JSON to every configured URL (`VOICEMAIL_WEBHOOKS`), with retries.
 *
 * Durable: `enqueue` writes one outbox row per URL (webhook_deliveries) before anything is sent —
 * inside the caller's transaction when there is one, so the event's own row and its deliveries
 * commit together. A delivery still pending when the daemon stops is resumed at the next start
 * (`start`). Delivery is therefore at least once: a POST whose answer was lost to a stop is sent
 * again; receivers deduplicate by the `x-switchboard-delivery` header (the row id).
 *
 * An attempt succeeds on a 2xx answer within the timeout (5 s, `AbortSignal.timeout`). Otherwise
 * the next waits 1 s, 2 s, 4 s, 8 s (each ±20 % jitter, so many failed deliveries do not come back
 * in step); after the 5th failed attempt the row is marked `failed` and a warning names its id.
 * Redirects are not followed (a 3xx is a failure).
 */
import type { Logger } from 'pino';
import type { WebhookDelivery } from '../storage/repositories/webhook-deliveries.ts';
import type { WebhookDeliveryStatus } from '../storage/schema.ts';
import type { Clock, Timers } from './ports.ts';

/** The outbox (WebhookDeliveriesRepository). */
export interface WebhookOutbox {
  enqueue(event: string, url: string, payload: string, dueAt?: number): WebhookDelivery;
  get(id: number): WebhookDelivery | null;
  pending(): WebhookDelivery[];
  attempted(id: number, r: { attempts: number; status: WebhookDeliveryStatus; nextAttemptAt?: number; lastError: string | null }): void;
}

export interface WebhookNotifierOptions {
  outbox: WebhookOutbox;
  urls: readonly string[];
  /** Wait after the 1st, 2nd, … failed attempt (before jitter); the last entry repeats. */
  retryDelaysMs?: readonly number[];
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** Per attempt. */
  timeoutMs?: number;
  /** Each wait is multiplied by a random factor in [1 − jitter, 1 + jitter]. */
  jitter?: number;
  random?: () => number;
  fetch?: typeof fetch;
  clock: Clock;
  timers: Timers;
  log: Logger;
}

export const WEBHOOK_DEFAULTS = { retryDelaysMs: [1000, 2000, 4000, 8000], maxAttempts: 5, timeoutMs: 5000, jitter: 0.2 } as const;

/** The JSON body of every webhook POST. */
export interface WebhookBody<T = unknown> {
  event: string;
  /** ISO-8601, when the event happened (was enqueued). */
  at: string;
  data: T;
}

export class WebhookNotifier {
  private readonly timers = new Map<number, unknown>();
  private readonly inFlight = new Map<number, Promise<void>>();
  private closed = false;
  /** Aborts the attempts in flight at close (they stay pending, resumed at the next start). */
  private readonly stopping = new AbortController();
  private readonly o: Required<Omit<WebhookNotifierOptions, 'random' | 'fetch'>> & { random: () => number; fetch: typeof fetch };

  constructor(opts: WebhookNotifierOptions) {
    this.o = {
      retryDelaysMs: WEBHOOK_DEFAULTS.retryDelaysMs,
      maxAttempts: WEBHOOK_DEFAULTS.maxAttempts,
      timeoutMs: WEBHOOK_DEFAULTS.timeoutMs,
      jitter: WEBHOOK_DEFAULTS.jitter,
      random: Math.random,
      fetch: (...args) => fetch(...args),
      ...opts,
    };
  }

  get urls(): readonly string[] {
    return this.o.urls;
  }

  /**
   * Writes one pending delivery per URL and schedules the first attempts (they start after the
   * current turn of the event loop, i.e. after the caller's transaction). Synchronous; throws
   * what the database throws. Returns the delivery ids.
   */
  enqueue<T>(event: string, data: T): number[] {
    if (this.o.urls.length === 0) return [];
    const now = this.o.clock.now();
    const body: WebhookBody<T> = { event, at: new Date(now).toISOString(), data };
    const payload = JSON.stringify(body);
    const rows = this.o.urls.map((url) => this.o.outbox.enqueue(event, url, payload, now));
    for (const r of rows) this.schedule(r, 0);
    return rows.map((r) => r.id);
  }

  /** Resumes the deliveries a previous run left pending. Returns how many. */
  start(): number {
    const pending = this.o.outbox.pending();
    const now = this.o.clock.now();
    for (const r of pending) this.schedule(r, Math.max(0, r.nextAttemptAt - now));
    if (pending.length) this.o.log.info({ pending: pending.length }, 'webhook deliveries resumed');
    return pending.length;
  }

  /** Deliveries waiting for an attempt or in one. */
  busy(): number {
    return new Set([...this.timers.keys(), ...this.inFlight.keys()]).size;
  }

  /** No more attempts; those in flight are aborted and not counted. Pending rows stay pending for
   * the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopping.abort();
    for (const t of this.timers.values()) this.o.timers.clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** The wait after `failures` failed attempts, with jitter. */
  delayAfter(failures: number): number {
    const d = this.o.retryDelaysMs;
    const base = d[Math.min(failures, d.length) - 1] ?? d[d.length - 1] ?? 1000;
    const j = this.o.jitter;
    return Math.max(0, Math.round(base * (1 - j + 2 * j * this.o.random())));
  }

  private schedule(r: WebhookDelivery, ms: number): void {
    if (this.closed || this.timers.has(r.id) || this.inFlight.has(r.id)) return;
    const t = this.o.timers.setTimeout(() => {
      this.timers.delete(r.id);
      const p = this.attempt(r).then(
        (retry) => {
          this.inFlight.delete(r.id);
          if (retry) this.schedule(retry.row, retry.wait);
        },
        (err: unknown) => {
          this.inFlight.delete(r.id);
          this.o.log.error({ err, deliveryId: r.id }, 'webhook attempt failed unexpectedly');
        },
      );
      this.inFlight.set(r.id, p);
    }, ms);
    this.timers.set(r.id, t);
  }

  /** One attempt; what to retry and when, or null (delivered, given up, or not to be sent). */
  private async attempt(queued: WebhookDelivery): Promise<{ row: WebhookDelivery; wait: number } | null> {
    if (this.closed) return null;
    // As the database has it now: an enqueue whose transaction rolled back left no row, and a
    // row no longer pending is not sent again.
    const r = this.o.outbox.get(queued.id);
    if (!r || r.status !== 'pending') return null;
    const attempts = r.attempts + 1;
    let error: string | null = null;
    try {
      const res = await this.o.fetch(r.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-switchboard-event': r.event, 'x-switchboard-delivery': String(r.id), 'user-agent': 'switchboard-webhooks' },
        body: r.payload,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.o.timeoutMs), this.stopping.signal]),
      });
      // The body is not needed; reading it frees the connection.
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
    } catch (err) {
      if (this.closed) return null;
      const e = err as Error;
      error = e.name === 'TimeoutError' ? `no answer within ${this.o.timeoutMs} ms` : `${e.name}: ${(e.cause as Error | undefined)?.message ?? e.message}`;
    }
    return this.settle(r, attempts, error);
  }

  private settle(r: WebhookDelivery, attempts: number, error: string | null): { row: WebhookDelivery; wait: number } | null {
    const log = { deliveryId: r.id, event: r.event, url: r.url, attempts };
    try {
      if (error === null) {
        this.o.outbox.attempted(r.id, { attempts, status: 'delivered', lastError: null });
        this.o.log.debug(log, 'webhook delivered');
        return null;
      }
      if (attempts >= this.o.maxAttempts) {
        this.o.outbox.attempted(r.id, { attempts, status: 'failed', lastError: error });
        this.o.log.warn({ ...log, error }, 'webhook delivery given up');
        return null;
      }
      const wait = this.delayAfter(attempts);
      const nextAttemptAt = this.o.clock.now() + wait;
      this.o.outbox.attempted(r.id, { attempts, status: 'pending', nextAttemptAt, lastError: error });
      this.o.log.info({ ...log, error, retryInMs: wait }, 'webhook attempt failed; will retry');
      return { row: { ...r, attempts, nextAttemptAt, lastError: error }, wait };
    } catch (err) {
      // The database refused the outcome: the row stays as it was (pending), resumed at the next
      // start; an attempt may be repeated then (at least once).
      this.o.log.error({ ...log, err }, 'webhook outcome not recorded');
      return null;
    }
  }
}
