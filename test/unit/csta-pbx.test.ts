/**
 * CstaPbx against a small fake switch written here (a net server speaking CSTA frames with the
 * catalogue's encode/decode and following docs/csta-profile.md for the services it answers):
 * session set-up, monitors, routing, reconnect with snapshot, commands, validation, close().
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { CstaPbx, type CstaPbxOptions } from '../../src/pbx-adapters/csta/csta-pbx.ts';
import { PbxArgumentError } from '../../src/pbx-adapters/csta/validate.ts';
import { PbxError, type PbxEvent } from '../../src/core/pbx-port.ts';
import { type CstaMessage } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { decodeMessage, encodeMessage } from '../../src/pbx-adapters/csta/protocol/codec.ts';
import { encodeFrame, FrameDecoder } from '../../src/pbx-adapters/csta/protocol/framing.ts';
import type { CstaErrorValue, SnapshotEntry } from '../../src/pbx-adapters/csta/protocol/types.ts';

type Ev = Extract<CstaMessage, { monitorCrossRefId: string }>;
type EventBody = Ev extends infer E ? (E extends unknown ? Omit<E, 'monitorCrossRefId'> : never) : never;

interface Link {
  id: number;
  socket: net.Socket;
  session: boolean;
  monitors: Map<string, string>; // crossRef → device
  routes: Map<string, string>; // reqId → device
}

class FakeSwitch {
  server = net.createServer((s) => this.accept(s));
  port = 0;
  links: Link[] = [];
  received: { link: number; invokeId: number; msg: CstaMessage }[] = [];
  snapshots = new Map<string, SnapshotEntry[]>();
  badDevices = new Set<string>();
  snapshotFails = new Set<string>();
  failNext = new Map<string, CstaErrorValue>();
  silent = new Set<string>();
  /** Answers go out on the next turn (to observe how many requests are in flight). */
  deferAnswers = false;
  /** actualSessionDuration granted in StartApplicationSessionPosResponse (0: no expiry). */
  sessionDurationS = 0;
  maxOutstanding = 0;
  /** Frames to send right after (in the same write as) a MonitorStartResponse. */
  afterMonitorStart: (device: string, crossRef: string) => CstaMessage[] = () => [];
  private outstanding = 0;
  private seq = 0;

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  dropAll(): void {
    for (const l of this.links) l.socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get live(): Link | undefined {
    return this.links.filter((l) => !l.socket.destroyed).at(-1);
  }

  got(type: string, link?: number): CstaMessage[] {
    return this.received.filter((r) => r.msg.type === type && (link === undefined || r.link === link)).map((r) => r.msg);
  }

  /** Sends an event to every monitor of `device` on the live link. */
  event(device: string, body: EventBody): void {
    const l = this.live!;
    for (const [crossRef, d] of l.monitors) if (d === device) l.socket.write(encodeFrame(9999, encodeMessage({ ...body, monitorCrossRefId: crossRef } as CstaMessage)));
  }

  routeRequest(device: string, crossRefId: string, callId: string): void {
    const l = this.live!;
    const reqId = [...l.routes].find(([, d]) => d === device)?.[0] ?? 'unregistered';
    l.socket.write(encodeFrame(++this.seq % 9998 || 1, encodeMessage({ type: 'RouteRequest', routeRegisterReqId: reqId, routingCrossRefId: crossRefId, currentRoute: device, callingDevice: '0612', routedCall: { callId, deviceId: device } })));
  }

  routeEnd(crossRefId: string, errorValue?: string): void {
    const l = this.live!;
    const [reqId] = [...l.routes][0]!;
    l.socket.write(encodeFrame(++this.seq % 9998 || 1, encodeMessage({ type: 'RouteEnd', routeRegisterReqId: reqId, routingCrossRefId: crossRefId, ...(errorValue ? { errorValue: { category: 'operation', value: errorValue } } : {}) })));
  }

  private accept(socket: net.Socket): void {
    const link: Link = { id: this.links.length, socket, session: false, monitors: new Map(), routes: new Map() };
    this.links.push(link);
    const decoder = new FrameDecoder();
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk).frames) {
        const msg = decodeMessage(f.xml);
        this.received.push({ link: link.id, invokeId: f.invokeId, msg });
        const frames = this.answer(link, msg).map((m) => encodeFrame(f.invokeId === 9999 ? 1 : f.invokeId, encodeMessage(m)));
        const extra = msg.type === 'MonitorStart' && frames.length === 1 && link.monitors.size > 0 ? this.afterMonitorStart(msg.deviceId, [...link.monitors].at(-1)![0]) : [];
        const out = Buffer.concat([...frames, ...extra.map((m) => encodeFrame(9999, encodeMessage(m)))]);
        if (out.length === 0) continue;
        if (!this.deferAnswers) {
          socket.write(out);
          continue;
        }
        this.outstanding++;
        this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
        setTimeout(() => {
          this.outstanding--;
          if (!socket.destroyed) socket.write(out);
        }, 1);
      }
    });
  }

  private answer(link: Link, msg: CstaMessage): CstaMessage[] {
    const fail = this.failNext.get(msg.type);
    if (fail) {
      this.failNext.delete(msg.type);
      return [{ type: 'CSTAErrorCode', error: fail }];
    }
    if (this.silent.has(msg.type)) return [];
    if (msg.type === 'StartApplicationSession') {
      link.session = true;
      return [{ type: 'StartApplicationSessionPosResponse', sessionId: `s${link.id}`, actualProtocolVersion: msg.protocolVersion, actualSessionDuration: this.sessionDurationS }];
    }
    if (!link.session) return [{ type: 'CSTAErrorCode', error: { category: 'operation', value: 'generic' } }];
    const id = String(++this.seq);
    switch (msg.type) {
      case 'SystemRegister':
        return [{ type: 'SystemRegisterResponse', sysStatRegisterId: 'sys' }];
      case 'MonitorStart':
        if (this.badDevices.has(msg.deviceId)) return [{ type: 'CSTAErrorCode', error: { category: 'operation', value: 'invalidDeviceID' } }];
        link.monitors.set(`M${id}`, msg.deviceId);
        return [{ type: 'MonitorStartResponse', monitorCrossRefId: `M${id}` }];
      case 'MonitorStop':
        link.monitors.delete(msg.monitorCrossRefId);
        return [{ type: 'MonitorStopResponse' }];
      case 'RouteRegister':
        link.routes.set(`R${id}`, msg.routingDevice ?? '*');
        return [{ type: 'RouteRegisterResponse', routeRegisterReqId: `R${id}` }];
      case 'SnapshotDevice':
        if (this.snapshotFails.has(msg.deviceId)) return [{ type: 'CSTAErrorCode', error: { category: 'systemResourceAvailability', value: 'resourceBusy' } }];
        return [{ type: 'SnapshotDeviceResponse', calls: this.snapshots.get(msg.deviceId) ?? [] }];
      case 'MakeCall':
        return [{ type: 'MakeCallResponse', callingDevice: { callId: '100', deviceId: msg.callingDevice } }];
      case 'ConsultationCall':
        return [{ type: 'ConsultationCallResponse', initiatedCall: { callId: '101', deviceId: msg.existingCall.deviceId } }];
      case 'TransferCall':
        return [{ type: 'TransferCallResponse', transferredCall: msg.heldCall }];
      case 'SingleStepTransferCall':
        return [{ type: 'SingleStepTransferCallResponse', transferredCall: msg.activeCall }];
      case 'ConferenceCall':
        return [{ type: 'ConferenceCallResponse', conferenceCall: msg.heldCall }];
      case 'SingleStepConferenceCall':
        return [{ type: 'SingleStepConferenceCallResponse', conferencedCall: { callId: msg.activeCall.callId, deviceId: msg.deviceToJoin } }];
      case 'StopApplicationSession':
        return [{ type: 'StopApplicationSessionPosResponse' }];
      case 'ResetApplicationSessionTimer':
        return [{ type: 'ResetApplicationSessionTimerPosResponse', actualSessionDuration: msg.requestedSessionDuration }];
      case 'RouteSelect':
      case 'RouteEnd':
      case 'SystemStatusResponse':
        return [];
      default:
        return [{ type: `${msg.type}Response` } as CstaMessage];
    }
  }
}

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const caught = async (p: Promise<unknown>): Promise<unknown> => p.then(() => new Error('resolved'), (e: unknown) => e);
const c = (callId: string, deviceId: string) => ({ callId, deviceId });

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function fakeSwitch(): Promise<FakeSwitch> {
  const sw = new FakeSwitch();
  await sw.listen();
  cleanups.push(() => sw.close());
  return sw;
}

