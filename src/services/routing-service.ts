/**
 * Routing, foundation edition: a call to a pilot number goes to the longest-idle ready agent of the
 * pilot's queue (RouteSelect to the agent's phone); with nobody ready it waits on the switch's
 * queue device (RouteSelect to the queue device) and is taken from there (DeflectCall) by the next
 * agent who becomes ready. An offer rings for the queue's ring timeout; unanswered, the call goes
 * back to its place in the queue and the agent is made notReady with reason `noAnswer`.
 *
 * Decisions come from the pure router in src/acd; this service only turns them into switch
 * commands and keeps the offers (reservations) in flight.
 */
import type { Logger } from 'pino';
import type { AgentStatus } from '../core/agents/agent-state.ts';
import type { TrackedCall } from '../core/calls/call.ts';
import { MinimalRouter } from '../acd/minimal-router.ts';
import type { LocalConnectionState, PbxEvent, PbxPort } from '../pbx-adapters/pbx-port.ts';
import type { CallListener, CallService } from './call-service.ts';
import type { Directory, DirectoryQueue } from './directory.ts';
import type { PresenceService } from './presence-service.ts';
import type { Clock, CustomerLookup, Timers } from './ports.ts';

interface Offer {
  call: TrackedCall;
  queue: DirectoryQueue;
  /** The phone the call was sent to. */
  ext: string;
  timer: unknown;
  /** The routing dialogue that sent it, while the switch has not closed it. */
  crossRefId?: string;
}

export interface RoutingDeps {
  pbx: PbxPort;
  directory: Directory;
  calls: CallService;
  presence: PresenceService;
  customers: CustomerLookup;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** Told whenever a queue's figures may have changed. */
  onQueueChanged: (queueId: string) => void;
}

export class RoutingService implements CallListener {
  readonly router = new MinimalRouter();
  private readonly offers = new Map<string, Offer>();

  constructor(private readonly d: RoutingDeps) {}

  // ------------------------------------------------------------------------- switch → routing

  onRouteRequest(ev: Extract<PbxEvent, { kind: 'routeRequest' }>): void {
    const pilot = this.d.directory.pilot(ev.routingDevice);
    const queue = pilot?.kind === 'queue' && pilot.queueId ? this.d.directory.queue(pilot.queueId) : undefined;
    const log = this.d.log.child({ pbxCallId: ev.callId, routingDevice: ev.routingDevice });
    if (!queue) {
      // Not a queue pilot this daemon serves (yet): end the dialogue; the switch's fallback applies.
      log.warn({ pilot: pilot?.kind ?? null }, 'no queue behind this routing device; leaving the call to the switch fallback');
      this.command(this.d.pbx.routeEnd(ev.crossRefId, 'noRoute'), log, 'routeEnd');
      return;
    }
    const call = this.d.calls.tracker.byPbx(ev.callId);
    if (call) {
      call.queue = queue.id;
      if (!call.from && ev.calling) call.from = ev.calling;
      if (!call.customer && ev.calling) call.customer = this.d.customers.findByPhone(ev.calling);
    }
    const agentId = this.router.pickAgent(queue.id);
    const agentExt = agentId ? this.d.presence.status(agentId).extension : null;
    if (call && agentId && agentExt) {
      this.reserve(agentId, call, queue, agentExt, ev.crossRefId);
      log.info({ callId: call.id, queue: queue.id, agentId, decision: 'longestIdle' }, 'route to agent');
      this.command(this.d.pbx.routeSelect(ev.crossRefId, agentExt), log, 'routeSelect', () => this.release(agentId, call));
    } else {
      log.info({ callId: call?.id, queue: queue.id, decision: 'queue' }, 'nobody ready; route to queue device');
      this.command(this.d.pbx.routeSelect(ev.crossRefId, queue.queueDevice), log, 'routeSelect');
    }
  }

  callQueued(call: TrackedCall, queueId: string): void {
    this.router.enqueue({ callId: call.id, queue: queueId, queuedAt: call.queuedAt ?? this.d.clock.now() });
    this.d.onQueueChanged(queueId);
    const agentId = this.router.pickAgent(queueId);
    if (agentId) this.assignTo(agentId);
  }

  callLeftQueue(call: TrackedCall): void {
    const w = this.router.dequeue(call.id);
    if (w) this.d.onQueueChanged(w.queue);
  }

  agentConnection(agentId: string, call: TrackedCall, _from: LocalConnectionState | null, to: LocalConnectionState | null): void {
    const offer = this.offers.get(agentId);
    if (!offer || offer.call !== call) return;
    if (to === 'connected' || to === null) {
      this.d.timers.clearTimeout(offer.timer);
      this.offers.delete(agentId);
    }
  }

  // ----------------------------------------------------------------------- presence → routing

