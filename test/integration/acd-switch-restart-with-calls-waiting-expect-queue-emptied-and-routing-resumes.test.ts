import { afterAll, beforeAll, expect, it } from 'vitest';
import { atDevice } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('the switch restarts while callers wait and one rings at an agent: the lost calls leave the queue, agents (also one who went ready meanwhile) take the next callers, each offered once', async () => {
  const a1 = await w.readyAgent('a1001');
  await w.dial('13900000911', '8000');
  const ringing = await a1.waitFor('call.offered');
  for (const n of ['13900000912', '13900000913']) await atDevice(w, await w.dial(n, '8000'), '8900');
  const a2 = await w.login('a1002');
  await a2.call('agent.signIn', { extension: '2002' });

  await w.simApi('POST', '/sim/restart');
  await a2.waitFor('link.status', (d) => d.pbx === 'down', 2000);
  await a2.call('agent.setState', { state: 'ready' });
  await a2.waitFor('link.status', (d) => d.pbx === 'up', 2000);
  await a1.waitFor('call.cleared', (d) => d.callId === ringing.data.callId, 2000);
  await a1.waitFor('agent.state', (d) => d.state === 'ready', 2000, a1.events.indexOf(ringing));
  const sup = await w.login('sup1');
  await eventually(async () => (await sup.call('queue.list')).queues.find((q: any) => q.id === 'sales').waiting === 0, 2000);

  // Two new callers: one to each agent, each offered once.
  await w.dial('13900000914', '8000');
  await w.dial('13900000915', '8000');
  const o1 = await a1.waitFor('call.offered', (d) => d.callId !== ringing.data.callId, 2000);
  const o2 = await a2.waitFor('call.offered', () => true, 2000);
  expect([o1.data.from, o2.data.from].sort()).toEqual(['13900000914', '13900000915']);
  expect(a1.events.filter((e) => e.event === 'call.offered')).toHaveLength(2);
  expect(a2.events.filter((e) => e.event === 'call.offered')).toHaveLength(1);
});
