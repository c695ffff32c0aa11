/**
 * `GET /api/v1/voicemail?mailbox&from&to&limit&cursor` (supervisor, admin): voicemail messages,
 * newest first, keyset-paged: `nextCursor` (opaque) fetches the next, older page; null when there
 * is none. `from`/`to` bound `recordedAt` (ISO-8601 or epoch ms, both included).
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import { badRequest, forbidden } from '../core/errors.ts';
import { voicemailView } from '../services/voicemail-service.ts';
import type { Repositories } from '../storage/repositories/index.ts';
import { authenticate } from './admin/guard.ts';
import { closed, int, str } from './admin/schemas.ts';
import { parseInstant } from './query-times.ts';

export interface VoicemailRoutesDeps {
  repos: Repositories;
  auth: AuthService;
}

const READERS = ['admin', 'supervisor'];

export const encodeCursor = (recordedAt: number, id: number): string => Buffer.from(`${recordedAt}:${id}`).toString('base64url');

function decodeCursor(raw: string): { recordedAt: number; id: number } {
  const m = /^(\d{1,15}):(\d{1,15})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) throw badRequest('cursor: not a cursor this API gave out', { reason: 'BAD_CURSOR' });
  return { recordedAt: Number(m[1]), id: Number(m[2]) };
}

export function registerVoicemailRoutes(app: FastifyInstance, d: VoicemailRoutesDeps): void {
  app.get<{ Querystring: { mailbox?: string; from?: string; to?: string; limit?: number; cursor?: string } }>(
    '/api/v1/voicemail',
    { schema: { querystring: closed({ mailbox: str(1, 32, '^[0-9*#+]+$'), from: str(1, 40), to: str(1, 40), limit: int(1, 500), cursor: str(1, 64, '^[A-Za-z0-9_-]+$') }) } },
    async (req) => {
      const user = authenticate(req, d.auth);
      if (!user.roles.some((r) => READERS.includes(r))) throw forbidden('voicemail needs the admin or supervisor role');
      const q = req.query;
      const from = q.from !== undefined ? parseInstant('from', q.from) : undefined;
      const to = q.to !== undefined ? parseInstant('to', q.to) : undefined;
      const page = d.repos.voicemails.list({
        ...(q.mailbox !== undefined ? { mailbox: q.mailbox } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        limit: q.limit ?? 50,
        ...(q.cursor !== undefined ? { after: decodeCursor(q.cursor) } : {}),
      });
      const last = page.items[page.items.length - 1];
      return { items: page.items.map(voicemailView), nextCursor: page.more && last ? encodeCursor(last.recordedAt, last.id) : null };
    },
  );
}
