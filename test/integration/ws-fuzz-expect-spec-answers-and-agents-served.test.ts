/**
 * Structure-aware fuzzing of the WebSocket API against the real daemon (test/helpers/
 * ws-fuzz-frames.ts makes the frames): four users send batches of generated requests, each batch
 * on a fresh authenticated connection, sometimes ended by a frame that breaks the protocol; a
 * fifth lane opens connections whose first frame is anything at all. Meanwhile a ready agent
 * keeps being called. It must hold that:
 *  - every request gets exactly one response — `ok: true`, or an error code of the spec, never
 *    INTERNAL, and the code the frame calls for when it calls for one — or else its socket was
 *    closed with a close code of the spec;
 *  - every protocol-breaking frame gets an `error` event and close 4004;
 *  - the daemon keeps running, `/health` answers ok, and the agent is offered and answers calls
 *    during the run and within 10 s after it.
 *
 * FUZZ_FRAMES (default 2,000 in the suite) sets how many frames; FUZZ_SEED replays a run (each
 * run prints its seed). `FUZZ_FRAMES=20000 npx vitest run <this file>` is the long run whose
 * figures docs/operations.md records.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { batch, firstFrame, type ClosingFrame, type FuzzFrame, type RequestFrame } from '../helpers/ws-fuzz-frames.ts';
import type { WsClient } from '../helpers/ws-client.ts';
import { startWorld, type World } from '../helpers/world.ts';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FUZZ_USERS = ['admin', 'qa1', 'a1006', 'a1007'];
const BATCH = 80; // under the per-connection burst of 100
/** Close codes of ws-api.md (and 1008, slow consumer; 1009, frame over the WebSocket limit). */
const SPEC_CLOSE = new Set([4001, 4002, 4003, 4004, 4008, 4009, 1008, 1009]);
const CODES = new Set<string>(ERROR_CODES);

let w: World;
let agent: WsClient;
const tokens = new Map<string, string>();

beforeAll(async () => {
  w = await startWorld();
  for (const u of FUZZ_USERS) {
    const r = await w.http('POST', '/api/v1/auth/login', { body: { username: u, password: `demo-${u}` } });
    tokens.set(u, r.body.token);
  }
  agent = await w.readyAgent('a1001');
});
afterAll(async () => w?.close());

// ------------------------------------------------------------------------------ a raw client

interface Answer {
  id: unknown;
  ok: boolean;
  error?: { code: string; message: string };
}

/** A WebSocket that records every frame it gets; no assumption about what the daemon sends. */
class RawSocket {
  readonly answers = new Map<unknown, Answer[]>();
  readonly errorEvents: { code: string }[] = [];
  readonly unparsable: string[] = [];
  closeCode: number | null = null;
  private readonly closed: Promise<number>;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      let m: { id?: unknown; event?: string; data?: { code: string } } & Partial<Answer>;
      try {
        m = JSON.parse(raw.toString());
      } catch {
        this.unparsable.push(raw.toString().slice(0, 200));
        return;
      }
      if (m.event === 'error' && m.data) this.errorEvents.push(m.data);
      else if (!m.event) this.answers.set(m.id, [...(this.answers.get(m.id) ?? []), m as Answer]);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code) => {
        this.closeCode = code;
        this.wake();
        resolve(code);
      });
    });
    ws.on('error', () => undefined);
  }

  static open(url: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('error', reject);
    });
  }

  send(payload: string | Buffer, binary = false): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(payload, { binary });
  }

  /** Until `done()` holds or the socket closes; false on timeout. */
  async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done() && this.closeCode === null) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
    return true;
  }

  async close(): Promise<number> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
    const t = setTimeout(() => this.ws.terminate(), 5000);
    const code = await this.closed;
    clearTimeout(t);
    return code;
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const f of ws) f();
  }
}

// ------------------------------------------------------------------------------- the checks

