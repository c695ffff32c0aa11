/**
 * Agents' presence: signs agents in and out at their phones, keeps each agent's state machine, and
 * writes every change to the state log and to the clients. Phone activity (alerting, on a call,
 * idle) comes from the call service; the agent's own choices from the gateway. Wrap-up timers are
 * the only timers here. The centre's shift rules see every status held and may refuse the agent's
 * own choices (`choose`), never a supervisor's or the daemon's (`setState`).
 */
import type { Logger } from 'pino';
import { transition, loggedOut, type AgentInput, type AgentStatus, type PhoneActivity, type SelectableState } from '../core/agents/agent-state.ts';
import { AppError, invalidState, notFound, conflict } from '../core/errors.ts';
import type { PbxPort } from '../core/pbx-port.ts';
import type { Directory } from './directory.ts';
import type { AgentStateLog, Clock, Notifier, Timers } from './ports.ts';

export interface PresenceDeps {
  directory: Directory;
  pbx: PbxPort;
  stateLog: AgentStateLog;
  notifier: Notifier;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** Called after every state change (routing listens for `ready`). */
  onChange: (agentId: string, status: AgentStatus) => void;
  shiftRules: PresenceRules;
  /** The phone an agent signs in at must be usable (phones.ts); throws the API's error if not. */
  checkPhone(extension: string): Promise<void>;
  /** True while the switch says the phone is out of service: nobody goes ready there. */
  phoneOutOfService(extension: string): boolean;
}

/** Reasons of the notReady the daemon sets when the agent's phone goes away, and comes back. */
export const PHONE_OUT_OF_SERVICE = 'phoneOutOfService';
export const PHONE_BACK_IN_SERVICE = 'phoneBackInService';
/** Reason of the notReady of agents kept signed in across a daemon restart. */
export const DAEMON_RESTART = 'daemonRestart';

/** The state an agent gets back after a restart: what it chose (wrap-up is over: ready); a
 * notReady the daemon set at the previous restart stays. */
function resumableState(prior: { state: string; reason: string | null } | null): { state: SelectableState; reason: string | null } | null {
  if (!prior) return null;
  if (prior.state === 'ready' || prior.state === 'workingAfterCall') return { state: 'ready', reason: null };
  if (prior.state === 'notReady' && prior.reason !== DAEMON_RESTART) return { state: 'notReady', reason: prior.reason };
  return null;
}

/** The centre's shift rules (src/services/shift-rules.ts), as presence uses them. */
export interface PresenceRules {
  /** Throws (CONFLICT) when the agent's own move to `next` breaks a rule. */
  admit(agentId: string, next: AgentStatus): void;
  /** Every status held for the agent, changed or not (a pending choice changes no state). */
  changed(agentId: string, status: AgentStatus): void;
}

export class PresenceService {
  private readonly statuses = new Map<string, AgentStatus>();
  private readonly byExt = new Map<string, string>();
  private readonly wrapTimers = new Map<string, unknown>();
  /** The state each agent restored after a restart had chosen, until its session resumes. */
  private readonly beforeRestart = new Map<string, { state: SelectableState; reason: string | null }>();

  constructor(private readonly d: PresenceDeps) {}

  status(agentId: string): AgentStatus {
    return this.statuses.get(agentId) ?? loggedOut(this.d.clock.now());
  }
  agentAt(extension: string): string | undefined {
    return this.byExt.get(extension);
  }
  signedIn(): IterableIterator<[string, AgentStatus]> {
    return this.statuses.entries();
  }

  async signIn(agentId: string, extension: string): Promise<AgentStatus> {
    if (!this.d.directory.agent(agentId)) throw notFound(`no agent ${agentId}`);
    const kind = this.d.directory.deviceKind(extension);
    if (kind !== 'agentPhone') throw invalidState(`${extension} is not a phone extension`);
    const check = () => {
      const holder = this.byExt.get(extension);
      if (holder && holder !== agentId) throw conflict(`extension ${extension} is in use by ${holder}`);
      const r = transition(this.status(agentId), { type: 'signIn', extension }, this.d.clock.now());
      if (!r.ok) throw invalidState(r.message);
      return r;
    };
    if (!check().changed) return this.status(agentId);
    await this.d.checkPhone(extension);
    // Checked again: the phone check waited on the switch.
    const r = check();
    if (r.changed) {
      this.byExt.set(extension, agentId);
      this.commit(agentId, r.status);
      this.toSwitch(extension, 'loggedOn', agentId);
      this.toSwitch(extension, 'notReady', agentId);
    }
    return r.status;
  }

