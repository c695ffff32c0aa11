import { expect, it } from 'vitest';
import { WsClient } from '../helpers/ws-client.ts';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/storage/database.ts';
import { createRepositories } from '../../src/storage/repositories/index.ts';
import { startWorld } from '../helpers/world.ts';

it('stopping the daemon with sockets open (logged in, resumed, never authenticated) closes them and finishes promptly; the call in progress keeps its open row and the sessions stay resumable for the next start', async () => {
  const w = await startWorld();
  const a = await w.readyAgent('a1001');
  const token = a.session.sessionToken;
  a.ws.terminate();
  await a.waitClose();
  const resumed = await WsClient.open(w.daemon.wsUrl);
  await resumed.request('session.resume', { sessionToken: token, lastSeq: 0 });
  const anonymous = await WsClient.open(w.daemon.wsUrl);
  await w.dial('13800000002', '8000');
  const offered = await resumed.waitFor('call.offered');
  await resumed.call('call.answer', { callId: offered.data.callId });
  await resumed.waitFor('call.established');

  const t0 = Date.now();
  await w.daemon.close();
  expect(Date.now() - t0).toBeLessThan(3000);
  expect(await resumed.waitClose()).toBe(1001);
  expect(await anonymous.waitClose()).toBe(1001);
  await w.sim.close();
  // The call in progress keeps its row open, written up to date before the database closed: the
  // next start takes it back under the same id (daemon-restart-expect-…test.ts).
  const db = openDatabase({ file: join(w.dataDir, 'switchboard.db') });
  const repos = createRepositories(db.db);
  const row = repos.calls.get(offered.data.callId);
  // Signed-in agents are recorded as such, so the next start signs them in again.
  const lastState = repos.stateLog.current('a1001');
  // The sessions are kept, detached at the stop: resumable within RESUME_GRACE_S of it.
  const sessions = db.sqlite.prepare('select username, detached_at from ws_sessions order by username').all();
  db.close();
  expect(lastState).toMatchObject({ state: 'loggedOut', reason: 'daemonShutdown', extension: '2001' });
  rmSync(w.dataDir, { recursive: true, force: true });
  expect(row).toMatchObject({ endedAt: null, firstAgent: 'a1001', cause: null });
  expect(row!.answeredAt).not.toBeNull();
  expect(sessions).toEqual([{ username: 'a1001', detached_at: expect.any(Number) }]);
});
