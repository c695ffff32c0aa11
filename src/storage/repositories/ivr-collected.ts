/**
 * What callers keyed in the IVR, one row per collected value. `masked`: the engine redacted the
 * value before handing it over (a PIN); stored as given either way.
 */
import { and, asc, eq } from 'drizzle-orm';
import { ivrCollected } from '../schema.ts';
import type { RepoContext } from './context.ts';

export interface IvrCollected {
  callId: string;
  flow: string;
  node: string;
  name: string;
  value: string;
  masked: boolean;
  /** Epoch ms. */
  at: number;
}

export class IvrCollectedRepository {
  constructor(private readonly ctx: RepoContext) {}

  insert(c: IvrCollected): void {
    this.ctx.db.insert(ivrCollected).values(c).run();
  }

  /** A replay (write queue): not inserted again when the same call, time, node and name is there. */
  insertOnce(c: IvrCollected): void {
    const there = this.ctx.db
      .select({ id: ivrCollected.id })
      .from(ivrCollected)
      .where(and(eq(ivrCollected.callId, c.callId), eq(ivrCollected.at, c.at), eq(ivrCollected.node, c.node), eq(ivrCollected.name, c.name)))
      .get();
    if (!there) this.insert(c);
  }

  forCall(callId: string): (IvrCollected & { id: number })[] {
    return this.ctx.db.select().from(ivrCollected).where(eq(ivrCollected.callId, callId)).orderBy(asc(ivrCollected.at), asc(ivrCollected.id)).all();
  }
}
