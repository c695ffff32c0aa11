import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('with nobody ready the caller waits on the queue device; hanging up leaves an abandoned row and an empty queue', async () => {
  const sup = await w.login('sup1');
  await sup.call('supervisor.subscribe');
  const simCallId = await w.dial('13800000002', '8000');

  // The switch parks the caller on the sales queue device (8900).
  await eventually(async () => {
    const call = (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId);
    return call?.connections.some((c: any) => c.deviceId === '8900' && c.state === 'queued');
  });
  const stats = await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.waiting === 1, 5000);
  expect(stats.data.agentsReady).toBe(0);
  const listed = await sup.call('queue.list');
  expect(listed.queues.find((q: any) => q.id === 'sales')).toMatchObject({ waiting: 1 });

  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.waiting === 0, 5000);
  const row = await eventually(() => w.daemon.storage.repos.calls.search({ number: '13800000002' }).find((r) => r.endedAt));
  expect(row).toMatchObject({ queueId: 'sales', outcome: 'abandoned', answeredAt: null, firstAgent: null });
  expect(row.queuedAt).not.toBeNull();

  // A later ready agent gets nothing: the call is gone, not stuck in the router.
  const agent = await w.readyAgent('a1001');
  await new Promise((r) => setTimeout(r, 300));
  expect(agent.events.some((e) => e.event === 'call.offered')).toBe(false);
});