function makePbx(port: number, opts: Partial<CstaPbxOptions> = {}) {
  const logLines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split('\n')) if (l) logLines.push(JSON.parse(l));
      cb();
    },
  });
  const pbx = new CstaPbx({ host: '127.0.0.1', port, logger: pino({ level: 'debug' }, sink), requestTimeoutMs: 1_000, reconnect: { initialMs: 20, maxMs: 100 }, ...opts });
  const events: PbxEvent[] = [];
  const monitorEvents: Extract<PbxEvent, { kind: 'monitor' }>[] = [];
  pbx.onEvent((e) => (e.kind === 'monitor' ? monitorEvents.push(e) : events.push(e)));
  cleanups.push(() => pbx.close());
  return { pbx, events, monitorEvents, logLines, kinds: () => events.map((e) => e.kind) };
}

describe('CstaPbx link set-up', () => {
  it('starts the session, registers, monitors wanted and routing devices, registers routes, then reports linkUp', async () => {
    const sw = await fakeSwitch();
    const { pbx, events } = makePbx(sw.port, { applicationId: 'sb-test' });
    await pbx.setMonitoredDevices(['2001', '2002']);
    await pbx.setRoutingDevices(['8000']);
    expect(sw.received).toEqual([]); // nothing sent before start()
    await pbx.start();
    expect(pbx.linkUp).toBe(true);
    const types = sw.received.map((r) => r.msg.type);
    expect(types.slice(0, 2)).toEqual(['StartApplicationSession', 'SystemRegister']);
    expect(sw.got('StartApplicationSession')[0]).toMatchObject({ applicationId: 'sb-test' });
    expect(sw.got('MonitorStart').map((m) => (m as { deviceId: string }).deviceId).sort()).toEqual(['2001', '2002', '8000']);
    expect(sw.got('RouteRegister')).toEqual([{ type: 'RouteRegister', routingDevice: '8000' }]);
    // The first connect snapshots too: a restarted daemon adopts the calls still up.
    expect(sw.got('SnapshotDevice').map((m) => (m as { deviceId: string }).deviceId).sort()).toEqual(['2001', '2002', '8000']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'linkUp', reconnect: false });
    const snap = (events[0] as { snapshot: { deviceId: string; calls: unknown[] }[] }).snapshot;
    expect(snap.map((d) => d.deviceId).sort()).toEqual(['2001', '2002', '8000']);

    sw.event('2002', { type: 'HeldEvent', heldConnection: c('7', '2002'), holdingDevice: '2002', cause: 'normal' });
    await until(() => events.length === 2);
    expect(events[1]).toEqual({ kind: 'held', callId: '7', deviceId: '2002', cause: 'normal', monitoredDevice: '2002' });
  });

  it('start() resolves while the switch is down, reports linkDown once, and comes up when the switch does', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const { pbx, events, kinds } = makePbx(port);
    await pbx.setMonitoredDevices(['2001']);
    const t0 = Date.now();
    await pbx.start();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(pbx.linkUp).toBe(false);
    await new Promise((r) => setTimeout(r, 250)); // several retries at 20..100 ms
    expect(kinds()).toEqual(['linkDown']);
    expect((events[0] as { reason: string }).reason).toMatch(/cannot connect/);
    await expect(pbx.makeCall('2001', '2002')).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE' });

    const sw = new FakeSwitch();
    await sw.listen(port);
    cleanups.push(() => sw.close());
    await until(() => pbx.linkUp);
    expect(kinds()).toEqual(['linkDown', 'linkUp']);
    expect(events[1]).toMatchObject({ kind: 'linkUp', reconnect: false });
    expect(sw.got('MonitorStart')).toEqual([{ type: 'MonitorStart', deviceId: '2001' }]);
  });

  it('retries with backoff when the switch refuses the session', async () => {
    const sw = await fakeSwitch();
    sw.failNext.set('StartApplicationSession', { category: 'operation', value: 'generic' });
    const { pbx, kinds } = makePbx(sw.port);
    await pbx.start();
    expect(pbx.linkUp).toBe(false);
    await until(() => pbx.linkUp);
    expect(kinds()).toEqual(['linkDown', 'linkUp']);
    expect(sw.links.length).toBe(2);
  });

  it('reconnects after a drop: linkDown once, monitors and routes again, snapshot, then linkUp(reconnect)', async () => {
    const sw = await fakeSwitch();
    const { pbx, events, kinds } = makePbx(sw.port);
    await pbx.setMonitoredDevices(['2001', '2002']);
    await pbx.setRoutingDevices(['8000']);
    await pbx.start();
    sw.snapshots.set('2001', [{ connection: c('7', '2001'), state: 'connected' }, { connection: c('9', '2001'), state: 'hold' }]);

    const t0 = Date.now();
    sw.dropAll();
    await until(() => kinds().length === 3);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(2_000);
    expect(kinds()).toEqual(['linkUp', 'linkDown', 'linkUp']);
    expect(events[1]).toMatchObject({ kind: 'linkDown', reason: 'closed by the switch' });
    const up = events[2] as Extract<PbxEvent, { kind: 'linkUp' }>;
    expect(up.reconnect).toBe(true);
    expect([...up.snapshot].sort((a, b) => a.deviceId.localeCompare(b.deviceId))).toEqual([
      { deviceId: '2001', calls: [{ callId: '7', state: 'connected' }, { callId: '9', state: 'hold' }] },
      { deviceId: '2002', calls: [] },
      { deviceId: '8000', calls: [] },
    ]);
    const second = sw.live!.id;
    expect(second).toBe(1);
    expect(sw.got('StartApplicationSession', second)).toHaveLength(1);
    expect(sw.got('MonitorStart', second)).toHaveLength(3);
    expect(sw.got('RouteRegister', second)).toHaveLength(1);
    // Events flow again with the new link's cross-reference ids.
    sw.event('2001', { type: 'RetrievedEvent', retrievedConnection: c('9', '2001'), retrievingDevice: '2001', cause: 'normal' });
    await until(() => events.length === 4);
    expect(events[3]).toEqual({ kind: 'retrieved', callId: '9', deviceId: '2001', cause: 'normal', monitoredDevice: '2001' });
  });

  it('holds events that arrive during set-up until after linkUp, in arrival order', async () => {
    const sw = await fakeSwitch();
    const { pbx, events, kinds } = makePbx(sw.port);
    await pbx.setMonitoredDevices(['2001', '2002']);
    sw.afterMonitorStart = (device) =>
      device === '2001'
        ? [
            { type: 'EstablishedEvent', monitorCrossRefId: [...sw.live!.monitors].find(([, d]) => d === '2001')![0], establishedConnection: c('7', '2001'), answeringDevice: '2001', cause: 'normal' },
            { type: 'ConnectionClearedEvent', monitorCrossRefId: [...sw.live!.monitors].find(([, d]) => d === '2001')![0], droppedConnection: c('7', '2001'), releasingDevice: '2001', cause: 'normalClearing' },
          ]
        : [];
    await pbx.start();
    await until(() => events.length === 3);
    expect(kinds()).toEqual(['linkUp', 'established', 'connectionCleared']);
  });

  it('fails pending requests and refuses new ones at once while the link is down', async () => {
    const sw = await fakeSwitch();
    sw.silent.add('MakeCall');
    const { pbx, kinds } = makePbx(sw.port, { reconnect: { initialMs: 10_000, maxMs: 10_000 } });
    await pbx.start();
    const pending = caught(pbx.makeCall('2001', '2002'));
    await until(() => sw.got('MakeCall').length === 1);
    sw.dropAll();
    const err = (await pending) as PbxError;
    expect(err).toBeInstanceOf(PbxError);
    expect(err.code).toBe('PBX_UNAVAILABLE');
    await until(() => kinds().includes('linkDown'));
    expect(pbx.linkUp).toBe(false);
    const t0 = Date.now();
    for (const attempt of [pbx.holdCall(c('7', '2001')), pbx.snapshotDevice('2001'), pbx.routeSelect('x', '2001'), pbx.setAgentState('2001', 'ready')]) {
      await expect(attempt).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE' });
    }
    expect(Date.now() - t0).toBeLessThan(50);
  });

  it('sets up 1 000 monitors with at most 32 requests in flight', async () => {
    const sw = await fakeSwitch();
    sw.deferAnswers = true;
    const { pbx, logLines } = makePbx(sw.port);
    const devices = Array.from({ length: 1000 }, (_, i) => String(10_000 + i));
    await pbx.setMonitoredDevices(devices);
    const t0 = performance.now();
    await pbx.start();
    const ms = performance.now() - t0;
    expect(pbx.linkUp).toBe(true);
    expect(new Set(sw.got('MonitorStart').map((m) => (m as { deviceId: string }).deviceId)).size).toBe(1000);
    expect(sw.maxOutstanding).toBeLessThanOrEqual(32);
    expect(sw.maxOutstanding).toBeGreaterThanOrEqual(16);
    expect(ms).toBeLessThan(3_000);
    expect(logLines.find((l) => l.msg === 'CSTA link up')).toMatchObject({ monitors: 1000 });
  });
});

