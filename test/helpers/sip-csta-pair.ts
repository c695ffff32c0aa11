/**
 * SIP/CSTA over real loopback sockets, both ends in the test process: the switch's
 * SipCstaListener on port 0 and the CTI's connectSipCsta, each channel's traffic recorded; a
 * recording relay ("tap") between them to read what went on the wire; and hand-built peers
 * (SipEndpoint + SipTransactionLayer + SipDialog) to play a CTI or a switch that misbehaves.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { pino, type Logger } from 'pino';
import type { CstaChannelIssue } from '../../src/pbx-adapters/csta/transport/channel.ts';
import { CSTA_CONTENT_TYPE, rootElementName } from '../../src/pbx-adapters/csta/transport/csta-sip-body.ts';
import type { SipCstaChannel } from '../../src/pbx-adapters/csta/transport/sip-channel.ts';
import { connectSipCsta, type SipCstaConnectOptions } from '../../src/pbx-adapters/csta/transport/sip-client.ts';
import { SipCstaListener } from '../../src/pbx-adapters/csta/transport/sip-listener.ts';
import {
  newCallId,
  newTag,
  parseSipMessage,
  responseFor,
  SipDialog,
  SipEndpoint,
  SipHeaders,
  SipStreamParser,
  SipTransactionLayer,
  type SipMessage,
  type SipPeer,
  type SipRequest,
  type SipResponse,
  type SipServerTransaction,
  type SipTimers,
  type SipTransportName,
} from '../../src/pbx-adapters/sip/index.ts';

export const silent = pino({ level: 'silent' });
export const FAST: SipTimers = { t1: 20, t2: 80, t4: 100 };
export const NS = 'http://www.ecma-international.org/standards/ecma-323/csta/ed5';
export const TRANSPORTS = ['udp', 'tcp'] as const;

export const xml = {
  requestSystemStatusResponse: (status = 'normal'): string =>
    `<?xml version="1.0" encoding="UTF-8"?><RequestSystemStatusResponse xmlns="${NS}"><systemStatus>${status}</systemStatus></RequestSystemStatusResponse>`,
  monitorStart: (device: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?><MonitorStart xmlns="${NS}"><monitorObject><deviceObject>${device}</deviceObject></monitorObject></MonitorStart>`,
  monitorStartResponse: (device: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?><MonitorStartResponse xmlns="${NS}"><monitorCrossRefID>${device}</monitorCrossRefID></MonitorStartResponse>`,
  snapshotDevice: (device: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?><SnapshotDevice xmlns="${NS}"><snapshotObject>${device}</snapshotObject></SnapshotDevice>`,
  snapshotDeviceResponse: (device: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?><SnapshotDeviceResponse xmlns="${NS}"><crossRefIDorSnapshotData>${device}</crossRefIDorSnapshotData></SnapshotDeviceResponse>`,
  error: (what: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?><CSTAErrorCode xmlns="${NS}"><operation>${what}</operation></CSTAErrorCode>`,
  event: (n: number): string =>
    `<?xml version="1.0" encoding="UTF-8"?><DeliveredEvent xmlns="${NS}"><monitorCrossRefID>${n}</monitorCrossRefID></DeliveredEvent>`,
  systemStatus: (): string => `<?xml version="1.0" encoding="UTF-8"?><SystemStatus xmlns="${NS}"><systemStatus>normal</systemStatus></SystemStatus>`,
  systemStatusResponse: (): string => `<?xml version="1.0" encoding="UTF-8"?><SystemStatusResponse xmlns="${NS}"/>`,
};

/** The text between `<tag>` and `</tag>` (the first one), for telling documents apart. */
export function field(doc: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(doc)?.[1];
}

/** Resolves when `check` returns something other than undefined/false, re-checked on every poke;
 * rejects with `what` after `ms` (a deadline, not a sleep: a test waiting on it fails, not hangs). */
