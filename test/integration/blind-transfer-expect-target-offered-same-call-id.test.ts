import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '../helpers/transports.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

describe.each(TRANSPORTS)('over %s', (transport) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ transport });
  });
  afterAll(async () => w?.close());

  it('agent A blind-transfers the caller to agent B: B is offered the same call id, A is free', async () => {
    const a = await w.readyAgent('a1001');
    const simCallId = await w.dial('13800000002', '8000');
    const { data } = await a.waitFor('call.offered');
    await a.call('call.answer', { callId: data.callId });
    await a.waitFor('call.established');

    const b = await w.login('a1002');
    await b.call('agent.signIn', { extension: '2002' });
    await a.call('call.transfer', { callId: data.callId, to: '2002' });

    const transferred = await a.waitFor('call.transferred', (d) => d.callId === data.callId);
    expect(transferred.data.state).toBe('null');
    const offered = await b.waitFor('call.offered');
    expect(offered.data).toMatchObject({ callId: data.callId, from: '13800000002', state: 'alerting' });
    await a.waitFor('agent.state', (d) => d.state === 'ready', 5000, 3);

    await b.call('call.answer', { callId: data.callId });
    await b.waitFor('call.established', (d) => d.callId === data.callId);
    const conns = (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId).connections.map((c: any) => c.deviceId).sort();
    expect(conns).toEqual(['13800000002', '2002']);

    await b.call('call.hangup', { callId: data.callId });
    const row = await eventually(() => {
      const r = w.daemon.storage.repos.calls.get(data.callId);
      return r?.endedAt ? r : null;
    });
    expect(row.agents).toEqual(['a1001', 'a1002']);
  });
});
