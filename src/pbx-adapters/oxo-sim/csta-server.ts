/**
 * The switch's CSTA side: a TCP listener accepting any number of CTI links, the routing of the
 * model's outputs to them (events to the link holding each monitor, RouteRequest/RouteEnd to the
 * registrant), the routing timeout timers, and link-level faults (drop every link now).
 *
 * A response is written before the events its request caused (MakeCallResponse, then
 * ServiceInitiatedEvent...): outputs produced while a request is served are held and flushed
 * right after the answer.
 */
import { runSipProbe, type SipProbe, type SipProbeResult } from '../csta/transport/sip-probes.ts';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { CstaMessage } from '../csta/protocol/catalogue.ts';
import type { Notice, Output } from './core.ts';
import { CtiLink } from './cti-link.ts';
import { AnnexGChannel } from '../csta/transport/tcp-channel.ts';
import type { CstaChannel } from '../csta/transport/channel.ts';
import type { ModelRequest, SwitchModel } from './switch-model.ts';

type LinkOutput = Exclude<Output, { kind: 'notice' }>;

export interface CstaServerOptions {
  model: SwitchModel;
  logger: Logger;
  /** Notices of the model, after the server has taken what it needs (route timers). */
  onNotice?: (n: Notice) => void;
  /** A RouteRequest was just written to a link. */
  onRouteRequestWritten?: (r: { callId: string; routingDevice: string; calling: string; crossRefId: string }) => void;
}

export class CstaServer {
  private readonly links = new Map<string, CtiLink>();
  private readonly routeTimers = new Map<string, NodeJS.Timeout>();
  /** Answers held back by the `responseDelayMs` fault. */
  private readonly delayed = new Set<NodeJS.Timeout>();
  private readonly server: Server;
  private readonly log: Logger;
  private held: LinkOutput[] | null = null;
  private nextLink = 1;
  private closing = false;

  constructor(private readonly opts: CstaServerOptions) {
    this.log = opts.logger;
    this.server = createServer((socket) => this.acceptSocket(socket));
    this.server.on('error', (err) => this.log.error({ err }, 'CSTA listener error'));
  }

  /** Starts listening; resolves with the bound port (pass 0 for any free port). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** The model's sink: everything the switch wants to say goes through here. */
  readonly output = (o: Output): void => {
    if (o.kind === 'notice') return this.notice(o.notice);
    if (this.held) this.held.push(o);
    else this.deliver(o);
  };

  linkSummaries(): { id: string; remote: string; session: boolean; monitors: number }[] {
    return [...this.links.values()].map((l) => ({ id: l.id, remote: l.remote, session: l.sessionId !== null, monitors: this.opts.model.core.monitors.ofLink(l.id).length }));
  }

  get linkCount(): number {
    return this.links.size;
  }

  /** Closes every CTI link now; their monitors and registrations are lost, calls go on. */
  dropLinks(reason: string): number {
    const all = [...this.links.values()];
    for (const link of all) link.close(reason);
    return all.length;
  }

  /** Fault injection: raw bytes to every CTI link; returns how many links got them. */
  /** SIP-level fault injection on every open SIP/CSTA link (sip-probes.ts): how each CTI answered. */
  async sipProbe(probe: SipProbe): Promise<SipProbeResult[]> {
    const channels = [...this.links.values()].filter((l) => l.isOpen).map((l) => l.sipChannel).filter((c) => c !== null && c.isOpen);
    return Promise.all(channels.map((c) => runSipProbe(c!, probe)));
  }

  injectRaw(bytes: Buffer): number {
    const all = [...this.links.values()];
    for (const link of all) link.writeRaw(bytes);
    return all.length;
  }

