/**
 * The CSTA link's request meter (link.ts `meter`, exported as switchboard_csta_request_*): every
 * request answered — a response or a CSTAErrorCode — is reported once with its type and the time
 * from written to answered; one not answered in time is reported as timed out and never as
 * answered, even when its answer comes late. Against a raw peer over real TCP (Annex G frames).
 */
import net from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CstaLink, type CstaRequestMeter } from '../../src/pbx-adapters/csta/link.ts';
import type { CstaMessage } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { decodeMessage, encodeMessage } from '../../src/pbx-adapters/csta/protocol/codec.ts';
import { encodeFrame, FrameDecoder } from '../../src/pbx-adapters/csta/protocol/framing.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A switch that hands each request to `answer` (which may answer now, later, or never). */
async function peer(answer: (invokeId: number, msg: CstaMessage, reply: (m: CstaMessage) => void) => void): Promise<number> {
  const server = net.createServer((s) => {
    const decoder = new FrameDecoder();
    s.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk).frames) answer(f.invokeId, decodeMessage(f.xml), (m) => s.write(encodeFrame(f.invokeId, encodeMessage(m))));
    });
    s.on('error', () => {});
    cleanups.push(() => s.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as net.AddressInfo).port;
}

function meter() {
  const answered: { type: string; ms: number }[] = [];
  const timedOut: string[] = [];
  const m: CstaRequestMeter = { answered: (type, ms) => answered.push({ type, ms }), timedOut: (type) => timedOut.push(type) };
  return { m, answered, timedOut };
}

async function link(port: number, m: CstaRequestMeter, requestTimeoutMs = 2000): Promise<CstaLink> {
  const l = await CstaLink.connect({ host: '127.0.0.1', port, logger: pino({ level: 'silent' }), keepAliveMs: 60_000, requestTimeoutMs, meter: m }, { onEvent: () => {}, onSwitchRequest: () => {}, onClose: () => {} });
  cleanups.push(() => l.destroy('test over'));
  return l;
}

const conn = { callId: '7', deviceId: '2001' };

describe('CstaLink meter', () => {
  it('reports each answered request once, with its type and a round trip that includes the switch taking its time', async () => {
    const port = await peer((_id, msg, reply) => {
      if (msg.type === 'HoldCall') setTimeout(() => reply({ type: 'HoldCallResponse' }), 60);
      else if (msg.type === 'AnswerCall') reply({ type: 'CSTAErrorCode', error: { category: 'stateIncompatibility', value: 'invalidConnectionState' } });
    });
    const { m, answered, timedOut } = meter();
    const l = await link(port, m);
    const t0 = performance.now();
    await l.request({ type: 'HoldCall', callToBeHeld: conn });
    const elapsed = performance.now() - t0;
    await l.request({ type: 'AnswerCall', callToBeAnswered: conn }).catch(() => {}); // an error answer is still an answer
    expect(answered.map((a) => a.type)).toEqual(['HoldCall', 'AnswerCall']);
    expect(answered[0]!.ms).toBeGreaterThanOrEqual(55);
    expect(answered[0]!.ms).toBeLessThanOrEqual(elapsed);
    expect(answered[1]!.ms).toBeLessThan(answered[0]!.ms);
    expect(timedOut).toEqual([]);
  });

  it('reports a request not answered in time as timed out, and its late answer as nothing', async () => {
    let late: (() => void) | null = null;
    const port = await peer((_id, msg, reply) => {
      if (msg.type === 'RetrieveCall') late = () => reply({ type: 'RetrieveCallResponse' });
      else reply({ type: 'HoldCallResponse' });
    });
    const { m, answered, timedOut } = meter();
    const l = await link(port, m, 50);
    await expect(l.request({ type: 'RetrieveCall', callToBeRetrieved: conn })).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE' });
    expect(timedOut).toEqual(['RetrieveCall']);
    expect(late).not.toBeNull();
    late!();
    // Same socket: the late answer is written, so read, before the answer to this request.
    await l.request({ type: 'HoldCall', callToBeHeld: conn });
    expect(answered.map((a) => a.type)).toEqual(['HoldCall']);
    expect(timedOut).toEqual(['RetrieveCall']);
    expect(l.isUp).toBe(true);
  });
});
