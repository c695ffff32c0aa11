/**
 * A centre's shift rules, pure: per team, who holds a notReady "slot", whether an agent's own
 * request to go notReady fits the team's `maxNotReady`, and when an agent who stays notReady is
 * due for an `awayTooLong` alert. It takes agent statuses and `now` and returns timer effects
 * (`arm`/`disarm`); running the timers and raising the alert is the caller's business.
 *
 * A slot is held by an agent who is notReady, and also by one who will be once the phone is idle
 * (notReady asked for during a call, or held before the call): otherwise two agents on calls could
 * both ask for a break after the call and both take it past the limit. Only the agent's own
 * request is refused; notReady made by the system (sign-in, `noAnswer`, `daemonRestart`) or by a
 * supervisor is not, but holds a slot all the same. Every change is O(1): the book indexes only
 * the agents who hold a slot or are away, never scans the centre.
 *
 * The away clock starts when the agent becomes notReady and is not reset by a change of reason
 * (break → meeting is still the same time away); one alert per stretch away.
 */
import type { AgentStatus } from './agent-state.ts';

export interface TeamRules {
  /** At most this many agents of the team notReady at once; null: no limit. */
  maxNotReady: number | null;
  /** Alert when an agent stays notReady longer than this, seconds; null: never. */
  awayAlertS: number | null;
}

export type StatusView = Pick<AgentStatus, 'state' | 'reason' | 'since' | 'pending' | 'after'>;

/** Effects: start (or restart) the agent's alert timer to go off at `dueAt`, or stop it. */
export type AlertTimer = { type: 'arm'; agentId: string; dueAt: number } | { type: 'disarm'; agentId: string };

export interface AwayTooLong {
  kind: 'awayTooLong';
  agentId: string;
  team: string;
  state: 'notReady';
  reason: string | null;
  /** When the agent became notReady (ms epoch). */
  since: number;
  thresholdS: number;
}

export interface Refusal {
  team: string;
  maxNotReady: number;
  notReady: number;
  message: string;
}

interface Away {
  since: number;
  reason: string | null;
  /** When the alert is due; null when none is (no threshold, or already raised). */
  dueAt: number | null;
  alerted: boolean;
}

interface Entry {
  team: string | null;
  slot: boolean;
  away: Away | null;
}

/** Notready now, or as soon as the current call ends. */
export function holdsSlot(s: Pick<AgentStatus, 'state' | 'pending' | 'after'>): boolean {
  if (s.state === 'notReady') return true;
  if (s.state !== 'busy' && s.state !== 'reserved') return false;
  return (s.pending ?? s.after)?.state === 'notReady';
}

export class ShiftBook {
  private rules: ReadonlyMap<string, TeamRules> = new Map();
  private readonly entries = new Map<string, Entry>();
  /** Team → agents holding a notReady slot. */
  private readonly slots = new Map<string, Set<string>>();

  /** How many agents of `team` hold a notReady slot. */
  notReady(team: string): number {
    return this.slots.get(team)?.size ?? 0;
  }

  rulesOf(team: string | null): TeamRules | undefined {
    return team === null ? undefined : this.rules.get(team);
  }

  /**
   * Would the agent's own move to `next` break its team's limit? Null when it may. Keeping a slot
   * already held (a new reason, a break asked for again during a call) is never refused.
   */
  refusal(agentId: string, team: string | null, next: Pick<AgentStatus, 'state' | 'pending' | 'after'>): Refusal | null {
    if (team === null || this.entries.get(agentId)?.slot || !holdsSlot(next)) return null;
    const max = this.rules.get(team)?.maxNotReady ?? null;
    const n = this.notReady(team);
    if (max === null || n < max) return null;
    const message = `team ${team} already has ${n} agent${n === 1 ? '' : 's'} not ready, its limit (maxNotReady ${max}); a supervisor can override`;
    return { team, maxNotReady: max, notReady: n, message };
  }

  /** Records the agent's status now in force (any change, including loggedOut). */
  update(agentId: string, team: string | null, s: StatusView): AlertTimer[] {
    const prev = this.entries.get(agentId);
    const slot = holdsSlot(s);
    this.moveSlot(agentId, prev?.slot ? prev.team : null, slot ? team : null);

    const effects: AlertTimer[] = [];
    let away: Away | null = null;
    if (s.state === 'notReady') {
      if (prev?.away) away = { ...prev.away, reason: s.reason };
      else {
        away = { since: s.since, reason: s.reason, dueAt: this.dueAt(team, s.since), alerted: false };
        if (away.dueAt !== null) effects.push({ type: 'arm', agentId, dueAt: away.dueAt });
      }
    } else if (prev?.away && prev.away.dueAt !== null) effects.push({ type: 'disarm', agentId });

    if (slot || away) this.entries.set(agentId, { team, slot, away });
    else this.entries.delete(agentId);
    return effects;
  }

  /**
   * New rules (and perhaps new teams for agents): the agents the book holds are counted under
   * their team now, and their alert timers follow the new thresholds. A stretch away already
   * alerted is not alerted again; one now past a lowered threshold is due at once.
   */
  configure(rules: ReadonlyMap<string, TeamRules>, teamOf: (agentId: string) => string | null): AlertTimer[] {
    this.rules = rules;
    const effects: AlertTimer[] = [];
    for (const [agentId, e] of this.entries) {
      const team = teamOf(agentId);
      if (e.slot) this.moveSlot(agentId, e.team, team);
      e.team = team;
      if (!e.away || e.away.alerted) continue;
      const dueAt = this.dueAt(team, e.away.since);
      if (dueAt === e.away.dueAt) continue;
      effects.push(dueAt === null ? { type: 'disarm', agentId } : { type: 'arm', agentId, dueAt });
      e.away.dueAt = dueAt;
    }
    return effects;
  }

  /** The agent's alert timer went off: the alert to raise (once), or null when none is due. */
  due(agentId: string, now: number): AwayTooLong | null {
    const e = this.entries.get(agentId);
    const away = e?.away;
    if (!e || !away || e.team === null || away.dueAt === null || away.dueAt > now) return null;
    away.dueAt = null;
    away.alerted = true;
    const thresholdS = this.rules.get(e.team)?.awayAlertS ?? 0;
    return { kind: 'awayTooLong', agentId, team: e.team, state: 'notReady', reason: away.reason, since: away.since, thresholdS };
  }

  private dueAt(team: string | null, since: number): number | null {
    const s = this.rulesOf(team)?.awayAlertS ?? null;
    return s === null ? null : since + s * 1000;
  }

  private moveSlot(agentId: string, from: string | null, to: string | null): void {
    if (from === to) return;
    if (from !== null) {
      const set = this.slots.get(from);
      set?.delete(agentId);
      if (set?.size === 0) this.slots.delete(from);
    }
    if (to !== null) {
      let set = this.slots.get(to);
      if (!set) this.slots.set(to, (set = new Set()));
      set.add(agentId);
    }
  }
}
