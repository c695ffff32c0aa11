/**
 * The IVR on the switch: runs each call's flow session (src/ivr/engine, pure) on one of the
 * switch's IVR ports, over the CSTA link. A call reaches a port in one of two ways: a RouteRequest
 * on an IVR pilot (RouteSelect to a free port), or `call.toIvr` (the agent's connection is
 * transferred to a free port). Once the port reports the call established, the session starts;
 * its effects become voice-unit requests (voice.ts), timers, lookups (requests.ts) and, at the
 * end, a move off the port (departures.ts). The switch's DTMF, StopEvents and clearings come back
 * as the session's inputs.
 *
 * Ports are monitored like phones (the call is then never "lost" while in the IVR). Events about a
 * port are told apart by call id: one session per port, one port per call.
 */
import { SpellLog } from '../../services/spell-log.ts';
import type { Logger } from 'pino';
import type { ConnectionId, PbxEvent, PbxPort } from '../../core/pbx-port.ts';
import type { Timers } from '../../services/ports.ts';
import type { DirectoryPilot } from '../../services/directory.ts';
import type { RouteRequestEvent } from '../../services/route-dispatch.ts';
import type { LoadedFlow } from '../flow/types.ts';
import { IvrSession } from '../engine/session.ts';
import type { IvrEffect, IvrInput } from '../engine/types.ts';
import type { IvrStatEvent } from '../statistics/types.ts';
import type { Departures } from './departures.ts';
import { PortPool } from './ports-pool.ts';
import type { IvrRequests } from './requests.ts';
import { VoicePlayer } from './voice.ts';
import type { PromptSource } from './voice.ts';

export interface IvrRuntimeDeps {
  pbx: PbxPort;
  flows: { get(id: string): LoadedFlow | undefined };
  speech: PromptSource;
  requests: IvrRequests;
  departures: Departures;
  stats: { record(e: IvrStatEvent): void };
  collected: { save(row: { callId: string; flow: string; node: string; name: string; value: string; masked: boolean; at: number }): void };
  /** The daemon's call behind a switch call id, with what the flow needs of it. */
  callOf(pbxCallId: string): { id: string; from: string; dialled: string; callerName: string | null; callData: unknown } | undefined;
  setCallData(callId: string, data: Record<string, string>): void;
  clock: { now(): number };
  timers: Timers;
  log: Logger;
  ports: readonly string[];
  /** Flow timers run this many times faster (tests and demos; 1 in production). */
  timeScale: number;
  timeZone: string;
  /** Replay by phone: a recording starts playing to `user` (the access ledger). */
  replayed?(recordingId: string, user: string, call: { callId: string; caller: string }): void;
  /** Pause or resume the call's recording (a sensitive input); a call not recorded is no error. */
  pauseRecording?(callId: string, paused: boolean): Promise<void>;
}

interface Pending {
  flowId: string;
  returnTo: string | null;
  crossRefId?: string;
}

interface Running {
  port: string;
  pbxCallId: string;
  callId: string;
  session: IvrSession;
  timers: Map<number, unknown>;
  voice: VoicePlayer;
  returnTo: string | null;
  /** Recordings whose access-ledger row could not be written: never played. */
  unlogged?: Set<string>;
  /** Pauses and resumes of the call's recording, one after the other (a resume never overtakes
   * the pause it ends). */
  recordingOps?: Promise<void>;
}

export class IvrRuntime {
  readonly pool: PortPool;
  private readonly pending = new Map<string, Pending>();
  private readonly byPort = new Map<string, Running>();
  private readonly byCall = new Map<string, Running>();
  private unsubscribe: (() => void) | null = null;
  /** "Every port busy" comes in floods when callers do (a burst, an overload): summed up. */
  private readonly portsBusy: SpellLog;
  private readonly fallbackPortsBusy: SpellLog;

  constructor(private readonly d: IvrRuntimeDeps) {
    this.pool = new PortPool(d.ports);
    this.portsBusy = SpellLog.plain(d.log, d.timers, 'every IVR port is busy; the call takes the switch fallback');
    this.fallbackPortsBusy = SpellLog.plain(d.log, d.timers, 'every IVR port is busy; the fallback goes to its number');
  }

