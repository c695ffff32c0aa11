/**
 * Occupancy from the agent state log (src/reports/occupancy.ts), by hand over the hour
 * 10:00–11:00: ann is ready 10 min (from 09:50, clipped), busy 20, wrapping 5, not ready 5,
 * reserved 1 → (20 + 5) / (20 + 5 + 11); bob is ready from 10:50 and still is → 0; cy has no team.
 */
import { describe, expect, it } from 'vitest';
import { OccupancyAccumulator, type AgentStateSpan } from '../../src/reports/occupancy.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const M = 60_000;
const span = (agent: string, team: string | null, state: AgentStateSpan['state'], fromMin: number, toMin: number | null): AgentStateSpan => ({ agent, team, state, startedAt: T0 + fromMin * M, endedAt: toMin === null ? null : T0 + toMin * M });

describe('OccupancyAccumulator', () => {
  const acc = new OccupancyAccumulator(T0, T0 + 60 * M);
  for (const s of [
    span('ann', 'blue', 'loggedOut', -120, -10),
    span('ann', 'blue', 'ready', -10, 10),
    span('ann', 'blue', 'busy', 10, 30),
    span('ann', 'blue', 'workingAfterCall', 30, 35),
    span('ann', 'blue', 'notReady', 35, 40),
    span('ann', 'blue', 'reserved', 40, 41),
    span('bob', 'blue', 'ready', 50, null),
    span('cy', null, 'busy', 0, 30),
    span('cy', null, 'ready', 30, 60),
    span('cy', null, 'busy', 60, 70),
  ])
    acc.add(s);
  const r = acc.result();

  it('per agent: (busy + wrap) / (busy + wrap + ready + reserved), spans clipped to the hour', () => {
    expect(r.agents).toEqual([
      { agent: 'ann', team: 'blue', busyMs: 20 * M, wrapMs: 5 * M, availableMs: 11 * M, notReadyMs: 5 * M, signedInMs: 41 * M, occupancy: 25 / 36 },
      { agent: 'bob', team: 'blue', busyMs: 0, wrapMs: 0, availableMs: 10 * M, notReadyMs: 0, signedInMs: 10 * M, occupancy: 0 },
      { agent: 'cy', team: null, busyMs: 30 * M, wrapMs: 0, availableMs: 30 * M, notReadyMs: 0, signedInMs: 60 * M, occupancy: 0.5 },
    ]);
  });

  it('per team and overall', () => {
    expect(r.teams).toEqual([{ team: 'blue', busyMs: 20 * M, wrapMs: 5 * M, availableMs: 21 * M, notReadyMs: 5 * M, signedInMs: 51 * M, occupancy: 25 / 46 }]);
    expect(r.total.occupancy).toBeCloseTo(55 / 106, 12);
  });

  it('nobody signed in: null, not NaN', () => {
    expect(new OccupancyAccumulator(T0, T0 + M).result()).toEqual({ agents: [], teams: [], total: { busyMs: 0, wrapMs: 0, availableMs: 0, notReadyMs: 0, signedInMs: 0, occupancy: null } });
  });
});
