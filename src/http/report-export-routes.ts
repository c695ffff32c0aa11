/**
 * The call detail export over HTTP (docs/reports.md, "Exports"): `GET /api/v1/reports/calls`, one
 * row per queue call offered in a period, as CSV or XLSX, streamed from a SQLite cursor to the
 * response with back-pressure (src/reports/export/call-export.ts). Supervisors and admins.
 *
 * Each export opens its own read-only connection to the database file: the cursor stays open for
 * the whole download, and better-sqlite3 refuses every other statement on a connection whose
 * iterator is open, so it must not be the daemon's writer. The read sees one snapshot (WAL), the
 * period as it was when the download started.
 */
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import { badRequest, forbidden } from '../core/errors.ts';
import { callDetails } from '../reports/export/call-detail.ts';
import { exportCalls } from '../reports/export/call-export.ts';
import { EXPORT_LANGS, type ExportLang } from '../reports/export/labels.ts';
import { authenticate } from './admin/guard.ts';
import { closed, str } from './admin/schemas.ts';
import { parseInstant } from './query-times.ts';

const READERS = ['supervisor', 'admin'];
const MAX_PERIOD_MS = 366 * 86_400_000;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface ReportExportDeps {
  auth: AuthService;
  /** The daemon's database file, opened read-only per export. */
  file: string;
  timeZone: string;
  /** Rows between two yields to the event loop (call-export.ts). */
  sliceRows?: number;
}

interface CallsQs {
  from: string;
  to: string;
  queue?: string;
  agent?: string;
  format?: 'csv' | 'xlsx';
  lang?: ExportLang;
}

export function registerReportExportRoutes(app: FastifyInstance, d: ReportExportDeps): void {
  app.get<{ Querystring: CallsQs }>(
    '/api/v1/reports/calls',
    {
      schema: {
        querystring: closed(
          { from: str(1, 40), to: str(1, 40), queue: str(1, 64), agent: str(1, 64, '^[A-Za-z0-9._-]+$'), format: { type: 'string', enum: ['csv', 'xlsx'] }, lang: { type: 'string', enum: [...EXPORT_LANGS] } },
          ['from', 'to'],
        ),
      },
    },
    async (req, reply) => {
      const user = authenticate(req, d.auth);
      if (!user.roles.some((r) => READERS.includes(r))) throw forbidden(`reports need the ${READERS.join(' or ')} role`);
      const q = req.query;
      const from = parseInstant('from', q.from);
      const to = parseInstant('to', q.to);
      if (!(to > from)) throw badRequest('to must be after from', { reason: 'BAD_RANGE' });
      if (to - from > MAX_PERIOD_MS) throw badRequest('an export covers at most 366 days', { reason: 'PERIOD_TOO_LONG' });
      const format = q.format ?? 'csv';

      const db = new Database(d.file, { readonly: true, fileMustExist: true });
      const rows = callDetails(db, { from, to, queue: q.queue ?? null, agent: q.agent ?? null });
      const body = new PassThrough({ highWaterMark: 64 * 1024 });
      reply.raw.once('close', () => {
        if (!body.writableFinished) body.destroy();
      });
      void run(req.log, body, () => exportCalls({ rows, format, lang: q.lang ?? 'en-US', timeZone: d.timeZone, out: body, ...(d.sliceRows ? { sliceRows: d.sliceRows } : {}) }), () => db.close());
      const name = `calls-${new Date(from).toISOString().slice(0, 10)}.${format}`;
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(body);
    },
  );
}

/** Runs the export; a failure part-way cuts the download (the status line is already sent). */
async function run(log: FastifyBaseLogger, body: PassThrough, go: () => Promise<{ rows: number; complete: boolean; longestSliceMs: number }>, close: () => void): Promise<void> {
  try {
    const r = await go();
    log.info({ export: r }, 'call export done');
  } catch (err) {
    log.error({ err }, 'call export failed');
    body.destroy(err instanceof Error ? err : new Error(String(err)));
  } finally {
    close();
  }
}
