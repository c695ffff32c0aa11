/**
 * Process entry of the simulated switch (`npm run sim`). Environment: `SIM_PORT` (control API,
 * default 7070), `CSTA_PORT` (default 2555), `HOST` (default 127.0.0.1), `SIM_CONFIG` (a JSON file
 * of settings over the default), `LOG_LEVEL` (pino, default info). Logs go to stderr; once both
 * listeners are up it prints ONE line of JSON to stdout — `{"sim":"ready","cstaPort":N,
 * "controlPort":M}` — which a parent process reads to learn the ports (they may be 0 = any).
 * SIGTERM/SIGINT close everything and exit 0; so does the parent process going away (a daemon that
 * crashed must not leave its switch running, holding the ports).
 */
import pino from 'pino';
import { buildSimulator, DEFAULT_CONTROL_PORT, DEFAULT_CSTA_PORT, DEFAULT_HOST, loadSimConfig, SimConfigError, type SimConfig } from './index.ts';

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
    const sim = await buildSimulator({
      cstaPort: port('CSTA_PORT', DEFAULT_CSTA_PORT),
      controlPort: port('SIM_PORT', DEFAULT_CONTROL_PORT),
      host: process.env.HOST || DEFAULT_HOST,
      ...(config ? { config } : {}),
      logger,
    });
    process.stdout.on('error', (err) => logger.warn({ err: err.message }, 'stdout is gone'));
    process.stdout.write(`${JSON.stringify({ sim: 'ready', cstaPort: sim.cstaPort, controlPort: sim.controlPort })}\n`);
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
    if (err instanceof SimConfigError) logger.fatal(err.message);
    else logger.fatal({ err }, 'simulator failed to start');
    process.exit(1);
  }
}

void main();
