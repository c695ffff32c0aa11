/** Shared by the SIP socket tests: a request builder, event waiting, and a lossy UDP relay. */
import dgram from 'node:dgram';
import { pino } from 'pino';
import {
  newCallId,
  newTag,
  SipEndpoint,
  SipHeaders,
  SipTransactionLayer,
  type SipPeer,
  type SipRequest,
  type SipTimers,
  type SipTransportName,
} from '../../../src/pbx-adapters/sip/index.ts';

export const log = pino({ level: 'silent' });
export const FAST: SipTimers = { t1: 20, t2: 80, t4: 100 };

export function makeRequest(method: string, seq = 1, opts: { callId?: string; body?: string } = {}): SipRequest {
  const headers = new SipHeaders([
    ['Max-Forwards', '70'],
    ['From', `<sip:switchboard@127.0.0.1>;tag=${newTag()}`],
    ['To', '<sip:csta@127.0.0.1>'],
    ['Call-ID', opts.callId ?? newCallId('127.0.0.1')],
    ['CSeq', `${seq} ${method}`],
  ]);
  if (opts.body !== undefined) headers.append('Content-Type', 'application/csta+xml');
  return { kind: 'request', method, uri: 'sip:csta@127.0.0.1', headers, body: Buffer.from(opts.body ?? '') };
}

export interface Pair {
  server: SipEndpoint;
  client: SipEndpoint;
  serverLayer: SipTransactionLayer;
  clientLayer: SipTransactionLayer;
  /** Where the client sends: the server, or a relay in front of it. */
  to: SipPeer;
  close(): Promise<void>;
}

export async function pair(transport: SipTransportName, opts: { via?: (serverPort: number) => Promise<SipPeer> } = {}): Promise<Pair> {
  const server = await SipEndpoint.listen({ transport, host: '127.0.0.1', port: 0, logger: log });
  const to = opts.via ? await opts.via(server.local.port) : { transport, address: '127.0.0.1', port: server.local.port };
  const client = await SipEndpoint.connect({ transport, host: to.address, port: to.port, logger: log });
  const serverLayer = new SipTransactionLayer(server, { logger: log, timers: FAST });
  const clientLayer = new SipTransactionLayer(client, { logger: log, timers: FAST });
  return {
    server, client, serverLayer, clientLayer, to,
    async close() {
      clientLayer.close();
      serverLayer.close();
      await client.close();
      await server.close();
    },
  };
}

/** Resolves with the first value `register`'s callback passes that `test` accepts. */
export function nextEvent<T>(register: (h: (v: T) => void) => void, test: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    let done = false;
    register((v) => {
      if (!done && test(v)) {
        done = true;
        resolve(v);
      }
    });
  });
}

/** A UDP relay in front of `target` that drops the first N datagrams each way and records all. */
export async function lossyRelay(targetPort: number, drop: { toServer?: number; toClient?: number }): Promise<{
  peer: SipPeer;
  toServer: Buffer[];
  toClient: Buffer[];
  close(): void;
}> {
  const front = dgram.createSocket('udp4');
  const back = dgram.createSocket('udp4');
  await Promise.all([front, back].map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))));
  let dropToServer = drop.toServer ?? 0;
  let dropToClient = drop.toClient ?? 0;
  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  let client: { address: string; port: number } | null = null;
  front.on('message', (buf, rinfo) => {
    client = rinfo;
    toServer.push(buf);
    if (dropToServer-- > 0) return;
    back.send(buf, targetPort, '127.0.0.1');
  });
  back.on('message', (buf) => {
    toClient.push(buf);
    if (dropToClient-- > 0 || !client) return;
    front.send(buf, client.port, client.address);
  });
  return {
    peer: { transport: 'udp', address: '127.0.0.1', port: front.address().port },
    toServer,
    toClient,
    close() {
      front.close();
      back.close();
    },
  };
}
