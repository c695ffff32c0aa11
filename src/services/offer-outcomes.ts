/**
 * Offer outcomes: what happens when an offer to an agent ends without an answer. It rang out
 * (the queue's ring timeout), it never reached the phone, the switch refused it or did not answer
 * the command in time, or the agent was signed out while it rang. The call goes back to its place
 * in the queue (the router keeps its queuedAt), where the router may give it to another agent at
 * once; the agent is freed, or counts a miss, and after `maxMisses` misses in a row goes notReady
 * (`noAnswer`, `offerRefused`), or notReady `phoneOutOfService` when the switch says the phone is
 * gone, so a phone that cannot take calls never stays first in line.
 *
 * The offer book (offer-book.ts) keeps the offers, their ring timers and the misses; the router's
 * decisions that follow are carried out by routing-decisions.ts.
 */
import type { Logger } from 'pino';
import type { Router } from '../acd/router.ts';
import type { Effect } from '../acd/types.ts';
import type { AgentStatus } from '../core/agents/agent-state.ts';
import type { TrackedCall } from '../core/calls/call.ts';
import type { PbxPort } from '../core/pbx-port.ts';
import type { CallMover } from './call-mover.ts';
import type { Directory } from './directory.ts';
import type { Offer, OfferBook } from './offer-book.ts';
import type { PresenceService } from './presence-service.ts';
import type { Clock } from './ports.ts';

export interface OfferOutcomesDeps {
  router: Router;
  offers: OfferBook;
  mover: CallMover;
  pbx: Pick<PbxPort, 'linkUp'>;
  directory: Directory;
  presence: Pick<PresenceService, 'status' | 'setState' | 'agentAt'>;
  clock: Clock;
  log: Logger;
  onQueueChanged: (queueId: string) => void;
  /** Carries out the router's decisions (routing-decisions.ts). */
  apply(effects: Effect[], trigger: string): void;
  /** Sends the call to `device` (routing-decisions.ts, through the call mover). */
  sendTo(call: TrackedCall, device: string): void;
  /** The agent's presence, told to the router again (routing-service.ts `presenceChanged`). */
  presenceChanged(agentId: string, status: AgentStatus, idleSince?: number): void;
}

/** Causes with which the switch refuses an offer because the phone cannot take calls at all. */
const PHONE_GONE = new Set(['resourceOutOfService', 'destNotObtainable', 'networkOutOfService']);

export class OfferOutcomes {
  constructor(private readonly d: OfferOutcomesDeps) {}

  /** Takes the agent's offer out of the book; returns it. */
  dropOffer(agentId: string): Offer | undefined {
    const offer = this.d.offers.drop(agentId);
    // A move still parked for this offer must not send the call to the phone later.
    if (offer) this.d.mover.forgetIfTo(offer.call.id, offer.ext);
    return offer;
  }

  /**
   * An offer that did not reach the agent. With the link down nobody could have been reached: the
   * agent is not excluded from the call, and stays out of routing until the link is back
   * (`reconciled`), where a new offer would fail the same way. A command the switch did not
   * answer in time, or one on a call the switch no longer had (the mover has ended it), says
   * nothing about the phone: the call, if still there, goes back to its place, the agent back to
   * routing, and no miss is counted. Otherwise the switch refused it: the call goes back without
   * that agent, the refusal counts as a miss, and the agent goes to the back of the line — or
   * notReady `phoneOutOfService` when the switch says the phone is gone.
   */
  offerFailed(agentId: string, call: TrackedCall, reason: string, refused = true): void {
    const offer = this.d.offers.of(agentId);
    if (!offer || offer.call !== call) return;
    this.dropOffer(agentId);
    const linkDown = !this.d.pbx.linkUp;
    const unknown = linkDown || !refused;
    if (call.endedAt === null && this.d.router.knows(call.id)) {
      if (this.d.mover.whereIs(call)) this.d.apply(this.d.router.requeue(call.id, this.d.clock.now(), unknown ? undefined : agentId), 'requeue');
      else this.d.router.callRemoved(call.id); // still at the routing point: the switch's fallback applies
    }
    if (linkDown) return;
    if (!refused) {
      this.d.log.warn({ agentId, callId: call.id, reason }, 'offer failed, not refused by the phone (no answer from the switch in time, or the call was gone); agent back in routing');
      this.d.presenceChanged(agentId, this.d.presence.status(agentId), this.d.clock.now());
      return;
    }
    const status = this.d.presence.status(agentId);
    const gone = [...PHONE_GONE].some((c) => reason.includes(c));
    const { tooMany } = this.d.offers.miss(agentId, offer.queue.maxMisses);
    if ((gone || tooMany) && status.state !== 'loggedOut') {
      this.d.log.warn({ agentId, callId: call.id, reason, phoneGone: gone }, 'offers refused at the phone; agent notReady');
      this.setNotReady(agentId, gone ? 'phoneOutOfService' : 'offerRefused');
      return;
    }
    this.d.presenceChanged(agentId, this.d.presence.status(agentId), this.d.clock.now());
  }

