/**
 * Each queue's calls today, live: the `today` figures of `queue.stats` (docs/api.md), counted as
 * the KPI report counts them (src/reports/data/call-rows.ts, src/reports/kpi.ts) so that the
 * wallboard and `GET /api/v1/reports/kpi` for today agree. Pure: time is an argument, no I/O.
 *
 * Fed with the calls rows as they are written (every insert and update of a queue call) and, at
 * start, with the rows of today already in the database (`seed`). Like the report, it counts a
 * call in the queue of its row, on the local day of its `offeredAt` (the centre's time zone), by
 * its row as it is now: answered (an agent has it, or had it), abandoned (the caller hung up
 * while waiting), or other (still waiting, overflowed, sent to voicemail, lost). A call changes
 * class as its row changes (waiting → answered), so each call's part of the counts is kept while
 * it is open and taken back before its new part is added: O(1) per row written, and memory for
 * the calls in progress (plus the recently ended, which the tracker may revive under the same id)
 * rather than for the whole day.
 *
 * Waits are kept per queue as counts per whole second (one bucket per second up to an hour, the
 * longest T the admin API takes), so the queue's T and S are applied when the figures are read:
 * a change of a queue's settings applies to the whole day at once, as a report run then would.
 */
import { ENDED_MEMORY_MS, SOFT_END_MEMORY_MAX, SOFT_END_MEMORY_MS } from '../core/calls/call-tracker.ts';
import { classOf, type CallClass } from '../reports/data/call-rows.ts';
import { intervalOf } from '../reports/intervals.ts';
import { kpisOf, type CallCounts, type KpiConfig, type SlFormulaId } from '../reports/kpi.ts';

/** What of a calls row the figures need (`CallRow` of ports.ts has these fields). */
export interface TodayRow {
  id: string;
  queueId: string | null;
  offeredAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  outcome: string | null;
}

/** `QueueStats.today` (docs/api.md, `queue.stats`). */
export interface QueueTodayFigures {
  /** The centre's local day counted (`2026-12-02`, IVR_TIME_ZONE, as the reports' days). */
  day: string;
  /** Calls offered to the queue today: answered + abandoned + other (still waiting included). */
  offered: number;
  answered: number;
  /** Answered after a wait of at most T (`slThresholdS`). */
  answeredWithinSl: number;
  abandoned: number;
  /** Abandoned after a wait of at most S (`shortAbandonS`). */
  shortAbandoned: number;
  /** 0–1 under the queue's formula; null when its denominator is 0. */
  serviceLevel: number | null;
  /** (abandoned − short) / (offered − short), 0–1; null with nothing offered but short abandons. */
  abandonRate: number | null;
  slThresholdS: number;
  shortAbandonS: number;
  /** As the report prints it: `SL = answered within 20 s / (answered + abandoned − abandoned within 5 s)`. */
  formula: string;
  /** Extensions beyond the wallboard's shape: */
  formulaId: SlFormulaId;
  targetServiceLevel: number;
  /** Abandoned after a wait of at most T (some formulas count these). */
  abandonedWithinSl: number;
  /** Neither answered nor abandoned: still waiting, overflowed, sent elsewhere, lost. */
  other: number;
  /** Average wait of the answered calls, ms; null with none. */
  asaMs: number | null;
}

/** Waits are counted per whole second: bucket n holds waits in ((n − 1) s, n s], the last one
 * every wait over `MAX_T_S`. */
export const MAX_T_S = 3600;
const BUCKETS = MAX_T_S + 2;

/** The bucket of a wait: wait ≤ T·1000 ⇔ bucket ≤ T for a whole T. */
export function waitBucket(waitMs: number): number {
  return Math.min(MAX_T_S + 1, Math.ceil(Math.max(0, waitMs) / 1000));
}

class Tally {
  offered = 0;
  answered = 0;
  abandoned = 0;
  other = 0;
  answerWaitMs = 0;
  readonly answeredBy = new Int32Array(BUCKETS);
  readonly abandonedBy = new Int32Array(BUCKETS);

