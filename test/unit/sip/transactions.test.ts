/** SIP transactions over real UDP and TCP sockets on 127.0.0.1 (t1 = 20 ms, t2 = 80 ms). */
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseSipMessage,
  parseVia,
  responseFor,
  SipDialog,
  SipTimeoutError,
  tagOf,
  type SipMessage,
  type SipPeer,
  type SipRequest,
  type SipResponse,
} from '../../../src/pbx-adapters/sip/index.ts';
import { FAST, lossyRelay, makeRequest, nextEvent, pair, type Pair } from './helpers.ts';

let open: Pair | null = null;
let relayClose: (() => void) | null = null;
afterEach(async () => {
  await open?.close();
  relayClose?.();
  open = null;
  relayClose = null;
});

/** Datagrams/messages the server endpoint received, with their arrival times. */
function record(p: Pair): { msg: SipMessage; at: number }[] {
  const seen: { msg: SipMessage; at: number }[] = [];
  p.server.onMessage((msg) => seen.push({ msg, at: performance.now() }));
  return seen;
}

describe('client transactions over UDP: retransmission schedule', () => {
  it('non-INVITE unanswered: Timer E doubles from T1 and caps at T2; Timer F rejects with SipTimeoutError at 64*T1; the server handler runs once', async () => {
    open = await pair('udp');
    const seen = record(open);
    let handled = 0;
    open.serverLayer.onRequest(() => handled++); // never answers
    const started = performance.now();
    const err = await open.clientLayer.request(makeRequest('INFO'), open.to).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SipTimeoutError);
    expect((err as SipTimeoutError).code).toBe('SIP_TIMEOUT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(64 * FAST.t1 - 2);
    // sends due at 0, 20, 60, 140, then every 80 until 1280: 18 at most (fewer when the machine is
    // slow). A datagram never arrives before its send was due.
    const due = [0, 20, 60, 140];
    while (due.length < 18) due.push(due[due.length - 1]! + FAST.t2);
    expect(seen.length).toBeGreaterThanOrEqual(9); // doubling with no cap would make 7 at most
    expect(seen.length).toBeLessThanOrEqual(18);
    seen.forEach((s, i) => expect(s.at - started, `send ${i}`).toBeGreaterThanOrEqual(due[i]! - 2));
    expect(handled).toBe(1);
  });

  it('INVITE unanswered: Timer A doubles with no cap; Timer B rejects', async () => {
    open = await pair('udp');
    const seen = record(open);
    open.serverLayer.onRequest(() => undefined);
    // the server layer would send 100 Trying after 200 ms and stop the retransmissions: not here
    open.serverLayer.close();
    const started = performance.now();
    const err = await open.clientLayer.request(makeRequest('INVITE'), open.to).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SipTimeoutError);
    expect((err as SipTimeoutError).timer).toBe('B');
    expect(seen.length).toBeLessThanOrEqual(7); // due at 0, 20, 60, 140, 300, 620, 1260
    expect(seen.length).toBeGreaterThanOrEqual(5);
    seen.forEach((s, i) => expect(s.at - started, `send ${i}`).toBeGreaterThanOrEqual(FAST.t1 * (2 ** i - 1) - 2));
  });

  it('a lost response: the retransmitted request gets the same response again, the handler runs once', async () => {
    let relay!: Awaited<ReturnType<typeof lossyRelay>>;
    open = await pair('udp', {
      via: async (port) => {
        relay = await lossyRelay(port, { toClient: 2 });
        return relay.peer;
      },
    });
    relayClose = () => relay.close();
    let handled = 0;
    open.serverLayer.onRequest((req, txn) => {
      handled++;
      txn.respond(responseFor(req, 200, undefined, { body: Buffer.from('<answer/>'), contentType: 'application/csta+xml' }));
    });
    const res = await open.clientLayer.request(makeRequest('INFO', 7, { body: '<q/>' }), open.to);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('<answer/>');
    expect(handled).toBe(1);
    expect(relay.toServer.length).toBe(3);
    const responses = relay.toClient.map((b) => parseSipMessage(b) as SipResponse);
    expect(responses).toHaveLength(3);
    expect(new Set(responses.map((r) => r.headers.get('To'))).size).toBe(1); // the same response, same tag
  });

  it('a lost request: retransmitted at T1 and answered', async () => {
    let relay!: Awaited<ReturnType<typeof lossyRelay>>;
    open = await pair('udp', {
      via: async (port) => {
        relay = await lossyRelay(port, { toServer: 1 });
        return relay.peer;
      },
    });
    relayClose = () => relay.close();
    open.serverLayer.onRequest((req, txn) => txn.respond(responseFor(req, 200)));
    expect((await open.clientLayer.request(makeRequest('INFO'), open.to)).status).toBe(200);
    expect(relay.toServer.length).toBe(2);
  });
});