  /** The ring time of the agent's offer is over (the offer book's timer). */
  ringTimeout(agentId: string): void {
    const offer = this.dropOffer(agentId);
    if (!offer) return;
    const { call, queue, ext } = offer;
    const log = this.d.log.child({ callId: call.id, agentId, queue: queue.id });
    if (call.connections.get(ext)?.state !== 'alerting') {
      // The offer never reached the phone (or is no longer ringing there): the agent is free.
      log.warn({ ext }, 'offer did not ring at the phone in time; agent released');
      if (call.endedAt === null && this.d.router.knows(call.id) && !this.d.router.isWaiting(call.id)) this.d.apply(this.d.router.requeue(call.id, this.d.clock.now(), agentId), 'requeue');
      this.d.presenceChanged(agentId, this.d.presence.status(agentId));
      return;
    }
    const { missed, tooMany } = this.d.offers.miss(agentId, queue.maxMisses);
    log.info({ ringTimeoutS: queue.ringTimeoutS, missed, maxMisses: queue.maxMisses }, tooMany ? 'no answer; call back to its queue, agent notReady' : 'no answer; call back to its queue');
    if (tooMany && this.d.presence.agentAt(ext) === agentId) this.setNotReady(agentId, 'noAnswer');
    this.backToQueue(offer, agentId);
  }

  /**
   * The agent was signed out (by a supervisor) while the call rang at their phone: nobody is there
   * to answer, so the call goes back now rather than at the ring timeout. It is not the agent's
   * miss. A call still on its way to the phone is left to the ring timeout.
   */
  withdraw(agentId: string): void {
    const offer = this.d.offers.of(agentId)!;
    if (offer.call.connections.get(offer.ext)?.state !== 'alerting') return;
    this.d.log.info({ callId: offer.call.id, agentId, queue: offer.queue.id }, 'agent signed out while the call rang; call back to its queue');
    this.dropOffer(agentId);
    this.backToQueue(offer);
  }

  private setNotReady(agentId: string, reason: string): void {
    try {
      this.d.presence.setState(agentId, 'notReady', reason);
    } catch (err) {
      this.d.log.warn({ agentId, err: (err as Error).message }, `could not set agent notReady (${reason})`);
    }
  }

  /** An offer that ended unanswered: the call goes back to its place in the queue, where the
   * router may give it to another agent at once (`excludeAgent` is not offered it again). */
  private backToQueue(offer: Offer, excludeAgent?: string): void {
    const { call, queue } = offer;
    if (call.endedAt !== null || !this.d.router.knows(call.id)) return;
    this.d.apply(this.d.router.requeue(call.id, this.d.clock.now(), excludeAgent), 'requeue');
    if (this.d.router.isWaiting(call.id)) {
      const home = this.d.directory.queue(call.queue ?? queue.id) ?? queue;
      this.d.sendTo(call, home.queueDevice);
    }
    this.d.onQueueChanged(call.queue ?? queue.id);
  }
}
