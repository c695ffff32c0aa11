/**
 * Reports over HTTP (docs/reports.md): the KPI report of a period grouped by queue, agent or
 * local interval, as JSON, CSV or XLSX (src/reports/export/report-sheets.ts), and the staffing what-if (Erlang C per interval beside the
 * service level actually reached). Supervisors and admins. The report runs on the report worker
 * (src/reports/data/report-runner.ts), never on the event loop; the CSV is written from the
 * report's rows (one row per group, so it is small whatever the period).
 *
 * Every answer carries the formulas it used (`formulas`; in CSV a `formula` column), so a figure is
 * never shown without its definition.
 */
import { formulaText } from '../reports/formula-text.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import { AppError, badRequest, forbidden } from '../core/errors.ts';
import { agentsNeeded, trafficIntensity } from '../reports/erlang-c.ts';
import { INTERVAL_SIZES, type IntervalSize } from '../reports/intervals.ts';
import { SL_FORMULA_IDS, type KpiConfig, type SlFormulaId } from '../reports/kpi.ts';
import { ReportTimeout, type ReportRunner } from '../reports/data/report-runner.ts';
import { REPORT_GROUPINGS, type ReportGrouping, type ReportResult, type ReportRow } from '../reports/data/run-report.ts';
import { authenticate } from './admin/guard.ts';
import { registerReportExportRoutes } from './report-export-routes.ts';
import { closed, int, str } from './admin/schemas.ts';
import { parseInstant } from './query-times.ts';
import { csvField } from '../reports/export/csv.ts';
import { EXPORT_LANGS, type ExportLang } from '../reports/export/labels.ts';
import { kpiWorkbook, staffingWorkbook } from '../reports/export/report-sheets.ts';

const READERS = ['supervisor', 'admin'];
/** The longest period one report covers. */
const MAX_PERIOD_MS = 366 * 86_400_000;
const STAFFING_INTERVALS: Record<string, number> = { '15m': 900, '30m': 1800, '60m': 3600 };

export interface ReportRoutesDeps {
  auth: AuthService;
  runner: Pick<ReportRunner, 'run'>;
  /** The centre's time zone (IVR_TIME_ZONE): interval boundaries and labels. */
  timeZone: string;
  /** Each queue's stored report settings (admin API, queue `kpi`): they win for its queue rows. */
  queueKpi?(): Record<string, Partial<KpiConfig>>;
  /** The database file: with it, the call detail export (report-export-routes.ts) is served too. */
  file?: string;
}

export interface KpiQs {
  from: string;
  to: string;
  groupBy?: ReportGrouping;
  interval?: IntervalSize;
  queue?: string;
  agent?: string;
  slSeconds?: number;
  shortAbandonSeconds?: number;
  formula?: SlFormulaId;
  target?: number;
  format?: 'json' | 'csv' | 'xlsx';
  lang?: ExportLang;
}

const periodProps = {
  from: str(1, 40),
  to: str(1, 40),
  queue: str(1, 64),
  slSeconds: int(1, 3600),
  shortAbandonSeconds: int(0, 3600),
  formula: { type: 'string', enum: [...SL_FORMULA_IDS] },
  target: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 100 },
  lang: { type: 'string', enum: [...EXPORT_LANGS] },
};

/** The report query fields every report route takes: the period, a queue, the report-wide KPI
 * settings, the language. */
export const REPORT_QUERY_PROPS = periodProps;

/** The user may read reports (supervisor, admin), else 403. */
export function authorizeReports(req: Parameters<typeof authenticate>[0], auth: AuthService): void {
  const user = authenticate(req, auth);
  if (!user.roles.some((r) => READERS.includes(r))) throw forbidden(`reports need the ${READERS.join(' or ')} role`);
}

/** Runs a report for a query on the report worker: the period checked (BAD_RANGE,
 * PERIOD_TOO_LONG), the query's KPI settings as the report-wide ones over each queue's own, a
 * timeout answered SEARCH_TIMEOUT. */
