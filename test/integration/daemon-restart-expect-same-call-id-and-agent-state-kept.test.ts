/**
 * Restarts keep continuity (issue 6, point 5): a daemon killed mid-call (SIGKILL) or stopped
 * cleanly keeps each live call's callId, numbers, direction, queue, agent and call data; agents
 * whose softphone resumes its session within RESUME_GRACE_S get back the state they had; a longer
 * outage gives notReady / daemonRestart.
 *
 * The daemon runs as its own process (the README's start command, pointed at a simulator in this
 * process), so that it can really be killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { freePort } from '../../bench/lib/daemon-process.ts';
import { buildSimulator, type Simulator } from '../../src/pbx-adapters/oxo-sim/index.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { createRepositories } from '../../src/storage/repositories/index.ts';
import { WsClient } from '../helpers/ws-client.ts';
import { eventually } from '../helpers/world.ts';

let sim: Simulator;
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-restart-'));
const children: ChildProcess[] = [];
let port: number;

// Each test starts the daemon as a process twice or more (demo seed with real password hashing,
// IVR prompts): ~9 s on a quiet machine, over the suite's 20 s on a loaded one.
vi.setConfig({ testTimeout: 60_000 });

async function startDaemon(env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, PBX: `csta://127.0.0.1:${sim.cstaPort}`, DATA_DIR: dataDir, PORT: String(port), DEMO: '1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  await eventually(async () => {
    const r = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
    return r?.ok ? ((await r.json()) as { pbx: string }).pbx === 'up' : false;
  }, 30_000, 100);
  return child;
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

const url = () => `ws://127.0.0.1:${port}/ws`;
const simPost = (path: string, body: object = {}) =>
  fetch(`http://127.0.0.1:${sim.controlPort}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function readCall(callId: string) {
  const db = openDatabase({ file: join(dataDir, 'switchboard.db') });
  try {
    return createRepositories(db.db).calls.get(callId);
  } finally {
    db.close();
  }
}

/** The softphone comes back: a new socket, `session.resume` with what it had. */
async function resume(c: WsClient): Promise<{ client: WsClient; answer: Awaited<ReturnType<WsClient['request']>> }> {
  const client = await WsClient.open(url());
  const lastSeq = c.events.at(-1)?.seq ?? 0;
  const answer = await client.request('session.resume', { sessionToken: c.session.sessionToken, lastSeq });
  return { client, answer };
}

