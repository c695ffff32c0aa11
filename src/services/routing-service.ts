/**
 * Routing: turns the ACD router's decisions (src/acd, pure) into switch commands, and the
 * switch's and the agents' news into router events. It serves the route requests of queue pilots
 * (route-dispatch.ts hands them over) and listens to the calls' life (call-service.ts).
 *
 * A call to a queue pilot enters the router at the RouteRequest: with a free eligible agent it is
 * sent there at once (RouteSelect to the agent's phone); otherwise it waits on the queue's device
 * (RouteSelect to the queue device) and is taken from there (DeflectCall) when the router assigns
 * it — to an agent who became free, to another queue (overflow), or out of the router (maximum
 * wait fallback: an IVR flow, voicemail, a number). The router's decisions are carried out, and
 * its one deadline timer kept, in routing-decisions.ts. An offer rings for the queue's ring
 * timeout (the offer book, offer-book.ts); what happens when it ends unanswered — rung out,
 * refused by the switch, withdrawn — lives in offer-outcomes.ts. This file is the facade that
 * wires them: the switch's, the calls', the agents' and the directory's news in, queries out.
 *
 * Trade-off: the router never waits on the switch. A call the router placed while it is still on
 * its way to the queue device (RouteSelect sent, Queued not yet seen) is parked by the CallMover
 * (call-mover.ts) and sent on as soon as the switch reports it queued.
 */
import type { Logger } from 'pino';
import { Router } from '../acd/router.ts';
import type { CallInput, RouterConfig, ServiceConfig, Target, WaitEstimate } from '../acd/types.ts';
import type { AgentStatus } from '../core/agents/agent-state.ts';
import type { TrackedCall } from '../core/calls/call.ts';
import type { LocalConnectionState, PbxEvent, PbxPort } from '../core/pbx-port.ts';
import { agentConfigOf, routerConfigOf } from './acd-config.ts';
import { CallMover } from './call-mover.ts';
import type { CallListener, CallService } from './call-service.ts';
import type { Directory, DirectoryPilot } from './directory.ts';
import { OfferBook } from './offer-book.ts';
import { OfferOutcomes } from './offer-outcomes.ts';
import type { PresenceService } from './presence-service.ts';
import type { Clock, CustomerLookup, RouteOutcome, RoutingDecisionLog, RoutingMeter, Timers } from './ports.ts';
import type { RouteHandler } from './route-dispatch.ts';
import { RoutingDecisions } from './routing-decisions.ts';
import { StrayRings } from './stray-rings.ts';

export interface RoutingDeps {
  pbx: PbxPort;
  directory: Directory;
  calls: CallService;
  presence: PresenceService;
  customers: CustomerLookup;
  decisions: RoutingDecisionLog;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** Told whenever a queue's figures may have changed. */
  onQueueChanged: (queueId: string) => void;
  /** Route request timings and decision counts (GET /metrics); none: not measured. */
  meter?: RoutingMeter;
}

export class RoutingService implements CallListener, RouteHandler {
  router: Router;
  private readonly offers: OfferBook;
  private readonly strays: StrayRings;
  private readonly mover: CallMover;
  private readonly outcomes: OfferOutcomes;
  private readonly decisions: RoutingDecisions;
  /** When each agent's current ACD call was answered (`agentId callId` → ms), for leastBusy. */
  private readonly talking = new Map<string, number>();
  private knownAgents = new Set<string>();
  /** lastAgentFor per call (weak: gone with the call). */
  private readonly lastAgents = new WeakMap<TrackedCall, string | null>();
  private extraServices: readonly ServiceConfig[] = [];
  private flowPorts: ((call: TrackedCall, target: Target) => { port: string; release(): void } | null) | null = null;

