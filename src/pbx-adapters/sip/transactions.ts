/**
 * SIP transactions (RFC 3261 §17, with RFC 6026's Accepted state for a 2xx to INVITE): client
 * transactions retransmit over UDP and bound the wait, server transactions absorb
 * retransmissions and answer them again. Timers are scaled by `timers` so tests run in
 * milliseconds; the defaults are the RFC's (T1 500 ms, T2 4 s, T4 5 s).
 *
 * Trade-offs (docs/sip.md): Timer B bounds an INVITE client transaction in Proceeding too (a
 * switch that sends 1xx and never a final answer fails at 64*T1 instead of hanging the link), and
 * the 2xx to an INVITE is retransmitted until its ACK by this layer rather than by the UA core,
 * which in our two-party association has nothing to add to it.
 */
import type { Logger } from 'pino';
import type { SendCallback, SipEndpoint, SipPeer } from './endpoint.ts';
import { newVia, parseCSeq, parseVia, SipHeaders } from './headers.ts';
import { responseFor, type SipMessage, type SipRequest, type SipResponse } from './message.ts';

export interface SipTimers { t1: number; t2: number; t4: number }
export const DEFAULT_SIP_TIMERS: SipTimers = Object.freeze({ t1: 500, t2: 4_000, t4: 5_000 });

export class SipTimeoutError extends Error {
  readonly code = 'SIP_TIMEOUT';
  constructor(readonly method: string, readonly timer: 'B' | 'F', readonly ms: number) {
    super(`no final answer to ${method} within ${ms} ms (Timer ${timer})`);
    this.name = 'SipTimeoutError';
  }
}

export class SipLayerClosedError extends Error {
  readonly code = 'SIP_CLOSED';
  constructor(method: string) {
    super(`SIP transaction layer closed with ${method} unanswered`);
    this.name = 'SipLayerClosedError';
  }
}

export interface SipServerTransaction {
  readonly request: SipRequest;
  readonly from: SipPeer;
  /** Sends a response (1xx any number of times, then one final; later ones are ignored and logged).
   * Throws SipMessageTooLargeError like SipEndpoint.send. */
  respond(res: SipResponse): void;
  readonly answered: boolean;
}

export interface SipTransactionLayerOptions {
  logger: Logger;
  timers?: Partial<SipTimers>;
  /** Via sent-by when the endpoint is bound to a wildcard address (default: the endpoint's). */
  sentBy?: { address: string; port: number };
}

type Timer = ReturnType<typeof setTimeout>;

interface ClientTxn {
  key: string;
  method: string;
  req: SipRequest;
  to: SipPeer;
  state: 'calling' | 'proceeding' | 'completed';
  interval: number;
  retransmit?: Timer;
  timeout?: Timer;
  linger?: Timer;
  ack?: SipRequest;
  resolve(res: SipResponse): void;
  reject(err: Error): void;
  onProvisional?: (r: SipResponse) => void;
  onFinal?: (r: SipResponse) => void;
}

class ServerTxn implements SipServerTransaction {
  state: 'trying' | 'proceeding' | 'completed' | 'accepted' | 'confirmed' = 'trying';
  last: SipResponse | null = null;
  timers: Timer[] = [];
  constructor(readonly request: SipRequest, readonly from: SipPeer, readonly key: string, private readonly layer: SipTransactionLayer) {}
  get answered(): boolean {
    return this.last !== null && this.last.status >= 200;
  }
  respond(res: SipResponse): void {
    this.layer.respondIn(this, res);
  }
}

const ACK_ONLY: SipServerTransaction['respond'] = () => undefined;

export class SipTransactionLayer {
  private readonly log: Logger;
  private readonly timers: SipTimers;
  private readonly clients = new Map<string, ClientTxn>();
  private readonly servers = new Map<string, ServerTxn>();
  /** INVITE server transactions whose 2xx awaits its ACK, by `Call-ID|CSeq number`. */
  private readonly awaitingAck = new Map<string, ServerTxn>();
  private readonly requestHandlers: ((req: SipRequest, txn: SipServerTransaction) => void)[] = [];
  private readonly strayHandlers: ((res: SipResponse, from: SipPeer) => void)[] = [];
  private readonly ackTimeoutHandlers: ((invite: SipRequest, res: SipResponse, from: SipPeer) => void)[] = [];
  private closed = false;

