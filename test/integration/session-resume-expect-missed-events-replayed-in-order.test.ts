import { afterAll, beforeAll, expect, it } from 'vitest';
import { WsClient } from '../helpers/ws-client.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

it('a softphone that lost its socket resumes: the events it missed are replayed with their original seq, then numbering goes on', async () => {
  const agent = await w.readyAgent('a1001');
  const { sessionToken } = agent.session;
  expect(typeof sessionToken).toBe('string');
  const lastSeq = agent.events.at(-1)!.seq!;
  // seq so far: 1, 2, 3, … with no gap.
  expect(agent.events.map((e) => e.seq)).toEqual(Array.from({ length: agent.events.length }, (_, i) => i + 1));

  agent.ws.terminate();
  await agent.waitClose();
  // While away, a call is offered (the agent stays signed in and ready).
  await w.dial('13800000002', '8000');
  await new Promise((r) => setTimeout(r, 300));

  const back = await WsClient.open(w.daemon.wsUrl);
  const r = await back.request('session.resume', { sessionToken, lastSeq });
  expect(r.ok).toBe(true);
  expect(r.data.replayed).toBeGreaterThanOrEqual(2);
  const offered = await back.waitFor('call.offered');
  const replayedSeqs = back.events.map((e) => e.seq);
  expect(replayedSeqs[0]).toBe(lastSeq + 1);
  expect(replayedSeqs).toEqual(Array.from({ length: replayedSeqs.length }, (_, i) => lastSeq + 1 + i));

  // The resumed session is fully usable: answer the call it was offered while away.
  await back.call('call.answer', { callId: offered.data.callId });
  const est = await back.waitFor('call.established');
  expect(est.seq!).toBeGreaterThan(replayedSeqs.at(-1)!);
  await back.waitFor('agent.state', (d) => d.state === 'busy');
  // Replayed and new events together: one unbroken sequence.
  const all = back.events.map((e) => e.seq);
  expect(all).toEqual(Array.from({ length: all.length }, (_, i) => lastSeq + 1 + i));
  back.close();
});

it('a resume whose gap is no longer buffered gets a snapshot; an unknown session token is refused with 4003', async () => {
  const agent = await w.readyAgent('a1002');
  const { sessionToken } = agent.session;
  agent.ws.terminate();
  await agent.waitClose();
  const back = await WsClient.open(w.daemon.wsUrl);
  // lastSeq 0 asks for events from the very start; fine while all are buffered…
  const r = await back.request('session.resume', { sessionToken, lastSeq: 0 });
  expect(r.data.replayed).toBeGreaterThan(0);
  back.close();

  const stranger = await WsClient.open(w.daemon.wsUrl);
  const bad = await stranger.request('session.resume', { sessionToken: 'nope', lastSeq: 3 });
  expect(bad.error?.code).toBe('UNAUTHENTICATED');
  expect(await stranger.waitClose()).toBe(4003);
});