beforeAll(async () => {
  sim = await buildSimulator({ cstaPort: 0, controlPort: 0, logger: pino({ level: 'silent' }) });
  port = await freePort();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('SIGKILL mid-call, then restart: the same callId with its numbers, queue, agent and data; the resumed agent is busy on it and ready after; a call that ended meanwhile is closed daemonRestart', async () => {
  const first = await startDaemon();
  const agent = await WsClient.login(url(), 'a1001');
  await agent.call('agent.signIn', { extension: '2001' });
  await agent.call('agent.setState', { state: 'ready' });
  const other = await WsClient.login(url(), 'a1002');
  await other.call('agent.signIn', { extension: '2002' });
  await other.call('agent.setState', { state: 'ready' });

  const placed = await simPost('/sim/calls', { from: '13800000002', to: '8000', callerName: 'Wang Fang' });
  const { simCallId } = (await placed.json()) as { simCallId: string };
  const offered = await agent.waitFor('call.offered');
  const callId = offered.data.callId as string;
  await agent.call('call.answer', { callId });
  await agent.waitFor('call.established');
  await agent.call('call.setData', { callId, data: { order: 'A-1001', notes: '客户要求回电' } });

  // A second call, answered by the other agent, ends while the daemon is away.
  const placed2 = await simPost('/sim/calls', { from: '13800000003', to: '8000' });
  const { simCallId: simCallId2 } = (await placed2.json()) as { simCallId: string };
  const offered2 = await other.waitFor('call.offered');
  await other.call('call.answer', { callId: offered2.data.callId });
  await other.waitFor('call.established');

  // The data reached the row before the kill (it is written apart from the hot row writes).
  await eventually(() => readCall(callId)?.hasCallData === true, 5000);
  const before = readCall(callId)!;
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  agent.ws.terminate();
  other.ws.terminate();
  await simPost(`/sim/calls/${simCallId2}/hangup`);
  const hungUpAt = Date.now();

  // Nothing was closed by the kill: the row is open on disk with what was known.
  expect(before).toMatchObject({ fromNumber: '13800000002', firstAgent: 'a1001', queueId: 'sales', direction: 'inbound', endedAt: null });

  await startDaemon();
  // The first call is still up at the switch: the restarted daemon took it back under its id.
  const { client: back, answer } = await resume(agent);
  expect(answer.ok).toBe(true);
  expect(answer.data.snapshot.agent).toMatchObject({ agentId: 'a1001', extension: '2001', state: 'busy' });
  expect(answer.data.snapshot.calls).toEqual([expect.objectContaining({ callId, from: '13800000002', direction: 'inbound', queue: 'sales', state: 'connected' })]);
  // Numbering continues from where the softphone was.
  expect(answer.data.seq).toBeGreaterThanOrEqual(agent.events.at(-1)!.seq!);
  expect(await back.call('call.getData', { callId })).toEqual({ callId, data: { order: 'A-1001', notes: '客户要求回电' } });
  // The call is controllable under its id.
  await back.call('call.hold', { callId });
  await back.waitFor('call.held', (d) => d.callId === callId);
  await back.call('call.retrieve', { callId });
  await back.waitFor('call.retrieved', (d) => d.callId === callId);

  // The second call's row: closed as daemonRestart, at the latest when the daemon was last alive.
  await eventually(() => readCall(offered2.data.callId)?.endedAt != null, 5000);
  const ended2 = readCall(offered2.data.callId)!;
  expect(ended2).toMatchObject({ cause: 'daemonRestart', outcome: 'answered', firstAgent: 'a1002' });
  expect(ended2.endedAt!).toBeLessThanOrEqual(hungUpAt);
  // Its agent resumes too and gets back the state it had chosen before that call. (A state asked
  // for during a call — taken when it ends — is not kept across a crash: docs/operations.md.)
  const { client: back2, answer: answer2 } = await resume(other);
  expect(answer2.data.snapshot.agent).toMatchObject({ state: 'ready', reason: null });

  // The caller hangs up: the row closes normally, under the same id; the agent is ready again.
  await simPost(`/sim/calls/${simCallId}/hangup`);
  await back.waitFor('call.cleared', (d) => d.callId === callId);
  await back.waitFor('agent.state', (d) => d.state === 'ready');
  await eventually(() => readCall(callId)?.endedAt != null, 5000);
  const after = readCall(callId)!;
  expect(after).toMatchObject({ id: callId, fromNumber: '13800000002', queueId: 'sales', firstAgent: 'a1001', outcome: 'answered', callerName: 'Wang Fang' });
  expect(after.cause).not.toBe('daemonRestart');
  expect(after.answeredAt).toBe(before.answeredAt);
  back.close();
  back2.close();
});

it('a clean stop and start: agents whose softphones resume get their state back (ready is ready: offered the next call; notReady keeps its reason)', async () => {
  const running = children.at(-1)!;
  const agent = await WsClient.login(url(), 'a1003');
  await agent.call('agent.signIn', { extension: '2003' });
  await agent.call('agent.setState', { state: 'ready' });
  const onBreak = await WsClient.login(url(), 'a1005');
  await onBreak.call('agent.signIn', { extension: '2005' });
  await onBreak.call('agent.setState', { state: 'notReady', reason: 'lunch' });
  await stop(running, 'SIGTERM');
  await agent.waitClose();
  await startDaemon();
  const { client, answer } = await resume(agent);
  expect(answer.ok).toBe(true);
  expect(answer.data.snapshot.agent).toMatchObject({ agentId: 'a1003', state: 'ready', extension: '2003' });
  const { client: client5, answer: answer5 } = await resume(onBreak);
  expect(answer5.data.snapshot.agent).toMatchObject({ agentId: 'a1005', state: 'notReady', reason: 'lunch' });
  client5.close();
  // An agent that did not come back stays notReady/daemonRestart: a1001 closed its softphone.
  const sup = await WsClient.login(url(), 'sup1');
  const a1001 = (await sup.call('supervisor.snapshot')) as { agents: { agentId: string; state: string; reason: string | null }[] };
  expect(a1001.agents.find((a) => a.agentId === 'a1001')).toMatchObject({ state: 'notReady', reason: 'daemonRestart' });
  // Ready means ready: the next call goes to the resumed agent.
  await simPost('/sim/calls', { from: '13800000004', to: '8000' });
  const offered = await client.waitFor('call.offered');
  expect(offered.data.from).toBe('13800000004');
  await client.call('call.answer', { callId: offered.data.callId });
  await client.waitFor('call.established');
  await client.call('call.hangup', { callId: offered.data.callId });
  await client.waitFor('call.cleared');
  client.close();
  sup.close();
});

it('an outage longer than RESUME_GRACE_S: the session cannot be resumed (4003), and the agent, logging in again, is notReady/daemonRestart', async () => {
  const running = children.at(-1)!;
  const agent = await WsClient.login(url(), 'a1004');
  await agent.call('agent.signIn', { extension: '2004' });
  await agent.call('agent.setState', { state: 'ready' });
  await stop(running, 'SIGKILL');
  agent.ws.terminate();
  // A grace of one second; the new start alone takes longer than that.
  const started = Date.now();
  await startDaemon({ RESUME_GRACE_S: '1' });
  expect(Date.now() - started).toBeGreaterThan(1000);
  const { client, answer } = await resume(agent);
  expect(answer.error?.code).toBe('UNAUTHENTICATED');
  expect(await client.waitClose()).toBe(4003);
  const again = await WsClient.login(url(), 'a1004');
  expect(await again.call('agent.getState')).toMatchObject({ state: 'notReady', reason: 'daemonRestart', extension: '2004' });
  again.close();
});

it('a call waiting in its queue across a SIGKILL keeps its callId, queue and wait, and goes to the first agent ready after the restart', async () => {
  const running = children.at(-1)!;
  const sup = await WsClient.login(url(), 'sup1');
  const snapshot = (await sup.call('supervisor.snapshot')) as { agents: { agentId: string; state: string }[] };
  // Nobody of sales ready: the call waits.
  for (const a of snapshot.agents.filter((x) => x.state === 'ready')) await sup.call('supervisor.setAgentState', { agentId: a.agentId, state: 'notReady', reason: 'test' });
  await sup.call('supervisor.subscribe');
  await simPost('/sim/calls', { from: '13800000005', to: '8000' });
  await sup.waitFor('queue.stats', (d) => d.id === 'sales' && d.waiting === 1);
  sup.close();
  let callId = '';
  await eventually(() => {
    const db = openDatabase({ file: join(dataDir, 'switchboard.db') });
    try {
      const row = createRepositories(db.db).calls.listOpen().find((r) => r.fromNumber === '13800000005' && r.queuedAt !== null);
      callId = row?.id ?? '';
      return row !== undefined;
    } finally {
      db.close();
    }
  }, 5000);
  const before = readCall(callId)!;
  await stop(running, 'SIGKILL');

  await startDaemon();
  // a1004 (sales) is still signed in at 2004 from the test before.
  const agent = await WsClient.login(url(), 'a1004');
  await agent.call('agent.signIn', { extension: '2004' });
  await agent.call('agent.setState', { state: 'ready' });
  const offered = await agent.waitFor('call.offered');
  expect(offered.data).toMatchObject({ callId, from: '13800000005', queue: 'sales' });
  await agent.call('call.answer', { callId });
  await agent.waitFor('call.established');
  await agent.call('call.hangup', { callId });
  await eventually(() => readCall(callId)?.endedAt != null, 5000);
  expect(readCall(callId)).toMatchObject({ id: callId, queueId: 'sales', queuedAt: before.queuedAt, firstAgent: 'a1004', outcome: 'answered' });
  agent.close();
});

it('a call ringing at an agent across a SIGKILL rings on under its callId; unanswered for the queue ring time, it goes back to its queue and to the next ready agent', async () => {
  const running = children.at(-1)!;
  // A short ring time for sales, so the test does not wait 15 s.
  const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo-admin' }) });
  const { token } = (await login.json()) as { token: string };
  const patched = await fetch(`http://127.0.0.1:${port}/api/v1/admin/queues/sales`, { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ ringTimeoutS: 2 }) });
  expect(patched.status).toBe(200);
  const ringing = await WsClient.login(url(), 'a1004');
  await ringing.call('agent.setState', { state: 'ready' });
  await simPost('/sim/calls', { from: '13800000006', to: '8000' });
  const offered = await ringing.waitFor('call.offered', (d) => d.from === '13800000006');
  const callId = offered.data.callId as string;
  await stop(running, 'SIGKILL');
  ringing.ws.terminate();

  await startDaemon();
  const next = await WsClient.login(url(), 'a1005');
  await next.call('agent.setState', { state: 'ready' });
  // Back in its queue after the ring time, then offered to the ready agent, same id.
  const again = await next.waitFor('call.offered', (d) => d.callId === callId, 10_000);
  expect(again.data).toMatchObject({ from: '13800000006', queue: 'sales' });
  await next.call('call.answer', { callId });
  await next.waitFor('call.established');
  await next.call('call.hangup', { callId });
  await eventually(() => readCall(callId)?.endedAt != null, 5000);
  expect(readCall(callId)).toMatchObject({ id: callId, outcome: 'answered', agents: expect.arrayContaining(['a1005']) });
  next.close();
});

