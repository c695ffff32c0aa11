/**
 * SIP/CSTA requests and answers over real loopback UDP and TCP: SIP has no invoke id, so the
 * channel gives each of its requests' INFO transactions the id it was sent with. An answer given
 * inside the switch's onMessage rides in the INFO's 200 OK; one given later rides in an INFO of
 * the switch and goes to the oldest request of its type still waiting (a CSTAErrorCode to the
 * oldest of any). Events are 9999 both ways and keep their order, answers included; a request
 * whose INFO fails at the SIP level is failed at once (onSendFailed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rootElementName } from '../../src/pbx-adapters/csta/transport/csta-sip-body.ts';
import { DEFAULT_MAX_IN_FLIGHT, EVENT_INVOKE_ID } from '../../src/pbx-adapters/csta/transport/sip-channel.ts';
import { connectSipCsta } from '../../src/pbx-adapters/csta/transport/sip-client.ts';
import { responseFor, type SipResponse } from '../../src/pbx-adapters/sip/index.ts';
import {
  answerSystemStatus,
  cseqNo,
  FAST,
  field,
  handSwitch,
  isReq,
  isRes,
  openPair,
  recordChannel,
  silent,
  TRANSPORTS,
  xml,
  type Pair,
  type Rec,
  type TapRecord,
} from '../helpers/sip-csta-pair.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function pairOf(...args: Parameters<typeof openPair>): Promise<Pair> {
  const p = await openPair(...args);
  cleanup.push(() => p.close());
  return p;
}

/** The switch answers every request of the CTI at once, in onMessage, by type. */
function answerInside(rec: Rec, invokeId: number, doc: string): void {
  if (answerSystemStatus(rec, invokeId, doc)) return;
  const root = rootElementName(doc);
  if (root === 'MonitorStart') rec.channel.send(invokeId, xml.monitorStartResponse(field(doc, 'deviceObject')!));
  else if (root === 'SnapshotDevice') rec.channel.send(invokeId, xml.snapshotDeviceResponse(field(doc, 'snapshotObject')!));
}

/** The most INFOs one side had unanswered at once, as the tap saw them (retransmissions folded). */
function maxOutstanding(log: TapRecord[], infoDir: TapRecord['dir']): number {
  const open = new Set<number>();
  const done = new Set<number>();
  let max = 0;
  for (const r of log) {
    if (r.dir === infoDir && isReq(r.msg, 'INFO')) {
      const n = cseqNo(r.msg);
      if (!done.has(n)) open.add(n);
    } else if (r.dir !== infoDir && isRes(r.msg, 'INFO') && (r.msg as SipResponse).status >= 200) {
      const n = cseqNo(r.msg);
      open.delete(n);
      done.add(n);
    }
    max = Math.max(max, open.size);
  }
  return max;
}

