import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('1 MiB of call data set by agent A arrives intact with the call at transfer target B; more is refused', async () => {
  const a = await w.readyAgent('a1001');
  await w.dial('13800000002', '8000');
  const { data } = await a.waitFor('call.offered');
  const callId = data.callId;
  await a.call('call.answer', { callId });
  await a.waitFor('call.established');

  // A JSON value whose serialization is just under 1 MiB (1,048,576 bytes).
  const filler = 'x'.repeat(1024 * 1024 - 64);
  const payload = { crm: { caseId: 'C-42', notes: filler } };
  expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(1024 * 1024);
  await a.call('call.setData', { callId, data: payload });
  expect((await a.call('call.getData', { callId })).data.crm.caseId).toBe('C-42');

  const tooBig = await a.request('call.setData', { callId, data: { notes: 'y'.repeat(1024 * 1024 + 10) } });
  expect(tooBig.error?.code).toBe('TOO_LARGE');

  const b = await w.login('a1002');
  await b.call('agent.signIn', { extension: '2002' });
  await a.call('call.transfer', { callId, to: '2002' });
  const offered = await b.waitFor('call.offered', (d) => d.callId === callId, 10_000);
  expect(offered.data.callData.crm.caseId).toBe('C-42');
  expect(offered.data.callData.crm.notes.length).toBe(filler.length);
  expect(offered.data.callData.crm.notes).toBe(filler);
  await b.call('call.answer', { callId });
  expect((await b.call('call.getData', { callId })).data.crm.notes).toBe(filler);
});
