import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '../helpers/transports.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

describe.each(TRANSPORTS)('inbound call to a pilot with a ready agent, over %s', (transport) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ transport });
  });
  afterAll(async () => w?.close());

  it('is offered to the agent, answered, cleared, and leaves a call row and agent-state rows', async () => {
    const agent = await w.readyAgent('a1001');
    const t0 = Date.now();
    const simCallId = await w.dial('13800000002', '8000');

    const offered = await agent.waitFor('call.offered');
    expect(offered.data).toMatchObject({ state: 'alerting', direction: 'inbound', from: '13800000002', to: '8000', queue: 'sales' });
    expect(offered.data.customer).toMatchObject({ name: expect.any(String), vipLevel: 0 });
    const callId: string = offered.data.callId;
    expect(callId).not.toBe(simCallId); // the daemon's own id, not the switch's
    await agent.waitFor('agent.state', (d) => d.state === 'reserved');

    await agent.call('call.answer', { callId });
    await agent.waitFor('call.established', (d) => d.callId === callId && d.state === 'connected');
    await agent.waitFor('agent.state', (d) => d.state === 'busy');
    const simCall = (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId);
    expect(simCall.connections.map((c: any) => [c.deviceId, c.state]).sort()).toEqual([
      ['13800000002', 'connected'],
      ['2001', 'connected'],
    ]);

    await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
    const cleared = await agent.waitFor('call.cleared', (d) => d.callId === callId);
    expect(cleared.data.cause).toBe('normalClearing');
    await agent.waitFor('agent.state', (d) => d.state === 'ready' && Date.parse(d.since) >= t0);

    const row = await eventually(() => {
      const r = w.daemon.storage.repos.calls.get(callId);
      return r?.endedAt ? r : null;
    });
    expect(row).toMatchObject({ direction: 'inbound', fromNumber: '13800000002', toNumber: '8000', queueId: 'sales', firstAgent: 'a1001', outcome: 'answered' });
    expect(row.agents).toEqual(['a1001']);
    expect(row.answeredAt).toBeGreaterThanOrEqual(row.offeredAt);
    expect(row.endedAt).toBeGreaterThanOrEqual(row.answeredAt!);
    expect(row.pbxCallIds).toContain(simCallId);

    const states = w.daemon.storage.repos.stateLog.listForAgent('a1001', t0 - 60_000).map((r) => r.state);
    expect(states).toEqual(['notReady', 'ready', 'reserved', 'busy', 'ready']);
    const rows = w.daemon.storage.repos.stateLog.listForAgent('a1001', t0 - 60_000);
    for (const r of rows.slice(0, -1)) expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(rows.at(-1)!.endedAt).toBeNull();
  });
});
