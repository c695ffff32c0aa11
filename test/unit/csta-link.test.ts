/**
 * CstaLink against a raw test peer (a net server speaking frames with the catalogue's
 * encode/decode, scripted per test): correlation, timeouts, errors, keep-alive, bad input.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { CstaLink, type CstaLinkHandlers } from '../../src/pbx-adapters/csta/link.ts';
import { InvokeIds } from '../../src/pbx-adapters/csta/invoke-ids.ts';
import { PbxError } from '../../src/core/pbx-port.ts';
import { type CstaMessage } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { decodeMessage, encodeMessage } from '../../src/pbx-adapters/csta/protocol/codec.ts';
import { encodeFrame, FrameDecoder, FrameTooLargeError } from '../../src/pbx-adapters/csta/protocol/framing.ts';

interface Received {
  invokeId: number;
  msg: CstaMessage;
}

/** A scripted switch: records what it gets; `onRequest` may answer. */
async function peer(onRequest?: (r: Received, p: Peer) => void) {
  const received: Received[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    const decoder = new FrameDecoder();
    s.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk).frames) {
        const r = { invokeId: f.invokeId, msg: decodeMessage(f.xml) };
        received.push(r);
        onRequest?.(r, p);
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const p = {
    port: (server.address() as net.AddressInfo).port,
    received,
    sockets,
    frame: (invokeId: number, msg: CstaMessage) => encodeFrame(invokeId, encodeMessage(msg)),
    send(invokeId: number, msg: CstaMessage) {
      sockets[0]!.write(p.frame(invokeId, msg));
    },
    raw(buf: Buffer) {
      sockets[0]!.write(buf);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  type Peer = typeof p;
  return p;
}
type Peer = Awaited<ReturnType<typeof peer>>;

function logSink() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines, warns: () => lines.filter((l) => l.level === 40) };
}

const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { keepAliveMs?: number; requestTimeoutMs?: number; onRequest?: (r: Received, p: Peer) => void } = {}) {
  const p = await peer(opts.onRequest);
  const log = logSink();
  const events: CstaMessage[] = [];
  const switchRequests: { msg: CstaMessage; invokeId: number }[] = [];
  const closes: string[] = [];
  const handlers: CstaLinkHandlers = {
    onEvent: (m) => events.push(m),
    onSwitchRequest: (msg, invokeId) => switchRequests.push({ msg, invokeId }),
    onClose: (reason) => closes.push(reason),
  };
  const link = await CstaLink.connect({ host: '127.0.0.1', port: p.port, logger: log.logger, keepAliveMs: opts.keepAliveMs ?? 60_000, requestTimeoutMs: opts.requestTimeoutMs ?? 2_000 }, handlers);
  cleanups.push(() => p.close(), () => link.destroy('test over'));
  await until(() => p.sockets.length === 1);
  return { p, link, log, events, switchRequests, closes };
}

const conn = (callId: string, deviceId: string) => ({ callId, deviceId });
const caught = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => new Error('resolved'), (e: unknown) => e);

describe('InvokeIds', () => {
  it('cycles 1..9998, skipping ids still pending, and gives null when all are in use', () => {
    const ids = new InvokeIds();
    expect(ids.next(new Set())).toBe(1);
    expect(ids.next(new Set([2, 3]))).toBe(4);
    const used = new Set<number>();
    for (let i = 5; i <= 9998; i++) expect(ids.next(used)).toBe(i);
    expect(ids.next(new Set([1]))).toBe(2); // wrapped past 9998, never 9999 or 0
    const all = new Set(Array.from({ length: 9998 }, (_, i) => i + 1));
    expect(ids.next(all)).toBeNull();
  });
});

