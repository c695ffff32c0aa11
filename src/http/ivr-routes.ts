/**
 * IVR over HTTP. For now the read-outs: `POST /api/v1/ivr/say` (admin) `{lang, as, value}` →
 * `{text, prompts}` (../shared/spec/ivr.md, "Read-outs"; src/ivr/readouts). A bad value is
 * `400 BAD_REQUEST` naming the problem.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import { badRequest, forbidden } from '../core/errors.ts';
import { READOUT_KINDS, READOUT_LANGS, readOut, ReadOutError, type ReadOutKind, type ReadOutLang } from '../ivr/readouts/index.ts';
import { authenticate } from './admin/guard.ts';
import { closed } from './admin/schemas.ts';

export interface IvrRoutesDeps {
  auth: AuthService;
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
}
