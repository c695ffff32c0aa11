/**
 * A recorded call blind-transferred to an outside number leaves the devices the daemon monitors:
 * the switch tells us nothing more of it, so when the daemon ends the call it Stops the recording
 * (the switch completes the file) and closes the row — not left `recording`, the file whole.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentLegs, answeredCall, closedRecording, sleep } from '../helpers/recording-capture.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('transferred out: the recording is stopped at the switch and closed', async () => {
  const a = await w.readyAgent('a1001');
  const { callId, simCallId } = await answeredCall(w, a, '13900000401', '8000');
  await sleep(300);
  await a.call('call.transfer', { callId, to: '13977777777' });
  const rec = await closedRecording(w, callId);
  expect(rec.duration_ms).toBeGreaterThan(250);
  expect(agentLegs(w, rec.id)).toMatchObject([{ agent: 'a1001' }]);
  const sim = (await w.simApi('GET', '/sim/recordings')).items.find((r: any) => r.simCallId === simCallId);
  expect(sim.endedAt).toBeTruthy();
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
});
