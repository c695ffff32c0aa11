/**
 * Admission control (docs/overload.md): whether a new call may enter routing, decided from what
 * really shows a Node daemon overloaded — its event loop busy or late, its heap near the limit,
 * history writes piling up in memory, routing dialogues the switch leaves open, and calls in the
 * ACD beyond what it is sized for. A call refused here takes the pilot's fallback at the switch
 * (admission-gate.ts), at once and with a cause, instead of queueing work the daemon cannot do.
 *
 * Pure: it takes samples (each with its time) and live counts, and keeps no clock, timer or I/O
 * of its own; wiring/overload.ts samples the process and feeds it.
 *
 * Each signal has a high and a low water mark: it goes over at the high one and comes back only
 * at the low one, so a daemon near a limit does not flap between admitting and refusing. The
 * event loop must be late for a whole window, and busy over it, to count as overloaded, and on
 * time (or idle enough) over a whole window to count as recovered: one pause (a major GC, the
 * start's own work, a big report) is not overload, and one quiet sample is not recovery. Busy
 * alone is not overload either: measured at 500 agents and 200 calls/s, the loop is busy 97 % of
 * the time and keeps up (p99 delay 25 ms); late alone is a process starved of CPU by others, which
 * refusing calls would not cure. The
 * trade-off: for the span between the marks, calls are refused that the daemon could perhaps have
 * taken — the price of not letting every other call in just to refuse the next.
 */

/** Why a call was refused, in the order a refusal names them (the first signal over wins). */
export const OVERLOAD_CAUSES = ['eventLoop', 'memory', 'storageBacklog', 'routeDialogues', 'callsInRouting'] as const;
export type OverloadCause = (typeof OVERLOAD_CAUSES)[number];

/** One look at the process, taken every few hundred ms at the edge. */
export interface LoadSample {
  /** When it was taken, ms (any monotonic or wall clock, the same for every sample). */
  at: number;
  /** Event-loop utilisation since the previous sample, 0…1 (perf_hooks eventLoopUtilization). */
  loopUtilisation: number;
  /** 99th percentile of the event-loop delay since the previous sample, ms. */
  loopDelayP99Ms: number;
  /** V8 heap used ÷ the heap's size limit, 0…1. */
  heapUsed: number;
  /** History writes kept in memory by the write queue (storage/write-queue.ts). */
  storageBacklog: number;
  /** The live counts too, so that a signal over comes back even with no new call to look. */
  counts: LiveCounts;
}

/** Counts read at the moment a call asks to enter (a burst must not get in between samples). */
export interface LiveCounts {
  /** Calls the ACD holds: waiting in a queue or offered to an agent. */
  callsInRouting: number;
  /** Routing dialogues open with the switch (route-dispatch.ts). */
  routeDialogues: number;
}

/** The high water marks; each low one is derived (`lowOf`). */
export interface AdmissionLimits {
  /** Mean event-loop utilisation over a full window at or above which, with the loop late, calls
   * are refused, 0…1. */
  loopUtilisation: number;
  /** 99th-percentile event-loop delay at or above which calls are refused, ms: every sample of a
   * full window at or above it (sustained); back when every sample of the window is at or under
   * the low mark. */
  loopDelayMs: number;
  /** Heap used ÷ heap limit at or above which calls are refused, 0…1. */
  heapUsed: number;
  /** History writes kept in memory at or above which calls are refused (below the write queue's
   * own cap, so calls give way before history rows are shed). */
  storageBacklog: number;
  /** Open routing dialogues at or above which calls are refused. */
  routeDialogues: number;
  /** Calls in the ACD at or above which calls to queue pilots are refused. */
  callsInRouting: number;
  /** The span of samples the event-loop signal looks at, ms. */
  windowMs: number;
}

/** Where each signal comes back: a fixed distance under its high mark. */
export function lowOf(limits: AdmissionLimits): Record<OverloadCause, [high: number, low: number]> {
  const count = (high: number) => [high, Math.max(0, high - Math.max(1, Math.ceil(high * 0.1)))] as [number, number];
  return {
    // eventLoop is over while both its delay and its utilisation marks are (the latter's in the
    // constructor).
    eventLoop: [limits.loopDelayMs, limits.loopDelayMs * 0.4],
    memory: [limits.heapUsed, limits.heapUsed - 0.1],
    storageBacklog: [limits.storageBacklog, Math.floor(limits.storageBacklog / 2)],
    routeDialogues: [limits.routeDialogues, Math.floor(limits.routeDialogues * 0.75)],
    callsInRouting: count(limits.callsInRouting),
  };
}

/** A value with a high and a low water mark. */
export class WaterMark {
  over = false;
  constructor(
    readonly high: number,
    readonly low: number,
  ) {}

  /** Takes `value`; true when that changed `over`. */
  update(value: number): boolean {
    if (!this.over && value >= this.high) this.over = true;
    else if (this.over && value <= this.low) this.over = false;
    else return false;
    return true;
  }
}

/** The answer for one call: in, or refused with the first signal over. */
export type Admission = { admit: true } | { admit: false; cause: OverloadCause };

