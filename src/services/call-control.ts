/**
 * Call control: the agents' and supervisors' requests on calls (make, answer, hang up, hold,
 * consult, transfer, conference, digits, listen in, force-release, call data), checked against
 * the daemon's view of the call and carried out on the switch.
 *
 * A call the switch says it does not have (`invalidCallID`) is gone: a hang-up, an answer or a
 * force-release of it ends it here too, instead of leaving the agent reserved or busy for good
 * (`invalidConnectionID` likewise drops that one connection). A hang-up or force-release of such
 * a call succeeds — what was asked is true — an answer fails with NOT_FOUND.
 */
import type { TrackedCall } from '../core/calls/call.ts';
import { AppError, badRequest, invalidState, notFound, tooLarge } from '../core/errors.ts';
import { PbxError, type ConnectionId, type LocalConnectionState, type MonitorMode, type PbxPort } from '../core/pbx-port.ts';
import { byteLength, type CallService, type PendingCall } from './call-service.ts';
import { callEventData } from './call-events.ts';
import type { PresenceService } from './presence-service.ts';
import type { Notifier } from './ports.ts';

export const MAX_CALL_DATA_BYTES = 1024 * 1024;

export interface CallControlDeps {
  pbx: PbxPort;
  calls: CallService;
  presence: PresenceService;
  notifier: Notifier;
}

export class CallControl {
  constructor(private readonly d: CallControlDeps) {}

  async make(agentId: string, to: string, callData?: unknown): Promise<{ callId: string }> {
    const ext = this.extensionOf(agentId);
    if (to === ext) throw badRequest('cannot call your own phone');
    if (callData !== undefined) checkSize(callData);
    const conn = await this.starting(ext, { callData }, () => this.d.pbx.makeCall(ext, to));
    return { callId: this.d.calls.adopt(conn.callId, ext).id };
  }

  async answer(agentId: string, callId: string): Promise<void> {
    const { call, conn } = this.mine(agentId, callId, ['alerting']);
    if (await this.gone(call, conn, this.d.pbx.answerCall(conn))) throw notFound(`call ${callId} no longer exists at the switch`);
  }

  async hangup(agentId: string, callId: string): Promise<void> {
    const { call, conn } = this.mine(agentId, callId);
    await this.gone(call, conn, this.d.pbx.clearConnection(conn));
  }

  async hold(agentId: string, callId: string): Promise<void> {
    const { conn } = this.mine(agentId, callId, ['connected']);
    await pbx(this.d.pbx.holdCall(conn));
  }

  async retrieve(agentId: string, callId: string): Promise<void> {
    const { conn } = this.mine(agentId, callId, ['hold']);
    await pbx(this.d.pbx.retrieveCall(conn));
  }

  async consult(agentId: string, callId: string, to: string): Promise<{ callId: string }> {
    const { call, conn } = this.mine(agentId, callId, ['connected', 'hold']);
    const created = await this.starting(conn.deviceId, { consultOf: call }, () => this.d.pbx.consultationCall(conn, to));
    return { callId: this.d.calls.adopt(created.callId, conn.deviceId).id };
  }

  async transfer(agentId: string, callId: string, target: { to?: string; consultCallId?: string }): Promise<void> {
    if (target.consultCallId) {
      const held = this.mine(agentId, callId, ['hold', 'connected']);
      const active = this.mine(agentId, target.consultCallId, ['connected', 'initiated']);
      if (held.call === active.call) throw badRequest('callId and consultCallId are the same call');
      await pbx(this.d.pbx.transferCall(held.conn, active.conn));
      return;
    }
    if (!target.to) throw badRequest('give `to` or `consultCallId`');
    const { conn } = this.mine(agentId, callId, ['connected', 'hold']);
    await pbx(this.d.pbx.singleStepTransfer(conn, target.to));
  }

  async conference(agentId: string, callId: string, consultCallId: string): Promise<void> {
    const held = this.mine(agentId, callId, ['hold', 'connected']);
    const active = this.mine(agentId, consultCallId, ['connected']);
    if (held.call === active.call) throw badRequest('callId and consultCallId are the same call');
    await pbx(this.d.pbx.conferenceCall(held.conn, active.conn));
  }

  async sendDigits(agentId: string, callId: string, digits: string): Promise<void> {
    const { conn } = this.mine(agentId, callId, ['connected']);
    await pbx(this.d.pbx.generateDigits(conn, digits));
  }

  /** A supervisor's phone joins the agent's call in a listening mode (or changes the mode). */
  async monitor(call: TrackedCall, agentExt: string, supervisorExt: string, mode: MonitorMode): Promise<void> {
    await pbx(this.d.pbx.singleStepConference({ callId: this.d.calls.tracker.pbxIdAt(call), deviceId: agentExt }, supervisorExt, mode));
  }