export function reportRunnerFor(d: Pick<ReportRoutesDeps, 'runner' | 'timeZone' | 'queueKpi'>) {
  return async (q: Omit<KpiQs, 'groupBy' | 'interval' | 'format'>, grouping: ReportGrouping, interval: IntervalSize | undefined): Promise<ReportResult> => {
    const from = parseInstant('from', q.from);
    const to = parseInstant('to', q.to);
    if (!(to > from)) throw badRequest('to must be after from', { reason: 'BAD_RANGE' });
    if (to - from > MAX_PERIOD_MS) throw badRequest('a report covers at most 366 days', { reason: 'PERIOD_TOO_LONG' });
    const defaults: Partial<KpiConfig> = {};
    if (q.slSeconds !== undefined) defaults.serviceLevelSeconds = q.slSeconds;
    if (q.shortAbandonSeconds !== undefined) defaults.shortAbandonSeconds = q.shortAbandonSeconds;
    if (q.formula !== undefined) defaults.formula = q.formula;
    if (q.target !== undefined) defaults.targetServiceLevel = q.target / 100;
    try {
      return await d.runner.run({ from, to, grouping, ...(interval ? { intervalSize: interval } : {}), timeZone: d.timeZone, queue: q.queue ?? null, agent: q.agent ?? null, kpi: { defaults, byQueue: d.queueKpi?.() ?? {} } });
    } catch (err) {
      if (err instanceof ReportTimeout) throw new AppError('SEARCH_TIMEOUT', `${err.message}; try a shorter period or a narrower filter`);
      throw err;
    }
  };
}

export function registerReportRoutes(app: FastifyInstance, d: ReportRoutesDeps): void {
  if (d.file !== undefined) registerReportExportRoutes(app, { auth: d.auth, file: d.file, timeZone: d.timeZone });
  const authorize = (req: Parameters<typeof authenticate>[0]): void => authorizeReports(req, d.auth);
  const run = reportRunnerFor(d);

  app.get<{ Querystring: KpiQs }>(
    '/api/v1/reports/kpi',
    {
      schema: {
        querystring: closed(
          {
            ...periodProps,
            groupBy: { type: 'string', enum: [...REPORT_GROUPINGS] },
            interval: { type: 'string', enum: [...INTERVAL_SIZES] },
            agent: str(1, 64, '^[A-Za-z0-9._-]+$'),
            format: { type: 'string', enum: ['json', 'csv', 'xlsx'] },
          },
          ['from', 'to'],
        ),
      },
    },
    async (req, reply) => {
      authorize(req);
      const grouping = req.query.groupBy ?? 'queue';
      const r = await run(req.query, grouping, grouping === 'interval' ? (req.query.interval ?? '30m') : undefined);
      if (req.query.format === 'csv') return sendCsv(reply, `kpi-${grouping}.csv`, kpiCsv(r));
      if (req.query.format === 'xlsx') return sendXlsx(reply, `kpi-${grouping}.xlsx`, await kpiWorkbook(r, req.query.lang ?? 'en-US'));
      return r;
    },
  );

  app.get<{ Querystring: KpiQs }>(
    '/api/v1/reports/staffing',
    {
      schema: {
        querystring: closed({ ...periodProps, interval: { type: 'string', enum: Object.keys(STAFFING_INTERVALS) }, maxOccupancy: { type: 'number', exclusiveMinimum: 0, maximum: 100 }, shrinkage: { type: 'number', minimum: 0, exclusiveMaximum: 100 }, format: { type: 'string', enum: ['json', 'csv', 'xlsx'] } }, ['from', 'to']),
      },
    },
    async (req, reply) => {
      authorize(req);
      const q = req.query as KpiQs & { maxOccupancy?: number; shrinkage?: number };
      const interval = (q.interval ?? '30m') as IntervalSize;
      const r = await run(q, 'interval', interval);
      const out = staffingOf(r, STAFFING_INTERVALS[interval]!, { ...(q.maxOccupancy !== undefined ? { maxOccupancy: q.maxOccupancy / 100 } : {}), ...(q.shrinkage !== undefined ? { shrinkage: q.shrinkage / 100 } : {}) });
      if (q.format === 'xlsx') return sendXlsx(reply, 'staffing.xlsx', await staffingWorkbook(out, q.lang ?? 'en-US'));
      // The definitions in the language asked for (the XLSX translates its own).
      const lang = q.lang ?? 'en-US';
      const printed = { ...out, model: formulaText(out.model, lang), formulas: out.formulas.map((f) => formulaText(f, lang)) };
      if (q.format === 'csv') return sendCsv(reply, 'staffing.csv', staffingCsv(printed));
      return printed;
    },
  );
}

// ------------------------------------------------------------------------------------ staffing

export interface StaffingRow {
  key: string;
  start: number;
  end: number;
  offered: number;
  /** The interval's AHT, or the period's when the interval answered nothing. */
  ahtSeconds: number | null;
  erlangs: number;
  /** Erlang C: agents on the phones for the target; null without traffic to size. */
  agentsNeeded: number | null;
  /** With shrinkage: agents to schedule. */
  scheduled: number | null;
  /** Erlang C's service level with `agentsNeeded`. */
  predictedServiceLevel: number | null;
  /** What the interval reached, by the report's formula. */
  serviceLevel: number | null;
}