  constructor(private readonly d: RoutingDeps) {
    this.mover = new CallMover({ pbx: d.pbx, directory: d.directory, calls: d.calls, log: d.log });
    this.offers = new OfferBook(d.timers, (agentId) => this.outcomes.ringTimeout(agentId));
    this.router = new Router(this.buildConfig());
    const { router, offers, mover } = this;
    const onQueueChanged = (queueId: string) => d.onQueueChanged(queueId);
    const presenceChanged = (agentId: string, status: AgentStatus, idleSince?: number) => this.presenceChanged(agentId, status, idleSince);
    this.outcomes = new OfferOutcomes({
      router, offers, mover, pbx: d.pbx, directory: d.directory, presence: d.presence, clock: d.clock, log: d.log, onQueueChanged, presenceChanged,
      apply: (effects, trigger) => this.decisions.apply(effects, trigger),
      sendTo: (call, dev) => this.decisions.sendTo(call, dev),
    });
    this.decisions = new RoutingDecisions({
      router, offers, mover, calls: d.calls, directory: d.directory, presence: d.presence, clock: d.clock, timers: d.timers, log: d.log, onQueueChanged, presenceChanged,
      decisionLog: d.decisions,
      ...(d.meter ? { meter: d.meter } : {}),
      flowPort: (call, target) => this.flowPorts?.(call, target) ?? null,
      offerFailed: (agentId, call, reason, refused) => this.outcomes.offerFailed(agentId, call, reason, refused),
    });
    this.strays = new StrayRings({ directory: d.directory, calls: d.calls, presence: d.presence, timers: d.timers, log: d.log, isOffered: (call) => this.offers.isOffered(call), sendTo: (call, dev) => this.decisions.sendTo(call, dev) });
    this.syncAgents();
  }

  /** Business services defined elsewhere than the directory (IVR queue nodes with skills): the
   * router is configured again with them. */
  setExtraServices(services: readonly ServiceConfig[]): void {
    this.extraServices = services;
    this.queuesChanged([]);
  }

  /** Where fallbacks into IVR flows go (the IVR, wired after routing). */
  useFlowPorts(fn: (call: TrackedCall, target: Target) => { port: string; release(): void } | null): void {
    this.flowPorts = fn;
  }

  /** Calls the ACD holds now: waiting in a queue or offered to an agent (an overload signal;
   * a sum over the queues, tens of them, not over the calls). */
  callsInRouting(): number {
    let n = this.offers.size;
    for (const q of this.d.directory.allQueues()) n += this.router.waitingCount(q.id);
    return n;
  }

  /** Offers out now (for tests and metrics). */
  get offerCount(): number {
    return this.offers.size;
  }

  // ------------------------------------------------------------------------- switch → routing

  /** A call arrived at a queue pilot (route-dispatch.ts checked the pilot's kind). Timed, with a
   * meter: from here until the RouteSelect (or RouteEnd) is handed to the link. */
  routeRequest(ev: Extract<PbxEvent, { kind: 'routeRequest' }>, pilot: DirectoryPilot): void {
    const meter = this.d.meter;
    if (!meter) {
      this.decideRoute(ev, pilot);
      return;
    }
    const t0 = meter.now();
    const outcome = this.decideRoute(ev, pilot);
    meter.routeRequest(outcome, meter.now() - t0);
  }

