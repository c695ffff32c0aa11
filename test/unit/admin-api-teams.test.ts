import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth-service.ts';
import { registerAdminRoutes, type DirectoryChange } from '../../src/http/admin/index.ts';
import { openTempDatabase, TEST_SCRYPT, type TempDatabase } from '../../src/storage/test-support.ts';

const buildApp = () => Fastify({ loggerInstance: pino({ level: 'silent' }) });

let t: TempDatabase;
let app: ReturnType<typeof buildApp>;
let changes: DirectoryChange[] = [];
let headers: { authorization: string };
let auth: AuthService;

beforeAll(async () => {
  t = openTempDatabase();
  auth = new AuthService({ users: t.repos.users, tokens: t.repos.tokens, clock: t.clock, scrypt: TEST_SCRYPT });
  app = buildApp();
  await registerAdminRoutes(app, { repos: t.repos, auth, onDirectoryChanged: (c) => void changes.push(c) });
  await app.ready();
});
beforeEach(async () => {
  t.reset();
  changes = [];
  const root = await t.repos.users.create({ username: 'root', displayName: 'Root', password: 'root-password', roles: ['admin'] });
  headers = { authorization: `Bearer ${auth.issue(root).token}` };
});
afterAll(async () => {
  await app.close();
  t.dispose();
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const call = (method: Method, url: string, payload?: object) => app.inject({ method, url: `/api/v1/admin${url}`, headers, ...(payload ? { payload } : {}) });

it('creates, reads, updates and deletes a team; each change audited and reported as a team change', async () => {
  const created = await call('POST', '/teams', { name: 'night shift', maxNotReady: 2 });
  expect(created.statusCode).toBe(201);
  expect(created.json()).toEqual({ name: 'night shift', maxNotReady: 2, awayAlertS: null, createdAt: t.clock.now(), updatedAt: t.clock.now() });
  expect((await call('GET', '/teams/night%20shift')).json()).toMatchObject({ name: 'night shift', maxNotReady: 2 });
  t.clock.advance(1000);
  const patched = await call('PATCH', '/teams/night%20shift', { awayAlertS: 600, maxNotReady: null });
  expect(patched.json()).toMatchObject({ maxNotReady: null, awayAlertS: 600, updatedAt: t.clock.now() });
  expect((await call('GET', '/teams')).json().items.map((x: { name: string }) => x.name)).toEqual(['night shift']);
  expect((await call('DELETE', '/teams/night%20shift')).statusCode).toBe(204);
  expect((await call('GET', '/teams/night%20shift')).statusCode).toBe(404);
  expect(changes).toEqual([
    { entity: 'team', action: 'create', id: 'night shift' },
    { entity: 'team', action: 'update', id: 'night shift' },
    { entity: 'team', action: 'delete', id: 'night shift' },
  ]);
  expect(t.repos.audit.list({ actor: 'root' }).map((a) => a.action)).toEqual(['team.delete', 'team.update', 'team.create']);
});

it('refuses a duplicate (409), out-of-range or unknown fields and a rename (400), unknown teams (404)', async () => {
  expect((await call('POST', '/teams', { name: 'red' })).statusCode).toBe(201);
  const dup = await call('POST', '/teams', { name: 'red', maxNotReady: 1 });
  expect(dup.statusCode).toBe(409);
  expect(dup.json().error).toMatchObject({ code: 'CONFLICT', message: 'team red exists' });
  for (const body of [{ name: 'b', maxNotReady: -1 }, { name: 'b', maxNotReady: 10_001 }, { name: 'b', awayAlertS: 0 }, { name: 'b', awayAlertS: 86_401 }, { name: 'b', colour: 'x' }, { name: '' }, { maxNotReady: 1 }]) {
    const r = await call('POST', '/teams', body);
    expect(r.statusCode, JSON.stringify(body)).toBe(400);
  }
  expect((await call('POST', '/teams', { name: 'edge', maxNotReady: 0, awayAlertS: 86_400 })).statusCode).toBe(201);
  expect((await call('PATCH', '/teams/red', { name: 'blue' })).statusCode).toBe(400);
  expect((await call('PATCH', '/teams/red', {})).statusCode).toBe(400);
  expect((await call('PATCH', '/teams/ghost', { maxNotReady: 1 })).statusCode).toBe(404);
  expect((await call('DELETE', '/teams/ghost')).statusCode).toBe(404);
  expect(changes.map((c) => c.action)).toEqual(['create', 'create']);
});
