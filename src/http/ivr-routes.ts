/**
 * IVR over HTTP (../shared/spec/ivr.md):
 * - `POST /api/v1/ivr/say` (admin) `{lang, as, value}` → `{text, prompts}` (src/ivr/readouts); a
 *   bad value is `400 BAD_REQUEST` naming the problem;
 * - `GET /api/v1/ivr/flows` (admin, supervisor): every flow with its version, file, status and
 *   problems;
 * - `POST /api/v1/ivr/flows/reload` (admin): read the flows folder again; a changed file makes a
 *   new version (calls in a flow keep theirs), a broken one is refused and the last good version
 *   keeps serving.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import { badRequest, forbidden } from '../core/errors.ts';
import { READOUT_KINDS, READOUT_LANGS, readOut, ReadOutError, type ReadOutKind, type ReadOutLang } from '../ivr/readouts/index.ts';
import { authenticate } from './admin/guard.ts';
import { closed } from './admin/schemas.ts';
import type { FlowStatus, ReloadSummary } from '../ivr/flow/registry.ts';

export interface IvrRoutesDeps {
  auth: AuthService;
  flows?: { list(): FlowStatus[]; reload(): Promise<ReloadSummary> };
  /** Told after a reload (logs, prompt warm-up). */
  reloaded?: (summary: ReloadSummary) => void;
}

export function registerIvrRoutes(app: FastifyInstance, deps: IvrRoutesDeps): void {
  app.post<{ Body: { lang: ReadOutLang; as: ReadOutKind; value: string } }>(
    '/api/v1/ivr/say',
    {
      schema: {
        // Closed: an unknown field is a 400, not dropped (admin/schemas.ts).
        body: closed({ lang: { type: 'string', enum: [...READOUT_LANGS] }, as: { type: 'string', enum: [...READOUT_KINDS] }, value: { type: 'string', maxLength: 200 } }, ['lang', 'as', 'value']),
      },
    },
    async (req) => {
      const user = authenticate(req, deps.auth);
      if (!user.roles.includes('admin')) throw forbidden('read-outs need the admin role');
      try {
        return readOut(req.body.lang, req.body.as, req.body.value);
      } catch (err) {
        if (err instanceof ReadOutError) throw badRequest(err.message);
        throw err;
      }
    },
  );

  const flows = deps.flows;
  if (!flows) return;
  app.get('/api/v1/ivr/flows', async (req) => {
    const user = authenticate(req, deps.auth);
    if (!user.roles.some((r) => r === 'admin' || r === 'supervisor')) throw forbidden('the flow list needs the admin or supervisor role');
    return { items: flows.list() };
  });
  app.post('/api/v1/ivr/flows/reload', { schema: { body: closed({}, []) } }, async (req) => {
    const user = authenticate(req, deps.auth);
    if (!user.roles.includes('admin')) throw forbidden('reloading flows needs the admin role');
    const summary = await flows.reload();
    deps.reloaded?.(summary);
    return { ...summary, items: flows.list() };
  });
}