  constructor(private readonly endpoint: SipEndpoint, private readonly opts: SipTransactionLayerOptions) {
    this.log = opts.logger.child({ sipLayer: 'transactions' });
    this.timers = { ...DEFAULT_SIP_TIMERS, ...opts.timers };
    endpoint.onMessage((msg, from) => {
      if (!this.closed) this.receive(msg, from);
    });
  }

  private get reliable(): boolean {
    return this.endpoint.transport === 'tcp';
  }

  /** Client transaction: see the brief in docs/sip.md. Throws (synchronously) SipMessageTooLargeError
   * when the request cannot fit the wire; otherwise resolves with the final response or rejects
   * with SipTimeoutError or the transport's error. */
  request(req: SipRequest, to: SipPeer, opts: { onProvisional?: (r: SipResponse) => void; onFinal?: (r: SipResponse) => void } = {}): Promise<SipResponse> {
    if (this.closed) return Promise.reject(new SipLayerClosedError(req.method));
    if (req.method === 'ACK') throw new TypeError('an ACK has no transaction: use sendAck');
    this.addVia(req);
    const branch = branchOf(req);
    const method = parseCSeq(req.headers.get('CSeq') ?? '').method;
    const key = `${branch}|${method}`;
    const { t1, t2 } = this.timers;
    let txn!: ClientTxn;
    const done = new Promise<SipResponse>((resolve, reject) => {
      txn = { key, method, req, to, state: 'calling', interval: t1, resolve, reject };
    });
    if (opts.onProvisional) txn.onProvisional = opts.onProvisional;
    if (opts.onFinal) txn.onFinal = opts.onFinal;
    this.endpoint.send(req, to, this.onSent(txn)); // throws SipMessageTooLargeError before anything else
    this.clients.set(key, txn);
    const timer = method === 'INVITE' ? 'B' : 'F';
    txn.timeout = setTimeout(() => this.failClient(txn, new SipTimeoutError(method, timer, 64 * t1)), 64 * t1);
    if (!this.reliable) {
      const again = (): void => {
        this.endpoint.send(req, to, this.onSent(txn));
        txn.interval = method === 'INVITE' ? txn.interval * 2 : Math.min(txn.interval * 2, t2);
        if (method !== 'INVITE' && txn.state === 'proceeding') txn.interval = t2;
        txn.retransmit = setTimeout(again, txn.interval);
      };
      txn.retransmit = setTimeout(again, t1);
    }
    return done;
  }

  /** Sends an ACK (or any request needing no answer) outside any transaction: a new top Via
   * with a new branch is added if absent. For the ACK of a 2xx, and its resending on a stray 2xx. */
  sendAck(ack: SipRequest, to: SipPeer, cb?: SendCallback): void {
    this.addVia(ack);
    this.endpoint.send(ack, to, cb);
  }

  onRequest(h: (req: SipRequest, txn: SipServerTransaction) => void): void {
    this.requestHandlers.push(h);
  }

  onStrayResponse(h: (res: SipResponse, from: SipPeer) => void): void {
    this.strayHandlers.push(h);
  }

