/**
 * What each caller heard, per sim call, in order (`GET /sim/calls/:id/heard`, `…/audio`): every
 * message a voice unit played to the call and the music of a queue device, with what was actually
 * heard of it. Kept while the call lasts and for `RETAIN_MS` after it ended, for at most
 * `MAX_ENDED_CALLS` ended calls (the oldest go first) and `MAX_ITEMS_PER_CALL` items per call.
 * Pure data: the clock is passed in.
 */

export type HeardKind = 'prompt' | 'tts' | 'file' | 'tone' | 'music' | 'silence';

export interface HeardItem {
  /** Wall-clock start (ms since the epoch). */
  at: number;
  port: string;
  kind: HeardKind;
  ref?: string;
  text?: string;
  lang?: string;
  /** What was heard, ms of the message's own time (not scaled by voiceTimeScale). Null while open. */
  durationMs: number | null;
  interruptedBy?: string;
  /** A WAV file whose samples were heard (file: plays, rendered speech). */
  file?: string;
  /** Nominal length (null: until stopped) and the scale, to tell an open item's length so far. */
  nominalMs: number | null;
  scale: number;
}

export interface HeardItemView {
  at: string;
  port: string;
  kind: HeardKind;
  ref?: string;
  text?: string;
  lang?: string;
  durationMs: number;
  interruptedBy?: string;
}

export const RETAIN_MS = 10 * 60_000;
export const MAX_ENDED_CALLS = 2000;
export const MAX_ITEMS_PER_CALL = 1000;

interface Entry {
  items: HeardItem[];
  endedAt: number | null;
}

export class HeardLog {
  private readonly calls = new Map<string, Entry>();
  /** Ended calls, oldest first (Map keeps insertion order). */
  private readonly ended = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Appends an item to the call's log (returned so its end can be filled in), or null past the cap. */
  add(callId: string, item: HeardItem): HeardItem | null {
    this.purge();
    let e = this.calls.get(callId);
    if (!e) this.calls.set(callId, (e = { items: [], endedAt: null }));
    if (e.items.length >= MAX_ITEMS_PER_CALL) return null;
    e.items.push(item);
    return item;
  }

  /** The call ended: its log is kept for RETAIN_MS. */
  end(callId: string): void {
    const e = this.calls.get(callId);
    if (!e || e.endedAt !== null) return;
    e.endedAt = this.clock();
    this.ended.set(callId, e.endedAt);
    while (this.ended.size > MAX_ENDED_CALLS) this.forget(this.ended.keys().next().value as string);
  }

  endAll(): void {
    for (const id of [...this.calls.keys()]) this.end(id);
  }

  has(callId: string): boolean {
    this.purge();
    return this.calls.has(callId);
  }

  items(callId: string): HeardItem[] | undefined {
    this.purge();
    return this.calls.get(callId)?.items;
  }

  view(callId: string): HeardItemView[] | undefined {
    return this.items(callId)?.map((i) => viewOf(i, this.clock()));
  }

  get size(): number {
    return this.calls.size;
  }

  private purge(): void {
    const now = this.clock();
    for (const [id, endedAt] of this.ended) {
      if (now - endedAt < RETAIN_MS) break;
      this.forget(id);
    }
  }

  private forget(id: string): void {
    this.ended.delete(id);
    this.calls.delete(id);
  }
}

/** An item's heard length: final once closed; while open, the time since it began (scaled), at
 * most its nominal length. */
export function heardMs(i: HeardItem, now: number): number {
  if (i.durationMs !== null) return i.durationMs;
  const so = Math.max(0, Math.round((now - i.at) * i.scale));
  return i.nominalMs === null ? so : Math.min(so, i.nominalMs);
}

function viewOf(i: HeardItem, now: number): HeardItemView {
  return {
    at: new Date(i.at).toISOString(),
    port: i.port,
    kind: i.kind,
    ...(i.ref !== undefined ? { ref: i.ref } : {}),
    ...(i.text !== undefined ? { text: i.text } : {}),
    ...(i.lang !== undefined ? { lang: i.lang } : {}),
    durationMs: heardMs(i, now),
    ...(i.interruptedBy !== undefined ? { interruptedBy: i.interruptedBy } : {}),
  };
}
