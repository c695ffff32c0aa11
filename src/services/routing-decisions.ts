/**
 * The router's decisions carried out: each effect of the ACD router (src/acd, pure) becomes what
 * the switch and the daemon must do — `assign` an offer to the agent's phone (reserved in the offer
 * book, offer-book.ts), `moved` the call to another queue's device, `fallback` the call out of the
 * router (an IVR flow, voicemail, a number), `unroutable` a warning. Every decision is recorded in
 * the decision log (docs/acd.md "Every decision explained"). Time-based rules need one timer, set
 * at the router's next deadline and re-armed after every batch of decisions.
 *
 * A call moved to another queue and assigned in the same decision goes straight to the agent: only
 * its last destination in a batch is sent to the switch.
 */
import type { Logger } from 'pino';
import type { Router } from '../acd/router.ts';
import type { Effect, Target } from '../acd/types.ts';
import type { AgentStatus } from '../core/agents/agent-state.ts';
import type { TrackedCall } from '../core/calls/call.ts';
import { targetNumber } from './acd-config.ts';
import type { CallMover, MoveFailed } from './call-mover.ts';
import type { CallService } from './call-service.ts';
import type { Directory } from './directory.ts';
import type { OfferBook } from './offer-book.ts';
import type { PresenceService } from './presence-service.ts';
import type { Clock, RoutingDecisionLog, RoutingMeter, Timers } from './ports.ts';

export interface RoutingDecisionsDeps {
  router: Router;
  offers: OfferBook;
  mover: CallMover;
  calls: Pick<CallService, 'get'>;
  directory: Directory;
  presence: Pick<PresenceService, 'status'>;
  decisionLog: RoutingDecisionLog;
  /** Counts each decision (GET /metrics). */
  meter?: Pick<RoutingMeter, 'decision'>;
  clock: Clock;
  timers: Timers;
  log: Logger;
  onQueueChanged: (queueId: string) => void;
  /** An offer the switch did not take (offer-outcomes.ts `offerFailed`). */
  offerFailed(agentId: string, call: TrackedCall, reason: string, refused: boolean): void;
  /** The agent's presence, told to the router again (routing-service.ts `presenceChanged`). */
  presenceChanged(agentId: string, status: AgentStatus): void;
  /** A fallback into an IVR flow (`ivr:<flow>`, `voicemail:<mailbox>`): an IVR port reserved for
   * the call, running that flow, with a release for when the move fails; null: none (no such flow,
   * every port busy), and the target's number is used. */
  flowPort?(call: TrackedCall, target: Target): { port: string; release(): void } | null;
}

export class RoutingDecisions {
  private timer: unknown = null;
  private timerAt: number | null = null;

  constructor(private readonly d: RoutingDecisionsDeps) {}

  /** Carries out the router's effects; re-arms the deadline timer. */
  apply(effects: Effect[], trigger: string): void {
    for (let i = 0; i < effects.length; i++) {
      const e = effects[i]!;
      // A call moved to another queue and assigned in the same decision goes straight to the
      // agent: only its last destination in a batch is sent to the switch.
      const superseded = effects.some((later, j) => j > i && later.callId === e.callId && later.kind !== 'unroutable');
      try {
        this.applyOne(e, trigger, superseded);
      } catch (err) {
        this.d.log.error({ err, effect: e.kind, callId: e.callId }, 'routing effect failed');
      }
    }
    this.armTimer();
  }

  /** Sends the call on (call-mover.ts); an offer sent on the routing dialogue keeps its id, so a
   * RouteEnd with an error for that dialogue frees the agent. */
  sendTo(call: TrackedCall, dest: string, onFail?: MoveFailed): void {
    const moved = this.d.mover.sendTo(call, dest, onFail);
    if (moved.via !== 'routeSelect') return;
    for (const offer of this.d.offers.forCall(call)) if (offer.ext === dest) offer.crossRefId = moved.crossRefId;
  }