describe('CstaPbx wanted sets', () => {
  it('starts and stops monitors for the difference while up, and ignores events of stopped monitors', async () => {
    const sw = await fakeSwitch();
    const { pbx, events } = makePbx(sw.port);
    await pbx.setMonitoredDevices(['2001', '2002']);
    await pbx.start();
    const crossRef2001 = [...sw.live!.monitors].find(([, d]) => d === '2001')![0];
    await pbx.setMonitoredDevices(['2002', '2003']);
    expect(sw.got('MonitorStop')).toEqual([{ type: 'MonitorStop', monitorCrossRefId: crossRef2001 }]);
    expect(sw.got('MonitorStart').map((m) => (m as { deviceId: string }).deviceId)).toEqual(['2001', '2002', '2003']);
    sw.live!.socket.write(encodeFrame(9999, encodeMessage({ type: 'HeldEvent', monitorCrossRefId: crossRef2001, heldConnection: c('7', '2001'), holdingDevice: '2001', cause: 'normal' })));
    sw.event('2003', { type: 'HeldEvent', heldConnection: c('8', '2003'), holdingDevice: '2003', cause: 'normal' });
    await until(() => events.length === 2);
    expect(events[1]).toMatchObject({ kind: 'held', callId: '8', monitoredDevice: '2003' });
  });

  it('keeps going when the switch refuses a device, and logs it', async () => {
    const sw = await fakeSwitch();
    sw.badDevices.add('9999');
    const { pbx, logLines } = makePbx(sw.port);
    await pbx.setMonitoredDevices(['2001', '9999']);
    await pbx.start();
    expect(pbx.linkUp).toBe(true);
    const warn = logLines.find((l) => l.msg === 'CSTA monitor/route set-up incomplete') as unknown as { failures: { deviceId: string; reason: string }[] };
    // Link-level logs carry the adapter's component too.
    sw.live!.socket.write(encodeFrame(9999, '<not xml'));
    await until(() => logLines.some((l) => l.msg === 'undecodable CSTA message skipped'));
    expect(logLines.find((l) => l.msg === 'undecodable CSTA message skipped')).toMatchObject({ component: 'csta', level: 40 });
    expect(warn.failures).toEqual([{ deviceId: '9999', service: 'MonitorStart', reason: expect.stringMatching(/invalidDeviceID/) }]);
  });

  it('reports each monitor started, refused (with the switch error) and stopped; asks for refused ones again', async () => {
    const sw = await fakeSwitch();
    sw.badDevices.add('2009');
    const { pbx, monitorEvents } = makePbx(sw.port, { monitorRetryMs: 100 });
    await pbx.setMonitoredDevices(['2001', '2009']);
    await pbx.start();
    await until(() => monitorEvents.length === 2);
    expect(monitorEvents).toEqual(
      expect.arrayContaining([
        { kind: 'monitor', deviceId: '2001', monitored: true },
        { kind: 'monitor', deviceId: '2009', monitored: false, error: { category: 'operation', value: 'invalidDeviceID' } },
      ]),
    );
    expect(pbx.isMonitored('2001')).toBe(true);
    expect(pbx.isMonitored('2009')).toBe(false);
    const refused = (await caught(pbx.monitorNow('2009'))) as PbxError;
    expect(refused).toMatchObject({ code: 'PBX_REJECTED', cstaError: { category: 'operation', value: 'invalidDeviceID' } });
    await pbx.monitorNow('2001');
    await pbx.monitorNow('2005'); // a new device: started now
    expect(pbx.isMonitored('2005')).toBe(true);
    // the switch takes it at the next retry
    sw.badDevices.delete('2009');
    await until(() => pbx.isMonitored('2009'));
    expect(monitorEvents.at(-1)).toEqual({ kind: 'monitor', deviceId: '2009', monitored: true });
    await pbx.setMonitoredDevices(['2001']);
    expect(monitorEvents.filter((e) => !e.monitored && !e.error).map((e) => e.deviceId).sort()).toEqual(['2005', '2009']);
  });

  it('a MonitorStart the switch does not answer in time is PBX_UNAVAILABLE, not a refusal, and is asked again', async () => {
    const sw = await fakeSwitch();
    const { pbx, monitorEvents } = makePbx(sw.port, { requestTimeoutMs: 200, monitorRetryMs: 100 });
    await pbx.start();
    sw.silent.add('MonitorStart');
    const err = (await caught(pbx.monitorNow('2003'))) as PbxError;
    expect(err).toMatchObject({ code: 'PBX_UNAVAILABLE' });
    expect(monitorEvents.filter((e) => e.deviceId === '2003')).toEqual([]);
    sw.silent.delete('MonitorStart');
    await until(() => pbx.isMonitored('2003'));
    expect(monitorEvents.filter((e) => e.deviceId === '2003')).toEqual([{ kind: 'monitor', deviceId: '2003', monitored: true }]);
  });

  it('lists devices whose snapshot failed instead of reporting them without calls', async () => {
    const sw = await fakeSwitch();
    sw.snapshotFails.add('2002');
    sw.snapshots.set('2001', [{ connection: c('5', '2001'), state: 'connected' }]);
    const { pbx, events } = makePbx(sw.port);
    await pbx.setMonitoredDevices(['2001', '2002']);
    await pbx.start();
    expect(events[0]).toMatchObject({ kind: 'linkUp', unsnapshotted: ['2002'], snapshot: [{ deviceId: '2001', calls: [{ callId: '5', state: 'connected' }] }] });
  });

  it('rejects invalid device ids and changes nothing', async () => {
    const sw = await fakeSwitch();
    const { pbx } = makePbx(sw.port);
    await pbx.setMonitoredDevices(['2001']);
    await pbx.start();
    await expect(pbx.setMonitoredDevices(['2002', 'bad\u0007'])).rejects.toBeInstanceOf(PbxArgumentError);
    await expect(pbx.setRoutingDevices([''])).rejects.toBeInstanceOf(PbxArgumentError);
    expect(sw.got('MonitorStart')).toHaveLength(1);
    expect(sw.got('MonitorStop')).toHaveLength(0);
  });
});

