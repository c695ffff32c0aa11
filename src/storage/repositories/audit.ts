/**
 * The audit log: who did what to which target, when. Written by every admin mutation and every
 * supervisor action; never updated or deleted by the daemon.
 */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { auditLog } from '../schema.ts';
import type { RepoContext } from './context.ts';

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

  append(entry: AuditEntry): AuditRecord {
    return this.ctx.db
      .insert(auditLog)
      .values({ at: this.ctx.clock.now(), actor: entry.actor, action: entry.action, target: entry.target, details: entry.details ?? null })
      .returning()
      .get();
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
