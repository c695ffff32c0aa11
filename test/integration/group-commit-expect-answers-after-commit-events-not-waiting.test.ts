/**
 * Group commit (docs/storage.md): a turn's history writes are committed together at the end of
 * the turn — but whatever tells a client something is done (a WebSocket answer, an HTTP
 * response) commits them first. The daemon's end-of-turn commit is held back here (it runs only
 * when the test says), so what reaches the database before it can only have been committed by
 * that barrier; a second connection reads the file as another process would. (Off by default —
 * DB_GROUP_COMMIT — because the events of a turn leave before its commit: the last step shows it.)
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
const held: (() => void)[] = [];
const endTurns = () => {
  for (const fn of held.splice(0)) fn();
};

beforeAll(async () => {
  w = await startWorld({ config: { dbGroupCommit: true }, groupCommitDefer: (fn) => void held.push(fn) });
});
afterAll(async () => w?.close());

/** Rows as another connection sees them (committed only). */
function rows<T>(sql: string, ...args: unknown[]): T[] {
  const db = new Database(join(w.dataDir, 'switchboard.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}

const lastState = (agent: string) =>
  rows<{ state: string }>('select state from agent_state_log where agent = ? order by started_at desc, id desc limit 1', agent)[0]?.state;
const callRow = (id: string) =>
  rows<{ first_agent: string | null; answered_at: number | null; ended_at: number | null }>('select first_agent, answered_at, ended_at from calls where id = ?', id)[0];

it('an answer to a WebSocket request leaves after what it wrote is committed; a pushed event does not wait; an HTTP response commits too', async () => {
  // agent.setState ready answered: its state row is committed although no turn has ended.
  const a1 = await w.readyAgent('a1001');
  expect(lastState('a1001')).toBe('ready');

  // An inbound call offered to the agent: only events so far. Its row waits for the end of the
  // turn (held), which shows the writes really are deferred — and that events do not commit.
  await w.dial('13900000931', '8000');
  const offer = await a1.waitFor('call.offered');
  const callId = offer.data.callId as string;
  expect(callRow(callId)).toBeUndefined();
  endTurns();
  expect(callRow(callId)).toMatchObject({ answered_at: null });

  // call.answer answered ok: the row says who took it once the call is established; the answer
  // to agent.getState then commits what the established events wrote.
  await a1.call('call.answer', { callId });
  await a1.waitFor('call.established', (d) => d.callId === callId);
  expect((await a1.call('agent.getState')).state).toBe('busy');
  expect(callRow(callId)).toMatchObject({ first_agent: 'a1001', answered_at: expect.any(Number) });

  // The caller hangs up (events only): not committed until a response leaves — here an HTTP one.
  await w.simApi('POST', `/sim/calls/${(await w.simApi('GET', '/sim/calls')).calls[0].simCallId}/hangup`);
  await a1.waitFor('call.cleared', (d) => d.callId === callId);
  expect(callRow(callId)!.ended_at).toBeNull();
  const health = await fetch(`${w.daemon.url}/health`);
  expect(health.status).toBe(200);
  expect(callRow(callId)!.ended_at).toEqual(expect.any(Number));
});
