/**
 * Structure-aware fuzzing of the CSTA link in both directions (test/helpers/csta-fuzz-frames.ts
 * makes the frames: valid ECMA-323 messages mutated in their elements, text, bytes and Annex G
 * header).
 *
 * (a) The switch → the daemon. The daemon runs as its own process, linked to the simulated switch
 *     through a frame-aware relay (test/helpers/csta-fuzz-proxy.ts) that writes mutated frames
 *     between the switch's real ones: events on the daemon's real monitors (of phones nobody
 *     watches here), the switch's requests, answers to invoke ids the daemon is not waiting on.
 *     Frames that break the framing are kept to FRAMING_PER_10S per 10 s, under the daemon's
 *     framing alarm (more than 5 issues in 10 s make the link again, by design). Meanwhile agent
 *     a1001 (queue sales) is called again and again. It must hold that the daemon never exits,
 *     `/health` always answers 200 with `status: ok` and says the link is down only when the link
 *     was really made again, and the agent is offered and answers every call during the run and
 *     one within 10 s after it.
 * (b) A client → the simulator's CSTA server. Mutated requests on one session: every frame with a
 *     sound header and a request's invoke id gets exactly one answer with that invoke id (a
 *     response or a CSTAErrorCode, never silence); after a frame that breaks the framing, the
 *     next request is answered; the link stays open and the simulator keeps serving.
 *
 * FUZZ_FRAMES (default 500 each way in the suite) sets how many frames; FUZZ_SEED replays a run
 * (each run prints its seed); FUZZ_RATE (frames/s into the daemon, default 25). The long run is
 * `FUZZ_FRAMES=5000 FUZZ_RATE=50 npx vitest run <this file>`; docs/performance.md records it.
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDaemon, type DaemonProcess } from '../../bench/lib/daemon-process.ts';
import { isResponseType, type CstaMessage } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { decodeMessage, encodeMessage } from '../../src/pbx-adapters/csta/protocol/codec.ts';
import { encodeFrame, EVENT_INVOKE_ID, FrameDecoder, HEADER_BYTES } from '../../src/pbx-adapters/csta/protocol/framing.ts';
import { readDocument } from '../../src/pbx-adapters/csta/protocol/xml.ts';
import { buildSimulator, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import { cstaFrame, hasBadUtf8, showFrame, type CstaFuzzContext, type FuzzCstaFrame } from '../helpers/csta-fuzz-frames.ts';
import { CstaFuzzProxy } from '../helpers/csta-fuzz-proxy.ts';
import { SAMPLES } from '../helpers/csta-samples.ts';
import { WsClient } from '../helpers/ws-client.ts';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 500);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RATE = Number(process.env.FUZZ_RATE ?? 25);
const FRAMING_PER_10S = 2;

/** What the test watches: agent a1001's phone and queue sales (pilot 8000, its queue device), the
 * other sales phones, the supervisor's, the IVR and replay pilots (which may lead to sales). */
const WATCHED_DEVICES = ['2001', '2002', '2003', '2004', '2005', '2901', '8000', '8002', '8009', '8900'];
const SAFE_DEVICES = ['2006', '2007', '2008', '2009', '2010', '8001', '0755123456', '9999', '7777', '2950', '13800000002'];
const FAKE_CALL_IDS = Array.from({ length: 40 }, (_, i) => String(900_001 + i));
const EVENT_TYPES = Object.keys(SAMPLES).filter((t) => t.endsWith('Event'));

// ------------------------------------------------------------------- (a) switch → daemon

