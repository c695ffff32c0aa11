/**
 * Runs one flow test on the pure engine: an `IvrSession` driven by a virtual clock and an event
 * queue — no real timers, no I/O. The runner plays the voice unit, the database and the caller:
 *
 * - a `play` ends after its items' durations (220 ms per CJK character, 65 ms per other letter or
 *   digit, 300 ms for a tone, at least 400 ms an item; or `promptMs` each), unless a key stops a
 *   barge-in play (`playEnded` cause `dtmf` right after the key);
 * - a timer fires at its time; a request answers at once from the test's world (a recording after
 *   `recording.durationMs`, or when the caller presses its stop key); `leave` answers ok;
 * - the caller's steps fire as format.ts says: in node `in`, in the next wait for the caller (its
 *   prompt over, a timer or a recording running), `after` seconds into it; with `duringPrompt`,
 *   while the node's prompt plays.
 *
 * A run stops at `ended`, or fails after 10,000 inputs or an hour of virtual time ("the call
 * never ended"). Deterministic: events at the same time run in the order they were made.
 */
import { IvrSession } from '../engine/session.ts';
import type { Departure, IvrEffect, IvrInput, IvrRequest, PlayItem, RequestValue } from '../engine/types.ts';
import type { Lang, LoadedFlow } from '../flow/types.ts';
import type { IvrOutcome } from '../statistics/types.ts';
import type { CallerSetup, ExpectedEnd, FlowTest, FlowTestFile, InputStep, QueryCase, World } from './format.ts';

export const DEFAULT_AT = '2026-12-01T10:00:00+08:00';
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
export const DEFAULT_RECORDING_MS = 5000;
export const KEY_GAP_MS = 300;
export const MAX_INPUTS = 10_000;
export const MAX_CALL_MS = 60 * 60 * 1000;

/** One thing heard, as tests write it: a prompt id, `say:<text>`, `tone:beep`. */
export function heardOf(item: PlayItem): string {
  if (item.kind === 'prompt') return item.promptId;
  if (item.kind === 'readOut') return `say:${item.text}`;
  if (item.kind === 'recording') return `recording:${item.recordingId}`;
  return `tone:${item.tone}`;
}

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/u;
const LETTER = /[\p{L}\p{N}]/u;

/** How long an item plays: the simulator's estimate (or `promptMs`). */
export function itemMs(item: PlayItem, promptMs?: number): number {
  if (promptMs !== undefined) return promptMs;
  if (item.kind === 'tone') return 300;
  if (item.kind === 'recording') return Math.max(400, item.durationMs);
  let ms = 0;
  for (const ch of item.text) {
    if (CJK.test(ch)) ms += 220;
    else if (LETTER.test(ch)) ms += 65;
  }
  return Math.max(400, ms);
}

/** What happened in a run. */
export interface RunResult {
  path: string[];
  heard: string[];
  /** How the call left the flow; null when the caller hung up (or it never ended). */
  end: Departure | null;
  outcome: IvrOutcome | null;
  lang: Lang;
  callData: Record<string, string>;
  saved: Record<string, string>;
  stats: { key: number; timeout: number; invalid: number };
  /** Why the run did not complete (the call never ended, a step never fired). */
  errors: string[];
  /** The engine's warnings (a failed query, a value that cannot be read out). */
  warnings: string[];
  /** Virtual ms from the start to the end. */
  durationMs: number;
  /** Recordings that started playing (replay by phone), in order: the access ledger's rows. */
  replayed: string[];
  /** `pause`/`resume` of the call's recording, in order. */
  recording: string[];
}

export interface TestOutcome {
  name: string;
  passed: boolean;
  /** One line per difference: `end: expected queue vip, got queue sales`. */
  failures: string[];
  result: RunResult;
}

type Setup = CallerSetup & World;

/** A test with its file's defaults applied. */
export function withDefaults(file: Pick<FlowTestFile, 'defaults'>, test: FlowTest): FlowTest {
  const d: Setup = file.defaults ?? {};
  const merged: FlowTest = { ...d, ...test };
  for (const k of ['customers', 'queries', 'hours', 'webhooks', 'staff'] as const) {
    if (d[k] !== undefined || test[k] !== undefined) (merged as unknown as Record<string, unknown>)[k] = { ...d[k], ...test[k] };
  }
  return merged;
}

type Event =
  | { kind: 'playEnd'; playId: number }
  | { kind: 'timer'; timerId: number }
  | { kind: 'result'; reqId: number; ok: boolean; value?: RequestValue; error?: string }
  | { kind: 'key'; key: string; last: boolean }
  | { kind: 'hangup' };

