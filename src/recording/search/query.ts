/**
 * Recording search as SQL (docs/recording.md, "Search"). One driving index per query, chosen by the
 * most selective filter given, named with `INDEXED BY` so the plan never depends on statistics:
 *
 * callId → recordings_call_idx; agent → recording_agents_agent_idx (agent, started_at, id);
 * tag → recording_tags_tag_idx; customer / queue → their (x, started_at, id) indexes; number →
 * two range scans (caller, callee: `>= p AND < p || U+FFFF`, never LIKE) merged; nothing → the
 * (started_at, id) index. Every other filter is a residual predicate on the rows the index yields.
 * Newest first by (started_at DESC, id DESC); the page boundary is a keyset `(started_at, id) < (?, ?)`,
 * so a page never repeats or skips a row while rows are added.
 *
 * Only `closed` recordings are listed (not `recording`, `failed` or `deleted`).
 */
import { badRequest } from '../../core/errors.ts';

export interface RecordingFilters {
  agent?: string;
  /** Digits (and * # +): matches the start of the caller's or the callee's number. */
  number?: string;
  /** Bounds on the start time, epoch ms, both included. */
  from?: number;
  to?: number;
  customer?: number;
  queue?: string;
  minDurationS?: number;
  maxDurationS?: number;
  tag?: string;
  callId?: string;
}

export interface Keyset {
  startedAt: number;
  id: string;
}

/** What the executor (search/executor.ts) runs: plain data, so it crosses to the worker thread. */
export interface SearchQuery {
  sql: string;
  params: Record<string, string | number>;
  /** Rows wanted (the page size + 1, to know whether there is a next page). */
  want: number;
  /** The driving table may yield one recording twice (an agent with two legs): drop repeats. */
  dedupe: boolean;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** Above every real key: the first page. */
const TOP: Keyset = { startedAt: Number.MAX_SAFE_INTEGER, id: '\uffff' };

export function encodeCursor(k: Keyset): string {
  return Buffer.from(JSON.stringify({ s: k.startedAt, i: k.id })).toString('base64url');
}

/** A cursor this API gave out, or 400 BAD_REQUEST (reason BAD_CURSOR). */
export function decodeCursor(raw: string): Keyset {
  const bad = () => badRequest('cursor: not a cursor this API gave out', { reason: 'BAD_CURSOR' });
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(raw)) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const o = v as { s?: unknown; i?: unknown };
  if (!o || typeof o !== 'object' || !Number.isSafeInteger(o.s) || typeof o.i !== 'string' || o.i.length === 0 || o.i.length > 200) throw bad();
  return { startedAt: o.s as number, id: o.i };
}

const COLS = `r.id, r.call_id, r.started_at, r.ended_at, r.duration_ms, r.direction, r.caller, r.callee, r.queue, r.pilot, r.customer_id, r.tier, r.bytes, r.sha256, r.legal_hold, r.path`;

export function buildSearch(f: RecordingFilters, after: Keyset | null, limit: number): SearchQuery {
  const k = after ?? TOP;
  const params: Record<string, string | number> = { ks: k.startedAt, kid: k.id, lim: limit + 1 };
  const residual: string[] = [`r.status = 'closed'`];
  const add = (cond: string, name: string, value: string | number) => {
    residual.push(cond);
    params[name] = value;
  };
  if (f.from !== undefined) add('r.started_at >= @from', 'from', f.from);
  if (f.to !== undefined) add('r.started_at <= @to', 'to', f.to);
  if (f.minDurationS !== undefined) add('r.duration_ms >= @minMs', 'minMs', f.minDurationS * 1000);
  if (f.maxDurationS !== undefined) add('r.duration_ms <= @maxMs', 'maxMs', f.maxDurationS * 1000);
  if (f.callId !== undefined) add('r.call_id = @callId', 'callId', f.callId);
  if (f.customer !== undefined) add('r.customer_id = @customer', 'customer', f.customer);
  if (f.queue !== undefined) add('r.queue = @queue', 'queue', f.queue);
  if (f.agent !== undefined) add('EXISTS (SELECT 1 FROM recording_agents a2 WHERE a2.recording_id = r.id AND a2.agent = @agent)', 'agent', f.agent);
  if (f.tag !== undefined) add('EXISTS (SELECT 1 FROM recording_tags t2 WHERE t2.recording_id = r.id AND t2.tag = @tag)', 'tag', f.tag);
  if (f.number !== undefined) {
    params.numLo = f.number;
    params.numHi = `${f.number}\uffff`;
  }
  const where = residual.join(' AND ');
  // Time bounds on the driving index too (they are its second column).
  const timeOn = (col: string) => [f.from !== undefined ? `${col} >= @from` : '', f.to !== undefined ? `${col} <= @to` : ''].filter(Boolean).map((c) => ` AND ${c}`).join('');

  if (f.callId !== undefined) {
    return { sql: `SELECT ${COLS} FROM recordings r INDEXED BY recordings_call_idx WHERE ${where} AND (r.started_at, r.id) < (@ks, @kid) ORDER BY r.started_at DESC, r.id DESC LIMIT @lim`, params, want: limit + 1, dedupe: false };
  }
  if (f.agent !== undefined) {
    const sql = `SELECT ${COLS} FROM recording_agents d INDEXED BY recording_agents_agent_idx JOIN recordings r ON r.id = d.recording_id
      WHERE d.agent = @agent${timeOn('d.started_at')} AND (d.started_at, d.recording_id) < (@ks, @kid) AND ${where}
      ORDER BY d.started_at DESC, d.recording_id DESC LIMIT @lim`;
    return { sql, params, want: limit + 1, dedupe: true };
  }
  if (f.tag !== undefined) {
    const sql = `SELECT ${COLS} FROM recording_tags d INDEXED BY recording_tags_tag_idx JOIN recordings r ON r.id = d.recording_id
      WHERE d.tag = @tag${timeOn('d.started_at')} AND (d.started_at, d.recording_id) < (@ks, @kid) AND ${where}
      ORDER BY d.started_at DESC, d.recording_id DESC LIMIT @lim`;
    return { sql, params, want: limit + 1, dedupe: false };
  }
  if (f.customer !== undefined || f.queue !== undefined) {
    const idx = f.customer !== undefined ? 'recordings_customer_idx' : 'recordings_queue_idx';
    return { sql: `SELECT ${COLS} FROM recordings r INDEXED BY ${idx} WHERE ${where} AND (r.started_at, r.id) < (@ks, @kid) ORDER BY r.started_at DESC, r.id DESC LIMIT @lim`, params, want: limit + 1, dedupe: false };
  }
  if (f.number !== undefined) {
    // Two index range scans, each limited, merged; UNION drops a row matched by both sides.
    const side = (col: 'caller' | 'callee') =>
      `SELECT * FROM (SELECT ${COLS} FROM recordings r INDEXED BY recordings_${col}_idx WHERE r.${col} >= @numLo AND r.${col} < @numHi AND ${where} AND (r.started_at, r.id) < (@ks, @kid) ORDER BY r.started_at DESC, r.id DESC LIMIT @lim)`;
    return { sql: `SELECT * FROM (${side('caller')} UNION ${side('callee')}) ORDER BY started_at DESC, id DESC LIMIT @lim`, params, want: limit + 1, dedupe: false };
  }
  return { sql: `SELECT ${COLS} FROM recordings r INDEXED BY recordings_started_idx WHERE ${where} AND (r.started_at, r.id) < (@ks, @kid) ORDER BY r.started_at DESC, r.id DESC LIMIT @lim`, params, want: limit + 1, dedupe: false };
}
