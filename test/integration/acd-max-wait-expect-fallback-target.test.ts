import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, atDevice, routingOf } from '../helpers/acd.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('a caller who waits past the maximum wait is sent to the fallback target (voicemail: the voicemail flow on an IVR port) and the call row says so', async () => {
  await admin(w, '/queues/sales', { maxWaitS: 1, overflowTarget: 'voicemail:8120' });
  const t0 = Date.now();
  const sim = await w.dial('13900000501', '8000');
  await atDevice(w, sim, '8900');
  // The voicemail flow runs on a port reserved for the call: its first prompt is heard there.
  const first = await eventually(async () => (await w.simApi('GET', `/sim/calls/${sim}/heard`)).items.find((i: { port: string; kind: string }) => i.kind === 'tts'), 8000);
  expect(first.port).toMatch(/^81[0-2][0-9]$/);
  await atDevice(w, sim, first.port, 'connected', 5000);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  await w.simApi('POST', `/sim/calls/${sim}/hangup`);
  const rows = await eventually(() => {
    const r = w.daemon.storage.repos.calls.search({ number: '13900000501' });
    return r[0]?.endedAt ? r : null;
  });
  expect(rows[0]).toMatchObject({ queueId: 'sales', outcome: 'maxWait' });
  const decisions = (await routingOf(w, rows[0]!.id)).decisions;
  expect(decisions).toHaveLength(1);
  expect(decisions[0]).toMatchObject({ kind: 'fallback', queueId: 'sales' });
  expect(decisions[0].detail).toMatchObject({ reason: 'maxWait', target: { kind: 'voicemail', mailbox: '8120' } });
});
