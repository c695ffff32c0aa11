/**
 * The simulated switch in-process and the product's CSTA adapter (CstaPbx) linked to it over real
 * TCP, for the voice-unit tests: events the adapter emits are collected and waited for; the
 * control API is called over HTTP.
 */
import pino from 'pino';
import type { PbxEvent } from '../../src/core/pbx-port.ts';
import { CstaPbx } from '../../src/pbx-adapters/csta/csta-pbx.ts';
import { buildSimulator, type SimConfig, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';

export interface VoiceWorld {
  sim: Simulator;
  pbx: CstaPbx;
  events: PbxEvent[];
  /** The first event not yet taken that matches (waits up to `timeoutMs`); it is taken. */
  next<K extends PbxEvent['kind']>(kind: K, pred?: (e: Extract<PbxEvent, { kind: K }>) => boolean, timeoutMs?: number): Promise<Extract<PbxEvent, { kind: K }>>;
  /** Events not yet taken, in order. */
  pending(): PbxEvent[];
  http(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  raw(path: string): Promise<{ status: number; type: string | null; bytes: Buffer }>;
  /** A caller from an outside number dials `to`; resolves with the sim call id. */
  dial(to: string, from?: string): Promise<string>;
  close(): Promise<void>;
}

export async function voiceWorld(config: Partial<SimConfig> = {}, monitored: string[] = ['8100', '8101', '8900']): Promise<VoiceWorld> {
  const sim = await buildSimulator({ cstaPort: 0, controlPort: 0, config });
  const pbx = new CstaPbx({ host: '127.0.0.1', port: sim.cstaPort, logger: pino({ level: 'silent' }), reconnect: { initialMs: 50, maxMs: 200 } });
  const events: PbxEvent[] = [];
  const taken = new Set<PbxEvent>();
  let waiters: (() => void)[] = [];
  pbx.onEvent((e) => {
    events.push(e);
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  });
  await pbx.setMonitoredDevices(monitored);
  await pbx.start();
  if (!pbx.linkUp) throw new Error('CSTA link did not come up');
  const base = `http://127.0.0.1:${sim.controlPort}`;
  const http: VoiceWorld['http'] = async (method, path, body) => {
    const res = await fetch(base + path, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const next: VoiceWorld['next'] = async (kind, pred = () => true, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = events.find((e) => !taken.has(e) && e.kind === kind && pred(e as never));
      if (hit) {
        taken.add(hit);
        return hit as never;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${kind} event; not taken: ${JSON.stringify(events.filter((e) => !taken.has(e)).map((e) => e.kind))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };
  return {
    sim,
    pbx,
    events,
    next,
    pending: () => events.filter((e) => !taken.has(e)),
    http,
    raw: async (path) => {
      const res = await fetch(base + path);
      return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
    },
    dial: async (to, from = '13800000001') => {
      const r = await http('POST', '/sim/calls', { from, to });
      if (r.status !== 200) throw new Error(`dial ${to}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.simCallId as string;
    },
    close: async () => {
      await pbx.close();
      await sim.close();
    },
  };
}

/** The heard log of a sim call. */
export interface HeardEntry {
  at: string;
  port: string;
  kind: string;
  ref?: string;
  text?: string;
  lang?: string;
  durationMs: number;
  interruptedBy?: string;
}

export async function heardOf(w: VoiceWorld, simCallId: string): Promise<HeardEntry[]> {
  const r = await w.http('GET', `/sim/calls/${simCallId}/heard`);
  if (r.status !== 200) throw new Error(`heard ${simCallId}: ${r.status}`);
  return r.body.items as HeardEntry[];
}
