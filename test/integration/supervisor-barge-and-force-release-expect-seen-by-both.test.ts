import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '../helpers/transports.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

describe.each(TRANSPORTS)('over %s', (transport) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ transport });
  });
  afterAll(async () => w?.close());

  it('a supervisor watches the centre, listens in silently, barges in, then force-releases the agent; every action audited', async () => {
    const agent = await w.readyAgent('a1002');
    const sup = await w.login('sup1');
    await sup.call('agent.signIn', { extension: '2901' });
    await sup.call('supervisor.subscribe');

    const simCallId = await w.dial('13800000002', '8000');
    const offered = await agent.waitFor('call.offered');
    const callId = offered.data.callId;
    await agent.call('call.answer', { callId });
    await sup.waitFor('call.established', (d) => d.callId === callId && d.agentId === 'a1002');

    const snap = await sup.call('supervisor.snapshot');
    expect(snap.agents.find((a: any) => a.agentId === 'a1002')).toMatchObject({ state: 'busy', extension: '2002', calls: [{ callId, state: 'connected' }] });

    await sup.call('supervisor.monitor', { agentId: 'a1002', mode: 'silent' });
    const participation = async () => (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId).connections.find((c: any) => c.deviceId === '2901')?.participation;
    await eventually(async () => (await participation()) === 'silent');
    // 强插: switch the running monitor to barge.
    await sup.call('supervisor.setMode', { callId, mode: 'barge' });
    await eventually(async () => (await participation()) === 'barge');
    const seenBySup = await sup.waitFor('call.conferenced', (d) => d.callId === callId && d.participation === 'barge');
    expect(seenBySup.data.agentId).toBe('sup1');
    // The agent hears the supervisor come in: the barge is news on the agent's own call.
    const seenByAgent = await agent.waitFor('call.conferenced', (d) => d.callId === callId);
    expect(seenByAgent.data).toMatchObject({ agentId: 'a1002', monitoredBy: 'sup1', participation: 'barge', state: 'connected' });
    // The silent phase before it was not announced to the agent.
    expect(agent.events.filter((e) => e.event === 'call.conferenced')).toHaveLength(1);

    // Leave, and come back: the supervisor's phone goes, the agent and the caller stay connected.
    await sup.call('supervisor.stopMonitor', { callId });
    await eventually(async () => (await participation()) === undefined);
    const left = (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId);
    expect(left.connections.filter((c: any) => c.state === 'connected').map((c: any) => c.deviceId).sort()).toEqual(['13800000002', '2002']);
    expect((await sup.request('supervisor.stopMonitor', { callId })).error?.code).toBe('INVALID_STATE');
    await sup.call('supervisor.monitor', { agentId: 'a1002', mode: 'silent' });
    await eventually(async () => (await participation()) === 'silent');

    // 强拆: release the agent; the agent sees the call cleared, the supervisor sees it too.
    await sup.call('supervisor.forceRelease', { agentId: 'a1002' });
    await agent.waitFor('call.cleared', (d) => d.callId === callId);
    await sup.waitFor('call.cleared', (d) => d.callId === callId && d.agentId === 'a1002');
    await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, 3);

    const actions = w.daemon.storage.repos.audit.list({ actor: 'sup1', limit: 10 }).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['supervisor.monitor', 'supervisor.setMode', 'supervisor.stopMonitor', 'supervisor.forceRelease']));
  });

  it('a supervisor forces an agent notReady and signs another out, and announces to a queue', async () => {
    const a = await w.readyAgent('a1003');
    const b = await w.readyAgent('a1004');
    const sup = await w.login('sup1');
    const r = await sup.call('supervisor.setAgentState', { agentId: 'a1003', state: 'notReady', reason: 'coaching' });
    expect(r).toMatchObject({ state: 'notReady', reason: 'coaching' });
    await a.waitFor('agent.state', (d) => d.state === 'notReady' && d.reason === 'coaching');
    await sup.call('supervisor.setAgentState', { agentId: 'a1004', state: 'loggedOut' });
    await b.waitFor('agent.state', (d) => d.state === 'loggedOut');
    const sent = await sup.call('announce.send', { text: 'Team meeting at 3', to: { queues: ['sales'] } });
    expect(sent.recipients).toBeGreaterThanOrEqual(2);
    const ann = await a.waitFor('announce');
    expect(ann.data).toMatchObject({ from: 'sup1', text: 'Team meeting at 3' });
  });

  it('a whispering supervisor is heard by the agent only: the agent is told, the switch has a whisper party, the caller stays connected', async () => {
    const agent = await w.readyAgent('a1007');
    const sup = await w.login('sup1');
    const simCallId = await w.dial('13900000901', '8001');
    const offered = await agent.waitFor('call.offered');
    const callId = offered.data.callId;
    await agent.call('call.answer', { callId });
    await agent.waitFor('call.established', (d) => d.callId === callId);
    const r = await sup.call('supervisor.monitor', { agentId: 'a1007', mode: 'whisper' });
    expect(r).toEqual({ callId, mode: 'whisper' });
    const told = await agent.waitFor('call.conferenced', (d) => d.callId === callId);
    expect(told.data).toMatchObject({ monitoredBy: 'sup1', participation: 'whisper' });
    const call = await eventually(async () => (await w.simApi('GET', '/sim/calls')).calls.find((c: any) => c.simCallId === simCallId && c.connections.some((x: any) => x.deviceId === '2901')));
    expect(call.connections.find((x: any) => x.deviceId === '2901').participation).toBe('whisper');
    expect(call.connections.filter((x: any) => x.state === 'connected').length).toBeGreaterThanOrEqual(2);
    await agent.call('call.hangup', { callId });
    await agent.waitFor('call.cleared', (d) => d.callId === callId);
  });
});
