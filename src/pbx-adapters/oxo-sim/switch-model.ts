/**
 * The simulated OXO-style switch as one object: CSTA requests from a CTI link in, responses out;
 * the outside world's actions (a caller dials, a hand-set goes off-hook, ...) in; events and
 * switch requests out through the sink (see core.ts). Pure state and logic: no sockets, no
 * timers (the server layer runs the routing timeout and calls `routeTimeout`).
 */
import type { CstaMessage } from '../csta/protocol/catalogue.ts';
import { setAgentState } from './agents.ts';
import {
  answerCall, clearCallService, clearConnectionService, deflectCall, findCall, generateDigits, holdCall, makeCall, pressDigits, retrieveCall,
} from './call-services.ts';
import type { SimConfig } from './config.ts';
import { SwitchCore, type CoreOptions } from './core.ts';
import { clearConnection, createCall, deliver } from './delivery.ts';
import { CstaFault, SimError, simErrorFromFault } from './errors.ts';
import { faultsView, NO_FAULTS, withFaults, type FaultsView } from './faults.ts';
import { setInService } from './service-state.ts';
import { linkGone, monitorStart, monitorStop, routeEndFromCti, routeRegister, routeSelect, routeTimeout, snapshotDevice } from './link-services.ts';
import { conferenceCall, consultationCall, singleStepConferenceCall, singleStepTransferCall, transferCall } from './transfer-services.ts';
import { callView, deviceView, devicesView, type CallView, type DeviceView } from './views.ts';
import type { VoiceUnits } from './voice-units.ts';

export const MODEL_REQUEST_TYPES = [
  'MonitorStart', 'MonitorStop', 'SnapshotDevice', 'MakeCall', 'AnswerCall', 'ClearConnection', 'ClearCall', 'HoldCall', 'RetrieveCall',
  'ConsultationCall', 'TransferCall', 'SingleStepTransferCall', 'ConferenceCall', 'SingleStepConferenceCall', 'DeflectCall',
  'GenerateDigits', 'SetAgentState', 'RouteRegister', 'RouteSelect', 'RouteEnd', 'PlayMessage', 'Stop', 'RecordMessage',
  'Suspend', 'Resume',
] as const;
export type ModelRequestType = (typeof MODEL_REQUEST_TYPES)[number];
export type ModelRequest = Extract<CstaMessage, { type: ModelRequestType }>;

export function isModelRequest(msg: CstaMessage): msg is ModelRequest {
  return (MODEL_REQUEST_TYPES as readonly string[]).includes(msg.type);
}

export class SwitchModel {
  readonly core: SwitchCore;
  /** The voice units (voice-units.ts; they run timers, so the server layer attaches them). Without
   * them PlayMessage, Stop and RecordMessage are refused serviceNotSupported. */
  voice: VoiceUnits | null = null;

  constructor(config: SimConfig, opts: CoreOptions) {
    this.core = new SwitchCore(config, opts);
  }

  get config(): SimConfig {
    return this.core.config;
  }

  /** Handles a CTI request; returns the response (a CSTAErrorCode on failure), or null when
   * the service has none (RouteSelect, RouteEnd). */
  request(linkId: string, msg: ModelRequest): CstaMessage | null {
    try {
      return this.serve(linkId, msg);
    } catch (err) {
      if (err instanceof CstaFault) return { type: 'CSTAErrorCode', error: err.error };
      throw err;
    }
  }