describe.each(TRANSPORTS)('SIP/CSTA requests over %s', (transport) => {
  it('answered inside the switch\'s onMessage: each answer rides in its INFO\'s 200 OK and reaches the CTI with its request\'s invoke id', async () => {
    const p = await pairOf(transport, { tap: true, onSwitchMessage: answerInside });
    p.cti.channel.send(7, xml.monitorStart('201'));
    p.cti.channel.send(8, xml.snapshotDevice('202'));
    p.cti.channel.send(9, xml.monitorStart('203'));
    await p.cti.until(() => p.cti.messages.length === 3, 'three answers');
    expect(p.cti.messages.map((m) => [m.invokeId, rootElementName(m.xml), field(m.xml, 'monitorCrossRefID') ?? field(m.xml, 'crossRefIDorSnapshotData')])).toEqual([
      [7, 'MonitorStartResponse', '201'],
      [8, 'SnapshotDeviceResponse', '202'],
      [9, 'MonitorStartResponse', '203'],
    ]);
    // the switch numbered them itself: 1 was the INVITE's RequestSystemStatus
    expect(p.swc.messages.slice(1).map((m) => [m.invokeId, rootElementName(m.xml)])).toEqual([[2, 'MonitorStart'], [3, 'SnapshotDevice'], [4, 'MonitorStart']]);
    const tap = p.tap!;
    const oks = tap.log.filter((r) => r.dir === 'toCti' && isRes(r.msg, 'INFO'));
    expect(new Set(oks.map((r) => (r.msg as SipResponse).status))).toEqual(new Set([200]));
    expect(oks.every((r) => r.msg.headers.get('Content-Type') === 'application/csta+xml' && r.msg.body.length > 0)).toBe(true);
    expect(tap.log.some((r) => r.dir === 'toCti' && isReq(r.msg, 'INFO'))).toBe(false); // no INFO of the switch
    const infos = tap.log.filter((r) => r.dir === 'toSwitch' && isReq(r.msg, 'INFO')).map((r) => r.msg);
    expect(infos.every((m) => m.headers.get('Content-Disposition') === 'signal;handling=required')).toBe(true);
    expect([...new Set(infos.map(cseqNo))]).toEqual([2, 3, 4]); // CSeq one more each time after the INVITE's 1
  });

  it('answered later (outside onMessage): empty 200 OKs, the answers in INFOs of the switch, each matched to the oldest request of its type', async () => {
    const held: { id: number; doc: string }[] = [];
    const p = await pairOf(transport, {
      tap: true,
      onSwitchMessage: (rec, id, doc) => {
        if (!answerSystemStatus(rec, id, doc)) held.push({ id, doc });
      },
    });
    p.cti.channel.send(7, xml.monitorStart('201'));
    p.cti.channel.send(8, xml.snapshotDevice('202'));
    p.cti.channel.send(9, xml.monitorStart('203'));
    await p.swc.until(() => held.length === 3, 'three requests at the switch');
    // answered out of order across types: the snapshot first, then the two monitors in order
    setImmediate(() => {
      p.swc.channel.send(held[1]!.id, xml.snapshotDeviceResponse('202'));
      p.swc.channel.send(held[0]!.id, xml.monitorStartResponse('201'));
      p.swc.channel.send(held[2]!.id, xml.monitorStartResponse('203'));
    });
    await p.cti.until(() => p.cti.messages.length === 3, 'three answers');
    expect(p.cti.messages.map((m) => [m.invokeId, rootElementName(m.xml)])).toEqual([
      [8, 'SnapshotDeviceResponse'],
      [7, 'MonitorStartResponse'],
      [9, 'MonitorStartResponse'],
    ]);
    expect(p.cti.messages.map((m) => field(m.xml, 'monitorCrossRefID') ?? field(m.xml, 'crossRefIDorSnapshotData'))).toEqual(['202', '201', '203']);
    const tap = p.tap!;
    const oks = tap.log.filter((r) => r.dir === 'toCti' && isRes(r.msg, 'INFO')).map((r) => r.msg as SipResponse);
    expect(oks.every((r) => r.status === 200 && r.body.length === 0)).toBe(true);
    await tap.until(() => tap.log.filter((r) => r.dir === 'toSwitch' && isRes(r.msg, 'INFO')).length >= 3, 'the CTI\'s 200s to the switch\'s INFOs');
    const swInfos = tap.log.filter((r) => r.dir === 'toCti' && isReq(r.msg, 'INFO')).map((r) => rootElementName(r.msg.body.toString()));
    expect([...new Set(swInfos)]).toEqual(['SnapshotDeviceResponse', 'MonitorStartResponse']);
    expect(p.cti.issues).toEqual([]);
  });

  it('a CSTAErrorCode later goes to the oldest request waiting, whatever its type; an answer nobody waits for is an issue', async () => {
    const held: number[] = [];
    const p = await pairOf(transport, {
      onSwitchMessage: (rec, id, doc) => {
        if (!answerSystemStatus(rec, id, doc)) held.push(id);
      },
    });
    p.cti.channel.send(7, xml.snapshotDevice('202'));
    p.cti.channel.send(8, xml.monitorStart('201'));
    await p.swc.until(() => held.length === 2, 'two requests at the switch');
    p.swc.channel.send(held[1]!, xml.error('MonitorStart'));
    await p.cti.until(() => p.cti.messages.length === 1, 'the error');
    expect(p.cti.messages[0]!.invokeId).toBe(7); // the oldest waiting, though the switch meant 8
    expect(rootElementName(p.cti.messages[0]!.xml)).toBe('CSTAErrorCode');
    p.swc.channel.send(held[0]!, xml.monitorStartResponse('201'));
    await p.cti.until(() => p.cti.messages.length === 2, 'the monitor answer');
    expect(p.cti.messages[1]!.invokeId).toBe(8);
    // nothing waits any more: a third answer matches no request
    p.swc.channel.send(EVENT_INVOKE_ID - 1, xml.snapshotDeviceResponse('202'));
    const issue = await p.cti.until(() => p.cti.issues[0], 'the unmatched answer');
    expect(issue.reason).toBe('sipUnmatchedAnswer');
    expect(p.cti.messages).toHaveLength(2);
    expect(p.cti.channel.isOpen).toBe(true);
  });

  it('events are 9999 both ways; a request of the switch gets a fresh id at the CTI and the CTI\'s answer (inside onMessage) reaches the switch under the switch\'s id', async () => {
    const p = await pairOf(transport);
    p.swc.channel.send(EVENT_INVOKE_ID, xml.event(1));
    p.cti.channel.send(EVENT_INVOKE_ID, xml.event(2));
    await p.cti.until(() => p.cti.messages.length === 1, 'the switch\'s event');
    await p.swc.until(() => p.swc.messages.length === 2, 'the CTI\'s event');
    expect(p.cti.messages[0]).toEqual({ invokeId: 9999, xml: xml.event(1) });
    expect(p.swc.messages[1]).toEqual({ invokeId: 9999, xml: xml.event(2) });

    p.cti.onMessage = (id, doc) => {
      if (rootElementName(doc) === 'SystemStatus') p.cti.channel.send(id, xml.systemStatusResponse());
    };
    p.swc.channel.send(5, xml.systemStatus());
    await p.swc.until(() => p.swc.messages.length === 3, 'the CTI\'s answer');
    expect(p.cti.messages[1]!.invokeId).toBe(1); // the CTI's own numbering
    expect(rootElementName(p.cti.messages[1]!.xml)).toBe('SystemStatus');
    expect(p.swc.messages[2]!.invokeId).toBe(5);
    expect(rootElementName(p.swc.messages[2]!.xml)).toBe('SystemStatusResponse');
  });

  it('a request of the switch the CTI answers later: the answer goes in an INFO of the CTI and reaches the switch under the switch\'s id', async () => {
    const p = await pairOf(transport);
    p.swc.channel.send(11, xml.systemStatus());
    const asked = await p.cti.until(() => p.cti.messages[0], 'the switch\'s request');
    setImmediate(() => p.cti.channel.send(asked.invokeId, xml.systemStatusResponse()));
    await p.swc.until(() => p.swc.messages.length === 2, 'the answer');
    expect(p.swc.messages[1]!.invokeId).toBe(11);
    expect(rootElementName(p.swc.messages[1]!.xml)).toBe('SystemStatusResponse');
  });

  it('ordering: events the switch wrote before an answer reach the CTI before it (the 200 OK waits behind the queued INFOs)', async () => {
    const p = await pairOf(transport, {
      tap: true,
      onSwitchMessage: (rec, id, doc) => {
        if (answerSystemStatus(rec, id, doc)) return;
        for (let i = 1; i <= 3; i++) rec.channel.send(EVENT_INVOKE_ID, xml.event(i));
        rec.channel.send(id, xml.monitorStartResponse(field(doc, 'deviceObject')!));
      },
    });
    p.cti.channel.send(7, xml.monitorStart('201'));
    await p.cti.until(() => p.cti.messages.length === 4, 'three events and the answer');
    expect(p.cti.messages.map((m) => (m.invokeId === 9999 ? `event ${field(m.xml, 'monitorCrossRefID')}` : `${m.invokeId} ${rootElementName(m.xml)}`))).toEqual([
      'event 1', 'event 2', 'event 3', '7 MonitorStartResponse',
    ]);
    // on the wire too: the 200 OK carrying the answer left after the three INFOs
    const tap = p.tap!;
    const order = tap.log.filter((r) => r.dir === 'toCti' && (isReq(r.msg, 'INFO') || (isRes(r.msg, 'INFO') && r.msg.body.length > 0)))
      .map((r) => (isReq(r.msg) ? `INFO ${field(r.msg.body.toString(), 'monitorCrossRefID')}` : 'answer'));
    expect([...new Set(order)]).toEqual(['INFO 1', 'INFO 2', 'INFO 3', 'answer']);
  });

  it('a burst of events each way all arrive, in order (UDP: one INFO in flight; TCP: a window, more than it queued)', async () => {
    const p = await pairOf(transport, { tap: true });
    // Over TCP more than the window, so that some wait behind it.
    const N = transport === 'udp' ? 200 : DEFAULT_MAX_IN_FLIGHT + 100;
    for (let i = 1; i <= N; i++) p.swc.channel.send(EVENT_INVOKE_ID, xml.event(i));
    for (let i = 1; i <= N; i++) p.cti.channel.send(EVENT_INVOKE_ID, xml.event(1000 + i));
    expect(p.swc.channel.writableLength).toBeGreaterThan(0);
    await p.cti.until(() => p.cti.messages.length === N, `${N} events at the CTI`, 15_000);
    await p.swc.until(() => p.swc.messages.length === N + 1, `${N} events at the switch`, 15_000);
    expect(p.cti.messages.map((m) => Number(field(m.xml, 'monitorCrossRefID')))).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(p.swc.messages.slice(1).map((m) => Number(field(m.xml, 'monitorCrossRefID')))).toEqual(Array.from({ length: N }, (_, i) => 1001 + i));
    expect(new Set(p.cti.messages.map((m) => m.invokeId))).toEqual(new Set([9999]));
    const tap = p.tap!;
    await tap.until(() => tap.log.filter((r) => r.dir === 'toSwitch' && isRes(r.msg, 'INFO')).length >= N, 'the CTI\'s last 200');
    const fromSwitch = maxOutstanding(tap.log, 'toCti');
    const fromCti = maxOutstanding(tap.log, 'toSwitch');
    // UDP: one INFO at a time; TCP: a window (docs/csta-profile.md, "Order").
    if (transport === 'udp') {
      expect(fromSwitch).toBe(1);
      expect(fromCti).toBe(1);
    } else {
      expect(fromSwitch).toBeGreaterThan(1);
      expect(fromSwitch).toBeLessThanOrEqual(DEFAULT_MAX_IN_FLIGHT);
      expect(fromCti).toBeGreaterThan(1);
      expect(fromCti).toBeLessThanOrEqual(DEFAULT_MAX_IN_FLIGHT);
    }
    expect(p.swc.channel.writableLength).toBe(0);
  });

  it('many requests at once, answered inside onMessage: every answer under its own invoke id', async () => {
    const p = await pairOf(transport, { onSwitchMessage: answerInside });
    const ids = Array.from({ length: 60 }, (_, i) => 100 + i);
    for (const id of ids) p.cti.channel.send(id, xml.monitorStart(`dev${id}`));
    await p.cti.until(() => p.cti.messages.length === ids.length, 'every answer', 15_000);
    expect(p.cti.messages.map((m) => [m.invokeId, field(m.xml, 'monitorCrossRefID')])).toEqual(ids.map((id) => [id, `dev${id}`]));
  });

  it('the switch gone (its dialog forgotten): the CTI\'s INFO is answered 481 by the listener → onSendFailed(7) and the channel closes', async () => {
    const p = await pairOf(transport);
    p.swc.channel.peerGone('switch lost its state'); // no BYE: the listener forgets the dialog
    expect(p.sw.listener.channelCount).toBe(0);
    p.cti.channel.send(7, xml.monitorStart('201'));
    await p.cti.until(() => p.cti.sendFailed.length === 1, 'onSendFailed');
    expect(p.cti.sendFailed).toEqual([{ invokeId: 7, reason: 'SIP 481 Call/Transaction Does Not Exist' }]);
    expect(await p.cti.closed()).toBe('dialog gone (481)');
  });

  it('a request in flight when the CTI closes: onSendFailed(invokeId, channel closed…) and its callback gets the error', async () => {
    const p = await pairOf(transport, { tap: true });
    p.tap!.drop.toSwitch = true; // the switch never hears it
    const cb = p.cti.send(7, xml.monitorStart('201'));
    await p.tap!.until(() => p.tap!.log.some((r) => isReq(r.msg, 'INFO')), 'the INFO on the wire');
    p.cti.channel.close('operator stop');
    expect(p.cti.sendFailed).toEqual([{ invokeId: 7, reason: 'channel closed: operator stop' }]);
    expect((await cb)?.message).toBe('channel closed: operator stop');
    p.tap!.drop.toSwitch = false;
  });
});