interface Queued {
  at: number;
  seq: number;
  ev: Event;
}

interface ActivePlay {
  id: number;
  bargeIn: boolean;
  start: number;
  items: PlayItem[];
  offsets: number[];
}

function describeStep(s: InputStep): string {
  const what = s.key !== undefined ? `key ${s.key}` : s.keys !== undefined ? `keys ${s.keys}` : s.silence ? 'silence' : 'hangup';
  return `${what}${s.in !== undefined ? ` in ${s.in}` : ''}${s.duringPrompt ? ' during its prompt' : ''}`;
}

/** Run one test (defaults already applied) on `flow`. */
export function runFlowTest(flow: LoadedFlow, test: FlowTest): RunResult {
  const t0 = Date.parse(test.at ?? DEFAULT_AT);
  const session = new IvrSession(flow, {
    callId: `test:${test.name}`,
    caller: test.caller ?? '',
    called: test.called ?? '',
    callerName: test.callerName ?? null,
    returnTo: test.returnTo ?? null,
    callData: test.callData ?? null,
    ...(test.lang ? { lang: test.lang } : {}),
    timeZone: test.timeZone ?? DEFAULT_TIME_ZONE,
  });
  const r: RunResult = { path: [], heard: [], end: null, outcome: null, lang: session.lang, callData: {}, saved: {}, stats: { key: 0, timeout: 0, invalid: 0 }, errors: [], warnings: [], durationMs: 0, replayed: [], recording: [] };

  const queue: Queued[] = [];
  let seq = 0;
  let now = t0;
  const push = (at: number, ev: Event): Queued => {
    const q = { at, seq: ++seq, ev };
    // Keep the queue sorted by time, then by order made (stable insertion).
    let i = queue.length;
    while (i > 0 && queue[i - 1]!.at > at) i--;
    queue.splice(i, 0, q);
    return q;
  };
  const drop = (q: Queued | undefined): void => {
    if (!q) return;
    const i = queue.indexOf(q);
    if (i >= 0) queue.splice(i, 1);
  };

  // Typed by assertion: the closures below change them, which TS's narrowing cannot see.
  let play = null as (ActivePlay & { end: Queued }) | null;
  let timer = null as { id: number; ev: Queued } | null;
  let record = null as { reqId: number; start: number; stopKey: string; ev: Queued } | null;
  let waitSeq = 0;
  let playSeq = 0;
  let ended = false;

  // The caller's steps.
  const steps = test.input ?? [];
  let next = 0;
  let pendingKeys = 0;
  let usedWait = 0;
  let usedPlay = 0;

  const finishPlay = (at: number): void => {
    if (!play) return;
    const elapsed = at - play.start;
    play.items.forEach((it, i) => {
      if (i === 0 || play!.offsets[i]! < elapsed) r.heard.push(heardOf(it));
    });
    drop(play.end);
    play = null;
  };

  const answer = (req: IvrRequest): { ok: boolean; value?: RequestValue; error?: string } => {
    switch (req.kind) {
      case 'customer': {
        const c = test.customers?.[req.phone];
        return { ok: true, value: c ? ({ customerNumber: null, name: null, vipLevel: 0, language: null, balance: null, preferredAgent: null, ...c } as RequestValue) : null };
      }
      case 'query': {
        const fixture = test.queries?.[req.query];
        const cases: QueryCase[] = fixture === undefined ? [] : Array.isArray(fixture) ? fixture : [fixture];
        const hit = cases.find((c) => Object.entries(c.params ?? {}).every(([k, v]) => req.params[k] === v));
        if (!hit) return { ok: true, value: null };
        if (hit.error) return { ok: false, error: `query ${req.query} failed (test fixture)` };
        return { ok: true, value: hit.result ?? null };
      }
      case 'hours':
        return { ok: true, value: { open: (test.hours?.[req.schedule] ?? 'open') === 'open' } };
      case 'webhook': {
        const w = test.webhooks?.[req.url];
        if (w === undefined) return { ok: false, error: `no webhook answer for ${req.url} in the test` };
        if (w === 'error') return { ok: false, error: 'webhook failed (test fixture)' };
        return { ok: true, value: { status: 200, ...w } };
      }
      case 'record':
        return { ok: true };
      case 'staffLogin': {
        const s = test.staff?.[req.phoneId];
        return { ok: true, value: s && s.pin === req.pin ? { user: s.user, name: s.name ?? s.user } : null };
      }
      case 'recordingSearch': {
        const found = (test.recordings ?? [])
          .map((x) => ({ ...x, at: Date.parse(x.startedAt) }))
          .filter((x) => x.agent.replace(/\D/g, '') === req.agentDigits && req.agentDigits !== '' && x.at >= req.from && x.at < req.to)
          .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
          .slice(0, req.limit);
        return { ok: true, value: { count: found.length, ids: found.map((x) => x.id).join(','), startedAts: found.map((x) => x.at).join(','), durations: found.map((x) => x.durationMs).join(',') } };
      }
    }
  };

  const apply = (effects: IvrEffect[]): { newWait: boolean; newPlay: boolean } => {
    let timerStarted = false;
    let recordStarted = false;
    let playStarted = false;
    for (const e of effects) {
      switch (e.kind) {
        case 'play': {
          finishPlay(now);
          const offsets: number[] = [];
          let total = 0;
          for (const it of e.items) {
            offsets.push(total);
            total += itemMs(it, test.promptMs);
          }
          const end = push(now + total, { kind: 'playEnd', playId: e.playId });
          play = { id: e.playId, bargeIn: e.bargeIn, start: now, items: e.items, offsets, end };
          playStarted = true;
          break;
        }
        case 'stopPlay':
          if (play?.id === e.playId) finishPlay(now);
          break;
        case 'startTimer':
          if (timer) drop(timer.ev);
          timer = { id: e.timerId, ev: push(now + e.ms, { kind: 'timer', timerId: e.timerId }) };
          timerStarted = true;
          break;
        case 'cancelTimer':
          if (timer?.id === e.timerId) {
            drop(timer.ev);
            timer = null;
          }
          break;
        case 'request': {
          if (e.request.kind === 'record') {
            const ms = Math.min(test.recording?.durationMs ?? DEFAULT_RECORDING_MS, e.request.maxMs);
            const ev = push(now + ms, { kind: 'result', reqId: e.reqId, ok: true, value: { durationMs: ms, path: 'test.wav', bytes: 44 + ms * 16 } });
            record = { reqId: e.reqId, start: now, stopKey: e.request.stopKey, ev };
            recordStarted = true;
          } else {
            push(now, { kind: 'result', reqId: e.reqId, ...answer(e.request) });
          }
          break;
        }
        case 'setCallData':
          Object.assign(r.callData, e.data);
          break;
        case 'saveData':
          r.saved[e.name] = e.value;
          break;
        case 'leave':
          r.end = e.departure;
          push(now, { kind: 'result', reqId: e.reqId, ok: true });
          break;
        case 'stat':
          if (e.event.kind === 'nodeEnter' && e.event.node !== null) r.path.push(e.event.node);
          else if (e.event.kind === 'key' || e.event.kind === 'timeout' || e.event.kind === 'invalid') r.stats[e.event.kind]++;
          break;
        case 'replayed':
          r.replayed.push(e.recordingId);
          break;
        case 'recordingPause':
          r.recording.push(e.paused ? 'pause' : 'resume');
          break;
        case 'log':
          if (e.level === 'warn') r.warnings.push(`${e.msg}${e.data.node !== undefined ? ` (node ${String(e.data.node)})` : ''}`);
          break;
        case 'ended':
          finishPlay(now);
          r.outcome = e.outcome;
          ended = true;
          break;
      }
    }
    const waiting = play === null && (timer !== null || record !== null);
    return { newWait: waiting && (timerStarted || recordStarted), newPlay: play !== null && playStarted };
  };

  let inputs = 0;
  const handle = (input: IvrInput): void => {
    inputs++;
    const { newWait, newPlay } = apply(session.handle(input, now));
    if (newWait) waitSeq++;
    if (newPlay) playSeq++;
  };

  /** Arms the caller's next steps that can fire now. */
  const arm = (): void => {
    while (!ended && pendingKeys === 0 && next < steps.length) {
      const s = steps[next]!;
      const here = s.in === undefined || s.in === session.nodeId;
      if (!here) return;
      if (s.duringPrompt) {
        if (play === null || playSeq <= usedPlay) return;
        usedPlay = playSeq;
      } else {
        const waiting = play === null && (timer !== null || record !== null);
        if (!waiting || waitSeq <= usedWait) return;
        usedWait = waitSeq;
      }
      next++;
      const at = now + Math.round((s.after ?? (s.duringPrompt ? 0.2 : 1)) * 1000);
      if (s.silence) continue;
      if (s.hangup) {
        push(at, { kind: 'hangup' });
        pendingKeys = 1;
        return;
      }
      const keys = [...(s.key ?? s.keys ?? '')];
      keys.forEach((k, i) => push(at + i * KEY_GAP_MS, { kind: 'key', key: k, last: i === keys.length - 1 }));
      pendingKeys = keys.length;
      return;
    }
  };

  handle({ kind: 'start' });
  arm();
  while (!ended) {
    const q = queue.shift();
    if (!q) {
      r.errors.push(`the call never ended: nothing left to happen in node ${session.nodeId}`);
      break;
    }
    if (q.at - t0 > MAX_CALL_MS) {
      r.errors.push(`the call never ended: still in node ${session.nodeId} after an hour`);
      break;
    }
    if (inputs >= MAX_INPUTS) {
      r.errors.push(`the call never ended: still in node ${session.nodeId} after ${MAX_INPUTS} inputs`);
      break;
    }
    now = q.at;
    const ev = q.ev;
    switch (ev.kind) {
      case 'playEnd':
        if (play?.id === ev.playId) {
          finishPlay(now);
          handle({ kind: 'playEnded', playId: ev.playId, cause: 'endOfMessage' });
        }
        break;
      case 'timer':
        if (timer?.id === ev.timerId) {
          timer = null;
          handle({ kind: 'timer', timerId: ev.timerId });
        }
        break;
      case 'result':
        if (record?.reqId === ev.reqId) record = null;
        handle({ kind: 'result', reqId: ev.reqId, ok: ev.ok, ...(ev.value !== undefined ? { value: ev.value } : {}), ...(ev.error !== undefined ? { error: ev.error } : {}) });
        break;
      case 'key': {
        pendingKeys--;
        if (ev.last) usedWait = waitSeq;
        if (record) {
          // The recorder has the line: its stop key ends the message, other keys are not heard.
          if (ev.key === record.stopKey) {
            const ms = now - record.start;
            drop(record.ev);
            const reqId = record.reqId;
            record = null;
            handle({ kind: 'result', reqId, ok: true, value: { durationMs: ms, path: 'test.wav', bytes: 44 + ms * 16 } });
          }
          break;
        }
        const barged = play !== null && play.bargeIn ? play.id : null;
        if (barged !== null) finishPlay(now);
        handle({ kind: 'key', key: ev.key });
        if (barged !== null && !ended) handle({ kind: 'playEnded', playId: barged, cause: 'dtmf' });
        break;
      }
      case 'hangup':
        pendingKeys = 0;
        handle({ kind: 'hangup' });
        break;
    }
    arm();
  }
  if (ended && next < steps.length) {
    for (const s of steps.slice(next)) r.errors.push(`input step ${steps.indexOf(s) + 1} (${describeStep(s)}) never fired: the call ended first`);
  } else if (!ended && next < steps.length) {
    r.errors.push(`input step ${next + 1} (${describeStep(steps[next]!)}) never fired`);
  }
  r.lang = session.lang;
  r.durationMs = now - t0;
  return r;
}