  /**
   * After a daemon restart: agents who were signed in stay signed in at their phone, notReady with
   * reason `daemonRestart` (nobody is sent calls at a desk that may be empty). A call still up at
   * their phone makes them busy as soon as the switch snapshot is in. `prior` is the state the
   * agent had last chosen: when its softphone resumes its session within RESUME_GRACE_S
   * (`resumeAfterRestart`) it gets that state back — a ready agent is ready again — otherwise it
   * chooses again.
   */
  restore(agentId: string, extension: string, prior: { state: string; reason: string | null } | null = null): boolean {
    if (!this.d.directory.agent(agentId) || this.byExt.has(extension) || this.status(agentId).state !== 'loggedOut') return false;
    if (this.d.directory.deviceKind(extension) !== 'agentPhone') return false;
    const now = this.d.clock.now();
    this.byExt.set(extension, agentId);
    this.commit(agentId, { ...loggedOut(now), state: 'notReady', reason: DAEMON_RESTART, extension });
    const back = resumableState(prior);
    if (back) this.beforeRestart.set(agentId, back);
    return true;
  }

  /**
   * The agent's session came back after a restart, within the grace: the agent gets the state it
   * had before (after its call, if the switch still has one at its phone), unless it or a
   * supervisor has set another since. True when a state was given back.
   */
  resumeAfterRestart(agentId: string): boolean {
    const back = this.beforeRestart.get(agentId);
    this.beforeRestart.delete(agentId);
    if (!back) return false;
    const s = this.status(agentId);
    const untouched =
      (s.state === 'notReady' && s.reason === DAEMON_RESTART) ||
      ((s.state === 'busy' || s.state === 'reserved') && s.pending === null && s.after?.reason === DAEMON_RESTART);
    if (!untouched) return false;
    try {
      this.set(agentId, back.state, back.reason, 0, false);
    } catch (err) {
      // The phone went out of service meanwhile: the agent stays notReady.
      this.d.log.info({ agentId, state: back.state, err: (err as Error).message }, 'state before the restart not given back');
      return false;
    }
    this.d.log.info({ agentId, state: back.state, reason: back.reason }, 'agent state before the restart given back');
    return true;
  }

  async signOut(agentId: string, force = false): Promise<AgentStatus> {
    const prev = this.status(agentId);
    this.beforeRestart.delete(agentId);
    const r = transition(prev, { type: 'signOut', force }, this.d.clock.now());
    if (!r.ok) throw invalidState(r.message);
    if (r.changed && prev.extension) {
      this.byExt.delete(prev.extension);
      this.toSwitch(prev.extension, 'loggedOff', agentId);
    }
    if (r.changed) this.commit(agentId, r.status);
    return r.status;
  }

  /** A state set by a supervisor or by the daemon itself (e.g. `noAnswer`): shift rules do not refuse it. */
  setState(agentId: string, state: SelectableState, reason: string | null, wrapUpMs = 0): { status: AgentStatus; pending: boolean } {
    return this.set(agentId, state, reason, wrapUpMs, false);
  }

  /** The agent's own choice (agent.setState): the team's shift rules may refuse it with CONFLICT. */
  choose(agentId: string, state: SelectableState, reason: string | null): { status: AgentStatus; pending: boolean } {
    return this.set(agentId, state, reason, 0, true);
  }

  private set(agentId: string, state: SelectableState, reason: string | null, wrapUpMs: number, own: boolean): { status: AgentStatus; pending: boolean } {
    const ext = this.status(agentId).extension;
    if (state === 'ready' && ext && this.d.phoneOutOfService(ext)) throw invalidState(`phone ${ext} is out of service at the switch; no calls can reach it`);
    const r = transition(this.status(agentId), { type: 'setState', state, reason, wrapUpMs }, this.d.clock.now());
    if (!r.ok) throw invalidState(r.message);
    if (own) this.d.shiftRules.admit(agentId, r.status);
    if (r.changed) this.commit(agentId, r.status);
    else this.keep(agentId, r.status);
    if (r.changed && r.status.extension) this.toSwitch(r.status.extension, state, agentId);
    return { status: r.status, pending: r.pending === true };
  }

  /** The call service tells what the phone at `extension` is doing now. */
  phone(extension: string, activity: PhoneActivity, wrapUpMs: number, callId: string | null): void {
    const agentId = this.byExt.get(extension);
    if (!agentId) return;
    this.apply(agentId, { type: 'phone', activity, wrapUpMs }, callId);
  }