  attach(): void {
    this.unsubscribe = this.d.pbx.onEvent((ev) => {
      try {
        this.onEvent(ev);
      } catch (err) {
        this.d.log.error({ err, event: ev.kind }, 'IVR could not handle a switch event');
      }
    });
  }

  get activeSessions(): number {
    return this.byPort.size;
  }

  // ------------------------------------------------------------------------ calls coming in

  /** A RouteRequest on an IVR pilot: to a free port, or the switch's fallback when none is free. */
  routeRequest(ev: RouteRequestEvent, pilot: DirectoryPilot): void {
    const log = this.d.log.child({ pbxCallId: ev.callId, routingDevice: ev.routingDevice });
    const flowId = pilot.ivrFlow ?? '';
    const port = this.d.flows.get(flowId) ? this.pool.reserve(ev.callId, this.d.clock.now()) : null;
    if (!port) {
      if (this.d.flows.get(flowId)) this.portsBusy.warn({ pbxCallId: ev.callId, routingDevice: ev.routingDevice, flow: flowId, portsInUse: this.pool.inUse });
      else log.warn({ flow: flowId }, 'IVR pilot names no loaded flow; the call takes the switch fallback');
      this.d.pbx.routeEnd(ev.crossRefId, 'noRoute').catch(() => undefined);
      return;
    }
    this.pending.set(ev.callId, { flowId, returnTo: null, crossRefId: ev.crossRefId });
    log.info({ flow: flowId, port }, 'IVR call routed to a port');
    this.d.pbx.routeSelect(ev.crossRefId, port).catch((err: unknown) => {
      log.warn({ err: (err as Error).message, port }, 'RouteSelect to the IVR port failed');
      this.releaseReservation(ev.callId, port);
    });
  }

  routeEnd(crossRefId: string, error: string | undefined): void {
    if (!error) return;
    for (const [pbxCallId, p] of this.pending) {
      if (p.crossRefId !== crossRefId) continue;
      this.d.log.warn({ pbxCallId, error }, 'the switch refused the route to the IVR port');
      for (const port of this.pool.ports) if (this.pool.reservationOf(port) === pbxCallId) this.releaseReservation(pbxCallId, port);
    }
  }

  /** `call.toIvr`: the agent's connection is transferred to a free port running `flowId`; the
   * flow's `return` node sends the caller back to `returnTo`. */
  async sendToFlow(agentConn: ConnectionId, flowId: string, returnTo: string): Promise<{ port: string }> {
    const port = this.pool.reserve(agentConn.callId, this.d.clock.now());
    if (!port) throw new IvrBusyError();
    this.pending.set(agentConn.callId, { flowId, returnTo });
    try {
      await this.d.pbx.singleStepTransfer(agentConn, port);
    } catch (err) {
      this.releaseReservation(agentConn.callId, port);
      throw err;
    }
    return { port };
  }

  /** A port reserved for a call the ACD sends into a flow (its maximum-wait or overflow
   * fallback); the call is expected there within RESERVATION_MS. Null: no such flow, or every port
   * is busy. */
  reserveFor(pbxCallId: string, flowId: string): { port: string; release(): void } | null {
    if (!this.d.flows.get(flowId)) return null;
    const port = this.pool.reserve(pbxCallId, this.d.clock.now());
    if (!port) {
      this.fallbackPortsBusy.warn({ pbxCallId, flow: flowId });
      return null;
    }
    this.pending.set(pbxCallId, { flowId, returnTo: null });
    return { port, release: () => this.releaseReservation(pbxCallId, port) };
  }

  hasFlow(flowId: string): boolean {
    return this.d.flows.get(flowId) !== undefined;
  }

  // -------------------------------------------------------------------------- switch events