  private serve(linkId: string, msg: ModelRequest): CstaMessage | null {
    const core = this.core;
    switch (msg.type) {
      case 'MonitorStart':
        return { type: 'MonitorStartResponse', monitorCrossRefId: monitorStart(core, linkId, msg.deviceId) };
      case 'MonitorStop':
        monitorStop(core, linkId, msg.monitorCrossRefId);
        return { type: 'MonitorStopResponse' };
      case 'SnapshotDevice':
        return { type: 'SnapshotDeviceResponse', calls: snapshotDevice(core, msg.deviceId) };
      case 'MakeCall':
        return { type: 'MakeCallResponse', callingDevice: makeCall(core, msg.callingDevice, msg.calledDirectoryNumber) };
      case 'AnswerCall':
        answerCall(core, msg.callToBeAnswered);
        return { type: 'AnswerCallResponse' };
      case 'ClearConnection':
        clearConnectionService(core, msg.connectionToBeCleared);
        return { type: 'ClearConnectionResponse' };
      case 'ClearCall':
        clearCallService(core, msg.callToBeCleared);
        return { type: 'ClearCallResponse' };
      case 'HoldCall':
        holdCall(core, msg.callToBeHeld);
        return { type: 'HoldCallResponse' };
      case 'RetrieveCall':
        retrieveCall(core, msg.callToBeRetrieved);
        return { type: 'RetrieveCallResponse' };
      case 'ConsultationCall':
        return { type: 'ConsultationCallResponse', initiatedCall: consultationCall(core, msg.existingCall, msg.consultedDevice) };
      case 'TransferCall':
        return { type: 'TransferCallResponse', transferredCall: transferCall(core, msg.heldCall, msg.activeCall) };
      case 'SingleStepTransferCall':
        return { type: 'SingleStepTransferCallResponse', transferredCall: singleStepTransferCall(core, msg.activeCall, msg.transferredTo) };
      case 'ConferenceCall':
        return { type: 'ConferenceCallResponse', conferenceCall: conferenceCall(core, msg.heldCall, msg.activeCall) };
      case 'SingleStepConferenceCall':
        return { type: 'SingleStepConferenceCallResponse', conferencedCall: singleStepConferenceCall(core, msg) };
      case 'DeflectCall':
        deflectCall(core, msg.callToBeDiverted, msg.newDestination);
        return { type: 'DeflectCallResponse' };
      case 'GenerateDigits':
        generateDigits(core, msg.connectionToSendDigits, msg.charactersToSend);
        return { type: 'GenerateDigitsResponse' };
      case 'SetAgentState':
        return setAgentState(core, msg);
      case 'RouteRegister':
        return { type: 'RouteRegisterResponse', routeRegisterReqId: routeRegister(core, linkId, msg.routingDevice) };
      case 'RouteSelect':
        routeSelect(core, linkId, msg);
        return null;
      case 'RouteEnd':
        routeEndFromCti(core, linkId, msg);
        return null;
      case 'PlayMessage':
        this.voiceUnits().play(msg);
        return { type: 'PlayMessageResponse' };
      case 'Stop':
        this.voiceUnits().stop(msg);
        return { type: 'StopResponse' };
      case 'RecordMessage':
        return { type: 'RecordMessageResponse', resultingMessage: this.voiceUnits().record(msg) };
      case 'Suspend':
        this.voiceUnits().suspend(msg);
        return { type: 'SuspendResponse' };
      case 'Resume':
        this.voiceUnits().resume(msg);
        return { type: 'ResumeResponse' };
    }
  }

  private voiceUnits(): VoiceUnits {
    if (!this.voice) throw new CstaFault('operation', 'serviceNotSupported', 'no voice units on this switch');
    return this.voice;
  }

  /** The routing timeout of dialogue `crossRefId` elapsed (called by the server's timer). */
  routeTimeout(crossRefId: string): void {
    routeTimeout(this.core, crossRefId);
  }

  /** A CTI link went away: its monitors, registrations and routing dialogues go with it. */
  linkGone(linkId: string): { monitors: number; dialogues: number } {
    return linkGone(this.core, linkId);
  }

  /** Switch restart: every call, monitor, registration and agent login lost, without events. */
  restart(): void {
    this.core.reset();
  }

  // ------------------------------------------------------------------ the outside world

  /** An outside caller `from` dials internal number `to` over a trunk. */
  placeCall(from: string, to: string, callerName?: string): string {
    const core = this.core;
    if (core.plan.classify(from) !== 'outside') throw new SimError('NOT_OUTSIDE', `${from} is not an outside number (at least ${core.config.outsideMinDigits} digits, not in the internal plan)`);
    const target = core.plan.classify(to);
    if (target === 'unknown') throw new SimError('UNKNOWN_DEVICE', `${to} is not a number of this switch`);
    if (target === 'outside') throw new SimError('NOT_INTERNAL', `${to} is an outside number; a trunk call must dial an internal number`);
    const name = callerName ?? core.config.callerNames[from];
    const call = createCall(core, { calling: from, called: to, ...(name !== undefined ? { callerName: name } : {}) });
    core.addConnection(call, from, 'outside', 'connected');
    deliver(core, call, to, { cause: 'newCall', origin: from });
    return call.id;
  }