  /** A 2xx to an INVITE we sent was never ACKed within 64*T1 (§13.3.1.4: end the dialog with BYE). */
  onAckTimeout(h: (invite: SipRequest, res: SipResponse, from: SipPeer) => void): void {
    this.ackTimeoutHandlers.push(h);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const txn of this.clients.values()) {
      clearClient(txn);
      if (txn.state !== 'completed') txn.reject(new SipLayerClosedError(txn.method));
    }
    this.clients.clear();
    for (const txn of this.servers.values()) txn.timers.forEach(clearTimeout);
    this.servers.clear();
    this.awaitingAck.clear();
  }

  private addVia(req: SipRequest): void {
    if (req.headers.has('Via')) return;
    req.headers.prepend('Via', newVia(this.endpoint.transport, this.opts.sentBy ?? this.endpoint.local));
  }

  private onSent(txn: ClientTxn): SendCallback {
    return (err) => {
      if (err && this.clients.get(txn.key) === txn && txn.state !== 'completed') this.failClient(txn, err);
    };
  }

  private failClient(txn: ClientTxn, err: Error): void {
    clearClient(txn);
    this.clients.delete(txn.key);
    this.log.warn({ method: txn.method, callId: txn.req.headers.get('Call-ID'), err: err.message }, 'SIP request failed');
    txn.reject(err);
  }

  private receive(msg: SipMessage, from: SipPeer): void {
    if (msg.kind === 'response') this.receiveResponse(msg, from);
    else this.receiveRequest(msg, from);
  }

  private receiveResponse(res: SipResponse, from: SipPeer): void {
    let key: string;
    try {
      key = `${branchOf(res)}|${parseCSeq(res.headers.get('CSeq') ?? '').method}`;
    } catch {
      key = '';
    }
    const txn = this.clients.get(key);
    if (!txn) {
      for (const h of this.strayHandlers) h(res, from);
      return;
    }
    if (txn.state === 'completed') {
      if (txn.ack && res.status >= 300) this.endpoint.send(txn.ack, txn.to); // the ACK was lost: again
      return;
    }
    if (res.status < 200) {
      if (txn.state === 'calling') {
        txn.state = 'proceeding';
        if (txn.method === 'INVITE' && txn.retransmit) clearTimeout(txn.retransmit);
      }
      txn.onProvisional?.(res);
      return;
    }
    clearClient(txn);
    if (txn.method === 'INVITE' && res.status < 300) {
      this.clients.delete(txn.key); // 2xx retransmissions are the dialog's business (stray)
      txn.onFinal?.(res);
      txn.resolve(res);
      return;
    }
    txn.state = 'completed';
    if (txn.method === 'INVITE') {
      txn.ack = ackForFailure(txn.req, res);
      this.endpoint.send(txn.ack, txn.to);
    }
    const linger = this.reliable ? 0 : txn.method === 'INVITE' ? 64 * this.timers.t1 : this.timers.t4; // Timer D / K
    txn.linger = setTimeout(() => this.clients.delete(txn.key), linger);
    txn.onFinal?.(res);
    txn.resolve(res);
  }

  private receiveRequest(req: SipRequest, from: SipPeer): void {
    const key = serverKey(req);
    const existing = this.servers.get(key);
    if (req.method === 'ACK') {
      if (existing && (existing.state === 'completed' || existing.state === 'confirmed')) {
        this.confirm(existing); // the ACK of our non-2xx: absorbed
        return;
      }
      const waiting = this.awaitingAck.get(dialogSeqKey(req));
      if (waiting) {
        this.awaitingAck.delete(dialogSeqKey(req));
        waiting.timers.forEach(clearTimeout);
        waiting.timers = [setTimeout(() => this.servers.delete(waiting.key), 64 * this.timers.t1)]; // Timer L
      }
      const noTxn: SipServerTransaction = { request: req, from, respond: ACK_ONLY, answered: true };
      for (const h of this.requestHandlers) h(req, noTxn);
      return;
    }
    if (existing) {
      if (existing.last) this.endpoint.send(existing.last, existing.from);
      else if (req.method === 'INVITE') this.respondIn(existing, responseFor(req, 100));
      return;
    }
    const txn = new ServerTxn(req, from, key, this);
    this.servers.set(key, txn);
    if (req.method === 'INVITE') {
      txn.timers.push(setTimeout(() => txn.last === null && this.respondIn(txn, responseFor(req, 100)), 200)); // §17.2.1
    }
    for (const h of this.requestHandlers) h(req, txn);
  }

  /** @internal ServerTxn.respond */
  respondIn(txn: ServerTxn, res: SipResponse): void {
    if (txn.answered || this.servers.get(txn.key) !== txn) {
      this.log.warn({ method: txn.request.method, status: res.status }, 'SIP response after the final one, or after the transaction ended: not sent');
      return;
    }
    this.endpoint.send(res, txn.from);
    txn.last = res;
    if (res.status < 200) {
      txn.state = 'proceeding';
      return;
    }
    txn.timers.forEach(clearTimeout);
    txn.timers = [];
    const { t1, t2 } = this.timers;
    const forget = (ms: number): void => {
      if (ms === 0) this.servers.delete(txn.key); // reliable transport: terminated at once (§17.2.2)
      else txn.timers.push(setTimeout(() => this.servers.delete(txn.key), ms));
    };
    if (txn.request.method !== 'INVITE') {
      txn.state = 'completed';
      forget(this.reliable ? 0 : 64 * t1); // Timer J
      return;
    }
    txn.state = res.status < 300 ? 'accepted' : 'completed';
    if (res.status < 300) this.awaitingAck.set(dialogSeqKey(txn.request), txn);
    if (!this.reliable) {
      let interval = t1; // Timer G, or the 2xx retransmission of §13.3.1.4
      const again = (): void => {
        if (txn.state !== 'completed' && !(txn.state === 'accepted' && this.awaitingAck.get(dialogSeqKey(txn.request)) === txn)) return;
        this.endpoint.send(res, txn.from);
        interval = Math.min(interval * 2, t2);
        txn.timers.push(setTimeout(again, interval));
      };
      txn.timers.push(setTimeout(again, interval));
    }
    txn.timers.push(setTimeout(() => {
      txn.timers.forEach(clearTimeout);
      this.servers.delete(txn.key); // Timer H / L
      if (this.awaitingAck.get(dialogSeqKey(txn.request)) !== txn) return;
      this.awaitingAck.delete(dialogSeqKey(txn.request));
      this.log.warn({ callId: txn.request.headers.get('Call-ID') }, 'no ACK for a 2xx to INVITE within 64*T1');
      for (const h of this.ackTimeoutHandlers) h(txn.request, res, txn.from);
    }, 64 * t1));
  }

  private confirm(txn: ServerTxn): void {
    if (txn.state === 'confirmed') return;
    txn.state = 'confirmed';
    txn.timers.forEach(clearTimeout);
    txn.timers = [setTimeout(() => this.servers.delete(txn.key), this.reliable ? 0 : this.timers.t4)]; // Timer I
  }
}