class Waiters {
  private list: (() => boolean)[] = [];
  poke(): void {
    this.list = this.list.filter((w) => !w());
  }
  until<T>(check: () => T | undefined | false, what: string, ms = 8_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.list = this.list.filter((w) => w !== test);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const test = (): boolean => {
        const v = check();
        if (v === undefined || v === false) return false;
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      if (!test()) this.list.push(test);
    });
  }
}

export interface Rec {
  channel: SipCstaChannel;
  messages: { invokeId: number; xml: string }[];
  issues: CstaChannelIssue[];
  sendFailed: { invokeId: number; reason: string }[];
  closeReason: string | null;
  /** Runs inside the channel's onMessage (after the message is recorded); replace at will. */
  onMessage: (invokeId: number, xml: string) => void;
  until<T>(check: () => T | undefined | false, what: string, ms?: number): Promise<T>;
  closed(): Promise<string>;
  /** Sends and resolves when the send callback runs (with its error, if any). */
  send(invokeId: number, doc: string): Promise<Error | null>;
}

/** Sets the channel's handlers to record everything. */
export function recordChannel(channel: SipCstaChannel, onMessage: Rec['onMessage'] = () => undefined): Rec {
  const waiters = new Waiters();
  const rec: Rec = {
    channel,
    messages: [],
    issues: [],
    sendFailed: [],
    closeReason: null,
    onMessage,
    until: (check, what, ms) => waiters.until(check, what, ms),
    closed: () => waiters.until(() => rec.closeReason ?? undefined, 'the channel to close'),
    send: (invokeId, doc) => new Promise((resolve) => channel.send(invokeId, doc, (err) => resolve(err ?? null))),
  };
  channel.setHandlers({
    onMessage(invokeId, doc) {
      rec.messages.push({ invokeId, xml: doc });
      rec.onMessage(invokeId, doc);
      waiters.poke();
    },
    onIssue(issue) {
      rec.issues.push(issue);
      waiters.poke();
    },
    onSendFailed(invokeId, reason) {
      rec.sendFailed.push({ invokeId, reason });
      waiters.poke();
    },
    onClose(reason) {
      rec.closeReason = reason;
      waiters.poke();
    },
  });
  return rec;
}

/** The switch's default: a RequestSystemStatus is answered `normal` inside onMessage (in the 200 OK). */
export function answerSystemStatus(rec: Rec, invokeId: number, doc: string, status = 'normal'): boolean {
  if (rootElementName(doc) !== 'RequestSystemStatus') return false;
  rec.channel.send(invokeId, xml.requestSystemStatusResponse(status));
  return true;
}

export interface Switch {
  listener: SipCstaListener;
  port: number;
  channels: Rec[];
  /** The n-th channel the listener made (0-based), once made. */
  channel(n?: number): Promise<Rec>;
  close(): Promise<void>;
}

/** A SipCstaListener on 127.0.0.1:0. `onMessage(rec, id, xml)` runs for every message a channel
 * gets (the INVITE's RequestSystemStatus included); by default it answers that one `normal`. */
export async function startSwitch(opts: {
  sessionExpiresS?: number;
  logger?: Logger;
  onMessage?: (rec: Rec, invokeId: number, doc: string) => void;
} = {}): Promise<Switch> {
  const channels: Rec[] = [];
  const waiters = new Waiters();
  const onMessage = opts.onMessage ?? ((rec, id, doc) => void answerSystemStatus(rec, id, doc));
  const listener = new SipCstaListener({
    logger: opts.logger ?? silent,
    timers: FAST,
    ...(opts.sessionExpiresS !== undefined ? { sessionExpiresS: opts.sessionExpiresS } : {}),
    onChannel(ch) {
      const rec: Rec = recordChannel(ch, (id, doc) => onMessage(rec, id, doc));
      channels.push(rec);
      waiters.poke();
    },
  });
  const port = await listener.listen(0, '127.0.0.1');
  return {
    listener,
    port,
    channels,
    channel: (n = 0) => waiters.until(() => channels[n], `switch channel #${n}`),
    close: () => listener.close(),
  };
}