// --------------------------------------------------------------------------- the expectations

export function describeEnd(d: Departure | null): string {
  if (d === null) return 'the caller hung up';
  switch (d.kind) {
    case 'queue':
      return `queue ${d.queue} (priority ${d.priority}${d.announceEveryS !== null ? `, announce every ${d.announceEveryS} s` : ''})`;
    case 'transfer':
      return `transfer to ${d.to}`;
    case 'return':
      return `return "${d.result}"`;
    case 'hangup':
      return 'hangup by the flow';
  }
}

function describeExpectedEnd(e: ExpectedEnd): string {
  if ('queue' in e) {
    const extra = [e.priority !== undefined ? `priority ${e.priority}` : '', e.announceEveryS !== undefined ? (e.announceEveryS === null ? 'no announcements' : `announce every ${e.announceEveryS} s`) : ''].filter(Boolean);
    return `queue ${e.queue}${extra.length ? ` (${extra.join(', ')})` : ''}`;
  }
  if ('transfer' in e) return `transfer to ${e.transfer}`;
  if ('return' in e) return `return "${e.return}"`;
  if ('hangup' in e) return 'hangup by the flow';
  return 'the caller hung up';
}

function endMatches(e: ExpectedEnd, d: Departure | null): boolean {
  if ('callerHangup' in e) return d === null;
  if (d === null) return false;
  if ('queue' in e) return d.kind === 'queue' && d.queue === e.queue && (e.priority === undefined || d.priority === e.priority) && (e.announceEveryS === undefined || d.announceEveryS === e.announceEveryS);
  if ('transfer' in e) return d.kind === 'transfer' && d.to === e.transfer;
  if ('return' in e) return d.kind === 'return' && d.result === e.return;
  return d.kind === 'hangup';
}

