import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth-service.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { registerAdminRoutes, type DirectoryChange } from '../../src/http/admin/index.ts';
import { openTempDatabase, TEST_SCRYPT, type TempDatabase } from '../../src/storage/test-support.ts';

const buildApp = () => Fastify({ loggerInstance: pino({ level: 'silent' }) });

let t: TempDatabase;
let app: ReturnType<typeof buildApp>;
let auth: AuthService;
let changes: DirectoryChange[] = [];
let headers: { authorization: string };
let failReload = false;

beforeAll(async () => {
  t = openTempDatabase();
  auth = new AuthService({ users: t.repos.users, tokens: t.repos.tokens, clock: t.clock, scrypt: TEST_SCRYPT });
  app = buildApp();
  await registerAdminRoutes(app, {
    repos: t.repos,
    auth,
    onDirectoryChanged: async (c) => {
      changes.push(c);
      if (failReload) throw new Error('reload failed');
    },
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  t.dispose();
});
// One app and database per file (schema compilation is the slow part); every test starts empty.
beforeEach(async () => {
  t.reset();
  changes = [];
  failReload = false;
  const root = await t.repos.users.create({ username: 'root', displayName: 'Root', password: 'root-password', roles: ['admin'] });
  headers = { authorization: `Bearer ${auth.issue(root).token}` };
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const call = (method: Method, url: string, payload?: object) => app.inject({ method, url: `/api/v1/admin${url}`, headers, ...(payload ? { payload } : {}) });

async function ok(method: Method, url: string, payload?: object, status = method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200) {
  const res = await call(method, url, payload);
  expect(res.statusCode, res.body).toBe(status);
  return status === 204 ? null : res.json();
}

describe('queues', () => {
  it('creates a queue with required skills and members, then reads it back', async () => {
    await ok('POST', '/skills', { name: 'sales' });
    await ok('POST', '/skills', { name: 'french' });
    await ok('POST', '/users', { username: 'a1001', displayName: 'Agent', password: 'password-1', roles: ['agent'] });
    const created = await ok('POST', '/queues', {
      id: 'sales',
      name: 'Sales',
      strategy: 'skillBased',
      queueDevice: '8900',
      ringTimeoutS: 20,
      maxWaitS: 300,
      overflowTarget: '8901',
      priority: 5,
      requiredSkills: [
        { skill: 'sales', minLevel: 3 },
        { skill: 'french', minLevel: 5 },
      ],
      members: ['a1001'],
    });
    const expected = {
      id: 'sales',
      name: 'Sales',
      strategy: 'skillBased',
      queueDevice: '8900',
      ringTimeoutS: 20,
      wrapUpS: 0,
      maxWaitS: 300,
      overflowTarget: '8901',
      priority: 5,
      weight: 1,
      leastBusyBy: 'calls',
      maxMisses: 1,
      retryS: 30,
      customerRules: null,
      kpi: null,
      steps: [],
      requiredSkills: [
        { skill: 'french', minLevel: 5 },
        { skill: 'sales', minLevel: 3 },
      ],
      members: ['a1001'],
    };
    expect(created).toEqual(expected);
    expect(await ok('GET', '/queues/sales')).toEqual(expected);
    expect((await ok('GET', '/queues')).items).toEqual([expected]);
    expect(t.repos.directory.loadDirectory().queues[0]?.requiredSkills).toEqual(expected.requiredSkills);

    const patched = await ok('PATCH', '/queues/sales', { wrapUpS: 10, requiredSkills: [{ skill: 'sales', minLevel: 1 }], maxWaitS: null });
    expect(patched).toMatchObject({ wrapUpS: 10, maxWaitS: null, ringTimeoutS: 20, requiredSkills: [{ skill: 'sales', minLevel: 1 }], members: ['a1001'] });
    expect(changes.filter((c) => c.entity === 'queue')).toEqual([
      { entity: 'queue', action: 'create', id: 'sales' },
      { entity: 'queue', action: 'update', id: 'sales' },
    ]);
  });

  it('ACD rules: weight, leastBusyBy, maxMisses, customer rules and steps (sorted by time; an unknown queue refused)', async () => {
    await ok('POST', '/queues', { id: 'support', name: 'Support', strategy: 'linear', queueDevice: '8901' });
    const q = await ok('POST', '/queues', {
      id: 'sales',
      name: 'Sales',
      strategy: 'leastBusy',
      queueDevice: '8900',
      weight: 3,
      leastBusyBy: 'talkTime',
      maxMisses: 2,
      customerRules: { vipBoost: 5, preferredWaitS: 20 },
      steps: [
        { afterS: 60, kind: 'overflow', target: 'ivr:main' },
        { afterS: 10, kind: 'relax', by: 2 },
        { afterS: 30, kind: 'addQueue', queue: 'support' },
      ],
    });
    expect(q).toMatchObject({ weight: 3, leastBusyBy: 'talkTime', maxMisses: 2, customerRules: { vipBoost: 5, preferredWaitS: 20 } });
    expect(q.steps.map((s: { afterS: number }) => s.afterS)).toEqual([10, 30, 60]);
    expect(t.repos.directory.loadDirectory().queues.find((x) => x.id === 'sales')).toMatchObject({ weight: 3, maxMisses: 2, steps: q.steps });
    const unknown = await call('PATCH', '/queues/sales', { steps: [{ afterS: 5, kind: 'addQueue', queue: 'ghost' }] });
    expect(unknown.statusCode).toBe(400);
    for (const bad of [{ weight: 0 }, { maxMisses: 0 }, { leastBusyBy: 'mood' }, { steps: [{ afterS: 0, kind: 'overflow', target: '8001' }] }, { steps: [{ afterS: 1, kind: 'teleport' }] }, { customerRules: { vipBoost: 1 } }]) {
      const res = await call('PATCH', '/queues/sales', bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().error.code).toBe('BAD_REQUEST');
    }
    expect((await ok('GET', '/queues/sales')).steps).toEqual(q.steps);
  });

  it('refuses an unknown required skill or member with 400 and writes nothing', async () => {
    const res = await call('POST', '/queues', { id: 'q', name: 'Q', strategy: 'linear', queueDevice: '8900', requiredSkills: [{ skill: 'ghost', minLevel: 1 }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BAD_REQUEST', message: 'unknown skill: ghost', details: { unknownSkills: ['ghost'] } });
    const res2 = await call('POST', '/queues', { id: 'q', name: 'Q', strategy: 'linear', queueDevice: '8900', members: ['ghost'] });
    expect(res2.statusCode).toBe(400);
    expect(t.repos.queues.list()).toEqual([]);
    expect(t.repos.audit.list()).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('schema violations are 400 BAD_REQUEST: bad enum, out of range, unknown field, missing field', async () => {
    const base = { id: 'q', name: 'Q', strategy: 'linear', queueDevice: '8900' };
    for (const [payload, fragment] of [
      [{ ...base, strategy: 'random' }, 'strategy'],
      [{ ...base, ringTimeoutS: 0 }, 'ringTimeoutS'],
      [{ ...base, colour: 'red' }, 'body/colour is not a known field'],
      [{ id: 'q', name: 'Q', strategy: 'linear' }, 'queueDevice'],
      [{ ...base, id: 'Has Spaces' }, 'id'],
      [{ ...base, requiredSkills: [{ skill: 'x', minLevel: 6 }] }, 'minLevel'],
    ] as const) {
      const res = await call('POST', '/queues', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('BAD_REQUEST');
      expect(res.json().error.message).toContain(fragment);
    }
    expect((await call('PATCH', '/queues/q', {})).statusCode).toBe(400); // empty patch
  });

  it('duplicate queue id or device is 409; a queue behind a pilot cannot be deleted', async () => {
    await ok('POST', '/queues', { id: 'q', name: 'Q', strategy: 'linear', queueDevice: '8900' });
    expect((await call('POST', '/queues', { id: 'q', name: 'Q2', strategy: 'linear', queueDevice: '8901' })).statusCode).toBe(409);
    expect((await call('POST', '/queues', { id: 'q2', name: 'Q2', strategy: 'linear', queueDevice: '8900' })).statusCode).toBe(409);
    await ok('POST', '/pilots', { number: '8000', kind: 'queue', queueId: 'q' });
    const del = await call('DELETE', '/queues/q');
    expect(del.statusCode).toBe(409);
    expect(del.json().error.code).toBe('CONFLICT');
    await ok('DELETE', '/pilots/8000');
    await ok('DELETE', '/queues/q');
    expect((await call('GET', '/queues/q')).statusCode).toBe(404);
    expect((await call('DELETE', '/queues/q')).json().error.code).toBe('NOT_FOUND');
  });
});

describe('users', () => {
  it('creates a user without ever returning the password; duplicate username is 409', async () => {
    const u = await ok('POST', '/users', { username: 'jo', displayName: 'Jo', password: 'long-enough', roles: ['qa'] });
    expect(u).toEqual({ id: expect.any(Number), username: 'jo', displayName: 'Jo', roles: ['qa'], disabled: false, createdAt: t.clock.now(), updatedAt: t.clock.now(), phoneId: null });
    expect(JSON.stringify(await ok('GET', `/users/${u.id}`))).not.toMatch(/password|scrypt/);
    const dup = await call('POST', '/users', { username: 'jo', displayName: 'Other', password: 'long-enough', roles: [] });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toEqual({ error: { code: 'CONFLICT', message: 'username jo is taken' } });
    expect((await call('POST', '/users', { username: 'x', displayName: 'X', password: 'short', roles: [] })).statusCode).toBe(400);
    expect((await call('POST', '/users', { username: 'x', displayName: 'X', password: 'long-enough', roles: ['boss'] })).statusCode).toBe(400);
  });

  it('a password change or disabling ends the user’s sessions', async () => {
    const u = await ok('POST', '/users', { username: 'jo', displayName: 'Jo', password: 'long-enough', roles: ['agent'] });
    const s1 = auth.issue(u);
    await ok('PATCH', `/users/${u.id}`, { password: 'another-one' });
    expect(auth.checkToken(s1.token)).toEqual({ ok: false, reason: 'revoked' });
    expect(await verifyPassword('another-one', t.repos.users.findCredentials('jo')!.passwordHash)).toBe(true);
    const s2 = auth.issue(u);
    await ok('PATCH', `/users/${u.id}`, { displayName: 'Joanna' });
    expect(auth.verifyToken(s2.token)?.displayName).toBe('Joanna');
    await ok('PATCH', `/users/${u.id}`, { disabled: true });
    expect(auth.verifyToken(s2.token)).toBeNull();
    const audit = t.repos.audit.list({ actor: 'root' });
    expect(audit.map((a) => a.action)).toEqual(['user.update', 'user.update', 'user.update', 'user.create']);
    expect(JSON.stringify(audit)).not.toContain('another-one');
  });

  it('the last enabled admin cannot be demoted, disabled or deleted', async () => {
    const root = t.repos.users.findByUsername('root')!;
    for (const [m, body] of [
      ['PATCH', { roles: ['qa'] }],
      ['PATCH', { disabled: true }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(m, `/users/${root.id}`, body);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('CONFLICT');
    }
    expect(t.repos.users.findById(root.id)).toMatchObject({ roles: ['admin'], disabled: false });
    await ok('POST', '/users', { username: 'root2', displayName: 'R2', password: 'long-enough', roles: ['admin'] });
    await ok('DELETE', `/users/${root.id}`);
  });

  it('404 for an unknown user id; 400 for a non-numeric one', async () => {
    expect((await call('GET', '/users/999')).statusCode).toBe(404);
    expect((await call('PATCH', '/users/999', { displayName: 'x' })).statusCode).toBe(404);
    expect((await call('GET', '/users/abc')).statusCode).toBe(400);
  });
});

describe('agents and skills', () => {
  it('edits an agent’s extension, team, skills and queues; unknown skill is 400; agents list', async () => {
    await ok('POST', '/skills', { name: 'sales' });
    await ok('POST', '/queues', { id: 'sales', name: 'Sales', strategy: 'longestIdle', queueDevice: '8900' });
    await ok('POST', '/users', { username: 'a1001', displayName: 'Agent', password: 'password-1', roles: ['agent'] });
    const a = await ok('PATCH', '/agents/a1001', { defaultExtension: '2001', team: 'red', skills: [{ skill: 'sales', level: 2 }], queues: ['sales'] });
    expect(a).toMatchObject({ username: 'a1001', defaultExtension: '2001', team: 'red', skills: [{ skill: 'sales', level: 2 }], queues: ['sales'] });
    expect(await ok('GET', '/agents/a1001')).toEqual(a);
    expect((await ok('GET', '/agents')).items).toEqual([a]);
    const bad = await call('PATCH', '/agents/a1001', { skills: [{ skill: 'nope', level: 1 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('unknown skill: nope');
    expect((await call('PATCH', '/agents/ghost', { team: 'x' })).statusCode).toBe(404);
    expect(t.repos.directory.loadDirectory().agents[0]).toMatchObject({ username: 'a1001', defaultExtension: '2001', queues: ['sales'] });
  });

  it('skills: create, duplicate 409, rename, delete in use 409', async () => {
    await ok('POST', '/skills', { name: 'sales' });
    expect((await call('POST', '/skills', { name: 'sales' })).statusCode).toBe(409);
    expect(await ok('PATCH', '/skills/sales', { name: 'selling' })).toMatchObject({ name: 'selling' });
    await ok('POST', '/users', { username: 'a1', displayName: 'A', password: 'password-1', roles: ['agent'] });
    await ok('PATCH', '/agents/a1', { skills: [{ skill: 'selling', level: 1 }] });
    expect((await call('DELETE', '/skills/selling')).statusCode).toBe(409);
    await ok('PATCH', '/agents/a1', { skills: [] });
    await ok('DELETE', '/skills/selling');
    expect((await ok('GET', '/skills')).items).toEqual([]);
  });
});

describe('pilots and customers', () => {
  it('pilots: kinds and their targets', async () => {
    await ok('POST', '/pilots', { number: '8002', kind: 'ivr', ivrFlow: 'main', description: 'Main menu' });
    expect((await call('POST', '/pilots', { number: '8003', kind: 'ivr' })).json().error).toMatchObject({ code: 'BAD_REQUEST', message: 'an ivr pilot needs ivrFlow' });
    expect((await call('POST', '/pilots', { number: '8004', kind: 'queue', queueId: 'ghost' })).statusCode).toBe(400);
    expect((await call('POST', '/pilots', { number: '8002', kind: 'replay' })).statusCode).toBe(409);
    expect(await ok('PATCH', '/pilots/8002', { kind: 'replay' })).toEqual({ number: '8002', kind: 'replay', queueId: null, ivrFlow: null, description: 'Main menu', priority: 0, requiredSkills: null });
    expect((await ok('GET', '/pilots')).items).toHaveLength(1);
  });

  it('pilots: business-based routing (priority, skills of the dialled number); unknown skills refused', async () => {
    await ok('POST', '/skills', { name: 'mandarin' });
    await ok('POST', '/queues', { id: 'sales', name: 'Sales', strategy: 'longestIdle', queueDevice: '8900' });
    const p = await ok('POST', '/pilots', { number: '8010', kind: 'queue', queueId: 'sales', priority: 3, requiredSkills: [{ skill: 'mandarin', minLevel: 2 }] });
    expect(p).toMatchObject({ priority: 3, requiredSkills: [{ skill: 'mandarin', minLevel: 2 }] });
    const bad = await call('POST', '/pilots', { number: '8011', kind: 'queue', queueId: 'sales', requiredSkills: [{ skill: 'klingon', minLevel: 2 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('klingon');
    expect(t.repos.directory.loadDirectory().pilots.find((x) => x.number === '8010')).toMatchObject({ priority: 3, requiredSkills: [{ skill: 'mandarin', minLevel: 2 }] });
  });

  it('customers: create, find by phone, search, update, delete', async () => {
    await ok('POST', '/users', { username: 'a1001', displayName: 'A', password: 'password-1', roles: ['agent'] });
    const c = await ok('POST', '/customers', { name: 'VIP Customer', phone: '13800000001', vipLevel: 1, preferredAgent: 'a1001' });
    expect(c).toMatchObject({ id: expect.any(Number), vipLevel: 1, preferredAgent: 'a1001', notes: null });
    expect((await call('POST', '/customers', { name: 'Dup', phone: '13800000001' })).statusCode).toBe(409);
    expect((await call('POST', '/customers', { name: 'X', phone: '1', preferredAgent: 'ghost' })).statusCode).toBe(400);
    expect((await ok('GET', '/customers?phone=13800000001')).items[0].id).toBe(c.id);
    expect(await ok('GET', '/customers?search=vip')).toMatchObject({ total: 1 });
    expect(await ok('PATCH', `/customers/${c.id}`, { notes: 'calls on Mondays' })).toMatchObject({ notes: 'calls on Mondays' });
    await ok('DELETE', `/customers/${c.id}`);
    expect((await call('GET', `/customers/${c.id}`)).statusCode).toBe(404);
    expect(changes.filter((x) => x.entity === 'customer').map((x) => x.action)).toEqual(['create', 'update', 'delete']);
  });
});

describe('audit and directory notifications', () => {
  it('every change writes one audit row with the acting admin and notifies once', async () => {
    await ok('POST', '/skills', { name: 'vip' });
    await ok('POST', '/queues', { id: 'vip', name: 'VIP', strategy: 'customerBased', queueDevice: '8902', requiredSkills: [{ skill: 'vip', minLevel: 5 }] });
    await ok('PATCH', '/queues/vip', { priority: 10 });
    const rows = t.repos.audit.list();
    expect(rows.map((r) => [r.actor, r.action, r.target])).toEqual([
      ['root', 'queue.update', 'vip'],
      ['root', 'queue.create', 'vip'],
      ['root', 'skill.create', 'vip'],
    ]);
    expect(rows[0]!.details).toEqual({ priority: 10 });
    expect(rows[0]!.at).toBe(t.clock.now());
    expect(changes).toEqual([
      { entity: 'skill', action: 'create', id: 'vip' },
      { entity: 'queue', action: 'create', id: 'vip' },
      { entity: 'queue', action: 'update', id: 'vip' },
    ]);
    const listed = await ok('GET', '/audit?limit=2');
    expect(listed.items.map((r: { action: string }) => r.action)).toEqual(['queue.update', 'queue.create']);
  });

  it('reads do not notify; a failing reload is logged, the change stays committed', async () => {
    await ok('GET', '/queues');
    expect(changes).toEqual([]);
    failReload = true;
    await ok('POST', '/skills', { name: 'x' });
    expect(t.repos.skills.findByName('x')).not.toBeNull();
    expect(changes).toHaveLength(1);
  });
});