  /** The hand-set at `deviceId` (an extension or an outside number) answers its oldest alerting call. */
  offhook(deviceId: string): string {
    const call = this.knownDevice(deviceId) && this.core.calls.atDevice(deviceId).find((c) => c.connections.get(deviceId)?.state === 'alerting');
    if (!call) throw new SimError('NOTHING_TO_ANSWER', `nothing is alerting at ${deviceId}`);
    this.control(() => answerCall(this.core, { callId: call.id, deviceId }));
    return call.id;
  }

  /** Answers one given alerting connection (outside numbers answering by themselves, traffic). */
  answer(callId: string, deviceId: string): void {
    this.control(() => answerCall(this.core, { callId, deviceId }));
  }

  /** The hand-set is put down: its calls in progress are cleared (held ones only if nothing else). */
  onhook(deviceId: string): string[] {
    this.knownDevice(deviceId);
    const calls = this.core.calls.atDevice(deviceId);
    const stateOf = (c: (typeof calls)[number]) => c.connections.get(deviceId)?.state;
    let chosen = calls.filter((c) => ['connected', 'initiated', 'fail'].includes(stateOf(c) ?? ''));
    if (chosen.length === 0) chosen = calls.filter((c) => stateOf(c) === 'hold');
    if (chosen.length === 0) throw new SimError('NOTHING_TO_HANG_UP', `${deviceId} has no call in progress`);
    for (const c of chosen) clearConnection(this.core, c, deviceId);
    return chosen.map((c) => c.id);
  }

  /** The hand-set at extension `deviceId` dials `to`. */
  dial(deviceId: string, to: string): string {
    const kind = this.core.plan.classify(deviceId);
    if (kind === 'unknown') throw new SimError('UNKNOWN_DEVICE', `unknown device ${deviceId}`);
    if (kind !== 'extension') throw new SimError('BAD_REQUEST', `${deviceId} is not an extension`);
    return this.control(() => makeCall(this.core, deviceId, to)).callId;
  }

  /** The caller (the party that originated the call) hangs up. */
  hangup(callId: string): void {
    const call = this.control(() => findCall(this.core, callId));
    if (!call.connections.has(call.calling)) throw new SimError('NOT_IN_CALL', `the caller ${call.calling} already left call ${callId}`);
    clearConnection(this.core, call, call.calling);
  }

  /** The device is unplugged (`inService: false`) or back; see service-state.ts. */
  setService(deviceId: string, inService: boolean): boolean {
    const kind = this.core.plan.classify(deviceId);
    if (kind === 'unknown') throw new SimError('UNKNOWN_DEVICE', `unknown device ${deviceId}`);
    if (kind !== 'extension' && kind !== 'ivr') throw new SimError('BAD_REQUEST', `${deviceId} is a ${kind} device; only extensions and IVR ports go out of service`);
    return setInService(this.core, deviceId, inService);
  }

  /** Fault injection (faults.ts): `patch` over the current faults; null clears every fault. */
  setFaults(patch: Partial<FaultsView> | null): FaultsView {
    this.core.faults = patch === null ? NO_FAULTS : withFaults(this.core.faults, patch);
    return faultsView(this.core.faults);
  }

  faults(): FaultsView {
    return faultsView(this.core.faults);
  }

  /** The caller presses keys. */
  pressDigits(callId: string, digits: string): void {
    const call = this.control(() => findCall(this.core, callId));
    this.control(() => pressDigits(this.core, { callId, deviceId: call.calling }, digits, (key) => this.voice?.keyPressed(callId, key)));
  }

  // ------------------------------------------------------------------ views

  calls(): CallView[] {
    return [...this.core.calls.all()].map(callView);
  }

  call(callId: string): CallView {
    return callView(this.control(() => findCall(this.core, callId)));
  }

  devices(opts: { activeOnly?: boolean } = {}): DeviceView[] {
    return devicesView(this.core, opts);
  }

  device(deviceId: string): DeviceView {
    this.knownDevice(deviceId);
    return deviceView(this.core, deviceId);
  }

  private knownDevice(deviceId: string): true {
    if (this.core.plan.classify(deviceId) === 'unknown') throw new SimError('UNKNOWN_DEVICE', `unknown device ${deviceId}`);
    return true;
  }

  /** Runs a CSTA service for the control API, turning its CstaFault into a SimError. */
  private control<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof CstaFault) throw simErrorFromFault(err);
      throw err;
    }
  }
}
