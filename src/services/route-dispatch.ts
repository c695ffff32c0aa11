/**
 * Route requests by pilot kind. The switch asks the CTI where to send every call that arrives at
 * a routing device (a pilot number); what serves it depends on the pilot: a queue pilot goes to
 * the ACD (routing-service.ts), an IVR flow to the IVR, the replay number to phone replay of
 * recordings. A pilot whose kind has no handler, or a routing device that is no pilot, gets
 * RouteEnd at once, so the switch applies its own default route without waiting for its timeout.
 *
 * The switch's RouteEnd of a dialogue goes back to the handler that had the request.
 *
 * Before a handler gets a call, the admission gate (overload/admission-gate.ts) may refuse it:
 * the daemon is overloaded, and the call takes the pilot's fallback at once (docs/overload.md).
 */
import type { Logger } from 'pino';
import type { PbxEvent, PbxPort } from '../core/pbx-port.ts';
import type { Directory, DirectoryPilot } from './directory.ts';

type PilotKind = DirectoryPilot['kind'];

export type RouteRequestEvent = Extract<PbxEvent, { kind: 'routeRequest' }>;

export interface RouteHandler {
  routeRequest(ev: RouteRequestEvent, pilot: DirectoryPilot): void;
  routeEnd(crossRefId: string, error: string | undefined): void;
}

/** Open dialogues remembered for their RouteEnd (a switch that never sends it cannot grow this). */
export const MAX_OPEN_DIALOGUES = 10_000;

export class RouteDispatcher {
  private readonly handlers = new Map<PilotKind, RouteHandler>();
  private readonly open = new Map<string, RouteHandler>();

  constructor(private readonly d: { directory: Directory; pbx: PbxPort; log: Logger; gate?: { admit(ev: RouteRequestEvent, pilot: DirectoryPilot): boolean } }) {}

  /** Dialogues open now (an overload signal: a switch that stops closing them). */
  get openDialogues(): number {
    return this.open.size;
  }

  register(kind: PilotKind, handler: RouteHandler): void {
    this.handlers.set(kind, handler);
  }

  routeRequest(ev: RouteRequestEvent): void {
    const pilot = this.d.directory.pilot(ev.routingDevice);
    const handler = pilot ? this.handlers.get(pilot.kind) : undefined;
    if (!pilot || !handler) {
      this.d.log.warn({ pbxCallId: ev.callId, routingDevice: ev.routingDevice, pilot: pilot?.kind ?? null }, 'nobody serves this routing device; leaving the call to the switch fallback');
      this.d.pbx.routeEnd(ev.crossRefId, 'noRoute').catch((err: unknown) => this.d.log.debug({ err: (err as Error).message }, 'RouteEnd not sent'));
      return;
    }
    // Refused for overload: already answered with RouteEnd, nothing to remember.
    if (this.d.gate && !this.d.gate.admit(ev, pilot)) return;
    if (this.open.size >= MAX_OPEN_DIALOGUES) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
    }
    this.open.set(ev.crossRefId, handler);
    handler.routeRequest(ev, pilot);
  }

  routeEnd(crossRefId: string, error: string | undefined): void {
    const handler = this.open.get(crossRefId);
    this.open.delete(crossRefId);
    if (error) this.d.log.info({ crossRefId, error }, 'routing dialogue ended by the switch');
    handler?.routeEnd(crossRefId, error);
  }

  /** The link went down: the switch forgot every dialogue of it. */
  linkDown(): void {
    this.open.clear();
  }
}
