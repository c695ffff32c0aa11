/**
 * Embedding API of the simulated OXO-style switch: `buildSimulator()` starts the CSTA listener and
 * the control API and returns the bound ports, fault injection, benchmark hooks and `close()`.
 * The daemon starts it (or `main.ts` as a child process) and then talks to it only over CSTA.
 *
 * Hooks (for benchmarks, in-process only): `routeRequest` fires when a RouteRequest is written to
 * a CTI link, `callCreated` when the switch creates a call, `connection` when a call's connection
 * at a device changes state (e.g. alerting at a pilot's fallback); each carries
 * `at: process.hrtime.bigint()`.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { AutoAnswer } from './auto-answer.ts';
import { resolveSimConfig, type SimConfig } from './config.ts';
import { buildControlApi, listenControlApi } from './control-api.ts';
import type { Notice } from './core.ts';
import { CstaServer } from './csta-server.ts';
import { SipCstaListener } from '../csta/transport/sip-listener.ts';
import { SwitchModel } from './switch-model.ts';
import { TrafficGenerator } from './traffic.ts';
import { VoiceUnits } from './voice-units.ts';

export { DEFAULT_SIM_CONFIG, loadSimConfig, resolveSimConfig, SimConfigError, type NumberRange, type SimConfig } from './config.ts';

export const DEFAULT_CSTA_PORT = 2555;
export const DEFAULT_CONTROL_PORT = 7070;
export const DEFAULT_HOST = '127.0.0.1';
/** The SIP/CSTA port of the simulator process (`npm run sim`, SIP_PORT); embedded, none unless asked. */
export const DEFAULT_SIP_PORT = 5060;

export interface SimulatorOptions {
  /** CSTA listener port (default 2555; 0 = any free port, see `Simulator.cstaPort`). */
  cstaPort?: number;
  /** Control API port (default 7070; 0 = any free port). */
  controlPort?: number;
  /** SIP/CSTA port, UDP and TCP (0 = any free port; absent or null = no SIP/CSTA listener). */
  sipPort?: number | null;
  /** The longest SIP session interval granted to a CTI (RFC 4028, default 1800 s). */
  sipSessionExpiresS?: number;
  /** Listen address of both (default 127.0.0.1). */
  host?: string;
  /** Settings over the default configuration (validated; throws SimConfigError). */
  config?: Partial<SimConfig>;
  logger?: Logger;
}

export interface RouteRequestHook {
  callId: string;
  routingDevice: string;
  calling: string;
  crossRefId: string;
  at: bigint;
}

export interface CallCreatedHook {
  callId: string;
  calling: string;
  called: string;
  at: bigint;
}

export interface ConnectionHook {
  callId: string;
  deviceId: string;
  state: string;
  at: bigint;
}

export interface SimHookEvents {
  routeRequest: [RouteRequestHook];
  callCreated: [CallCreatedHook];
  connection: [ConnectionHook];
}

export interface Simulator {
  readonly cstaPort: number;
  readonly controlPort: number;
  /** The SIP/CSTA port (UDP and TCP), null when the simulator serves no SIP. */
  readonly sipPort: number | null;
  readonly host: string;
  readonly config: SimConfig;
  readonly hooks: EventEmitter<SimHookEvents>;
  /** The folder recordings are written to (config `recordingsDir`, or this instance's temp folder). */
  readonly recordingsDir: string;
  /** Voice-unit timers and units running now (tests: nothing is left once the calls ended). */
  voiceActivity(): { timers: number; units: number };
  /** Closes every CTI link now (as `POST /sim/link/drop`); returns how many. */
  dropLinks(): number;
  /** Switch restart (as `POST /sim/restart`): links closed, calls, monitors and agents lost. */
  restart(): void;
  /** Stops everything; leaves no timer, socket or server behind. */
  close(): Promise<void>;
}