  private decideRoute(ev: Extract<PbxEvent, { kind: 'routeRequest' }>, pilot: DirectoryPilot): RouteOutcome {
    const queue = pilot.queueId ? this.d.directory.queue(pilot.queueId) : undefined;
    const log = this.d.log.child({ pbxCallId: ev.callId, routingDevice: ev.routingDevice });
    if (!queue) {
      // A queue pilot whose queue is gone: end the dialogue; the switch's fallback applies.
      log.warn({ queueId: pilot.queueId }, 'queue pilot without its queue; leaving the call to the switch fallback');
      this.mover.command(this.d.pbx.routeEnd(ev.crossRefId, 'noRoute'), log, 'routeEnd');
      return 'noQueue';
    }
    const call = this.d.calls.tracker.byPbx(ev.callId);
    if (!call) {
      log.warn({ queue: queue.id }, 'route request for a call the daemon does not know; to the queue device');
      this.mover.command(this.d.pbx.routeSelect(ev.crossRefId, queue.queueDevice), log, 'routeSelect');
      return 'queue';
    }
    call.queue = queue.id;
    if (!call.from && ev.calling) call.from = ev.calling;
    if (!call.customer && ev.calling) call.customer = this.d.customers.findByPhone(ev.calling);
    this.mover.openDialogue(call.id, ev.crossRefId);
    let outcome: RouteOutcome = 'elsewhere';
    try {
      this.decisions.apply(this.router.callQueued(this.input(call, queue.id, this.d.clock.now(), pilot.number, pilot.priority), this.d.clock.now()), 'routeRequest');
    } finally {
      const crossRefId = this.mover.takeDialogue(call.id);
      if (crossRefId !== undefined) {
        // Nobody took it at once (or it left the router): it waits on its queue's device.
        const device = this.d.directory.queue(call.queue ?? queue.id)?.queueDevice ?? queue.queueDevice;
        log.info({ callId: call.id, queue: call.queue, decision: 'queue' }, 'nobody free; route to the queue device');
        this.mover.command(this.d.pbx.routeSelect(crossRefId, device), log, 'routeSelect');
        outcome = 'queue';
      } else if (this.offers.isOffered(call)) outcome = 'agent';
    }
    this.d.onQueueChanged(queue.id);
    return outcome;
  }

  /** The switch closed a routing dialogue; with an error, an agent chosen for it is free again. */
  routeEnd(crossRefId: string, error: string | undefined): void {
    const offer = this.offers.byDialogue(crossRefId);
    if (!offer) return;
    delete offer.crossRefId;
    if (error) {
      this.d.log.warn({ callId: offer.call.id, agentId: offer.agentId, error }, 'the switch refused the route; agent released');
      this.outcomes.offerFailed(offer.agentId, offer.call, error);
    }
  }

  /** The switch reports the call waiting on a queue device. */
  callQueued(call: TrackedCall, queueId: string): void {
    if (this.mover.arrived(call)) {
      // A move parked while the call was on its way here has been made.
    } else if (!this.router.knows(call.id)) {
      // A call the router has not seen: transferred to the queue device, or adopted after a
      // reconnect. It is this queue's call now; the pilot it was dialled on counts only if that
      // pilot leads here. It waits from when it started waiting, unless it was answered before
      // (a transfer): then from now, as if it had been transferred to the queue's pilot.
      const now = this.d.clock.now();
      call.queue = queueId;
      // Refused for overload, and the switch's fallback for the pilot is this queue: it is the
      // queue's call again (docs/overload.md).
      if (call.outcome === 'overload') call.outcome = null;
      const pilot = this.d.directory.pilot(call.dialled);
      const own = pilot?.kind === 'queue' && pilot.queueId === queueId ? pilot : null;
      const queuedAt = call.answeredAt === null ? (call.queuedAt ?? now) : now;
      this.decisions.apply(this.router.callQueued(this.input(call, queueId, queuedAt, call.service ?? own?.number, own?.priority ?? 0), now), 'callQueued');
    }
    this.d.onQueueChanged(queueId);
  }

  callLeftQueue(call: TrackedCall): void {
    if (call.queue) this.d.onQueueChanged(call.queue);
  }

  callEnded(call: TrackedCall): void {
    this.mover.forget(call.id);
    if (this.router.knows(call.id)) {
      this.router.callRemoved(call.id);
      this.decisions.armTimer();
    }
    // An agent whose phone the call had not reached yet (on its way there) hears nothing from the
    // phone: free them here, or they would stay out of routing while ready.
    for (const offer of this.offers.forCall(call)) {
      this.outcomes.dropOffer(offer.agentId);
      this.presenceChanged(offer.agentId, this.d.presence.status(offer.agentId));
    }
    for (const agentId of call.agents) this.talking.delete(`${agentId} ${call.id}`);
    if (call.queue) this.d.onQueueChanged(call.queue);
  }

