/**
 * IVR statistics (../shared/spec/ivr.md, "Statistics"): events in, figures out, per flow and per
 * node, per interval (15 min, hour, day; intervals are aligned on UTC, e.g. days run 00:00Z to
 * 00:00Z): entries, exits by outcome, key presses, timeouts, invalid inputs, average time in the
 * flow (from the `durationMs` of `flowExit`). Pure, and incremental: the HTTP route streams rows
 * from the database into an accumulator and never holds them all.
 */
import { IVR_OUTCOMES, type IvrOutcome, type IvrStatEvent } from './types.ts';

export const STATS_INTERVALS = ['15m', '1h', '1d'] as const;
export type StatsInterval = (typeof STATS_INTERVALS)[number];
export const INTERVAL_MS: Record<StatsInterval, number> = { '15m': 15 * 60_000, '1h': 3_600_000, '1d': 86_400_000 };

export type OutcomeCounts = Record<IvrOutcome, number>;

export interface NodeStats {
  node: string;
  /** Times callers entered the node. */
  entries: number;
  /** Callers who left the flow from this node, by outcome (only outcomes that happened). */
  exits: Partial<OutcomeCounts>;
  keys: number;
  timeouts: number;
  invalid: number;
}

export interface Figures {
  /** Callers who entered the flow. */
  entries: number;
  /** Callers who left it, by outcome (every outcome, zeros included). */
  exits: OutcomeCounts;
  keys: number;
  timeouts: number;
  invalid: number;
  /** Mean time in the flow of the callers who left it in this interval, ms; null: none left. */
  avgTimeInFlowMs: number | null;
  /** By node name, sorted. */
  nodes: NodeStats[];
}

export interface IntervalStats extends Figures {
  /** Epoch ms, aligned on the interval. */
  start: number;
}

export interface FlowStats {
  flow: string;
  /** The flow versions seen in the range. */
  versions: number[];
  /** The whole range. */
  totals: Figures;
  /** Intervals with at least one event, in time order (empty intervals are left out). */
  intervals: IntervalStats[];
}

export interface IvrStatsReport {
  from: number;
  to: number;
  interval: StatsInterval;
  /** By flow id, sorted. */
  flows: FlowStats[];
}

interface Acc {
  entries: number;
  exits: OutcomeCounts;
  keys: number;
  timeouts: number;
  invalid: number;
  timeSum: number;
  timeCount: number;
  nodes: Map<string, NodeStats>;
}

const zeroOutcomes = (): OutcomeCounts => Object.fromEntries(IVR_OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;
const newAcc = (): Acc => ({ entries: 0, exits: zeroOutcomes(), keys: 0, timeouts: 0, invalid: 0, timeSum: 0, timeCount: 0, nodes: new Map() });

function nodeOf(acc: Acc, node: string): NodeStats {
  let n = acc.nodes.get(node);
  if (!n) acc.nodes.set(node, (n = { node, entries: 0, exits: {}, keys: 0, timeouts: 0, invalid: 0 }));
  return n;
}

function addTo(acc: Acc, e: IvrStatEvent): void {
  const n = e.node === null ? null : nodeOf(acc, e.node);
  switch (e.kind) {
    case 'flowEnter':
      acc.entries++;
      return;
    case 'nodeEnter':
      if (n) n.entries++;
      return;
    case 'key':
      acc.keys++;
      if (n) n.keys++;
      return;
    case 'timeout':
      acc.timeouts++;
      if (n) n.timeouts++;
      return;
    case 'invalid':
      acc.invalid++;
      if (n) n.invalid++;
      return;
    case 'flowExit': {
      const outcome = e.outcome && Object.hasOwn(acc.exits, e.outcome) ? e.outcome : 'error';
      acc.exits[outcome]++;
      if (n) n.exits[outcome] = (n.exits[outcome] ?? 0) + 1;
      if (typeof e.durationMs === 'number' && Number.isFinite(e.durationMs) && e.durationMs >= 0) {
        acc.timeSum += e.durationMs;
        acc.timeCount++;
      }
      return;
    }
  }
}

function figuresOf(acc: Acc): Figures {
  return {
    entries: acc.entries,
    exits: acc.exits,
    keys: acc.keys,
    timeouts: acc.timeouts,
    invalid: acc.invalid,
    avgTimeInFlowMs: acc.timeCount ? Math.round(acc.timeSum / acc.timeCount) : null,
    nodes: [...acc.nodes.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0)),
  };
}

/** Add events one by one (any order), then `report()`. Events outside [from, to) are ignored. */
export class IvrStatsAccumulator {
  private readonly flows = new Map<string, { versions: Set<number>; total: Acc; buckets: Map<number, Acc> }>();
  private readonly step: number;

  constructor(
    readonly from: number,
    readonly to: number,
    readonly interval: StatsInterval,
  ) {
    this.step = INTERVAL_MS[interval];
  }

  add(e: IvrStatEvent): void {
    if (!(e.at >= this.from && e.at < this.to)) return;
    let f = this.flows.get(e.flow);
    if (!f) this.flows.set(e.flow, (f = { versions: new Set(), total: newAcc(), buckets: new Map() }));
    f.versions.add(e.version);
    const start = Math.floor(e.at / this.step) * this.step;
    let b = f.buckets.get(start);
    if (!b) f.buckets.set(start, (b = newAcc()));
    addTo(b, e);
    addTo(f.total, e);
  }

  report(): IvrStatsReport {
    const flows = [...this.flows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([flow, f]) => ({
        flow,
        versions: [...f.versions].sort((a, b) => a - b),
        totals: figuresOf(f.total),
        intervals: [...f.buckets.entries()].sort(([a], [b]) => a - b).map(([start, acc]) => ({ start, ...figuresOf(acc) })),
      }));
    return { from: this.from, to: this.to, interval: this.interval, flows };
  }
}

/** The report of `events` over [from, to). */
export function aggregateIvrStats(events: Iterable<IvrStatEvent>, from: number, to: number, interval: StatsInterval): IvrStatsReport {
  const acc = new IvrStatsAccumulator(from, to, interval);
  for (const e of events) acc.add(e);
  return acc.report();
}