describe('CstaPbx routing', () => {
  async function routed() {
    const sw = await fakeSwitch();
    const p = makePbx(sw.port);
    await p.pbx.setRoutingDevices(['8000']);
    await p.pbx.start();
    return { sw, ...p };
  }

  it('emits routeRequest and answers RouteSelect with the registration of the routing device', async () => {
    const { sw, pbx, events } = await routed();
    sw.routeRequest('8000', 'X1', '42');
    await until(() => events.length === 2);
    expect(events[1]).toEqual({ kind: 'routeRequest', crossRefId: 'X1', routingDevice: '8000', callId: '42', calling: '0612' });
    await pbx.routeSelect('X1', '2001');
    await until(() => sw.got('RouteSelect').length === 1);
    const reqId = [...sw.live!.routes][0]![0];
    expect(sw.got('RouteSelect')[0]).toEqual({ type: 'RouteSelect', routeRegisterReqId: reqId, routingCrossRefId: 'X1', routeSelected: '2001' });
  });

  it('reports the switch\'s RouteEnd, after which the dialogue is closed', async () => {
    const { sw, pbx, events } = await routed();
    sw.routeRequest('8000', 'X2', '43');
    sw.routeEnd('X2', 'timeout');
    await until(() => events.length === 3);
    expect(events[2]).toEqual({ kind: 'routeEnd', crossRefId: 'X2', error: 'timeout' });
    const err = (await caught(pbx.routeSelect('X2', '2001'))) as PbxError;
    expect(err.code).toBe('PBX_REJECTED');
    expect(err.message).toMatch(/no open routing dialogue X2/);
  });

  it('routeEnd from the application sends RouteEnd and closes the dialogue', async () => {
    const { sw, pbx, events } = await routed();
    sw.routeRequest('8000', 'X3', '44');
    await until(() => events.length === 2);
    await pbx.routeEnd('X3', 'noRoute');
    await until(() => sw.got('RouteEnd').length === 1);
    expect(sw.got('RouteEnd')[0]).toMatchObject({ routingCrossRefId: 'X3', errorValue: { category: 'operation', value: 'generic' } });
    await expect(pbx.routeSelect('X3', '2001')).rejects.toMatchObject({ code: 'PBX_REJECTED' });
  });

  it('a call refused for overload is ended with performanceManagement/performanceLimitExceeded (docs/overload.md)', async () => {
    const { sw, pbx, events } = await routed();
    sw.routeRequest('8000', 'X5', '46');
    await until(() => events.length === 2);
    await pbx.routeEnd('X5', 'overload');
    await until(() => sw.got('RouteEnd').length === 1);
    expect(sw.got('RouteEnd')[0]).toMatchObject({ routingCrossRefId: 'X5', errorValue: { category: 'performanceManagement', value: 'performanceLimitExceeded' } });
  });

  it('ends at once a RouteRequest for a routing device no longer wanted', async () => {
    const { sw, pbx, events } = await routed();
    await pbx.setRoutingDevices([]);
    sw.routeRequest('8000', 'X4', '45');
    await until(() => sw.got('RouteEnd').length === 1);
    expect(sw.got('RouteEnd')[0]).toMatchObject({ routingCrossRefId: 'X4', errorValue: { category: 'operation', value: 'invalidRouteRegistrationCrossRefID' } });
    expect(events.map((e) => e.kind)).toEqual(['linkUp']);
  });
});

