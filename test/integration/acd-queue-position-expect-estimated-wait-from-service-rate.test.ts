import { afterAll, beforeAll, expect, it } from 'vitest';
import { atDevice, supervisorToken } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

async function waiting(): Promise<any[]> {
  const res = await w.http('GET', '/api/v1/queues/sales/calls', { token: await supervisorToken(w) });
  expect(res.status).toBe(200);
  return res.body.calls;
}

it('waiting callers have positions; the estimated wait is "unknown" (null) until the queue has a service rate, then grows with position', async () => {
  const first = await w.dial('13900000801', '8000');
  await atDevice(w, first, '8900');
  const second = await w.dial('13900000802', '8000');
  await atDevice(w, second, '8900');
  let calls = await waiting();
  expect(calls.map((c) => [c.from, c.position, c.estimatedWaitS])).toEqual([
    ['13900000801', 1, null],
    ['13900000802', 2, null],
  ]);
  expect(calls[0].waitingMs).toBeGreaterThanOrEqual(calls[1].waitingMs);

  // Serve six calls: the two waiting and four more, so the queue has a pace (5 samples needed).
  const agent = await w.readyAgent('a1001');
  for (let i = 0; i < 6; i++) {
    if (i >= 2) await w.dial(`1390000090${i}`, '8000');
    const offered = await agent.waitFor('call.offered', (d) => !agent.events.some((e) => e.event === 'call.cleared' && e.data.callId === d.callId));
    await agent.call('call.answer', { callId: offered.data.callId });
    await agent.waitFor('call.established', (d) => d.callId === offered.data.callId);
    await agent.call('call.hangup', { callId: offered.data.callId });
    await agent.waitFor('call.cleared', (d) => d.callId === offered.data.callId);
    await new Promise((r) => setTimeout(r, 100)); // a pace of a few calls a second
  }
  await agent.call('agent.setState', { state: 'notReady', reason: 'break' });
  const a = await w.dial('13900000811', '8000');
  await atDevice(w, a, '8900');
  const b = await w.dial('13900000812', '8000');
  await atDevice(w, b, '8900');
  calls = await waiting();
  expect(calls.map((c) => c.position)).toEqual([1, 2]);
  expect(calls[0].estimatedWaitS).toBeGreaterThan(0);
  expect(calls[1].estimatedWaitS).toBeCloseTo(2 * calls[0].estimatedWaitS, 0);

  const unknown = await w.http('GET', '/api/v1/queues/nope/calls', { token: await supervisorToken(w) });
  expect(unknown.status).toBe(404);

  // The same over the WebSocket for a supervisor console; refused to an agent.
  const sup = await w.login('sup1');
  const ws = await sup.call('queue.calls', { queueId: 'sales' });
  expect(ws.calls.map((c: any) => [c.callId, c.position])).toEqual(calls.map((c) => [c.callId, c.position]));
  expect((await sup.request('queue.calls', { queueId: 'nope' })).error?.code).toBe('NOT_FOUND');
  expect((await agent.request('queue.calls', { queueId: 'sales' })).error?.code).toBe('FORBIDDEN');
});
