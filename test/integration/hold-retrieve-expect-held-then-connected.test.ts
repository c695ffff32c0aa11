import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('an agent holds and retrieves a call; the switch and the agent agree on each state', async () => {
  const agent = await w.readyAgent('a1003');
  const simCallId = await w.dial('13800000002', '8000');
  const { data } = await agent.waitFor('call.offered');
  await agent.call('call.answer', { callId: data.callId });
  await agent.waitFor('call.established');

  const stateAtSwitch = async () => (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId).connections.find((c: any) => c.deviceId === '2003').state;

  await agent.call('call.hold', { callId: data.callId });
  const held = await agent.waitFor('call.held', (d) => d.callId === data.callId);
  expect(held.data.state).toBe('hold');
  expect(await stateAtSwitch()).toBe('hold');

  // Holding a held call is refused, with the state explained.
  const again = await agent.request('call.hold', { callId: data.callId });
  expect(again.error?.code).toBe('INVALID_STATE');

  await agent.call('call.retrieve', { callId: data.callId });
  const retrieved = await agent.waitFor('call.retrieved', (d) => d.callId === data.callId);
  expect(retrieved.data.state).toBe('connected');
  expect(await stateAtSwitch()).toBe('connected');

  // The call row keeps the hold time: from the held event to the retrieved one, as the daemon saw them.
  const heldFor = Date.parse(retrieved.ts) - Date.parse(held.ts);
  await agent.call('call.hangup', { callId: data.callId });
  await agent.waitFor('call.cleared', (d) => d.callId === data.callId);
  const row = await eventually(() => {
    const r = w.daemon.storage.sqlite.prepare<[string], { hold_ms: number; talk_ms: number | null }>('SELECT hold_ms, talk_ms FROM calls WHERE id = ?').get(data.callId);
    return r && r.talk_ms !== null ? r : null;
  });
  expect(row.hold_ms).toBeGreaterThan(0);
  expect(Math.abs(row.hold_ms - heldFor)).toBeLessThanOrEqual(50);
  expect(row.hold_ms).toBeLessThanOrEqual(row.talk_ms!);
});
