/**
 * Process entry of the simulated switch (`npm run sim`). Environment: `SIM_PORT` (control API,
 * default 7070), `CSTA_PORT` (default 2555), `SIP_PORT` (SIP/CSTA over UDP and TCP, default 5060;
 * `off` for none), `HOST` (default 127.0.0.1), `SIM_CONFIG` (a JSON file
 * of settings over the default), `LOG_LEVEL` (pino, default info). Logs go to stderr; once the
 * listeners are up it prints ONE line of JSON to stdout — `{"sim":"ready","cstaPort":N,
 * "sipPort":S|null,"controlPort":M}` — which a parent process reads to learn the ports (they may be 0 = any).
 * SIGTERM/SIGINT close everything and exit 0; so does the parent process going away (a daemon that
 * crashed must not leave its switch running, holding the ports).
 */
import pino from 'pino';
import { buildSimulator, DEFAULT_CONTROL_PORT, DEFAULT_CSTA_PORT, DEFAULT_HOST, DEFAULT_SIP_PORT, loadSimConfig, SimConfigError, type SimConfig } from './index.ts';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`${name}=${raw} is not a port number (0..65535)`);
  return n;
}

async function main(): Promise<void> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'oxo-sim' } }, pino.destination({ fd: 2, sync: true }));
  let config: SimConfig | undefined;
  try {
    const path = process.env.SIM_CONFIG;
    if (path) {
      config = loadSimConfig(path);
      logger.info({ path }, 'simulator configuration loaded');
    }
    // The folder the switch writes recordings (voicemail, call recordings) to: kept across restarts.
    const recordingsDir = process.env.SIM_RECORDINGS_DIR;
    if (recordingsDir) config = { ...(config ?? {}), recordingsDir } as SimConfig;
    const sim = await buildSimulator({
      cstaPort: port('CSTA_PORT', DEFAULT_CSTA_PORT),
      controlPort: port('SIM_PORT', DEFAULT_CONTROL_PORT),
      sipPort: process.env.SIP_PORT === 'off' ? null : port('SIP_PORT', DEFAULT_SIP_PORT),
      host: process.env.HOST || DEFAULT_HOST,
      ...(config ? { config } : {}),
      logger,
    });
    process.stdout.on('error', (err) => logger.warn({ err: err.message }, 'stdout is gone'));
    process.stdout.write(`${JSON.stringify({ sim: 'ready', cstaPort: sim.cstaPort, sipPort: sim.sipPort, controlPort: sim.controlPort })}\n`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'simulator stopping');
      sim.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'simulator did not close cleanly');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stop('parent process exited');
    }, 2000).unref();
  } catch (err) {
    // Said whatever LOG_LEVEL is (even `silent`): a parent reads it to tell the operator why.
    const out = logger.isLevelEnabled('fatal') ? logger : pino({ level: 'fatal', base: { service: 'oxo-sim' } }, pino.destination({ fd: 2, sync: true }));
    if (err instanceof SimConfigError) out.fatal(err.message);
    else out.fatal({ err }, startFailure(err));
    process.exit(1);
  }
}

/** The reason a start failed, in words an operator acts on (which port is taken, and where). */
function startFailure(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  const host = e.address ?? (process.env.HOST || DEFAULT_HOST);
  const which = (p: number | undefined) => {
    if (p === undefined) return 'a port';
    if (String(p) === (process.env.CSTA_PORT || String(DEFAULT_CSTA_PORT))) return `CSTA port ${p} (CSTA_PORT)`;
    if (String(p) === (process.env.SIM_PORT || String(DEFAULT_CONTROL_PORT))) return `control port ${p} (SIM_PORT)`;
    if (String(p) === (process.env.SIP_PORT || String(DEFAULT_SIP_PORT))) return `SIP/CSTA port ${p} (SIP_PORT, UDP and TCP; SIP_PORT=off for none)`;
    return `port ${p}`;
  };
  if (e.code === 'EADDRINUSE') return `simulator failed to start: ${which(e.port)} on ${host} is in use (EADDRINUSE)`;
  if (e.code === 'EACCES') return `simulator failed to start: no permission to listen on ${which(e.port)} on ${host} (EACCES)`;
  if (e.code === 'EADDRNOTAVAIL') return `simulator failed to start: ${host} is not an address of this machine (EADDRNOTAVAIL)`;
  return `simulator failed to start: ${e.message ?? String(err)}`;
}

void main();
