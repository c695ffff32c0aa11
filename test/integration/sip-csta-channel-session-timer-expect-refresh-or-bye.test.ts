/**
 * RFC 4028 session timers on the SIP/CSTA association, over real loopback UDP and TCP: the
 * listener grants min(asked, its own) (422 below Min-SE 90); the CTI's channel refreshes at half
 * the granted interval (UPDATE, or a re-INVITE when the switch does not allow UPDATE) and the
 * dialog outlives the interval; a CTI that never refreshes gets a BYE from the switch.
 *
 * connectSipCsta clamps a granted interval below 90 s up to 90 s, so its first refresh comes at
 * 45 s at the soonest: a fast refresh test cannot go through it. The refreshing side here is the
 * same SipCstaChannel (role uac) over a dialog opened by hand, as connectSipCsta would open it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SipCstaChannel } from '../../src/pbx-adapters/csta/transport/sip-channel.ts';
import { connectSipCsta } from '../../src/pbx-adapters/csta/transport/sip-client.ts';
import { type SipResponse, type SipTransportName } from '../../src/pbx-adapters/sip/index.ts';
import {
  capturingLogger,
  cseqNo,
  FAST,
  handCti,
  isReq,
  isRes,
  openPair,
  recordChannel,
  silent,
  startSwitch,
  startTap,
  TRANSPORTS,
  xml,
  type Rec,
  type Switch,
  type Tap,
} from '../helpers/sip-csta-pair.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function switchOf(sessionExpiresS: number, logger = silent): Promise<Switch> {
  const sw = await startSwitch({ sessionExpiresS, logger });
  cleanup.push(() => sw.close());
  return sw;
}

async function tapOf(transport: SipTransportName, port: number): Promise<Tap> {
  const tap = await startTap(transport, port);
  cleanup.push(() => tap.close());
  return tap;
}

/** The CTI's channel over a dialog opened by hand (INVITE, 2xx, ACK), given the interval the
 * switch granted as it is, wired as connectSipCsta wires its own. */
async function refreshingCti(transport: SipTransportName, port: number, opts: { peerAllowsUpdate: boolean; sessionExpires?: string | null }): Promise<Rec> {
  const hand = await handCti(transport, port, { sessionExpires: opts.sessionExpires ?? null });
  if (!hand.dialog) throw new Error(`INVITE answered ${hand.final.status}`);
  const granted = parseInt(hand.final.headers.get('Session-Expires') ?? '', 10);
  const channel = new SipCstaChannel({
    role: 'uac',
    dialog: hand.dialog,
    layer: hand.layer,
    endpoint: hand.endpoint,
    peer: hand.peer,
    ownsEndpoint: true,
    logger: silent,
    sessionExpiresS: granted,
    peerAllowsUpdate: opts.peerAllowsUpdate,
    inviteBody: hand.invite.body,
  });
  hand.answer = (req, txn) => channel.handleRequest(req, txn);
  hand.layer.onStrayResponse((res) => channel.handleStrayResponse(res));
  hand.endpoint.onParseError((err) => channel.handleParseError(err));
  hand.endpoint.onFlowClosed((_p, reason) => channel.peerGone(`closed by the switch (${reason})`));
  const rec = recordChannel(channel);
  cleanup.push(async () => {
    channel.close('test over');
    await channel.closed;
  });
  return rec;
}