const ADMIT: Admission = Object.freeze({ admit: true });

/** Who is asking: a call to a queue pilot (every signal counts) or to another pilot (an IVR flow,
 * replay: the ACD's own count does not, since such a call may leave the queues' load alone). */
export type AdmissionScope = 'queue' | 'other';

export class AdmissionControl {
  private readonly marks: Record<Exclude<OverloadCause, 'eventLoop'>, WaterMark>;
  private readonly loopDelay: WaterMark;
  private readonly loopBusy: WaterMark;
  private readonly window: LoadSample[] = [];
  private eventLoopOver = false;
  private last: LoadSample | null = null;
  /** Moves up at every change of a signal (the gate compares it to report transitions). */
  changes = 0;

  constructor(readonly limits: AdmissionLimits) {
    const l = lowOf(limits);
    const mark = (c: OverloadCause) => new WaterMark(l[c][0], l[c][1]);
    this.marks = { memory: mark('memory'), storageBacklog: mark('storageBacklog'), routeDialogues: mark('routeDialogues'), callsInRouting: mark('callsInRouting') };
    this.loopDelay = mark('eventLoop');
    this.loopBusy = new WaterMark(limits.loopUtilisation, limits.loopUtilisation - 0.15);
  }

  /** A look at the process: the event loop over the window, the heap and backlog as they are. */
  sample(s: LoadSample): void {
    this.window.push(s);
    // The window: the samples of the last windowMs, and the one just before (so that a full window
    // is spanned from the first sample's time).
    while (this.window.length > 2 && this.window[1]!.at <= s.at - this.limits.windowMs) this.window.shift();
    if (s.at - this.window[0]!.at >= this.limits.windowMs) {
      const w = this.loopFigures();
      // Over when late all window long; back when on time all window long (the marks' own rule
      // then gives the hysteresis): the least late sample to go over, the latest to come back.
      this.loopDelay.update(this.loopDelay.over ? w.worstDelay : w.leastDelay);
      this.loopBusy.update(w.busy);
    }
    const over = this.loopDelay.over && this.loopBusy.over;
    if (over !== this.eventLoopOver) {
      this.eventLoopOver = over;
      this.changes++;
    }
    this.move('memory', s.heapUsed);
    this.move('storageBacklog', s.storageBacklog);
    this.counted(s.counts);
    this.last = s;
  }

  /** Whether a new call may enter routing now, given the live counts. */
  admit(counts: LiveCounts, scope: AdmissionScope): Admission {
    this.counted(counts);
    if (this.eventLoopOver) return { admit: false, cause: 'eventLoop' };
    if (this.marks.memory.over) return { admit: false, cause: 'memory' };
    if (this.marks.storageBacklog.over) return { admit: false, cause: 'storageBacklog' };
    if (this.marks.routeDialogues.over) return { admit: false, cause: 'routeDialogues' };
    if (scope === 'queue' && this.marks.callsInRouting.over) return { admit: false, cause: 'callsInRouting' };
    return ADMIT;
  }

  /** The signals over now, in cause order (empty: every call is admitted). */
  over(): OverloadCause[] {
    return OVERLOAD_CAUSES.filter((c) => this.isOver(c));
  }

  isOver(cause: OverloadCause): boolean {
    return cause === 'eventLoop' ? this.eventLoopOver : this.marks[cause].over;
  }

  /** What the last sample and the window showed, for a log line. */
  figures(): Record<string, number> | null {
    const s = this.last;
    if (!s) return null;
    const w = this.loopFigures();
    const r = (x: number, d = 1000) => Math.round(x * d) / d;
    return { loopUtilisation: r(w.busy), loopDelayP99Ms: r(w.worstDelay, 10), loopDelayLeastP99Ms: r(w.leastDelay, 10), heapUsed: r(s.heapUsed), storageBacklog: s.storageBacklog, ...s.counts };
  }

  /** The window's event loop: mean utilisation, and the worst and the least p99 delay of its
   * samples (the oldest sample only marks where the window starts). */
  private loopFigures(): { busy: number; worstDelay: number; leastDelay: number } {
    const from = this.window.length > 1 ? 1 : 0;
    let busy = 0;
    let worstDelay = 0;
    let leastDelay = Infinity;
    for (let i = from; i < this.window.length; i++) {
      const x = this.window[i]!;
      busy += x.loopUtilisation;
      if (x.loopDelayP99Ms > worstDelay) worstDelay = x.loopDelayP99Ms;
      if (x.loopDelayP99Ms < leastDelay) leastDelay = x.loopDelayP99Ms;
    }
    const n = this.window.length - from;
    return { busy: busy / n, worstDelay, leastDelay: leastDelay === Infinity ? 0 : leastDelay };
  }

  private counted(c: LiveCounts): void {
    this.move('routeDialogues', c.routeDialogues);
    this.move('callsInRouting', c.callsInRouting);
  }

  private move(cause: Exclude<OverloadCause, 'eventLoop'>, value: number): void {
    if (this.marks[cause].update(value)) this.changes++;
  }
}