export interface Pair {
  sw: Switch;
  /** The switch's side of the association. */
  swc: Rec;
  /** The CTI's side (connectSipCsta). */
  cti: Rec;
  tap: Tap | null;
  close(): Promise<void>;
}

/** A switch and a CTI connected to it over `transport` (through a tap when asked). */
export async function openPair(transport: SipTransportName, opts: {
  sessionExpiresS?: number;
  switchLogger?: Logger;
  ctiLogger?: Logger;
  onSwitchMessage?: (rec: Rec, invokeId: number, doc: string) => void;
  tap?: boolean;
  connect?: Partial<SipCstaConnectOptions>;
} = {}): Promise<Pair> {
  const sw = await startSwitch({
    ...(opts.sessionExpiresS !== undefined ? { sessionExpiresS: opts.sessionExpiresS } : {}),
    ...(opts.switchLogger ? { logger: opts.switchLogger } : {}),
    ...(opts.onSwitchMessage ? { onMessage: opts.onSwitchMessage } : {}),
  });
  const tap = opts.tap ? await startTap(transport, sw.port) : null;
  let channel: SipCstaChannel;
  try {
    channel = await connectSipCsta({ host: '127.0.0.1', port: tap?.port ?? sw.port, transport, logger: opts.ctiLogger ?? silent, timers: FAST, ...opts.connect });
  } catch (e) {
    tap?.close();
    await sw.close();
    throw e;
  }
  const cti = recordChannel(channel);
  const swc = await sw.channel(0);
  return {
    sw,
    swc,
    cti,
    tap,
    async close() {
      if (cti.channel.isOpen) cti.channel.close('test over');
      await cti.channel.closed;
      await sw.close();
      tap?.close();
    },
  };
}

/** A pino logger whose records are kept (objects), for reading what the code reported. */
export function capturingLogger(level: 'debug' | 'info' | 'warn' = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

/** A free port on 127.0.0.1 for both UDP and TCP (bound, then let go). */
export async function freePort(): Promise<number> {
  for (;;) {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const u = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((r) => {
      u.once('error', () => r(false));
      u.bind(port, '127.0.0.1', () => r(true));
    });
    await new Promise<void>((r) => u.close(() => r()));
    if (ok) return port;
  }
}

// ---------------------------------------------------------------------------------------------
// The tap: a relay between the CTI and the switch that records every SIP message each way.

export interface TapRecord { dir: 'toSwitch' | 'toCti'; msg: SipMessage; at: number }

export interface Tap {
  port: number;
  log: TapRecord[];
  /** Drop everything from now on, one way or both (a switch gone silent). */
  drop: { toSwitch: boolean; toCti: boolean };
  until<T>(check: () => T | undefined | false, what: string, ms?: number): Promise<T>;
  close(): void;
}

export const isReq = (m: SipMessage, method?: string): m is SipRequest => m.kind === 'request' && (method === undefined || m.method === method);
export const isRes = (m: SipMessage, method?: string): m is SipResponse =>
  m.kind === 'response' && (method === undefined || (m.headers.get('CSeq') ?? '').endsWith(` ${method}`));
export const cseqNo = (m: SipMessage): number => parseInt(m.headers.get('CSeq') ?? '', 10);

export async function startTap(transport: SipTransportName, targetPort: number): Promise<Tap> {
  const waiters = new Waiters();
  const log: TapRecord[] = [];
  const drop = { toSwitch: false, toCti: false };
  const note = (dir: TapRecord['dir'], msg: SipMessage): void => {
    log.push({ dir, msg, at: performance.now() });
    waiters.poke();
  };
  if (transport === 'udp') {
    const front = dgram.createSocket('udp4');
    const back = dgram.createSocket('udp4');
    await Promise.all([front, back].map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))));
    let cti: { address: string; port: number } | null = null;
    const parse = (b: Buffer): SipMessage | null => {
      try {
        return parseSipMessage(b);
      } catch {
        return null;
      }
    };
    front.on('message', (buf, rinfo) => {
      cti = rinfo;
      const m = parse(buf);
      if (m) note('toSwitch', m);
      if (!drop.toSwitch) back.send(buf, targetPort, '127.0.0.1');
    });
    back.on('message', (buf) => {
      const m = parse(buf);
      if (m) note('toCti', m);
      if (!drop.toCti && cti) front.send(buf, cti.port, cti.address);
    });
    return {
      port: front.address().port,
      log,
      drop,
      until: (c, w, ms) => waiters.until(c, w, ms),
      close() {
        front.close();
        back.close();
      },
    };
  }
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(targetPort, '127.0.0.1');
    sockets.add(inbound);
    sockets.add(outbound);
    const pipe = (from: net.Socket, to: net.Socket, dir: TapRecord['dir']): void => {
      const parser = new SipStreamParser();
      from.on('data', (b: Buffer) => {
        for (const m of parser.push(b).messages) note(dir, m);
        if (!drop[dir]) to.write(b);
      });
      from.on('close', () => to.destroy());
      from.on('error', () => undefined);
    };
    pipe(inbound, outbound, 'toSwitch');
    pipe(outbound, inbound, 'toCti');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    log,
    drop,
    until: (c, w, ms) => waiters.until(c, w, ms),
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Hand-built peers.

