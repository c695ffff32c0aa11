/**
 * IVR statistics aggregation (src/ivr/statistics/aggregate.ts), pure: events of two callers
 * through `main` and one through `verify` give entries, exits by outcome (per flow and per node
 * left from), key presses, timeouts, invalid inputs and the mean time in the flow, per 15 min,
 * hour and day (UTC-aligned), only inside [from, to). The batcher hands events on in batches and
 * drops malformed ones.
 */
import { describe, expect, it } from 'vitest';
import { IvrEventBatcher, aggregateIvrStats, type IvrStatEvent } from '../../src/ivr/statistics/index.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const ev = (dt: number, callId: string, kind: IvrStatEvent['kind'], node: string | null, extra: Partial<IvrStatEvent> = {}, flow = 'main'): IvrStatEvent => ({ at: T0 + dt, callId, flow, version: 1, node, kind, ...extra });

const events: IvrStatEvent[] = [
  // c1: language, menu, key 1 → sales queue after 20 s.
  ev(0, 'c1', 'flowEnter', 'lang'),
  ev(0, 'c1', 'nodeEnter', 'lang'),
  ev(2_000, 'c1', 'key', 'lang'),
  ev(2_000, 'c1', 'nodeEnter', 'menu'),
  ev(10_000, 'c1', 'invalid', 'menu'),
  ev(15_000, 'c1', 'key', 'menu'),
  ev(20_000, 'c1', 'flowExit', 'menu', { outcome: 'queue', durationMs: 20_000 }),
  // c2, 20 minutes later: silent at the language choice, then hangs up in the menu after 40 s.
  ev(1_200_000, 'c2', 'flowEnter', 'lang'),
  ev(1_200_000, 'c2', 'nodeEnter', 'lang'),
  ev(1_205_000, 'c2', 'timeout', 'lang'),
  ev(1_205_000, 'c2', 'nodeEnter', 'menu', { version: 2 }),
  ev(1_240_000, 'c2', 'flowExit', 'menu', { outcome: 'abandoned', durationMs: 40_000, version: 2 }),
  // Another flow.
  ev(60_000, 'c3', 'flowEnter', 'pin', {}, 'verify'),
  ev(90_000, 'c3', 'flowExit', 'pin', { outcome: 'returned', durationMs: 30_000 }, 'verify'),
  // Outside the range.
  ev(-1, 'c0', 'flowEnter', 'lang'),
  ev(86_400_000, 'c9', 'flowEnter', 'lang'),
];

describe('aggregateIvrStats', () => {
  const from = T0;
  const to = T0 + 86_400_000;

  it('totals per flow: entries, exits by outcome, keys, timeouts, invalid, mean time', () => {
    const r = aggregateIvrStats(events, from, to, '1h');
    expect(r.flows.map((f) => f.flow)).toEqual(['main', 'verify']);
    const main = r.flows[0]!;
    expect(main.versions).toEqual([1, 2]);
    expect(main.totals).toMatchObject({ entries: 2, keys: 2, timeouts: 1, invalid: 1, avgTimeInFlowMs: 30_000 });
    expect(main.totals.exits).toEqual({ queue: 1, agent: 0, selfService: 0, voicemail: 0, transfer: 0, abandoned: 1, hangup: 0, error: 0, returned: 0 });
    expect(r.flows[1]!.totals).toMatchObject({ entries: 1, avgTimeInFlowMs: 30_000, exits: expect.objectContaining({ returned: 1 }) });
  });

  it('per node: entries, keys, timeouts, invalid, and exits from the node left from', () => {
    const main = aggregateIvrStats(events, from, to, '1d').flows[0]!;
    expect(main.totals.nodes).toEqual([
      { node: 'lang', entries: 2, exits: {}, keys: 1, timeouts: 1, invalid: 0 },
      { node: 'menu', entries: 2, exits: { queue: 1, abandoned: 1 }, keys: 1, timeouts: 0, invalid: 1 },
    ]);
  });

  it('intervals: aligned on UTC, only those with events, each with its own figures', () => {
    const q = aggregateIvrStats(events, from, to, '15m').flows[0]!;
    expect(q.intervals.map((i) => new Date(i.start).toISOString())).toEqual(['2026-12-01T10:00:00.000Z', '2026-12-01T10:15:00.000Z']);
    expect(q.intervals[0]).toMatchObject({ entries: 1, keys: 2, invalid: 1, timeouts: 0, avgTimeInFlowMs: 20_000 });
    expect(q.intervals[1]).toMatchObject({ entries: 1, keys: 0, timeouts: 1, avgTimeInFlowMs: 40_000 });
    const h = aggregateIvrStats(events, from, to, '1h').flows[0]!;
    expect(h.intervals).toHaveLength(1);
    expect(h.intervals[0]!.start).toBe(T0);
    const d = aggregateIvrStats(events, from, to, '1d').flows[0]!;
    expect(new Date(d.intervals[0]!.start).toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('nothing in range: no flows; a flowExit without a duration counts but does not move the mean', () => {
    expect(aggregateIvrStats(events, T0 - 10, T0 - 5, '1h').flows).toEqual([]);
    const r = aggregateIvrStats([ev(0, 'x', 'flowExit', null, { outcome: 'hangup' })], T0, T0 + 1, '1h').flows[0]!;
    expect(r.totals).toMatchObject({ avgTimeInFlowMs: null, nodes: [], exits: expect.objectContaining({ hangup: 1 }) });
  });
});

describe('IvrEventBatcher', () => {
  it('hands on one batch per turn, or at maxBatch; drops malformed events', () => {
    const batches: IvrStatEvent[][] = [];
    const pending: (() => void)[] = [];
    const warnings: object[] = [];
    const b = new IvrEventBatcher({
      submit: (e) => batches.push(e),
      timers: { setTimeout: (fn) => pending.push(fn), clearTimeout: () => undefined },
      log: { error: () => undefined, warn: (o) => warnings.push(o) },
      maxBatch: 3,
    });
    b.record(ev(0, 'a', 'flowEnter', 'lang'));
    b.record(ev(1, 'a', 'nodeEnter', 'lang'));
    expect(batches).toHaveLength(0);
    pending.shift()!();
    expect(batches.map((x) => x.length)).toEqual([2]);
    for (let i = 0; i < 4; i++) b.record(ev(i, 'b', 'key', 'menu'));
    expect(batches.map((x) => x.length)).toEqual([2, 3]);
    b.record({ ...ev(0, 'c', 'key', 'menu'), kind: 'dance' as IvrStatEvent['kind'] });
    b.close();
    expect(batches.map((x) => x.length)).toEqual([2, 3, 1]);
    expect(b.droppedCount()).toBe(1);
    expect(warnings).toEqual([{ problem: 'kind dance', dropped: 1 }]);
  });
});
