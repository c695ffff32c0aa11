/**
 * Entry point: the only place that reads process.env. Starts the daemon and prints what it serves;
 * stops cleanly on SIGINT/SIGTERM.
 */
import { loadConfig, ConfigError } from './config.ts';
import { buildDaemon } from './daemon.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let daemon;
  try {
    daemon = await buildDaemon(config);
  } catch (err) {
    // A refusal to start (e.g. demo passwords on a network address) names its fix; no stack.
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const lines = [
    `Switchboard is up (PBX: ${config.pbx.kind === 'sim' ? 'embedded simulator' : config.pbx.kind === 'csta' ? `csta://${config.pbx.host}:${config.pbx.port}` : `sip-csta://${config.pbx.host}:${config.pbx.port};transport=${config.pbx.transport}`}, link ${daemon.pbx.linkUp ? 'up' : 'down'})`,
    `  health     ${daemon.url}/health`,
    `  WebSocket  ${daemon.wsUrl}`,
    `  HTTP API   ${daemon.url}/api/v1/`,
    `  console    ${daemon.url}/console/`,
    `  metrics    ${daemon.url}/metrics  (${config.metricsToken ? 'bearer METRICS_TOKEN' : 'loopback clients only'})`,
  ];
  if (daemon.sim) lines.push(`  simulator  http://127.0.0.1:${daemon.sim.controlPort}/sim/  (CSTA on ${daemon.sim.cstaPort})`);
  if (config.demo) lines.push('  demo logins: a1001 / demo-a1001 … a1010, sup1 / demo-sup1, qa1 / demo-qa1, admin / demo-admin');
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    daemon.log.info({ signal }, 'stopping');
    daemon.close().then(
      () => process.exit(0),
      (err: unknown) => {
        daemon.log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`switchboard failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
