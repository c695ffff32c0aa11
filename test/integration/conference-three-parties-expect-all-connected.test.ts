import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '../helpers/transports.ts';
import { startWorld, type World } from '../helpers/world.ts';

describe.each(TRANSPORTS)('over %s', (transport) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ transport });
  });
  afterAll(async () => w?.close());

  it('agent A conferences the caller and agent B; B leaving keeps A with the caller', async () => {
    const a = await w.readyAgent('a1001');
    const simCallId = await w.dial('13800000002', '8000');
    const { data } = await a.waitFor('call.offered');
    const callId = data.callId;
    await a.call('call.answer', { callId });
    await a.waitFor('call.established');
    const b = await w.login('a1002');
    await b.call('agent.signIn', { extension: '2002' });

    const { callId: consultId } = await a.call('call.consult', { callId, to: '2002' });
    await b.waitFor('call.offered', (d) => d.callId === consultId);
    await b.call('call.answer', { callId: consultId });
    await a.waitFor('call.established', (d) => d.callId === consultId);

    await a.call('call.conference', { callId, consultCallId: consultId });
    const forA = await a.waitFor('call.conferenced', (d) => d.callId === callId);
    expect(forA.data.state).toBe('connected');
    const forB = await b.waitFor('call.conferenced', (d) => d.callId === callId);
    expect(forB.data).toMatchObject({ state: 'connected', replacesCallId: consultId });

    const conns = async () => (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId).connections.map((c: any) => [c.deviceId, c.state]).sort();
    expect(await conns()).toEqual([
      ['13800000002', 'connected'],
      ['2001', 'connected'],
      ['2002', 'connected'],
    ]);

    await b.call('call.hangup', { callId });
    await b.waitFor('call.cleared', (d) => d.callId === callId);
    expect(await conns()).toEqual([
      ['13800000002', 'connected'],
      ['2001', 'connected'],
    ]);
    // A is still on the call and can control it.
    await a.call('call.hold', { callId });
    await a.waitFor('call.held', (d) => d.callId === callId);
  });
});
