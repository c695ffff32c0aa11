/**
 * The access ledger's hash chain (docs/recording.md, "Ledger"): each row's
 * `hash = sha256(prevHash + canonical JSON of its fields in a fixed order)`; the first row's
 * prevHash is 64 zeros. `seq` is part of what is hashed, so a deleted row shows as a gap and as
 * the next row's prevHash no longer matching.
 */
import { createHash } from 'node:crypto';
import type { LedgerAction, LedgerVia } from '../../storage/schema.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface LedgerFields {
  seq: number;
  at: number;
  user: string;
  recordingId: string | null;
  action: LedgerAction;
  range: string | null;
  via: LedgerVia;
  detail: string | null;
}

export interface LedgerRow extends LedgerFields {
  prevHash: string;
  hash: string;
}

/** The fields as JSON, always in this order, absent values as null. */
export function canonicalJson(f: LedgerFields): string {
  return JSON.stringify({ seq: f.seq, at: f.at, user: f.user, recordingId: f.recordingId ?? null, action: f.action, range: f.range ?? null, via: f.via, detail: f.detail ?? null });
}

export function rowHash(prevHash: string, f: LedgerFields): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(f)).digest('hex');
}

export type ChainBreak = { seq: number; problem: 'gap' | 'prevHash' | 'hash'; message: string };

/** Walks rows in seq order; the first break, or null when the chain holds. */
export function verifyChain(rows: Iterable<LedgerRow>): { rows: number; broken: ChainBreak | null } {
  let prev: LedgerRow | null = null;
  let n = 0;
  for (const r of rows) {
    n++;
    const expectedSeq = prev ? prev.seq + 1 : 1;
    if (r.seq !== expectedSeq) {
      return { rows: n, broken: { seq: r.seq, problem: 'gap', message: `seq ${r.seq}: expected seq ${expectedSeq} — row(s) ${expectedSeq}${r.seq - 1 > expectedSeq ? `–${r.seq - 1}` : ''} missing (deleted)` } };
    }
    const expectedPrev = prev ? prev.hash : GENESIS_HASH;
    if (r.prevHash !== expectedPrev) {
      return { rows: n, broken: { seq: r.seq, problem: 'prevHash', message: `seq ${r.seq}: prev_hash ${r.prevHash.slice(0, 12)}… does not match the hash of seq ${prev ? prev.seq : '(genesis)'} (${expectedPrev.slice(0, 12)}…)` } };
    }
    const h = rowHash(r.prevHash, r);
    if (h !== r.hash) {
      return { rows: n, broken: { seq: r.seq, problem: 'hash', message: `seq ${r.seq}: contents changed — stored hash ${r.hash.slice(0, 12)}…, recomputed ${h.slice(0, 12)}… (row now ${canonicalJson(r)})` } };
    }
    prev = r;
  }
  return { rows: n, broken: null };
}
