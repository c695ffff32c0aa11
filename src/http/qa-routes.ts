/**
 * QA over HTTP (docs/recording.md, "Quality (QA)"): scoring forms and plans (admin), supervisor
 * flags on recordings, sampling into the QA queue, claiming, scoring (final once submitted; a
 * correction is a new row), and reports per agent and per grader. Closed schemas, the API's stable
 * error codes (`details.reason` says which rule a 400 or 409 broke), and an audit row for every
 * change, in the same transaction.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, AuthUser } from '../auth/auth-service.ts';
import { AppError, badRequest, forbidden, notFound } from '../core/errors.ts';
import type { AuditRepository } from '../storage/repositories/audit.ts';
import type { QaForm, QaPlan, QaQueueEntry, QaRepository, QaScore } from '../storage/repositories/qa.ts';
import type { Role } from '../storage/schema.ts';
import { isoWeekOf, isoWeekRange } from '../recording/qa/iso-week.ts';
import { agentReports, graderReports } from '../recording/qa/reports.ts';
import { runSampling } from '../recording/qa/run.ts';
import { fromCenti, validateForm, validateScore } from '../recording/qa/scorer.ts';
import { authenticate } from './admin/guard.ts';
import { closed, int, label, str, username } from './admin/schemas.ts';
import { parseInstant } from './query-times.ts';

export interface QaRoutesDeps {
  qa: QaRepository;
  audit: AuditRepository;
  auth: AuthService;
}

const itemId = str(1, 64, '^[A-Za-z0-9._-]+$');
const formBody = closed(
  { name: label, items: { type: 'array', minItems: 1, maxItems: 100, items: closed({ id: itemId, label, weight: int(1, 100) }, ['id', 'label', 'weight']) } },
  ['name', 'items'],
);
const queueIdStr = str(1, 64, '^[a-z0-9][a-z0-9_-]*$');
const planFields = {
  name: label,
  formId: int(1, Number.MAX_SAFE_INTEGER),
  perAgentPerWeek: int(1, 100),
  minDurationS: int(0, 86_400),
  queues: { type: 'array', items: queueIdStr, maxItems: 200, uniqueItems: true },
  enabled: { type: 'boolean' },
};
const idParam = closed({ id: int(1, Number.MAX_SAFE_INTEGER) }, ['id']);
const recParam = closed({ id: str(1, 128) }, ['id']);
const week = str(8, 8, '^\\d{4}-W\\d{2}$');
const time = str(1, 40);
const scoreBody = closed(
  {
    recordingId: str(1, 128),
    queueId: int(1, Number.MAX_SAFE_INTEGER),
    formId: int(1, Number.MAX_SAFE_INTEGER),
    agent: username,
    corrects: int(1, Number.MAX_SAFE_INTEGER),
    items: { type: 'array', maxItems: 100, items: closed({ itemId, score: int(0, 100) }, ['itemId', 'score']) },
    comments: { type: 'array', maxItems: 500, items: closed({ atMs: int(0, Number.MAX_SAFE_INTEGER), text: str(1, 4000) }, ['atMs', 'text']) },
  },
  ['recordingId', 'items'],
);

type FormBody = { name: string; items: { id: string; label: string; weight: number }[] };
type PlanBody = { name: string; formId: number; perAgentPerWeek: number; minDurationS?: number; queues?: string[]; enabled?: boolean };
type ScoreBody = {
  recordingId: string;
  queueId?: number;
  formId?: number;
  agent?: string;
  corrects?: number;
  items: { itemId: string; score: number }[];
  comments?: { atMs: number; text: string }[];
};

export const formView = (f: QaForm) => f;
export const planView = (p: QaPlan) => p;
/** A queue entry with the form its plan scores it on (`formId`), so a grader is shown the right one. */
export const queueView = (q: QaQueueEntry, formOf: (planId: number) => number | null) => ({ ...q, formId: formOf(q.planId) });
export const scoreView = (s: QaScore, superseded?: boolean) => ({ ...s, total: fromCenti(s.total), ...(superseded === undefined ? {} : { superseded }) });

const encodeCursor = (id: number): string => Buffer.from(`q:${id}`).toString('base64url');
function decodeCursor(raw: string): number {
  const m = /^q:(\d{1,15})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) throw badRequest('cursor: not a cursor this API gave out', { reason: 'BAD_CURSOR' });
  return Number(m[1]);
}

