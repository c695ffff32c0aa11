/**
 * `replayRecordings`: replay by phone (shared/spec/recordings.md). Finds the recordings of the
 * agent whose username digits were keyed, on a day (`YYYYMMDD`, empty: today in the engine's time
 * zone) and optionally an hour, and plays them newest first, each announced by its ordinal and
 * start time (the `intro` said once before the first). During playback 1 plays the previous one, 2 the same again, 3 the next, 0 goes
 * `back` (to the agent choice); other keys are ignored and the recording plays on. After the last
 * one, `end` is said and the keys still work for `waitS`, then `done`.
 *
 * Each recording that starts playing is a `replayed` effect: the adapter writes it to the access
 * ledger (action `phone`, via `phone`) for the signed-in user.
 */
import type { ReplayRecordingsNode } from '../flow/types.ts';
import type { NodeStep, StepContext } from '../engine/step.ts';
import type { PlayItem, RequestValue } from '../engine/types.ts';
import { instantOf, localTime } from '../business-hours/is-open.ts';
import { readOut } from '../readouts/index.ts';

export const DEFAULT_REPLAY_LIMIT = 20;
export const MAX_REPLAY_LIMIT = 100;

export interface Found {
  id: string;
  startedAt: number;
  durationMs: number;
}

/** The window [from, to) that a date `YYYYMMDD` (empty: today) and an hour `HH` (empty: the
 * whole day) name in `tz`; null when the date or hour is not one. */
export function replayWindow(date: string, hour: string, now: number, tz: string): { from: number; to: number } | null {
  let y: number;
  let mo: number;
  let d: number;
  if (date === '') {
    const l = localTime(tz, now);
    [y, mo, d] = [l.y, l.mo, l.d];
  } else {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
    if (!m) return null;
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const t = new Date(Date.UTC(y, mo - 1, d));
    if (y < 1970 || t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  }
  if (hour === '') {
    const next = new Date(Date.UTC(y, mo - 1, d + 1));
    return { from: instantOf(tz, y, mo, d, 0), to: instantOf(tz, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0) };
  }
  if (!/^\d{1,2}$/.test(hour) || Number(hour) > 23) return null;
  const h = Number(hour);
  return { from: instantOf(tz, y, mo, d, h * 60), to: instantOf(tz, y, mo, d, (h + 1) * 60) };
}

/** The search's answer as a list; malformed entries are dropped. */
export function foundList(value: RequestValue | undefined): Found[] {
  if (!value || typeof value.ids !== 'string' || value.ids === '') return [];
  const ids = value.ids.split(',');
  const starts = String(value.startedAts ?? '').split(',');
  const durations = String(value.durations ?? '').split(',');
  const out: Found[] = [];
  const whole = (v: string | undefined): number | null => (v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : null);
  ids.forEach((id, i) => {
    const startedAt = whole(starts[i]);
    if (id && startedAt !== null) out.push({ id, startedAt, durationMs: whole(durations[i]) ?? 0 });
  });
  return out;
}

/** `2026-12-01T09:05` in `tz`, for the `datetime` read-out. */
function localIso(tz: string, at: number): string {
  const l = localTime(tz, at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${l.y}-${p(l.mo)}-${p(l.d)}T${p(l.h)}:${p(l.mi)}`;
}

function say(ctx: StepContext, as: 'ordinal' | 'datetime', value: string): PlayItem[] {
  try {
    return [{ kind: 'readOut', lang: ctx.lang, text: readOut(ctx.lang, as, value).text }];
  } catch (err) {
    ctx.log('warn', 'IVR value cannot be read out; skipped', { as, err: (err as Error).message });
    return [];
  }
}

function playAt(ctx: StepContext, node: ReplayRecordingsNode, index: number): void {
  const list = ctx.local.list as Found[];
  const r = list[index]!;
  ctx.cancelTimer();
  ctx.local.index = index;
  ctx.local.phase = 'playing';
  // Keys never stop a recording at the switch (no barge-in): the node stops it when a key means
  // something, and a stray key leaves it playing.
  // The ledger row first: the adapter does not play a recording whose row could not be written.
  ctx.replayed(r.id, ctx.local.user as string);
  const intro = ctx.local.intro === true ? ctx.prompt(node.intro) : [];
  ctx.local.intro = false;
  ctx.play([...intro, ...say(ctx, 'ordinal', String(index + 1)), ...ctx.prompt(node.label), ...say(ctx, 'datetime', localIso(ctx.timeZone, r.startedAt)), { kind: 'recording', recordingId: r.id, durationMs: r.durationMs }], false);
}

function atEnd(ctx: StepContext, node: ReplayRecordingsNode): void {
  ctx.local.phase = 'ending';
  ctx.play(ctx.prompt(node.end), false);
}

export const replayRecordings: NodeStep<ReplayRecordingsNode> = {
  enter(ctx, node) {
    const w = replayWindow(ctx.render(node.date), ctx.render(node.hour), ctx.now, ctx.timeZone);
    if (!w) {
      ctx.stat('invalid');
      ctx.goto(node.invalid);
      return;
    }
    ctx.local.phase = 'searching';
    ctx.local.user = ctx.render(node.user);
    const limit = Math.min(MAX_REPLAY_LIMIT, node.limit ?? DEFAULT_REPLAY_LIMIT);
    ctx.request({ kind: 'recordingSearch', agentDigits: ctx.render(node.agent), from: w.from, to: w.to, limit, user: ctx.local.user as string });
  },
  result(ctx, node, ok, value, error) {
    if (!ok) {
      ctx.log('warn', 'replay by phone: the search failed', { error });
      ctx.goto(node.error ?? node.notFound);
      return;
    }
    const list = foundList(value);
    if (list.length === 0) {
      ctx.goto(node.notFound);
      return;
    }
    ctx.local.list = list;
    ctx.local.intro = true;
    playAt(ctx, node, 0);
  },
  key(ctx, node, key) {
    const phase = ctx.local.phase;
    if (phase !== 'playing' && phase !== 'ending' && phase !== 'end') return;
    const list = ctx.local.list as Found[];
    const i = ctx.local.index as number;
    if (key === '0') ctx.goto(node.back);
    else if (key === '2') playAt(ctx, node, i);
    else if (key === '1') playAt(ctx, node, phase === 'playing' ? Math.max(0, i - 1) : i);
    else if (key === '3' && phase === 'playing') {
      if (i + 1 < list.length) playAt(ctx, node, i + 1);
      else atEnd(ctx, node);
    }
  },
  playEnded(ctx, node) {
    if (ctx.local.phase === 'playing') {
      const i = ctx.local.index as number;
      if (i + 1 < (ctx.local.list as Found[]).length) playAt(ctx, node, i + 1);
      else atEnd(ctx, node);
    } else if (ctx.local.phase === 'ending') {
      ctx.local.phase = 'end';
      ctx.timer(node.waitS);
    }
  },
  timer(ctx, node) {
    if (ctx.local.phase === 'end') ctx.goto(node.done);
  },
};
