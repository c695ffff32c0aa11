/**
 * An admin edits one agent while another agent's phone is ringing with a routed call: the ringing
 * agent keeps the offer and answers it; the edited agent's change applies at once (it is offered
 * a call of the queue it was just made a member of); the daemon read that one agent back, not the
 * whole directory.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('the offer stands, the edit applies, one agent is read back', async () => {
  const admin = (await w.http('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'demo-admin' } })).body.token as string;
  const a1 = await w.readyAgent('a1001');
  const simCallId = await w.dial('13800000101', '8000');
  const offered = await a1.waitFor('call.offered');
  await a1.waitFor('agent.state', (d) => d.state === 'reserved');
  const reads = w.daemon.storage.directoryReads();

  // a1002 (sales) now also serves support, explicitly.
  const patch = await w.http('PATCH', '/api/v1/admin/agents/a1002', { token: admin, body: { queues: ['support'], team: 'support' } });
  expect(patch.status).toBe(200);
  expect(w.daemon.storage.directoryReads()).toEqual({ full: reads.full, agent: reads.agent + 1 });

  // The ringing agent's offer is untouched: still reserved, and the call is answered there.
  await a1.call('call.answer', { callId: offered.data.callId });
  await a1.waitFor('call.established', (d) => d.callId === offered.data.callId && d.state === 'connected');
  await a1.waitFor('agent.state', (d) => d.state === 'busy');
  expect(a1.events.filter((e) => e.event === 'call.offered')).toHaveLength(1);

  // The edit applies at once: with no support agent ready, a support call is offered to a1002.
  const a2 = await w.readyAgent('a1002');
  await w.dial('13800000102', '8001');
  const offered2 = await a2.waitFor('call.offered');
  expect(offered2.data).toMatchObject({ queue: 'support', from: '13800000102' });

  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  await a1.waitFor('call.cleared', (d) => d.callId === offered.data.callId);
}, 30_000);
