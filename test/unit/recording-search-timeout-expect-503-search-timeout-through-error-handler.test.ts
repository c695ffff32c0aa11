/**
 * A recording search that runs past its time: the route throws AppError SEARCH_TIMEOUT and the
 * daemon's one HTTP error handler answers it, 503 `{error: {code, message}}` — the catalogue's
 * status, the API's body shape. The worker is a stand-in that times out at once (the worker's own
 * timeout is tested in recording-search-worker-off-the-event-loop.test.ts).
 */
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthService } from '../../src/auth/auth-service.ts';
import { ERROR_CODES, HTTP_STATUS } from '../../src/core/errors.ts';
import { errorHandler, notFoundHandler } from '../../src/http/http-errors.ts';
import { registerRecordingRoutes, type RecordingRoutesDeps } from '../../src/http/recording-routes.ts';
import { PlayUrlSigner } from '../../src/recording/playback/signed-url.ts';
import { SearchTimeout, type SearchWorker } from '../../src/recording/search/worker.ts';

const app = Fastify();
let searches = 0;

beforeAll(async () => {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  const auth = { checkToken: () => ({ ok: true, user: { id: 1, username: 'qa1', displayName: 'QA', roles: ['qa'] }, tokenHash: 'h', expiresAt: Number.MAX_SAFE_INTEGER }) } as unknown as AuthService;
  const search = {
    search: () => {
      searches++;
      return Promise.reject(new SearchTimeout(5000));
    },
  } as unknown as SearchWorker;
  const unused = {} as never;
  const deps: RecordingRoutesDeps = { auth, search, recordings: unused, ledger: unused, peaks: unused, signer: new PlayUrlSigner(), clock: { now: () => 0 }, log: pino({ level: 'silent' }) };
  registerRecordingRoutes(app, deps);
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

describe('SEARCH_TIMEOUT', () => {
  it('is in the catalogue with HTTP 503', () => {
    expect(ERROR_CODES).toContain('SEARCH_TIMEOUT');
    expect(HTTP_STATUS.SEARCH_TIMEOUT).toBe(503);
  });

  it('a search past its time answers 503 {error: {code: SEARCH_TIMEOUT, message}} through the error handler', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/recordings?agent=a1001', headers: { authorization: 'Bearer t' } });
    expect(searches).toBe(1);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error: { code: 'SEARCH_TIMEOUT', message: 'search did not answer within 5000 ms; try again, with narrower filters' } });
  });
});
