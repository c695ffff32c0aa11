/**
 * `queue.statsEvents` (docs/api.md, Queues): a softphone that shows no queue figures turns the
 * once-a-second `queue.stats` off for its session; the other members keep getting them, and it
 * gets them again once it turns them back on. Issue 11: fan-out by interest.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('an agent turns queue.stats off: none reach it while its colleague gets each change; on again, they come back', async () => {
  const a1 = await w.readyAgent('a1001');
  const a2 = await w.readyAgent('a1002');
  expect(await a1.call('queue.statsEvents', { enabled: false })).toEqual({ enabled: false });
  const mark1 = a1.events.length;

  // The queue changes (a2 steps away): a2 is told, a1 is not. Anything sent to a1 before its ping
  // answer would be in front of it on the same socket.
  await a2.call('agent.setState', { state: 'notReady', reason: 'break' });
  await a2.waitFor('queue.stats', (d) => d.id === 'sales' && d.agentsReady === 1);
  await a1.call('session.ping');
  expect(a1.events.slice(mark1).filter((e) => e.event === 'queue.stats')).toEqual([]);
  // Its own events still come.
  expect((await a1.call('queue.list')).queues.find((q: { id: string }) => q.id === 'sales')).toMatchObject({ agentsReady: 1 });

  expect(await a1.call('queue.statsEvents', { enabled: true })).toEqual({ enabled: true });
  await a2.call('agent.setState', { state: 'ready' });
  await a1.waitFor('queue.stats', (d) => d.id === 'sales' && d.agentsReady === 2);

  // Refused: not a boolean.
  await expect(a1.call('queue.statsEvents', { enabled: 'no' })).rejects.toThrow(/BAD_REQUEST/);
});