  apply(p: Part, sign: 1 | -1): void {
    this.offered += sign;
    if (p.cls === 'answered') {
      this.answered += sign;
      this.answerWaitMs += sign * p.waitMs;
      this.answeredBy[waitBucket(p.waitMs)]! += sign;
    } else if (p.cls === 'abandoned') {
      this.abandoned += sign;
      this.abandonedBy[waitBucket(p.waitMs)]! += sign;
    } else this.other += sign;
  }

  /** The report's counts under T and S (whole seconds; a fraction is cut off). */
  counts(config: Readonly<KpiConfig>): CallCounts {
    const t = Math.min(MAX_T_S, Math.floor(config.serviceLevelSeconds));
    const s = Math.min(t, Math.floor(config.shortAbandonSeconds));
    let answeredWithinT = 0;
    let abandonedWithinT = 0;
    let shortAbandoned = 0;
    for (let i = 0; i <= t; i++) {
      answeredWithinT += this.answeredBy[i]!;
      abandonedWithinT += this.abandonedBy[i]!;
      if (i === s) shortAbandoned = abandonedWithinT;
    }
    return { offered: this.offered, answered: this.answered, answeredWithinT, abandoned: this.abandoned, abandonedWithinT, shortAbandoned, other: this.other, answerWaitMs: this.answerWaitMs, talkMs: 0, holdMs: 0, wrapMs: 0 };
  }
}

/** A call's part of its queue's counts, as its last row made it. */
interface Part {
  queue: string;
  /** Start of the local day it counts in (a part of another day is not taken back). */
  dayStart: number;
  cls: CallClass;
  waitMs: number;
}

export interface QueueTodayOptions {
  /** IANA zone of the centre (the reports' IVR_TIME_ZONE). */
  timeZone: string;
  now: number;
  /** A queue's figures changed (so that `queue.stats` is sent). */
  onChange?: (queueId: string) => void;
  /** Ended calls whose part is kept (a revived call takes its part back): the tracker's window. */
  recentMax?: number;
  recentMs?: number;
}

export class QueueToday {
  private readonly tallies = new Map<string, Tally>();
  /** Parts of the calls in progress (rows not ended) of today. */
  private readonly open = new Map<string, Part>();
  /** Parts of calls ended lately, with when they ended; `ended` lists them oldest first (a
   * Map's own order would do, but V8 walks over the deleted head entries of a Map each time its
   * iteration starts again, which made each row cost µs). */
  private readonly recent = new Map<string, { part: Part; endedAt: number }>();
  private ended: { id: string; endedAt: number }[] = [];
  private endedHead = 0;
  /** While seeding: the calls written live meanwhile (their rows read by the seed are skipped). */
  private seenLive: Set<string> | null = null;
  private start = 0;
  private end = 0;
  private label = '';
  private readonly recentMax: number;
  private readonly recentMs: number;

  constructor(private readonly o: QueueTodayOptions) {
    this.recentMax = o.recentMax ?? SOFT_END_MEMORY_MAX;
    this.recentMs = o.recentMs ?? Math.max(SOFT_END_MEMORY_MS, ENDED_MEMORY_MS);
    this.setDay(o.now);
  }

  /** The local day counted now. */
  get day(): { label: string; start: number; end: number } {
    return { label: this.label, start: this.start, end: this.end };
  }

  /** Starts the day holding `now` if the counted one is over (local midnight passed); true if it
   * did. Every queue that had figures is told (its figures are zero now). */
  rollover(now: number): boolean {
    if (now < this.end && now >= this.start) return false;
    const had = [...this.tallies.keys()];
    this.tallies.clear();
    this.setDay(now);
    for (const q of had) this.o.onChange?.(q);
    return true;
  }

  /** A calls row was written (inserted or updated). */
  row(r: TodayRow, now: number): void {
    this.rollover(now);
    this.seenLive?.add(r.id);
    this.take(r, now);
  }

  /** Seeding from the database at start: `begin` before the first row read, `end` after the last.
   * Rows of calls written live in between are skipped (the live row is the newer). */
  beginSeed(): void {
    this.seenLive = new Set();
  }

  seed(r: TodayRow, now: number): void {
    this.rollover(now);
    if (this.seenLive?.has(r.id) || this.open.has(r.id) || this.recent.has(r.id)) return;
    this.take(r, now);
  }

