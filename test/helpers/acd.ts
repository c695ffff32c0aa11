/**
 * Helpers for the ACD scenarios: admin edits over the real HTTP API, where a call is at the
 * switch (the simulator's control API), a call's routing explanation, and a call the switch
 * forgets without telling us.
 */
import { expect } from 'vitest';
import { eventually, type World } from './world.ts';

const tokens = new WeakMap<World, string>();

export async function adminToken(w: World): Promise<string> {
  const known = tokens.get(w);
  if (known) return known;
  const login = await w.http('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'demo-admin' } });
  expect(login.status).toBe(200);
  tokens.set(w, login.body.token);
  return login.body.token as string;
}

export async function supervisorToken(w: World): Promise<string> {
  const login = await w.http('POST', '/api/v1/auth/login', { body: { username: 'sup1', password: 'demo-sup1' } });
  expect(login.status).toBe(200);
  return login.body.token as string;
}

/** PATCH an admin resource; fails the test on a non-200 answer. */
export async function admin(w: World, path: string, body: object, method: 'PATCH' | 'POST' = 'PATCH'): Promise<any> {
  const res = await w.http(method, `/api/v1/admin${path}`, { token: await adminToken(w), body });
  expect(res.status, JSON.stringify(res.body)).toBe(method === 'POST' ? 201 : 200);
  return res.body;
}

/** Resolves when the switch shows the caller's call with a connection in `state` at `device`. */
export async function atDevice(w: World, simCallId: string, device: string, state = 'queued', timeoutMs = 5000): Promise<void> {
  await eventually(
    async () => (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId)?.connections.some((c: any) => c.deviceId === device && c.state === state),
    timeoutMs,
  );
}

/** The call's routing explanation (GET /api/v1/calls/:callId/routing), as a supervisor. */
export async function routingOf(w: World, callId: string): Promise<any> {
  const res = await w.http('GET', `/api/v1/calls/${callId}/routing`, { token: await supervisorToken(w) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The caller hangs up and the switch forgets the call, with every event of it lost on the way. */
export async function switchForgets(w: World, simCallId: string): Promise<void> {
  await w.simApi('POST', '/sim/faults', { dropEventsPercent: 100 });
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  await w.simApi('DELETE', '/sim/faults');
  expect((await w.simApi('GET', '/sim/calls')).calls.some((c: any) => c.simCallId === simCallId)).toBe(false);
}
