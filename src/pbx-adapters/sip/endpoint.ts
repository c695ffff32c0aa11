/**
 * The SIP transport layer (RFC 3261 §18): one UDP socket, or TCP flows, carrying whole SIP
 * messages to and from peers named by transport, address and port.
 *
 * - UDP: one socket. `listen` binds host:port; `connect` binds an ephemeral port on the local
 *   address that routes to the peer (unconnected, so a peer answering from another port is heard).
 * - TCP: `listen` runs a server, each accepted connection a flow keyed by the peer's address and
 *   port; `connect` opens one connection and sends everything on it. Responses go back on the
 *   flow the request came in on; we never open a new connection to answer (docs/sip.md).
 *
 * The endpoint answers what the layers above never see: a malformed request gets its 400 (or
 * 413/505/513) here when enough of it could be read (§21.4.1, §18.3), an RFC 5626 ping its pong.
 * Received requests get `received`/`rport` on their top Via (§18.2.1, RFC 3581), so the response
 * built from them says where it went. Responses always go back to the address they came from.
 */
import dgram from 'node:dgram';
import dns from 'node:dns/promises';
import net from 'node:net';
import type { Logger } from 'pino';
import { TickCork } from '../net/tick-cork.ts';
import { parseVia } from './headers.ts';
import {
  MAX_SIP_MESSAGE_BYTES,
  MAX_UDP_BYTES,
  parseSipMessage,
  responseFor,
  serializeSip,
  SipMessageTooLargeError,
  SipParseError,
  SipStreamParser,
  type SipMessage,
  type SipRequest,
  type SipTransportName,
} from './message.ts';

export const SIP_CONNECT_TIMEOUT_MS = 3_000;

export interface SipPeer { transport: SipTransportName; address: string; port: number }
export interface SipEndpointOptions { transport: SipTransportName; host: string; port: number; logger: Logger; maxMessageBytes?: number }
export type SendCallback = (err?: Error | null) => void;

/** `cork` (net/tick-cork.ts): held on a listening endpoint's flows (the switch's side, as Annex
 * G's `corkPerTick`), messages written in this tick leave in one TCP write — a burst of 200 OKs, or an answer and the
 * events it caused, is one syscall, not one each; uncorked at the next tick, so nothing waits.
 * A client (the CTI) batches only its responses, the 200 OKs to the switch's event INFOs of one
 * read; a request of its own first sends the responses held and then goes at once, on its own.
 * Batching the CTI's requests too would put several of them in one read of the switch, which
 * sipp as the switch aborts on (docs/sip-interop.md). One write per 200 OK was 8.6 % of the
 * daemon's CPU at 200 calls/s over SIP/CSTA (docs/performance.md, 2026-12-03 (fifth session)). */
interface Flow { socket: net.Socket; parser: SipStreamParser; peer: SipPeer; cork: TickCork }

export const peerKey = (p: { address: string; port: number }): string => `${p.address}:${p.port}`;

export class SipEndpoint {
  readonly transport: SipTransportName;
  readonly local: { address: string; port: number };
  private readonly log: Logger;
  private readonly maxBytes: number;
  private readonly messageHandlers: ((msg: SipMessage, from: SipPeer) => void)[] = [];
  private readonly errorHandlers: ((err: SipParseError, from: SipPeer) => void)[] = [];
  private readonly closedHandlers: ((peer: SipPeer, reason: string) => void)[] = [];
  private readonly flows = new Map<string, Flow>();
  private closing = false;

  private constructor(
    opts: SipEndpointOptions,
    local: { address: string; port: number },
    private readonly udp: dgram.Socket | null,
    private readonly server: net.Server | null,
    /** TCP client: the one flow everything goes on. */
    private readonly clientFlow: string | null,
  ) {
    this.transport = opts.transport;
    this.local = local;
    this.log = opts.logger.child({ sip: opts.transport });
    this.maxBytes = Math.min(opts.maxMessageBytes ?? MAX_SIP_MESSAGE_BYTES, MAX_SIP_MESSAGE_BYTES);
  }

