/**
 * Runs a built search (query.ts) and fills in each row's agents, pauses and tags. The same code
 * runs on the main thread (repository `get`, tests, bench) and, serialised with `toString()`, in
 * the search worker (worker.ts). So these functions must be self-contained: no imports, no
 * module-level references, only the `prepare` they are given.
 */
import type { SearchQuery } from './query.ts';

export interface RecordingAgentLeg {
  agentId: string;
  extension: string;
  fromMs: number;
  toMs: number | null;
}

/** The contract's `Recording` (shared/spec/recordings.md). */
export interface Recording {
  id: string;
  callId: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  direction: string;
  caller: string;
  callee: string;
  agents: RecordingAgentLeg[];
  queue: string | null;
  pilot: string | null;
  customer: number | null;
  tier: 'hot' | 'archive';
  bytes: number | null;
  sha256: string | null;
  paused: { fromMs: number; toMs: number | null }[];
  legalHold: boolean;
  tags: string[];
}

/** A recording and where its file is (the path never leaves the daemon). */
export interface RecordingWithPath {
  recording: Recording;
  path: string | null;
  startedAtMs: number;
}

export interface SearchPage {
  rows: RecordingWithPath[];
  /** More rows after these (the caller encodes the last row's keyset as the next cursor). */
  more: boolean;
}

type Prepare = (sql: string) => { all(params?: unknown): unknown[] };

/** Runs `q`; on a driving table with repeats (dedupe), asks again past the last key until it has
 * `want` distinct rows or the index is exhausted. */
export function executeSearch(prepare: Prepare, q: SearchQuery): SearchPage {
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const params: Record<string, string | number> = { ...q.params };
  for (;;) {
    const raw = prepare(q.sql).all(params) as Record<string, unknown>[];
    for (const r of raw) {
      const id = r.id as string;
      if (q.dedupe && seen.has(id)) continue;
      seen.add(id);
      out.push(r);
      if (out.length >= q.want) break;
    }
    if (!q.dedupe || out.length >= q.want || raw.length < q.want) break;
    const last = raw[raw.length - 1]!;
    params.ks = last.started_at as number;
    params.kid = last.id as string;
  }
  const more = out.length >= q.want;
  const page = more ? out.slice(0, q.want - 1) : out;
  return { rows: hydrateRecordings(prepare, page), more };
}

/** Rows of `recordings` (the columns of query.ts) → Recordings with agents, pauses and tags. */
export function hydrateRecordings(prepare: Prepare, rows: Record<string, unknown>[]): RecordingWithPath[] {
  if (rows.length === 0) return [];
  const ids = JSON.stringify(rows.map((r) => r.id));
  const agents = prepare('SELECT recording_id, agent, extension, from_ms, to_ms FROM recording_agents WHERE recording_id IN (SELECT value FROM json_each(?)) ORDER BY recording_id, from_ms').all([ids]) as Record<string, unknown>[];
  const pauses = prepare('SELECT recording_id, from_ms, to_ms FROM recording_pauses WHERE recording_id IN (SELECT value FROM json_each(?)) ORDER BY recording_id, from_ms').all([ids]) as Record<string, unknown>[];
  const tags = prepare('SELECT recording_id, tag FROM recording_tags WHERE recording_id IN (SELECT value FROM json_each(?)) ORDER BY recording_id, tag').all([ids]) as Record<string, unknown>[];
  const by = new Map<string, RecordingWithPath>();
  const result: RecordingWithPath[] = rows.map((r) => {
    const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as number).toISOString());
    const rec: Recording = {
      id: r.id as string,
      callId: r.call_id as string,
      startedAt: iso(r.started_at)!,
      endedAt: iso(r.ended_at),
      durationMs: (r.duration_ms as number | null) ?? null,
      direction: r.direction as string,
      caller: r.caller as string,
      callee: r.callee as string,
      agents: [],
      queue: (r.queue as string | null) ?? null,
      pilot: (r.pilot as string | null) ?? null,
      customer: (r.customer_id as number | null) ?? null,
      tier: r.tier as 'hot' | 'archive',
      bytes: (r.bytes as number | null) ?? null,
      sha256: (r.sha256 as string | null) ?? null,
      paused: [],
      legalHold: r.legal_hold === 1 || r.legal_hold === true,
      tags: [],
    };
    const w = { recording: rec, path: (r.path as string | null) ?? null, startedAtMs: r.started_at as number };
    by.set(rec.id, w);
    return w;
  });
  for (const a of agents) by.get(a.recording_id as string)?.recording.agents.push({ agentId: a.agent as string, extension: a.extension as string, fromMs: a.from_ms as number, toMs: (a.to_ms as number | null) ?? null });
  for (const p of pauses) by.get(p.recording_id as string)?.recording.paused.push({ fromMs: p.from_ms as number, toMs: (p.to_ms as number | null) ?? null });
  for (const t of tags) by.get(t.recording_id as string)?.recording.tags.push(t.tag as string);
  return result;
}