describe.each(TRANSPORTS)('session timer over %s: what is granted', (transport) => {
  it.each([
    { own: 100, asked: undefined, granted: 100 },
    { own: 1800, asked: 120, granted: 120 },
    { own: 95, asked: 600, granted: 95 },
  ])('a listener granting at most $own s, a CTI asking $asked: $granted s on the 200 OK, read by the CTI', async ({ own, asked, granted }) => {
    const ctiLog = capturingLogger();
    const swLog = capturingLogger();
    const p = await openPair(transport, { sessionExpiresS: own, tap: true, ctiLogger: ctiLog.logger, switchLogger: swLog.logger, ...(asked !== undefined ? { connect: { sessionExpiresS: asked } } : {}) });
    cleanup.push(() => p.close());
    const tap = p.tap!;
    const invite = tap.log.find((r) => isReq(r.msg, 'INVITE'))!.msg;
    const ok = tap.log.find((r) => isRes(r.msg, 'INVITE') && (r.msg as SipResponse).status === 200)!.msg;
    expect(invite.headers.get('Session-Expires')).toBe(`${asked ?? 1800};refresher=uac`);
    expect(invite.headers.get('Supported')).toBe('timer');
    expect(ok.headers.get('Session-Expires')).toBe(`${granted};refresher=uac`);
    expect(ok.headers.get('Require')).toBe('timer');
    expect(ctiLog.lines.find((l) => l['msg'] === 'SIP/CSTA association open')).toMatchObject({ sessionExpiresS: granted, asked: asked ?? 1800 });
    expect(swLog.lines.find((l) => l['msg'] === 'SIP/CSTA association opened by a CTI')).toMatchObject({ sessionExpiresS: granted });
  });

  it('a CTI asking below Min-SE (30 s): 422 with Min-SE 90, the connect fails PBX_UNAVAILABLE and no channel is made', async () => {
    const sw = await switchOf(1800);
    const tap = await tapOf(transport, sw.port);
    const err = await connectSipCsta({ host: '127.0.0.1', port: tap.port, transport, logger: silent, timers: FAST, sessionExpiresS: 30 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'PbxError', code: 'PBX_UNAVAILABLE' });
    expect((err as Error).message).toContain('INVITE answered 422 Session Interval Too Small');
    const res = tap.log.find((r) => isRes(r.msg, 'INVITE'))!.msg;
    expect(res.headers.get('Min-SE')).toBe('90');
    expect(sw.channels).toHaveLength(0);
    expect(sw.listener.channelCount).toBe(0);
  });

  it('a listener with session timers off (0): no Session-Expires on the 200 OK, and the dialog is never refreshed or expired', async () => {
    const ctiLog = capturingLogger();
    const p = await openPair(transport, { sessionExpiresS: 0, tap: true, ctiLogger: ctiLog.logger });
    cleanup.push(() => p.close());
    const ok = p.tap!.log.find((r) => isRes(r.msg, 'INVITE') && (r.msg as SipResponse).status === 200)!.msg;
    expect(ok.headers.has('Session-Expires')).toBe(false);
    expect(ok.headers.has('Require')).toBe(false);
    expect(ctiLog.lines.find((l) => l['msg'] === 'SIP/CSTA association open')).toMatchObject({ sessionExpiresS: 0 });
  });
});