  static async listen(opts: SipEndpointOptions): Promise<SipEndpoint> {
    if (opts.transport === 'udp') {
      const socket = dgram.createSocket(net.isIPv6(opts.host) ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(opts.port, opts.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      const a = socket.address();
      return new SipEndpoint(opts, { address: a.address, port: a.port }, socket, null, null).wireUdp();
    }
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address() as net.AddressInfo;
    const ep = new SipEndpoint(opts, { address: a.address, port: a.port }, null, server, null);
    server.on('connection', (socket) => ep.addFlow(socket));
    return ep;
  }

  static async connect(opts: SipEndpointOptions): Promise<SipEndpoint> {
    const where = `${opts.transport} ${opts.host}:${opts.port}`;
    let target: { address: string; family: number };
    try {
      target = net.isIP(opts.host) ? { address: opts.host, family: net.isIPv6(opts.host) ? 6 : 4 } : await dns.lookup(opts.host);
    } catch (e) {
      throw new Error(`cannot reach SIP peer at ${where}: ${(e as Error).message}`);
    }
    if (opts.transport === 'udp') {
      const type = target.family === 6 ? 'udp6' : 'udp4';
      const localAddress = await routeTo(type, target.address, opts.port);
      const socket = dgram.createSocket(type);
      await new Promise<void>((resolve, reject) => {
        socket.once('error', (e) => reject(new Error(`cannot open a UDP socket for SIP peer at ${where}: ${e.message}`)));
        socket.bind(0, localAddress, () => resolve());
      });
      socket.removeAllListeners('error');
      const a = socket.address();
      return new SipEndpoint(opts, { address: a.address, port: a.port }, socket, null, null).wireUdp();
    }
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: target.address, port: opts.port });
      const fail = (why: string): void => {
        clearTimeout(timer);
        s.destroy();
        reject(new Error(`cannot connect to SIP peer at ${where}: ${why}`));
      };
      const timer = setTimeout(() => fail('timed out'), SIP_CONNECT_TIMEOUT_MS);
      s.once('error', (e) => fail(e.message));
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
    });
    const ep = new SipEndpoint(opts, { address: socket.localAddress ?? '', port: socket.localPort ?? 0 }, null, null,
      peerKey({ address: socket.remoteAddress ?? target.address, port: socket.remotePort ?? opts.port }));
    ep.addFlow(socket);
    return ep;
  }

  onMessage(h: (msg: SipMessage, from: SipPeer) => void): void {
    this.messageHandlers.push(h);
  }

  /** Already answered (400/413/505/513) when it was a request with enough to answer, and logged. */
  onParseError(h: (err: SipParseError, from: SipPeer) => void): void {
    this.errorHandlers.push(h);
  }

  onFlowClosed(h: (peer: SipPeer, reason: string) => void): void {
    this.closedHandlers.push(h);
  }

  /** Throws SipMessageTooLargeError before anything is sent; a closed flow is logged, reported to
   * `cb` and by onFlowClosed, never thrown. */
  send(msg: SipMessage, to: SipPeer, cb?: SendCallback): void {
    let bytes: Buffer;
    if (this.transport === 'udp') {
      const limit = Math.min(this.maxBytes, MAX_UDP_BYTES);
      try {
        bytes = serializeSip(msg, limit);
      } catch (e) {
        if (e instanceof SipMessageTooLargeError) throw new SipMessageTooLargeError(e.bytes, limit, 'what one UDP datagram may carry');
        throw e;
      }
    } else bytes = serializeSip(msg, this.maxBytes);
    if (this.log.isLevelEnabled('debug')) this.log.debug({ to: peerKey(to), sipOut: summary(msg) }, 'SIP out');
    this.writeRaw(bytes, to, cb, msg.kind === 'response');
  }

  /** Bytes onto the wire as given (tests, fault injection). `batch`: a response, which a client
   * may send with the others of this tick (see `cork`). */
  writeRaw(bytes: Buffer, to: SipPeer, cb?: SendCallback, batch = false): void {
    const done = (err?: Error | null): void => {
      if (err) this.log.warn({ to: peerKey(to), err: err.message }, 'SIP message not sent');
      cb?.(err ?? null);
    };
    if (this.udp) {
      if (this.closing) return done(new Error('SIP endpoint closed'));
      try {
        this.udp.send(bytes, to.port, to.address, (err) => done(err));
      } catch (e) {
        done(e as Error); // a socket closed under us, a bad port: reported, never thrown
      }
      return;
    }
    const flow = this.flows.get(this.clientFlow ?? peerKey(to));
    if (!flow || !flow.socket.writable) return done(new Error(`no open TCP flow to ${peerKey(to)}`));
    if (this.server !== null || batch) flow.cork.hold();
    else flow.cork.release();
    flow.socket.write(bytes, (err) => done(err));
  }

  /** TCP flows open now (a server's accepted connections, or the client's one). */
  get flowCount(): number {
    return this.flows.size;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.udp) {
      const udp = this.udp;
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      return;
    }
    for (const f of this.flows.values()) f.socket.destroy();
    this.flows.clear();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private wireUdp(): this {
    const udp = this.udp!;
    udp.on('error', (err) => this.log.warn({ err: err.message }, 'SIP UDP socket error'));
    udp.on('message', (buf, rinfo) => {
      const from: SipPeer = { transport: 'udp', address: rinfo.address, port: rinfo.port };
      if (buf.every((b) => b === 0x0d || b === 0x0a)) return; // a keep-alive datagram
      try {
        this.deliver(parseSipMessage(buf, { maxBytes: this.maxBytes }), from);
      } catch (e) {
        if (!(e instanceof SipParseError)) throw e;
        this.malformed(e, from);
      }
    });
    return this;
  }

  private addFlow(socket: net.Socket): void {
    const peer: SipPeer = { transport: 'tcp', address: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 };
    const key = peerKey(peer);
    const flow: Flow = { socket, parser: new SipStreamParser(this.maxBytes), peer, cork: new TickCork(socket) };
    this.flows.set(key, flow);
    socket.setNoDelay(true);
    let lastError: string | undefined;
    socket.on('error', (err) => (lastError = err.message));
    socket.on('data', (chunk: Buffer) => {
      const r = flow.parser.push(chunk);
      for (let i = 0; i < r.pings; i++) socket.write('\r\n'); // RFC 5626 pong
      for (const m of r.messages) this.deliver(m, peer);
      for (const e of r.errors) {
        this.malformed(e, peer);
        if (e.fatal) socket.end();
      }
    });
    socket.on('close', () => {
      if (this.flows.get(key) === flow) this.flows.delete(key);
      if (this.closing) return;
      const reason = lastError ? `socket error: ${lastError}` : 'closed';
      this.log.info({ peer: key, reason }, 'SIP TCP flow closed');
      for (const h of this.closedHandlers) h(peer, reason);
    });
  }

  private deliver(msg: SipMessage, from: SipPeer): void {
    if (msg.kind === 'request') stampVia(msg, from);
    if (this.log.isLevelEnabled('debug')) this.log.debug({ from: peerKey(from), sipIn: summary(msg) }, 'SIP in');
    for (const h of this.messageHandlers) h(msg, from);
  }

  /** Answers a malformed request when it can be (never an ACK), logs, tells the handlers. */
  private malformed(err: SipParseError, from: SipPeer): void {
    const p = err.partial;
    const h = p?.headers;
    const answerable = p?.isRequest === true && p.method !== 'ACK' && h !== undefined
      && ['Via', 'From', 'To', 'Call-ID', 'CSeq'].every((n) => h.has(n));
    this.log.warn({ from: peerKey(from), status: err.status, err: err.message, fatal: err.fatal, answered: answerable }, 'malformed SIP message');
    if (answerable) {
      const req: SipRequest = { kind: 'request', method: p.method ?? 'UNKNOWN', uri: '', headers: h, body: Buffer.alloc(0) };
      stampVia(req, from);
      const res = responseFor(req, err.status, undefined, {
        headers: [['Warning', `399 ${this.local.address} "${err.message.replace(/["\\]/g, "'").slice(0, 200)}"`]],
      });
      try {
        this.send(res, from);
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'could not answer a malformed SIP request');
      }
    }
    for (const handler of this.errorHandlers) handler(err, from);
  }
}