export function registerQaRoutes(app: FastifyInstance, d: QaRoutesDeps): void {
  const { qa } = d;
  const formOf = (planId: number): number | null => qa.getPlan(planId)?.formId ?? null;
  const who = (req: FastifyRequest, roles: Role[], what: string): AuthUser => {
    const user = authenticate(req, d.auth);
    if (!user.roles.some((r) => roles.includes(r))) throw forbidden(`${what} needs the ${roles.join(', ')} role`);
    return user;
  };
  /** The change and its audit row in one transaction. */
  const audited = <T>(actor: string, action: string, change: () => { result: T; target: string; details?: unknown }): T =>
    qa.transaction(() => {
      const out = change();
      d.audit.append({ actor, action, target: out.target, details: out.details ?? null });
      return out.result;
    });
  const planOr404 = (id: number): QaPlan => qa.getPlan(id) ?? notFoundOf(`no QA plan ${id}`);
  const formOr404 = (id: number): QaForm => qa.getForm(id) ?? notFoundOf(`no QA form ${id}`);
  const formOr400 = (id: number): QaForm => {
    const f = qa.getForm(id);
    if (!f) throw badRequest(`formId: no QA form ${id}`, { reason: 'UNKNOWN_FORM', formId: id });
    return f;
  };

  // ---------------------------------------------------------------------------------- forms
  app.get('/api/v1/qa/forms', async (req) => {
    who(req, ['qa', 'admin'], 'QA forms');
    return { items: qa.listForms().map(formView) };
  });
  app.get<{ Params: { id: number } }>('/api/v1/qa/forms/:id', { schema: { params: idParam } }, async (req) => {
    who(req, ['qa', 'admin'], 'QA forms');
    return formView(formOr404(req.params.id));
  });
  app.post<{ Body: FormBody }>('/api/v1/qa/forms', { schema: { body: formBody } }, async (req, reply) => {
    const user = who(req, ['admin'], 'changing QA forms');
    validateForm(req.body.items);
    const f = audited(user.username, 'qaForm.create', () => {
      const f = qa.createForm(req.body, user.username);
      return { result: f, target: String(f.id), details: req.body };
    });
    return reply.status(201).send(formView(f));
  });
  app.put<{ Params: { id: number }; Body: FormBody }>('/api/v1/qa/forms/:id', { schema: { params: idParam, body: formBody } }, async (req) => {
    const user = who(req, ['admin'], 'changing QA forms');
    validateForm(req.body.items);
    return formView(
      audited(user.username, 'qaForm.update', () => {
        const f = qa.updateForm(req.params.id, req.body, user.username) ?? notFoundOf(`no QA form ${req.params.id}`);
        return { result: f, target: String(f.id), details: { ...req.body, version: f.version } };
      }),
    );
  });

  // ---------------------------------------------------------------------------------- plans
  app.get('/api/v1/qa/plans', async (req) => {
    who(req, ['admin'], 'QA plans');
    return { items: qa.listPlans().map(planView) };
  });
  app.get<{ Params: { id: number } }>('/api/v1/qa/plans/:id', { schema: { params: idParam } }, async (req) => {
    who(req, ['admin'], 'QA plans');
    return planView(planOr404(req.params.id));
  });
  app.post<{ Body: PlanBody }>('/api/v1/qa/plans', { schema: { body: closed(planFields, ['name', 'formId', 'perAgentPerWeek']) } }, async (req, reply) => {
    const user = who(req, ['admin'], 'QA plans');
    formOr400(req.body.formId);
    const p = audited(user.username, 'qaPlan.create', () => {
      const p = qa.createPlan(req.body, user.username);
      return { result: p, target: String(p.id), details: req.body };
    });
    return reply.status(201).send(planView(p));
  });
  app.put<{ Params: { id: number }; Body: Partial<PlanBody> }>('/api/v1/qa/plans/:id', { schema: { params: idParam, body: closed(planFields, [], { minProperties: 1 }) } }, async (req) => {
    const user = who(req, ['admin'], 'QA plans');
    if (req.body.formId !== undefined) formOr400(req.body.formId);
    return planView(
      audited(user.username, 'qaPlan.update', () => {
        const p = qa.updatePlan(req.params.id, req.body, user.username) ?? notFoundOf(`no QA plan ${req.params.id}`);
        return { result: p, target: String(p.id), details: req.body };
      }),
    );
  });
  app.post<{ Params: { id: number }; Body: { week?: string; seed?: number } | undefined }>(
    '/api/v1/qa/plans/:id/sample',
    { schema: { params: idParam, body: closed({ week, seed: int(0, 2 ** 31 - 1) }) } },
    async (req) => {
      const user = who(req, ['admin'], 'QA sampling');
      const plan = planOr404(req.params.id);
      const w = req.body?.week ?? isoWeekOf(qa.now());
      if (!isoWeekRange(w)) throw badRequest(`week: ${w} is not an ISO week`, { reason: 'BAD_WEEK' });
      if (!plan.enabled) throw new AppError('INVALID_STATE', `QA plan ${plan.id} is disabled`, { reason: 'PLAN_DISABLED' });
      const r = audited(user.username, 'qaPlan.sample', () => {
        const r = runSampling(qa, plan, w, req.body?.seed);
        return { result: r, target: String(plan.id), details: { week: w, seed: r.seed, added: r.added.length } };
      });
      return { planId: plan.id, week: w, seed: r.seed, added: r.added.map((e) => queueView(e, formOf)) };
    },
  );

  // ---------------------------------------------------------------------------------- flags
  app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
    '/api/v1/recordings/:id/flag',
    { schema: { params: recParam, body: closed({ reason: str(0, 1000) }) } },
    async (req, reply) => {
      const user = who(req, ['supervisor', 'admin'], 'flagging recordings');
      if (!qa.recordingExists(req.params.id)) throw notFound(`no recording ${req.params.id}`);
      const f = audited(user.username, 'recording.flag', () => ({ result: qa.flag(req.params.id, user.username, req.body?.reason ?? null), target: req.params.id, details: req.body ?? {} }));
      return reply.status(201).send(f);
    },
  );
  app.delete<{ Params: { id: string } }>('/api/v1/recordings/:id/flag', { schema: { params: recParam } }, async (req, reply) => {
    const user = who(req, ['supervisor', 'admin'], 'flagging recordings');
    if (!qa.recordingExists(req.params.id)) throw notFound(`no recording ${req.params.id}`);
    audited(user.username, 'recording.unflag', () => ({ result: qa.unflag(req.params.id), target: req.params.id }));
    return reply.status(204).send();
  });

  // ---------------------------------------------------------------------------------- queue
  app.get<{ Querystring: { status?: string; agent?: string; assignedTo?: string; limit?: number; cursor?: string } }>(
    '/api/v1/qa/queue',
    { schema: { querystring: closed({ status: { type: 'string', enum: ['open', 'scored'] }, agent: username, assignedTo: username, limit: int(1, 500), cursor: str(1, 64, '^[A-Za-z0-9_-]+$') }) } },
    async (req) => {
      who(req, ['qa', 'supervisor', 'admin'], 'the QA queue');
      const q = req.query;
      const page = qa.listQueue({
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.agent !== undefined ? { agent: q.agent } : {}),
        ...(q.assignedTo !== undefined ? { assignedTo: q.assignedTo } : {}),
        limit: q.limit ?? 50,
        ...(q.cursor !== undefined ? { after: decodeCursor(q.cursor) } : {}),
      });
      const last = page.items[page.items.length - 1];
      return { items: page.items.map((e) => queueView(e, formOf)), nextCursor: page.more && last ? encodeCursor(last.id) : null };
    },
  );
  app.post<{ Params: { id: number } }>('/api/v1/qa/queue/:id/claim', { schema: { params: idParam } }, async (req) => {
    const user = who(req, ['qa'], 'claiming QA work');
    return audited(user.username, 'qaQueue.claim', () => {
      const e = qa.getQueueEntry(req.params.id) ?? notFoundOf(`no QA queue entry ${req.params.id}`);
      if (e.assignedTo !== null && e.assignedTo !== user.username) throw new AppError('CONFLICT', `QA queue entry ${e.id} is claimed by ${e.assignedTo}`, { reason: 'CLAIMED', assignedTo: e.assignedTo });
      if (e.status !== 'open') throw new AppError('CONFLICT', `QA queue entry ${e.id} is already scored`, { reason: 'ALREADY_SCORED' });
      return { result: queueView(qa.assign(e.id, user.username)!, formOf), target: String(e.id) };
    });
  });

  // --------------------------------------------------------------------------------- scores
  app.post<{ Body: ScoreBody }>('/api/v1/qa/scores', { schema: { body: scoreBody } }, async (req, reply) => {
    const user = who(req, ['qa', 'admin'], 'scoring');
    const b = req.body;
    const s = audited(user.username, b.corrects !== undefined ? 'qaScore.correct' : 'qaScore.submit', () => {
      const rec = qa.recording(b.recordingId) ?? badRequestOf(`recordingId: no recording ${b.recordingId}`, 'UNKNOWN_RECORDING');
      if (rec.durationMs === null) throw new AppError('INVALID_STATE', `recording ${rec.id} is not closed`, { reason: 'RECORDING_OPEN' });
      let form: QaForm;
      let agent: string;
      let queueId: number | null = null;
      if (b.corrects !== undefined) {
        const prev = qa.getScore(b.corrects) ?? badRequestOf(`corrects: no score ${b.corrects}`, 'UNKNOWN_SCORE');
        if (prev.grader !== user.username && !user.roles.includes('admin')) throw forbidden('only the grader who wrote a score, or an admin, may correct it');
        if (prev.recordingId !== b.recordingId) throw badRequest(`corrects: score ${prev.id} is of another recording`, { reason: 'OTHER_RECORDING' });
        const later = qa.correctionOf(prev.id);
        if (later) throw new AppError('CONFLICT', `score ${prev.id} is already corrected by ${later.id}; correct that one`, { reason: 'ALREADY_CORRECTED', correctedBy: later.id });
        form = formOr400(prev.formId);
        agent = prev.agent;
        queueId = prev.queueId;
      } else if (b.queueId !== undefined) {
        const e = qa.getQueueEntry(b.queueId) ?? badRequestOf(`queueId: no QA queue entry ${b.queueId}`, 'UNKNOWN_QUEUE_ENTRY');
        if (e.recordingId !== b.recordingId) throw badRequest(`queueId: entry ${e.id} is of another recording`, { reason: 'OTHER_RECORDING' });
        if (e.status === 'scored') throw new AppError('CONFLICT', `QA queue entry ${e.id} is already scored; send a correction`, { reason: 'ALREADY_SCORED' });
        if (e.assignedTo !== null && e.assignedTo !== user.username) throw new AppError('CONFLICT', `QA queue entry ${e.id} is claimed by ${e.assignedTo}`, { reason: 'CLAIMED', assignedTo: e.assignedTo });
        form = formOr400(planOr404(e.planId).formId);
        agent = e.agent;
        queueId = e.id;
      } else {
        if (b.formId === undefined) throw badRequest('formId: needed when no queueId is given', { reason: 'FORM_REQUIRED' });
        form = formOr400(b.formId);
        const agents = qa.recordingAgents(b.recordingId);
        if (b.agent !== undefined && !agents.includes(b.agent)) throw badRequest(`agent: ${b.agent} did not talk in recording ${b.recordingId}`, { reason: 'NOT_AN_AGENT_OF_RECORDING' });
        if (b.agent === undefined && agents.length !== 1) throw badRequest(`agent: recording ${b.recordingId} has ${agents.length} agents; name one`, { reason: 'AGENT_REQUIRED' });
        agent = b.agent ?? agents[0]!;
      }
      const comments = b.comments ?? [];
      const total = validateScore(form.items, b.items, comments, rec.durationMs);
      const row = qa.insertScore({ recordingId: b.recordingId, queueId, agent, grader: user.username, formId: form.id, formVersion: form.version, items: b.items, total, comments, corrects: b.corrects ?? null });
      if (queueId !== null) qa.markScored(queueId);
      return { result: row, target: String(row.id), details: { recordingId: row.recordingId, corrects: row.corrects, total: fromCenti(total) } };
    });
    return reply.status(201).send(scoreView(s));
  });
  app.get<{ Querystring: { agent?: string; grader?: string; from?: string; to?: string } }>(
    '/api/v1/qa/scores',
    { schema: { querystring: closed({ agent: username, grader: username, from: time, to: time }) } },
    async (req) => {
      who(req, ['qa', 'supervisor', 'admin'], 'QA scores');
      const q = req.query;
      const corrected = qa.correctedIds();
      const rows = qa.listScores({
        ...(q.agent !== undefined ? { agent: q.agent } : {}),
        ...(q.grader !== undefined ? { grader: q.grader } : {}),
        ...(q.from !== undefined ? { from: parseInstant('from', q.from) } : {}),
        ...(q.to !== undefined ? { to: parseInstant('to', q.to) } : {}),
      });
      return { items: rows.map((r) => scoreView(r, corrected.has(r.id))) };
    },
  );

  // -------------------------------------------------------------------------------- reports
  const reportQuery = { schema: { querystring: closed({ from: time, to: time }) } };
  const window = (q: { from?: string; to?: string }) => [q.from !== undefined ? parseInstant('from', q.from) : undefined, q.to !== undefined ? parseInstant('to', q.to) : undefined] as const;
  app.get<{ Querystring: { from?: string; to?: string } }>('/api/v1/qa/reports/agents', reportQuery, async (req) => {
    who(req, ['qa', 'supervisor', 'admin'], 'QA reports');
    const [from, to] = window(req.query);
    return { items: agentReports(qa.reportRows(from, to), qa.correctedIds()) };
  });
  app.get<{ Querystring: { from?: string; to?: string } }>('/api/v1/qa/reports/graders', reportQuery, async (req) => {
    who(req, ['qa', 'supervisor', 'admin'], 'QA reports');
    const [from, to] = window(req.query);
    return { items: graderReports(qa.reportRows(from, to), qa.correctedIds()) };
  });
}

function notFoundOf(msg: string): never {
  throw notFound(msg);
}

function badRequestOf(msg: string, reason: string): never {
  throw badRequest(msg, { reason });
}