export interface HandPeer {
  endpoint: SipEndpoint;
  layer: SipTransactionLayer;
  peer: SipPeer;
  /** Requests the other side sent us, in arrival order (ACKs included). */
  requests: SipRequest[];
  /** Every message the endpoint received, raw answers to writeRaw included. */
  received: SipMessage[];
  /** How we answer the other side's requests (default: 200 to all but ACK). */
  answer: (req: SipRequest, txn: SipServerTransaction) => void;
  until<T>(check: () => T | undefined | false, what: string, ms?: number): Promise<T>;
  close(): Promise<void>;
}

function handPeer(endpoint: SipEndpoint, layer: SipTransactionLayer, peer: SipPeer): HandPeer {
  const waiters = new Waiters();
  const hp: HandPeer = {
    endpoint,
    layer,
    peer,
    requests: [],
    received: [],
    answer: (req, txn) => {
      if (req.method !== 'ACK') txn.respond(responseFor(req, 200));
    },
    until: (c, w, ms) => waiters.until(c, w, ms),
    async close() {
      layer.close();
      await endpoint.close();
    },
  };
  endpoint.onMessage((m) => {
    hp.received.push(m);
    waiters.poke();
  });
  layer.onRequest((req, txn) => {
    hp.requests.push(req);
    hp.answer(req, txn);
    waiters.poke();
  });
  return hp;
}

export interface HandCti extends HandPeer {
  invite: SipRequest;
  final: SipResponse;
  /** Set when the INVITE was answered 2xx (and then ACKed). */
  dialog: SipDialog | null;
}

/** A CTI built by hand: INVITE (with a RequestSystemStatus unless told otherwise), its final
 * answer, the ACK of a 2xx. It refreshes nothing: whatever it does next, the test does. */
