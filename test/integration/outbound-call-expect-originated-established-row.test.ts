import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('an agent dials out: originated, the far end answers, the agent hangs up; outbound row written', async () => {
  const agent = await w.readyAgent('a1002');
  const { callId } = await agent.call('call.make', { to: '13912345678', callData: { ticket: 'T-1' } });
  expect(typeof callId).toBe('string');
  const originated = await agent.waitFor('call.originated', (d) => d.callId === callId);
  expect(originated.data).toMatchObject({ direction: 'outbound', from: '2002', to: '13912345678', callData: { ticket: 'T-1' } });
  await agent.waitFor('agent.state', (d) => d.state === 'busy');

  await w.simApi('POST', '/sim/devices/13912345678/offhook');
  await agent.waitFor('call.established', (d) => d.callId === callId);
  await agent.call('call.hangup', { callId });
  await agent.waitFor('call.cleared', (d) => d.callId === callId);
  // The agent was ready before dialling out and is ready again.
  await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, 3);

  const row = await eventually(() => {
    const r = w.daemon.storage.repos.calls.get(callId);
    return r?.endedAt ? r : null;
  });
  expect(row).toMatchObject({ direction: 'outbound', fromNumber: '2002', toNumber: '13912345678', outcome: 'answered', firstAgent: 'a1002', hasCallData: true });
  expect((await w.simApi('GET', '/sim/calls')).calls).toHaveLength(0);
});
