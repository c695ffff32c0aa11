/**
 * Group commit (DB_GROUP_COMMIT=1, docs/storage.md): a turn's history writes are committed
 * together at the end of the turn, and nothing a client sees leaves before the rows behind it are
 * committed — an answer to a request commits first, and the frames pushed to agents are held to
 * the end of the turn, after its commit. The end of a turn is driven by the test here (`held`), so
 * what reaches the database, and when a frame leaves, is in its hands; a second connection reads
 * the file as another process would.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
const held: (() => void)[] = [];
const endTurns = () => {
  for (const fn of held.splice(0)) fn();
};
/** Ends the daemon's turns every `ms` (its event loop at a slower pace), until stopped. */
let pump: ReturnType<typeof setInterval> | null = null;
const pumpEvery = (ms: number) => {
  pump = setInterval(endTurns, ms);
};
const stopPump = () => {
  if (pump) clearInterval(pump);
  pump = null;
};

beforeAll(async () => {
  w = await startWorld({ config: { dbGroupCommit: true }, groupCommitDefer: (fn) => void held.push(fn) });
});
afterEach(stopPump);
afterAll(async () => {
  stopPump();
  endTurns();
  await w?.close();
});

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
const ringing = async () => {
  const text = await (await fetch(`${w.daemon.url}/metrics`)).text();
  return Number(/^switchboard_calls\{state="ringing"\} (\d+)/m.exec(text)?.[1] ?? 0);
};

let a1: Awaited<ReturnType<World['readyAgent']>>;

it('an answer leaves after what its request wrote is committed (no turn has ended yet)', async () => {
  a1 = await w.readyAgent('a1001');
  expect(lastState('a1001')).toBe('ready');
});

it('a pushed event waits for the end of its turn, and leaves after the turn is committed', async () => {
  const a2 = a1;
  // With the turns held, the offer is made in the daemon (its scrape says the call rings; the
  // scrape's own response committed the rows) but its frame is still held.
  await w.dial('13900000931', '8000');
  await eventually(async () => (await ringing()) === 1, 5000);
  expect(a2.events.some((e) => e.event === 'call.offered')).toBe(false);
  endTurns();
  const offer = await a2.waitFor('call.offered');
  const callId = offer.data.callId as string;
  expect(callRow(callId)).toMatchObject({ answered_at: null });

  // At the daemon's own pace again (slower here, so a frame sent before its commit would be seen
  // before its row): each event arrives with its rows already committed.
  pumpEvery(50);
  await a2.call('call.answer', { callId });
  await a2.waitFor('call.established', (d) => d.callId === callId);
  expect(callRow(callId)).toMatchObject({ first_agent: 'a1001', answered_at: expect.any(Number) });
  await w.simApi('POST', `/sim/calls/${(await w.simApi('GET', '/sim/calls')).calls[0].simCallId}/hangup`);
  await a2.waitFor('call.cleared', (d) => d.callId === callId);
  expect(callRow(callId)!.ended_at).toEqual(expect.any(Number));
  await a2.waitFor('agent.state', (d) => d.state === 'ready' || d.state === 'wrapUp');
  expect(['ready', 'wrapUp']).toContain(lastState('a1001'));
});