export async function handCti(transport: SipTransportName, port: number, opts: {
  sessionExpires?: string | null;
  body?: string | null;
  contentType?: string;
  callId?: string;
} = {}): Promise<HandCti> {
  const endpoint = await SipEndpoint.connect({ transport, host: '127.0.0.1', port, logger: silent });
  const layer = new SipTransactionLayer(endpoint, { logger: silent, timers: FAST });
  const peer: SipPeer = { transport, address: '127.0.0.1', port };
  const hp = handPeer(endpoint, layer, peer);
  const tp = transport === 'tcp' ? ';transport=tcp' : '';
  const h = new SipHeaders([
    ['Max-Forwards', '70'],
    ['From', `<sip:handcti@127.0.0.1>;tag=${newTag()}`],
    ['To', `<sip:csta@127.0.0.1:${port}>`],
    ['Call-ID', opts.callId ?? newCallId('127.0.0.1')],
    ['CSeq', '1 INVITE'],
    ['Contact', `<sip:handcti@127.0.0.1:${endpoint.local.port}${tp}>`],
    ['Supported', 'timer'],
  ]);
  if (opts.sessionExpires !== null) h.append('Session-Expires', opts.sessionExpires ?? '1800;refresher=uac');
  const body = opts.body === null ? '' : opts.body ?? `<?xml version="1.0" encoding="UTF-8"?><RequestSystemStatus xmlns="${NS}"/>`;
  if (body) h.append('Content-Type', opts.contentType ?? CSTA_CONTENT_TYPE);
  const invite: SipRequest = { kind: 'request', method: 'INVITE', uri: `sip:csta@127.0.0.1:${port}${tp}`, headers: h, body: Buffer.from(body) };
  const final = await layer.request(invite, peer);
  let dialog: SipDialog | null = null;
  if (final.status >= 200 && final.status < 300) {
    dialog = SipDialog.fromUacInvite(invite, final);
    layer.sendAck(dialog.ack(1), peer);
  }
  return Object.assign(hp, { invite, final, dialog });
}

export interface HandSwitch {
  port: number;
  endpoint: SipEndpoint;
  layer: SipTransactionLayer;
  /** The association, once an INVITE was answered (with a peer to send to). */
  association(): Promise<{ dialog: SipDialog; peer: SipPeer }>;
  /** Every in-dialog request the CTI sent after its INVITE, in arrival order. */
  requests: SipRequest[];
  /** How we answer an in-dialog request (default: 200, no body). */
  answer: (req: SipRequest, txn: SipServerTransaction) => void;
  until<T>(check: () => T | undefined | false, what: string, ms?: number): Promise<T>;
  close(): Promise<void>;
}

/** A switch built by hand: answers one INVITE 200 (RequestSystemStatusResponse in it, no session
 * timer), then hands every in-dialog request to `answer`. */
export async function handSwitch(transport: SipTransportName): Promise<HandSwitch> {
  const endpoint = await SipEndpoint.listen({ transport, host: '127.0.0.1', port: 0, logger: silent });
  const layer = new SipTransactionLayer(endpoint, { logger: silent, timers: FAST });
  const waiters = new Waiters();
  let assoc: { dialog: SipDialog; peer: SipPeer } | null = null;
  const hs: HandSwitch = {
    port: endpoint.local.port,
    endpoint,
    layer,
    association: () => waiters.until(() => assoc ?? undefined, 'the INVITE'),
    requests: [],
    answer: (req, txn) => txn.respond(responseFor(req, 200)),
    until: (c, w, ms) => waiters.until(c, w, ms),
    async close() {
      layer.close();
      await endpoint.close();
    },
  };
  layer.onRequest((req, txn) => {
    if (req.method === 'INVITE' && assoc === null) {
      const dialog = SipDialog.fromUasInvite(req);
      const tp = transport === 'tcp' ? ';transport=tcp' : '';
      txn.respond(responseFor(req, 200, undefined, {
        toTag: dialog.localTag,
        headers: [['Contact', `<sip:csta@127.0.0.1:${endpoint.local.port}${tp}>`], ['Allow', 'INVITE, ACK, BYE, INFO, OPTIONS, UPDATE']],
        body: Buffer.from(xml.requestSystemStatusResponse()),
        contentType: CSTA_CONTENT_TYPE,
      }));
      assoc = { dialog, peer: txn.from };
      waiters.poke();
      return;
    }
    if (req.method === 'ACK') return;
    hs.requests.push(req);
    hs.answer(req, txn);
    waiters.poke();
  });
  return hs;
}

/** The responses a hand peer received with this CSeq (answers to its raw writes included), in order. */
export function responsesTo(hp: HandPeer, cseq: string): SipResponse[] {
  return hp.received.filter((m): m is SipResponse => m.kind === 'response' && m.headers.get('CSeq') === cseq);
}