const tally = { frames: 0, requests: 0, ok: 0, closing: 0, preAuth: 0, connections: 0, codes: {} as Record<string, number>, closes: {} as Record<string, number> };
const violations: string[] = [];
const show = (f: FuzzFrame) => (f.kind === 'request' ? f.text : typeof f.payload === 'string' ? f.payload : `<binary ${f.payload.length} bytes>`).slice(0, 300);

function checkAnswers(s: RawSocket, requests: RequestFrame[], where: string): void {
  for (const r of requests) {
    const got = s.answers.get(r.id) ?? [];
    if (got.length > 1) violations.push(`${where}: ${got.length} answers to ${show(r)}`);
    const a = got[0];
    if (!a) {
      if (s.closeCode === null || !SPEC_CLOSE.has(s.closeCode)) violations.push(`${where}: no answer and no spec close (close ${s.closeCode}) for ${show(r)}`);
      continue;
    }
    if (a.ok) {
      tally.ok++;
      if (r.expect) violations.push(`${where}: ok where ${r.expect} was due: ${show(r)}`);
      continue;
    }
    const code = a.error?.code ?? '(none)';
    tally.codes[code] = (tally.codes[code] ?? 0) + 1;
    if (!CODES.has(code) || code === 'INTERNAL') violations.push(`${where}: ${code} for ${show(r)}`);
    else if (r.expect && code !== r.expect && where !== 'pre-auth') violations.push(`${where}: ${code} where ${r.expect} was due: ${show(r)}`);
  }
}

async function expectProtocolClose(s: RawSocket, f: ClosingFrame, where: string): Promise<void> {
  tally.closing++;
  s.send(f.payload, f.binary);
  const code = await Promise.race([s.close().then(() => s.closeCode), new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
  if (code !== 4004) violations.push(`${where}: close ${String(code)} instead of 4004 after ${f.why}: ${show(f)}`);
  else if (!s.errorEvents.some((e) => e.code === 'BAD_REQUEST' || e.code === 'TOO_LARGE')) violations.push(`${where}: no error event before 4004 after ${f.why}`);
}

// -------------------------------------------------------------------------------- the lanes

/** A tenth of the frames are first frames of connections that never logged in. */
const PRE_AUTH_FRAMES = Math.ceil(FRAMES / 10);
let sent = 0;
let preAuthSent = 0;
let batchNo = 0;

async function userLane(user: string): Promise<void> {
  while (sent < FRAMES - PRE_AUTH_FRAMES && violations.length < 20) {
    const n = batchNo++;
    const { requests, closing } = fc.sample(batch(n * 1000, BATCH), { numRuns: 1, seed: SEED + n })[0]!;
    sent += requests.length + (closing ? 1 : 0);
    const s = await RawSocket.open(w.daemon.wsUrl);
    tally.connections++;
    s.send(JSON.stringify({ id: 'login', op: 'auth.login', data: { token: tokens.get(user) } }));
    await s.until(() => s.answers.has('login'), 10_000);
    if (!s.answers.get('login')?.[0]?.ok) {
      violations.push(`${user}: token login refused: ${JSON.stringify(s.answers.get('login'))} close ${s.closeCode}`);
      return;
    }
    for (const r of requests) s.send(r.text);
    tally.requests += requests.length;
    const where = `${user} batch ${n} (seed ${SEED + n})`;
    if (!(await s.until(() => requests.every((r) => s.answers.has(r.id)), 20_000))) violations.push(`${where}: ${requests.filter((r) => !s.answers.has(r.id)).length} requests unanswered after 20 s, socket open`);
    checkAnswers(s, requests, where);
    if (closing && s.closeCode === null) await expectProtocolClose(s, closing, where);
    else await s.close();
    tally.closes[String(s.closeCode)] = (tally.closes[String(s.closeCode)] ?? 0) + 1;
    if (s.unparsable.length) violations.push(`${where}: unparsable frames from the daemon: ${s.unparsable[0]}`);
  }
}

async function preAuthLane(): Promise<void> {
  while (preAuthSent < PRE_AUTH_FRAMES && violations.length < 20) {
    const n = ++preAuthSent;
    const f = fc.sample(firstFrame, { numRuns: 1, seed: SEED - n })[0]!;
    tally.preAuth++;
    const s = await RawSocket.open(w.daemon.wsUrl);
    tally.connections++;
    const where = `pre-auth ${n} (seed ${SEED - n})`;
    if (f.kind === 'closing') {
      await expectProtocolClose(s, f, where);
      continue;
    }
    s.send(f.text);
    if (!(await s.until(() => s.answers.has(f.id), 10_000))) violations.push(`${where}: unanswered: ${show(f)}`);
    checkAnswers(s, [f], 'pre-auth');
    const a = s.answers.get(f.id)?.[0];
    if (a?.ok) violations.push(`${where}: a fuzz frame logged in: ${show(f)}`);
    await s.close();
    if (s.closeCode !== null && s.closeCode !== 1005 && s.closeCode !== 1000 && !SPEC_CLOSE.has(s.closeCode)) violations.push(`${where}: close ${s.closeCode}`);
  }
}

/** The agent in queue sales is offered a call and answers it; ms from dial to offered. */
let callNo = 0;
async function serveOneCall(): Promise<number> {
  const from = `1390000${String(++callNo).padStart(4, '0')}`;
  const t0 = Date.now();
  const offered = agent.next('call.offered', (d) => d.from === from, 10_000);
  await w.dial(from, '8000');
  const { data } = await offered.catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; the agent's events: ${JSON.stringify(agent.events.slice(-6))}`);
  });
  const ms = Date.now() - t0;
  await agent.call('call.answer', { callId: data.callId });
  await agent.waitFor('call.established', (d) => d.callId === data.callId);
  await agent.call('call.hangup', { callId: data.callId });
  await agent.waitFor('agent.state', (d) => d.state === 'ready');
  return ms;
}

