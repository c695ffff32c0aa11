import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import { buildDaemon, type Daemon } from '../../src/daemon.ts';
import { TEST_SCRYPT } from '../../src/storage/test-support.ts';
import { WsClient } from '../helpers/ws-client.ts';

let daemon: Daemon | null = null;
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-default-'));
afterAll(async () => {
  await daemon?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('PBX=sim starts the simulated switch as its own process, links over CSTA, loads the demo centre and answers /health with pbx up', async () => {
  daemon = await buildDaemon(defaultConfig({ port: 0, simPort: 0, cstaPort: 0, dataDir, logLevel: 'silent' }), { scrypt: TEST_SCRYPT, logger: pino({ level: 'silent' }) });
  expect(daemon.sim).not.toBeNull();
  const health = (await (await fetch(`${daemon.url}/health`)).json()) as object;
  expect(health).toEqual({ status: 'ok', pbx: 'up', db: 'ok' });

  // The simulator is reachable on its own control port, with the daemon's CSTA link on it.
  const links = (await (await fetch(`http://127.0.0.1:${daemon.sim!.controlPort}/sim/links`)).json()) as { links: unknown[] };
  expect(links.links).toHaveLength(1);

  // The demo centre is there: a demo agent logs in with the demo password and takes a call.
  const agent = await WsClient.login(daemon.wsUrl, 'a1001');
  await agent.call('agent.signIn', { extension: '2001' });
  await agent.call('agent.setState', { state: 'ready' });
  await fetch(`http://127.0.0.1:${daemon.sim!.controlPort}/sim/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '13800000001', to: '8000' }) });
  const offered = await agent.waitFor('call.offered');
  expect(offered.data.customer).toMatchObject({ vipLevel: 1, preferredAgent: 'a1001' });
  agent.close();
});
