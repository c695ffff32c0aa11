/**
 * The access ledger table (docs/recording.md, "Ledger"): append and read, never update or delete.
 * Appends are serialised by SQLite itself: one transaction reads the last row's seq and hash and
 * inserts the next (one process writes the database). It is synchronous and cheap (two prepared
 * statements); callers on the HTTP path call it directly.
 */
import type { Sqlite } from '../database.ts';
import { GENESIS_HASH, rowHash, type LedgerFields, type LedgerRow } from '../../recording/ledger/chain.ts';
import type { LedgerAction, LedgerVia } from '../schema.ts';

export interface LedgerEntry {
  user: string;
  recordingId?: string | null;
  action: LedgerAction;
  /** `bytes=a-b` served (play, download). */
  range?: string | null;
  via: LedgerVia;
  /** Free text, e.g. why a request was refused. */
  detail?: string | null;
  /** Default: the clock's now. */
  at?: number;
}

export interface LedgerQuery {
  recordingId?: string;
  user?: string;
  from?: number;
  to?: number;
  /** Rows with seq below this (the next page). */
  beforeSeq?: number;
  limit: number;
}

interface Raw {
  seq: number;
  at: number;
  user: string;
  recording_id: string | null;
  action: LedgerAction;
  range: string | null;
  via: LedgerVia;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

const toRow = (r: Raw): LedgerRow => ({ seq: r.seq, at: r.at, user: r.user, recordingId: r.recording_id, action: r.action, range: r.range, via: r.via, detail: r.detail, prevHash: r.prev_hash, hash: r.hash });

export class AccessLedgerRepository {
  private readonly last;
  private readonly insert;
  private readonly appendTx;

  constructor(
    private readonly sqlite: Sqlite,
    private readonly clock: { now(): number } = { now: () => Date.now() },
  ) {
    this.last = sqlite.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM access_ledger ORDER BY seq DESC LIMIT 1');
    this.insert = sqlite.prepare('INSERT INTO access_ledger (seq, at, user, recording_id, action, range, via, detail, prev_hash, hash) VALUES (@seq, @at, @user, @recordingId, @action, @range, @via, @detail, @prevHash, @hash)');
    this.appendTx = sqlite.transaction((e: LedgerEntry): LedgerRow => {
      const last = this.last.get();
      const f: LedgerFields = { seq: (last?.seq ?? 0) + 1, at: e.at ?? this.clock.now(), user: e.user, recordingId: e.recordingId ?? null, action: e.action, range: e.range ?? null, via: e.via, detail: e.detail ?? null };
      const prevHash = last?.hash ?? GENESIS_HASH;
      const row: LedgerRow = { ...f, prevHash, hash: rowHash(prevHash, f) };
      this.insert.run(row);
      return row;
    });
  }

  /** Appends one row, chained to the last; returns it. */
  append(e: LedgerEntry): LedgerRow {
    return this.appendTx.immediate(e);
  }

  /** Newest first. */
  list(q: LedgerQuery): { items: LedgerRow[]; more: boolean } {
    const where: string[] = [];
    const p: Record<string, string | number> = { lim: q.limit + 1 };
    if (q.recordingId !== undefined) (where.push('recording_id = @recordingId'), (p.recordingId = q.recordingId));
    if (q.user !== undefined) (where.push('user = @user'), (p.user = q.user));
    if (q.from !== undefined) (where.push('at >= @from'), (p.from = q.from));
    if (q.to !== undefined) (where.push('at <= @to'), (p.to = q.to));
    if (q.beforeSeq !== undefined) (where.push('seq < @beforeSeq'), (p.beforeSeq = q.beforeSeq));
    const rows = this.sqlite.prepare<Record<string, string | number>, Raw>(`SELECT * FROM access_ledger ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @lim`).all(p);
    const more = rows.length > q.limit;
    return { items: rows.slice(0, q.limit).map(toRow), more };
  }

  /** Every row in seq order, streamed (verification). */
  *all(): Generator<LedgerRow> {
    for (const r of this.sqlite.prepare<[], Raw>('SELECT * FROM access_ledger ORDER BY seq').iterate()) yield toRow(r);
  }
}