  /** The switch says the phone at `extension` went out of service (unplugged) or came back. Out:
   * its agent is notReady `phoneOutOfService` (after the call, if on one: the switch drops it
   * anyway). Back: still notReady, reason `phoneBackInService`; the agent chooses ready. */
  phoneService(extension: string, inService: boolean): void {
    const agentId = this.byExt.get(extension);
    if (!agentId) return;
    const s = this.status(agentId);
    if (!inService) {
      if (s.state === 'notReady' && s.reason === PHONE_OUT_OF_SERVICE) return;
      this.d.log.warn({ agentId, extension }, 'agent phone out of service; agent notReady');
      this.set(agentId, 'notReady', PHONE_OUT_OF_SERVICE, 0, false);
      return;
    }
    const outNow = s.state === 'notReady' && s.reason === PHONE_OUT_OF_SERVICE;
    const outAfterCall = s.pending?.state === 'notReady' && s.pending.reason === PHONE_OUT_OF_SERVICE;
    if (!outNow && !outAfterCall) return;
    this.d.log.info({ agentId, extension }, 'agent phone back in service');
    this.set(agentId, 'notReady', PHONE_BACK_IN_SERVICE, 0, false);
  }

  /** The phones agents are signed in at. */
  *signedInPhones(): Iterable<string> {
    yield* this.byExt.keys();
  }

  /** Re-logs every signed-in agent at the switch (after a reconnect or a switch restart). */
  resyncSwitch(): void {
    for (const [agentId, s] of this.statuses) {
      if (s.state === 'loggedOut' || !s.extension) continue;
      this.toSwitch(s.extension, 'loggedOn', agentId);
      const sw = s.state === 'ready' ? 'ready' : s.state === 'workingAfterCall' ? 'workingAfterCall' : s.state === 'notReady' ? 'notReady' : null;
      if (sw) this.toSwitch(s.extension, sw, agentId);
    }
  }

  close(): void {
    for (const t of this.wrapTimers.values()) this.d.timers.clearTimeout(t);
    this.wrapTimers.clear();
  }

  private apply(agentId: string, input: AgentInput, callId: string | null): void {
    const r = transition(this.status(agentId), input, this.d.clock.now());
    if (!r.ok) {
      this.d.log.warn({ agentId, input, reason: r.message }, 'agent transition refused');
      return;
    }
    if (r.changed) this.commit(agentId, r.status, callId);
    else this.keep(agentId, r.status);
  }

  private keep(agentId: string, status: AgentStatus): void {
    this.statuses.set(agentId, status);
    this.d.shiftRules.changed(agentId, status);
  }

  private commit(agentId: string, status: AgentStatus, callId: string | null = null): void {
    this.keep(agentId, status);
    this.d.stateLog.append({ agent: agentId, state: status.state, reason: status.reason, startedAt: status.since, callId, extension: status.extension });
    const data = { agentId, state: status.state, reason: status.reason, since: new Date(status.since).toISOString(), extension: status.extension };
    this.d.notifier.publish('agent.state', data, { users: [agentId], subscribers: true });
    this.d.log.info({ agentId, state: status.state, reason: status.reason, callId }, 'agent state');
    this.armWrapUp(agentId, status);
    this.d.onChange(agentId, status);
  }

  private armWrapUp(agentId: string, status: AgentStatus): void {
    const old = this.wrapTimers.get(agentId);
    if (old !== undefined) {
      this.d.timers.clearTimeout(old);
      this.wrapTimers.delete(agentId);
    }
    if (status.state !== 'workingAfterCall' || status.wrapUpUntil === null) return;
    const ms = Math.max(0, status.wrapUpUntil - this.d.clock.now());
    this.wrapTimers.set(
      agentId,
      this.d.timers.setTimeout(() => {
        this.wrapTimers.delete(agentId);
        this.apply(agentId, { type: 'wrapUpExpired' }, null);
      }, ms),
    );
  }

  /** Mirrors the agent state at the switch; the daemon's state is the truth, so a failure is
   * logged, not fatal (it is replayed by resyncSwitch after a reconnect). */
  private toSwitch(extension: string, state: 'loggedOn' | 'loggedOff' | 'ready' | 'notReady' | 'workingAfterCall', agentId: string): void {
    if (!this.d.pbx.linkUp) return;
    this.d.pbx.setAgentState(extension, state, agentId).catch((err: unknown) => {
      const code = err instanceof AppError ? err.code : (err as { code?: string }).code;
      this.d.log.warn({ agentId, extension, state, code, err: (err as Error).message }, 'switch agent state not set');
    });
  }
}
