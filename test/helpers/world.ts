/**
 * A whole world for an integration test: the simulated switch (in this process, over real TCP),
 * the real daemon on port 0 with a temp database and the demo centre, and helpers to act as
 * callers and hand-sets (the simulator's control API over HTTP) and as agents (WebSocket).
 *
 * The PBX link is CSTA over Annex G/TCP unless `transport` says otherwise (`sip-csta-udp`,
 * `sip-csta-tcp`: the simulator also listens for SIP on an ephemeral port and the daemon opens a
 * SIP/CSTA dialog to it); see ./transports.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { defaultConfig, type Config } from '../../src/config.ts';
import { buildDaemon, type Daemon } from '../../src/daemon.ts';
import { buildSimulator, type SimConfig, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import { TEST_SCRYPT } from '../../src/storage/test-support.ts';
import { TEST_OVERLOAD } from './config.ts';
import { LinkProxy } from './link-proxy.ts';
import { isSip, pbxTarget, type Transport } from './transports.ts';
import { WsClient } from './ws-client.ts';

export interface World {
  /** The PBX link's transport this world runs over. */
  transport: Transport;
  sim: Simulator;
  daemon: Daemon;
  dataDir: string;
  /** Between the daemon and the switch when started with `proxy: true` (link faults). */
  proxy: LinkProxy | null;
  /** Calls the simulator's control API; throws on a non-2xx answer unless `allowError`. */
  simApi(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object, allowError?: boolean): Promise<any>;
  /** A caller from outside dials `to`; returns the switch's call id. */
  dial(from: string, to: string): Promise<string>;
  /** Logs in over WebSocket (demo password). */
  login(username: string, password?: string): Promise<WsClient>;
  /** Logs in, signs in at the agent's demo extension and goes ready. */
  readyAgent(username: string, extension?: string): Promise<WsClient>;
  http(method: string, path: string, opts?: { token?: string; body?: object }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export const DEMO_EXT: Record<string, string> = Object.fromEntries([
  ...Array.from({ length: 10 }, (_, i) => [`a${1001 + i}`, String(2001 + i)]),
  ['sup1', '2901'],
]);

export interface WorldOptions {
  sim?: Partial<SimConfig>;
  config?: Partial<Config>;
  /** A LinkProxy (a TCP relay) between the daemon and the switch: Annex G only. */
  proxy?: boolean;
  /** The PBX link's transport (default `annex-g`). */
  transport?: Transport;
  /** Every daemon log entry at `info` or above, parsed (tests that check what was logged). */
  daemonLog?: (entry: Record<string, unknown>) => void;
  /** BuildOptions.groupCommitDefer: when the end of a turn's history commit runs. */
  groupCommitDefer?: (fn: () => void) => void;
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const transport = opts.transport ?? 'annex-g';
  if (opts.proxy && isSip(transport)) throw new Error(`startWorld: proxy (a TCP relay of Annex G frames) cannot stand in a ${transport} link`);
  const logLevel = process.env.TEST_LOG_LEVEL ?? 'silent';
  const sim = await buildSimulator({
    cstaPort: 0,
    controlPort: 0,
    ...(isSip(transport) ? { sipPort: 0 } : {}),
    config: opts.sim ?? {},
    logger: pino({ level: logLevel, base: { side: 'sim' } }),
  });
  const proxy = opts.proxy ? await LinkProxy.start(sim.cstaPort) : null;
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-it-'));
  let daemon: Daemon;
  try {
    const pbx = pbxTarget(transport, '127.0.0.1', sim, proxy?.port);
    daemon = await buildDaemon(
      defaultConfig({ port: 0, dataDir, pbx, demo: true, logLevel, overload: TEST_OVERLOAD, ...opts.config }),
      { scrypt: TEST_SCRYPT, logger: daemonLogger(logLevel, opts.daemonLog), ...(opts.groupCommitDefer ? { groupCommitDefer: opts.groupCommitDefer } : {}) },
    );
  } catch (err) {
    await proxy?.close();
    await sim.close();
    throw err;
  }
  const clients: WsClient[] = [];
  const simBase = `http://127.0.0.1:${sim.controlPort}`;

  const world: World = {
    transport,
    sim,
    daemon,
    dataDir,
    proxy,
    async simApi(method, path, body, allowError = false) {
      const res = await fetch(simBase + path, {
        method,
        headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
        body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
      });
      const json = await res.json().catch(() => null);
      if (!res.ok && !allowError) throw new Error(`sim ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
      return allowError ? { status: res.status, body: json } : json;
    },
    async dial(from, to) {
      const r = await world.simApi('POST', '/sim/calls', { from, to });
      return r.simCallId as string;
    },
    async login(username, password) {
      const c = await WsClient.login(daemon.wsUrl, username, password);
      clients.push(c);
      return c;
    },
    async readyAgent(username, extension) {
      const c = await world.login(username);
      await c.call('agent.signIn', { extension: extension ?? DEMO_EXT[username] });
      await c.call('agent.setState', { state: 'ready' });
      await c.waitFor('agent.state', (d) => d.state === 'ready');
      return c;
    },
    async http(method, path, o = {}) {
      const headers: Record<string, string> = {};
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      if (o.body) headers['content-type'] = 'application/json';
      const res = await fetch(daemon.url + path, { method, headers, body: o.body ? JSON.stringify(o.body) : undefined });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    async close() {
      for (const c of clients) c.close();
      await daemon.close();
      await proxy?.close();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}

function daemonLogger(level: string, sink: WorldOptions['daemonLog']): pino.Logger {
  if (!sink) return pino({ level, base: { side: 'daemon' } });
  const echo = level === 'silent' ? null : pino({ level, base: { side: 'daemon' } });
  return pino({ level: 'info', base: { side: 'daemon' } }, {
    write(line: string) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      sink(entry);
      if (echo && echo.isLevelEnabled(pino.levels.labels[entry.level as number] ?? 'info')) process.stdout.write(line);
    },
  });
}

/** Polls `fn` until it returns a truthy value (for database rows written asynchronously). */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 5000, stepMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