/** RFC 3581 / §18.2.1: the top Via says where the request really came from. */
function stampVia(req: SipRequest, from: SipPeer): void {
  const top = req.headers.first('Via');
  if (top === undefined) return;
  let via: ReturnType<typeof parseVia>;
  try {
    via = parseVia(top);
  } catch {
    return;
  }
  let stamped = top;
  if (via.params['rport'] === true) stamped = stamped.replace(/;\s*rport(?=\s*(;|$))/i, `;rport=${from.port}`);
  if (via.params['received'] === undefined && (via.host !== from.address || via.params['rport'] === true)) {
    stamped += `;received=${from.address}`;
  }
  if (stamped === top) return;
  if (req.headers.get('Via') === top) {
    req.headers.replaceFirst('Via', stamped); // the top Via has a field of its own: the usual case
    return;
  }
  const vias = req.headers.getAll('Via');
  req.headers.delete('Via');
  req.headers.append('Via', stamped);
  for (const v of vias.slice(1)) req.headers.append('Via', v);
}

/** The local address the system routes to `address` from (a connected UDP socket, closed). */
async function routeTo(type: 'udp4' | 'udp6', address: string, port: number): Promise<string> {
  const probe = dgram.createSocket(type);
  try {
    return await new Promise<string>((resolve, reject) => {
      probe.once('error', reject);
      probe.connect(port, address, () => resolve(probe.address().address));
    });
  } finally {
    probe.close();
  }
}

function summary(msg: SipMessage): string {
  const start = msg.kind === 'request' ? `${msg.method} ${msg.uri}` : `${msg.status} ${msg.reason}`;
  return `${start} (${msg.headers.get('CSeq') ?? '?'}, ${msg.headers.get('Call-ID') ?? '?'}, ${msg.body.length} B)`;
}
