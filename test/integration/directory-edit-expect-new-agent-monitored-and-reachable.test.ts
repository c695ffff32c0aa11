import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('an agent created over the admin API can sign in at once at a new extension, which the daemon monitors; calls to it are offered', async () => {
  const admin = (await w.http('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'demo-admin' } })).body.token;
  const created = await w.http('POST', '/api/v1/admin/users', {
    token: admin,
    body: { username: 'new1', displayName: 'New Agent', password: 'a-long-password', roles: ['agent'] },
  });
  expect(created.status).toBe(201);
  const agentPatch = await w.http('PATCH', '/api/v1/admin/agents/new1', { token: admin, body: { defaultExtension: '2050', queues: ['sales'] } });
  expect(agentPatch.status).toBe(200);

  const agent = await w.login('new1', 'a-long-password');
  const me = await agent.call('agent.signIn', { extension: '2050' });
  expect(me.queues).toContain('sales');
  await agent.call('agent.setState', { state: 'ready' });

  // A direct call to the new extension reaches the agent (its phone is monitored).
  await w.dial('13800000002', '2050');
  const offered = await agent.waitFor('call.offered');
  expect(offered.data).toMatchObject({ to: '2050', direction: 'inbound' });
  await agent.call('call.answer', { callId: offered.data.callId });
  await agent.waitFor('call.established');
});
