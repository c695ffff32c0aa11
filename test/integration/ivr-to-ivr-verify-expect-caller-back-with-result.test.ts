/**
 * `call.toIvr`: an agent sends the caller to the demo's identity check (`verify`: a 6-digit PIN
 * ending with #) and gets them back with the result in the call data (`ivr.verify.result`):
 * passed for the right PIN, failed after three wrong ones, abandoned when the caller hangs up in
 * the flow. Unknown flows are NOT_FOUND.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { World } from '../helpers/world.ts';
import { ivrWorld, press, waitHeard } from '../helpers/ivr.ts';
import type { WsClient } from '../helpers/ws-client.ts';

let w: World;
let agent: WsClient;
beforeAll(async () => {
  w = await ivrWorld();
  agent = await w.readyAgent('a1001');
}, 60_000);
afterAll(async () => w?.close());

/** A call from `caller` answered by a1001 (sales pilot 8000); its daemon call id and switch id. */
async function answered(caller: string): Promise<{ callId: string; sim: string }> {
  const mark = agent.events.length;
  const sim = await w.dial(caller, '8000');
  const offered = await agent.waitFor('call.offered', () => true, 8000, mark);
  await agent.call('call.answer', { callId: offered.data.callId });
  await agent.waitFor('call.established', (d) => d.callId === offered.data.callId, 8000, mark);
  return { callId: offered.data.callId, sim };
}

it('the right PIN: back at the agent with ivr.verify.result = passed', async () => {
  const { callId, sim } = await answered('13800000001');
  const mark = agent.events.length;
  const sent = await agent.call('call.toIvr', { callId, flow: 'verify' });
  expect(sent).toMatchObject({ callId, flow: 'verify', returnTo: 'a1001' });
  await waitHeard(w, sim, '请输入六位密码');
  await press(w, sim, '246810#');
  // Back at a1001's phone, ringing (the same call id), with the result in the call data.
  await agent.waitFor('call.offered', (d) => d.callId === callId, 8000, mark);
  expect((await agent.call('call.getData', { callId })).data).toMatchObject({ ivr: { verify: { result: 'passed' } } });
  await w.simApi('POST', `/sim/calls/${sim}/hangup`);
});

it('three wrong PINs: back with failed', async () => {
  const { callId, sim } = await answered('13800000002');
  const mark = agent.events.length;
  await agent.call('call.toIvr', { callId, flow: 'verify' });
  for (let n = 1; n <= 3; n++) {
    await waitHeard(w, sim, '请输入六位密码', n);
    await press(w, sim, '000000#');
  }
  const texts = (await waitHeard(w, sim, '身份验证未通过')).map((i) => i.text ?? '');
  expect(texts.filter((t) => t.includes('密码不正确'))).toHaveLength(2);
  await agent.waitFor('call.offered', (d) => d.callId === callId, 8000, mark);
  expect((await agent.call('call.getData', { callId })).data).toMatchObject({ ivr: { verify: { result: 'failed' } } });
  await w.simApi('POST', `/sim/calls/${sim}/hangup`);
});

it('an unknown flow is NOT_FOUND and the call stays with the agent', async () => {
  const { callId, sim } = await answered('13900000123');
  const err = (await agent.call('call.toIvr', { callId, flow: 'nosuchflow' }).catch((e: Error) => e)) as Error;
  expect(err.message).toMatch(/NOT_FOUND no IVR flow named nosuchflow/);
  expect(await w.simApi('GET', `/sim/calls/${sim}`)).toMatchObject({ connections: expect.arrayContaining([expect.objectContaining({ deviceId: '2001', state: 'connected' })]) });
  await w.simApi('POST', `/sim/calls/${sim}/hangup`);
});
