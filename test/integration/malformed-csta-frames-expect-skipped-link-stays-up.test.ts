import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeFrame } from '../../src/pbx-adapters/csta/protocol/framing.ts';
import { encodeMessage } from '../../src/pbx-adapters/csta/protocol/codec.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

const frame = (invokeId: number, xml: string) => encodeFrame(invokeId, xml);
/** A header claiming `declared` bytes of XML in all. */
const header = (total: number, invokeId = '9999') => {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0, 0);
  h.writeUInt16BE(total, 2);
  h.write(invokeId, 4, 'ascii');
  return h;
};
const harmless = () => frame(9999, encodeMessage({ type: 'DtmfDetectedEvent', monitorCrossRefId: 'none', overConnection: { callId: '1', deviceId: '2001' }, dtmfChar: '1' }));

it('malformed and truncated frames from the switch are skipped; the link and the calls go on', async () => {
  const agent = await w.readyAgent('a1001');
  const linksBefore = (await w.simApi('GET', '/sim/links')).links;
  expect(linksBefore).toHaveLength(1);

  const inject = (b: Buffer) => w.simApi('POST', '/sim/link/inject', { base64: b.toString('base64') });
  const deliveredXml = encodeMessage({ type: 'DeliveredEvent', monitorCrossRefId: '1', connection: { callId: '5', deviceId: '2001' }, alertingDevice: '2001', cause: 'newCall' });
  // 1. Not XML at all.
  await inject(frame(9999, 'this is not xml <<<'));
  // 2. XML cut off in the middle (the frame's length covers exactly the cut-off text).
  await inject(frame(9999, deliveredXml.slice(0, 60)));
  // 3. Well-formed, but an element we do not know.
  await inject(frame(9999, '<?xml version="1.0"?><FrobnicateEvent xmlns="x"><a>1</a></FrobnicateEvent>'));
  // 4. Well-formed, known, but a required field missing.
  await inject(frame(9999, '<?xml version="1.0"?><DeliveredEvent xmlns="x"><monitorCrossRefID>1</monitorCrossRefID></DeliveredEvent>'));
  // 5. Garbage bytes with no valid header, then a good frame.
  await inject(Buffer.concat([Buffer.from([0xff, 0x13, 0x00, 0x07, 0x41, 0x42]), harmless()]));
  // 6. A truncated frame: its header promises 300 bytes, 40 arrive, then ordinary frames follow.
  await inject(Buffer.concat([header(300), Buffer.from(deliveredXml.slice(0, 40)), ...Array.from({ length: 12 }, harmless)]));

  // The link was never dropped: same link, no link.status down, health says up.
  await new Promise((r) => setTimeout(r, 200));
  const linksAfter = (await w.simApi('GET', '/sim/links')).links;
  expect(linksAfter.map((l: any) => l.id)).toEqual(linksBefore.map((l: any) => l.id));
  expect(agent.events.some((e) => e.event === 'link.status' && e.data.pbx === 'down')).toBe(false);
  expect((await w.http('GET', '/health')).body.pbx).toBe('up');

  // And calls still flow end to end.
  const simCallId = await w.dial('13800000002', '8000');
  const { data } = await agent.waitFor('call.offered');
  await agent.call('call.answer', { callId: data.callId });
  await agent.waitFor('call.established');
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  await agent.waitFor('call.cleared');
});

it('a frame whose length field overruns into the next frames does not make the link deaf: the daemon resynchronises at once', async () => {
  const sup = await w.login('sup1');
  await sup.request('supervisor.setAgentState', { agentId: 'a1001', state: 'notReady' }); // the first scenario's agent, when it ran
  const agent = await w.readyAgent('a1002');
  const inject = (b: Buffer) => w.simApi('POST', '/sim/link/inject', { base64: b.toString('base64') });
  // The header promises 60,000 bytes; 30 come. Before, everything the switch sent next was taken
  // as the rest of that frame until 60,000 bytes had passed: no call would reach an agent.
  await inject(Buffer.concat([header(60_000), Buffer.from('<DeliveredEvent><monitorCro')]));
  const t0 = Date.now();
  const simCallId = await w.dial('13900000077', '8000');
  const { data } = await agent.waitFor('call.offered', () => true, 3000);
  expect(Date.now() - t0).toBeLessThan(2000);
  expect((await w.http('GET', '/health')).body.pbx).toBe('up');
  await agent.call('call.answer', { callId: data.callId });
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
  await agent.waitFor('call.cleared');
});