  /** 强拆: clears one device's connection, whoever's it is. */
  async forceClearConnection(call: TrackedCall, deviceId: string): Promise<void> {
    const conn = { callId: this.d.calls.tracker.pbxIdAt(call), deviceId };
    await this.gone(call, conn, this.d.pbx.clearConnection(conn));
  }

  /** 强拆 of the whole call. */
  async forceClearCall(callId: string): Promise<void> {
    const call = this.d.calls.get(callId);
    if (!call) throw notFound(`no call ${callId}`);
    await this.gone(call, null, this.d.pbx.clearCall(this.d.calls.tracker.pbxIdAt(call)));
  }

  /** Sets the call data; every agent on the call hears `call.dataChanged`. */
  setData(agentId: string, callId: string, data: unknown, asSupervisor = false): void {
    const call = asSupervisor ? this.d.calls.get(callId) : this.mine(agentId, callId).call;
    if (!call) throw notFound(`no call ${callId}`);
    this.d.calls.setCallData(call, data, checkSize(data));
    for (const [deviceId, c] of call.connections) {
      const other = this.d.presence.agentAt(deviceId);
      if (!other) continue;
      const ev = callEventData(call, c.state, 'call.dataChanged', { changedBy: agentId, agentId: other });
      this.d.notifier.publish('call.dataChanged', ev, { users: [other] });
    }
    this.d.notifier.publish('call.dataChanged', callEventData(call, null, 'call.dataChanged', { changedBy: agentId }), { subscribers: true });
  }

  getData(agentId: string, callId: string, asSupervisor = false): unknown {
    const call = asSupervisor ? this.d.calls.get(callId) : this.mine(agentId, callId).call;
    if (!call) throw notFound(`no call ${callId}`);
    return call.callData ?? null;
  }

  // ------------------------------------------------------------------------------ internals

  private extensionOf(agentId: string): string {
    const ext = this.d.presence.status(agentId).extension;
    if (!ext) throw invalidState('sign in first');
    return ext;
  }

  /** The agent's connection in `callId`, checked. */
  /** The agent's connection in the call (in one of `states`), for commands made elsewhere (the
   * IVR's `call.toIvr`). */
  connectionOf(agentId: string, callId: string, states?: LocalConnectionState[]): ConnectionId {
    return this.mine(agentId, callId, states).conn;
  }

  /** Runs a switch command, turning the switch's refusals into client errors. */
  command<T>(p: Promise<T>): Promise<T> {
    return pbx(p);
  }

  private mine(agentId: string, callId: string, states?: LocalConnectionState[]): { call: TrackedCall; conn: ConnectionId; state: LocalConnectionState } {
    const ext = this.extensionOf(agentId);
    const call = this.d.calls.get(callId);
    if (!call) throw notFound(`no call ${callId}`);
    const c = call.connections.get(ext);
    if (!c) throw invalidState(`call ${callId} is not at your phone ${ext}`);
    if (states && !states.includes(c.state)) throw invalidState(`your connection in call ${callId} is ${c.state}, not ${states.join(' or ')}`);
    return { call, conn: { callId: this.d.calls.tracker.pbxIdAt(call), deviceId: ext }, state: c.state };
  }

  /** Runs a command that starts a call at `deviceId`, with what the new call must carry. */
  private async starting<T>(deviceId: string, pending: PendingCall, command: () => Promise<T>): Promise<T> {
    this.d.calls.expect(deviceId, pending);
    try {
      return await pbx(command());
    } catch (err) {
      this.d.calls.cancelExpect(deviceId);
      throw err;
    }
  }

  /**
   * Runs a command on `call`; when the switch answers that the call (or the connection `conn`) does
   * not exist there, it ends (or the connection goes) here too and this resolves true. Any other
   * failure is thrown as the API's error.
   */
  private async gone(call: TrackedCall, conn: ConnectionId | null, command: Promise<void>): Promise<boolean> {
    try {
      await command;
      return false;
    } catch (err) {
      const value = err instanceof PbxError && err.code === 'PBX_REJECTED' ? err.cstaError?.value : undefined;
      if (value === 'invalidCallID') {
        this.d.calls.endLost(call);
        return true;
      }
      if (value === 'invalidConnectionID' && conn) {
        this.d.calls.dropConnection(call, conn.deviceId);
        return true;
      }
      return pbx(Promise.reject(err));
    }
  }
}

function checkSize(data: unknown): number {
  const bytes = byteLength(data);
  if (bytes > MAX_CALL_DATA_BYTES) throw tooLarge(`call data is ${bytes} bytes; the limit is ${MAX_CALL_DATA_BYTES}`);
  return bytes;
}

/** Switch failures become the API's PBX_* errors. */
async function pbx<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof PbxError) throw new AppError(err.code, err.message, err.cstaError ? { csta: err.cstaError } : undefined);
    // The adapter refuses malformed arguments (e.g. a device id with control characters) itself.
    if ((err as { code?: unknown }).code === 'BAD_REQUEST') throw badRequest((err as Error).message);
    throw err;
  }
}
