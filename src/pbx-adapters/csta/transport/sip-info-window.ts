/**
 * What the SIP/CSTA channel sends, in order: our INFOs (CSTA requests, answers, events) and session
 * refreshes, with at most `maxInFlight` awaiting their final response, and the answers to the
 * peer's requests that ride in a final response once what we wrote before them has left
 * (sip-channel.ts says why the order matters and how big the window is).
 *
 * An INFO refused 500 over UDP (out of order after a datagram was lost and resent) goes again as a
 * new request, ahead of what waits, twice at most. Everything about the dialog itself — building
 * the request, what a refresh's answer means, what a lost INFO tells the session above — is the
 * channel's (`WindowHost`).
 */
import type { Logger } from 'pino';
import type { SipRequest, SipResponse, SipServerTransaction } from '../../sip/index.ts';

export type Outgoing =
  | { kind: 'info'; invokeId: number; body: Buffer; root: string; answer: boolean; cb: ((err?: Error | null) => void) | undefined; settled: boolean; retries?: number }
  | { kind: 'refresh' }
  /** The answer to a request of the peer, in its final response, once what we wrote before it has left. */
  | { kind: 'answer'; res: SipResponse; txn: SipServerTransaction; cb: ((err?: Error | null) => void) | undefined };

export type InfoOrRefresh = Exclude<Outgoing, { kind: 'answer' }>;
export type Info = Extract<Outgoing, { kind: 'info' }>;

/** How many times an INFO refused 500 over UDP is sent again as a new request. */
const MAX_OUT_OF_ORDER_RETRIES = 2;

export interface WindowHost {
  readonly open: boolean;
  readonly transport: 'udp' | 'tcp';
  /** The SIP request for an INFO or a refresh, in the dialog (a new CSeq). */
  build(out: InfoOrRefresh): SipRequest;
  /** Sends it in its own client transaction; `onFinal` runs in the turn its final response arrives. */
  request(req: SipRequest, onFinal: (res: SipResponse) => void): Promise<SipResponse>;
  /** A refresh got its final response (null: none, `err` says why). */
  refreshed(req: SipRequest, res: SipResponse | null, err?: Error): void;
  /** An INFO of ours was answered 2xx with a CSTA answer in the body. */
  answeredInBody(out: Info, xml: string): void;
  /** An INFO of ours was not delivered (`why`); `out.cb` has been told. */
  lost(out: Info, why: string): void;
  /** A 481: the peer knows the dialog no more. */
  dialogGone(): void;
}

export class InfoWindow {
  private readonly queue: Outgoing[] = [];
  private readonly inFlight = new Set<InfoOrRefresh>();
  private queuedBytes = 0;

  constructor(
    private readonly host: WindowHost,
    private readonly maxInFlight: number,
    private readonly log: Logger,
  ) {}

  /** Body bytes written and not yet sent. */
  get writableLength(): number {
    return this.queuedBytes;
  }

  /** Nothing waits: an answer may go in its final response at once. */
  get empty(): boolean {
    return this.queue.length === 0;
  }

  push(out: Info | Extract<Outgoing, { kind: 'answer' }>): void {
    this.queue.push(out);
    this.queuedBytes += out.kind === 'info' ? out.body.length : out.res.body.length;
    this.pump();
  }

  /** A session refresh, ahead of whatever waits. */
  refresh(): void {
    this.queue.unshift({ kind: 'refresh' });
    this.pump();
  }

  /** The channel closed: INFOs not settled are lost, answers still go (a request of the peer is
   * never left without its final response, dialog or not). What is in flight stays so, settled:
   * a late final response finds it (a refresh's 2xx to a re-INVITE is still ACKed). */
  drain(reason: string): void {
    const left = [...this.inFlight, ...this.queue];
    this.queue.length = 0;
    this.queuedBytes = 0;
    for (const out of left) {
      if (out.kind === 'info' && !out.settled) this.fail(out, `channel closed: ${reason}`);
      else if (out.kind === 'answer') this.sendAnswer(out, false);
    }
  }

  pump(): void {
    while (this.host.open && this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'answer') {
        this.queue.shift();
        this.sendAnswer(head, true);
        continue;
      }
      if (this.inFlight.size >= this.maxInFlight) break;
      this.queue.shift();
      if (head.kind === 'info') this.queuedBytes -= head.body.length;
      this.inFlight.add(head);
      const req = this.host.build(head);
      // The final response is taken in the same turn as it arrives (onFinal), not a microtask
      // later: over TCP an INFO of the peer right behind it in one read must not overtake it.
      let done: Promise<SipResponse>;
      try {
        done = this.host.request(req, (res) => this.onFinal(head, req, res));
      } catch (e) {
        done = Promise.reject(e as Error);
      }
      done.then(undefined, (err: Error) => this.onFinal(head, req, null, err));
    }
  }

  private onFinal(out: InfoOrRefresh, req: SipRequest, res: SipResponse | null, err?: Error): void {
    if (!this.inFlight.delete(out)) return; // settled already (closed meanwhile)
    if (out.kind === 'refresh') {
      this.host.refreshed(req, res, err);
      this.pump();
      return;
    }
    if (out.settled) return this.pump();
    if (res?.status === 500 && this.host.transport === 'udp' && (out.retries ?? 0) < MAX_OUT_OF_ORDER_RETRIES && this.host.open) {
      // Refused as out of order (a datagram lost and resent behind later ones): the same document
      // again, as a new INFO with a new CSeq, ahead of what still waits.
      out.retries = (out.retries ?? 0) + 1;
      this.log.warn({ invokeId: out.invokeId, root: out.root, retry: out.retries, reason: res.reason }, 'SIP INFO refused 500 (out of order after a loss?): sent again as a new request; it arrives out of order');
      this.queue.unshift(out);
      this.queuedBytes += out.body.length;
      this.pump();
      return;
    }
    out.settled = true;
    if (res && res.status < 300) {
      out.cb?.();
      if (res.body.length > 0) this.host.answeredInBody(out, res.body.toString('utf8'));
      this.pump();
      return;
    }
    const why = res ? `SIP ${res.status} ${res.reason}` : err?.name === 'SipTimeoutError' ? 'SIP timeout' : `SIP ${err?.message ?? 'failure'}`;
    this.fail(out, why);
    if (res?.status === 481) return this.host.dialogGone();
    this.pump();
  }

  private sendAnswer(a: Extract<Outgoing, { kind: 'answer' }>, counted: boolean): void {
    if (counted) this.queuedBytes -= a.res.body.length;
    try {
      a.txn.respond(a.res);
      a.cb?.();
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'CSTA answer not sent');
      a.cb?.(e as Error);
    }
  }

  private fail(out: Info, why: string): void {
    out.settled = true;
    this.host.lost(out, why);
    out.cb?.(new Error(why));
  }
}
