/**
 * The simulated switch over real TCP and HTTP: a raw CSTA client written here with the product's
 * codec starts a session, monitors, registers a routing device and routes a call placed through
 * the control API; link drop and restart; keep-alive; malformed frames; routing timeout;
 * traffic; the control API's errors; and the process entry's ready line.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type CstaMessage, type MessageOf } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { decodeMessage, encodeMessage } from '../../src/pbx-adapters/csta/protocol/codec.ts';
import { encodeFrame, FrameDecoder } from '../../src/pbx-adapters/csta/protocol/framing.ts';
import { buildSimulator, type RouteRequestHook, type SimConfig, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';

interface Received {
  invokeId: number;
  msg: CstaMessage;
}

/** A bare CSTA client: frames in and out, nothing automatic (no keep-alive answers unless asked). */
class RawCti {
  readonly received: Received[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder();
  private waiters: (() => void)[] = [];
  private nextId = 1;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.decoder.push(chunk).frames) this.received.push({ invokeId: f.invokeId, msg: decodeMessage(f.xml) });
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawCti> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawCti(s)));
      s.once('error', reject);
    });
  }

  send(msg: CstaMessage, invokeId = this.nextId++): number {
    this.socket.write(encodeFrame(invokeId, encodeMessage(msg)));
    return invokeId;
  }

  async request<T extends CstaMessage['type']>(msg: CstaMessage, expected: T): Promise<Extract<CstaMessage, { type: T }>> {
    const id = this.send(msg);
    const r = await this.waitFor((x) => x.invokeId === id);
    expect(r.msg.type).toBe(expected);
    return r.msg as Extract<CstaMessage, { type: T }>;
  }

  /** The first received message matching `pred` (already received, or arriving within the timeout); it is consumed. */
  async waitFor(pred: (r: Received) => boolean, timeoutMs = 3000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex(pred);
      if (i >= 0) return this.received.splice(i, 1)[0]!;
      if (this.closed) throw new Error('link closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received: ${this.received.map((r) => r.msg.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  event<T extends CstaMessage['type']>(type: T, pred: (m: Extract<CstaMessage, { type: T }>) => boolean = () => true): Promise<Extract<CstaMessage, { type: T }>> {
    return this.waitFor((r) => r.invokeId === 9999 && r.msg.type === type && pred(r.msg as Extract<CstaMessage, { type: T }>)).then((r) => r.msg as Extract<CstaMessage, { type: T }>);
  }

  waitClosed(timeoutMs = 3000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const t = setTimeout(() => reject(new Error('link not closed')), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async startSession(): Promise<void> {
    await this.request({ type: 'StartApplicationSession', applicationId: 'test', protocolVersion: 'ed5', requestedSessionDuration: 60 }, 'StartApplicationSessionPosResponse');
  }

  end(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

const open: { sims: Simulator[]; clients: RawCti[] } = { sims: [], clients: [] };
afterEach(async () => {
  for (const c of open.clients.splice(0)) c.end();
  for (const s of open.sims.splice(0)) await s.close();
});

async function setup(config: Partial<SimConfig> = {}) {
  const sim = await buildSimulator({ cstaPort: 0, controlPort: 0, config });
  open.sims.push(sim);
  const base = `http://127.0.0.1:${sim.controlPort}`;
  const http = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const client = async () => {
    const c = await RawCti.connect(sim.cstaPort);
    open.clients.push(c);
    return c;
  };
  return { sim, http, client };
}

describe('simulated switch over TCP and HTTP', () => {
  it('session, monitor, routing, answer, link drop and restart', async () => {
    const { sim, http, client } = await setup();
    const hooked: RouteRequestHook[] = [];
    sim.hooks.on('routeRequest', (r) => hooked.push(r));
    const cti = await client();

    // nothing before StartApplicationSession
    const early = await cti.request({ type: 'MonitorStart', deviceId: '2001' }, 'CSTAErrorCode');
    expect(early.error).toEqual({ category: 'operation', value: 'generic' });
    await cti.startSession();
    const mon = await cti.request({ type: 'MonitorStart', deviceId: '2001' }, 'MonitorStartResponse');
    const reg = await cti.request({ type: 'RouteRegister', routingDevice: '8000' }, 'RouteRegisterResponse');

    const placed = await http('POST', '/sim/calls', { from: '0611223344', to: '8000', callerName: 'Alice' });
    expect(placed.status).toBe(200);
    const callId = placed.body.simCallId as string;
    const rr = await cti.waitFor((r) => r.msg.type === 'RouteRequest');
    expect(rr.invokeId).toBeGreaterThanOrEqual(1);
    expect(rr.invokeId).toBeLessThanOrEqual(9998);
    const route = rr.msg as MessageOf<'RouteRequest'>;
    expect(route).toMatchObject({ routeRegisterReqId: reg.routeRegisterReqId, currentRoute: '8000', callingDevice: '0611223344', routedCall: { callId, deviceId: '8000' }, callerName: 'Alice' });
    expect(hooked).toMatchObject([{ callId, routingDevice: '8000', calling: '0611223344' }]);
    expect(typeof hooked[0]!.at).toBe('bigint');

    cti.send({ type: 'RouteSelect', routeRegisterReqId: reg.routeRegisterReqId, routingCrossRefId: route.routingCrossRefId, routeSelected: '2001' });
    const delivered = await cti.event('DeliveredEvent');
    expect(delivered).toMatchObject({ monitorCrossRefId: mon.monitorCrossRefId, connection: { callId, deviceId: '2001' }, alertingDevice: '2001', lastRedirectionDevice: '8000' });
    await cti.waitFor((r) => r.msg.type === 'RouteEnd');

    expect((await http('POST', '/sim/devices/2001/offhook', {})).body).toEqual({ simCallId: callId });
    const established = await cti.event('EstablishedEvent');
    expect(established).toMatchObject({ monitorCrossRefId: mon.monitorCrossRefId, establishedConnection: { callId, deviceId: '2001' }, answeringDevice: '2001' });

    // link drop: the socket closes, the call goes on
    expect((await http('POST', '/sim/link/drop', {})).body).toEqual({ dropped: 1 });
    await cti.waitClosed();
    const calls = (await http('GET', '/sim/calls')).body.calls as { simCallId: string; connections: { deviceId: string; state: string }[] }[];
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ simCallId: callId, connections: [{ deviceId: '0611223344', state: 'connected' }, { deviceId: '2001', state: 'connected', participation: 'full' }] });
    expect((await http('GET', '/sim/links')).body.links).toEqual([]);

    // a new link sees the call in a snapshot; the old monitor is gone
    const cti2 = await client();
    await cti2.startSession();
    const snap = await cti2.request({ type: 'SnapshotDevice', deviceId: '2001' }, 'SnapshotDeviceResponse');
    expect(snap.calls).toEqual([{ connection: { callId, deviceId: '2001' }, state: 'connected' }]);
    expect((await http('GET', '/sim/devices/2001')).body).toMatchObject({ monitors: 0 });

    // restart: the link closes and every call is gone
    expect((await http('POST', '/sim/restart', {})).status).toBe(200);
    await cti2.waitClosed();
    expect((await http('GET', '/sim/calls')).body.calls).toEqual([]);
  });

  it('answers a request before the events it causes, and fans events out per monitored device', async () => {
    const { client } = await setup();
    const cti = await client();
    await cti.startSession();
    const m1 = await cti.request({ type: 'MonitorStart', deviceId: '2001' }, 'MonitorStartResponse');
    const m2 = await cti.request({ type: 'MonitorStart', deviceId: '2002' }, 'MonitorStartResponse');
    const id = cti.send({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '2002' });
    await cti.event('DeliveredEvent', (m) => m.monitorCrossRefId === m2.monitorCrossRefId);
    const order = cti.received.map((r) => `${r.msg.type}${r.invokeId === 9999 ? '' : `#${r.invokeId}`}`);
    expect(order[0]).toBe(`MakeCallResponse#${id}`);
    expect(order.slice(1)).toEqual(['ServiceInitiatedEvent', 'OriginatedEvent', 'DeliveredEvent']);
    const delivered1 = cti.received.find((r) => r.msg.type === 'DeliveredEvent')!.msg;
    expect(delivered1).toMatchObject({ monitorCrossRefId: m1.monitorCrossRefId, alertingDevice: '2002' });
  });

  it('routing timeout over the link: RouteEnd(timeout) and the fallback queue', async () => {
    const { http, client } = await setup({ routingTimeoutMs: 150 });
    const cti = await client();
    await cti.startSession();
    const q = await cti.request({ type: 'MonitorStart', deviceId: '8901' }, 'MonitorStartResponse');
    await cti.request({ type: 'RouteRegister', routingDevice: '8001' }, 'RouteRegisterResponse');
    const t0 = Date.now();
    const { body } = await http('POST', '/sim/calls', { from: '0699887766', to: '8001' });
    await cti.waitFor((r) => r.msg.type === 'RouteRequest');
    const end = (await cti.waitFor((r) => r.msg.type === 'RouteEnd')).msg as MessageOf<'RouteEnd'>;
    expect(end.errorValue).toEqual({ category: 'operation', value: 'routeingTimerExpired' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const queued = await cti.event('QueuedEvent');
    expect(queued).toMatchObject({ monitorCrossRefId: q.monitorCrossRefId, queue: '8901', queuedConnection: { callId: body.simCallId, deviceId: '8901' }, numberQueued: 1 });
  });

  it('keep-alive: SystemStatus on an idle link, dropped after 2 unanswered; garbage is skipped, an unreadable request answered CSTAErrorCode', async () => {
    const { client } = await setup({ keepAliveMs: 80 });
    const deaf = await client();
    await deaf.startSession();
    const polite = await client();
    await polite.startSession();
    // bytes that are no frame are skipped; a request the switch cannot read is still answered
    // (never silence); the link stays
    polite.socket.write(Buffer.from('this is not a frame'));
    polite.socket.write(encodeFrame(7, '<NotACstaThing/>'));
    polite.socket.write(encodeFrame(8, '<MonitorStart><monitorObject>'));
    const ok = polite.send({ type: 'SystemStatus', systemStatus: 'normal' });
    await polite.waitFor((r) => r.invokeId === ok && r.msg.type === 'SystemStatusResponse');
    expect(polite.received.filter((r) => r.invokeId === 7 || r.invokeId === 8).map((r) => [r.invokeId, r.msg.type])).toEqual([
      [7, 'CSTAErrorCode'],
      [8, 'CSTAErrorCode'],
    ]);
    // the polite client answers the switch's keep-alives
    const answer = setInterval(() => {
      for (const r of polite.received.splice(0)) if (r.msg.type === 'SystemStatus') polite.send({ type: 'SystemStatusResponse' }, r.invokeId);
    }, 10);
    try {
      await deaf.waitClosed(2000);
      expect(deaf.received.filter((r) => r.msg.type === 'SystemStatus')).toHaveLength(2);
      expect(polite.closed).toBe(false);
    } finally {
      clearInterval(answer);
    }
  });

  it('faults over HTTP: late answers after their events, dropped events, refused snapshots; a phone out of service and back', async () => {
    const { http, client } = await setup();
    const cti = await client();
    await cti.startSession();
    await cti.request({ type: 'MonitorStart', deviceId: '2001' }, 'MonitorStartResponse');
    expect((await http('POST', '/sim/faults', { responseDelayMs: 300, snapshotFails: ['2001'] })).body).toEqual({ responseDelayMs: 300, snapshotFails: ['2001'], monitorFails: [], dropEventsPercent: 0 });
    expect((await http('POST', '/sim/faults', { dropEventsPercent: 101 })).status).toBe(400);
    // the answer to MakeCall comes 300 ms late, after the events it caused
    const t0 = Date.now();
    const id = cti.send({ type: 'MakeCall', callingDevice: '2001', calledDirectoryNumber: '2002' });
    await cti.event('OriginatedEvent');
    const answer = await cti.waitFor((r) => r.invokeId === id);
    expect(answer.msg.type).toBe('MakeCallResponse');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const snap = await cti.request({ type: 'SnapshotDevice', deviceId: '2001' }, 'CSTAErrorCode');
    expect(snap.error).toEqual({ category: 'systemResourceAvailability', value: 'resourceBusy' });
    // every event dropped
    cti.received.splice(0);
    await http('DELETE', '/sim/faults');
    await http('POST', '/sim/faults', { dropEventsPercent: 100 });
    await http('POST', '/sim/devices/2001/onhook', {});
    await cti.request({ type: 'SystemStatus', systemStatus: 'normal' }, 'SystemStatusResponse');
    expect(cti.received.filter((r) => r.invokeId === 9999)).toEqual([]);
    await http('DELETE', '/sim/faults');
    // unplugged: OutOfServiceEvent, a new monitor refused; plugged back: BackInServiceEvent
    expect((await http('POST', '/sim/devices/2001/service', { inService: false })).body).toEqual({ deviceId: '2001', inService: false, changed: true });
    expect((await cti.event('OutOfServiceEvent')).device).toBe('2001');
    const other = await client();
    await other.startSession();
    expect((await other.request({ type: 'MonitorStart', deviceId: '2001' }, 'CSTAErrorCode')).error).toEqual({ category: 'systemResourceAvailability', value: 'resourceOutOfService' });
    expect((await http('GET', '/sim/devices/2001')).body).toMatchObject({ inService: false });
    expect((await http('POST', '/sim/devices/8000/service', { inService: false })).status).toBe(400);
    await http('POST', '/sim/devices/2001/service', { inService: true });
    expect((await cti.event('BackInServiceEvent')).device).toBe('2001');
  });

  it('control API: traffic and errors', async () => {
    const { http } = await setup();
    expect(await http('POST', '/sim/calls/123/hangup', {})).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_CALL' } } });
    expect(await http('POST', '/sim/devices/2001/offhook')).toMatchObject({ status: 409, body: { error: { code: 'NOTHING_TO_ANSWER' } } });
    expect(await http('POST', '/sim/calls', { from: '0611223344' })).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect(await http('POST', '/sim/calls', { from: '0611223344', to: '7777' })).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_DEVICE' } } });
    expect(await http('POST', '/sim/traffic', { callsPerSecond: 0, durationS: 1, talkS: 1, numbers: ['2001'] })).toMatchObject({ status: 400 });

    const started = await http('POST', '/sim/traffic', { callsPerSecond: 50, durationS: 0.2, talkS: 0.05, numbers: ['2001', '2002'], answerAfterS: 0.02 });
    expect(started.body).toMatchObject({ running: true, planned: 10 });
    expect((await http('POST', '/sim/traffic', { callsPerSecond: 1, durationS: 1, talkS: 1, numbers: ['2001'] })).status).toBe(409);
    const deadline = Date.now() + 3000;
    let stats = started.body;
    while (Date.now() < deadline && stats.completed !== 10) {
      await new Promise((r) => setTimeout(r, 50));
      stats = (await http('GET', '/sim/traffic')).body;
    }
    expect(stats).toMatchObject({ running: false, offered: 10, connected: 10, completed: 10, abandoned: 0, failed: 0, active: 0 });

    // callers that nobody answers abandon after maxWaitS
    await http('POST', '/sim/traffic', { callsPerSecond: 100, durationS: 0.03, talkS: 1, numbers: ['8900'], maxWaitS: 0.05 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await http('GET', '/sim/traffic')).body).toMatchObject({ offered: 3, abandoned: 3, active: 0 });
    expect((await http('GET', '/sim/calls')).body.calls).toEqual([]);
  });

  it('close() leaves no server, socket or timer behind', async () => {
    const count = () => {
      const kinds = process.getActiveResourcesInfo();
      return { servers: kinds.filter((k) => k === 'TCPServerWrap').length, sockets: kinds.filter((k) => k === 'TCPSocketWrap').length, timers: kinds.filter((k) => k === 'Timeout').length };
    };
    await new Promise((r) => setTimeout(r, 50)); // let handles closed by earlier tests go
    const before = count();
    const sim = await buildSimulator({ cstaPort: 0, controlPort: 0, config: { outsideAutoAnswer: true, outsideAnswerDelayMs: 60_000 } });
    const cti = await RawCti.connect(sim.cstaPort);
    await cti.startSession();
    await cti.request({ type: 'RouteRegister', routingDevice: '8000' }, 'RouteRegisterResponse');
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${sim.controlPort}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(body) });
    await post('/sim/calls', { from: '0611223344', to: '8000' }); // a routing timer
    await post('/sim/devices/2001/dial', { to: '0033123456789' }); // an auto-answer timer
    await post('/sim/traffic', { callsPerSecond: 1, durationS: 60, talkS: 1, numbers: ['8900'], maxWaitS: 60 }); // traffic timers
    expect(count().timers).toBeGreaterThan(before.timers);
    await sim.close();
    await cti.waitClosed();
    await new Promise((r) => setTimeout(r, 50));
    const after = count();
    expect(after.servers).toBe(before.servers);
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });

  it('main.ts prints one ready line with the bound ports and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/pbx-adapters/oxo-sim/main.ts'], {
      env: { ...process.env, SIM_PORT: '0', CSTA_PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 10_000;
    while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const ready = JSON.parse(out.split('\n')[0]!) as { sim: string; cstaPort: number; controlPort: number };
    expect(ready.sim).toBe('ready');
    expect(ready.cstaPort).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${ready.controlPort}/sim/health`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
  });
});
