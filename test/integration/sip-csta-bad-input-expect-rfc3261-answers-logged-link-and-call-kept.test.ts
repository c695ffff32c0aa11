/**
 * The switch misbehaves at the SIP level mid-call (the simulator's `POST /sim/link/sip-probe`):
 * each request RFC 3261 says how to answer is answered so by the daemon, logged at warn, and
 * neither the association nor the call suffers: the same link stays up (no reconnect), the call is
 * still controllable and its row complete. A BYE of the switch mid-call (association lost) is the
 * link-drop scenario, run over every transport in link-drop-mid-call-….test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transport } from '../helpers/transports.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

type Entry = Record<string, unknown>;

const EXPECTED: { probe: string; status: number; header?: [string, RegExp]; log: RegExp }[] = [
  { probe: 'noContentType', status: 415, header: ['Accept', /^application\/csta\+xml$/], log: /not application\/csta\+xml: 415/ },
  { probe: 'wrongContentType', status: 415, header: ['Accept', /^application\/csta\+xml$/], log: /not application\/csta\+xml: 415/ },
  { probe: 'outsideDialog', status: 481, log: /SIP request refused/ },
  { probe: 'outOfOrder', status: 500, log: /SIP request refused/ },
  { probe: 'malformed', status: 400, header: ['Warning', /^399 .*CSeq method OPTIONS differs from INFO/], log: /malformed SIP message/ },
  { probe: 'unknownMethod', status: 405, header: ['Allow', /\bINFO\b/], log: /does not take: 405/ },
];

describe.each<Transport>(['sip-csta-udp', 'sip-csta-tcp'])('over %s', (transport) => {
  let w: World;
  const logs: Entry[] = [];
  beforeAll(async () => {
    w = await startWorld({ transport, daemonLog: (e) => logs.push(e) });
  });
  afterAll(async () => w?.close());

  it('malformed SIP, a missing or wrong Content-Type, an INFO outside the dialog or out of order, an unknown method, an oversized message: answered per RFC 3261, logged, the link and the call kept', async () => {
    const agent = await w.readyAgent('a1001');
    const simCallId = await w.dial('13800000003', '8000');
    const { data } = await agent.waitFor('call.offered');
    const callId = data.callId as string;
    await agent.call('call.answer', { callId });
    await agent.waitFor('call.established');
    const linksBefore = (await w.simApi('GET', '/sim/links')).links as { id: string }[];
    expect(linksBefore).toHaveLength(1);
    const mark = agent.events.length;

    const cases = [...EXPECTED];
    if (transport === 'sip-csta-tcp') cases.push({ probe: 'oversized', status: 413, log: /malformed SIP message/ });
    for (const c of cases) {
      const before = logs.length;
      const r = await w.simApi('POST', '/sim/link/sip-probe', { probe: c.probe });
      expect(r.results, c.probe).toHaveLength(1);
      const [res] = r.results;
      expect(res.status, `${c.probe}: ${JSON.stringify(res)}`).toBe(c.status);
      if (c.header) expect(res.headers[c.header[0]], c.probe).toMatch(c.header[1]);
      const logged = await eventually(() => logs.slice(before).find((e) => (e.level as number) >= 40 && c.log.test(String(e.msg))), 2000);
      expect(logged, c.probe).toBeTruthy();
    }
    if (transport === 'sip-csta-udp') {
      // No UDP datagram exceeds 65,507 bytes, under the 65,535-byte limit: the probe says so.
      const r = await w.simApi('POST', '/sim/link/sip-probe', { probe: 'oversized' }, true);
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('SIP_PROBE_NOT_POSSIBLE');
    }

    // The same association throughout: no link went down, the switch holds the same link.
    expect(agent.events.slice(mark).filter((e) => e.event === 'link.status')).toEqual([]);
    expect(((await w.simApi('GET', '/sim/links')).links as { id: string }[]).map((l) => l.id)).toEqual(linksBefore.map((l) => l.id));
    expect((await w.http('GET', '/health')).body.pbx).toBe('up');

    // The call is still controllable and its events still arrive.
    await agent.call('call.hold', { callId });
    await agent.waitFor('call.held', (d) => d.callId === callId, 5000, mark);
    await agent.call('call.retrieve', { callId });
    await agent.waitFor('call.retrieved', (d) => d.callId === callId, 5000, mark);
    await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
    await agent.waitFor('call.cleared', (d) => d.callId === callId, 5000, mark);
    const row = await eventually(() => {
      const r = w.daemon.storage.repos.calls.get(callId);
      return r?.endedAt ? r : null;
    });
    expect(row).toMatchObject({ outcome: 'answered', firstAgent: 'a1001', cause: null });
  });
});
