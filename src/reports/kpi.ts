/**
 * Call KPIs, pure and streaming: service level (under each of the common ICMI formulas), ASA,
 * AHT, abandonment with short abandons apart, over plain call records. An accumulator takes one
 * record at a time (`add`) and keeps only counts and sums, so a report can feed it a million
 * rows from a database cursor; `result()` may be called at any point.
 *
 * Thresholds are inclusive, as Avaya CMS and ICMI count them: a call answered after exactly T
 * seconds is answered within T, a call abandoned after exactly S seconds is a short abandon. A
 * call's T and S are those of the configuration of the group it is counted in, so every figure of
 * a row agrees with the one formula printed beside it. Definitions: docs/reports.md.
 */
import { badRequest } from '../core/errors.ts';

/** One call as it went through a queue. Times are epoch ms; durations ms. A wait below 0 (an
 * answer stamped before the offer) counts as 0. */
export interface CallRecord {
  queue: string;
  /** When the call was offered to the queue (the wait starts here). */
  offeredAt: number;
  /** When an agent answered; null if none did. */
  answeredAt: number | null;
  /** When the caller hung up while waiting; null if not. Ignored when `answeredAt` is set. */
  abandonedAt: number | null;
  endedAt: number;
  talkMs: number;
  holdMs: number;
  /** After-call work (wrap-up) for this call. */
  wrapMs: number;
  /** The agent who answered; null when none did. */
  agent: string | null;
  team?: string | null;
  extension?: string | null;
}

export const SL_FORMULA_IDS = ['answeredOfOffered', 'answeredOfOfferedExclShort', 'answeredOnly', 'excludeAbandonsWithinT', 'abandonsWithinTGood', 'shortAbandonsGood'] as const;
export type SlFormulaId = (typeof SL_FORMULA_IDS)[number];

/** Counts and sums over a group of calls, with T and S of the group's configuration. */
export interface CallCounts {
  /** Every call offered to the queue: answered + abandoned + other. */
  offered: number;
  answered: number;
  answeredWithinT: number;
  abandoned: number;
  /** Abandoned after waiting at most T (short abandons included). */
  abandonedWithinT: number;
  /** Abandoned after waiting at most S. */
  shortAbandoned: number;
  /** Neither answered nor abandoned: overflowed, sent to voicemail, cleared by the system. */
  other: number;
  /** Σ wait of answered calls. */
  answerWaitMs: number;
  talkMs: number;
  holdMs: number;
  wrapMs: number;
}

export interface SlFormula {
  id: SlFormulaId;
  /** As printed on a report, in terms of T and S. */
  formula: string;
  numerator(c: CallCounts): number;
  denominator(c: CallCounts): number;
}

const f = (id: SlFormulaId, formula: string, numerator: SlFormula['numerator'], denominator: SlFormula['denominator']): SlFormula => ({ id, formula, numerator, denominator });

/** The service level formulas, by id (meaning and sources: docs/reports.md). */
export const SL_FORMULAS: Readonly<Record<SlFormulaId, SlFormula>> = Object.freeze({
  answeredOfOffered: f('answeredOfOffered', 'answered within T / (answered + abandoned)', (c) => c.answeredWithinT, (c) => c.answered + c.abandoned),
  answeredOfOfferedExclShort: f('answeredOfOfferedExclShort', 'answered within T / (answered + abandoned − abandoned within S)', (c) => c.answeredWithinT, (c) => c.answered + c.abandoned - c.shortAbandoned),
  answeredOnly: f('answeredOnly', 'answered within T / answered', (c) => c.answeredWithinT, (c) => c.answered),
  excludeAbandonsWithinT: f('excludeAbandonsWithinT', 'answered within T / (answered + abandoned after T)', (c) => c.answeredWithinT, (c) => c.answered + c.abandoned - c.abandonedWithinT),
  abandonsWithinTGood: f('abandonsWithinTGood', '(answered within T + abandoned within T) / (answered + abandoned)', (c) => c.answeredWithinT + c.abandonedWithinT, (c) => c.answered + c.abandoned),
  shortAbandonsGood: f('shortAbandonsGood', '(answered within T + abandoned within S) / (answered + abandoned)', (c) => c.answeredWithinT + c.shortAbandoned, (c) => c.answered + c.abandoned),
});