  agentConnection(agentId: string, call: TrackedCall, from: LocalConnectionState | null, to: LocalConnectionState | null): void {
    const key = `${agentId} ${call.id}`;
    const offer = this.offers.of(agentId);
    if (offer && offer.call === call) {
      if (to === 'connected') {
        this.outcomes.dropOffer(agentId);
        this.offers.answered(agentId);
        this.router.callRemoved(call.id);
        this.decisions.armTimer();
        this.talking.set(key, this.d.clock.now());
        if (call.queue) this.d.onQueueChanged(call.queue);
      } else if (to === 'fail') {
        this.d.log.warn({ callId: call.id, agentId }, 'the offer failed at the phone');
        this.outcomes.offerFailed(agentId, call, 'fail');
      } else if (to === null) {
        this.outcomes.dropOffer(agentId);
      }
      return;
    }
    if (from === 'alerting' && to === 'connected' && this.router.knows(call.id)) {
      // Answered where the router no longer had it (picked up as it was being sent back to its
      // queue, e.g. when that failed with the link down): the router is done with the call.
      this.router.callRemoved(call.id);
      this.mover.forget(call.id);
      this.decisions.armTimer();
      for (const other of this.offers.forCall(call)) {
        this.outcomes.dropOffer(other.agentId);
        this.presenceChanged(other.agentId, this.d.presence.status(other.agentId));
      }
      this.talking.set(key, this.d.clock.now());
      if (call.queue) this.d.onQueueChanged(call.queue);
      return;
    }
    if (to === null && (from === 'connected' || from === 'hold')) {
      const since = this.talking.get(key);
      if (since !== undefined) {
        this.talking.delete(key);
        this.router.callCompleted(agentId, Math.max(0, this.d.clock.now() - since));
      }
    }
  }

  /** The link is back: what could not reach the switch while it was down is done now. Agents set
   * aside (their offer could not be sent) are in routing again. */
  reconciled(): void {
    for (const [agentId, status] of this.d.presence.signedIn()) {
      if (status.state === 'ready' && !this.offers.has(agentId) && !this.router.isFree(agentId)) this.presenceChanged(agentId, status);
    }
    // A call still ringing at a phone while the router has it back in its queue (its offer timed
    // out with the link down, so the move back failed): to the queue device now.
    for (const q of this.d.directory.allQueues()) {
      for (const { callId } of this.router.waitingIn(q.id)) {
        const call = this.d.calls.get(callId);
        const at = call ? this.mover.whereIs(call) : null;
        if (call && at !== null && this.d.directory.deviceKind(at) === 'agentPhone' && !this.offers.isOffered(call)) this.decisions.sendTo(call, q.queueDevice);
      }
    }
    // Calls ringing at agents' phones with no offer (the old process's offers died with it).
    this.strays.check();
  }

  // ----------------------------------------------------------------------- presence → routing

  presenceChanged(agentId: string, status: AgentStatus, idleSince = status.since): void {
    const agent = this.d.directory.agent(agentId);
    if (!agent) return;
    if (status.state === 'loggedOut' && this.offers.has(agentId)) this.outcomes.withdraw(agentId);
    if (status.state === 'ready' && !this.offers.has(agentId) && status.extension) {
      this.decisions.apply(this.router.agentAvailable(agentId, idleSince, this.d.clock.now()), 'agentAvailable');
    } else {
      this.router.agentUnavailable(agentId);
    }
    for (const q of agent.queues) this.d.onQueueChanged(q);
  }

  /** The directory changed whole: new queues, rules and agents' skills apply at once. */
  reload(): void {
    // Queues first, then agents: a queue edit must not let a waiting call be assigned under the
    // queue's old rules, which configuring the agents first (each may take a call) would do.
    this.decisions.apply(this.router.reconfigure(this.buildConfig(), this.d.clock.now()), 'reconfigured');
    this.syncAgents();
  }

