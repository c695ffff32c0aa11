/**
 * Voicemail messages: one row per message (the audio is the file at `path`). Listed newest first,
 * keyset-paged by (recorded_at, id): a page after a cursor is an index range read whatever page it
 * is, and messages arriving meanwhile never shift a page.
 */
import { and, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import { voicemails } from '../schema.ts';
import type { RepoContext } from './context.ts';

export interface Voicemail {
  id: number;
  callId: string;
  caller: string;
  mailbox: string;
  flow: string;
  /** Epoch ms. */
  recordedAt: number;
  durationMs: number;
  path: string;
  bytes: number;
  createdAt: number;
}

export type NewVoicemail = Omit<Voicemail, 'id' | 'createdAt'>;

export interface VoicemailQuery {
  mailbox?: string;
  /** recorded_at >= from */
  from?: number;
  /** recorded_at <= to */
  to?: number;
  /** Default 50, at most 500. */
  limit?: number;
  /** The last row of the previous page: the next page is older than it. */
  after?: { recordedAt: number; id: number };
}

export class VoicemailsRepository {
  constructor(private readonly ctx: RepoContext) {}

  insert(v: NewVoicemail): Voicemail {
    return this.ctx.db.insert(voicemails).values({ ...v, createdAt: this.ctx.clock.now() }).returning().get();
  }

  get(id: number): Voicemail | null {
    return this.ctx.db.select().from(voicemails).where(eq(voicemails.id, id)).get() ?? null;
  }

  /** Newest first; `more` when another page follows. */
  list(q: VoicemailQuery = {}): { items: Voicemail[]; more: boolean } {
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const where: SQL[] = [];
    if (q.mailbox !== undefined) where.push(eq(voicemails.mailbox, q.mailbox));
    if (q.from !== undefined) where.push(gte(voicemails.recordedAt, q.from));
    if (q.to !== undefined) where.push(lte(voicemails.recordedAt, q.to));
    if (q.after) where.push(or(lt(voicemails.recordedAt, q.after.recordedAt), and(eq(voicemails.recordedAt, q.after.recordedAt), lt(voicemails.id, q.after.id)))!);
    const rows = this.ctx.db
      .select()
      .from(voicemails)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(voicemails.recordedAt), desc(voicemails.id))
      .limit(limit + 1)
      .all();
    return { items: rows.slice(0, limit), more: rows.length > limit };
  }
}
