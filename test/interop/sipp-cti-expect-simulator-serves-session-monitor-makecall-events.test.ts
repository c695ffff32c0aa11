/**
 * Interop (b): sipp plays the CTI (test/interop/scenarios/cti-uac.xml, written from ECMA TR/87 and
 * RFC 3261) against our simulated switch's SIP/CSTA listener, over UDP and over TCP: INVITE with
 * RequestSystemStatus, ACK, StartApplicationSession, MonitorStart 2001, MakeCall 2001 → 2002,
 * ClearConnection, StopApplicationSession, BYE — each answer checked by the scenario. The
 * switch's events arrive as INFOs of its own, answered by sipp (-aa); this test reads them from
 * sipp's message trace and checks them (docs/sip-interop.md).
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSimulator, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import { SippRun, type SipTransport, type TracedMessage } from '../helpers/sipp.ts';

const tag = (xml: string, name: string): string | undefined => new RegExp(`<(?:[\\w.-]+:)?${name}[^>]*>([^<]*)<`).exec(xml)?.[1];
const rootOf = (xml: string): string | undefined => /<(?:[\w.-]+:)?([A-Za-z]+)[\s/>]/.exec(xml.replace(/^<\?xml[^>]*\?>/, ''))?.[1];
const cseqOf = (m: TracedMessage): string => m.headers.get('cseq') ?? '';

describe.each<SipTransport>(['udp', 'tcp'])('sipp as the CTI against the simulator over %s', (transport) => {
  let sim: Simulator | null = null;
  let sipp: SippRun | null = null;

  afterEach(async () => {
    sipp?.cleanup();
    await sim?.close();
    sipp = null;
    sim = null;
  });

  it('session, monitor on 2001, MakeCall to 2002 and its events, ClearConnection, close: sipp exits 0 and every event is ours and answered', async () => {
    const logLevel = process.env.TEST_LOG_LEVEL ?? 'silent';
    sim = await buildSimulator({ cstaPort: 0, controlPort: 0, sipPort: 0, config: {}, logger: pino({ level: logLevel, base: { side: 'sim' } }) });
    expect(sim.sipPort).toBeTypeOf('number');
    sipp = SippRun.start({ scenario: 'cti-uac.xml', transport, remote: `127.0.0.1:${sim.sipPort}`, args: ['-aa'], timeoutS: 20 });
    const run = sipp;
    const exit = await run.exited;
    expect(exit.code, run.report()).toBe(0);

    const trace = run.messages();
    const answerTo = (body: string) => trace.find((m) => m.dir === 'received' && m.startLine.startsWith('SIP/2.0 200') && m.body.includes(body));
    const monitorCrossRef = tag(answerTo('MonitorStartResponse')?.body ?? '', 'monitorCrossRefID');
    const callId = tag(answerTo('MakeCallResponse')?.body ?? '', 'callID');
    expect(monitorCrossRef, run.report()).toBeTruthy();
    expect(callId, run.report()).toBeTruthy();

    const events = trace.filter((m) => m.dir === 'received' && m.startLine.startsWith('INFO '));
    const names = events.map((m) => rootOf(m.body));
    for (const m of events) {
      expect(m.headers.get('content-type'), m.body).toMatch(/^application\/csta\+xml/);
      expect(tag(m.body, 'monitorCrossRefID'), m.body).toBe(monitorCrossRef);
      expect(tag(m.body, 'callID'), m.body).toBe(callId);
      // each event answered 200 OK, with no body (RFC 3261: same CSeq; TR/87: an event has no answer)
      const answer = trace.find((s) => s.dir === 'sent' && s.startLine.startsWith('SIP/2.0 200') && cseqOf(s) === cseqOf(m));
      expect(answer, `no 200 OK sent for ${m.startLine} CSeq ${cseqOf(m)}`).toBeDefined();
      expect(answer?.body).toBe('');
    }
    expect(names).toContain('OriginatedEvent');
    expect(names).toContain('ConnectionClearedEvent');
    expect(names).toContain('CallClearedEvent');
    const ringing = events.find((m) => rootOf(m.body) === 'DeliveredEvent' && /<alertingDevice>\s*<deviceIdentifier>2002</.test(m.body));
    expect(ringing, names.join(', ')).toBeDefined();
    // the switch's order: originated, then ringing at 2002, then cleared
    expect(names.indexOf('OriginatedEvent')).toBeLessThan(events.indexOf(ringing!));
    expect(events.indexOf(ringing!)).toBeLessThan(names.indexOf('CallClearedEvent'));
  }, 30_000);
});