  /** One agent's directory record changed (an admin edit of that user or agent): the router
   * configures that agent alone, or forgets it when it left the directory (deleted, disabled, no
   * longer an agent). Other agents are not touched. */
  agentChanged(username: string): void {
    const a = this.d.directory.agent(username);
    if (a && a.roles.includes('agent')) {
      this.knownAgents.add(username);
      this.decisions.apply(this.router.configureAgent(agentConfigOf(a), this.d.clock.now()), 'agentConfigured');
    } else if (this.knownAgents.delete(username)) {
      this.router.removeAgent(username);
    }
  }

  /** Queues, pilots or skills changed: the router rebuilds its queue configuration (agents keep
   * their state), then configures again only `agents`, whose own records changed with it. */
  queuesChanged(agents: readonly string[]): void {
    this.decisions.apply(this.router.reconfigure(this.buildConfig(), this.d.clock.now()), 'reconfigured');
    for (const username of agents) this.agentChanged(username);
  }

  /** A new day: leastBusy counts start again. */
  resetDailyStats(): void {
    this.router.resetStats();
  }

  /** The daemon stops: ring timers and the deadline timer are cleared. */
  close(): void {
    this.offers.clear();
    this.strays.clear();
    this.mover.clear();
    this.decisions.clear();
  }

  // ---------------------------------------------------------------------------------- queries

  waitEstimate(callId: string): WaitEstimate | null {
    return this.router.waitEstimate(callId, this.d.clock.now());
  }

  /** The queue's waiting calls in queue order, each with its position and estimated wait
   * (null: too little data to say). O(n log n): for displays, not for routing. */
  waitingCalls(queueId: string): { callId: string; from: string | null; queuedAt: string; waitingMs: number; position: number; estimatedWaitS: number | null }[] | null {
    if (!this.d.directory.queue(queueId)) return null;
    const now = this.d.clock.now();
    return this.router.waitingIn(queueId).map((w, i) => {
      const est = this.router.waitEstimate(w.callId, now);
      return {
        callId: w.callId,
        from: this.d.calls.get(w.callId)?.from ?? null,
        queuedAt: new Date(w.queuedAt).toISOString(),
        waitingMs: Math.max(0, now - w.queuedAt),
        position: est?.position ?? i + 1,
        estimatedWaitS: est?.estimatedWaitS ?? null,
      };
    });
  }

  // ----------------------------------------------------------------------------- internals

  private buildConfig(): RouterConfig {
    const { config, warnings } = routerConfigOf(this.d.directory, this.extraServices);
    for (const w of warnings) this.d.log.warn(w);
    return config;
  }

  /** Tells the router every agent's skills and memberships; forgets agents no longer there. */
  private syncAgents(): void {
    const now = this.d.clock.now();
    const seen = new Set<string>();
    for (const a of this.d.directory.allAgents()) {
      if (!a.roles.includes('agent')) continue;
      seen.add(a.username);
      this.decisions.apply(this.router.configureAgent(agentConfigOf(a), now), 'agentConfigured');
    }
    for (const id of this.knownAgents) if (!seen.has(id)) this.router.removeAgent(id);
    this.knownAgents = seen;
  }

  /** The agent who last answered the caller (customer-based routing), looked up once per call:
   * a call's RouteRequest and its arrival at the queue device would otherwise ask twice. */
  private lastAgentFor(call: TrackedCall): string | null {
    let agent = this.lastAgents.get(call);
    if (agent === undefined) this.lastAgents.set(call, (agent = this.d.customers.lastAgentFor(call.from)));
    return agent;
  }

  private input(call: TrackedCall, queueId: string, queuedAt: number, dialled: string | undefined, priority: number): CallInput {
    const customer = call.customer;
    // Never back to an agent who already had this very call (who transferred it on, or let it ring).
    const unless = (agent: string | null) => (agent !== null && call.agents.includes(agent) ? null : agent);
    let preferred = unless(customer?.preferredAgent ?? null);
    if (!preferred && call.direction === 'inbound' && call.from) preferred = unless(this.lastAgentFor(call));
    return { callId: call.id, queue: queueId, dialled, queuedAt, priority: Math.max(priority, call.priority), vipLevel: customer?.vipLevel ?? 0, preferredAgent: preferred };
  }
}