describe.each(TRANSPORTS)('session timer over %s: refresh or BYE', (transport) => {
  it('the CTI\'s channel refreshes by UPDATE at half a 1 s interval; the dialog outlives the interval and still carries requests', async () => {
    const sw = await switchOf(1);
    const tap = await tapOf(transport, sw.port);
    const cti = await refreshingCti(transport, tap.port, { peerAllowsUpdate: true });
    const swc = await sw.channel(0);
    const oks = (): typeof tap.log => tap.log.filter((r) => isRes(r.msg, 'UPDATE') && (r.msg as SipResponse).status === 200);
    await tap.until(() => new Set(oks().map((r) => cseqNo(r.msg))).size >= 4, 'four refreshes answered', 6_000);
    // 4 refreshes at ~0.5 s apart: past 1.5 s, beyond the 1 s interval
    expect(swc.closeReason).toBeNull();
    expect(cti.closeReason).toBeNull();
    expect(swc.channel.isOpen && cti.channel.isOpen).toBe(true);
    const updates = tap.log.filter((r) => isReq(r.msg, 'UPDATE'));
    const first = new Map<number, number>();
    for (const u of updates) if (!first.has(cseqNo(u.msg))) first.set(cseqNo(u.msg), u.at);
    const times = [...first.values()];
    for (let i = 1; i < Math.min(times.length, 4); i++) {
      expect(times[i]! - times[i - 1]!, `refresh ${i}`).toBeGreaterThanOrEqual(450);
      expect(times[i]! - times[i - 1]!, `refresh ${i}`).toBeLessThan(1_000);
    }
    const u = updates[0]!.msg;
    expect(u.headers.get('Session-Expires')).toBe('1;refresher=uac');
    expect(u.headers.get('Supported')).toBe('timer');
    expect(u.headers.get('Call-ID')).toBe(swc.channel.dialog.callId);
    const ok = oks()[0]!.msg;
    expect(ok.headers.get('Session-Expires')).toBe('1;refresher=uac');
    expect(ok.headers.get('Require')).toBe('timer');
    expect(tap.log.some((r) => isReq(r.msg, 'BYE'))).toBe(false);
    // the dialog still carries a request after its first interval
    cti.channel.send(7, xml.event(1));
    await swc.until(() => swc.messages.length === 2, 'the event at the switch');
  });

  it('a switch without UPDATE in its Allow: the refresh is a re-INVITE carrying the RequestSystemStatus, ACKed, and the dialog lives on', async () => {
    const sw = await switchOf(1);
    const tap = await tapOf(transport, sw.port);
    const cti = await refreshingCti(transport, tap.port, { peerAllowsUpdate: false });
    const swc = await sw.channel(0);
    const acks = (): number[] => [...new Set(tap.log.filter((r) => isReq(r.msg, 'ACK') && cseqNo(r.msg) > 1).map((r) => cseqNo(r.msg)))];
    await tap.until(() => acks().length >= 3, 'three re-INVITEs ACKed', 6_000);
    expect(swc.closeReason).toBeNull();
    expect(cti.closeReason).toBeNull();
    const reinvite = tap.log.find((r) => isReq(r.msg, 'INVITE') && cseqNo(r.msg) > 1)!.msg;
    expect(reinvite.headers.get('Session-Expires')).toBe('1;refresher=uac');
    expect(reinvite.headers.get('Content-Type')).toBe('application/csta+xml');
    expect(reinvite.body.toString()).toContain('RequestSystemStatus');
    expect(reinvite.headers.get('To')).toContain(`tag=${swc.channel.dialog.localTag}`);
    expect(tap.log.some((r) => isReq(r.msg, 'UPDATE'))).toBe(false);
    const ok = tap.log.find((r) => isRes(r.msg, 'INVITE') && cseqNo(r.msg) === cseqNo(reinvite))!.msg as SipResponse;
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Session-Expires')).toBe('1;refresher=uac');
    expect(swc.messages).toHaveLength(1); // a refresh is no CSTA message: only the first INVITE's was
  });

  it('a CTI that never refreshes gets the switch\'s BYE once the 1 s interval is over; the switch\'s onClose says so', async () => {
    const sw = await switchOf(1);
    const cti = await handCti(transport, sw.port, { sessionExpires: '1800;refresher=uac' });
    cleanup.push(() => cti.close());
    const openedAt = performance.now();
    expect(cti.final.status).toBe(200);
    expect(cti.final.headers.get('Session-Expires')).toBe('1;refresher=uac');
    const swc = await sw.channel(0);
    const bye = await cti.until(() => cti.requests.find((r) => r.method === 'BYE'), 'the switch\'s BYE', 5_000);
    const after = performance.now() - openedAt;
    expect(after).toBeGreaterThanOrEqual(950);
    expect(after).toBeLessThan(3_000);
    expect(bye.headers.get('Call-ID')).toBe(cti.dialog!.callId);
    expect(bye.headers.get('To')).toContain(`tag=${cti.dialog!.localTag}`);
    expect(await swc.closed()).toBe('session expired (not refreshed)');
    expect(sw.listener.channelCount).toBe(0);
    expect(cti.requests.filter((r) => r.method !== 'ACK').map((r) => r.method)).toEqual(['BYE']);
  });

  it('a refresh answered 481 (the switch forgot the dialog): the CTI\'s channel closes without a BYE', async () => {
    const sw = await switchOf(1);
    const tap = await tapOf(transport, sw.port);
    const cti = await refreshingCti(transport, tap.port, { peerAllowsUpdate: true });
    const swc = await sw.channel(0);
    swc.channel.peerGone('switch restarted'); // the listener forgets it, no BYE
    expect(await cti.closed()).toBe('session refresh failed');
    const res = tap.log.find((r) => isRes(r.msg, 'UPDATE'))!.msg as SipResponse;
    expect(res.status).toBe(481);
    expect(tap.log.some((r) => isReq(r.msg, 'BYE'))).toBe(false);
  });
});
