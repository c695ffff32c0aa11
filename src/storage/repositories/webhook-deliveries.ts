/**
 * The webhook outbox (services/webhook-notifier.ts): one row per (event, URL), `pending` until a
 * 2xx answer (`delivered`) or the last attempt (`failed`). Pending rows survive a restart and are
 * resumed at the next start.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { webhookDeliveries, type WebhookDeliveryStatus } from '../schema.ts';
import type { RepoContext } from './context.ts';

export interface WebhookDelivery {
  id: number;
  event: string;
  url: string;
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export class WebhookDeliveriesRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** A pending delivery, due at `dueAt` (default now). */
  enqueue(event: string, url: string, payload: string, dueAt?: number): WebhookDelivery {
    const now = this.ctx.clock.now();
    return this.ctx.db
      .insert(webhookDeliveries)
      .values({ event, url, payload, status: 'pending', attempts: 0, nextAttemptAt: dueAt ?? now, createdAt: now, updatedAt: now })
      .returning()
      .get();
  }

  get(id: number): WebhookDelivery | null {
    return this.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).get() ?? null;
  }

  /** Every pending delivery, soonest due first (the partial index). */
  pending(limit = 10_000): WebhookDelivery[] {
    return this.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.status, 'pending')).orderBy(asc(webhookDeliveries.nextAttemptAt)).limit(limit).all();
  }

  /** After an attempt: the new count, and what happens next. Only a pending row changes. */
  attempted(id: number, r: { attempts: number; status: WebhookDeliveryStatus; nextAttemptAt?: number; lastError: string | null }): void {
    this.ctx.db
      .update(webhookDeliveries)
      .set({ attempts: r.attempts, status: r.status, lastError: r.lastError, updatedAt: this.ctx.clock.now(), ...(r.nextAttemptAt !== undefined ? { nextAttemptAt: r.nextAttemptAt } : {}) })
      .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.status, 'pending')))
      .run();
  }

  countByStatus(): Record<WebhookDeliveryStatus, number> {
    const out: Record<WebhookDeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    const rows = this.ctx.db.select({ status: webhookDeliveries.status, n: sql<number>`count(*)` }).from(webhookDeliveries).groupBy(webhookDeliveries.status).all();
    for (const r of rows) out[r.status] = r.n;
    return out;
  }
}