const showList = (xs: readonly string[]): string => (xs.length === 0 ? '(nothing)' : xs.join(', '));

function isSubsequence(want: readonly string[], got: readonly string[]): { ok: boolean; missing?: string } {
  let i = 0;
  for (const g of got) if (i < want.length && g === want[i]) i++;
  return i === want.length ? { ok: true } : { ok: false, missing: want[i]! };
}

function compareList(what: string, want: readonly string[], got: readonly string[]): string | undefined {
  if (want.length === got.length && want.every((w, i) => w === got[i])) return undefined;
  let i = 0;
  while (i < want.length && i < got.length && want[i] === got[i]) i++;
  const at = i < want.length && i < got.length ? `#${i + 1} is ${got[i]}, expected ${want[i]}` : i < want.length ? `${want.length - got.length} missing from #${i + 1} (${want[i]})` : `${got.length - want.length} more from #${i + 1} (${got[i]})`;
  return `${what}: expected [${showList(want)}], got [${showList(got)}] — ${at}`;
}

function compareRecord(what: string, want: Record<string, string>, got: Record<string, string>): string | undefined {
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort();
  const diffs = keys.filter((k) => want[k] !== got[k]);
  if (diffs.length === 0) return undefined;
  const show = (r: Record<string, string>): string => `{${Object.keys(r).sort().map((k) => `${k}: ${JSON.stringify(r[k])}`).join(', ')}}`;
  return `${what}: expected ${show(want)}, got ${show(got)}`;
}