  endSeed(): void {
    this.seenLive = null;
  }

  /** The queue's figures under its settings. */
  figures(queueId: string, config: Readonly<KpiConfig>, now: number): QueueTodayFigures {
    this.rollover(now);
    const counts = (this.tallies.get(queueId) ?? EMPTY).counts(config);
    const k = kpisOf(counts, config);
    return {
      day: this.label,
      offered: counts.offered,
      answered: counts.answered,
      answeredWithinSl: counts.answeredWithinT,
      abandoned: counts.abandoned,
      shortAbandoned: counts.shortAbandoned,
      serviceLevel: k.serviceLevel.value,
      abandonRate: k.abandonRateExclShort,
      slThresholdS: config.serviceLevelSeconds,
      shortAbandonS: config.shortAbandonSeconds,
      formula: k.serviceLevel.formula,
      formulaId: config.formula,
      targetServiceLevel: config.targetServiceLevel,
      abandonedWithinSl: counts.abandonedWithinT,
      other: counts.other,
      asaMs: k.asaMs,
    };
  }

  /** For tests and the log: calls in progress and recently ended whose parts are kept. */
  get memorySize(): { open: number; recent: number; queues: number } {
    return { open: this.open.size, recent: this.recent.size, queues: this.tallies.size };
  }

  private setDay(now: number): void {
    const d = intervalOf(now, 'day', this.o.timeZone);
    this.start = d.start;
    this.end = d.end;
    this.label = d.label;
  }

  private take(r: TodayRow, now: number): void {
    const before = this.open.get(r.id) ?? this.recent.get(r.id)?.part;
    const after = this.partOf(r);
    if (before && after && before.queue === after.queue && before.dayStart === after.dayStart && before.cls === after.cls && before.waitMs === after.waitMs) {
      // The usual case (a connection change of a call in progress): nothing to count.
    } else {
      if (before && before.dayStart === this.start) this.count(before, -1);
      if (after) this.count(after, 1);
    }
    if (r.endedAt === null) {
      this.recent.delete(r.id);
      if (after) this.open.set(r.id, after);
      else this.open.delete(r.id);
      return;
    }
    this.open.delete(r.id);
    this.recent.delete(r.id);
    if (after) {
      this.recent.set(r.id, { part: after, endedAt: now });
      this.ended.push({ id: r.id, endedAt: now });
    }
    this.trimRecent(now);
  }

  private trimRecent(now: number): void {
    while (this.endedHead < this.ended.length) {
      const oldest = this.ended[this.endedHead]!;
      const kept = this.recent.get(oldest.id);
      // An entry whose call was revived (or ended again later) is stale: skipped.
      if (kept && kept.endedAt === oldest.endedAt) {
        if (this.recent.size <= this.recentMax && now - oldest.endedAt < this.recentMs) break;
        this.recent.delete(oldest.id);
      }
      this.endedHead++;
    }
    if (this.endedHead > 1024 && this.endedHead * 2 > this.ended.length) {
      this.ended = this.ended.slice(this.endedHead);
      this.endedHead = 0;
    }
  }

  private count(p: Part, sign: 1 | -1): void {
    let t = this.tallies.get(p.queue);
    if (!t) this.tallies.set(p.queue, (t = new Tally()));
    t.apply(p, sign);
    this.o.onChange?.(p.queue);
  }

  /** The row's part, as the report reads the row (call-rows.ts `classOf`, `callRecordOf`); null
   * for a call of no queue or of another day. */
  private partOf(r: TodayRow): Part | null {
    if (r.queueId === null || r.offeredAt < this.start || r.offeredAt >= this.end) return null;
    const cls = classOf({ answered_at: r.answeredAt, ended_at: r.endedAt, outcome: r.outcome });
    const waitMs = cls === 'answered' ? Math.max(0, r.answeredAt! - r.offeredAt) : cls === 'abandoned' ? Math.max(0, r.endedAt! - r.offeredAt) : 0;
    return { queue: r.queueId, dayStart: this.start, cls, waitMs };
  }
}

const EMPTY = new Tally();
