import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '../helpers/transports.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

describe.each(TRANSPORTS)('over %s', (transport) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ transport });
  });
  afterAll(async () => w?.close());

  it('the switch drops the link mid-call: the daemon is back within 2 s, agents stay signed in, the call is still controllable and its row complete', async () => {
    const agent = await w.readyAgent('a1001');
    const simCallId = await w.dial('13800000002', '8000');
    const { data } = await agent.waitFor('call.offered');
    const callId = data.callId;
    await agent.call('call.answer', { callId });
    await agent.waitFor('call.established');

    const mark = agent.events.length;
    const t0 = Date.now();
    await w.simApi('POST', '/sim/link/drop');
    await agent.waitFor('link.status', (d) => d.pbx === 'down', 5000, mark);
    await agent.waitFor('link.status', (d) => d.pbx === 'up', 5000, mark);
    const back = Date.now() - t0;
    expect(back).toBeLessThan(2000);
    expect((await w.http('GET', '/health')).body.pbx).toBe('up');

    // Still signed in, still busy on the same call, which the daemon still knows by its id.
    const me = await agent.call('agent.getState');
    expect(me).toMatchObject({ state: 'busy', extension: '2001' });
    await agent.call('call.hold', { callId });
    await agent.waitFor('call.held', (d) => d.callId === callId, 5000, mark);
    await agent.call('call.retrieve', { callId });
    await agent.waitFor('call.retrieved', (d) => d.callId === callId, 5000, mark);
    // The re-established monitors deliver events again: the caller's hang-up reaches the agent.
    await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
    await agent.waitFor('call.cleared', (d) => d.callId === callId, 5000, mark);
    await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, mark);

    const row = await eventually(() => {
      const r = w.daemon.storage.repos.calls.get(callId);
      return r?.endedAt ? r : null;
    });
    expect(row).toMatchObject({ outcome: 'answered', firstAgent: 'a1001', cause: null });
    expect(row.answeredAt).not.toBeNull();
    expect(row.talkMs).toBeGreaterThan(0);
    // The agent is still logged on at the switch (re-asserted after the reconnect).
    const dev = await w.simApi('GET', '/sim/devices/2001');
    expect(JSON.stringify(dev)).toContain('a1001');
  });
});
