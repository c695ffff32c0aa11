import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('a team allowing one agent notReady refuses the second with CONFLICT; a supervisor forces it; a raised limit applies at once', async () => {
  const { body: admin } = await w.http('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'demo-admin' } });
  const token = admin.token as string;
  const created = await w.http('POST', '/api/v1/admin/teams', { token, body: { name: 'tigers', maxNotReady: 1 } });
  expect(created).toMatchObject({ status: 201, body: { name: 'tigers', maxNotReady: 1, awayAlertS: null } });
  expect((await w.http('POST', '/api/v1/admin/teams', { token, body: { name: 'tigers' } })).status).toBe(409);
  expect((await w.http('POST', '/api/v1/admin/teams', { token, body: { name: 'x', maxNotReady: -1 } })).status).toBe(400);
  for (const agent of ['a1001', 'a1002']) {
    expect((await w.http('PATCH', `/api/v1/admin/agents/${agent}`, { token, body: { team: 'tigers' } })).status).toBe(200);
  }

  const first = await w.readyAgent('a1001');
  const second = await w.readyAgent('a1002');
  expect((await first.call('agent.setState', { state: 'notReady', reason: 'break' })).state).toBe('notReady');
  // A new reason is not a new notReady agent.
  expect((await first.call('agent.setState', { state: 'notReady', reason: 'lunch' })).reason).toBe('lunch');

  const refused = await second.request('agent.setState', { state: 'notReady', reason: 'break' });
  expect(refused.ok).toBe(false);
  expect(refused.error).toMatchObject({ code: 'CONFLICT' });
  expect(refused.error!.message).toContain('tigers');
  expect(refused.error!.message).toContain('maxNotReady 1');
  expect((await second.call('agent.getState')).state).toBe('ready');

  // The supervisor overrides the limit; the forced agent counts toward it.
  const sup = await w.login('sup1');
  const forced = await sup.call('supervisor.setAgentState', { agentId: 'a1002', state: 'notReady', reason: 'coaching' });
  expect(forced).toMatchObject({ agentId: 'a1002', state: 'notReady', reason: 'coaching' });
  await second.waitFor('agent.state', (d) => d.state === 'notReady' && d.reason === 'coaching');
  const audit = w.daemon.storage.repos.audit.list({ actor: 'sup1', limit: 5 });
  expect(audit.find((a) => a.action === 'supervisor.setAgentState' && a.target === 'a1002')).toMatchObject({ details: { state: 'notReady', reason: 'coaching' } });

  await first.call('agent.setState', { state: 'ready' });
  const again = await first.request('agent.setState', { state: 'notReady' });
  expect(again.error?.code).toBe('CONFLICT');

  // The admin raises the limit: it applies from the directory reload on.
  expect((await w.http('PATCH', '/api/v1/admin/teams/tigers', { token, body: { maxNotReady: 2 } })).body).toMatchObject({ maxNotReady: 2 });
  expect((await first.call('agent.setState', { state: 'notReady' })).state).toBe('notReady');
  expect(w.daemon.storage.repos.audit.list({ actor: 'admin', limit: 10 }).map((a) => a.action)).toEqual(expect.arrayContaining(['team.create', 'team.update']));
});
