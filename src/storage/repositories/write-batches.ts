/**
 * The write queue's batch mark (one row): `mark(seq)` inside a retry batch's transaction, `last()`
 * after a batch failed, to tell whether its commit landed anyway (storage/write-queue.ts).
 */
import { eq, sql } from 'drizzle-orm';
import { writeBatches } from '../schema.ts';
import type { RepoContext } from './context.ts';

export class WriteBatchesRepository {
  private readonly markStmt;
  private readonly lastStmt;

  constructor(private readonly ctx: RepoContext) {
    this.markStmt = ctx.db
      .insert(writeBatches)
      .values({ id: 1, seq: sql.placeholder('seq'), at: sql.placeholder('at') })
      .onConflictDoUpdate({ target: writeBatches.id, set: { seq: sql`excluded.seq`, at: sql`excluded.at` } })
      .prepare();
    this.lastStmt = ctx.db.select({ seq: writeBatches.seq }).from(writeBatches).where(eq(writeBatches.id, 1)).prepare();
  }

  mark(seq: number): void {
    this.markStmt.run({ seq, at: this.ctx.clock.now() });
  }

  /** The last batch marked; null when none ever was. */
  last(): number | null {
    return this.lastStmt.get()?.seq ?? null;
  }
}
