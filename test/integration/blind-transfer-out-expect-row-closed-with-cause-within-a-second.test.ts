/**
 * Calls that leave us (issue: real switch, point 2), over real TCP and WebSocket. A real switch
 * sends CallClearedEvent only to the monitors still in the call: once an agent blind-transfers a
 * caller to an outside number or to an extension nobody monitors, the daemon hears nothing more of
 * it. It must end the call itself (the tracker's departure grace, 1 s): the row closed with its end
 * time, cause and where the call went, the agent free and routable, nothing of the call left at the
 * agent's phone.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { supervisorToken } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';
import type { WsClient } from '../helpers/ws-client.ts';

let w: World;
let supToken: string;
beforeAll(async () => {
  w = await startWorld();
  supToken = await supervisorToken(w);
});
afterAll(async () => w?.close());

/** Caller → pilot 8000 → the agent, answered; resolves with the daemon's call id. */
async function answeredCall(agent: WsClient, from: string): Promise<{ callId: string; simCallId: string }> {
  const mark = agent.events.length;
  const simCallId = await w.dial(from, '8000');
  const offered = await agent.waitFor('call.offered', (d) => d.from === from, 8000, mark);
  await agent.call('call.answer', { callId: offered.data.callId });
  await agent.waitFor('call.established', (d) => d.callId === offered.data.callId, 8000, mark);
  return { callId: offered.data.callId, simCallId };
}

/** The call's row as a supervisor reads it (GET /api/v1/calls/:callId), once it has ended. */
async function endedRow(callId: string, timeoutMs: number): Promise<any> {
  return eventually(async () => {
    const r = await w.http('GET', `/api/v1/calls/${callId}`, { token: supToken });
    return r.status === 200 && r.body.call.endedAt !== null ? r.body.call : null;
  }, timeoutMs, 20);
}

/** What a supervisor sees at the agent's phone now (supervisor.snapshot). */
async function callsAtAgent(sup: WsClient, agentId: string): Promise<unknown[]> {
  const snap = await sup.call('supervisor.snapshot');
  return snap.agents.find((a: any) => a.agentId === agentId).calls;
}

async function expectFreeAndRoutable(agent: WsClient, sup: WsClient, agentId: string, from: string, mark: number): Promise<void> {
  await agent.waitFor('agent.state', (d) => d.state === 'ready', 5000, mark);
  expect((await agent.call('agent.getState')).state).toBe('ready');
  expect(await callsAtAgent(sup, agentId)).toEqual([]);
  // The next caller is routed to the agent as usual, and ends as usual.
  const next = await answeredCall(agent, from);
  await w.simApi('POST', `/sim/calls/${next.simCallId}/hangup`);
  const row = await endedRow(next.callId, 5000);
  expect(row).toMatchObject({ outcome: 'answered', firstAgent: agentId, leftTo: null });
  expect(await callsAtAgent(sup, agentId)).toEqual([]);
}

it('blind transfer to an outside number: the row is closed with cause transferred and leftTo the number within a second; the agent is free and gets the next call', async () => {
  const sup = await w.login('sup1');
  const agent = await w.readyAgent('a1001');
  const { callId, simCallId } = await answeredCall(agent, '13900000501');

  const mark = agent.events.length;
  const t0 = Date.now();
  await agent.call('call.transfer', { callId, to: '13912345678' });
  const transferred = await agent.waitFor('call.transferred', (d) => d.callId === callId, 5000, mark);
  expect(transferred.data).toMatchObject({ state: 'null', cause: 'transferred' });

  // The switch still has the call (caller and the outside party), but tells us nothing more of it.
  const atSwitch = (await w.simApi('GET', `/sim/calls/${simCallId}`)).connections.map((c: any) => c.deviceId).sort();
  expect(atSwitch).toEqual(['13900000501', '13912345678']);

  const row = await endedRow(callId, 3000);
  const tookMs = Date.now() - t0;
  expect(tookMs).toBeLessThan(1500);
  expect(row).toMatchObject({ cause: 'transferred', leftTo: '13912345678', firstAgent: 'a1001', outcome: 'answered' });
  expect(row.endedAt).toBeGreaterThanOrEqual(row.answeredAt);
  expect(row.talkMs).toBeGreaterThanOrEqual(0);

  await expectFreeAndRoutable(agent, sup, 'a1001', '13900000502', mark);
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  await agent.call('agent.setState', { state: 'notReady' });
});

it('blind transfer to an extension nobody monitors: the row is closed with leftTo that extension within a second; the agent is free and gets the next call', async () => {
  const sup = await w.login('sup1');
  const agent = await w.readyAgent('a1002');
  const { callId, simCallId } = await answeredCall(agent, '13900000503');

  const mark = agent.events.length;
  const t0 = Date.now();
  await agent.call('call.transfer', { callId, to: '3000' }); // an extension no agent uses: not monitored
  await agent.waitFor('call.transferred', (d) => d.callId === callId && d.state === 'null', 5000, mark);
  const row = await endedRow(callId, 3000);
  expect(Date.now() - t0).toBeLessThan(1500);
  expect(row).toMatchObject({ cause: 'transferred', leftTo: '3000', firstAgent: 'a1002', outcome: 'answered' });

  // The unmonitored extension answers and the caller talks there: still nothing reaches us.
  await w.simApi('POST', '/sim/devices/3000/offhook');
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  const again = await w.http('GET', `/api/v1/calls/${callId}`, { token: supToken });
  expect(again.body.call).toMatchObject({ endedAt: row.endedAt, cause: 'transferred', leftTo: '3000' });

  await expectFreeAndRoutable(agent, sup, 'a1002', '13900000504', mark);
  await agent.call('agent.setState', { state: 'notReady' });
});

it('consultation transfer to an outside number: the customer call row is closed with leftTo the number within a second, the consultation merged into it', async () => {
  const sup = await w.login('sup1');
  const agent = await w.readyAgent('a1003');
  const { callId, simCallId } = await answeredCall(agent, '13900000505');

  const mark = agent.events.length;
  const consult = await agent.call('call.consult', { callId, to: '13912340000' });
  await w.simApi('POST', '/sim/devices/13912340000/offhook'); // the outside party answers
  await agent.waitFor('call.established', (d) => d.callId === consult.callId, 5000, mark);
  const t0 = Date.now();
  await agent.call('call.transfer', { callId, consultCallId: consult.callId });
  const row = await endedRow(callId, 3000);
  expect(Date.now() - t0).toBeLessThan(1500);
  expect(row).toMatchObject({ cause: 'transferred', leftTo: '13912340000', firstAgent: 'a1003', outcome: 'answered' });
  const consultRow = await endedRow(consult.callId, 3000);
  expect(consultRow).toMatchObject({ outcome: 'transferred' });
  await expectFreeAndRoutable(agent, sup, 'a1003', '13900000506', mark);
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  await agent.call('agent.setState', { state: 'notReady' });
});
