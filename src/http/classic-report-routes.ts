/**
 * The seven classic reports over HTTP (src/reports/catalogue.ts; docs/reports.md, "The classic
 * reports"): the catalogue, and each report as a table with its labels in zh-CN or en-US, its
 * chart's points and the formulas it used — JSON for the console, CSV for a spreadsheet.
 * Supervisors and admins; the report runs on the report worker like /api/v1/reports/kpi.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import { AppError, badRequest, forbidden, notFound } from '../core/errors.ts';
import { CLASSIC_REPORTS, classicReport, classicView, type ClassicView, type Lang } from '../reports/catalogue.ts';
import { ReportTimeout, type ReportRunner } from '../reports/data/report-runner.ts';
import { INTERVAL_SIZES, type IntervalSize } from '../reports/intervals.ts';
import { SL_FORMULA_IDS, type KpiConfig, type SlFormulaId } from '../reports/kpi.ts';
import { authenticate } from './admin/guard.ts';
import { closed, int, str } from './admin/schemas.ts';
import { parseInstant } from './query-times.ts';
import { csvField } from '../reports/export/csv.ts';
import { classicWorkbook } from '../reports/export/classic-sheet.ts';

const READERS = ['supervisor', 'admin'];
const MAX_PERIOD_MS = 366 * 86_400_000;

export interface ClassicReportRoutesDeps {
  auth: AuthService;
  runner: Pick<ReportRunner, 'run'>;
  timeZone: string;
  queueKpi?(): Record<string, Partial<KpiConfig>>;
}

interface Qs {
  from: string;
  to: string;
  interval?: IntervalSize;
  queue?: string;
  agent?: string;
  lang?: Lang;
  format?: 'json' | 'csv' | 'xlsx';
  slSeconds?: number;
  shortAbandonSeconds?: number;
  formula?: SlFormulaId;
  target?: number;
}

export function registerClassicReportRoutes(app: FastifyInstance, d: ClassicReportRoutesDeps): void {
  const authorize = (req: Parameters<typeof authenticate>[0]): void => {
    const user = authenticate(req, d.auth);
    if (!user.roles.some((r) => READERS.includes(r))) throw forbidden(`reports need the ${READERS.join(' or ')} role`);
  };

  app.get('/api/v1/reports/classic', async (req) => {
    authorize(req);
    return { items: CLASSIC_REPORTS.map((r) => ({ id: r.id, name: { 'zh-CN': r.zh, 'en-US': r.en }, grouping: r.grouping, interval: r.interval ?? null, columns: r.columns, chart: r.chart, export: r.export ?? null })) };
  });

  app.get<{ Params: { id: string }; Querystring: Qs }>(
    '/api/v1/reports/classic/:id',
    {
      schema: {
        params: closed({ id: str(1, 64, '^[a-z-]+$') }, ['id']),
        querystring: closed(
          {
            from: str(1, 40),
            to: str(1, 40),
            interval: { type: 'string', enum: [...INTERVAL_SIZES] },
            queue: str(1, 64),
            agent: str(1, 64, '^[A-Za-z0-9._-]+$'),
            lang: { type: 'string', enum: ['zh-CN', 'en-US'] },
            slSeconds: int(1, 3600),
            shortAbandonSeconds: int(0, 3600),
            formula: { type: 'string', enum: [...SL_FORMULA_IDS] },
            target: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 100 },
            format: { type: 'string', enum: ['json', 'csv', 'xlsx'] },
          },
          ['from', 'to'],
        ),
      },
    },
    async (req, reply) => {
      authorize(req);
      const report = classicReport(req.params.id);
      if (!report) throw notFound(`no classic report ${req.params.id}`);
      const q = req.query;
      // One row per call: the call export has it (streamed), with the same filters.
      // A file per call (there is no JSON of it): CSV unless XLSX was asked for, in `lang`.
      if (report.export) {
        const keep = Object.entries(q).filter(([k]) => ['from', 'to', 'queue', 'agent', 'lang'].includes(k)) as [string, string][];
        keep.push(['format', q.format === 'xlsx' ? 'xlsx' : 'csv']);
        return reply.redirect(`${report.export}?${new URLSearchParams(keep).toString()}`, 307);
      }
      const from = parseInstant('from', q.from);
      const to = parseInstant('to', q.to);
      if (!(to > from)) throw badRequest('to must be after from', { reason: 'BAD_RANGE' });
      if (to - from > MAX_PERIOD_MS) throw badRequest('a report covers at most 366 days', { reason: 'PERIOD_TOO_LONG' });
      const interval = report.grouping === 'interval' ? (q.interval ?? report.interval ?? '60m') : undefined;
      // The report-wide settings, as /api/v1/reports/kpi takes them; queues keep their own.
      const defaults: Partial<KpiConfig> = {};
      if (q.slSeconds !== undefined) defaults.serviceLevelSeconds = q.slSeconds;
      if (q.shortAbandonSeconds !== undefined) defaults.shortAbandonSeconds = q.shortAbandonSeconds;
      if (q.formula !== undefined) defaults.formula = q.formula;
      if (q.target !== undefined) defaults.targetServiceLevel = q.target / 100;
      let result;
      try {
        result = await d.runner.run({ from, to, grouping: report.grouping, ...(interval ? { intervalSize: interval } : {}), timeZone: d.timeZone, queue: q.queue ?? null, agent: q.agent ?? null, kpi: { defaults, byQueue: d.queueKpi?.() ?? {} } });
      } catch (err) {
        if (err instanceof ReportTimeout) throw new AppError('SEARCH_TIMEOUT', `${err.message}; try a shorter period or a narrower filter`);
        throw err;
      }
      const view = classicView(report, result, q.lang ?? 'en-US');
      if (q.format === 'xlsx') {
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${report.id}.xlsx"; filename*=UTF-8''${encodeURIComponent(view.name)}.xlsx`)
          .send(await classicWorkbook(view, q.lang ?? 'en-US'));
      }
      if (q.format !== 'csv') return view;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${report.id}.csv"; filename*=UTF-8''${encodeURIComponent(view.name)}.csv`)
        .send(`\ufeff${classicCsv(view)}`);
    },
  );
}

/** The table, its total, then the formulas it used, one per line. */
export function classicCsv(v: ClassicView): string {
  const line = (xs: unknown[]) => `${xs.map(csvField).join(',')}\r\n`;
  return line(v.columns.map((c) => c.label)) + v.rows.map(line).join('') + line(v.total) + v.formulas.map((f) => line([f])).join('');
}