describe(`CSTA fuzzing, switch → daemon (${FRAMES} frames)`, () => {
  let sim: Simulator;
  let proxy: CstaFuzzProxy;
  let daemon: DaemonProcess;
  let dataDir: string;
  let agent: WsClient;
  let exited: string | null = null;

  beforeAll(async () => {
    sim = await buildSimulator({ cstaPort: 0, controlPort: 0 });
    proxy = await CstaFuzzProxy.start(sim.cstaPort);
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-csta-fuzz-'));
    daemon = await startDaemon({ cstaHost: '127.0.0.1', cstaPort: proxy.port, dataDir, port: await freePort(), logLevel: 'warn' });
    agent = await WsClient.login(daemon.wsUrl, 'a1001');
    await agent.call('agent.signIn', { extension: '2001' });
    await agent.call('agent.setState', { state: 'ready' });
    await agent.waitFor('agent.state', (d) => d.state === 'ready');
  }, 60_000);

  afterAll(async () => {
    agent?.close();
    const code = await daemon?.stop();
    if (code !== 0 && code !== null) exited ??= `exit ${String(code)}`;
    await proxy?.close();
    await sim?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const alive = () => {
    try {
      readFileSync(`/proc/${daemon.pid}/stat`);
      return true;
    } catch {
      return false;
    }
  };

  let callNo = 0;
  async function serveOneCall(): Promise<number> {
    const from = `1390001${String(++callNo).padStart(4, '0')}`;
    const t0 = Date.now();
    const offered = agent.next('call.offered', (d) => d.from === from, 10_000);
    const res = await fetch(`http://127.0.0.1:${sim.controlPort}/sim/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to: '8000' }) });
    const { simCallId } = (await res.json()) as { simCallId: string };
    const { data } = await offered.catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; the agent's last events: ${JSON.stringify(agent.events.slice(-6))}; daemon: ${daemon.tail().slice(-5).join('\n')}`);
    });
    const ms = Date.now() - t0;
    await agent.call('call.answer', { callId: data.callId });
    await agent.waitFor('call.established', (d) => d.callId === data.callId, 10_000);
    await fetch(`http://127.0.0.1:${sim.controlPort}/sim/calls/${simCallId}/hangup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await agent.waitFor('agent.state', (d) => d.state === 'ready', 10_000, agent.events.length - 1);
    return ms;
  }

  it('the daemon never exits, /health stays consistent, and the ready agent is offered and answers calls during the run and within 10 s after', async () => {
    console.log(`csta fuzz (switch → daemon): ${FRAMES} frames at ${RATE}/s, FUZZ_SEED=${SEED}`);
    const watchedRefs = new Set(WATCHED_DEVICES.map((d) => proxy.monitors.get(d)).filter((r): r is string => r !== undefined));
    const safeMonitors = SAFE_DEVICES.map((d) => proxy.monitors.get(d)).filter((r): r is string => r !== undefined);
    console.log(`csta fuzz: monitors learned ${proxy.monitors.size} (${safeMonitors.length} usable, of ${[...proxy.monitors.keys()].join(',')})`);
    const ctx: CstaFuzzContext = {
      types: [...EVENT_TYPES, ...EVENT_TYPES, 'SystemStatus', 'RouteRequest', 'RouteEnd', 'StopApplicationSession', 'MonitorStartResponse', 'SnapshotDeviceResponse', 'MakeCallResponse', 'AnswerCallResponse', 'SystemStatusResponse', 'CSTAErrorCode'],
      monitors: [...safeMonitors, 'nope', ''],
      devices: SAFE_DEVICES,
      callIds: FAKE_CALL_IDS,
      invokeIds: fc.integer({ min: 1, max: 9998 }),
      eventShare: 0.7,
    };
    const watched = new RegExp(`>(${[...WATCHED_DEVICES, ...watchedRefs].map((s) => s.replace(/[^0-9A-Za-z]/g, '\\$&')).join('|')})<`);
    const arb = cstaFrame(ctx).filter((f) => !watched.test(f.bytes.toString('latin1')));

    const violations: string[] = [];
    const tally = { injected: 0, framingBroken: 0, downgraded: 0, skippedPending: 0, noLink: 0, healthChecks: 0, healthDown: 0, byBase: {} as Record<string, number> };
    const t0 = Date.now();
    let fuzzing = true;

    const health = (async () => {
      while (fuzzing) {
        tally.healthChecks++;
        const ctl = AbortSignal.timeout(3000);
        try {
          const res = await fetch(`${daemon.url}/health`, { signal: ctl });
          const body = (await res.json()) as { status?: string; pbx?: string };
          if (res.status !== 200 || body.status !== 'ok' || (body.pbx !== 'up' && body.pbx !== 'down')) violations.push(`/health ${res.status} ${JSON.stringify(body)}`);
          if (body.pbx === 'down') {
            tally.healthDown++;
            if (proxy.connections < 2 && proxy.linked) violations.push('/health says the link is down while it never was made again');
          }
        } catch (err) {
          violations.push(`/health did not answer within 3 s: ${(err as Error).message}`);
        }
        if (!alive()) {
          exited = `the daemon exited during the run:\n${daemon.tail().slice(-20).join('\n')}`;
          violations.push(exited);
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();

    const served: number[] = [];
    const serving = (async () => {
      while (fuzzing && violations.length < 10) {
        try {
          served.push(await serveOneCall());
        } catch (err) {
          violations.push(`call ${callNo} to a1001 during the run: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    })();

    const brokenAt: number[] = [];
    const gapMs = 1000 / RATE;
    for (let n = 0; n < FRAMES && violations.length < 10 && !exited; n++) {
      let f: FuzzCstaFrame = fc.sample(arb, { numRuns: 1, seed: SEED + n })[0]!;
      const now = Date.now();
      while (brokenAt.length && now - brokenAt[0]! > 10_000) brokenAt.shift();
      if (f.framing === 'broken' || hasBadUtf8(f)) {
        if (brokenAt.length >= FRAMING_PER_10S) {
          f = { ...f, bytes: f.intact, framing: 'intact', mutations: f.mutations.filter((m) => !m.startsWith('frame:') && !m.startsWith('bad UTF-8')) };
          tally.downgraded++;
        } else {
          brokenAt.push(now);
          tally.framingBroken++;
        }
      }
      if (f.invokeId !== null && f.invokeId !== EVENT_INVOKE_ID && proxy.daemonWaitsFor(f.invokeId)) {
        tally.skippedPending++;
        continue;
      }
      if (!proxy.inject(f.bytes)) tally.noLink++;
      else tally.injected++;
      tally.byBase[f.base] = (tally.byBase[f.base] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + (n + 1) * gapMs - Date.now())));
    }
    fuzzing = false;
    const fuzzMs = Date.now() - t0;
    await Promise.all([health, serving]);

    // Within 10 s after the run: a call offered and answered.
    const after = Date.now();
    let lastMs = -1;
    if (!exited) {
      lastMs = await serveOneCall();
      expect(Date.now() - after).toBeLessThan(10_000);
      const h = await fetch(`${daemon.url}/health`);
      expect(h.status).toBe(200);
      expect(await h.json()).toMatchObject({ status: 'ok', pbx: 'up' });
    }
    console.log(
      `csta fuzz (switch → daemon): ${tally.injected} frames injected in ${(fuzzMs / 1000).toFixed(1)} s (${tally.framingBroken} breaking the framing, ${tally.downgraded} kept intact by the framing budget, ` +
        `${tally.skippedPending} skipped for a pending invoke id, ${tally.noLink} with no link); links made ${proxy.connections}; /health checked ${tally.healthChecks}×, pbx down ${tally.healthDown}×; ` +
        `daemon warn/error lines ${daemon.warnings}; calls to the agent during the run: ${served.length}, offered in ${served.length ? Math.max(...served) : '-'} ms at worst; after: ${lastMs} ms`,
    );
    const linkLines = daemon.tail().filter((l) => /link down|reconnect|cannot be trusted|keep-alive/i.test(l));
    if (proxy.connections > 1) console.log(`csta fuzz: the daemon made its link again ${proxy.connections - 1}×; its log says:\n${linkLines.slice(-12).join('\n')}`);
    expect(violations).toEqual([]);
    expect(exited).toBeNull();
    expect(tally.injected).toBeGreaterThan(FRAMES * 0.9);
    expect(served.length).toBeGreaterThan(0);
  }, 60_000 + (FRAMES / RATE) * 1500);
});

