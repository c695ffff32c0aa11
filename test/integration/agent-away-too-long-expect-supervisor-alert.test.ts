import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('an agent notReady past the team’s awayAlertS raises supervisor.alert to a subscribed supervisor; one back in time raises none', async () => {
  const { body: admin } = await w.http('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'demo-admin' } });
  const token = admin.token as string;
  expect((await w.http('POST', '/api/v1/admin/teams', { token, body: { name: 'owls', awayAlertS: 1 } })).status).toBe(201);
  for (const agent of ['a1006', 'a1007']) {
    expect((await w.http('PATCH', `/api/v1/admin/agents/${agent}`, { token, body: { team: 'owls' } })).status).toBe(200);
  }
  const sup = await w.login('sup1');
  await sup.call('supervisor.subscribe');
  const stays = await w.readyAgent('a1006');
  const returns = await w.readyAgent('a1007');

  const t0 = Date.now();
  const st = await stays.call('agent.setState', { state: 'notReady', reason: 'break' });
  await returns.call('agent.setState', { state: 'notReady', reason: 'break' });
  await new Promise((r) => setTimeout(r, 300));
  await returns.call('agent.setState', { state: 'ready' });

  const alert = await sup.waitFor('supervisor.alert', () => true, 2000);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  expect(alert.data).toEqual({ kind: 'awayTooLong', agentId: 'a1006', team: 'owls', state: 'notReady', reason: 'break', since: st.since, thresholdS: 1 });

  // Past a1007's threshold too: still the one alert (a1006's comes once, a1007 went back in time).
  await new Promise((r) => setTimeout(r, 400));
  expect(sup.events.filter((e) => e.event === 'supervisor.alert').map((e) => e.data.agentId)).toEqual(['a1006']);
  // Agents are not told.
  expect(stays.events.some((e) => e.event === 'supervisor.alert')).toBe(false);
});
