/**
 * SIP/CSTA association lifetime over real loopback UDP and TCP: connectSipCsta (the CTI) opens a
 * dialog with a SipCstaListener (the switch) by an INVITE carrying a RequestSystemStatus, whose
 * answer rides in the 200 OK; either side ends it with a BYE; a TCP flow dropping ends it too;
 * nothing listening fails the connect with PBX_UNAVAILABLE.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { PbxError } from '../../src/core/pbx-port.ts';
import { rootElementName } from '../../src/pbx-adapters/csta/transport/csta-sip-body.ts';
import { connectSipCsta } from '../../src/pbx-adapters/csta/transport/sip-client.ts';
import { parseNameAddr, tagOf, type SipResponse } from '../../src/pbx-adapters/sip/index.ts';
import {
  answerSystemStatus,
  capturingLogger,
  FAST,
  field,
  freePort,
  handSwitch,
  isReq,
  isRes,
  openPair,
  recordChannel,
  silent,
  startSwitch,
  TRANSPORTS,
  xml,
  type Pair,
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

describe.each(TRANSPORTS)('SIP/CSTA association over %s', (transport) => {
  it('connect: onChannel fires with the INVITE\'s RequestSystemStatus as the switch\'s first message (invoke id 1); the answer rides in the 200 OK, ACKed; the CTI reads systemStatus normal', async () => {
    const cti = capturingLogger();
    const p = await pairOf(transport, { tap: true, ctiLogger: cti.logger });
    expect(p.sw.channels).toHaveLength(1);
    expect(p.sw.listener.channelCount).toBe(1);
    expect(p.swc.messages).toHaveLength(1);
    expect(p.swc.messages[0]!.invokeId).toBe(1);
    expect(rootElementName(p.swc.messages[0]!.xml)).toBe('RequestSystemStatus');
    expect(p.cti.channel.isOpen).toBe(true);
    expect(p.swc.channel.isOpen).toBe(true);
    expect(p.cti.channel.kind).toBe('sip-csta');
    expect(p.cti.channel.remote).toBe(`sip-csta ${transport} 127.0.0.1:${p.tap!.port}`);
    // the CTI's handlers got nothing: the answer to its INVITE is the connect's own business
    expect(p.cti.messages).toEqual([]);

    const tap = p.tap!;
    const ack = await tap.until(() => tap.log.find((r) => r.dir === 'toSwitch' && isReq(r.msg, 'ACK')), 'the ACK');
    const invite = tap.log.find((r) => r.dir === 'toSwitch' && isReq(r.msg, 'INVITE'))!.msg;
    const ok = tap.log.find((r) => r.dir === 'toCti' && isRes(r.msg, 'INVITE') && r.msg.status === 200)!.msg as SipResponse;
    expect(invite.headers.get('Content-Type')).toBe('application/csta+xml');
    expect(rootElementName(invite.body.toString())).toBe('RequestSystemStatus');
    expect(ok.headers.get('Content-Type')).toBe('application/csta+xml');
    const answer = ok.body.toString();
    expect(rootElementName(answer)).toBe('RequestSystemStatusResponse');
    expect(field(answer, 'systemStatus')).toBe('normal');
    expect(tagOf(ok.headers.get('To'))).toBe(p.swc.channel.dialog.localTag);
    expect(parseNameAddr(ok.headers.get('Contact')!).uri).toBe(`sip:csta@127.0.0.1:${p.sw.port}${transport === 'tcp' ? ';transport=tcp' : ''}`);
    expect(ok.headers.get('Allow')).toContain('INFO');
    expect(ack.msg.headers.get('CSeq')).toBe('1 ACK');
    expect(ack.msg.headers.get('Call-ID')).toBe(invite.headers.get('Call-ID'));

    const opened = cti.lines.find((l) => l['msg'] === 'SIP/CSTA association open');
    expect(opened).toMatchObject({ systemStatus: 'normal' });
    expect(cti.lines.some((l) => String(l['msg']).includes('system status not normal'))).toBe(false);
  });

  it('a switch answering systemStatus disabled: the CTI still connects and warns', async () => {
    const cti = capturingLogger();
    const p = await pairOf(transport, {
      ctiLogger: cti.logger,
      onSwitchMessage: (rec, id, doc) => void answerSystemStatus(rec, id, doc, 'disabled'),
    });
    expect(p.cti.channel.isOpen).toBe(true);
    expect(cti.lines.find((l) => l['msg'] === 'SIP/CSTA association open')).toMatchObject({ systemStatus: 'disabled' });
    expect(cti.lines.find((l) => l['level'] === 40 && String(l['msg']).includes('system status not normal'))).toMatchObject({ systemStatus: 'disabled' });
  });

  it('a switch not answering inside onMessage: an empty 200 OK; the CTI connects with no system status', async () => {
    const cti = capturingLogger();
    const p = await pairOf(transport, { tap: true, ctiLogger: cti.logger, onSwitchMessage: () => undefined });
    expect(p.cti.channel.isOpen).toBe(true);
    const ok = p.tap!.log.find((r) => r.dir === 'toCti' && isRes(r.msg, 'INVITE') && r.msg.status === 200)!.msg;
    expect(ok.body.length).toBe(0);
    expect(cti.lines.find((l) => l['msg'] === 'SIP/CSTA association open')).toMatchObject({ systemStatus: null });
  });

  it('the CTI closes: BYE, answered 200; the switch\'s onClose says the CTI; the listener forgets the dialog', async () => {
    const p = await pairOf(transport, { tap: true });
    p.cti.channel.close('CTI shutting down');
    expect(p.cti.closeReason).toBe('CTI shutting down'); // before close() returns
    expect(p.cti.channel.isOpen).toBe(false);
    expect(await p.swc.closed()).toBe('BYE from the CTI');
    await p.cti.channel.closed;
    expect(p.swc.channel.isOpen).toBe(false);
    expect(p.sw.listener.channelCount).toBe(0);
    const tap = p.tap!;
    const bye = await tap.until(() => tap.log.find((r) => r.dir === 'toSwitch' && isReq(r.msg, 'BYE')), 'the BYE');
    const byeOk = await tap.until(() => tap.log.find((r) => r.dir === 'toCti' && isRes(r.msg, 'BYE')), 'its answer');
    expect((byeOk.msg as SipResponse).status).toBe(200);
    expect(bye.msg.headers.get('Call-ID')).toBe(p.swc.channel.dialog.callId);
    expect(tap.log.some((r) => r.dir === 'toCti' && isReq(r.msg, 'BYE'))).toBe(false); // no BYE back
    // close is idempotent and onClose ran once
    p.cti.channel.close('again');
    expect(p.cti.closeReason).toBe('CTI shutting down');
    // a send after close fails through its callback
    expect((await p.cti.send(7, xml.monitorStart('201')))?.message).toBe('channel closed');
  });

  it('the switch closes: BYE; the CTI\'s onClose says the switch; the CTI answers the BYE 200', async () => {
    const p = await pairOf(transport, { tap: true });
    p.swc.channel.close('switch maintenance');
    expect(p.swc.closeReason).toBe('switch maintenance');
    const reason = await p.cti.closed();
    expect(reason).toBe('BYE from the switch');
    expect(p.cti.channel.isOpen).toBe(false);
    const tap = p.tap!;
    const bye = await tap.until(() => tap.log.find((r) => r.dir === 'toCti' && isReq(r.msg, 'BYE')), 'the switch\'s BYE');
    expect(bye.msg.headers.get('Call-ID')).toBe(p.cti.channel.dialog.callId);
    const byeOk = await tap.until(() => tap.log.find((r) => r.dir === 'toSwitch' && isRes(r.msg, 'BYE')), 'the 200 to the switch\'s BYE');
    expect((byeOk.msg as SipResponse).status).toBe(200);
    await p.swc.channel.closed;
    expect(p.sw.listener.channelCount).toBe(0);
    expect(tap.log.some((r) => r.dir === 'toSwitch' && isReq(r.msg, 'BYE'))).toBe(false); // no BYE back
  });

  it('the switch closes gracefully (application session stopped): it waits for the CTI\'s BYE rather than sending its own', async () => {
    const p = await pairOf(transport, { tap: true });
    p.swc.channel.close('application session stopped', true);
    expect(p.swc.closeReason).toBeNull(); // still open, waiting for the CTI
    expect(p.swc.channel.isOpen).toBe(true);
    p.cti.channel.close('session stopped');
    expect(await p.swc.closed()).toBe('BYE from the CTI');
    await p.cti.channel.closed;
    expect(p.tap!.log.filter((r) => isReq(r.msg, 'BYE')).map((r) => r.dir)).toEqual(['toSwitch']);
  });

  it('the switch\'s listener closes: every dialog gets its BYE, the CTIs\' onClose say the switch, and the listener is gone', async () => {
    const sw = await startSwitch();
    cleanup.push(() => sw.close());
    const ctis = await Promise.all([0, 1].map(async () => recordChannel(await connectSipCsta({ host: '127.0.0.1', port: sw.port, transport, logger: silent, timers: FAST }))));
    for (const c of ctis) cleanup.push(() => c.channel.close('test over'));
    expect(sw.listener.channelCount).toBe(2);
    await sw.listener.close();
    for (const c of ctis) expect(await c.closed()).toBe('BYE from the switch');
    expect(sw.channels.map((c) => c.closeReason)).toEqual(['switch closing', 'switch closing']);
    expect(sw.listener.channelCount).toBe(0);
    if (transport === 'tcp') {
      // nothing listens any more: a new connect is refused at once
      await expect(connectSipCsta({ host: '127.0.0.1', port: sw.port, transport, logger: silent, timers: FAST })).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE' });
    }
  });

  it('connect to a port where nothing listens: PbxError PBX_UNAVAILABLE within the connect timeout', async () => {
    const port = await freePort();
    const started = performance.now();
    const err = await connectSipCsta({ host: '127.0.0.1', port, transport, logger: silent, timers: FAST, connectTimeoutMs: 400 }).catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(err).toBeInstanceOf(PbxError);
    expect((err as PbxError).code).toBe('PBX_UNAVAILABLE');
    expect((err as PbxError).message).toContain(`127.0.0.1:${port} (${transport})`);
    if (transport === 'udp') {
      expect((err as PbxError).message).toMatch(/INVITE not answered: no final answer within 400 ms/);
      expect(took).toBeGreaterThanOrEqual(390);
    } else {
      expect((err as PbxError).message).toMatch(/cannot connect/);
    }
    expect(took).toBeLessThan(3_000);
  });
});

describe('SIP/CSTA association: flows and aborts', () => {
  it('TCP: the switch\'s flow drops without a BYE: the CTI\'s onClose says the switch closed it', async () => {
    const hs = await handSwitch('tcp');
    cleanup.push(() => hs.close());
    const cti = recordChannel(await connectSipCsta({ host: '127.0.0.1', port: hs.port, transport: 'tcp', logger: silent, timers: FAST }));
    cleanup.push(() => cti.channel.close('test over'));
    await hs.association();
    await hs.close(); // destroys the flow: no BYE
    const reason = await cti.closed();
    expect(reason).toMatch(/^closed by the switch \(/);
    expect(cti.channel.isOpen).toBe(false);
  });

  it('TCP: the CTI\'s flow drops without a BYE: the switch\'s onClose says the CTI closed it', async () => {
    const p = await pairOf('tcp', { tap: true });
    p.cti.channel.peerGone('simulated crash'); // no BYE; the client endpoint is released 100 ms later
    expect(p.cti.closeReason).toBe('simulated crash');
    expect(await p.swc.closed()).toMatch(/^closed by the CTI \(/);
    expect(p.sw.listener.channelCount).toBe(0);
    expect(p.tap!.log.some((r) => isReq(r.msg, 'BYE'))).toBe(false);
  });

  it('UDP: a switch that swallows the INVITE and an abort signal: PBX_UNAVAILABLE (aborted) without waiting for the timeout', async () => {
    const sink = dgram.createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    cleanup.push(() => void sink.close());
    const ac = new AbortController();
    sink.once('message', () => ac.abort());
    const started = performance.now();
    const err = await connectSipCsta({ host: '127.0.0.1', port: sink.address().port, transport: 'udp', logger: silent, timers: FAST, connectTimeoutMs: 10_000, signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'PbxError', code: 'PBX_UNAVAILABLE' });
    expect((err as Error).message).toMatch(/aborted/);
    expect(performance.now() - started).toBeLessThan(5_000);
    // an already-aborted signal refuses at once
    await expect(connectSipCsta({ host: '127.0.0.1', port: sink.address().port, transport: 'udp', logger: silent, signal: ac.signal })).rejects.toThrow(/aborted/);
  });
});
