/**
 * Moves a call the ACD has placed to its destination (an agent's phone, a queue device, a
 * fallback number), from wherever the call is at that moment:
 *   - its RouteRequest is being answered: `RouteSelect` on that routing dialogue;
 *   - it waits on a queue device, or rings at an agent's phone: `DeflectCall` from there;
 *   - it is in between (sent to a queue device, not reported queued yet): the move is parked and
 *     made as soon as the switch reports the call queued.
 *
 * Trade-off: a parked move is kept per call, the latest destination winning, rather than queued:
 * only where the call should end up matters, not where it was meant to go on the way.
 */
import type { Logger } from 'pino';
import type { TrackedCall } from '../core/calls/call.ts';
import { PbxError, type PbxPort } from '../core/pbx-port.ts';
import type { CallService } from './call-service.ts';
import type { Directory } from './directory.ts';

export interface CallMoverDeps {
  pbx: PbxPort;
  directory: Directory;
  calls: CallService;
  log: Logger;
}

/** How a move was made: on the routing dialogue (its cross-reference id), by deflection, parked
 * until the call arrives, or not needed (the call is there already). */
export type Moved = { via: 'routeSelect'; crossRefId: string } | { via: 'deflect' } | { via: 'parked' } | { via: 'none' };

/** Told why a move failed: the switch's error value when it refused, else the error message. */
/** `refused`: the switch answered the command with an error (not a timeout or a lost link). */
export type MoveFailed = (reason: string, refused: boolean) => void;

interface ParkedMove {
  to: string;
  onFail?: MoveFailed;
}

export class CallMover {
  /** The routing dialogue of a call, while its RouteRequest is being answered. */
  private readonly dialogues = new Map<string, string>();
  private readonly parked = new Map<string, ParkedMove>();

  constructor(private readonly d: CallMoverDeps) {}

  /** The call's RouteRequest is being answered: its next move is the RouteSelect. */
  openDialogue(callId: string, crossRefId: string): void {
    this.dialogues.set(callId, crossRefId);
  }

  /** Closes the call's routing dialogue and returns it if no move used it. */
  takeDialogue(callId: string): string | undefined {
    const crossRefId = this.dialogues.get(callId);
    this.dialogues.delete(callId);
    return crossRefId;
  }

  /** Sends the call to `dest`; `onFail` runs if the switch refuses the command. */
  sendTo(call: TrackedCall, dest: string, onFail?: MoveFailed): Moved {
    const log = this.d.log.child({ callId: call.id });
    this.parked.delete(call.id); // superseded by this destination
    const crossRefId = this.takeDialogue(call.id);
    if (crossRefId !== undefined) {
      this.command(this.d.pbx.routeSelect(crossRefId, dest), log, 'routeSelect', onFail, { call, at: null });
      return { via: 'routeSelect', crossRefId };
    }
    const at = this.whereIs(call);
    if (!at) {
      this.parked.set(call.id, { to: dest, ...(onFail ? { onFail } : {}) });
      return { via: 'parked' };
    }
    if (at === dest) return { via: 'none' };
    const conn = { callId: this.d.calls.tracker.pbxIdAt(call), deviceId: at };
    this.command(this.d.pbx.deflectCall(conn, dest), log, 'deflectCall', onFail, { call, at });
    return { via: 'deflect' };
  }

  /** The switch reports the call on a queue device: a parked move is made now. True if there was one. */
  arrived(call: TrackedCall): boolean {
    const move = this.parked.get(call.id);
    if (!move) return false;
    this.parked.delete(call.id);
    this.sendTo(call, move.to, move.onFail);
    return true;
  }

  /** Drops the call's parked move (the call ended, or was answered). */
  forget(callId: string): void {
    this.parked.delete(callId);
  }

  /** Drops the call's parked move if it leads to `dest` (an offer to that phone lapsed). */
  forgetIfTo(callId: string, dest: string): void {
    if (this.parked.get(callId)?.to === dest) this.parked.delete(callId);
  }

  /** Forgets every parked move (the switch was lost). */
  clear(): void {
    this.parked.clear();
  }

  /** The device holding the call for routing: a queue device where it waits, else a phone where
   * it rings; null when it is in between. */
  whereIs(call: TrackedCall): string | null {
    let ringing: string | null = null;
    for (const [device, c] of call.connections) {
      if (c.state === 'queued' && this.d.directory.queueByDevice(device)) return device;
      if (c.state === 'alerting' && this.d.directory.deviceKind(device) === 'agentPhone') ringing = device;
    }
    return ringing;
  }

  /**
   * Runs a switch command without waiting for it; a refusal is logged and `onFail` runs.
   *
   * A move the switch answers `invalidCallID` (it has no such call) or, for a deflection,
   * `invalidConnectionID` (the call is no longer at `from.at`) says nothing against the
   * destination: the call, or its connection there, is gone — typically the caller hung up and the
   * event saying so was lost. It ends (or that connection goes) here too, as for the agents' own
   * commands (call-control.ts), and `onFail` hears it as not refused: no agent counts a miss for a
   * call that was not there.
   * Without this, a call the switch had forgotten went from agent to agent, each refused and
   * made notReady in turn (the fault run, docs/performance.md).
   */
  command(p: Promise<unknown>, log: Logger, what: string, onFail?: MoveFailed, from?: { call: TrackedCall; at: string | null }): void {
    p.catch((err: unknown) => {
      const value = err instanceof PbxError && err.code === 'PBX_REJECTED' ? err.cstaError?.value : undefined;
      const gone = from && value === 'invalidCallID';
      const left = from?.at != null && value === 'invalidConnectionID';
      if (from && (gone || left)) {
        log.warn({ at: from.at, reason: value }, `${what}: the switch no longer has the call there; it ends here too`);
        if (left) this.d.calls.dropConnection(from.call, from.at!);
        else this.d.calls.endLost(from.call);
        onFail?.(value!, false);
        return;
      }
      log.warn({ err: (err as Error).message, code: (err as { code?: string }).code }, `${what} failed`);
      // Refused: the switch answered with an error. Otherwise it did not answer in time, or the
      // link went: nothing is known about the destination.
      const refused = err instanceof PbxError && err.code === 'PBX_REJECTED';
      onFail?.(err instanceof PbxError && err.cstaError ? err.cstaError.value : (err as Error).message, refused);
    });
  }
}