  /** One timer, at the router's next deadline (a relaxation step, an overflow, a maximum wait). */
  armTimer(): void {
    const next = this.d.router.nextDeadline();
    if (next === this.timerAt) return;
    if (this.timer !== null) this.d.timers.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = next;
    if (next === null) return;
    this.timer = this.d.timers.setTimeout(() => {
      this.timer = null;
      this.timerAt = null;
      this.apply(this.d.router.tick(this.d.clock.now()), 'tick');
    }, Math.max(0, next - this.d.clock.now()));
  }

  /** The daemon stops: the deadline timer is cleared. */
  clear(): void {
    if (this.timer !== null) this.d.timers.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = null;
  }

  private applyOne(e: Effect, trigger: string, superseded: boolean): void {
    const now = this.d.clock.now();
    const call = this.d.calls.get(e.callId);
    const log = this.d.log.child({ callId: e.callId, queue: 'queue' in e ? e.queue : undefined });
    this.record(e, now);
    switch (e.kind) {
      case 'assign': {
        log.debug({ agentId: e.agentId, trigger, explanation: e.explanation }, 'routing decision');
        const ext = this.d.presence.status(e.agentId).extension;
        const queue = this.d.directory.queue(e.queue);
        if (!call || call.endedAt !== null || !ext || !queue) {
          // The router's picture was stale (the call ended, the agent signed out): undo.
          log.warn({ agentId: e.agentId }, 'assignment could not be carried out; undone');
          if (call && call.endedAt === null) this.apply(this.d.router.requeue(e.callId, now, e.agentId), 'requeue');
          else this.d.router.callRemoved(e.callId);
          this.d.presenceChanged(e.agentId, this.d.presence.status(e.agentId));
          return;
        }
        call.queue = e.queue;
        this.d.offers.reserve(e.agentId, call, queue, ext);
        log.info({ agentId: e.agentId, rule: e.explanation.rule, considered: e.explanation.considered, tieBreak: e.explanation.tieBreak }, 'call to agent');
        this.sendTo(call, ext, (reason, refused) => this.d.offerFailed(e.agentId, call, reason, refused));
        this.d.onQueueChanged(e.queue);
        return;
      }
      case 'moved': {
        log.info({ from: e.from, to: e.to, reason: e.reason }, 'call moved to another queue');
        const to = this.d.directory.queue(e.to);
        if (!call || !to) return;
        call.queue = e.to;
        if (!superseded) this.sendTo(call, to.queueDevice);
        this.d.onQueueChanged(e.from);
        this.d.onQueueChanged(e.to);
        return;
      }
      case 'fallback': {
        const flowPort = call && (e.target.kind === 'ivr' || e.target.kind === 'voicemail') ? (this.d.flowPort?.(call, e.target) ?? null) : null;
        const number = flowPort?.port ?? targetNumber(e.target, this.d.directory);
        log.info({ target: e.target, number, reason: e.reason }, 'call leaves the queue for its fallback');
        this.d.onQueueChanged(e.queue);
        if (!call) return;
        if (!number) {
          log.warn({ target: e.target }, 'fallback target has no number on the switch; the call stays where it is');
          return;
        }
        call.outcome = e.reason === 'maxWait' ? 'maxWait' : 'overflow';
        this.sendTo(call, number, () => {
          call.outcome = null;
          flowPort?.release();
        });
        return;
      }
      case 'unroutable':
        log.warn({ reason: e.reason }, 'call has no queue the router knows');
        return;
    }
  }

  private record(e: Effect, at: number): void {
    this.d.meter?.decision(e.kind);
    try {
      const queueId = e.kind === 'assign' || e.kind === 'fallback' ? e.queue : e.kind === 'moved' ? e.to : null;
      this.d.decisionLog.append({ callId: e.callId, at, kind: e.kind, queueId, agent: e.kind === 'assign' ? e.agentId : null, detail: e as unknown as Record<string, unknown> });
    } catch (err) {
      this.d.log.error({ err, callId: e.callId }, 'routing decision not recorded');
    }
  }
}