it('a restart whose first snapshot fails at the busy phone keeps the call open, and takes it back under its id once the phone answers the query', async () => {
  const running = children.at(-1)!;
  const agent = await WsClient.login(url(), 'a1005');
  await agent.call('agent.setState', { state: 'ready' });
  await simPost('/sim/calls', { from: '13800000007', to: '8000' });
  const offered = await agent.waitFor('call.offered', (d) => d.from === '13800000007');
  const callId = offered.data.callId as string;
  await agent.call('call.answer', { callId });
  await agent.waitFor('call.established');
  await stop(running, 'SIGKILL');
  agent.ws.terminate();
  await simPost('/sim/faults', { snapshotFails: ['2005'] });

  await startDaemon();
  const { client, answer } = await resume(agent);
  expect(answer.ok).toBe(true);
  // Not closed as daemonRestart while the phone cannot be asked…
  expect(readCall(callId)).toMatchObject({ endedAt: null });
  await fetch(`http://127.0.0.1:${sim.controlPort}/sim/faults`, { method: 'DELETE' });
  // …and back under its id when the daemon asks again.
  await eventually(async () => {
    const r = await client.request('call.getData', { callId });
    return r.ok;
  }, 20_000, 200);
  await client.call('call.hangup', { callId });
  await eventually(() => readCall(callId)?.endedAt != null, 5000);
  expect(readCall(callId)).toMatchObject({ id: callId, outcome: 'answered', firstAgent: 'a1005' });
  expect(readCall(callId)!.cause).not.toBe('daemonRestart');
  client.close();
});