function clearClient(txn: ClientTxn): void {
  for (const t of [txn.retransmit, txn.timeout, txn.linger]) if (t) clearTimeout(t);
}

function branchOf(msg: SipMessage): string {
  const top = msg.headers.first('Via');
  const branch = top === undefined ? undefined : parseVia(top).params['branch'];
  return typeof branch === 'string' ? branch : '';
}

/** §17.2.3: branch + sent-by + method (ACK matches its INVITE); RFC 2543 peers without the magic
 * cookie by Call-ID, CSeq number, From tag and top Via. */
function serverKey(req: SipRequest): string {
  const method = req.method === 'ACK' ? 'INVITE' : req.method;
  const top = req.headers.first('Via') ?? '';
  try {
    const via = parseVia(top);
    const branch = via.params['branch'];
    if (typeof branch === 'string' && branch.startsWith('z9hG4bK')) return `${branch}|${via.host}:${via.port ?? ''}|${method}`;
  } catch {
    // fall through to the RFC 2543 key
  }
  return `2543|${dialogSeqKey(req)}|${req.headers.get('From') ?? ''}|${top.replace(/;\s*(received|rport)=[^;]*/g, '')}|${method}`;
}

function dialogSeqKey(req: SipRequest): string {
  let seq = NaN;
  try {
    seq = parseCSeq(req.headers.get('CSeq') ?? '').seq;
  } catch {
    // an unreadable CSeq matches nothing
  }
  return `${req.headers.get('Call-ID') ?? ''}|${seq}`;
}

/** §17.1.1.3: the ACK of a non-2xx final response, sent by the client transaction itself. */
function ackForFailure(invite: SipRequest, res: SipResponse): SipRequest {
  const h = new SipHeaders([['Via', invite.headers.getAll('Via')[0] ?? '']]);
  for (const r of invite.headers.getAll('Route')) h.append('Route', r);
  h.append('Max-Forwards', '70');
  h.append('From', invite.headers.get('From') ?? '');
  h.append('To', res.headers.get('To') ?? '');
  h.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  h.append('CSeq', `${parseCSeq(invite.headers.get('CSeq') ?? '').seq} ACK`);
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers: h, body: Buffer.alloc(0) };
}
