/** The SIP endpoint over real sockets: malformed requests answered 400, size limits, TCP flows. */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_UDP_BYTES,
  parseSipMessage,
  SipEndpoint,
  SipMessageTooLargeError,
  SipStreamParser,
  type SipParseError,
  type SipPeer,
  type SipResponse,
} from '../../../src/pbx-adapters/sip/index.ts';
import { responseFor } from '../../../src/pbx-adapters/sip/message.ts';
import { log, makeRequest, nextEvent } from './helpers.ts';

async function eventually(ok: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function listen(transport: 'udp' | 'tcp'): Promise<SipEndpoint> {
  const ep = await SipEndpoint.listen({ transport, host: '127.0.0.1', port: 0, logger: log });
  closers.push(() => ep.close());
  return ep;
}

const MALFORMED = [
  'INFO sip:csta@127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKbad1;rport',
  'From: <sip:cti@127.0.0.1>;tag=f1',
  'To: <sip:csta@127.0.0.1>;tag=t1',
  'Call-ID: broken@127.0.0.1',
  'CSeq: 3 INFO',
  'this line has no colon',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

describe('SipEndpoint over UDP', () => {
  it('answers a malformed request 400 with its Via, Call-ID, CSeq, From and To, and tells onParseError', async () => {
    const server = await listen('udp');
    const errors = nextEvent<SipParseError>((h) => server.onParseError((e) => h(e)));
    const raw = dgram.createSocket('udp4');
    closers.push(() => {
      raw.close();
    });
    await new Promise<void>((r) => raw.bind(0, '127.0.0.1', () => r()));
    const answer = new Promise<Buffer>((resolve) => raw.once('message', (b) => resolve(b)));
    raw.send(Buffer.from(MALFORMED), server.local.port, '127.0.0.1');
    const res = parseSipMessage(await answer) as SipResponse;
    expect(res.kind).toBe('response');
    expect(res.status).toBe(400);
    expect(res.headers.get('Call-ID')).toBe('broken@127.0.0.1');
    expect(res.headers.get('CSeq')).toBe('3 INFO');
    expect(res.headers.get('From')).toBe('<sip:cti@127.0.0.1>;tag=f1');
    expect(res.headers.get('To')).toBe('<sip:csta@127.0.0.1>;tag=t1');
    const via = res.headers.getAll('Via')[0]!;
    expect(via).toContain('branch=z9hG4bKbad1');
    expect(via).toContain(`rport=${raw.address().port}`);
    expect(res.headers.get('Warning')).toMatch(/^399 .*colon/);
    expect((await errors).status).toBe(400);
  });

  it('drops a malformed response or ACK without answering; a CRLF keep-alive datagram is ignored', async () => {
    const server = await listen('udp');
    const seen: number[] = [];
    server.onParseError((e) => seen.push(e.status));
    const client = await SipEndpoint.connect({ transport: 'udp', host: '127.0.0.1', port: server.local.port, logger: log });
    closers.push(() => client.close());
    const answers: number[] = [];
    client.onMessage((m) => answers.push(m.kind === 'response' ? m.status : 0));
    const to: SipPeer = { transport: 'udp', address: '127.0.0.1', port: server.local.port };
    client.writeRaw(Buffer.from('\r\n\r\n'), to);
    client.writeRaw(Buffer.from(MALFORMED.replace(/INFO/g, 'ACK')), to);
    const answer505 = nextEvent<unknown>((h) => client.onMessage(h));
    client.writeRaw(Buffer.from(MALFORMED.replace('SIP/2.0\r\n', 'SIP/3.0\r\n').replace('this line has no colon\r\n', '')), to);
    await answer505;
    expect(seen).toEqual([400, 505]); // the ACK's error, then the 505 (the ping was no error)
    expect(answers).toEqual([505]); // in order on loopback: an answer to the ACK would have come first
  });

  it('refuses to send past MAX_UDP_BYTES and says why', async () => {
    const server = await listen('udp');
    const req = makeRequest('INFO', 1, { body: 'x'.repeat(MAX_UDP_BYTES) });
    const to: SipPeer = { transport: 'udp', address: '127.0.0.1', port: server.local.port };
    expect(() => server.send(req, to)).toThrow(SipMessageTooLargeError);
    expect(() => server.send(req, to)).toThrow(/UDP datagram/);
  });
});

describe('SipEndpoint over TCP', () => {
  it('connect rejects with a clear error when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(SipEndpoint.connect({ transport: 'tcp', host: '127.0.0.1', port, logger: log })).rejects.toThrow(/cannot connect to SIP peer at tcp 127\.0\.0\.1/);
  });

  it('carries messages both ways on one flow, answers a ping with a pong, reports the flow closed', async () => {
    const server = await listen('tcp');
    const client = await SipEndpoint.connect({ transport: 'tcp', host: '127.0.0.1', port: server.local.port, logger: log });
    closers.push(() => client.close());
    const got = nextEvent<[string, SipPeer]>((h) => server.onMessage((m, from) => h([m.kind, from])));
    const req = makeRequest('INFO', 1, { body: '<x/>' });
    req.headers.prepend('Via', `SIP/2.0/TCP 127.0.0.1:${client.local.port};branch=z9hG4bKt1`);
    client.send(req, { transport: 'tcp', address: '127.0.0.1', port: server.local.port });
    const [, from] = await got;
    expect(from.port).toBe(client.local.port);
    // a raw client sends a ping and gets a pong
    const raw = net.connect(server.local.port, '127.0.0.1');
    closers.push(() => void raw.destroy());
    const pong = new Promise<string>((r) => raw.once('data', (b) => r(b.toString('latin1'))));
    raw.write('\r\n\r\n');
    expect(await pong).toBe('\r\n');
    const closed = nextEvent<SipPeer>((h) => server.onFlowClosed((p) => h(p)), (p) => p.port === client.local.port);
    await client.close();
    expect((await closed).port).toBe(client.local.port);
  });

  it('a client sends the responses of one tick in one write; a request of its own sends them first, then goes', async () => {
    const peer = net.createServer();
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => peer.close(() => r())));
    const accepted = new Promise<net.Socket>((r) => peer.once('connection', r));
    const client = await SipEndpoint.connect({ transport: 'tcp', host: '127.0.0.1', port: (peer.address() as net.AddressInfo).port, logger: log });
    closers.push(() => client.close());
    const raw = await accepted;
    closers.push(() => void raw.destroy());
    const reads: string[] = [];
    raw.on('data', (d: Buffer) => reads.push(d.toString()));
    const to: SipPeer = { transport: 'tcp', address: '127.0.0.1', port: (peer.address() as net.AddressInfo).port };
    const ok = (seq: number) => responseFor(makeRequest('INFO', seq), 200);
    const count = (what: RegExp) => reads.join('').match(what)?.length ?? 0;
    // Three 200 OKs in one tick: one write to the socket (not three that the kernel may or may not
    // join), seen at the stream's _write/_writev.
    const writes: number[] = [];
    const proto = net.Socket.prototype as unknown as { _write: (...a: unknown[]) => unknown; _writev: (chunks: unknown[], cb: unknown) => unknown };
    const [write1, writev] = [proto._write, proto._writev];
    proto._write = function (this: unknown, ...a: unknown[]) {
      writes.push(1);
      return write1.apply(this, a);
    };
    proto._writev = function (this: unknown, chunks: unknown[], cb: unknown) {
      writes.push(chunks.length);
      return writev.call(this, chunks, cb);
    };
    try {
      client.send(ok(1), to);
      client.send(ok(2), to);
      client.send(ok(3), to);
      await new Promise((r) => setImmediate(r));
    } finally {
      proto._write = write1;
      proto._writev = writev;
    }
    expect(writes).toEqual([3]);
    await eventually(() => count(/SIP\/2\.0 200/g) === 3);
    // Two 200 OKs, then a request, in one tick: the responses leave first, the request after them.
    reads.length = 0;
    client.send(ok(4), to);
    client.send(ok(5), to);
    client.send(makeRequest('INFO', 9), to);
    await eventually(() => count(/INFO sip:/g) === 1 && count(/SIP\/2\.0 200/g) === 2);
    // (Whether the peer reads the request apart is the kernel's business: two writes in a row may
    // arrive in one read, as they did before any corking.)
    const all = reads.join('');
    expect(all.indexOf('CSeq: 4 INFO')).toBeLessThan(all.indexOf('CSeq: 5 INFO'));
    expect(all.indexOf('CSeq: 5 INFO')).toBeLessThan(all.indexOf('INFO sip:'));
  });

  it('a stream it cannot frame (no Content-Length): 400 answered, then the flow is closed', async () => {
    const server = await listen('tcp');
    const raw = net.connect(server.local.port, '127.0.0.1');
    closers.push(() => void raw.destroy());
    await new Promise<void>((r) => raw.once('connect', () => r()));
    const parser = new SipStreamParser();
    const answered = new Promise<SipResponse>((resolve) => raw.on('data', (b) => {
      const m = parser.push(b).messages[0];
      if (m) resolve(m as SipResponse);
    }));
    const ended = new Promise<void>((r) => raw.once('end', () => r()));
    raw.write(MALFORMED.replace('this line has no colon\r\n', '').replace('Content-Length: 0\r\n', '').replace('UDP', 'TCP'));
    expect((await answered).status).toBe(400);
    await ended;
  });

  it('a body past the limit with a sound Content-Length: 413 answered, skipped, and the next message on the flow delivered', async () => {
    const server = await listen('tcp');
    const raw = net.connect(server.local.port, '127.0.0.1');
    closers.push(() => void raw.destroy());
    await new Promise<void>((r) => raw.once('connect', () => r()));
    const parser = new SipStreamParser();
    const answered = new Promise<SipResponse>((resolve) => raw.on('data', (b) => {
      const m = parser.push(b).messages[0];
      if (m) resolve(m as SipResponse);
    }));
    const next = nextEvent<string>((h) => server.onMessage((m) => h(m.headers.get('CSeq') ?? '')));
    const head = MALFORMED.replace('this line has no colon\r\n', '').replace('UDP', 'TCP');
    raw.write(head.replace('Content-Length: 0', 'Content-Length: 70000'));
    raw.write(Buffer.alloc(70_000, 0x78));
    raw.write(head.replace('CSeq: 3 INFO', 'CSeq: 4 INFO').replace('z9hG4bKbad1', 'z9hG4bKgood'));
    const res = await answered;
    expect(res.status).toBe(413);
    expect(res.headers.get('CSeq')).toBe('3 INFO');
    expect(await next).toBe('4 INFO');
  });
});