describe('CstaPbx commands', () => {
  const A = c('7', '2001');
  const H = c('6', '2001');
  const rows: [string, (p: CstaPbx) => Promise<unknown>, CstaMessage, unknown][] = [
    ['makeCall', (p) => p.makeCall('2001', '0612'), { type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '0612' }, c('100', '2001')],
    ['answerCall', (p) => p.answerCall(A), { type: 'AnswerCall', callToBeAnswered: A }, undefined],
    ['clearConnection', (p) => p.clearConnection(A), { type: 'ClearConnection', connectionToBeCleared: A }, undefined],
    ['clearCall', (p) => p.clearCall('7'), { type: 'ClearCall', callToBeCleared: c('7', '') }, undefined],
    ['holdCall', (p) => p.holdCall(A), { type: 'HoldCall', callToBeHeld: A }, undefined],
    ['retrieveCall', (p) => p.retrieveCall(A), { type: 'RetrieveCall', callToBeRetrieved: A }, undefined],
    ['consultationCall', (p) => p.consultationCall(A, '2002'), { type: 'ConsultationCall', existingCall: A, consultedDevice: '2002' }, c('101', '2001')],
    ['transferCall', (p) => p.transferCall(H, A), { type: 'TransferCall', heldCall: H, activeCall: A }, undefined],
    ['singleStepTransfer', (p) => p.singleStepTransfer(A, '2002'), { type: 'SingleStepTransferCall', activeCall: A, transferredTo: '2002' }, undefined],
    ['conferenceCall', (p) => p.conferenceCall(H, A), { type: 'ConferenceCall', heldCall: H, activeCall: A }, undefined],
    ['singleStepConference silent', (p) => p.singleStepConference(A, '2901', 'silent'), { type: 'SingleStepConferenceCall', activeCall: A, deviceToJoin: '2901', participationType: 'silent' }, c('7', '2901')],
    ['singleStepConference whisper', (p) => p.singleStepConference(A, '2901', 'whisper'), { type: 'SingleStepConferenceCall', activeCall: A, deviceToJoin: '2901', participationType: 'silent', privateData: { whisper: 'true' } }, c('7', '2901')],
    ['singleStepConference barge', (p) => p.singleStepConference(A, '2901', 'barge'), { type: 'SingleStepConferenceCall', activeCall: A, deviceToJoin: '2901', participationType: 'active' }, c('7', '2901')],
    ['deflectCall', (p) => p.deflectCall(c('7', '8900'), '2001'), { type: 'DeflectCall', callToBeDiverted: c('7', '8900'), newDestination: '2001' }, undefined],
    ['generateDigits', (p) => p.generateDigits(A, '0123456789*#ABCD'), { type: 'GenerateDigits', connectionToSendDigits: A, charactersToSend: '0123456789*#ABCD' }, undefined],
    ['setAgentState', (p) => p.setAgentState('2001', 'notReady', 'a17'), { type: 'SetAgentState', device: '2001', requestedAgentState: 'notReady', agentId: 'a17' }, undefined],
    ['setAgentState without agent', (p) => p.setAgentState('2001', 'loggedOff'), { type: 'SetAgentState', device: '2001', requestedAgentState: 'loggedOff' }, undefined],
    ['snapshotDevice', (p) => p.snapshotDevice('2001'), { type: 'SnapshotDevice', deviceId: '2001' }, { deviceId: '2001', calls: [{ callId: '7', state: 'alerting' }] }],
  ];

  it.each(rows)('%s sends the CSTA request and returns its answer', async (_name, call, expected, result) => {
    const sw = await fakeSwitch();
    sw.snapshots.set('2001', [{ connection: c('7', '2001'), state: 'alerting' }]);
    const { pbx } = makePbx(sw.port);
    await pbx.start();
    const before = sw.received.length;
    expect(await call(pbx)).toEqual(result);
    expect(sw.received.slice(before).map((r) => r.msg)).toEqual([expected]);
  });

  it('passes a switch refusal on as PBX_REJECTED with the CSTA error', async () => {
    const sw = await fakeSwitch();
    const { pbx } = makePbx(sw.port);
    await pbx.start();
    sw.failNext.set('HoldCall', { category: 'operation', value: 'invalidCallID' });
    const err = (await caught(pbx.holdCall(c('404', '2001')))) as PbxError;
    expect(err).toBeInstanceOf(PbxError);
    expect(err.code).toBe('PBX_REJECTED');
    expect(err.cstaError).toEqual({ category: 'operation', value: 'invalidCallID' });
  });

  it.each([
    ['empty device', (p: CstaPbx) => p.makeCall('', '2002')],
    ['control character', (p: CstaPbx) => p.makeCall('2001', '20\n02')],
    ['non-text device', (p: CstaPbx) => p.makeCall(2001 as unknown as string, '2002')],
    ['overlong number', (p: CstaPbx) => p.makeCall('2001', '9'.repeat(300))],
    ['connection without call id', (p: CstaPbx) => p.holdCall(c('', '2001'))],
    ['connection that is not an object', (p: CstaPbx) => p.answerCall(null as unknown as ReturnType<typeof c>)],
    ['non-DTMF digits', (p: CstaPbx) => p.generateDigits(c('7', '2001'), '12E')],
    ['empty digits', (p: CstaPbx) => p.generateDigits(c('7', '2001'), '')],
    ['unknown monitor mode', (p: CstaPbx) => p.singleStepConference(c('7', '2001'), '2901', 'shout' as 'silent')],
    ['unknown agent state', (p: CstaPbx) => p.setAgentState('2001', 'busy' as 'ready')],
    ['empty agent id', (p: CstaPbx) => p.setAgentState('2001', 'ready', '')],
    ['snapshot of a control character', (p: CstaPbx) => p.snapshotDevice('\u0000')],
  ])('refuses %s before sending anything', async (_name, call) => {
    const sw = await fakeSwitch();
    const { pbx } = makePbx(sw.port);
    await pbx.start();
    const before = sw.received.length;
    const err = await caught(call(pbx));
    expect(err).toBeInstanceOf(PbxArgumentError);
    expect((err as PbxArgumentError).code).toBe('BAD_REQUEST');
    expect(sw.received.length).toBe(before);
  });
});

