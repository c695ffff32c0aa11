/**
 * The audit log: who did what to which target, when. Written by every admin mutation and every
 * supervisor action; never updated by the daemon, and deleted only by retention when an operator
 * sets RETAIN_AUDIT_DAYS (default: kept for ever).
 */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { auditLog } from '../schema.ts';
import type { RepoContext } from './context.ts';
import { deleteOldest } from './retention.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  details?: unknown;
}

export interface AuditRecord {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  details: unknown;
}

export interface AuditQuery {
  /** Default 100, at most 1000. Newest first. */
  limit?: number;
  actor?: string;
  /** Only entries with id < before (paging). */
  before?: number;
}

export class AuditRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** `at`: when it happened (default now); a write kept while the database refused it is
   * written later with the time it happened. */
  append(entry: AuditEntry, at: number = this.ctx.clock.now()): AuditRecord {
    return this.ctx.db
      .insert(auditLog)
      .values({ at, actor: entry.actor, action: entry.action, target: entry.target, details: entry.details ?? null })
      .returning()
      .get();
  }

  /** `append`, unless the same actor, action and target at the same time is already there: a
   * write replayed after a failure that may have landed leaves one row. False when it was there. */
  appendOnce(entry: AuditEntry, at: number): boolean {
    const there = this.ctx.db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(and(eq(auditLog.actor, entry.actor), eq(auditLog.at, at), eq(auditLog.action, entry.action), eq(auditLog.target, entry.target)))
      .limit(1)
      .get();
    if (there) return false;
    this.append(entry, at);
    return true;
  }

  /** Retention (only when configured): deletes up to `limit` of the oldest entries before `before`. */
  deleteOlderThan(before: number, limit: number): number {
    return deleteOldest(this.ctx.db, { table: 'audit_log', time: 'at' }, before, limit);
  }

  list(q: AuditQuery = {}): AuditRecord[] {
    const conds: SQL[] = [];
    if (q.actor !== undefined) conds.push(eq(auditLog.actor, q.actor));
    if (q.before !== undefined) conds.push(lt(auditLog.id, q.before));
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 1000);
    return this.ctx.db
      .select()
      .from(auditLog)
      .where(conds.length > 0 ? and(...conds) : undefined)
      .orderBy(desc(auditLog.id))
      .limit(limit)
      .all();
  }
}