  /** Stops listening, closes every link and timer. */
  async close(): Promise<void> {
    this.closing = true;
    this.dropLinks('simulator closing');
    this.clearRouteTimers();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  clearRouteTimers(): void {
    for (const t of this.routeTimers.values()) clearTimeout(t);
    this.routeTimers.clear();
    for (const t of this.delayed) clearTimeout(t);
    this.delayed.clear();
  }

  private acceptSocket(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'CTI link socket error'));
    // Frames written in the same tick (an answer and the events it caused) leave in one TCP write.
    this.accept(new AnnexGChannel(socket, { corkPerTick: true, peer: 'CTI' }));
  }

  /** A CTI's channel, of either wire (the TCP listener's, or the SIP/CSTA listener's dialogs). */
  accept(channel: CstaChannel): void {
    if (this.closing) {
      channel.close('simulator closing');
      return;
    }
    const id = `link-${this.nextLink++}`;
    const link = new CtiLink(id, channel, {
      logger: this.log,
      keepAliveMs: this.opts.model.config.keepAliveMs,
      serve: (l, invokeId, msg) => this.serve(l, invokeId, msg),
      onClosed: (l) => this.linkClosed(l),
    });
    this.links.set(id, link);
    this.log.info({ link: id, remote: link.remote, transport: channel.kind }, 'CTI link connected');
  }

  private serve(link: CtiLink, invokeId: number, msg: ModelRequest): void {
    const held: LinkOutput[] = [];
    this.held = held;
    let reply: CstaMessage | null = null;
    const delayMs = this.opts.model.core.faults.responseDelayMs;
    try {
      reply = this.opts.model.request(link.id, msg);
    } catch (err) {
      this.log.error({ err, type: msg.type }, 'switch model failed on a CSTA request');
      reply = { type: 'CSTAErrorCode', error: { category: 'operation', value: 'generic' } };
    } finally {
      this.held = null;
      if (reply && delayMs > 0) {
        // A slow switch (fault injection): the answer comes late, the events it caused do not wait.
        const answer = reply;
        const t = setTimeout(() => {
          this.delayed.delete(t);
          link.respond(invokeId, answer);
        }, delayMs);
        this.delayed.add(t);
      } else if (reply) link.respond(invokeId, reply);
      for (const o of held) this.deliver(o);
    }
  }

  private deliver(o: LinkOutput): void {
    const link = this.links.get(o.linkId);
    if (!link) return;
    switch (o.kind) {
      case 'event': {
        const drop = this.opts.model.core.faults.dropEventsPercent;
        if (drop > 0 && Math.random() * 100 < drop) {
          this.log.debug({ link: link.id, type: o.message.type }, 'event dropped (injected fault)');
          return;
        }
        link.sendEvent(o.message);
        return;
      }
      case 'request':
        link.sendRequest(o.message);
        if (o.message.type === 'RouteRequest') {
          const m = o.message;
          this.opts.onRouteRequestWritten?.({ callId: m.routedCall?.callId ?? '', routingDevice: m.currentRoute, calling: m.callingDevice ?? '', crossRefId: m.routingCrossRefId });
        }
        return;
    }
  }

  private notice(n: Notice): void {
    switch (n.kind) {
      case 'routeOpened': {
        const t = setTimeout(() => {
          this.routeTimers.delete(n.crossRefId);
          this.opts.model.routeTimeout(n.crossRefId);
        }, this.opts.model.config.routingTimeoutMs);
        this.routeTimers.set(n.crossRefId, t);
        break;
      }
      case 'routeClosed': {
        const t = this.routeTimers.get(n.crossRefId);
        if (t) clearTimeout(t);
        this.routeTimers.delete(n.crossRefId);
        break;
      }
      case 'restarted':
        this.clearRouteTimers();
        break;
      case 'callCreated':
      case 'connectionState':
      case 'connectionGone':
      case 'callEnded':
      case 'service':
        break;
    }
    this.opts.onNotice?.(n);
  }

  private linkClosed(link: CtiLink): void {
    this.links.delete(link.id);
    const lost = this.opts.model.linkGone(link.id);
    this.log.info({ link: link.id, ...lost }, 'CTI link gone: its monitors and routing registrations are lost');
  }
}
