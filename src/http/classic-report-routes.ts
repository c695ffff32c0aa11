/**
 * The seven classic reports over HTTP (src/reports/catalogue.ts; docs/reports.md, "The classic
 * reports"): the catalogue, and each report as a table with its labels in zh-CN or en-US, its
 * chart's points and the formulas it used — JSON for the console, CSV or XLSX for a spreadsheet.
 * Supervisors and admins; the report runs on the report worker like /api/v1/reports/kpi.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import { notFound } from '../core/errors.ts';
import { CLASSIC_REPORTS, classicReport, classicView, type ClassicView } from '../reports/catalogue.ts';
import type { ReportRunner } from '../reports/data/report-runner.ts';
import { INTERVAL_SIZES } from '../reports/intervals.ts';
import type { KpiConfig } from '../reports/kpi.ts';
import { csvField } from '../reports/export/csv.ts';
import { classicWorkbook } from '../reports/export/classic-sheet.ts';
import { closed, str } from './admin/schemas.ts';
import { authorizeReports, REPORT_QUERY_PROPS, reportRunnerFor, type KpiQs } from './report-routes.ts';

export interface ClassicReportRoutesDeps {
  auth: AuthService;
  runner: Pick<ReportRunner, 'run'>;
  timeZone: string;
  queueKpi?(): Record<string, Partial<KpiConfig>>;
}

type Qs = Omit<KpiQs, 'groupBy'>;

export function registerClassicReportRoutes(app: FastifyInstance, d: ClassicReportRoutesDeps): void {
  const authorize = (req: Parameters<typeof authorizeReports>[0]): void => authorizeReports(req, d.auth);
  const run = reportRunnerFor(d);

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
            ...REPORT_QUERY_PROPS,
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
      const report = classicReport(req.params.id);
      if (!report) throw notFound(`no classic report ${req.params.id}`);
      const q = req.query;
      // A file per call (there is no JSON of it): CSV unless XLSX was asked for, in `lang`.
      if (report.export) {
        const keep = Object.entries(q).filter(([k]) => ['from', 'to', 'queue', 'agent', 'lang'].includes(k)) as [string, string][];
        keep.push(['format', q.format === 'xlsx' ? 'xlsx' : 'csv']);
        return reply.redirect(`${report.export}?${new URLSearchParams(keep).toString()}`, 307);
      }
      const interval = report.grouping === 'interval' ? (q.interval ?? report.interval ?? '60m') : undefined;
      const result = await run(q, report.grouping, interval);
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