/** KPI settings of a queue (or of a whole report). */
export interface KpiConfig {
  /** T: the service level threshold, s. */
  serviceLevelSeconds: number;
  /** S: abandons after at most this wait are short (misdials, wrong IVR choice), s; S ≤ T. */
  shortAbandonSeconds: number;
  formula: SlFormulaId;
  /** The goal shown beside the service level reached, 0–1 (0.8 for 80/20). */
  targetServiceLevel: number;
}

/** 80 % within 20 s, short abandons (≤ 5 s) left out: those callers gave no one the chance to
 * answer, every other abandon counts against the centre. */
export const DEFAULT_KPI_CONFIG: Readonly<KpiConfig> = Object.freeze({ serviceLevelSeconds: 20, shortAbandonSeconds: 5, formula: 'answeredOfOfferedExclShort', targetServiceLevel: 0.8 });

/** The defaults with `partial` over them, checked and frozen. BAD_REQUEST with `details.reason`
 * `BAD_THRESHOLD`, `SHORT_OVER_T`, `UNKNOWN_FORMULA` or `BAD_TARGET`. */
export function kpiConfig(partial: Partial<KpiConfig> = {}, defaults: Readonly<KpiConfig> = DEFAULT_KPI_CONFIG): Readonly<KpiConfig> {
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<KpiConfig>;
  const c: KpiConfig = { ...defaults, ...given };
  for (const k of ['serviceLevelSeconds', 'shortAbandonSeconds'] as const) {
    if (!Number.isFinite(c[k]) || c[k] < 0) throw badRequest(`${k} must be a number of seconds ≥ 0`, { reason: 'BAD_THRESHOLD', field: k });
  }
  if (c.shortAbandonSeconds > c.serviceLevelSeconds) throw badRequest('shortAbandonSeconds must not exceed serviceLevelSeconds', { reason: 'SHORT_OVER_T' });
  if (!(SL_FORMULA_IDS as readonly string[]).includes(c.formula)) throw badRequest(`formula must be one of ${SL_FORMULA_IDS.join(', ')}`, { reason: 'UNKNOWN_FORMULA', formula: c.formula });
  if (!(c.targetServiceLevel > 0 && c.targetServiceLevel <= 1)) throw badRequest('targetServiceLevel must be in (0, 1]', { reason: 'BAD_TARGET' });
  return Object.freeze(c);
}

/** Each queue's configuration: its own settings over `defaults`, checked once here. */
export function kpiConfigBook(byQueue: Readonly<Record<string, Partial<KpiConfig>>>, defaults: Partial<KpiConfig> = {}): (queue: string) => Readonly<KpiConfig> {
  const base = kpiConfig(defaults);
  const book = new Map(Object.entries(byQueue).map(([q, p]) => [q, kpiConfig(p, base)]));
  return (queue) => book.get(queue) ?? base;
}

/** The formula as a report prints it, T and S filled in: "SL = answered within 20 s / …". */
export function printFormula(config: Readonly<KpiConfig>): string {
  const text = SL_FORMULAS[config.formula].formula.replaceAll('within T', `within ${config.serviceLevelSeconds} s`).replaceAll('after T', `after ${config.serviceLevelSeconds} s`).replaceAll('within S', `within ${config.shortAbandonSeconds} s`);
  return `SL = ${text}`;
}

export interface ServiceLevelFigure {
  id: SlFormulaId;
  /** With T and S filled in (`printFormula`). */
  formula: string;
  /** 0–1; null when the denominator is 0 (nothing to measure). */
  value: number | null;
}

export interface CallKpis {
  config: Readonly<KpiConfig>;
  counts: CallCounts;
  /** Under the configured formula. */
  serviceLevel: ServiceLevelFigure;
  /** Under every formula, for comparison. */
  serviceLevelByFormula: Record<SlFormulaId, number | null>;
  /** Σ answer wait / answered, ms. */
  asaMs: number | null;
  /** (talk + hold + wrap) / answered, ms. */
  ahtMs: number | null;
  /** abandoned / offered. */
  abandonRate: number | null;
  /** (abandoned − short) / (offered − short). */
  abandonRateExclShort: number | null;
  /** short / offered. */
  shortAbandonRate: number | null;
}

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/** The KPIs of one group of calls under one configuration. */
export class CallKpiAccumulator {
  private readonly c: CallCounts = { offered: 0, answered: 0, answeredWithinT: 0, abandoned: 0, abandonedWithinT: 0, shortAbandoned: 0, other: 0, answerWaitMs: 0, talkMs: 0, holdMs: 0, wrapMs: 0 };
  private readonly tMs: number;
  private readonly sMs: number;