describe('CstaLink', () => {
  it('correlates answers by invoke id, whatever their order', async () => {
    const { p, link } = await setup();
    const a = link.request({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '3001' });
    const b = link.request({ type: 'MakeCall', callingDevice: '2002', calledDirectoryNumber: '3002' });
    await until(() => p.received.length === 2);
    const [ra, rb] = p.received;
    expect(ra!.invokeId).not.toBe(rb!.invokeId);
    for (const r of [ra!, rb!]) expect(r.invokeId).toBeGreaterThanOrEqual(1), expect(r.invokeId).toBeLessThanOrEqual(9998);
    p.raw(Buffer.concat([p.frame(rb!.invokeId, { type: 'MakeCallResponse', callingDevice: conn('20', '2002') }), p.frame(ra!.invokeId, { type: 'MakeCallResponse', callingDevice: conn('10', '2001') })]));
    expect(await a).toEqual({ type: 'MakeCallResponse', callingDevice: conn('10', '2001') });
    expect(await b).toEqual({ type: 'MakeCallResponse', callingDevice: conn('20', '2002') });
    expect(link.inFlight).toBe(0);
  });

  it('fails a request with PBX_UNAVAILABLE when no answer comes in time, and drops the late answer', async () => {
    const { p, link, log } = await setup({ requestTimeoutMs: 60 });
    const t0 = Date.now();
    const err = await caught(link.request({ type: 'HoldCall', callToBeHeld: conn('7', '2001') }));
    expect(err).toBeInstanceOf(PbxError);
    expect((err as PbxError).code).toBe('PBX_UNAVAILABLE');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    p.send(p.received[0]!.invokeId, { type: 'HoldCallResponse' });
    await until(() => log.warns().some((l) => /no waiting request/.test(l.msg)));
    expect(link.isUp).toBe(true);
  });

  it('turns CSTAErrorCode into PBX_REJECTED with category and value', async () => {
    const { link } = await setup({ onRequest: (r, p) => p.send(r.invokeId, { type: 'CSTAErrorCode', error: { category: 'stateIncompatibility', value: 'invalidConnectionState' } }) });
    const err = (await caught(link.request({ type: 'AnswerCall', callToBeAnswered: conn('7', '2001') }))) as PbxError;
    expect(err).toBeInstanceOf(PbxError);
    expect(err.code).toBe('PBX_REJECTED');
    expect(err.cstaError).toEqual({ category: 'stateIncompatibility', value: 'invalidConnectionState' });
  });

  it('rejects an answer of the wrong type', async () => {
    const { link } = await setup({ onRequest: (r, p) => p.send(r.invokeId, { type: 'HoldCallResponse' }) });
    const err = (await caught(link.request({ type: 'AnswerCall', callToBeAnswered: conn('7', '2001') }))) as PbxError;
    expect(err.code).toBe('PBX_REJECTED');
    expect(err.message).toMatch(/unexpected answer HoldCallResponse to AnswerCall/);
  });

  it('answers the switch\'s SystemStatus with the same invoke id', async () => {
    const { p } = await setup();
    p.send(4321, { type: 'SystemStatus', systemStatus: 'normal' });
    await until(() => p.received.length === 1);
    expect(p.received[0]).toEqual({ invokeId: 4321, msg: { type: 'SystemStatusResponse' } });
  });

  it('hands events and the switch\'s routing requests to the owner; refuses other requests', async () => {
    const { p, events, switchRequests } = await setup();
    p.send(9999, { type: 'HeldEvent', monitorCrossRefId: 'm1', heldConnection: conn('7', '2001'), holdingDevice: '2001', cause: 'normal' });
    p.send(12, { type: 'RouteRequest', routeRegisterReqId: 'r1', routingCrossRefId: 'x1', currentRoute: '8000', routedCall: conn('7', '8000') });
    p.send(13, { type: 'RouteEnd', routeRegisterReqId: 'r1', routingCrossRefId: 'x1' });
    p.send(14, { type: 'MakeCall', callingDevice: '1', calledDirectoryNumber: '2' });
    await until(() => p.received.length === 1);
    expect(events).toEqual([{ type: 'HeldEvent', monitorCrossRefId: 'm1', heldConnection: conn('7', '2001'), holdingDevice: '2001', cause: 'normal' }]);
    expect(switchRequests.map((r) => [r.msg.type, r.invokeId])).toEqual([['RouteRequest', 12], ['RouteEnd', 13]]);
    expect(p.received[0]).toEqual({ invokeId: 14, msg: { type: 'CSTAErrorCode', error: { category: 'operation', value: 'serviceNotSupported' } } });
  });

  it('reassembles an answer split into single bytes and splits coalesced frames', async () => {
    const { p, link, events } = await setup();
    const pending = link.request({ type: 'MonitorStart', deviceId: '2001' });
    await until(() => p.received.length === 1);
    const bytes = Buffer.concat([
      p.frame(p.received[0]!.invokeId, { type: 'MonitorStartResponse', monitorCrossRefId: 'm9' }),
      p.frame(9999, { type: 'AgentReadyEvent', monitorCrossRefId: 'm9', agentDevice: '2001' }),
      p.frame(9999, { type: 'AgentBusyEvent', monitorCrossRefId: 'm9', agentDevice: '2001' }),
    ]);
    for (let i = 0; i < bytes.length; i += 1) {
      p.raw(bytes.subarray(i, i + 1));
      if (i % 64 === 0) await new Promise((r) => setImmediate(r)); // let the bytes go out as separate reads
    }
    expect(await pending).toEqual({ type: 'MonitorStartResponse', monitorCrossRefId: 'm9' });
    await until(() => events.length === 2);
    expect(events.map((e) => e.type)).toEqual(['AgentReadyEvent', 'AgentBusyEvent']);
  });

  it('runs onReply before the frames that follow the answer', async () => {
    const { p, link, events } = await setup();
    const eventsSeenByReply: number[] = [];
    const pending = link.request({ type: 'MonitorStart', deviceId: '2001' }, { onReply: () => eventsSeenByReply.push(events.length) });
    await until(() => p.received.length === 1);
    // Answer and event in one TCP write: both are read in the same tick.
    p.raw(Buffer.concat([p.frame(p.received[0]!.invokeId, { type: 'MonitorStartResponse', monitorCrossRefId: 'm1' }), p.frame(9999, { type: 'AgentReadyEvent', monitorCrossRefId: 'm1', agentDevice: '2001' })]));
    await pending;
    await until(() => events.length === 1);
    expect(eventsSeenByReply).toEqual([0]);
  });

  it('skips a corrupt header and delivers the good frame after it; the link stays up', async () => {
    const { p, link, events, log } = await setup({ onRequest: (r, pp) => pp.send(r.invokeId, { type: 'SystemStatusResponse' }) });
    p.raw(Buffer.concat([Buffer.from([0x7f, 0x01, 0x00, 0x03, 0x41, 0x41]), p.frame(9999, { type: 'CallClearedEvent', monitorCrossRefId: 'm1', clearedCall: { callId: '7', deviceId: '' }, cause: 'normalClearing' })]));
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ type: 'CallClearedEvent', clearedCall: { callId: '7' } });
    expect(log.warns().find((l) => l.msg === 'malformed CSTA frame skipped; stream resynchronised')).toMatchObject({ reason: 'badHeader', skippedBytes: 6 });
    expect(link.isUp).toBe(true);
    expect(await link.request({ type: 'SystemStatus', systemStatus: 'normal' })).toEqual({ type: 'SystemStatusResponse' });
  });

  it('logs and skips invalid XML and unknown messages; the link stays up', async () => {
    const { p, link, events, log } = await setup();
    p.raw(encodeFrame(9999, '<DeliveredEvent><monitorCrossRefID>1</monitorCrossRef'));
    p.raw(encodeFrame(9999, '<FrobnicatedEvent/>'));
    p.send(9999, { type: 'HeldEvent', monitorCrossRefId: 'm1', heldConnection: conn('7', '2001'), holdingDevice: '2001', cause: 'normal' });
    await until(() => events.length === 1);
    const warns = log.warns().filter((l) => l.msg === 'undecodable CSTA message skipped');
    expect(warns).toHaveLength(2);
    expect(warns[0]!.reason).toMatch(/not well-formed/);
    expect(warns[0]!.excerpt).toBe('<DeliveredEvent><monitorCrossRefID>1</monitorCrossRef');
    expect(warns[1]!.reason).toMatch(/unknown message FrobnicatedEvent/);
    expect(link.isUp).toBe(true);
  });

  it('fails a request at once when its answer cannot be decoded', async () => {
    const { p, link } = await setup({ requestTimeoutMs: 5_000 });
    const pending = caught(link.request({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '3001' }));
    await until(() => p.received.length === 1);
    p.raw(encodeFrame(p.received[0]!.invokeId, '<MakeCallResponse><initiatedCallInfo/></MakeCallResponse>'));
    const err = (await pending) as PbxError;
    expect(err.code).toBe('PBX_UNAVAILABLE');
    expect(err.message).toMatch(/could not be decoded/);
    expect(link.isUp).toBe(true);
  });

  it('refuses to send a message over 65 535 bytes, and sends nothing', async () => {
    const { p, link } = await setup({ onRequest: (r, pp) => pp.send(r.invokeId, { type: 'SystemStatusResponse' }) });
    const err = await caught(link.request({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '9'.repeat(70_000) }));
    expect(err).toBeInstanceOf(FrameTooLargeError);
    await expect(link.post({ type: 'RouteSelect', routeRegisterReqId: 'r', routingCrossRefId: 'x', routeSelected: 'é'.repeat(33_000) })).rejects.toBeInstanceOf(FrameTooLargeError);
    await link.request({ type: 'SystemStatus', systemStatus: 'normal' });
    expect(p.received.map((r) => r.msg.type)).toEqual(['SystemStatus']);
    expect(link.inFlight).toBe(0);
  });

  it('resolves post() once written, without waiting for an answer', async () => {
    const { p, link } = await setup();
    await link.post({ type: 'RouteSelect', routeRegisterReqId: 'r1', routingCrossRefId: 'x1', routeSelected: '2001' });
    await until(() => p.received.length === 1);
    expect(p.received[0]!.msg).toEqual({ type: 'RouteSelect', routeRegisterReqId: 'r1', routingCrossRefId: 'x1', routeSelected: '2001' });
    expect(link.inFlight).toBe(0);
  });

  it('sends SystemStatus when idle and stays up while it is answered', async () => {
    const { p, link, closes } = await setup({ keepAliveMs: 30, onRequest: (r, pp) => pp.send(r.invokeId, { type: 'SystemStatusResponse' }) });
    await new Promise((r) => setTimeout(r, 200));
    const keepAlives = p.received.filter((r) => r.msg.type === 'SystemStatus');
    expect(keepAlives.length).toBeGreaterThanOrEqual(3);
    expect(keepAlives[0]!.msg).toEqual({ type: 'SystemStatus', systemStatus: 'normal' });
    expect(link.isUp).toBe(true);
    expect(closes).toEqual([]);
  });

  it('drops the link after 2 unanswered SystemStatus', async () => {
    const { p, link, closes } = await setup({ keepAliveMs: 30 });
    const t0 = Date.now();
    await until(() => closes.length === 1, 1_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(80); // 30 idle, 30 unanswered, 30 unanswered
    expect(closes[0]).toMatch(/keep-alive: 2 SystemStatus unanswered/);
    expect(p.received.filter((r) => r.msg.type === 'SystemStatus')).toHaveLength(2);
    expect(link.isUp).toBe(false);
    await until(() => p.sockets[0]!.destroyed || p.sockets[0]!.readableEnded);
  });

  it('when the switch closes mid-frame: logs the truncated frame, fails pending requests, refuses new ones fast', async () => {
    const { p, link, closes, log } = await setup();
    const pending = caught(link.request({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '3001' }));
    await until(() => p.received.length === 1);
    const f = p.frame(p.received[0]!.invokeId, { type: 'MakeCallResponse', callingDevice: conn('10', '2001') });
    p.raw(f.subarray(0, f.length - 5));
    await new Promise((r) => setTimeout(r, 20));
    p.sockets[0]!.end();
    const err = (await pending) as PbxError;
    expect(err.code).toBe('PBX_UNAVAILABLE');
    expect(err.message).toMatch(/link down/);
    expect(closes).toEqual(['closed by the switch']);
    expect(log.warns().find((l) => /truncated/.test(l.msg))).toMatchObject({ bytes: f.length - 5 });
    const t0 = Date.now();
    const again = (await caught(link.request({ type: 'SystemStatus', systemStatus: 'normal' }))) as PbxError;
    expect(again.code).toBe('PBX_UNAVAILABLE');
    await expect(link.post({ type: 'RouteEnd', routeRegisterReqId: 'r', routingCrossRefId: 'x' })).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE' });
    expect(Date.now() - t0).toBeLessThan(50);
  });

  it('cannot connect to a closed port: PBX_UNAVAILABLE', async () => {
    const p = await peer();
    const port = p.port;
    await p.close();
    const err = (await caught(CstaLink.connect({ host: '127.0.0.1', port, logger: logSink().logger }, { onEvent() {}, onSwitchRequest() {}, onClose() {} }))) as PbxError;
    expect(err).toBeInstanceOf(PbxError);
    expect(err.code).toBe('PBX_UNAVAILABLE');
    expect(err.message).toMatch(/cannot connect/);
  });
});