  private onEvent(ev: PbxEvent): void {
    switch (ev.kind) {
      case 'established':
      case 'delivered':
        if (this.pool.has(ev.deviceId) && ev.monitoredDevice === ev.deviceId) this.arrived(ev.deviceId, ev.callId);
        return;
      case 'digits': {
        const run = this.byCall.get(ev.callId);
        if (run && ev.monitoredDevice === run.port) for (const key of ev.digits) this.input(run, { kind: 'key', key });
        return;
      }
      case 'voiceStopped': {
        const run = this.byPort.get(ev.deviceId);
        if (run && run.pbxCallId === ev.callId && ev.monitoredDevice === run.port) run.voice.stopped(ev.message, ev.cause);
        this.d.requests.voiceStopped(ev);
        return;
      }
      case 'connectionCleared': {
        const run = this.byCall.get(ev.callId);
        if (run && ev.monitoredDevice === run.port) this.gone(run, ev.deviceId === run.port ? 'the port left the call' : 'the caller hung up');
        return;
      }
      case 'callCleared': {
        const run = this.byCall.get(ev.callId);
        if (run) this.gone(run, 'call cleared');
        return;
      }
      case 'transferred': {
        // The call left the port (a departure), under its old id or a new one.
        const run = this.byCall.get(ev.primaryCallId);
        if (run && ev.transferringDevice === run.port) this.gone(run, 'transferred');
        return;
      }
      case 'deviceService':
        if (this.pool.has(ev.deviceId)) this.pool.setInService(ev.deviceId, ev.inService);
        return;
      case 'linkDown':
        // Monitors are gone with the link: nothing more will be heard of these calls' keys and
        // prompts. The sessions end; the calls go on at the switch (and the call audit sees them).
        for (const run of [...this.byPort.values()]) this.gone(run, 'CSTA link down');
        this.pending.clear();
        return;
      default:
        return;
    }
  }

  private arrived(port: string, pbxCallId: string): void {
    if (this.byPort.has(port)) return; // delivered, then established: started once
    const pending = this.pending.get(pbxCallId);
    if (!pending || this.pool.reservationOf(port) !== pbxCallId) {
      this.d.log.warn({ port, pbxCallId }, 'a call reached an IVR port the IVR did not send it to; left alone');
      return;
    }
    this.pending.delete(pbxCallId);
    const flow = this.d.flows.get(pending.flowId);
    const call = this.d.callOf(pbxCallId);
    if (!flow) {
      this.pool.release(port);
      return;
    }
    this.pool.occupy(port);
    const callId = call?.id ?? `pbx:${pbxCallId}`;
    const data = call?.callData && typeof call.callData === 'object' && !Array.isArray(call.callData) ? (call.callData as Record<string, unknown>) : null;
    const session = new IvrSession(flow, {
      callId,
      caller: call?.from ?? '',
      called: call?.dialled ?? '',
      callerName: call?.callerName ?? null,
      returnTo: pending.returnTo,
      callData: data,
      timeZone: this.d.timeZone,
    });
    const log = this.d.log.child({ callId, pbxCallId, port, flow: flow.def.id, version: flow.version });
    const conn = { callId: pbxCallId, deviceId: port };
    const run: Running = {
      port,
      pbxCallId,
      callId,
      session,
      timers: new Map(),
      returnTo: pending.returnTo,
      voice: new VoicePlayer({ pbx: this.d.pbx, speech: this.d.speech, conn, log, ended: (playId, cause) => this.input(run, { kind: 'playEnded', playId, cause }) }),
    };
    this.byPort.set(port, run);
    this.byCall.set(pbxCallId, run);
    log.info({ returnTo: pending.returnTo }, 'IVR session started');
    this.input(run, { kind: 'start' });
  }

  private gone(run: Running, why: string): void {
    if (this.byPort.get(run.port) !== run) return;
    // Leaving as the flow asked (the switch's events may come before its answer), or hung up.
    const departed = run.session.leaving && why !== 'the caller hung up';
    this.input(run, { kind: departed ? 'departed' : 'hangup' });
    this.d.log.debug({ callId: run.callId, port: run.port, why }, 'IVR call left the port');
    this.end(run);
  }

  private end(run: Running): void {
    if (this.byPort.get(run.port) !== run) return;
    for (const h of run.timers.values()) this.d.timers.clearTimeout(h);
    run.timers.clear();
    run.voice.close();
    this.byPort.delete(run.port);
    this.byCall.delete(run.pbxCallId);
    this.pool.release(run.port);
  }

  private releaseReservation(pbxCallId: string, port: string): void {
    this.pending.delete(pbxCallId);
    if (this.pool.reservationOf(port) === pbxCallId) this.pool.release(port);
  }

  // ------------------------------------------------------------------------------ effects

  private input(run: Running, input: IvrInput): void {
    const effects = run.session.handle(input, this.d.clock.now());
    for (const e of effects) this.apply(run, e);
  }