// --------------------------------------------------------------- (b) client → simulator

/** Answers a CTI gets none for: answers of its own, and the routeing messages the switch takes
 * without one (RouteSelect, RouteEnd). Anything else with a request's invoke id is answered. */
function answerOptional(f: FuzzCstaFrame): boolean {
  const body = f.bytes.subarray(HEADER_BYTES);
  let root: string | undefined;
  try {
    root = readDocument(new TextDecoder('utf-8', { fatal: true }).decode(body)).root;
  } catch {
    return false; // unreadable: answered
  }
  if (isResponseType(root)) return true;
  if (root !== 'RouteSelect' && root !== 'RouteEnd') return false;
  try {
    decodeMessage(body.toString('utf8'));
    return true; // a RouteSelect/RouteEnd the switch can read: no answer
  } catch {
    return false; // one it cannot read: answered
  }
}

class CtiClient {
  readonly answers = new Map<number, CstaMessage[]>();
  readonly undecodable: string[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder();
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (b: Buffer) => {
      const { frames, issues } = this.decoder.push(b);
      for (const i of issues) this.undecodable.push(`framing: ${i.reason} ${i.detail}`);
      for (const fr of frames) {
        if (fr.invokeId === EVENT_INVOKE_ID) continue;
        try {
          const m = decodeMessage(fr.xml);
          if (m.type === 'SystemStatus') {
            socket.write(encodeFrame(fr.invokeId, encodeMessage({ type: 'SystemStatusResponse' })));
            continue;
          }
          if (m.type === 'RouteRequest' || m.type === 'RouteEnd') continue;
          this.answers.set(fr.invokeId, [...(this.answers.get(fr.invokeId) ?? []), m]);
        } catch (err) {
          this.undecodable.push(`${(err as Error).message}: ${fr.xml.slice(0, 200)}`);
        }
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<CtiClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new CtiClient(s)));
      s.once('error', reject);
    });
  }

  async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.closed) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
    return true;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

