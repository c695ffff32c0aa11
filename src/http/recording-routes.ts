/**
 * Recordings over HTTP (shared/spec/recordings.md; docs/recording.md): search, metadata, playback
 * (Range and conditional GET through @fastify/send), signed play URLs, waveform peaks and the
 * access ledger. Roles qa, supervisor, admin (the ledger list: supervisor, admin); anyone else is
 * refused 403 FORBIDDEN and the refusal is a ledger row (`denied`). Every metadata read of one
 * recording (`view`), every playback (`play`, with the byte range served) and download is a row.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import send from '@fastify/send';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/auth-service.ts';
import { AppError, badRequest, forbidden, notFound } from '../core/errors.ts';
import type { Sqlite } from '../storage/database.ts';
import { AccessLedgerRepository } from '../storage/repositories/access-ledger.ts';
import { RecordingsReadRepository, type RecordingWithPath } from '../storage/repositories/recordings-read.ts';
import { buildSearch, decodeCursor, DEFAULT_LIMIT, encodeCursor, type RecordingFilters } from '../recording/search/query.ts';
import { SearchTimeout, SearchWorker } from '../recording/search/worker.ts';
import { PlayUrlSigner } from '../recording/playback/signed-url.ts';
import { PeaksCache, WavFormatError } from '../recording/playback/peaks.ts';
import { authenticate } from './admin/guard.ts';
import { closed, int, str } from './admin/schemas.ts';
import { parseInstant } from './query-times.ts';

const READERS = ['qa', 'supervisor', 'admin'];
const LEDGER_READERS = ['supervisor', 'admin'];

export interface RecordingRoutesDeps {
  auth: AuthService;
  recordings: RecordingsReadRepository;
  ledger: AccessLedgerRepository;
  search: SearchWorker;
  signer: PlayUrlSigner;
  peaks: PeaksCache;
  clock: { now(): number };
  log: Logger;
}

const idParam = closed({ id: str(1, 128) }, ['id']);

interface SearchQs {
  agent?: string;
  number?: string;
  from?: string;
  to?: string;
  customer?: number;
  queue?: string;
  minDurationS?: number;
  maxDurationS?: number;
  tag?: string;
  callId?: string;
  limit?: number;
  cursor?: string;
}

export function registerRecordingRoutes(app: FastifyInstance, d: RecordingRoutesDeps): void {
  /** The user if they hold one of `roles`; otherwise a `denied` ledger row and 403. */
  const authorize = (req: FastifyRequest, recordingId: string | null, roles = READERS): string => {
    const user = authenticate(req, d.auth);
    if (!user.roles.some((r) => roles.includes(r))) {
      d.ledger.append({ user: user.username, recordingId, action: 'denied', via: 'http', detail: `${req.method} ${req.routeOptions.url ?? req.url}: needs ${roles.join(' or ')}` });
      throw forbidden(`recordings need the ${roles.join(', ')} role`);
    }
    return user.username;
  };
  const load = (id: string): RecordingWithPath => {
    const r = d.recordings.get(id);
    if (!r) throw notFound(`no recording ${id}`);
    return r;
  };
  /** The file of a recording; 404 FILE_MISSING (and an error in the log) when it is not there. */
  const fileOf = (r: RecordingWithPath): string => {
    if (!r.path || !existsSync(r.path)) {
      d.log.error({ recordingId: r.recording.id, path: r.path, tier: r.recording.tier }, 'recording file missing');
      throw new AppError('NOT_FOUND', `the file of recording ${r.recording.id} is missing`, { reason: 'FILE_MISSING' });
    }
    return r.path;
  };

  app.get<{ Querystring: SearchQs }>(
    '/api/v1/recordings',
    {
      schema: {
        querystring: closed({
          agent: str(1, 64, '^[A-Za-z0-9._-]+$'),
          number: str(1, 32, '^[0-9*#+]+$'),
          from: str(1, 40),
          to: str(1, 40),
          customer: int(1, Number.MAX_SAFE_INTEGER),
          queue: str(1, 64),
          minDurationS: int(0, 10_000_000),
          maxDurationS: int(0, 10_000_000),
          tag: str(1, 64),
          callId: str(1, 128),
          limit: int(1, 500),
          cursor: str(1, 400, '^[A-Za-z0-9_-]+$'),
        }),
      },
    },
    async (req) => {
      authorize(req, null);
      const q = req.query;
      const f: RecordingFilters = {};
      if (q.agent !== undefined) f.agent = q.agent;
      if (q.number !== undefined) f.number = q.number;
      if (q.from !== undefined) f.from = parseInstant('from', q.from);
      if (q.to !== undefined) f.to = parseInstant('to', q.to);
      if (q.customer !== undefined) f.customer = q.customer;
      if (q.queue !== undefined) f.queue = q.queue;
      if (q.minDurationS !== undefined) f.minDurationS = q.minDurationS;
      if (q.maxDurationS !== undefined) f.maxDurationS = q.maxDurationS;
      if (q.tag !== undefined) f.tag = q.tag;
      if (q.callId !== undefined) f.callId = q.callId;
      if (f.minDurationS !== undefined && f.maxDurationS !== undefined && f.minDurationS > f.maxDurationS) throw badRequest('minDurationS is above maxDurationS', { reason: 'BAD_RANGE' });
      const after = q.cursor !== undefined ? decodeCursor(q.cursor) : null;
      try {
        const page = await d.search.search(buildSearch(f, after, q.limit ?? DEFAULT_LIMIT));
        const last = page.rows[page.rows.length - 1];
        return { items: page.rows.map((r) => r.recording), next: page.more && last ? encodeCursor({ startedAt: last.startedAtMs, id: last.recording.id }) : null };
      } catch (err) {
        if (err instanceof SearchTimeout) {
          req.log.warn({ filters: f }, 'recording search timed out');
          throw new AppError('SEARCH_TIMEOUT', `${err.message}; try again, with narrower filters`);
        }
        throw err;
      }
    },
  );

  app.get<{ Querystring: { recordingId?: string; user?: string; from?: string; to?: string; limit?: number; cursor?: string } }>(
    '/api/v1/recordings/access',
    { schema: { querystring: closed({ recordingId: str(1, 128), user: str(1, 64), from: str(1, 40), to: str(1, 40), limit: int(1, 500), cursor: str(1, 40, '^[A-Za-z0-9_-]+$') }) } },
    async (req) => {
      authorize(req, req.query.recordingId ?? null, LEDGER_READERS);
      const q = req.query;
      let beforeSeq: number | undefined;
      if (q.cursor !== undefined) {
        const s = Buffer.from(q.cursor, 'base64url').toString('utf8');
        if (!/^\d{1,15}$/.test(s)) throw badRequest('cursor: not a cursor this API gave out', { reason: 'BAD_CURSOR' });
        beforeSeq = Number(s);
      }
      const page = d.ledger.list({
        ...(q.recordingId !== undefined ? { recordingId: q.recordingId } : {}),
        ...(q.user !== undefined ? { user: q.user } : {}),
        ...(q.from !== undefined ? { from: parseInstant('from', q.from) } : {}),
        ...(q.to !== undefined ? { to: parseInstant('to', q.to) } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
        limit: q.limit ?? 100,
      });
      const last = page.items[page.items.length - 1];
      return {
        items: page.items.map((r) => ({ seq: r.seq, at: new Date(r.at).toISOString(), user: r.user, recordingId: r.recordingId, action: r.action, ...(r.range ? { range: r.range } : {}), via: r.via, ...(r.detail ? { detail: r.detail } : {}), hash: r.hash })),
        next: page.more && last ? Buffer.from(String(last.seq)).toString('base64url') : null,
      };
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/recordings/:id', { schema: { params: idParam } }, async (req) => {
    const user = authorize(req, req.params.id);
    const r = load(req.params.id);
    d.ledger.append({ user, recordingId: r.recording.id, action: 'view', via: 'http' });
    return r.recording;
  });

  app.post<{ Params: { id: string } }>('/api/v1/recordings/:id/play-url', { schema: { params: idParam } }, async (req) => {
    const user = authorize(req, req.params.id);
    const r = load(req.params.id);
    const { query, expiresAt } = d.signer.issue(r.recording.id, user, d.clock.now());
    return { url: `/api/v1/recordings/${encodeURIComponent(r.recording.id)}/audio?${query}`, expiresAt: new Date(expiresAt).toISOString() };
  });

  app.get<{ Params: { id: string }; Querystring: { download?: string; user?: string; exp?: string; sig?: string } }>(
    '/api/v1/recordings/:id/audio',
    { schema: { params: idParam, querystring: closed({ download: { type: 'string', enum: ['0', '1'] }, user: str(1, 64), exp: str(1, 20), sig: str(1, 100) }) } },
    async (req, reply) => {
      const id = req.params.id;
      const q = req.query;
      let user: string;
      if (!req.headers.authorization && (q.sig !== undefined || q.exp !== undefined || q.user !== undefined)) {
        // A signed URL (an <audio> element sends no header).
        const verdict = q.user && q.exp && q.sig ? d.signer.check(id, q.user, q.exp, q.sig, d.clock.now()) : 'badSignature';
        if (verdict !== 'ok') {
          d.ledger.append({ user: q.user ?? 'anonymous', recordingId: id, action: 'denied', via: 'http', detail: `signed URL: ${verdict}` });
          throw new AppError('FORBIDDEN', verdict === 'expired' ? 'this play URL has expired' : 'this play URL is not valid', { reason: verdict === 'expired' ? 'URL_EXPIRED' : 'BAD_SIGNATURE' });
        }
        user = q.user!;
      } else {
        user = authorize(req, id);
      }
      const r = load(id);
      const path = fileOf(r);
      const download = q.download === '1';
      return serveFile(req, reply, path, async (status, headers) => {
        if (status !== 200 && status !== 206 && status !== 304) return;
        const cr = headers['content-range'] ?? headers['Content-Range'];
        const m = cr ? /bytes (\d+)-(\d+)\//.exec(cr) : null;
        const range = status === 206 && m ? `bytes=${m[1]}-${m[2]}` : status === 200 ? `bytes=0-${Math.max(0, Number(headers['content-length'] ?? headers['Content-Length'] ?? 0) - 1)}` : null;
        d.ledger.append({ user, recordingId: id, action: download ? 'download' : 'play', range, via: 'http', ...(status === 304 ? { detail: 'not modified' } : {}) });
        void reply.header('content-type', 'audio/wav');
        if (download) void reply.header('content-disposition', `attachment; filename="${id.replace(/[^A-Za-z0-9._-]/g, '_')}.wav"`);
      });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { points?: number } }>(
    '/api/v1/recordings/:id/peaks',
    { schema: { params: idParam, querystring: closed({ points: int(10, 10_000) }) } },
    async (req) => {
      authorize(req, req.params.id);
      const r = load(req.params.id);
      const path = fileOf(r);
      try {
        return { recordingId: r.recording.id, ...(await d.peaks.get(r.recording.id, path, req.query.points ?? 800, r.recording.sha256 ?? String(r.recording.bytes ?? 0))) };
      } catch (err) {
        if (err instanceof WavFormatError) throw new AppError('INVALID_STATE', `recording ${r.recording.id}: ${err.message}`, { reason: 'NOT_PCM_WAV' });
        throw err;
      }
    },
  );
}

/** Streams `path` with Range and conditional GET handled by @fastify/send; `before` sees the
 * status and headers before anything is sent. */
async function serveFile(req: FastifyRequest, reply: FastifyReply, path: string, before: (status: number, headers: Record<string, string>) => Promise<void>): Promise<FastifyReply> {
  const r = await send(req.raw, `/${encodeURIComponent(basename(path))}`, { root: dirname(path), dotfiles: 'allow', index: false, extensions: false, cacheControl: false });
  if (r.type === 'error') {
    r.stream.destroy();
    const status = r.statusCode;
    if (status === 404) throw new AppError('NOT_FOUND', 'the recording file is missing', { reason: 'FILE_MISSING' });
    if (status === 416 || status === 412) {
      // Nothing served: the status send chose, with the API's error body.
      const reason = status === 416 ? 'RANGE_NOT_SATISFIABLE' : 'PRECONDITION_FAILED';
      const cr = r.headers['Content-Range'];
      if (cr) void reply.header('content-range', cr);
      return reply.status(status).send({ error: { code: 'BAD_REQUEST', message: status === 416 ? 'the requested range is not satisfiable' : 'a precondition failed', details: { reason } } });
    }
    throw new AppError('INTERNAL', 'the recording file cannot be read');
  }
  if (r.type === 'directory') throw new AppError('INTERNAL', 'the recording path is a directory');
  await before(r.statusCode, r.headers);
  void reply.status(r.statusCode).headers(r.headers);
  if (r.statusCode < 300) void reply.header('content-type', 'audio/wav');
  return reply.send(r.stream);
}

export interface RecordingReads {
  ledger: AccessLedgerRepository;
  recordings: RecordingsReadRepository;
  search: SearchWorker;
  close(): Promise<void>;
}

/** The read side of recordings over the daemon's database — the repository, the access ledger
 * and the search worker — shared by the HTTP routes and replay by phone; `close()` stops the
 * worker. */
export function openRecordingReads(o: { sqlite: Sqlite; file: string; clock: { now(): number }; log: Logger; searchTimeoutMs?: number }): RecordingReads {
  const log = o.log.child({ component: 'recordings' });
  const search = new SearchWorker({ file: o.file, log, ...(o.searchTimeoutMs !== undefined ? { timeoutMs: o.searchTimeoutMs } : {}) });
  return { recordings: new RecordingsReadRepository(o.sqlite), ledger: new AccessLedgerRepository(o.sqlite, o.clock), search, close: () => search.close() };
}

/** Registers the routes over `reads` (or a read side of their own, opened here and closed by
 * `close()`). */
export function registerRecordingHttp(
  app: FastifyInstance,
  o: { sqlite: Sqlite; file: string; dataDir: string; auth: AuthService; clock: { now(): number }; log: Logger; playUrlSecret?: string; searchTimeoutMs?: number; reads?: RecordingReads },
): RecordingReads {
  const log = o.log.child({ component: 'recordings' });
  const own = o.reads === undefined;
  const reads = o.reads ?? openRecordingReads(o);
  const { recordings, ledger, search } = reads;
  registerRecordingRoutes(app, { auth: o.auth, recordings, ledger, search, signer: new PlayUrlSigner(o.playUrlSecret), peaks: new PeaksCache(join(o.dataDir, 'peaks')), clock: o.clock, log });
  return { ledger, recordings, search, close: () => (own ? search.close() : Promise.resolve()) };
}
