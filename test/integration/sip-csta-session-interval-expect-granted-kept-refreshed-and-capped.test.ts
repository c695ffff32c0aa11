/**
 * The daemon's CTI side (connectSipCsta) refreshes within whatever interval the switch granted —
 * even one below RFC 4028's Min-SE — so the switch never ends the dialog for want of a refresh;
 * and a refresh cannot raise the interval past the switch's own maximum.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger, cseqNo, handCti, isRes, openPair, startSwitch, startTap, type Pair } from '../helpers/sip-csta-pair.ts';
import { SipHeaders } from '../../src/pbx-adapters/sip/index.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

describe('session intervals (RFC 4028) the switch grants', () => {
  it('connectSipCsta against a switch granting 1 s: the CTI should refresh within the granted interval', async () => {
    const ctiLog = capturingLogger();
    const p: Pair = await openPair('udp', { sessionExpiresS: 1, ctiLogger: ctiLog.logger });
    cleanup.push(() => p.close());
    const t0 = performance.now();
    const why = await Promise.race([p.cti.closed(), new Promise<string>((r) => setTimeout(() => r('still open'), 2500))]);
    expect(why).toBe('still open');
    expect(ctiLog.lines.some((l) => /below RFC 4028/.test(String(l['msg'])))).toBe(true);
  });

  it('a refresh asking more than the switch grants: the switch should not grant beyond its own maximum', async () => {
    const sw = await startSwitch({ sessionExpiresS: 100 });
    cleanup.push(() => sw.close());
    const tap = await startTap('udp', sw.port);
    cleanup.push(() => tap.close());
    const cti = await handCti('udp', tap.port, { sessionExpires: '100;refresher=uac' });
    cleanup.push(() => cti.close());
    expect(cti.final.headers.get('Session-Expires')).toBe('100;refresher=uac');
    const upd = cti.dialog!.request('UPDATE', { headers: [['Session-Expires', '3600;refresher=uac'], ['Supported', 'timer']] });
    const res = await cti.layer.request(upd, cti.peer);
    expect(parseInt(res.headers.get('Session-Expires') ?? '', 10)).toBeLessThanOrEqual(100);
  });
});