  presenceChanged(agentId: string, status: AgentStatus): void {
    const agent = this.d.directory.agent(agentId);
    if (!agent) return;
    if (status.state === 'ready' && !this.offers.has(agentId)) {
      this.router.agentAvailable(agentId, agent.queues, status.since);
      this.assignTo(agentId);
    } else {
      this.router.agentUnavailable(agentId);
    }
    for (const q of agent.queues) this.d.onQueueChanged(q);
  }

  /** Forgets every reservation (the switch was lost; its calls are gone). */
  reset(): void {
    for (const [agentId, offer] of this.offers) {
      this.d.timers.clearTimeout(offer.timer);
      this.offers.delete(agentId);
    }
  }

  close(): void {
    this.reset();
  }

  // ----------------------------------------------------------------------------- internals

  /** Gives the longest-waiting call of the agent's queues to an available agent. */
  private assignTo(agentId: string): void {
    const agent = this.d.directory.agent(agentId);
    const ext = this.d.presence.status(agentId).extension;
    if (!agent || !ext || !this.router.isAvailable(agentId)) return;
    const w = this.router.pickCall(agent.queues);
    if (!w) return;
    const call = this.d.calls.get(w.callId);
    const queue = this.d.directory.queue(w.queue);
    if (!call || !queue) {
      this.router.dequeue(w.callId);
      return;
    }
    this.router.dequeue(w.callId);
    this.reserve(agentId, call, queue, ext);
    const log = this.d.log.child({ callId: call.id, agentId, queue: queue.id });
    log.info({ decision: 'longestWaiting', waitedMs: this.d.clock.now() - w.queuedAt }, 'queued call to agent');
    const conn = { callId: this.d.calls.tracker.pbxIdAt(call), deviceId: queue.queueDevice };
    this.command(this.d.pbx.deflectCall(conn, ext), log, 'deflectCall', () => {
      this.release(agentId, call);
      if (call.endedAt === null && call.connections.get(queue.queueDevice)?.state === 'queued') this.callQueued(call, queue.id);
    });
    this.d.onQueueChanged(queue.id);
  }

  private reserve(agentId: string, call: TrackedCall, queue: DirectoryQueue, ext: string, crossRefId?: string): void {
    this.router.agentUnavailable(agentId);
    const timer = this.d.timers.setTimeout(() => this.ringTimeout(agentId), queue.ringTimeoutS * 1000);
    this.offers.set(agentId, { call, queue, ext, timer, ...(crossRefId ? { crossRefId } : {}) });
  }

  /** An offer that did not reach the agent: the agent is free again. */
  private release(agentId: string, call: TrackedCall): void {
    const offer = this.offers.get(agentId);
    if (!offer || offer.call !== call) return;
    this.d.timers.clearTimeout(offer.timer);
    this.offers.delete(agentId);
    this.presenceChanged(agentId, this.d.presence.status(agentId));
  }

  private ringTimeout(agentId: string): void {
    const offer = this.offers.get(agentId);
    if (!offer) return;
    this.offers.delete(agentId);
    const { call, queue, ext } = offer;
    const log = this.d.log.child({ callId: call.id, agentId, queue: queue.id });
    if (call.connections.get(ext)?.state !== 'alerting') {
      // The offer never reached the phone (or is no longer ringing there): the agent is free.
      log.warn({ ext }, 'offer did not ring at the phone in time; agent released');
      this.presenceChanged(agentId, this.d.presence.status(agentId));
      return;
    }
    log.info({ ringTimeoutS: queue.ringTimeoutS }, 'no answer; call back to its queue, agent notReady');
    if (this.d.presence.agentAt(ext) === agentId) {
      try {
        this.d.presence.setState(agentId, 'notReady', 'noAnswer');
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'could not set agent notReady after no answer');
      }
    }
    const conn = { callId: this.d.calls.tracker.pbxIdAt(call), deviceId: ext };
    this.command(this.d.pbx.deflectCall(conn, queue.queueDevice), log, 'deflectCall');
  }

  /** The switch closed a routing dialogue; with an error, an agent chosen for it is free again. */
  onRouteEnd(crossRefId: string, error: string | undefined): void {
    for (const [agentId, offer] of this.offers) {
      if (offer.crossRefId !== crossRefId) continue;
      delete offer.crossRefId;
      if (error) {
        this.d.log.warn({ callId: offer.call.id, agentId, error }, 'the switch refused the route; agent released');
        this.release(agentId, offer.call);
      }
      return;
    }
  }

  private command(p: Promise<unknown>, log: Logger, what: string, onFail?: () => void): void {
    p.catch((err: unknown) => {
      log.warn({ err: (err as Error).message, code: (err as { code?: string }).code }, `${what} failed`);
      onFail?.();
    });
  }
}