  private apply(run: Running, e: IvrEffect): void {
    switch (e.kind) {
      case 'play':
        run.voice.play(e.playId, run.unlogged ? e.items.filter((i) => i.kind !== 'recording' || !run.unlogged!.has(i.recordingId)) : e.items, e.bargeIn);
        return;
      case 'stopPlay':
        run.voice.stop(e.playId);
        return;
      case 'startTimer': {
        const h = this.d.timers.setTimeout(() => {
          run.timers.delete(e.timerId);
          if (this.byPort.get(run.port) === run) this.input(run, { kind: 'timer', timerId: e.timerId });
        }, Math.max(1, Math.round(e.ms / this.d.timeScale)));
        run.timers.set(e.timerId, h);
        return;
      }
      case 'cancelTimer': {
        const h = run.timers.get(e.timerId);
        if (h !== undefined) this.d.timers.clearTimeout(h);
        run.timers.delete(e.timerId);
        return;
      }
      case 'request':
        this.d.requests
          .run(e.request, { callId: run.callId, caller: run.session.vars.get('caller') ?? '', flow: run.session.flow.def.id, conn: { callId: run.pbxCallId, deviceId: run.port } })
          .then(
            (value) => this.later(run, { kind: 'result', reqId: e.reqId, ok: true, value }),
            (err: unknown) => this.later(run, { kind: 'result', reqId: e.reqId, ok: false, error: (err as Error).message }),
          );
        return;
      case 'setCallData':
        this.d.setCallData(run.callId, e.data);
        return;
      case 'saveData':
        this.d.collected.save({ callId: run.callId, flow: run.session.flow.def.id, node: e.node, name: e.name, value: e.sensitive ? mask(e.value) : e.value, masked: e.sensitive, at: this.d.clock.now() });
        return;
      case 'leave':
        this.d.departures
          .leave(e.departure, { callId: run.callId, pbxCallId: run.pbxCallId, port: run.port, flow: run.session.flow.def.id, lang: run.session.lang, returnTo: run.returnTo })
          .then(
            () => this.later(run, { kind: 'result', reqId: e.reqId, ok: true }),
            (err: unknown) => this.later(run, { kind: 'result', reqId: e.reqId, ok: false, error: (err as Error).message }),
          );
        return;
      case 'stat':
        this.d.stats.record(e.event);
        return;
      case 'replayed':
        try {
          this.d.replayed?.(e.recordingId, e.user, { callId: run.callId, caller: run.session.vars.get('caller') ?? '' });
        } catch (err) {
          (run.unlogged ??= new Set()).add(e.recordingId);
          this.d.log.error({ err, callId: run.callId, recordingId: e.recordingId }, 'replay by phone: the access ledger could not be written; the recording is not played');
        }
        return;
      case 'recordingPause': {
        const op = this.d.pauseRecording;
        if (!op) return;
        run.recordingOps = (run.recordingOps ?? Promise.resolve()).then(() =>
          op(run.callId, e.paused).catch((err: unknown) => this.d.log.warn({ callId: run.callId, paused: e.paused, err: (err as Error).message }, 'IVR could not pause or resume the call\'s recording')),
        );
        return;
      }
      case 'log':
        this.d.log[e.level]({ callId: run.callId, port: run.port, ...e.data }, e.msg);
        return;
      case 'ended':
        this.d.log.info({ callId: run.callId, port: run.port, flow: run.session.flow.def.id, outcome: e.outcome }, 'IVR session ended');
        if (e.outcome === 'abandoned' && run.returnTo) this.d.setCallData(run.callId, { [`ivr.${run.session.flow.def.id}.result`]: 'abandoned' });
        this.end(run);
        return;
    }
  }

  /** Answers of requests come back asynchronously; a session that ended meanwhile ignores them. */
  private later(run: Running, input: IvrInput): void {
    if (run.session.ended) return;
    this.input(run, input);
  }

  close(): void {
    this.unsubscribe?.();
    for (const run of [...this.byPort.values()]) this.end(run);
    this.portsBusy.close();
    this.fallbackPortsBusy.close();
  }
}

export class IvrBusyError extends Error {
  constructor() {
    super('every IVR port is busy');
    this.name = 'IvrBusyError';
  }
}

/** A sensitive value as stored and logged: its length only. */
export function mask(value: string): string {
  return '*'.repeat(Math.min(value.length, 64));
}
