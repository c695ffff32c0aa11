/**
 * The switch's side of SIP/CSTA (UAS, ECMA TR/87): UDP and TCP on one port, each INVITE with an
 * `application/csta+xml` body (or none) a new dialog and a SipCstaChannel handed to `onChannel`
 * (the simulator's CstaServer makes it a CTI link). The INVITE's CSTA request (a
 * RequestSystemStatus, or a session start) is the link's first message; its answer rides in the
 * 200 OK, with a To tag, our Contact, Allow and the granted session timer (RFC 4028; the CTI
 * refreshes, we end a dialog left unrefreshed).
 *
 * Outside any dialog: an INFO, BYE or UPDATE gets 481, an OPTIONS our capabilities, another method
 * 405; an INVITE with another body type 415. Malformed messages are answered by the endpoint.
 */
import type { Logger } from 'pino';
import {
  newTag,
  responseFor,
  SipDialog,
  SipEndpoint,
  SipTransactionLayer,
  sipHost,
  tagOf,
  type SipParseError,
  type SipPeer,
  type SipRequest,
  type SipServerTransaction,
  type SipTimers,
  type SipTransportName,
} from '../../sip/index.ts';
import { contentTypeOf, CSTA_CONTENT_TYPE } from './csta-sip-body.ts';
import { SIP_CSTA_ALLOW, SipCstaChannel } from './sip-channel.ts';

/** Granted when the CTI asks for none (RFC 4028's recommended default). */
export const DEFAULT_SWITCH_SESSION_EXPIRES_S = 1800;
const MIN_SE_S = 90;

export interface SipCstaListenerOptions {
  logger: Logger;
  onChannel(channel: SipCstaChannel): void;
  /** The longest session interval we grant (default 1800 s); the CTI's smaller ask is taken. */
  sessionExpiresS?: number;
  timers?: Partial<SipTimers>;
}

interface Wire { endpoint: SipEndpoint; layer: SipTransactionLayer }

export class SipCstaListener {
  private readonly log: Logger;
  private readonly wires = new Map<SipTransportName, Wire>();
  /** Open dialogs by Call-ID (one association per Call-ID). */
  private readonly dialogs = new Map<string, SipCstaChannel>();
  private host = '127.0.0.1';
  private closing = false;

  constructor(private readonly opts: SipCstaListenerOptions) {
    this.log = opts.logger.child({ sipListener: true });
  }

  /** Binds UDP and TCP on the same port (0: one the system picks, free on both). */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.host = host;
    for (let attempt = 0; ; attempt++) {
      const udp = await SipEndpoint.listen({ transport: 'udp', host, port, logger: this.opts.logger });
      try {
        const tcp = await SipEndpoint.listen({ transport: 'tcp', host, port: udp.local.port, logger: this.opts.logger });
        this.wire(udp);
        this.wire(tcp);
        this.log.info({ port: udp.local.port, host }, 'SIP/CSTA listening (UDP and TCP)');
        return udp.local.port;
      } catch (e) {
        await udp.close();
        // Port 0: the UDP port the system gave may be taken for TCP; try another.
        if (port !== 0 || attempt >= 10 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      }
    }
  }

  get port(): number | null {
    return this.wires.get('udp')?.endpoint.local.port ?? null;
  }

  get channelCount(): number {
    return this.dialogs.size;
  }

