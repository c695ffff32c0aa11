/**
 * Security that reaches live sessions: what an administrator does to a user (disable, new
 * password, new roles, delete) or to a token (logout) closes that user's live WebSocket sessions
 * with an `error` event and close 4003 within a second, and they cannot be resumed. Other users'
 * sessions are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WsClient } from '../helpers/ws-client.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
let adminToken: string;
let bystander: WsClient;
const ids = new Map<string, number>();

beforeAll(async () => {
  w = await startWorld();
  const r = await w.http('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'demo-admin' } });
  adminToken = r.body.token;
  const users = await w.http('GET', '/api/v1/admin/users', { token: adminToken });
  for (const u of users.body.items) ids.set(u.username, u.id);
  bystander = await w.login('a1010');
});
afterAll(async () => w?.close());

const patchUser = (username: string, body: object) => w.http('PATCH', `/api/v1/admin/users/${ids.get(username)}`, { token: adminToken, body });

/** Runs `act`, then waits for `c` to be closed; returns the close code and how long it took from
 * the moment `act` returned (the change committed). */
async function closedAfter(c: WsClient, act: () => Promise<{ status: number }>): Promise<{ code: number; ms: number }> {
  const res = await act();
  expect(res.status).toBeLessThan(300);
  const t0 = Date.now();
  const code = await c.waitClose(2000);
  return { code, ms: Date.now() - t0 };
}

function lastError(c: WsClient) {
  return c.events.filter((e) => e.event === 'error').at(-1)?.data;
}

async function expectNotResumable(c: WsClient) {
  const again = await WsClient.open(w.daemon.wsUrl);
  const r = await again.request('session.resume', { sessionToken: c.session.sessionToken, lastSeq: 0 });
  expect(r.error?.code).toBe('UNAUTHENTICATED');
  expect(await again.waitClose()).toBe(4003);
}

describe('an administrator’s change reaches live sessions', () => {
  it('a disabled supervisor’s socket is closed 4003 within 1 s, after an error event; the session cannot be resumed', async () => {
    const sup = await w.login('sup1');
    await sup.call('supervisor.subscribe');
    const { code, ms } = await closedAfter(sup, () => patchUser('sup1', { disabled: true }));
    expect(code).toBe(4003);
    expect(ms).toBeLessThan(1000);
    expect(lastError(sup)).toMatchObject({ code: 'UNAUTHENTICATED', message: 'user disabled' });
    await expectNotResumable(sup);
    // Its token is dead too, and a new login is refused.
    const byToken = await WsClient.open(w.daemon.wsUrl);
    expect((await byToken.request('auth.login', { token: sup.session.token })).error?.code).toBe('UNAUTHENTICATED');
    await expect(WsClient.login(w.daemon.wsUrl, 'sup1')).rejects.toThrow('UNAUTHENTICATED');
    await patchUser('sup1', { disabled: false });
  });

  it('a new password closes every live session of the user with 4003', async () => {
    const agent = await w.login('a1002');
    const { code, ms } = await closedAfter(agent, () => patchUser('a1002', { password: 'a-new-password-2' }));
    expect(code).toBe(4003);
    expect(ms).toBeLessThan(1000);
    expect(lastError(agent)?.message).toContain('password changed');
    expect((await WsClient.login(w.daemon.wsUrl, 'a1002', 'a-new-password-2')).session.user.username).toBe('a1002');
  });

  it('new roles close the session with 4003; the token still works and a new session carries the new roles', async () => {
    const agent = await w.login('a1003');
    expect((await agent.request('supervisor.snapshot')).error?.code).toBe('FORBIDDEN');
    const { code } = await closedAfter(agent, () => patchUser('a1003', { roles: ['agent', 'supervisor'] }));
    expect(code).toBe(4003);
    expect(lastError(agent)?.message).toContain('roles changed');
    const again = await WsClient.open(w.daemon.wsUrl);
    const r = await again.request('auth.login', { token: agent.session.token });
    expect(r.data.user.roles).toEqual(expect.arrayContaining(['agent', 'supervisor']));
    expect((await again.request('supervisor.snapshot')).ok).toBe(true);
    // And back: the supervisor op is refused on the very next session.
    const { code: code2 } = await closedAfter(again, () => patchUser('a1003', { roles: ['agent'] }));
    expect(code2).toBe(4003);
    const third = await WsClient.open(w.daemon.wsUrl);
    await third.request('auth.login', { token: agent.session.token });
    expect((await third.request('supervisor.snapshot')).error?.code).toBe('FORBIDDEN');
    third.close();
  });

  it('logging out a token over HTTP closes the WebSocket sessions opened with it (4003)', async () => {
    const login = await w.http('POST', '/api/v1/auth/login', { body: { username: 'a1004', password: 'demo-a1004' } });
    const byToken = await WsClient.open(w.daemon.wsUrl);
    const r = await byToken.request('auth.login', { token: login.body.token });
    expect(r.ok).toBe(true);
    byToken.session = r.data;
    const { code, ms } = await closedAfter(byToken, () => w.http('POST', '/api/v1/auth/logout', { token: login.body.token }));
    expect(code).toBe(4003);
    expect(ms).toBeLessThan(1000);
    expect(lastError(byToken)?.message).toBe('token revoked');
    await expectNotResumable(byToken);
  });

  it('the session of a password login ends when the token it was given is logged out', async () => {
    const agent = await w.login('a1005');
    const { code } = await closedAfter(agent, () => w.http('POST', '/api/v1/auth/logout', { token: agent.session.token }));
    expect(code).toBe(4003);
  });

  it('deleting a user closes its sessions', async () => {
    const created = await w.http('POST', '/api/v1/admin/users', { token: adminToken, body: { username: 'temp1', displayName: 'Temp', password: 'temp-password-1', roles: ['qa'] } });
    const temp = await w.login('temp1', 'temp-password-1');
    const { code } = await closedAfter(temp, () => w.http('DELETE', `/api/v1/admin/users/${created.body.id}`, { token: adminToken }));
    expect(code).toBe(4003);
  });

  it('other users’ sessions were served throughout', async () => {
    expect(bystander.closeCode).toBeNull();
    expect((await bystander.call('session.ping')).now).toBeTruthy();
  });
});
