import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('an offer not answered within the ring timeout goes back to the queue, the agent becomes notReady (noAnswer), the next agent gets the call', async () => {
  const login = await w.http('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'demo-admin' } });
  const patch = await w.http('PATCH', '/api/v1/admin/queues/sales', { token: login.body.token, body: { ringTimeoutS: 1 } });
  expect(patch.status).toBe(200);

  const sleepy = await w.readyAgent('a1001');
  const simCallId = await w.dial('13800000002', '8000');
  const offered = await sleepy.waitFor('call.offered');
  const mark = sleepy.events.length;
  const t0 = Date.now();
  const gone = await sleepy.waitFor('call.cleared', (d) => d.callId === offered.data.callId, 5000);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(800);
  expect(gone.data.state).toBe('null');
  const st = await sleepy.waitFor('agent.state', (d) => d.state === 'notReady', 5000, mark);
  expect(st.data.reason).toBe('noAnswer');

  // Back on the sales queue device at the switch, waiting.
  await eventually(async () => (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId)?.connections.some((c: any) => c.deviceId === '8900' && c.state === 'queued'));

  // The next agent to become ready gets the same call (same call id: it never left the daemon).
  const awake = await w.readyAgent('a1002');
  const again = await awake.waitFor('call.offered');
  expect(again.data.callId).toBe(offered.data.callId);
  await awake.call('call.answer', { callId: again.data.callId });
  await awake.waitFor('call.established');
  const row = await eventually(() => w.daemon.storage.repos.calls.get(offered.data.callId)?.answeredAt);
  expect(row).toBeGreaterThan(0);
  expect(w.daemon.storage.repos.calls.get(offered.data.callId)!.agents).toEqual(['a1001', 'a1002']);
});