  constructor(readonly config: Readonly<KpiConfig> = DEFAULT_KPI_CONFIG) {
    this.tMs = config.serviceLevelSeconds * 1000;
    this.sMs = config.shortAbandonSeconds * 1000;
  }

  add(r: CallRecord): void {
    const c = this.c;
    c.offered++;
    if (r.answeredAt !== null) {
      const wait = Math.max(0, r.answeredAt - r.offeredAt);
      c.answered++;
      if (wait <= this.tMs) c.answeredWithinT++;
      c.answerWaitMs += wait;
      c.talkMs += r.talkMs;
      c.holdMs += r.holdMs;
      c.wrapMs += r.wrapMs;
    } else if (r.abandonedAt !== null) {
      const wait = Math.max(0, r.abandonedAt - r.offeredAt);
      c.abandoned++;
      if (wait <= this.tMs) c.abandonedWithinT++;
      if (wait <= this.sMs) c.shortAbandoned++;
    } else {
      c.other++;
    }
  }

  result(): CallKpis {
    return kpisOf({ ...this.c }, this.config);
  }
}

/** The KPIs of counts made under `config` (T and S): the accumulator's result, and the live
 * figures of a queue today (services/queue-today.ts), which count the same way by other means. */
export function kpisOf(c: CallCounts, config: Readonly<KpiConfig>): CallKpis {
  const byFormula = Object.fromEntries(SL_FORMULA_IDS.map((id) => [id, ratio(SL_FORMULAS[id].numerator(c), SL_FORMULAS[id].denominator(c))])) as Record<SlFormulaId, number | null>;
  return {
    config,
    counts: c,
    serviceLevel: { id: config.formula, formula: printFormula(config), value: byFormula[config.formula] },
    serviceLevelByFormula: byFormula,
    asaMs: ratio(c.answerWaitMs, c.answered),
    ahtMs: ratio(c.talkMs + c.holdMs + c.wrapMs, c.answered),
    abandonRate: ratio(c.abandoned, c.offered),
    abandonRateExclShort: ratio(c.abandoned - c.shortAbandoned, c.offered - c.shortAbandoned),
    shortAbandonRate: ratio(c.shortAbandoned, c.offered),
  };
}

/** Keys that split calls into report rows; null leaves a call out of the report. */
export const byQueue = (r: CallRecord): string => r.queue;
export const byAgent = (r: CallRecord): string | null => r.agent;
export const byTeam = (r: CallRecord): string | null => r.team ?? null;
export const byExtension = (r: CallRecord): string | null => r.extension ?? null;

/**
 * KPIs per key (queue, agent, team, extension, …). `configFor(key, record)` gives a row its
 * configuration when the row's first call arrives: by queue, `(q) => book(q)` gives each queue its
 * own; by agent or team, one report-wide configuration keeps every row on the same formula.
 */
export class GroupedCallKpis<K extends string | number = string> {
  private readonly groups = new Map<K, CallKpiAccumulator>();

  constructor(
    private readonly keyOf: (r: CallRecord) => K | null,
    private readonly configFor: (key: K, r: CallRecord) => Readonly<KpiConfig> = () => DEFAULT_KPI_CONFIG,
  ) {}

  add(r: CallRecord): void {
    const key = this.keyOf(r);
    if (key === null) return;
    let g = this.groups.get(key);
    if (!g) {
      g = new CallKpiAccumulator(this.configFor(key, r));
      this.groups.set(key, g);
    }
    g.add(r);
  }

  /** One row per key seen, sorted by key. */
  result(): Array<{ key: K } & CallKpis> {
    return [...this.groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, g]) => ({ key, ...g.result() }));
  }
}