describe.each(['udp', 'tcp'] as const)('transactions over %s', (transport) => {
  it('adds the top Via (transport, address, port, branch, rport); 1xx go to onProvisional; the final resolves', async () => {
    open = await pair(transport);
    let via = '';
    open.serverLayer.onRequest((req, txn) => {
      via = req.headers.getAll('Via')[0]!;
      txn.respond(responseFor(req, 180));
      txn.respond(responseFor(req, 200, undefined, { toTag: 'sw' }));
    });
    const provisional: number[] = [];
    const res = await open.clientLayer.request(makeRequest('INVITE'), open.to, { onProvisional: (r) => provisional.push(r.status) });
    expect(res.status).toBe(200);
    expect(provisional).toContain(180);
    const v = parseVia(via);
    expect(v).toMatchObject({ transport: transport.toUpperCase(), host: '127.0.0.1', port: open.client.local.port });
    expect(v.params['branch']).toMatch(/^z9hG4bK/);
    expect(v.params['rport']).toBe(String(open.client.local.port)); // filled in by the server (RFC 3581)
  });

  it('INVITE answered non-2xx: the client transaction sends the ACK itself; the server layer absorbs it', async () => {
    open = await pair(transport);
    const requests: string[] = [];
    open.serverLayer.onRequest((req, txn) => {
      requests.push(req.method);
      txn.respond(responseFor(req, 486, undefined, { toTag: 'busy' }));
    });
    const ackSeen = nextEvent<SipMessage>((h) => open!.server.onMessage(h), (m) => m.kind === 'request' && m.method === 'ACK');
    const invite = makeRequest('INVITE', 5);
    const res = await open.clientLayer.request(invite, open.to);
    expect(res.status).toBe(486);
    const ack = (await ackSeen) as SipRequest;
    expect(ack.headers.get('CSeq')).toBe('5 ACK');
    expect(tagOf(ack.headers.get('To'))).toBe('busy');
    expect(parseVia(ack.headers.getAll('Via')[0]!).params['branch']).toBe(parseVia(invite.headers.getAll('Via')[0]!).params['branch']);
    expect(requests).toEqual(['INVITE']);
  });

  it('Timer F bounds an unanswered request (over TCP with no retransmission)', async () => {
    open = await pair(transport);
    const seen = record(open);
    open.serverLayer.onRequest(() => undefined);
    await expect(open.clientLayer.request(makeRequest('INFO'), open.to)).rejects.toBeInstanceOf(SipTimeoutError);
    if (transport === 'tcp') expect(seen).toHaveLength(1);
    else expect(seen.length).toBeGreaterThan(1);
  });

  it('close() rejects what is pending', async () => {
    open = await pair(transport);
    open.serverLayer.onRequest(() => undefined);
    const pending = open.clientLayer.request(makeRequest('INFO'), open.to);
    open.clientLayer.close();
    await expect(pending).rejects.toMatchObject({ code: 'SIP_CLOSED' });
  });
});

describe('the 2xx to INVITE over UDP', () => {
  it('is retransmitted until its ACK; the retransmissions reach the UAC as stray responses; the ACK stops them and reaches the handler', async () => {
    open = await pair('udp');
    const p = open;
    const serverSaw: string[] = [];
    p.serverLayer.onRequest((req, txn) => {
      serverSaw.push(req.method);
      if (req.method === 'INVITE') txn.respond(responseFor(req, 200, undefined, { toTag: 'sw', headers: [['Contact', `<sip:csta@127.0.0.1:${p.server.local.port}>`]] }));
    });
    const stray = nextEvent<SipResponse>((h) => p.clientLayer.onStrayResponse(h));
    const invite = makeRequest('INVITE', 1);
    const ok = await p.clientLayer.request(invite, p.to);
    const again = await stray;
    expect(again.status).toBe(200);
    expect(again.headers.get('CSeq')).toBe('1 INVITE');
    const dialog = SipDialog.fromUacInvite(invite, ok);
    const ackArrived = nextEvent<SipRequest>((h) => p.serverLayer.onRequest(h), (r) => r.method === 'ACK');
    p.clientLayer.sendAck(dialog.ack(1), p.to);
    const ack = await ackArrived;
    expect(ack.headers.get('Call-ID')).toBe(invite.headers.get('Call-ID'));
    expect(serverSaw).toEqual(['INVITE', 'ACK']);
  });

  it('a UAS whose 2xx is never ACKed hears of it at 64*T1', async () => {
    open = await pair('udp');
    const p = open;
    p.serverLayer.onRequest((req, txn) => txn.respond(responseFor(req, 200)));
    const timedOut = nextEvent<SipRequest>((h) => p.serverLayer.onAckTimeout((inv) => h(inv)));
    await p.clientLayer.request(makeRequest('INVITE'), p.to);
    expect((await timedOut).method).toBe('INVITE');
  });
});

describe('sendAck', () => {
  it('adds a Via with a new branch', async () => {
    open = await pair('tcp');
    const p = open;
    const got = nextEvent<SipRequest>((h) => p.serverLayer.onRequest(h));
    const ack = makeRequest('ACK');
    p.clientLayer.sendAck(ack, p.to as SipPeer);
    expect(parseVia((await got).headers.getAll('Via')[0]!).params['branch']).toMatch(/^z9hG4bK/);
  });
});
