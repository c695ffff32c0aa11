/**
 * One report over our own rows: the calls of a period streamed through the pure accumulators
 * (kpi.ts, intervals.ts), grouped by queue, agent or local interval, and the agent state log
 * through occupancy.ts. Returns plain rows and the formulas printed beside them; holds counts
 * and sums, never the rows (docs/reports.md, "Data").
 *
 * Synchronous: it runs on whatever thread calls it. From the daemon, call it through ReportRunner
 * (report-runner.ts), which runs it on a worker thread with its own read-only connection.
 */
import type { Database } from 'better-sqlite3';
import { badRequest } from '../../core/errors.ts';
import { intervalOf, CallsPerInterval, INTERVAL_SIZES, type IntervalSize } from '../intervals.ts';
import { CallKpiAccumulator, GroupedCallKpis, byAgent, byExtension, byQueue, byTeam, kpiConfig, kpiConfigBook, type CallCounts, type CallKpis, type KpiConfig, type SlFormulaId } from '../kpi.ts';
import { OccupancyAccumulator, type OccupancyReport, type StateTimes } from '../occupancy.ts';
import { addActivity, agentActivity, zeroActivity, type AgentActivity } from './agent-activity.ts';
import { callRecords, stateSpans } from './call-rows.ts';

export const REPORT_GROUPINGS = ['queue', 'agent', 'team', 'extension', 'interval'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

export interface ReportRequest {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  grouping: ReportGrouping;
  /** With `grouping: 'interval'`; default `30m`. */
  intervalSize?: IntervalSize;
  /** IANA zone of the centre (interval boundaries and labels). */
  timeZone: string;
  queue?: string | null;
  agent?: string | null;
  /** `defaults` for the whole report (agent and interval rows, the total); `byQueue` over them for
   * queue rows. */
  kpi?: { defaults?: Partial<KpiConfig>; byQueue?: Readonly<Record<string, Partial<KpiConfig>>> };
  /** Called every `progressEvery` calls read (default 10,000) and at the end, with the count. */
  onProgress?: (callsRead: number) => void;
  progressEvery?: number;
}

export interface ReportRow extends CallCounts {
  /** Queue id, agent username, or the interval's label. */
  key: string;
  /** Interval rows: their bounds, epoch ms. */
  start?: number;
  end?: number;
  formulaId: SlFormulaId;
  /** As printed: `SL = answered within 20 s / …`. */
  formula: string;
  serviceLevelSeconds: number;
  shortAbandonSeconds: number;
  targetServiceLevel: number;
  serviceLevel: number | null;
  serviceLevelByFormula: Record<SlFormulaId, number | null>;
  asaMs: number | null;
  ahtMs: number | null;
  abandonRate: number | null;
  abandonRateExclShort: number | null;
  shortAbandonRate: number | null;
  /** Agent rows: the agent's state times and occupancy over the period. */
  occupancy?: StateTimes;
  /** Agent and extension rows and their total: rings, ring-no-answers, outbound calls. */
  activity?: AgentActivity;
}

export interface ReportResult {
  grouping: ReportGrouping;
  from: number;
  to: number;
  timeZone: string;
  intervalSize: IntervalSize | null;
  rows: ReportRow[];
  /** Every call of the report under the report-wide settings. */
  total: ReportRow;
  /** The formulas printed on the rows, each once, the total's first. */
  formulas: string[];
  occupancy: OccupancyReport;
  callsRead: number;
}

function plainRow(key: string, k: CallKpis): ReportRow {
  return {
    key,
    ...k.counts,
    formulaId: k.config.formula,
    formula: k.serviceLevel.formula,
    serviceLevelSeconds: k.config.serviceLevelSeconds,
    shortAbandonSeconds: k.config.shortAbandonSeconds,
    targetServiceLevel: k.config.targetServiceLevel,
    serviceLevel: k.serviceLevel.value,
    serviceLevelByFormula: k.serviceLevelByFormula,
    asaMs: k.asaMs,
    ahtMs: k.ahtMs,
    abandonRate: k.abandonRate,
    abandonRateExclShort: k.abandonRateExclShort,
    shortAbandonRate: k.shortAbandonRate,
  };
}

function checkRequest(r: ReportRequest): void {
  if (!Number.isSafeInteger(r.from) || !Number.isSafeInteger(r.to) || r.from >= r.to) throw badRequest('from and to must be epoch ms with from < to', { reason: 'BAD_PERIOD' });
  if (!(REPORT_GROUPINGS as readonly string[]).includes(r.grouping)) throw badRequest(`grouping must be one of ${REPORT_GROUPINGS.join(', ')}`, { reason: 'BAD_GROUPING' });
  if (r.intervalSize !== undefined && !(INTERVAL_SIZES as readonly string[]).includes(r.intervalSize)) throw badRequest(`intervalSize must be one of ${INTERVAL_SIZES.join(', ')}`, { reason: 'BAD_INTERVAL' });
  try {
    intervalOf(r.from, 'day', r.timeZone);
  } catch {
    throw badRequest('timeZone must be an IANA time zone', { reason: 'BAD_TIME_ZONE', timeZone: r.timeZone });
  }
}

/** Runs the report (BAD_REQUEST with `details.reason` for a bad request or KPI setting). */
export function runReport(db: Database, r: ReportRequest): ReportResult {
  checkRequest(r);
  const wide = kpiConfig(r.kpi?.defaults ?? {});
  const book = kpiConfigBook(r.kpi?.byQueue ?? {}, wide);
  const size = r.grouping === 'interval' ? (r.intervalSize ?? '30m') : null;
  const total = new CallKpiAccumulator(wide);
  const grouped =
    r.grouping === 'queue'
      ? new GroupedCallKpis(byQueue, (q) => book(q))
      : r.grouping === 'agent'
        ? new GroupedCallKpis(byAgent, () => wide)
        : r.grouping === 'team'
          ? new GroupedCallKpis(byTeam, () => wide)
          : r.grouping === 'extension'
            ? new GroupedCallKpis(byExtension, () => wide)
            : null;
  const perInterval = size !== null ? new CallsPerInterval(r.from, r.to, size, r.timeZone, wide) : null;
  const period = { from: r.from, to: r.to, queue: r.queue ?? null, agent: r.agent ?? null };
  const every = Math.max(1, r.progressEvery ?? 10_000);

  let callsRead = 0;
  for (const call of callRecords(db, period)) {
    total.add(call);
    grouped?.add(call);
    perInterval?.add(call);
    if (++callsRead % every === 0) r.onProgress?.(callsRead);
  }
  const occupancy = new OccupancyAccumulator(r.from, r.to);
  for (const span of stateSpans(db, period)) occupancy.add(span);
  r.onProgress?.(callsRead);

  const occ = occupancy.result();
  const rows = grouped
    ? grouped.result().map((g) => plainRow(g.key, g))
    : perInterval!.result().map((iv) => ({ ...plainRow(iv.label, iv), start: iv.start, end: iv.end }));
  const totalRow = plainRow('total', total.result());
  if (r.grouping === 'agent' || r.grouping === 'extension') {
    // Every agent (extension) with something to show, not only those who answered queue calls:
    // one signed in all day who answered nothing, or who only let calls ring out, is the row a
    // manager looks for.
    const activity = agentActivity(db, period, r.grouping);
    const byName = new Map(occ.agents.map(({ agent, team: _team, ...times }) => [agent, times]));
    const keys = new Set(rows.map((x) => x.key));
    const idle = new CallKpiAccumulator(wide).result();
    const more = [...activity.keys(), ...(r.grouping === 'agent' ? byName.keys() : [])].filter((k) => !keys.has(k) && (r.agent == null || k === r.agent));
    for (const k of [...new Set(more)].sort()) rows.push(plainRow(k, idle));
    totalRow.activity = zeroActivity();
    for (const row of rows) {
      row.activity = activity.get(row.key) ?? zeroActivity();
      addActivity(totalRow.activity, row.activity);
      const times = r.grouping === 'agent' ? byName.get(row.key) : undefined;
      if (times) row.occupancy = times;
    }
  }
  const formulas = [...new Set([totalRow.formula, ...rows.map((x) => x.formula)])];
  return { grouping: r.grouping, from: r.from, to: r.to, timeZone: r.timeZone, intervalSize: size, rows, total: totalRow, formulas, occupancy: occ, callsRead };
}
