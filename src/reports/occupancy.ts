/**
 * Agent occupancy from the agent state log, pure and streaming: the share of the time an agent
 * was ready for calls that went on calls and their wrap-up,
 * (busy + workingAfterCall) / (busy + workingAfterCall + ready + reserved), per agent, per team
 * and overall. `busy` is talk and hold together; `reserved` (a call ringing at the agent) counts
 * as available, since the agent is not yet working it; notReady and loggedOut are out of both
 * sides. Spans are clipped to the report's [from, to); a span still open ends at `to`.
 */
import type { AgentState } from '../core/agents/agent-state.ts';

/** One row of the agent state log. */
export interface AgentStateSpan {
  agent: string;
  team?: string | null;
  state: AgentState;
  startedAt: number;
  /** Null: still in this state. */
  endedAt: number | null;
}

export interface StateTimes {
  /** On a call (talk + hold), ms. */
  busyMs: number;
  /** Wrap-up, ms. */
  wrapMs: number;
  /** Ready or reserved, ms. */
  availableMs: number;
  notReadyMs: number;
  /** Signed in at all: the four above, ms. */
  signedInMs: number;
  /** (busy + wrap) / (busy + wrap + available); null when all three are 0. */
  occupancy: number | null;
}

interface Sums {
  busyMs: number;
  wrapMs: number;
  availableMs: number;
  notReadyMs: number;
}

const zero = (): Sums => ({ busyMs: 0, wrapMs: 0, availableMs: 0, notReadyMs: 0 });

function bucketOf(state: AgentState): keyof Sums | null {
  switch (state) {
    case 'busy':
      return 'busyMs';
    case 'workingAfterCall':
      return 'wrapMs';
    case 'ready':
    case 'reserved':
      return 'availableMs';
    case 'notReady':
      return 'notReadyMs';
    case 'loggedOut':
      return null;
  }
}

function timesOf(s: Sums): StateTimes {
  const working = s.busyMs + s.wrapMs;
  const denom = working + s.availableMs;
  return { ...s, signedInMs: denom + s.notReadyMs, occupancy: denom > 0 ? working / denom : null };
}

export interface OccupancyReport {
  /** By agent, sorted. */
  agents: Array<{ agent: string; team: string | null } & StateTimes>;
  /** By team, sorted; agents without one are only in `total`. */
  teams: Array<{ team: string } & StateTimes>;
  total: StateTimes;
}

export class OccupancyAccumulator {
  private readonly agents = new Map<string, { team: string | null; sums: Sums }>();
  private readonly teams = new Map<string, Sums>();
  private readonly total = zero();

  constructor(
    readonly from: number,
    readonly to: number,
  ) {}

  add(span: AgentStateSpan): void {
    const key = bucketOf(span.state);
    if (key === null) return;
    const ms = Math.min(span.endedAt ?? this.to, this.to) - Math.max(span.startedAt, this.from);
    if (!(ms > 0)) return;
    const team = span.team ?? null;
    let a = this.agents.get(span.agent);
    if (!a) {
      a = { team, sums: zero() };
      this.agents.set(span.agent, a);
    }
    if (team !== null) a.team = team;
    a.sums[key] += ms;
    if (team !== null) {
      let t = this.teams.get(team);
      if (!t) {
        t = zero();
        this.teams.set(team, t);
      }
      t[key] += ms;
    }
    this.total[key] += ms;
  }

  result(): OccupancyReport {
    return {
      agents: [...this.agents.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([agent, a]) => ({ agent, team: a.team, ...timesOf(a.sums) })),
      teams: [...this.teams.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([team, t]) => ({ team, ...timesOf(t) })),
      total: timesOf(this.total),
    };
  }
}
