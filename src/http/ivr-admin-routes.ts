/**
 * IVR administration and figures over HTTP (docs/admin-api.md "Business hours", docs/api.md "IVR
 * statistics"):
 *
 * - `GET /api/v1/ivr/schedules`, `GET /api/v1/ivr/schedules/:id` (admin, supervisor): business-hours
 *   schedules with their version and whether each is open now;
 * - `PUT /api/v1/ivr/schedules/:id` (admin): creates or replaces one (closed JSON schema, then the
 *   validator: 400 `BAD_REQUEST` with `details.reason: 'INVALID_SCHEDULE'` and the problems), audited,
 *   version + 1, and the engine's ScheduleBook updated at once; `If-Match: <version>` makes it
 *   conditional (409 `CONFLICT` when the version moved on);
 * - `GET /api/v1/ivr/stats?flow&from&to&interval` (admin, supervisor): statistics per flow, node and
 *   interval from the stored events (an index range read on (flow, at), streamed into the pure
 *   aggregation).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, AuthUser } from '../auth/auth-service.ts';
import { badRequest, conflict, forbidden, notFound } from '../core/errors.ts';
import { WEEKDAYS, isOpen, validateSchedule, type ScheduleBook, type ScheduleEntry } from '../ivr/business-hours/index.ts';
import { INTERVAL_MS, IvrStatsAccumulator, STATS_INTERVALS, type Figures, type IvrStatsReport, type StatsInterval } from '../ivr/statistics/aggregate.ts';
import type { Clock } from '../services/ports.ts';
import type { Repositories } from '../storage/repositories/index.ts';
import { authenticate } from './admin/guard.ts';
import { closed, str } from './admin/schemas.ts';
import { parseInstant } from './query-times.ts';

export interface IvrAdminRoutesDeps {
  repos: Repositories;
  auth: AuthService;
  schedules: ScheduleBook;
  clock: Clock;
}

const READERS = ['admin', 'supervisor'];

/** The longest range a stats request may cover, per interval. */
export const STATS_MAX_RANGE_MS: Record<StatsInterval, number> = { '15m': 31 * 86_400_000, '1h': 93 * 86_400_000, '1d': 400 * 86_400_000 };

