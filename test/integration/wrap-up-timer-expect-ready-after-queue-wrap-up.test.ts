import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('after a call of a queue with 1 s wrap-up the agent is workingAfterCall, then ready by the timer; or ends it early', async () => {
  // The admin gives the sales queue a wrap-up time over the HTTP API; the daemon reloads it.
  const login = await w.http('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'demo-admin' } });
  expect(login.status).toBe(200);
  const patch = await w.http('PATCH', '/api/v1/admin/queues/sales', { token: login.body.token, body: { wrapUpS: 1 } });
  expect(patch.status).toBe(200);

  const agent = await w.readyAgent('a1001');
  for (const round of [1, 2]) {
    const start = agent.events.length;
    const simCallId = await w.dial('13800000002', '8000');
    const { data } = await agent.waitFor('call.offered', () => true, 5000, start);
    await agent.call('call.answer', { callId: data.callId });
    await agent.waitFor('call.established', (d) => d.callId === data.callId, 5000, start);
    const mark = agent.events.length;
    await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
    const wrap = await agent.waitFor('agent.state', (d) => d.state === 'workingAfterCall', 5000, mark);
    const t0 = Date.parse(wrap.data.since);
    if (round === 1) {
      const ready = await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, mark);
      const took = Date.parse(ready.data.since) - t0;
      expect(took).toBeGreaterThanOrEqual(950);
      expect(took).toBeLessThan(2000);
    } else {
      // The agent ends wrap-up by choosing ready.
      const r = await agent.call('agent.setState', { state: 'ready' });
      expect(r.state).toBe('ready');
      expect(Date.parse(r.since) - t0).toBeLessThan(900);
    }
  }
});
