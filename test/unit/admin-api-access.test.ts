import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth-service.ts';
import { ADMIN_PREFIX, registerAdminRoutes, type DirectoryChange } from '../../src/http/admin/index.ts';
import { AUTH_PREFIX, registerAuthRoutes } from '../../src/http/auth-routes.ts';
import { openTempDatabase, TEST_SCRYPT, type TempDatabase } from '../../src/storage/test-support.ts';

// A pino instance as the daemon passes it: the register functions must accept such an app.
const buildApp = () => Fastify({ loggerInstance: pino({ level: 'silent' }) });

let t: TempDatabase;
let app: ReturnType<typeof buildApp>;
let auth: AuthService;
let changes: DirectoryChange[] = [];
const routes: string[] = [];

beforeAll(async () => {
  t = openTempDatabase();
  auth = new AuthService({ users: t.repos.users, tokens: t.repos.tokens, clock: t.clock, scrypt: TEST_SCRYPT });
  app = buildApp();
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push(`${m} ${r.url}`);
  });
  await registerAuthRoutes(app, { auth });
  await registerAdminRoutes(app, { repos: t.repos, auth, onDirectoryChanged: (c) => void changes.push(c) });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  t.dispose();
});
beforeEach(async () => {
  t.reset();
  changes = [];
  await t.repos.users.create({ username: 'root', displayName: 'Root', password: 'root-password', roles: ['admin'] });
  await t.repos.users.create({ username: 'sup1', displayName: 'Sup', password: 'sup-password', roles: ['supervisor', 'agent'] });
});

async function login(username: string, password: string) {
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
}

describe('POST /api/v1/auth/login', () => {
  it('answers the user, a token and an ISO expiry', async () => {
    const res = await login('sup1', 'sup-password');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toEqual({ id: expect.any(Number), username: 'sup1', displayName: 'Sup', roles: ['supervisor', 'agent'] });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.expiresAt).toBe(new Date(t.clock.now() + 12 * 3_600_000).toISOString());
  });

  it('answers 401 UNAUTHENTICATED for a bad password and an unknown user alike', async () => {
    for (const [u, p] of [
      ['sup1', 'wrong'],
      ['ghost', 'sup-password'],
    ]) {
      const res = await login(u!, p!);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'invalid username or password' } });
    }
  });

  it('answers 400 BAD_REQUEST for a malformed body', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'sup1' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BAD_REQUEST');
    const bad = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: '{nope', headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('BAD_REQUEST');
  });

  it('me and logout work with the token; a logged-out token is revoked', async () => {
    const { token } = (await login('sup1', 'sup-password')).json();
    const headers = { authorization: `Bearer ${token}` };
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers })).json().user.username).toBe('sup1');
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers })).statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token revoked' });
  });
});

describe('admin API access', () => {
  it('401 without a token, with a bad scheme, or with an unknown token', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: `Bearer ${'A'.repeat(43)}` }]) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/admin/users', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('401 before 400: an anonymous malformed request learns nothing about the schema', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/admin/queues', payload: { nonsense: true } });
    expect(res.statusCode).toBe(401);
  });

  it('401 with reason for an expired token', async () => {
    const { token } = (await login('root', 'root-password')).json();
    t.clock.advance(12 * 3_600_000);
    const res = await app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token expired', details: { reason: 'expired' } });
  });

  it('403 FORBIDDEN for a valid token without the admin role', async () => {
    const { token } = (await login('sup1', 'sup-password')).json();
    for (const [method, url] of [
      ['GET', '/api/v1/admin/users'],
      ['POST', '/api/v1/admin/skills'],
      ['DELETE', '/api/v1/admin/queues/sales'],
    ] as const) {
      const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(method === 'POST' ? { payload: { name: 'x' } } : {}) });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'the admin role is required' } });
    }
    expect(changes).toEqual([]);
    expect(t.repos.skills.list()).toEqual([]);
  });

  it('200 for an admin token; unknown admin routes are NOT_FOUND in the API shape', async () => {
    const { token } = (await login('root', 'root-password')).json();
    const headers = { authorization: `Bearer ${token}` };
    const res = await app.inject({ method: 'GET', url: '/api/v1/admin/users', headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((u: { username: string }) => u.username)).toEqual(['root', 'sup1']);
    const missing = await app.inject({ method: 'GET', url: '/api/v1/admin/nothing-here', headers });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });
});

describe('docs/admin-api.md', () => {
  const doc = readFileSync(new URL('../../docs/admin-api.md', import.meta.url), 'utf8');

  it('documents every route the plugins register', () => {
    expect(routes.length).toBeGreaterThan(25);
    expect(routes).toContain(`POST ${AUTH_PREFIX}/login`);
    const undocumented = routes.filter((r) => {
      const [method, url] = r.split(' ') as [string, string];
      const short = url.startsWith(ADMIN_PREFIX) ? url.slice(ADMIN_PREFIX.length) : url;
      return !doc.includes(`\`${method} ${short}\``) && !doc.includes(`\`${method} ${url}\``);
    });
    expect(undocumented).toEqual([]);
  });

  it('documents every error code the routes answer with', () => {
    for (const code of ['BAD_REQUEST', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'INTERNAL']) {
      expect(doc).toContain(`| \`${code}\` |`);
    }
  });
});
