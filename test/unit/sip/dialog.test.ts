/** SIP dialogs (RFC 3261 §12): built from either side of an INVITE, in-dialog requests, admission. */
import { describe, expect, it } from 'vitest';
import {
  parseCSeq,
  parseSipMessage,
  responseFor,
  serializeSip,
  SipDialog,
  SipHeaders,
  tagOf,
  type SipRequest,
} from '../../../src/pbx-adapters/sip/index.ts';

function invite(extra: [string, string][] = []): SipRequest {
  return {
    kind: 'request', method: 'INVITE', uri: 'sip:csta@10.0.0.5:5060', body: Buffer.from('<RequestSystemStatus/>'),
    headers: new SipHeaders([
      ['Via', 'SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKinv;rport'],
      ['Max-Forwards', '70'],
      ['From', '<sip:switchboard@10.0.0.1>;tag=cti'],
      ['To', '<sip:csta@10.0.0.5:5060>'],
      ['Call-ID', 'assoc-1@10.0.0.1'],
      ['CSeq', '1 INVITE'],
      ['Contact', '<sip:switchboard@10.0.0.1:5070;transport=udp>'],
      ['Content-Type', 'application/csta+xml'],
      ...extra,
    ]),
  };
}

const ok = (inv: SipRequest, rr: string[] = []): ReturnType<typeof responseFor> => {
  const res = responseFor(inv, 200, undefined, { toTag: 'sw', headers: [['Contact', '<sip:csta@10.0.0.5:5060;transport=udp>']] });
  for (const r of rr) res.headers.append('Record-Route', r);
  return res;
};

/** A request from the peer, as the peer's own dialog would build it. */
function fromPeer(peer: SipDialog, method: string): SipRequest {
  const req = peer.request(method);
  req.headers.prepend('Via', 'SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKpeer');
  return parseSipMessage(serializeSip(req)) as SipRequest;
}

