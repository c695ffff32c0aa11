/**
 * Legal hold and the on-demand archive run (docs/recording.md, "Archive, retention, legal hold"):
 *
 * - `PUT /api/v1/recordings/:id/legal-hold {hold: boolean, reason?}` (supervisor, admin): sets or
 *   clears the hold; a held recording is never deleted by retention. Written with its audit row
 *   (`recording.legalHold`, who, hold, reason) in one transaction. 404 for an unknown recording;
 *   409 to hold one whose file retention already deleted.
 * - `POST /api/v1/admin/recordings/archive-run` (admin): runs archive and retention now (joining a
 *   run already going) and answers its report.
 *
 * Authentication and roles are checked before the body (401/403 before 400).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, AuthUser } from '../auth/auth-service.ts';
import { conflict, forbidden, notFound } from '../core/errors.ts';
import type { ArchiveRunReport } from '../recording/archive/archive-service.ts';
import type { AuditRepository } from '../storage/repositories/audit.ts';
import type { RecordingArchiveRepository } from '../storage/repositories/recording-archive.ts';
import type { Role } from '../storage/schema.ts';
import { authenticate } from './admin/guard.ts';
import { closed, str } from './admin/schemas.ts';

export interface RecordingHoldRoutesDeps {
  auth: AuthService;
  repo: RecordingArchiveRepository;
  audit: AuditRepository;
  /** The archive and retention run (joins one already going). */
  runArchive: () => Promise<ArchiveRunReport>;
}

const HOLDERS: Role[] = ['supervisor', 'admin'];

function guard(auth: AuthService, roles: Role[], what: string, users: WeakMap<FastifyRequest, AuthUser>) {
  return async (req: FastifyRequest) => {
    const user = authenticate(req, auth);
    if (!user.roles.some((r) => roles.includes(r))) throw forbidden(`${what} needs the ${roles.join(' or ')} role`);
    users.set(req, user);
  };
}

export function registerRecordingHoldRoutes(app: FastifyInstance, d: RecordingHoldRoutesDeps): void {
  const users = new WeakMap<FastifyRequest, AuthUser>();

  app.put<{ Params: { id: string }; Body: { hold: boolean; reason?: string } }>(
    '/api/v1/recordings/:id/legal-hold',
    {
      onRequest: guard(d.auth, HOLDERS, 'legal hold', users),
      schema: {
        params: closed({ id: str(1, 128) }, ['id']),
        body: closed({ hold: { type: 'boolean' }, reason: str(1, 500) }, ['hold']),
      },
    },
    async (req) => {
      const user = users.get(req)!;
      const { id } = req.params;
      const { hold, reason } = req.body;
      const row = d.repo.transaction(() => {
        const before = d.repo.pathOf(id);
        if (!before) throw notFound(`no recording ${id}`);
        if (hold && before.status === 'deleted') throw conflict(`recording ${id} was deleted by retention; there is nothing to hold`);
        const r = d.repo.setLegalHold(id, hold)!;
        d.audit.append({ actor: user.username, action: 'recording.legalHold', target: id, details: { hold, reason: reason ?? null } });
        return r;
      });
      req.log.info({ recordingId: id, hold, by: user.username }, 'recording legal hold changed');
      return { id: row.id, legalHold: row.legalHold };
    },
  );

  app.post(
    '/api/v1/admin/recordings/archive-run',
    { onRequest: guard(d.auth, ['admin'], 'the archive run', users) },
    async () => {
      const r = await d.runArchive();
      return { ...r, startedAt: new Date(r.startedAt).toISOString() };
    },
  );
}