/** The differences between what the test expects and what happened (empty: it passed). */
export function compare(test: FlowTest, r: RunResult): string[] {
  const out: string[] = [...r.errors];
  const x = test.expect;
  const push = (s: string | undefined): void => {
    if (s !== undefined) out.push(s);
  };
  if (x.path) push(compareList('path', x.path, r.path));
  if (x.pathIncludes) {
    const s = isSubsequence(x.pathIncludes, r.path);
    if (!s.ok) out.push(`path: expected to include [${showList(x.pathIncludes)}] in this order, but not ${s.missing}; got [${showList(r.path)}]`);
  }
  if (x.heard) push(compareList('heard', x.heard, r.heard));
  if (x.heardIncludes) {
    const s = isSubsequence(x.heardIncludes, r.heard);
    if (!s.ok) out.push(`heard: expected to include [${showList(x.heardIncludes)}] in this order, but not ${s.missing}; got [${showList(r.heard)}]`);
  }
  if (x.end && !endMatches(x.end, r.end)) out.push(`end: expected ${describeExpectedEnd(x.end)}, got ${describeEnd(r.end)}`);
  if (x.outcome !== undefined && x.outcome !== r.outcome) out.push(`outcome: expected ${x.outcome}, got ${r.outcome ?? 'none (the call never ended)'}`);
  if (x.lang !== undefined && x.lang !== r.lang) out.push(`lang: expected ${x.lang}, got ${r.lang}`);
  if (x.callData) push(compareRecord('callData', x.callData, r.callData));
  if (x.saved) push(compareRecord('saved', x.saved, r.saved));
  if (x.replayed) push(compareList('replayed', x.replayed, r.replayed));
  if (x.recording) push(compareList('recording', x.recording, r.recording));
  if (x.stats) {
    for (const k of ['key', 'timeout', 'invalid'] as const) {
      const want = x.stats[k];
      if (want !== undefined && want !== r.stats[k]) out.push(`stats.${k}: expected ${want}, got ${r.stats[k]}`);
    }
  }
  if (out.length > 0) {
    // What happened, in full, after the differences.
    out.push(`what happened: path [${showList(r.path)}]; heard [${showList(r.heard)}]; end ${describeEnd(r.end)}; outcome ${r.outcome ?? 'none'}`);
    for (const w of r.warnings) out.push(`engine warning: ${w}`);
  }
  return out;
}

/** Run and judge one test of a file (the file's defaults applied). */
export function runTest(flow: LoadedFlow, file: Pick<FlowTestFile, 'defaults'>, test: FlowTest): TestOutcome {
  const full = withDefaults(file, test);
  const result = runFlowTest(flow, full);
  const failures = compare(full, result);
  return { name: test.name, passed: failures.length === 0, failures, result };
}
