/**
 * Resumable WebSocket sessions, kept across daemon restarts (schema.ts `ws_sessions`). The
 * gateway writes a row when a session starts, marks it detached and attached again as its socket
 * comes and goes, and deletes it when the session ends; on a restart the rows left tell which
 * softphones may resume. Only the sha256 of the resume token is stored.
 */
import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { wsSessions } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type StoredSession = typeof wsSessions.$inferSelect;

export class WsSessionsRepository {
  constructor(private readonly ctx: RepoContext) {}

  save(row: StoredSession): void {
    this.ctx.db.insert(wsSessions).values(row).onConflictDoUpdate({ target: wsSessions.resumeHash, set: { ...row } }).run();
  }

  find(resumeHash: string): StoredSession | null {
    return this.ctx.db.select().from(wsSessions).where(eq(wsSessions.resumeHash, resumeHash)).get() ?? null;
  }

  /** `at`: the socket went away then; null: it is attached again. */
  setDetached(resumeHash: string, at: number | null): void {
    this.ctx.db.update(wsSessions).set({ detachedAt: at }).where(eq(wsSessions.resumeHash, resumeHash)).run();
  }

  remove(resumeHash: string): void {
    this.ctx.db.delete(wsSessions).where(eq(wsSessions.resumeHash, resumeHash)).run();
  }

  /**
   * Deletes the sessions that can no longer be resumed: token expired, detached before
   * `detachedBefore`, or — attached when the previous run ended — when that run ended before
   * `detachedBefore` too (`previousEnd`; null: none of those is resumable). Returns how many.
   */
  purge(now: number, detachedBefore: number, previousEnd: number | null): number {
    const attachedTooLong = previousEnd === null || previousEnd < detachedBefore ? isNull(wsSessions.detachedAt) : undefined;
    const where = or(lt(wsSessions.expiresAt, now), and(isNotNull(wsSessions.detachedAt), lt(wsSessions.detachedAt, detachedBefore)), attachedTooLong);
    return this.ctx.db.delete(wsSessions).where(where).run().changes;
  }

  count(): number {
    return this.ctx.db.select({ n: sql<number>`count(*)` }).from(wsSessions).get()?.n ?? 0;
  }
}
