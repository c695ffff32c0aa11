/**
 * One memory budget for all slow clients (WS_BUFFER_BUDGET_MB): a client that stops reading while
 * answers pile up for it is cut off once the bytes held for clients pass the budget — the
 * operator sees a `warn` line — the daemon goes on serving everybody else, and the cut-off client
 * can resume its session. Here the budget is 8 MiB and the client asks for 60 answers of 0.9 MiB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import { buildDaemon, type Daemon } from '../../src/daemon.ts';
import { buildSimulator, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import { TEST_SCRYPT } from '../../src/storage/test-support.ts';
import { WsClient } from '../helpers/ws-client.ts';
import { eventually } from '../helpers/world.ts';
import { TEST_OVERLOAD } from '../helpers/config.ts';

let sim: Simulator;
let daemon: Daemon;
let dataDir: string;
const logLines: { msg: string; [k: string]: unknown }[] = [];
const clients: WsClient[] = [];

beforeAll(async () => {
  sim = await buildSimulator({ cstaPort: 0, controlPort: 0 });
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-budget-'));
  // The daemon's own log, kept to see what the operator sees.
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  daemon = await buildDaemon(
    defaultConfig({ port: 0, dataDir, pbx: { kind: 'csta', host: '127.0.0.1', port: sim.cstaPort }, demo: true, logLevel: 'warn', wsBufferBudgetMiB: 8, overload: TEST_OVERLOAD }),
    { scrypt: TEST_SCRYPT, logger: pino({ level: 'warn' }, sink) },
  );
});
afterAll(async () => {
  for (const c of clients) c.close();
  await daemon?.close();
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function login(username: string): Promise<WsClient> {
  const c = await WsClient.login(daemon.wsUrl, username);
  clients.push(c);
  return c;
}

describe('the memory budget for slow clients', () => {
  it('a client that does not read is cut off past the budget; others are served; it can resume', async () => {
    const observer = await login('sup1');
    const agent = await login('a1001');
    await agent.call('agent.signIn', { extension: '2001' });
    await agent.call('agent.setState', { state: 'ready' });
    await fetch(`http://127.0.0.1:${sim.controlPort}/sim/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '13800000002', to: '8000' }) });
    const offered = await agent.waitFor('call.offered');
    const callId = offered.data.callId as string;
    await agent.call('call.answer', { callId });
    await agent.call('call.setData', { callId, data: { notes: 'x'.repeat(900 * 1024) } });

    // Stop reading, and ask for the 0.9 MiB of call data 60 times.
    agent.ws.pause();
    for (let i = 0; i < 60; i++) agent.ws.send(JSON.stringify({ id: `g${i}`, op: 'call.getData', data: { callId } }));

    const warn = await eventually(() => logLines.find((l) => l.msg.startsWith('client memory budget exceeded: slow client cut off')), 10_000);
    expect(warn).toMatchObject({ username: 'a1001', budgetBytes: 8 * 1024 * 1024 });
    expect(warn.unsentBytes as number).toBeGreaterThan(1024 * 1024);

    // Everybody else is served meanwhile.
    expect((await observer.call('session.ping')).now).toBeTruthy();
    expect((await fetch(`${daemon.url}/health`)).status).toBe(200);

    // The client reads again: its socket is gone (the close frame was behind the unsent bytes,
    // so the daemon destroyed the socket after its grace second)…
    agent.ws.resume();
    expect([1006, 1008]).toContain(await agent.waitClose(10_000));
    // …and its session resumes on a new socket, the call still there.
    const again = await WsClient.open(daemon.wsUrl);
    clients.push(again);
    const r = await again.request('session.resume', { sessionToken: agent.session.sessionToken, lastSeq: 0 });
    expect(r.ok).toBe(true);
    expect((await again.call('call.getData', { callId })).data.notes).toHaveLength(900 * 1024);
  });
});