export async function buildSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const config = resolveSimConfig(opts.config ?? {});
  const host = opts.host ?? DEFAULT_HOST;
  const log = opts.logger ?? pino({ level: 'silent' });
  const hooks = new EventEmitter<SimHookEvents>();
  /** Hook listeners run inside the switch's own work: one that throws is logged, not propagated. */
  const emitHook = (name: keyof SimHookEvents, emit: () => void) => {
    if (hooks.listenerCount(name) === 0) return;
    try {
      emit();
    } catch (err) {
      log.error({ err, hook: name }, 'simulator hook listener threw');
    }
  };

  let server: CstaServer | null = null;
  const model = new SwitchModel(config, { sink: (o) => server?.output(o) });
  // Recordings go to the configured folder, or to a temp folder of this instance (removed at close).
  const ownRecordingsDir = config.recordingsDir === '' ? mkdtempSync(join(tmpdir(), 'switchboard-sim-recordings-')) : null;
  if (!ownRecordingsDir) mkdirSync(config.recordingsDir, { recursive: true });
  const voice = new VoiceUnits({ core: model.core, logger: log.child({ component: 'sim-voice' }), recordingsDir: ownRecordingsDir ?? config.recordingsDir });
  model.voice = voice;
  const traffic = new TrafficGenerator(model, log.child({ component: 'sim-traffic' }));
  const autoAnswer = new AutoAnswer(model, log);
  const onNotice = (n: Notice) => {
    voice.onNotice(n);
    traffic.onNotice(n);
    autoAnswer.onNotice(n);
    if (n.kind === 'callCreated') {
      emitHook('callCreated', () => hooks.emit('callCreated', { callId: n.callId, calling: n.calling, called: n.called, at: process.hrtime.bigint() }));
    } else if (n.kind === 'connectionState') {
      emitHook('connection', () => hooks.emit('connection', { callId: n.callId, deviceId: n.deviceId, state: n.state, at: process.hrtime.bigint() }));
    }
  };
  const csta = new CstaServer({
    model,
    logger: log.child({ component: 'sim-csta' }),
    onNotice,
    onRouteRequestWritten: (r) => emitHook('routeRequest', () => hooks.emit('routeRequest', { ...r, at: process.hrtime.bigint() })),
  });
  server = csta;
  const restart = () => {
    log.warn('switch restart: every call, monitor and agent login is lost');
    model.restart();
    csta.dropLinks('switch restart');
  };
  const control = buildControlApi({
    model,
    traffic,
    voice,
    logger: log.child({ component: 'sim-control' }),
    links: () => csta.linkSummaries(),
    dropLinks: () => csta.dropLinks('link drop (fault injection)'),
    injectRaw: (bytes) => csta.injectRaw(bytes),
    sipProbe: (probe) => csta.sipProbe(probe),
    restart,
  });

  let cstaPort: number;
  let controlPort: number;
  let sipPort: number | null = null;
  // SIP/CSTA (ECMA TR/87): each dialog a CTI opens is one more link of the same switch.
  const sip = opts.sipPort === undefined || opts.sipPort === null
    ? null
    : new SipCstaListener({
        logger: log.child({ component: 'sim-sip' }),
        onChannel: (ch) => csta.accept(ch),
        ...(opts.sipSessionExpiresS !== undefined ? { sessionExpiresS: opts.sipSessionExpiresS } : {}),
      });
  try {
    cstaPort = await csta.listen(opts.cstaPort ?? DEFAULT_CSTA_PORT, host);
    if (sip) sipPort = await sip.listen(opts.sipPort!, host);
    controlPort = await listenControlApi(control, opts.controlPort ?? DEFAULT_CONTROL_PORT, host);
  } catch (err) {
    await sip?.close();
    await csta.close();
    await control.close();
    voice.reset();
    if (ownRecordingsDir) rmSync(ownRecordingsDir, { recursive: true, force: true });
    throw err;
  }
  log.info({ cstaPort, sipPort, controlPort, host }, 'simulated switch listening');

  let closing: Promise<void> | null = null;
  return {
    cstaPort,
    controlPort,
    sipPort,
    host,
    config,
    hooks,
    recordingsDir: voice.recorder.folder,
    voiceActivity: () => voice.active,
    dropLinks: () => csta.dropLinks('link drop (fault injection)'),
    restart,
    close: () => {
      closing ??= (async () => {
        traffic.close();
        autoAnswer.close();
        await control.close();
        await sip?.close(); // BYE to every SIP/CSTA CTI before the links are gone
        await csta.close();
        voice.reset();
        if (ownRecordingsDir) rmSync(ownRecordingsDir, { recursive: true, force: true });
        hooks.removeAllListeners();
      })();
      return closing;
    },
  };
}
