import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '../helpers/transports.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

describe.each(TRANSPORTS)('over %s', (transport) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ transport });
  });
  afterAll(async () => w?.close());

  it('agent A consults agent B, then transfers: the caller talks to B on the original call id', async () => {
    const a = await w.readyAgent('a1001');
    const simCallId = await w.dial('13800000002', '8000');
    const { data } = await a.waitFor('call.offered');
    const callId = data.callId;
    await a.call('call.answer', { callId });
    await a.waitFor('call.established');

    const b = await w.login('a1002');
    await b.call('agent.signIn', { extension: '2002' });

    const { callId: consultId } = await a.call('call.consult', { callId, to: '2002' });
    expect(consultId).not.toBe(callId);
    await a.waitFor('call.held', (d) => d.callId === callId);
    const offered = await b.waitFor('call.offered');
    expect(offered.data).toMatchObject({ callId: consultId, direction: 'internal', consultOf: callId });
    await b.call('call.answer', { callId: consultId });
    await a.waitFor('call.established', (d) => d.callId === consultId);

    await a.call('call.transfer', { callId, consultCallId: consultId });
    const toB = await b.waitFor('call.transferred', (d) => d.callId === callId);
    expect(toB.data).toMatchObject({ state: 'connected', replacesCallId: consultId, from: '13800000002' });
    await a.waitFor('call.transferred', (d) => d.callId === callId && d.state === 'null');

    const call = (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId);
    expect(call.connections.map((c: any) => [c.deviceId, c.state]).sort()).toEqual([
      ['13800000002', 'connected'],
      ['2002', 'connected'],
    ]);
    // B controls the customer's call by its original id.
    await b.call('call.hold', { callId });
    await b.waitFor('call.held', (d) => d.callId === callId);
    await b.call('call.retrieve', { callId });
    await b.call('call.hangup', { callId });

    const row = await eventually(() => {
      const r = w.daemon.storage.repos.calls.get(callId);
      return r?.endedAt ? r : null;
    });
    expect(row.agents).toEqual(['a1001', 'a1002']);
    expect(w.daemon.storage.repos.calls.get(consultId)).toMatchObject({ outcome: 'transferred' });
  });
});