describe(`WebSocket fuzzing (${FRAMES} frames)`, () => {
  it('every request is answered with a code of the spec or its socket closed with one; the daemon and its agents are served throughout', async () => {
    console.log(`ws fuzz: ${FRAMES} frames, FUZZ_SEED=${SEED}`);
    const t0 = Date.now();
    let fuzzing = true;
    const served: number[] = [];
    const serving = (async () => {
      while (fuzzing) {
        served.push(await serveOneCall());
        const health = await w.http('GET', '/health');
        if (health.status !== 200) violations.push(`/health ${health.status} during the run`);
        // A call every half second or so: an agent's pace, well inside its request rate limit.
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    await Promise.all([...FUZZ_USERS.map((u) => userLane(u)), ...Array.from({ length: 6 }, () => preAuthLane())]);
    fuzzing = false;
    const fuzzMs = Date.now() - t0;
    await serving;
    // Within 10 s after the run: another call offered and answered.
    const after = Date.now();
    const lastMs = await serveOneCall();
    expect(Date.now() - after).toBeLessThan(10_000);
    expect((await w.http('GET', '/health')).body).toMatchObject({ status: 'ok' });

    console.log(
      `ws fuzz: ${sent + preAuthSent} frames (${tally.requests} requests on ${tally.connections} connections, ${tally.closing} protocol-breaking, ${tally.preAuth} first frames) in ${(fuzzMs / 1000).toFixed(1)} s; ` +
        `ok ${tally.ok}, errors ${JSON.stringify(tally.codes)}, closes ${JSON.stringify(tally.closes)}; ` +
        `calls to the agent during the run: ${served.length}, offered in ${served.length ? Math.max(...served) : '-'} ms at worst; after: ${lastMs} ms`,
    );
    expect(violations).toEqual([]);
    expect(sent + preAuthSent).toBeGreaterThanOrEqual(FRAMES);
    expect(served.length).toBeGreaterThan(0);
  }, 60_000 + FRAMES * 15);
});
