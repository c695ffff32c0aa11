/**
 * The IVR's writes through the history write path (storage/history-writes.ts): a burst of
 * statistics events is one write and one transaction; a replayed batch (after an ambiguous
 * failure) adds nothing already there; a collected value is stored as given (masked or not), once
 * on replay.
 */
import { afterAll, beforeEach, expect, it } from 'vitest';
import type { IvrStatEvent } from '../../src/ivr/statistics/types.ts';
import { writeHistory } from '../../src/storage/history-writes.ts';
import { openTempDatabase } from '../../src/storage/test-support.ts';

const t = openTempDatabase();
beforeEach(() => t.reset());
afterAll(() => t.dispose());

const ev = (at: number, kind: IvrStatEvent['kind'], extra: Partial<IvrStatEvent> = {}): IvrStatEvent => ({ at, callId: 'c1', flow: 'main', version: 3, node: 'menu', kind, ...extra });

it('a batch of events: one transaction, every field kept; a replay adds nothing twice', () => {
  const events = [ev(1, 'flowEnter', { node: null }), ev(2, 'key'), ev(3, 'flowExit', { outcome: 'voicemail', durationMs: 2 })];
  // Count the transactions better-sqlite3 is asked for.
  let commits = 0;
  const spy = t.sqlite.transaction.bind(t.sqlite);
  t.sqlite.transaction = ((fn: () => unknown) => {
    commits++;
    return spy(fn);
  }) as typeof t.sqlite.transaction;
  writeHistory(t.repos, { kind: 'ivrEvents', events }, false);
  t.sqlite.transaction = spy;
  expect(commits).toBe(1);
  expect([...t.repos.ivrEvents.range('main', 0, 10)]).toEqual(events);
  writeHistory(t.repos, { kind: 'ivrEvents', events: [...events, ev(4, 'timeout')] }, true);
  expect([...t.repos.ivrEvents.range(null, 0, 10)].map((e) => e.at)).toEqual([1, 2, 3, 4]);
});

it('collected values are stored as given, once on replay', () => {
  const entry = { callId: 'c1', flow: 'verify', node: 'pin', name: 'pin', value: '******', masked: true, at: 5 };
  writeHistory(t.repos, { kind: 'ivrCollected', entry }, false);
  writeHistory(t.repos, { kind: 'ivrCollected', entry }, true);
  writeHistory(t.repos, { kind: 'ivrCollected', entry: { ...entry, name: 'customerNumber', node: 'ask', value: '10000001', masked: false, at: 6 } }, false);
  expect(t.repos.ivrCollected.forCall('c1')).toEqual([
    { id: expect.any(Number), ...entry },
    { id: expect.any(Number), callId: 'c1', flow: 'verify', node: 'ask', name: 'customerNumber', value: '10000001', masked: false, at: 6 },
  ]);
});
