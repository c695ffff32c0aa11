/**
 * The SIP/CSTA channel (uaCSTA, ECMA TR/87): CSTA documents in the bodies of INFO requests and
 * their 200 OKs inside one SIP dialog. One class for both ends — the daemon (UAC, `sip-client.ts`)
 * and the simulated switch (UAS, `sip-listener.ts`) — over a SipDialog and a SipTransactionLayer.
 *
 * Invoke ids (SIP has none): our request keeps the id it was sent with and gets its answer from
 * the 200 OK's body, or later from an INFO of the peer matched by answer type (`csta-sip-body.ts`).
 * The peer's request gets a fresh id; answered inside onMessage it rides in the 200 OK, answered
 * later it goes as an INFO of ours. Events are 9999 both ways.
 *
 * Ordering: a window of INFOs in flight, in CSeq order: 512 over TCP (at 200 calls/s a switch
 * sends ~3,000 INFOs/s and a window of 32 capped it at 32 per round trip: docs/performance.md,
 * 2026-12-03), one over UDP unless `maxInFlight` opens one. Over
 * UDP a datagram lost and retransmitted reaches the peer after later ones, and RFC 3261 §12.2.2
 * has the peer refuse it 500 (a CSeq below the last): that INFO is sent again as a new request
 * (twice at most), so nothing is lost, but that one document arrives out of order (logged). A
 * window of 1 (`maxInFlight: 1`) keeps strict order over a lossy UDP path, at one round trip per
 * document. Session
 * timer (RFC 4028): the UAC refreshes at half the interval, the UAS ends a dialog left unrefreshed.
 */
import type { Logger } from 'pino';
import { newVia, parseCSeq, responseFor, SipMessageTooLargeError, type SipDialog, type SipEndpoint, type SipParseError, type SipPeer, type SipRequest, type SipResponse, type SipServerTransaction, type SipTransactionLayer, type ResponseOptions } from '../../sip/index.ts';
import type { CstaChannel, CstaChannelHandlers, CstaChannelIssue } from './channel.ts';
import { InfoWindow, type Info, type InfoOrRefresh, type WindowHost } from './sip-info-window.ts';
import { AwaitingAnswers, contentTypeOf, CSTA_CONTENT_TYPE, expectsAnswer, InvokeIds, isAnswer, isEvent, MAX_CSTA_BODY_BYTES, rootElementName } from './csta-sip-body.ts';

export const EVENT_INVOKE_ID = 9999;
export const SIP_CSTA_ALLOW = 'INVITE, ACK, BYE, CANCEL, INFO, OPTIONS, UPDATE';
export const DEFAULT_MAX_IN_FLIGHT = 512;
const DISPOSITION = 'signal;handling=required';
const RELEASE_AFTER_MS = { graceful: 1_000, abrupt: 100 };
/** How long the switch waits for the CTI's BYE after the application session stopped. */
const BYE_WAIT_MS = 5_000;

export interface SipCstaChannelOptions {
  role: 'uac' | 'uas';
  dialog: SipDialog;
  layer: SipTransactionLayer;
  endpoint: SipEndpoint;
  peer: SipPeer;
  /** The client's own endpoint and layer, released when the channel closes; a listener's are shared. */
  ownsEndpoint: boolean;
  logger: Logger;
  /** The granted Session-Expires, seconds. */
  sessionExpiresS: number;
  /** UAS: the longest interval a refresh may ask for (the listener's own maximum). */
  maxSessionExpiresS?: number;
  /** UAC: the peer's Allow lists UPDATE (else refresh by re-INVITE with `inviteBody`). */
  peerAllowsUpdate?: boolean;
  inviteBody?: Buffer;
  /** INFOs of ours awaiting their final response at once (default 32). */
  maxInFlight?: number;
  /** A Via sent-by of our own (the listener bound to a wildcard address). */
  sentBy?: { address: string; port: number };
  /** Told when the channel has closed (the listener forgets the dialog). */
  onClosed?: (ch: SipCstaChannel) => void;
}

