/**
 * The centre's shift rules at work: the pure book (src/core/agents/shift-rules.ts) fed with every
 * agent status presence holds, its team's rules from the `teams` table (loaded at start and on
 * every directory reload), one alert timer per agent away. It refuses an agent's own notReady
 * beyond the team's limit with CONFLICT, and tells subscribed supervisors (`supervisor.subscribe`)
 * with a `supervisor.alert` event when an agent stays notReady longer than the team allows.
 */
import type { Logger } from 'pino';
import type { AgentStatus } from '../core/agents/agent-state.ts';
import { ShiftBook, type AlertTimer, type TeamRules } from '../core/agents/shift-rules.ts';
import { AppError } from '../core/errors.ts';
import type { Clock, Notifier, Timers } from './ports.ts';

export interface ShiftRulesDeps {
  /** The agent's team now (the directory's `team`). */
  teamOf(agentId: string): string | null;
  notifier: Notifier;
  clock: Clock;
  timers: Timers;
  log: Logger;
}

export type TeamRulesRow = TeamRules & { name: string };

export class ShiftRulesService {
  private readonly book = new ShiftBook();
  private readonly timers = new Map<string, unknown>();

  constructor(private readonly d: ShiftRulesDeps) {}

  /** The teams' rules (at start and after every directory reload, agents' teams included). */
  load(teams: readonly TeamRulesRow[]): void {
    const rules = new Map(teams.map((t) => [t.name, { maxNotReady: t.maxNotReady, awayAlertS: t.awayAlertS }]));
    this.run(this.book.configure(rules, (agentId) => this.d.teamOf(agentId)));
  }

  /** The agent's own move to `next`: CONFLICT when its team already has its limit notReady. */
  admit(agentId: string, next: AgentStatus): void {
    const r = this.book.refusal(agentId, this.d.teamOf(agentId), next);
    if (!r) return;
    this.d.log.info({ agentId, team: r.team, maxNotReady: r.maxNotReady, notReady: r.notReady }, 'notReady refused: team at its limit');
    throw new AppError('CONFLICT', r.message, { team: r.team, maxNotReady: r.maxNotReady, notReady: r.notReady });
  }

  /** Every status presence holds for the agent, as it changes. */
  changed(agentId: string, status: AgentStatus): void {
    this.run(this.book.update(agentId, this.d.teamOf(agentId), status));
  }

  /** Agents of `team` notReady (or to be after their call). */
  notReady(team: string): number {
    return this.book.notReady(team);
  }

  close(): void {
    for (const t of this.timers.values()) this.d.timers.clearTimeout(t);
    this.timers.clear();
  }

  private run(effects: AlertTimer[]): void {
    for (const e of effects) {
      const old = this.timers.get(e.agentId);
      if (old !== undefined) this.d.timers.clearTimeout(old);
      this.timers.delete(e.agentId);
      if (e.type === 'disarm') continue;
      const { agentId, dueAt } = e;
      const handle = this.d.timers.setTimeout(() => this.fire(agentId, dueAt), Math.max(0, dueAt - this.d.clock.now()));
      this.timers.set(agentId, handle);
    }
  }

  private fire(agentId: string, dueAt: number): void {
    this.timers.delete(agentId);
    // The timer going off is what says the time has come: a timer may fire a millisecond before
    // the wall clock reads dueAt.
    const alert = this.book.due(agentId, Math.max(this.d.clock.now(), dueAt));
    if (!alert) return;
    const data = { ...alert, since: new Date(alert.since).toISOString() };
    this.d.log.warn({ agentId, team: alert.team, reason: alert.reason, since: data.since, thresholdS: alert.thresholdS }, 'agent away too long');
    this.d.notifier.publish('supervisor.alert', data, { subscribers: true });
  }
}