const scheduleId = str(1, 64, '^[a-z0-9][a-z0-9_-]*$');
const range = { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string', maxLength: 5 } };
const ranges = { type: 'array', maxItems: 12, items: range };
const scheduleBody = closed(
  {
    timeZone: str(1, 64),
    weekly: closed(Object.fromEntries(WEEKDAYS.map((d) => [d, ranges]))),
    holidays: { type: 'array', maxItems: 1000, items: closed({ date: str(10, 10), name: str(1, 128), open: ranges }, ['date', 'name']) },
    alwaysOpen: { type: 'boolean' },
  },
  ['timeZone', 'weekly'],
);

function reader(req: FastifyRequest, auth: AuthService, what: string): AuthUser {
  const user = authenticate(req, auth);
  if (!user.roles.some((r) => READERS.includes(r))) throw forbidden(`${what} needs the admin or supervisor role`);
  return user;
}

export function registerIvrAdminRoutes(app: FastifyInstance, d: IvrAdminRoutesDeps): void {
  const view = (e: ScheduleEntry) => {
    const now = isOpen(e.schedule, d.clock.now());
    return {
      id: e.id,
      version: e.version,
      updatedAt: new Date(e.updatedAt).toISOString(),
      updatedBy: e.updatedBy,
      schedule: e.schedule,
      now: { open: now.open, reason: now.reason, ...(now.holiday ? { holiday: now.holiday } : {}), nextChangeAt: now.nextChangeAt === undefined ? null : new Date(now.nextChangeAt).toISOString() },
    };
  };

  app.get('/api/v1/ivr/schedules', async (req) => {
    reader(req, d.auth, 'business hours');
    return { schedules: d.repos.ivrSchedules.list().map(view) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/ivr/schedules/:id', { schema: { params: closed({ id: scheduleId }, ['id']) } }, async (req) => {
    reader(req, d.auth, 'business hours');
    const e = d.repos.ivrSchedules.get(req.params.id);
    if (!e) throw notFound(`no schedule ${req.params.id}`);
    return view(e);
  });

  app.put<{ Params: { id: string }; Body: unknown }>(
    '/api/v1/ivr/schedules/:id',
    {
      // Authenticated before the body is looked at: an anonymous client learns nothing of it.
      onRequest: async (req) => {
        const user = authenticate(req, d.auth);
        if (!user.roles.includes('admin')) throw forbidden('changing business hours needs the admin role');
      },
      schema: { params: closed({ id: scheduleId }, ['id']), body: scheduleBody },
    },
    async (req) => {
      const actor = authenticate(req, d.auth).username;
      const v = validateSchedule(req.body);
      if (!v.ok) throw badRequest(`invalid schedule: ${v.problems.join('; ')}`, { reason: 'INVALID_SCHEDULE', problems: v.problems });
      const ifMatch = req.headers['if-match'];
      const expected = typeof ifMatch === 'string' ? Number(ifMatch.replace(/^W\//, '').replace(/"/g, '')) : null;
      if (expected !== null && !Number.isInteger(expected)) throw badRequest('If-Match: a schedule version (integer)', { reason: 'BAD_IF_MATCH' });
      const id = req.params.id;
      const entry = d.repos.transaction(() => {
        const before = d.repos.ivrSchedules.get(id);
        if (expected !== null && (before?.version ?? 0) !== expected) throw conflict(`schedule ${id} is at version ${before?.version ?? 0}, not ${expected}`);
        const e = d.repos.ivrSchedules.put(id, v.schedule, actor);
        d.repos.audit.append({ actor, action: before ? 'ivrSchedule.update' : 'ivrSchedule.create', target: id, details: { version: e.version, schedule: v.schedule } });
        return e;
      });
      // The engine sees it from its next question on.
      d.schedules.set(entry);
      return view(entry);
    },
  );

  app.get<{ Querystring: { flow?: string; from?: string; to?: string; interval?: StatsInterval } }>(
    '/api/v1/ivr/stats',
    {
      schema: {
        querystring: closed({ flow: str(1, 64, '^[A-Za-z0-9][A-Za-z0-9_.-]*$'), from: str(1, 40), to: str(1, 40), interval: { type: 'string', enum: [...STATS_INTERVALS] } }),
      },
    },
    async (req) => {
      reader(req, d.auth, 'IVR statistics');
      const q = req.query;
      const interval = q.interval ?? '1h';
      const to = q.to !== undefined ? parseInstant('to', q.to) : d.clock.now();
      const from = q.from !== undefined ? parseInstant('from', q.from) : to - 86_400_000;
      if (!(from < to)) throw badRequest('from must be before to', { reason: 'BAD_RANGE' });
      if (to - from > STATS_MAX_RANGE_MS[interval]) {
        throw badRequest(`a ${interval} report covers at most ${STATS_MAX_RANGE_MS[interval] / 86_400_000} days`, { reason: 'RANGE_TOO_LONG', maxDays: STATS_MAX_RANGE_MS[interval] / 86_400_000 });
      }
      const acc = new IvrStatsAccumulator(from, to, interval);
      for (const e of d.repos.ivrEvents.range(q.flow ?? null, from, to)) acc.add(e);
      return statsView(acc.report());
    },
  );
}

/** Times as ISO-8601 for the API. */
function statsView(r: IvrStatsReport) {
  return {
    from: new Date(r.from).toISOString(),
    to: new Date(r.to).toISOString(),
    interval: r.interval,
    intervalMs: INTERVAL_MS[r.interval],
    flows: r.flows.map((f) => ({ flow: f.flow, versions: f.versions, totals: f.totals satisfies Figures, intervals: f.intervals.map(({ start, ...rest }) => ({ start: new Date(start).toISOString(), ...rest })) })),
  };
}