describe(`CSTA fuzzing, client → simulator (${FRAMES} frames)`, () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await buildSimulator({ cstaPort: 0, controlPort: 0 });
  });
  afterAll(async () => sim?.close());

  it('every request with a sound header is answered (a response or CSTAErrorCode), the stream resynchronises after broken frames, the simulator keeps serving', async () => {
    console.log(`csta fuzz (client → simulator): ${FRAMES} frames, FUZZ_SEED=${SEED}`);
    const client = await CtiClient.open(sim.cstaPort);
    let nextId = 1;
    const id = () => {
      const v = nextId;
      nextId = nextId >= 9998 ? 1 : nextId + 1;
      client.answers.delete(v);
      return v;
    };
    const start = id();
    client.socket.write(encodeFrame(start, encodeMessage({ type: 'StartApplicationSession', applicationId: 'fuzz', protocolVersion: 'http://www.ecma-international.org/standards/ecma-323/csta/ed5' })));
    expect(await client.until(() => client.answers.has(start), 5000)).toBe(true);

    const ctx: CstaFuzzContext = {
      types: [
        'MonitorStart', 'MonitorStop', 'SnapshotDevice', 'MakeCall', 'AnswerCall', 'ClearConnection', 'ClearCall', 'HoldCall', 'RetrieveCall', 'ConsultationCall', 'TransferCall',
        'SingleStepTransferCall', 'ConferenceCall', 'SingleStepConferenceCall', 'DeflectCall', 'GenerateDigits', 'SetAgentState', 'RouteRegister', 'RouteSelect', 'RouteEnd',
        'SystemStatus', 'SystemRegister', 'ResetApplicationSessionTimer', 'StartApplicationSession', 'DeliveredEvent', 'MakeCallResponse', 'CSTAErrorCode',
      ],
      monitors: ['1', '2', 'm1', ''],
      devices: ['2001', '2002', '2006', '2901', '8000', '8001', '8900', '8100', '0612345678', '9999', '12'],
      callIds: ['1', '2', '7', String(Date.now() * 1000)],
      invokeIds: fc.constant(1),
      eventShare: 0.05,
    };
    const arb = cstaFrame(ctx);
    const violations: string[] = [];
    const tally = { frames: 0, required: 0, answered: 0, optional: 0, broken: 0, sentinels: 0, errors: 0, byAnswer: {} as Record<string, number> };
    const t0 = Date.now();
    for (let n = 0; n < FRAMES && violations.length < 10; n++) {
      const f = fc.sample(arb, { numRuns: 1, seed: SEED + 1_000_000 + n })[0]!;
      // Each frame its own invoke id (also a broken frame whose id is still digits: the
      // simulator may answer what it makes of it, under that id).
      let invokeId: number | null = f.invokeId;
      if (f.invokeId !== EVENT_INVOKE_ID && /^\d{4}$/.test(f.bytes.toString('latin1', 4, 8))) {
        const fresh = id();
        f.bytes.write(String(fresh).padStart(4, '0'), 4, 4, 'ascii');
        if (invokeId !== null) invokeId = fresh;
      }
      const required = f.framing === 'intact' && invokeId !== null && invokeId !== EVENT_INVOKE_ID && !answerOptional(f);
      const where = `frame ${n} (FUZZ_SEED=${SEED}, seed ${SEED + 1_000_000 + n}): ${showFrame(f)}`;
      tally.frames++;
      client.socket.write(f.bytes);
      let sentinel: number | null = null;
      if (f.framing === 'broken') {
        tally.broken++;
        tally.sentinels++;
        sentinel = id();
        client.socket.write(encodeFrame(sentinel, encodeMessage({ type: 'SystemStatus', systemStatus: 'normal' })));
      }
      if (required) {
        tally.required++;
        if (!(await client.until(() => client.answers.has(invokeId!), 5000))) violations.push(`no answer within 5 s to ${where}`);
        else {
          tally.answered++;
          const a = client.answers.get(invokeId!)!;
          tally.byAnswer[a[0]!.type] = (tally.byAnswer[a[0]!.type] ?? 0) + 1;
          if (a[0]!.type === 'CSTAErrorCode') tally.errors++;
        }
      } else tally.optional++;
      if (sentinel !== null && !(await client.until(() => client.answers.has(sentinel), 5000))) violations.push(`the request after a broken frame was not answered within 5 s: ${where}`);
      if (client.closed) {
        violations.push(`the simulator closed the link after ${where}`);
        break;
      }
    }
    // Late duplicates: one answer per invoke id.
    await client.until(() => false, 200);
    for (const [k, v] of client.answers) if (v.length > 1) violations.push(`${v.length} answers to invoke id ${k}: ${v.map((m) => m.type).join(', ')}`);
    const fuzzMs = Date.now() - t0;

    // The simulator still serves: a new link, a session and a MonitorStart.
    const fresh = await CtiClient.open(sim.cstaPort);
    fresh.socket.write(encodeFrame(1, encodeMessage({ type: 'StartApplicationSession', applicationId: 'after', protocolVersion: 'x' })));
    fresh.socket.write(encodeFrame(2, encodeMessage({ type: 'MonitorStart', deviceId: '2001' })));
    expect(await fresh.until(() => fresh.answers.has(2), 5000)).toBe(true);
    expect(fresh.answers.get(2)![0]!.type).toBe('MonitorStartResponse');
    fresh.socket.destroy();
    client.socket.destroy();
    const health = await fetch(`http://127.0.0.1:${sim.controlPort}/sim/health`);
    expect(health.status).toBe(200);

    console.log(
      `csta fuzz (client → simulator): ${tally.frames} frames in ${(fuzzMs / 1000).toFixed(1)} s; ${tally.required} needed an answer, ${tally.answered} answered ` +
        `(${JSON.stringify(tally.byAnswer)}); ${tally.optional} needed none (answers, events, readable RouteSelect/RouteEnd, broken frames); ${tally.broken} broke the framing, ` +
        `${tally.sentinels} requests after them all answered: ${violations.every((v) => !v.includes('after a broken frame'))}; unreadable frames from the simulator: ${client.undecodable.length}`,
    );
    expect(violations).toEqual([]);
    expect(client.undecodable).toEqual([]);
  }, 60_000 + FRAMES * 20);
});