describe.each(TRANSPORTS)('SIP failures of the CTI\'s INFOs over %s (a hand-built switch)', (transport) => {
  async function ctiTo(): Promise<{ hs: Awaited<ReturnType<typeof handSwitch>>; cti: Rec }> {
    const hs = await handSwitch(transport);
    cleanup.push(() => hs.close());
    const cti = recordChannel(await connectSipCsta({ host: '127.0.0.1', port: hs.port, transport, logger: silent, timers: FAST }));
    cleanup.push(() => cti.channel.close('test over'));
    return { hs, cti };
  }

  it('an INFO refused 500 (out of order): over UDP sent again as a new INFO with a higher CSeq and delivered; over TCP a failure', async () => {
    const { hs, cti } = await ctiTo();
    let refused = 0;
    hs.answer = (req, txn) => {
      const first = req.body.toString().includes('201') && refused++ === 0;
      txn.respond(responseFor(req, first ? 500 : 200, first ? 'Out of order' : undefined));
    };
    const sent = cti.send(7, xml.monitorStart('201'));
    const withBody = () => hs.requests.filter((r) => r.method === 'INFO' && r.body.toString().includes('201'));
    if (transport === 'udp') {
      await hs.until(() => withBody().length === 2, 'the INFO sent again');
      const [a, b] = withBody();
      expect(cseqNo(b!)).toBeGreaterThan(cseqNo(a!));
      expect(b!.headers.get('Call-ID')).toBe(a!.headers.get('Call-ID'));
      expect(cti.sendFailed).toEqual([]);
      expect(await sent).toBeNull();
    } else {
      await cti.until(() => cti.sendFailed.length === 1, 'onSendFailed');
      expect(cti.sendFailed).toEqual([{ invokeId: 7, reason: 'SIP 500 Out of order' }]);
      expect(withBody()).toHaveLength(1);
      expect((await sent)?.message).toBe('SIP 500 Out of order');
    }
  });

  it('an INFO answered 503: onSendFailed(7, SIP 503 …) at once, the callback errs, the channel stays open and the next request goes', async () => {
    const { hs, cti } = await ctiTo();
    hs.answer = (req, txn) => txn.respond(responseFor(req, req.body.toString().includes('201') ? 503 : 200));
    const cb = cti.send(7, xml.monitorStart('201'));
    await cti.until(() => cti.sendFailed.length === 1, 'onSendFailed');
    expect(cti.sendFailed).toEqual([{ invokeId: 7, reason: 'SIP 503 Service Unavailable' }]);
    expect((await cb)?.message).toBe('SIP 503 Service Unavailable');
    expect(cti.channel.isOpen).toBe(true);
    expect(await cti.send(8, xml.monitorStart('202'))).toBeNull();
    expect(hs.requests.map((r) => [r.method, cseqNo(r)])).toEqual([['INFO', 2], ['INFO', 3]]);
    expect(cti.sendFailed).toHaveLength(1);
  });

  it('an event whose INFO is refused: no onSendFailed (events have no invoke id to fail), its callback errs', async () => {
    const { hs, cti } = await ctiTo();
    hs.answer = (req, txn) => txn.respond(responseFor(req, 488));
    const err = await cti.send(EVENT_INVOKE_ID, xml.event(1));
    expect(err?.message).toBe('SIP 488 Not Acceptable Here');
    expect(cti.sendFailed).toEqual([]);
    expect(cti.channel.isOpen).toBe(true);
  });

  it('an INFO never answered: onSendFailed(7, SIP timeout) at Timer F (64*T1), not before', async () => {
    const { hs, cti } = await ctiTo();
    hs.answer = () => undefined;
    const started = performance.now();
    cti.channel.send(7, xml.monitorStart('201'));
    await cti.until(() => cti.sendFailed.length === 1, 'onSendFailed');
    expect(performance.now() - started).toBeGreaterThanOrEqual(64 * FAST.t1 - 5);
    expect(cti.sendFailed).toEqual([{ invokeId: 7, reason: 'SIP timeout' }]);
    expect(cti.channel.isOpen).toBe(true);
    // one request at the switch (over UDP its retransmissions are absorbed by the switch's layer)
    expect(hs.requests.filter((r) => r.method === 'INFO')).toHaveLength(1);
  });

  it('an INFO answered 481: onSendFailed and the channel closes (dialog gone)', async () => {
    const { hs, cti } = await ctiTo();
    hs.answer = (req, txn) => txn.respond(responseFor(req, 481));
    cti.channel.send(7, xml.monitorStart('201'));
    expect(await cti.closed()).toBe('dialog gone (481)');
    expect(cti.sendFailed).toEqual([{ invokeId: 7, reason: 'SIP 481 Call/Transaction Does Not Exist' }]);
  });
});