export interface StaffingReport {
  from: number;
  to: number;
  timeZone: string;
  interval: string;
  targetServiceLevel: number;
  serviceLevelSeconds: number;
  formulas: string[];
  /** How the what-if is computed, printed with it. */
  model: string;
  rows: StaffingRow[];
}

/** Erlang C per interval from the measured arrivals and AHT (pure). */
export function staffingOf(r: ReportResult, intervalSeconds: number, extra: { maxOccupancy?: number; shrinkage?: number } = {}): StaffingReport {
  const t = r.total;
  const periodAht = t.ahtMs !== null ? t.ahtMs / 1000 : null;
  const rows = r.rows.map((row): StaffingRow => {
    const aht = row.ahtMs !== null ? row.ahtMs / 1000 : periodAht;
    const base = { key: row.key, start: row.start ?? r.from, end: row.end ?? r.to, offered: row.offered, ahtSeconds: aht, serviceLevel: row.serviceLevel };
    if (aht === null || aht <= 0) return { ...base, erlangs: 0, agentsNeeded: row.offered === 0 ? 0 : null, scheduled: row.offered === 0 ? 0 : null, predictedServiceLevel: null };
    const erlangs = trafficIntensity(row.offered, intervalSeconds, aht);
    const need = agentsNeeded({ erlangs, ahtSeconds: aht, serviceLevel: t.targetServiceLevel, targetSeconds: t.serviceLevelSeconds, ...extra });
    return { ...base, erlangs, agentsNeeded: need?.agents ?? null, scheduled: need?.scheduled ?? null, predictedServiceLevel: need ? need.serviceLevel : null };
  });
  return {
    from: r.from,
    to: r.to,
    timeZone: r.timeZone,
    interval: r.intervalSize ?? '',
    targetServiceLevel: t.targetServiceLevel,
    serviceLevelSeconds: t.serviceLevelSeconds,
    formulas: r.formulas,
    model: `Erlang C: A = offered × AHT / ${intervalSeconds} s; agents = the fewest N > A with 1 − C(N, A)·e^(−(N−A)·${t.serviceLevelSeconds}/AHT) ≥ ${t.targetServiceLevel}${extra.maxOccupancy !== undefined ? ` and A/N ≤ ${extra.maxOccupancy}` : ''}${extra.shrinkage !== undefined ? `; scheduled = ⌈N / (1 − ${extra.shrinkage})⌉` : ''} (Poisson arrivals, no abandons)`,
    rows,
  };
}

// ----------------------------------------------------------------------------------------- CSV

// csvField moved to src/reports/export/csv.ts (the exports share it); re-exported for the routes
// that import it from here.
export { csvField };

const csvLine = (xs: unknown[]): string => `${xs.map(csvField).join(',')}\r\n`;
const iso = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toISOString());

function kpiCsv(r: ReportResult): string {
  const head = ['key', 'start', 'end', 'offered', 'answered', 'answeredWithinT', 'abandoned', 'shortAbandoned', 'other', 'serviceLevel', 'asaS', 'ahtS', 'talkS', 'holdS', 'wrapS', 'abandonRate', 'abandonRateExclShort', 'formula'];
  const line = (row: ReportRow) =>
    csvLine([row.key, iso(row.start), iso(row.end), row.offered, row.answered, row.answeredWithinT, row.abandoned, row.shortAbandoned, row.other, row.serviceLevel, row.asaMs === null ? null : row.asaMs / 1000, row.ahtMs === null ? null : row.ahtMs / 1000, row.talkMs / 1000, row.holdMs / 1000, row.wrapMs / 1000, row.abandonRate, row.abandonRateExclShort, row.formula]);
  return csvLine(head) + r.rows.map(line).join('') + line({ ...r.total, key: 'total' });
}

function staffingCsv(s: StaffingReport): string {
  const head = ['interval', 'start', 'end', 'offered', 'ahtS', 'erlangs', 'agentsNeeded', 'scheduled', 'predictedServiceLevel', 'serviceLevel', 'model'];
  return csvLine(head) + s.rows.map((x) => csvLine([x.key, iso(x.start), iso(x.end), x.offered, x.ahtSeconds, x.erlangs, x.agentsNeeded, x.scheduled, x.predictedServiceLevel, x.serviceLevel, s.model])).join('');
}

function sendCsv(reply: FastifyReply, name: string, body: string): FastifyReply {
  // A BOM so that Excel reads UTF-8 (queue names, formulas with ≤ and ×).
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(`\ufeff${body}`);
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function sendXlsx(reply: FastifyReply, name: string, body: Buffer): FastifyReply {
  return reply.header('content-type', XLSX_TYPE).header('content-disposition', `attachment; filename="${name}"`).send(body);
}
