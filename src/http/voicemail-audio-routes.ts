/**
 * Voicemail playback over HTTP (docs/console-ivr-routing.md, docs/api.md "Voicemail"), for the
 * console's IVR page:
 *
 * - `POST /api/v1/voicemail/:id/play-url` (admin, supervisor) → `{url, expiresAt}`: the audio path
 *   signed for this user and message, valid 5 minutes. An `<audio>` element cannot send a bearer
 *   header; this is the recordings' signed play URL (recording/playback/signed-url.ts, same HMAC
 *   and lifetime), signed over `voicemail:<id>` so that a recording's signature never opens a
 *   voicemail nor the other way round.
 * - `GET /api/v1/voicemail/:id/audio` with the bearer header, or `?user&exp&sig` of a play URL:
 *   the WAV, 200 whole, `Range` → 206, 416, conditional GET → 304 (@fastify/send). A tampered or
 *   expired URL is 403 (`details.reason` `BAD_SIGNATURE`, `URL_EXPIRED`); an unknown message 404;
 *   its file gone (or not a `.wav`: the path comes from the switch) 404 `FILE_MISSING`.
 */
import { basename, dirname } from 'node:path';
import send from '@fastify/send';
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import { AppError, forbidden, notFound } from '../core/errors.ts';
import type { PlayUrlSigner } from '../recording/playback/signed-url.ts';
import type { Repositories } from '../storage/repositories/index.ts';
import { authenticate } from './admin/guard.ts';
import { closed, str } from './admin/schemas.ts';

export interface VoicemailAudioRoutesDeps {
  repos: Pick<Repositories, 'voicemails'>;
  auth: AuthService;
  signer: PlayUrlSigner;
  clock: { now(): number };
}

const READERS = ['admin', 'supervisor'];
const idParam = closed({ id: str(1, 15, '^[0-9]+$') }, ['id']);
/** What the signature covers: the kind of resource and its id. */
const resource = (id: number) => `voicemail:${id}`;

export function registerVoicemailAudioRoutes(app: FastifyInstance, d: VoicemailAudioRoutesDeps): void {
  const reader = (req: Parameters<typeof authenticate>[0]) => {
    const user = authenticate(req, d.auth);
    if (!user.roles.some((r) => READERS.includes(r))) throw forbidden('voicemail needs the admin or supervisor role');
    return user.username;
  };
  const load = (raw: string) => {
    const v = d.repos.voicemails.get(Number(raw));
    if (!v) throw notFound(`no voicemail ${raw}`);
    return v;
  };

  app.post<{ Params: { id: string } }>('/api/v1/voicemail/:id/play-url', { schema: { params: idParam } }, async (req) => {
    const user = reader(req);
    const v = load(req.params.id);
    const { query, expiresAt } = d.signer.issue(resource(v.id), user, d.clock.now());
    return { url: `/api/v1/voicemail/${v.id}/audio?${query}`, expiresAt: new Date(expiresAt).toISOString() };
  });

  app.get<{ Params: { id: string }; Querystring: { user?: string; exp?: string; sig?: string } }>(
    '/api/v1/voicemail/:id/audio',
    { schema: { params: idParam, querystring: closed({ user: str(1, 64), exp: str(1, 20), sig: str(1, 100) }) } },
    async (req, reply) => {
      const q = req.query;
      if (!req.headers.authorization && (q.sig !== undefined || q.exp !== undefined || q.user !== undefined)) {
        const verdict = q.user && q.exp && q.sig ? d.signer.check(resource(Number(req.params.id)), q.user, q.exp, q.sig, d.clock.now()) : 'badSignature';
        if (verdict !== 'ok') throw new AppError('FORBIDDEN', verdict === 'expired' ? 'this play URL has expired' : 'this play URL is not valid', { reason: verdict === 'expired' ? 'URL_EXPIRED' : 'BAD_SIGNATURE' });
      } else {
        reader(req);
      }
      const v = load(req.params.id);
      if (!v.path.toLowerCase().endsWith('.wav')) throw new AppError('NOT_FOUND', 'the voicemail file is missing', { reason: 'FILE_MISSING' });
      const r = await send(req.raw, `/${encodeURIComponent(basename(v.path))}`, { root: dirname(v.path), dotfiles: 'allow', index: false, extensions: false, cacheControl: false });
      if (r.type === 'error') {
        r.stream.destroy();
        if (r.statusCode === 404) throw new AppError('NOT_FOUND', 'the voicemail file is missing', { reason: 'FILE_MISSING' });
        if (r.statusCode === 416 || r.statusCode === 412) {
          const cr = r.headers['Content-Range'];
          if (cr) void reply.header('content-range', cr);
          return reply.status(r.statusCode).send({ error: { code: 'BAD_REQUEST', message: r.statusCode === 416 ? 'the requested range is not satisfiable' : 'a precondition failed', details: { reason: r.statusCode === 416 ? 'RANGE_NOT_SATISFIABLE' : 'PRECONDITION_FAILED' } } });
        }
        throw new AppError('INTERNAL', 'the voicemail file cannot be read');
      }
      if (r.type === 'directory') throw new AppError('NOT_FOUND', 'the voicemail file is missing', { reason: 'FILE_MISSING' });
      void reply.status(r.statusCode).headers(r.headers);
      if (r.statusCode < 300) void reply.header('content-type', 'audio/wav');
      // The URL is signed for one user: no shared cache keeps it.
      void reply.header('cache-control', 'private, no-store');
      return reply.send(r.stream);
    },
  );
}