describe('SipDialog', () => {
  it('UAC side: from our INVITE and its 2xx — tags, URIs, remote target from the Contact, route set reversed', () => {
    const inv = invite();
    const d = SipDialog.fromUacInvite(inv, ok(inv, ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr>']));
    expect(d).toMatchObject({
      callId: 'assoc-1@10.0.0.1', localTag: 'cti', remoteTag: 'sw', localUri: 'sip:switchboard@10.0.0.1',
      remoteUri: 'sip:csta@10.0.0.5:5060', remoteTarget: 'sip:csta@10.0.0.5:5060;transport=udp', localSeq: 1, remoteSeq: null,
    });
    expect(d.routeSet).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
  });

  it('builds in-dialog requests: Request-URI = remote target, Route, tags, CSeq incrementing, Max-Forwards, body, no Via', () => {
    const inv = invite();
    const d = SipDialog.fromUacInvite(inv, ok(inv, ['<sip:proxy.example.com;lr>']));
    const info = d.request('INFO', { body: Buffer.from('<MonitorStart/>'), contentType: 'application/csta+xml', headers: [['Content-Disposition', 'signal;handling=required']] });
    expect(info.uri).toBe('sip:csta@10.0.0.5:5060;transport=udp');
    expect(info.headers.getAll('Route')).toEqual(['<sip:proxy.example.com;lr>']);
    expect(tagOf(info.headers.get('From'))).toBe('cti');
    expect(tagOf(info.headers.get('To'))).toBe('sw');
    expect(info.headers.get('Call-ID')).toBe('assoc-1@10.0.0.1');
    expect(info.headers.get('CSeq')).toBe('2 INFO');
    expect(info.headers.get('Max-Forwards')).toBe('70');
    expect(info.headers.get('Content-Type')).toBe('application/csta+xml');
    expect(info.headers.get('Content-Disposition')).toBe('signal;handling=required');
    expect(info.headers.has('Via')).toBe(false);
    expect(info.headers.has('Contact')).toBe(false); // not a target refresh
    expect(info.body.toString()).toBe('<MonitorStart/>');
    expect(parseCSeq(d.request('UPDATE').headers.get('CSeq')!)).toEqual({ seq: 3, method: 'UPDATE' });
    expect(d.request('UPDATE').headers.get('Contact')).toBe('<sip:switchboard@10.0.0.1:5070;transport=udp>');
    expect(d.request('BYE').headers.get('CSeq')).toBe('5 BYE');
    expect(d.localSeq).toBe(5);
  });

  it('the ACK of the 2xx keeps the INVITE\'s CSeq number', () => {
    const inv = invite();
    const d = SipDialog.fromUacInvite(inv, ok(inv));
    d.request('INFO');
    const ack = d.ack(1);
    expect(ack.method).toBe('ACK');
    expect(ack.headers.get('CSeq')).toBe('1 ACK');
    expect(ack.uri).toBe(d.remoteTarget);
    expect(d.localSeq).toBe(2);
  });

  it('strict routing (no ;lr): the first route becomes the Request-URI, the remote target the last Route', () => {
    const inv = invite();
    const d = SipDialog.fromUacInvite(inv, ok(inv, ['<sip:strict.example.com>']));
    const bye = d.request('BYE');
    expect(bye.uri).toBe('sip:strict.example.com');
    expect(bye.headers.getAll('Route')).toEqual(['<sip:csta@10.0.0.5:5060;transport=udp>']);
  });

  it('UAS side mirrors the UAC side, and each admits the other\'s requests', () => {
    const inv = invite([['Record-Route', '<sip:proxy.example.com;lr>']]);
    const uas = SipDialog.fromUasInvite(inv, 'sw');
    expect(uas).toMatchObject({ localTag: 'sw', remoteTag: 'cti', remoteTarget: 'sip:switchboard@10.0.0.1:5070;transport=udp', remoteSeq: 1 });
    expect(uas.routeSet).toEqual(['<sip:proxy.example.com;lr>']);
    const uac = SipDialog.fromUacInvite(inv, ok(inv));
    expect(uas.admit(fromPeer(uac, 'INFO'))).toEqual({ ok: true });
    expect(uas.remoteSeq).toBe(2);
    expect(uac.admit(fromPeer(uas, 'INFO'))).toEqual({ ok: true });
    expect(uac.remoteSeq).toBe(1);
    expect(uac.matches(ok(inv))).toBe(true);
  });

  it('admit: a request of another dialog → 481; a lower CSeq → 500 Out of order; ACK skips the CSeq check', () => {
    const inv = invite();
    const uac = SipDialog.fromUacInvite(inv, ok(inv));
    const uas = SipDialog.fromUasInvite(inv, 'sw');
    uas.localSeq = 10;
    expect(uac.admit(fromPeer(uas, 'INFO'))).toEqual({ ok: true });
    uas.localSeq = 5;
    expect(uac.admit(fromPeer(uas, 'INFO'))).toEqual({ ok: false, status: 500, reason: 'Out of order' });
    expect(uac.remoteSeq).toBe(11);
    const equal = fromPeer(uas, 'INFO'); // CSeq 7 < 11 too
    expect(uac.admit(equal).ok).toBe(false);
    uas.localSeq = 0;
    expect(uac.admit(fromPeer(uas, 'ACK'))).toEqual({ ok: true });

    const otherCall = fromPeer(uas, 'INFO');
    otherCall.headers.set('Call-ID', 'someone-else@x');
    expect(uac.admit(otherCall)).toEqual({ ok: false, status: 481, reason: 'Call/Transaction Does Not Exist' });
    const wrongTag = fromPeer(uas, 'INFO');
    wrongTag.headers.set('To', '<sip:switchboard@10.0.0.1>;tag=not-ours');
    expect(uac.admit(wrongTag).ok).toBe(false);
    expect((uac.admit(wrongTag) as { status: number }).status).toBe(481);
    const noTag = fromPeer(uas, 'INFO');
    noTag.headers.set('To', '<sip:switchboard@10.0.0.1>');
    expect((uac.admit(noTag) as { status: number }).status).toBe(481);
  });

  it('a target refresh (UPDATE with a Contact) moves the remote target', () => {
    const inv = invite();
    const uac = SipDialog.fromUacInvite(inv, ok(inv));
    const uas = SipDialog.fromUasInvite(inv, 'sw');
    uas.localContact = '<sip:csta@10.0.0.9:5060>';
    expect(uac.admit(fromPeer(uas, 'UPDATE'))).toEqual({ ok: true });
    expect(uac.remoteTarget).toBe('sip:csta@10.0.0.9:5060');
  });
});
