/**
 * A SIP dialog (RFC 3261 §12): the state two user agents share after an INVITE is answered 2xx —
 * Call-ID, tags, URIs, remote target, route set, CSeq on both sides — and what follows from it:
 * the requests we send inside it (§12.2.1.1) and whether a request we receive belongs (§12.2.2).
 * Pure: no I/O, no timers.
 *
 * Routing: a route set whose first entry has `;lr` is loose (Request-URI = remote target, Route =
 * the set); otherwise strict (§12.2.1.1: Request-URI = first route, the remote target last).
 */
import { newTag, parseCSeq, parseNameAddr, SipHeaders, tagOf } from './headers.ts';
import type { SipMessage, SipRequest, SipResponse } from './message.ts';

export interface SipDialogInit {
  callId: string;
  localTag: string;
  remoteTag: string;
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | null;
  localContact?: string;
}

export type SipAdmission = { ok: true } | { ok: false; status: 481 | 500; reason: string };

/** Methods whose Contact refreshes the remote target (§12.2, RFC 3311). */
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE']);

export class SipDialog {
  readonly callId: string;
  readonly localTag: string;
  remoteTag: string;
  readonly localUri: string;
  readonly remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | null;
  /** Our Contact (a name-addr), put on target-refresh requests (re-INVITE, UPDATE). */
  localContact: string | undefined;

  constructor(init: SipDialogInit) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = [...init.routeSet];
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.localContact = init.localContact;
  }

  /** §12.1.2: our INVITE got a 2xx. Route set = the 2xx's Record-Route reversed. */
  static fromUacInvite(invite: SipRequest, ok: SipResponse): SipDialog {
    const from = parseNameAddr(need(invite, 'From'));
    const to = parseNameAddr(need(ok, 'To'));
    const remoteTag = to.params['tag'];
    if (typeof remoteTag !== 'string') throw new SyntaxError('2xx to INVITE without a To tag');
    const localTag = from.params['tag'];
    if (typeof localTag !== 'string') throw new SyntaxError('INVITE without a From tag');
    const contact = ok.headers.getAll('Contact')[0];
    const init: SipDialogInit = {
      callId: need(invite, 'Call-ID'),
      localTag,
      remoteTag,
      localUri: from.uri,
      remoteUri: to.uri,
      remoteTarget: contact === undefined ? to.uri : parseNameAddr(contact).uri,
      routeSet: ok.headers.getAll('Record-Route').reverse(),
      localSeq: parseCSeq(need(invite, 'CSeq')).seq,
      remoteSeq: null,
    };
    const ours = invite.headers.getAll('Contact')[0];
    if (ours !== undefined) init.localContact = ours;
    return new SipDialog(init);
  }

  /** §12.1.1: we answer an INVITE 2xx with `localTag` as our To tag. Route set = its Record-Route. */
  static fromUasInvite(invite: SipRequest, localTag: string = newTag()): SipDialog {
    const from = parseNameAddr(need(invite, 'From'));
    const to = parseNameAddr(need(invite, 'To'));
    const remoteTag = from.params['tag'];
    const contact = invite.headers.getAll('Contact')[0];
    return new SipDialog({
      callId: need(invite, 'Call-ID'),
      localTag,
      remoteTag: typeof remoteTag === 'string' ? remoteTag : '',
      localUri: to.uri,
      remoteUri: from.uri,
      remoteTarget: contact === undefined ? from.uri : parseNameAddr(contact).uri,
      routeSet: invite.headers.getAll('Record-Route'),
      localSeq: 0,
      remoteSeq: parseCSeq(need(invite, 'CSeq')).seq,
    });
  }

  /** A new request inside the dialog; CSeq = ++localSeq. No Via: the transaction layer adds it. */
  request(method: string, opts: { body?: Buffer; contentType?: string; headers?: [string, string][] } = {}): SipRequest {
    this.localSeq += 1;
    const req = this.build(method, this.localSeq);
    if (TARGET_REFRESH.has(method) && this.localContact !== undefined) req.headers.append('Contact', this.localContact);
    for (const [n, v] of opts.headers ?? []) req.headers.append(n, v);
    if (opts.body !== undefined) req.body = opts.body;
    if (opts.contentType !== undefined) req.headers.set('Content-Type', opts.contentType);
    return req;
  }

  /** §13.2.2.4: the ACK of a 2xx to our INVITE with CSeq `inviteSeq` (its own transaction). */
  ack(inviteSeq: number): SipRequest {
    return this.build('ACK', inviteSeq);
  }

  /** Call-ID and both tags say this message is ours (a request of the peer, or a response to us). */
  matches(msg: SipMessage): boolean {
    if (msg.headers.get('Call-ID') !== this.callId) return false;
    const fromTag = tagOf(msg.headers.get('From'));
    const toTag = tagOf(msg.headers.get('To'));
    return msg.kind === 'request'
      ? toTag === this.localTag && fromTag === this.remoteTag
      : fromTag === this.localTag && toTag === this.remoteTag;
  }

  /** §12.2.2 for a request of the peer: 481 when not of this dialog, 500 when its CSeq is lower
   * than the last one seen (ACK and CANCEL are not checked: they carry their INVITE's). Updates
   * remoteSeq, and the remote target on a target refresh with a Contact. */
  admit(req: SipRequest): SipAdmission {
    if (!this.matches(req)) return { ok: false, status: 481, reason: 'Call/Transaction Does Not Exist' };
    if (req.method === 'ACK' || req.method === 'CANCEL') return { ok: true };
    let seq: number;
    try {
      seq = parseCSeq(req.headers.get('CSeq') ?? '').seq;
    } catch {
      return { ok: false, status: 500, reason: 'Out of order' };
    }
    if (this.remoteSeq !== null && seq < this.remoteSeq) return { ok: false, status: 500, reason: 'Out of order' };
    this.remoteSeq = seq;
    const contact = req.headers.first('Contact');
    if (TARGET_REFRESH.has(req.method) && contact !== undefined) {
      try {
        this.remoteTarget = parseNameAddr(contact).uri;
      } catch {
        // an unreadable Contact leaves the target as it was
      }
    }
    return { ok: true };
  }

  private build(method: string, seq: number): SipRequest {
    const h = new SipHeaders();
    const loose = this.routeSet.length === 0 || /;\s*lr\b/i.test(this.routeSet[0]!);
    let uri = this.remoteTarget;
    const routes = [...this.routeSet];
    if (!loose) {
      uri = parseNameAddr(routes.shift()!).uri; // §12.2.1.1: strict routing
      routes.push(`<${this.remoteTarget}>`);
    }
    for (const r of routes) h.append('Route', r);
    h.append('Max-Forwards', '70');
    h.append('From', `<${this.localUri}>;tag=${this.localTag}`);
    h.append('To', this.remoteTag ? `<${this.remoteUri}>;tag=${this.remoteTag}` : `<${this.remoteUri}>`);
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${seq} ${method}`);
    return { kind: 'request', method, uri, headers: h, body: Buffer.alloc(0) };
  }
}

function need(msg: SipMessage, name: string): string {
  const v = msg.headers.get(name);
  if (v === undefined) throw new SyntaxError(`${msg.kind === 'request' ? msg.method : msg.status} without ${name}`);
  return v;
}