/** Records every timer created through the globals (all of the adapter's timers) that has
 * neither fired nor been cleared. */
function trackTimers(): Set<unknown> {
  const live = new Set<unknown>();
  const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci } = globalThis;
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const t = st((...a: unknown[]) => {
      live.delete(t);
      fn(...a);
    }, ms, ...args);
    live.add(t);
    return t;
  }) as unknown as typeof setTimeout);
  vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const t = si(fn, ms, ...args);
    live.add(t);
    return t;
  }) as unknown as typeof setInterval);
  const clear = (t: unknown): void => {
    live.delete(t);
    ct(t as NodeJS.Timeout);
    ci(t as NodeJS.Timeout);
  };
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation(clear as typeof clearTimeout);
  vi.spyOn(globalThis, 'clearInterval').mockImplementation(clear as typeof clearInterval);
  cleanups.push(() => vi.restoreAllMocks());
  return live;
}

describe('CstaPbx close()', () => {
  it('ends the session, does not reconnect, emits nothing and leaves no timer running', async () => {
    const sw = await fakeSwitch();
    const live = trackTimers();
    const { pbx, kinds } = makePbx(sw.port, { keepAliveMs: 50 });
    await pbx.setMonitoredDevices(['2001']);
    await pbx.start();
    expect(live.size).toBeGreaterThan(0); // at least the link's keep-alive timer
    await pbx.close();
    expect(live.size).toBe(0);
    expect(sw.got('StopApplicationSession')).toEqual([{ type: 'StopApplicationSession', sessionId: 's0', sessionEndReason: 'normal' }]);
    expect(pbx.linkUp).toBe(false);
    await until(() => sw.links[0]!.socket.destroyed || sw.links[0]!.socket.readableEnded);
    await new Promise((r) => setTimeout(r, 150));
    expect(sw.links).toHaveLength(1);
    expect(kinds()).toEqual(['linkUp']);
    await expect(pbx.start()).rejects.toThrow(/after close/);
  });

  it('resets the application session timer at half the granted duration, and stops on close', async () => {
    const sw = await fakeSwitch();
    sw.sessionDurationS = 1;
    const live = trackTimers();
    const { pbx } = makePbx(sw.port);
    await pbx.start();
    expect(sw.got('StartApplicationSession')[0]).toMatchObject({ requestedSessionDuration: 300 });
    await until(() => sw.got('ResetApplicationSessionTimer').length === 1, 1_500);
    expect(sw.got('ResetApplicationSessionTimer')[0]).toEqual({ type: 'ResetApplicationSessionTimer', sessionId: 's0', requestedSessionDuration: 1 });
    await pbx.close();
    expect(live.size).toBe(0);
  });

  it('stops retrying when closed while the switch is down', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const live = trackTimers();
    const { pbx, kinds } = makePbx(port);
    await pbx.start();
    await new Promise((r) => setTimeout(r, 60));
    expect(live.size).toBeGreaterThan(0); // a retry is scheduled (or a connect is under way)
    await pbx.close();
    expect(live.size).toBe(0);
    expect(kinds()).toEqual(['linkDown']);
  });
});