export class SipCstaChannel implements CstaChannel {
  readonly kind = 'sip-csta' as const;
  readonly remote: string;
  readonly dialog: SipDialog;
  readonly peer: SipPeer;
  private readonly log: Logger;
  private handlers: CstaChannelHandlers | null = null;
  private early: ((h: CstaChannelHandlers) => void)[] = [];
  private open = true;
  /** What we send, in order, with a window of INFOs in flight (sip-info-window.ts). */
  private readonly window: InfoWindow;
  private readonly awaiting = new AwaitingAnswers();
  /** The peer's requests not answered yet, by the invoke id we gave them. */
  private readonly peerPending = new Map<number, { txn: SipServerTransaction; at: number }>();
  private readonly ids = new InvokeIds();
  /** The peer's request whose onMessage is running now: an answer to it rides in the 200 OK. */
  private inside: { invokeId: number; txn: SipServerTransaction; ok: Omit<ResponseOptions, 'body' | 'contentType'>; deferred?: boolean } | null = null;
  private sessionTimer: ReturnType<typeof setTimeout> | undefined;
  private sessionExpiresS: number;
  private readonly maxBody: number;
  private byeDone: Promise<void> = Promise.resolve();
  /** The switch's side after a graceful close: waiting for the CTI's BYE. */
  private ending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: SipCstaChannelOptions) {
    this.dialog = opts.dialog;
    this.peer = opts.peer;
    this.remote = `sip-csta ${opts.peer.transport} ${opts.peer.address}:${opts.peer.port}`;
    this.log = opts.logger.child({ channel: 'sip-csta', sipCallId: opts.dialog.callId });
    this.sessionExpiresS = opts.sessionExpiresS;
    // UDP: one at a time unless told (a window reorders after a loss, and a loaded loopback loses).
    const maxInFlight = Math.max(1, opts.maxInFlight ?? (opts.peer.transport === 'udp' ? 1 : DEFAULT_MAX_IN_FLIGHT));
    this.window = new InfoWindow(this.windowHost(), maxInFlight, this.log);
    this.maxBody = Math.min(MAX_CSTA_BODY_BYTES, this.wireLimit() - this.infoOverhead());
    this.armSessionTimer();
  }

  get isOpen(): boolean {
    return this.open;
  }

  get writableLength(): number {
    return this.window.writableLength;
  }

  /** The dialog's SIP parts, for fault injection on the switch's side (sip-probes.ts). */
  get sip(): { dialog: SipDialog; layer: SipTransactionLayer; endpoint: SipEndpoint; peer: SipPeer } {
    return { dialog: this.dialog, layer: this.opts.layer, endpoint: this.opts.endpoint, peer: this.peer };
  }

  /** Resolves once our BYE is answered or given up on (at once when none was sent). */
  get closed(): Promise<void> {
    return this.byeDone;
  }

  setHandlers(handlers: CstaChannelHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = [];
    for (const fn of early) fn(handlers);
  }

  send(invokeId: number, xml: string, cb?: (err?: Error | null) => void): void {
    const body = Buffer.from(xml, 'utf8');
    if (body.length > this.maxBody) throw new SipMessageTooLargeError(body.length, this.maxBody, 'what a CSTA body in one SIP message may be');
    if (!this.open) {
      cb?.(new Error('channel closed'));
      return;
    }
    const pending = invokeId === EVENT_INVOKE_ID ? undefined : this.peerPending.get(invokeId);
    if (pending) {
      this.peerPending.delete(invokeId);
      if (this.inside?.invokeId === invokeId && !pending.txn.answered) {
        const res = responseFor(pending.txn.request, 200, undefined, { ...this.inside.ok, body, contentType: CSTA_CONTENT_TYPE });
        if (this.window.empty) {
          pending.txn.respond(res);
          if (cb) queueMicrotask(() => cb());
        } else {
          // Order as written: events we wrote before this answer reach the peer before it (as one
          // Annex G stream would carry them), so its final response waits its turn in the queue.
          this.inside.deferred = true;
          this.window.push({ kind: 'answer', res, txn: pending.txn, cb });
        }
        return;
      }
    }
    const root = rootElementName(xml) ?? '';
    const answer = pending !== undefined;
    if (!answer && invokeId !== EVENT_INVOKE_ID && expectsAnswer(root)) this.awaiting.add(invokeId, root);
    this.window.push({ kind: 'info', invokeId, body, root, answer, cb, settled: false });
  }

  writeRaw(bytes: Buffer): void {
    if (this.open) this.opts.endpoint.writeRaw(bytes, this.peer);
  }

  /** Ends the dialog: a BYE of ours. Graceful on the switch's side (the CTI stopped its
   * application session): the CTI ends the dialog (TR/87), so we wait for its BYE and send ours
   * only if none comes within `BYE_WAIT_MS`. */
  close(reason: string, graceful = false): void {
    if (!this.open || this.ending) return;
    if (graceful && this.opts.role === 'uas') {
      this.ending = setTimeout(() => this.shutdown(`${reason}; no BYE from the CTI`, false, true), BYE_WAIT_MS);
      this.ending.unref?.();
      return;
    }
    this.shutdown(reason, graceful, true);
  }

  /** Ends the dialog with a BYE of ours now, waiting up to a second for its answer (`closed`). */
  end(reason: string): void {
    this.shutdown(reason, true, true);
  }

  /** A request of the peer in (or claiming to be in) this dialog. */
  handleRequest(req: SipRequest, txn: SipServerTransaction): void {
    if (req.method === 'ACK') return; // of a 2xx to a re-INVITE: nothing to do
    if (!this.open) {
      txn.respond(responseFor(req, 481));
      return;
    }
    const admitted = this.dialog.admit(req);
    if (!admitted.ok) {
      txn.respond(responseFor(req, admitted.status, admitted.reason));
      this.log.warn({ method: req.method, status: admitted.status, cseq: req.headers.get('CSeq') }, 'SIP request refused');
      this.issue({ reason: admitted.status === 481 ? 'sipOutsideDialog' : 'sipOutOfOrder', detail: `${req.method} answered ${admitted.status}` });
      return;
    }
    switch (req.method) {
      case 'INFO':
        return this.onInfo(req, txn);
      case 'BYE':
        txn.respond(responseFor(req, 200));
        this.shutdown(this.opts.role === 'uac' ? 'BYE from the switch' : 'BYE from the CTI', false, false);
        return;
      case 'UPDATE':
      case 'INVITE':
        return this.onRefresh(req, txn);
      case 'OPTIONS':
        txn.respond(responseFor(req, 200, undefined, { headers: [['Allow', SIP_CSTA_ALLOW], ['Accept', CSTA_CONTENT_TYPE]] }));
        return;
      default:
        txn.respond(responseFor(req, 405, undefined, { headers: [['Allow', SIP_CSTA_ALLOW]] }));
        this.log.warn({ method: req.method, status: 405 }, 'SIP request of a method this dialog does not take: 405');
    }
  }

  /** A malformed message of this dialog, already answered by the endpoint (400/413/…). */
  handleParseError(err: SipParseError): void {
    this.issue({ reason: err.status === 413 || err.status === 513 ? 'sipTooLarge' : 'sipMalformed', detail: err.message });
  }

  /** UAC: a 2xx to one of our INVITEs came again (its ACK was lost): ACK it again. */
  handleStrayResponse(res: SipResponse): void {
    if (res.status < 200 || res.status >= 300 || !this.dialog.matches(res)) return;
    const cseq = parseCSeq(res.headers.get('CSeq') ?? '');
    if (cseq.method === 'INVITE') this.opts.layer.sendAck(this.withVia(this.dialog.ack(cseq.seq)), this.peer);
  }

  private onInfo(req: SipRequest, txn: SipServerTransaction): void {
    if (req.body.length === 0) {
      txn.respond(responseFor(req, 200));
      return;
    }
    const type = contentTypeOf(req);
    if (type !== CSTA_CONTENT_TYPE) {
      txn.respond(responseFor(req, 415, undefined, { headers: [['Accept', CSTA_CONTENT_TYPE]] }));
      this.log.warn({ contentType: type || null }, 'SIP INFO with a body not application/csta+xml: 415');
      this.issue({ reason: 'sipContentType', detail: `INFO with Content-Type ${type || '(none)'}` });
      return;
    }
    if (req.body.length > MAX_CSTA_BODY_BYTES) {
      txn.respond(responseFor(req, 413));
      this.log.warn({ bytes: req.body.length }, 'SIP INFO body over 64 KiB: 413');
      this.issue({ reason: 'sipTooLarge', detail: `INFO body of ${req.body.length} bytes` });
      return;
    }
    const xml = req.body.toString('utf8');
    const root = rootElementName(xml) ?? '';
    if (isAnswer(root)) {
      txn.respond(responseFor(req, 200));
      const invokeId = this.awaiting.take(root);
      if (invokeId === null) {
        this.log.warn({ root }, 'CSTA answer in an INFO matches no request of ours');
        this.issue({ reason: 'sipUnmatchedAnswer', detail: `${root} answers no request awaiting it` });
      } else this.deliver(invokeId, xml);
      return;
    }
    if (isEvent(root)) {
      txn.respond(responseFor(req, 200));
      this.deliver(EVENT_INVOKE_ID, xml);
      return;
    }
    if (!expectsAnswer(root)) {
      // RouteRequest, RouteEnd…: no CSTA answer will follow, so nothing to wait for; an invoke id
      // all the same (the session above reads requests with one).
      txn.respond(responseFor(req, 200));
      this.deliver(this.ids.next(this.peerPending) ?? 1, xml);
      return;
    }
    this.takeRequest(req, txn, xml, {});
  }

  /** UAS: the INVITE that opened this dialog. Its CSTA request (a RequestSystemStatus, or a session
   * start) is handed up like an INFO's, and the answer rides in the 200 OK, which carries `ok`'s
   * headers (To tag, Contact, Allow, the session timer). No body, or no answer at once: an empty
   * 200 OK (the answer, if any, follows in an INFO of ours). */
  acceptInvite(req: SipRequest, txn: SipServerTransaction, ok: Omit<ResponseOptions, 'body' | 'contentType'>): void {
    const xml = req.body.length > 0 ? req.body.toString('utf8') : '';
    const root = xml ? rootElementName(xml) ?? '' : '';
    if (!xml || !expectsAnswer(root)) {
      txn.respond(responseFor(req, 200, undefined, ok));
      if (xml && isEvent(root)) this.deliver(EVENT_INVOKE_ID, xml);
      return;
    }
    this.takeRequest(req, txn, xml, ok);
  }

  /** The peer's TCP flow closed, or its dialog cannot go on: closed without a BYE of ours. */
  peerGone(reason: string): void {
    this.shutdown(reason, false, false);
  }

  /** A CSTA request of the peer: a fresh invoke id; answered inside onMessage, the answer rides in
   * the final response; otherwise an empty 200 OK now and the answer later in an INFO of ours. */
  private takeRequest(req: SipRequest, txn: SipServerTransaction, xml: string, ok: Omit<ResponseOptions, 'body' | 'contentType'>): void {
    const invokeId = this.ids.next(this.peerPending);
    if (invokeId === null) {
      txn.respond(responseFor(req, 503, undefined, ok.toTag !== undefined ? { toTag: ok.toTag } : {}));
      return;
    }
    this.peerPending.set(invokeId, { txn, at: Date.now() });
    this.prunePeerPending();
    if (this.handlers) {
      const inside: NonNullable<SipCstaChannel['inside']> = { invokeId, txn, ok };
      this.inside = inside;
      try {
        this.handlers.onMessage(invokeId, xml);
      } finally {
        this.inside = null;
        if (!txn.answered && !inside.deferred) txn.respond(responseFor(req, 200, undefined, ok));
      }
    } else {
      txn.respond(responseFor(req, 200, undefined, ok)); // answered later, in an INFO of ours
      this.early.push((h) => h.onMessage(invokeId, xml));
    }
  }

  private onRefresh(req: SipRequest, txn: SipServerTransaction): void {
    const asked = parseInt(req.headers.get('Session-Expires') ?? '', 10);
    // The peer may ask for another interval; the switch grants at most its own maximum.
    if (Number.isFinite(asked) && asked > 0) this.sessionExpiresS = this.opts.maxSessionExpiresS === undefined ? asked : Math.min(asked, this.opts.maxSessionExpiresS);
    const headers: [string, string][] = [['Session-Expires', `${this.sessionExpiresS};refresher=uac`], ['Allow', SIP_CSTA_ALLOW], ['Supported', 'timer']];
    if (/\btimer\b/i.test(req.headers.getAll('Supported').join(','))) headers.push(['Require', 'timer']);
    if (this.dialog.localContact !== undefined) headers.push(['Contact', this.dialog.localContact]);
    const reinviteBody = req.method === 'INVITE' && this.opts.inviteBody ? { body: this.opts.inviteBody, contentType: CSTA_CONTENT_TYPE } : {};
    txn.respond(responseFor(req, 200, undefined, { headers, ...reinviteBody }));
    this.armSessionTimer();
  }

  private deliver(invokeId: number, xml: string): void {
    if (this.handlers) this.handlers.onMessage(invokeId, xml);
    else this.early.push((h) => h.onMessage(invokeId, xml));
  }

  private issue(issue: CstaChannelIssue): void {
    if (this.handlers) this.handlers.onIssue(issue);
    else this.early.push((h) => h.onIssue(issue));
  }

  /** What the window needs of the dialog (sip-info-window.ts). */
  private windowHost(): WindowHost {
    const ch = this;
    return {
      get open() {
        return ch.open;
      },
      transport: this.peer.transport,
      build: (out: InfoOrRefresh) => {
        if (out.kind === 'info') {
          return this.dialog.request('INFO', { body: out.body, contentType: CSTA_CONTENT_TYPE, headers: [['Content-Disposition', DISPOSITION]] });
        }
        const useUpdate = this.opts.peerAllowsUpdate !== false;
        const headers: [string, string][] = [['Session-Expires', `${this.sessionExpiresS};refresher=uac`], ['Supported', 'timer']];
        if (!useUpdate) headers.push(['Allow', SIP_CSTA_ALLOW], ['Content-Disposition', DISPOSITION]);
        return this.dialog.request(useUpdate ? 'UPDATE' : 'INVITE', {
          headers,
          ...(!useUpdate && this.opts.inviteBody ? { body: this.opts.inviteBody, contentType: CSTA_CONTENT_TYPE } : {}),
        });
      },
      request: (req, onFinal) => this.opts.layer.request(this.withVia(req), this.peer, { onFinal }),
      refreshed: (req, res, err) => {
        if (res && res.status < 300) {
          if (req.method === 'INVITE') this.opts.layer.sendAck(this.withVia(this.dialog.ack(parseCSeq(req.headers.get('CSeq')!).seq)), this.peer);
          const granted = parseInt(res.headers.get('Session-Expires') ?? '', 10);
          if (Number.isFinite(granted) && granted > 0) this.sessionExpiresS = granted;
          this.armSessionTimer();
        } else if (this.open) {
          this.log.warn({ status: res?.status, err: err?.message }, 'SIP session refresh failed');
          this.shutdown('session refresh failed', false, res?.status !== 481);
        }
      },
      answeredInBody: (out: Info, xml: string) => {
        if (out.answer || out.invokeId === EVENT_INVOKE_ID) return;
        this.awaiting.remove(out.invokeId);
        this.deliver(out.invokeId, xml);
      },
      lost: (out: Info, why: string) => {
        this.awaiting.remove(out.invokeId);
        if (!out.answer && out.invokeId !== EVENT_INVOKE_ID) {
          const h = this.handlers;
          if (h) h.onSendFailed(out.invokeId, why);
          else this.early.push((hh) => hh.onSendFailed(out.invokeId, why));
        } else this.log.warn({ invokeId: out.invokeId, why }, 'CSTA answer or event not delivered');
      },
      dialogGone: () => this.shutdown('dialog gone (481)', false, false),
    };
  }

  private armSessionTimer(): void {
    clearTimeout(this.sessionTimer);
    if (!this.open || !(this.sessionExpiresS > 0)) return;
    if (this.opts.role === 'uac') {
      this.sessionTimer = setTimeout(() => this.window.refresh(), (this.sessionExpiresS * 1000) / 2);
    } else {
      this.sessionTimer = setTimeout(() => {
        this.log.warn({ sessionExpiresS: this.sessionExpiresS }, 'SIP/CSTA dialog not refreshed in time: BYE');
        this.shutdown('session expired (not refreshed)', false, true);
      }, this.sessionExpiresS * 1000);
    }
    this.sessionTimer.unref?.();
  }

  private shutdown(reason: string, graceful: boolean, sendBye: boolean): void {
    if (!this.open) return;
    this.open = false;
    clearTimeout(this.sessionTimer);
    clearTimeout(this.ending);
    this.window.drain(reason);
    this.awaiting.clear();
    this.peerPending.clear();
    let bye: Promise<unknown> = Promise.resolve();
    if (sendBye) {
      try {
        bye = this.opts.layer.request(this.withVia(this.dialog.request('BYE')), this.peer).then(
          (res) => this.log.debug({ status: res.status }, 'BYE answered'),
          (err: Error) => this.log.debug({ err: err.message }, 'BYE not answered'),
        );
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'BYE not sent');
      }
    }
    const wait = sendBye ? (graceful ? RELEASE_AFTER_MS.graceful : RELEASE_AFTER_MS.abrupt) : RELEASE_AFTER_MS.abrupt;
    this.byeDone = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      void bye.then(() => {
        clearTimeout(timer);
        resolve();
      });
    }).then(async () => {
      if (!this.opts.ownsEndpoint) return;
      this.opts.layer.close();
      await this.opts.endpoint.close();
    });
    this.log.info({ reason }, 'SIP/CSTA channel closed');
    this.opts.onClosed?.(this);
    if (this.handlers) this.handlers.onClose(reason);
    else this.early.push((h) => h.onClose(reason));
  }

  private prunePeerPending(): void {
    // A Map keeps insertion order, and every entry is a new key: the first are the oldest.
    for (const id of this.peerPending.keys()) {
      if (this.peerPending.size <= 1000) break;
      this.peerPending.delete(id);
    }
  }

  private withVia(req: SipRequest): SipRequest {
    const by = this.opts.sentBy;
    if (by && !req.headers.has('Via')) req.headers.prepend('Via', newVia(this.peer.transport, by));
    return req;
  }

  private wireLimit(): number {
    return this.peer.transport === 'udp' ? 65_507 : 65_535;
  }

  /** Bytes of an INFO of ours without its body, with room for a longer CSeq and Via. */
  private infoOverhead(): number {
    const d = this.dialog;
    const probe = [
      `INFO ${d.remoteTarget} SIP/2.0`, `Via: SIP/2.0/TCP [ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535;branch=z9hG4bK${'0'.repeat(20)};rport`,
      ...d.routeSet.map((r) => `Route: ${r}`), 'Max-Forwards: 70', `From: <${d.localUri}>;tag=${d.localTag}`,
      `To: <${d.remoteUri}>;tag=${d.remoteTag}`, `Call-ID: ${d.callId}`, 'CSeq: 2147483647 INFO',
      `Content-Type: ${CSTA_CONTENT_TYPE}`, `Content-Disposition: ${DISPOSITION}`, 'Content-Length: 65535', '', '',
    ].join('\r\n');
    return Buffer.byteLength(probe) + 16;
  }
}