  /** Ends every dialog (BYE) and closes both sockets. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const channels = [...this.dialogs.values()];
    for (const ch of channels) ch.end('switch closing');
    await Promise.all(channels.map((ch) => ch.closed));
    for (const w of this.wires.values()) {
      w.layer.close();
      await w.endpoint.close();
    }
    this.wires.clear();
  }

  private wire(endpoint: SipEndpoint): void {
    const layer = new SipTransactionLayer(endpoint, { logger: this.opts.logger, ...(this.opts.timers ? { timers: this.opts.timers } : {}), ...(this.sentBy(endpoint)) });
    this.wires.set(endpoint.transport, { endpoint, layer });
    layer.onRequest((req, txn) => this.onRequest(endpoint, layer, req, txn));
    layer.onStrayResponse((res) => this.dialogs.get(res.headers.get('Call-ID') ?? '')?.handleStrayResponse(res));
    layer.onAckTimeout((invite) => {
      const ch = this.dialogs.get(invite.headers.get('Call-ID') ?? '');
      if (!ch) return;
      this.log.warn({ sipCallId: ch.dialog.callId }, 'no ACK for the 200 OK to INVITE: ending the dialog');
      ch.close('no ACK to the 200 OK');
    });
    endpoint.onParseError((err: SipParseError) => {
      const callId = err.partial?.headers?.get('Call-ID');
      if (callId !== undefined) this.dialogs.get(callId)?.handleParseError(err);
    });
    endpoint.onFlowClosed((peer, reason) => {
      for (const ch of [...this.dialogs.values()]) {
        if (ch.peer.transport === 'tcp' && ch.peer.address === peer.address && ch.peer.port === peer.port) ch.peerGone(`closed by the CTI (${reason})`);
      }
    });
  }

  private sentBy(endpoint: SipEndpoint): { sentBy?: { address: string; port: number } } {
    if (!isWildcard(endpoint.local.address)) return {};
    return { sentBy: { address: '127.0.0.1', port: endpoint.local.port } };
  }

  private onRequest(endpoint: SipEndpoint, layer: SipTransactionLayer, req: SipRequest, txn: SipServerTransaction): void {
    const callId = req.headers.get('Call-ID') ?? '';
    const known = this.dialogs.get(callId);
    const inDialog = tagOf(req.headers.get('To')) !== undefined;
    if (known && inDialog) return known.handleRequest(req, txn);
    if (req.method === 'ACK') return; // of a 2xx we gave to a dialog now gone, or a stray: nothing to answer
    if (inDialog || req.method !== 'INVITE') return this.outsideDialog(req, txn);
    if (known) {
      // A second INVITE with a Call-ID we already hold and no To tag: not a retransmission (the
      // transaction layer absorbs those), a confused CTI. One association per Call-ID.
      txn.respond(responseFor(req, 482, 'Loop Detected'));
      return;
    }
    this.openDialog(endpoint, layer, req, txn);
  }

  private outsideDialog(req: SipRequest, txn: SipServerTransaction): void {
    if (req.method === 'OPTIONS') {
      txn.respond(responseFor(req, 200, undefined, { headers: [['Allow', SIP_CSTA_ALLOW], ['Accept', CSTA_CONTENT_TYPE], ['Supported', 'timer']] }));
      return;
    }
    if (req.method === 'CANCEL') {
      txn.respond(responseFor(req, 481));
      return;
    }
    const status = ['INFO', 'BYE', 'UPDATE', 'INVITE', 'PRACK'].includes(req.method) ? 481 : 405;
    this.log.warn({ method: req.method, sipCallId: req.headers.get('Call-ID'), status }, 'SIP request outside any dialog');
    txn.respond(responseFor(req, status, undefined, status === 405 ? { headers: [['Allow', SIP_CSTA_ALLOW]] } : {}));
  }

  private openDialog(endpoint: SipEndpoint, layer: SipTransactionLayer, req: SipRequest, txn: SipServerTransaction): void {
    const type = contentTypeOf(req);
    if (req.body.length > 0 && type !== CSTA_CONTENT_TYPE) {
      this.log.warn({ contentType: type || null }, 'SIP INVITE with a body not application/csta+xml: 415');
      txn.respond(responseFor(req, 415, undefined, { headers: [['Accept', CSTA_CONTENT_TYPE]] }));
      return;
    }
    const granted = this.grant(req);
    if (typeof granted === 'object') {
      txn.respond(responseFor(req, 422, undefined, { headers: [['Min-SE', String(granted.minSe)]] }));
      return;
    }
    if (this.closing) {
      txn.respond(responseFor(req, 503));
      return;
    }
    let dialog: SipDialog;
    try {
      dialog = SipDialog.fromUasInvite(req, newTag());
    } catch (e) {
      txn.respond(responseFor(req, 400, undefined, { headers: [['Warning', `399 switchboard "${(e as Error).message}"`]] }));
      return;
    }
    const peer: SipPeer = txn.from;
    const wildcard = isWildcard(endpoint.local.address);
    const local = wildcard ? this.contactHost(req) : endpoint.local.address;
    const contact = `<sip:csta@${sipHost(local)}:${endpoint.local.port}${endpoint.transport === 'tcp' ? ';transport=tcp' : ''}>`;
    dialog.localContact = contact;
    const channel = new SipCstaChannel({
      role: 'uas',
      dialog,
      layer,
      endpoint,
      peer,
      ownsEndpoint: false,
      logger: this.opts.logger,
      sessionExpiresS: granted,
      maxSessionExpiresS: this.opts.sessionExpiresS ?? DEFAULT_SWITCH_SESSION_EXPIRES_S,
      ...(wildcard ? { sentBy: { address: local, port: endpoint.local.port } } : {}),
      onClosed: (ch) => {
        if (this.dialogs.get(ch.dialog.callId) === ch) this.dialogs.delete(ch.dialog.callId);
      },
    });
    this.dialogs.set(dialog.callId, channel);
    this.log.info({ sipCallId: dialog.callId, from: `${peer.transport} ${peer.address}:${peer.port}`, sessionExpiresS: granted }, 'SIP/CSTA association opened by a CTI');
    this.opts.onChannel(channel);
    const supportsTimer = /\btimer\b/i.test(req.headers.getAll('Supported').join(','));
    const headers: [string, string][] = [['Contact', contact], ['Allow', SIP_CSTA_ALLOW], ['Supported', 'timer']];
    if (granted > 0) {
      headers.push(['Session-Expires', `${granted};refresher=uac`]);
      if (supportsTimer) headers.push(['Require', 'timer']);
    }
    headers.push(['Content-Disposition', 'signal;handling=required']);
    if (channel.isOpen) channel.acceptInvite(req, txn, { toTag: dialog.localTag, headers });
    else txn.respond(responseFor(req, 503, undefined, { toTag: dialog.localTag }));
  }

  /** RFC 4028: the CTI's Session-Expires, capped by ours; below Min-SE is refused with 422. */
  private grant(req: SipRequest): number | { minSe: number } {
    const ours = this.opts.sessionExpiresS ?? DEFAULT_SWITCH_SESSION_EXPIRES_S;
    if (ours <= 0) return 0;
    const asked = parseInt(req.headers.get('Session-Expires') ?? '', 10);
    if (!Number.isFinite(asked) || asked <= 0) return ours;
    if (asked < MIN_SE_S) return { minSe: MIN_SE_S };
    return Math.min(asked, ours);
  }

  /** The address the CTI reached us at (the Request-URI's host), for a Contact when bound to any. */
  private contactHost(req: SipRequest): string {
    const m = /^sips?:(?:[^@;>]*@)?(\[[^\]]+\]|[^:;>]+)/i.exec(req.uri);
    const h = m?.[1]?.replace(/^\[|\]$/g, '');
    return h && !isWildcard(h) ? h : isWildcard(this.host) ? '127.0.0.1' : this.host;
  }
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
