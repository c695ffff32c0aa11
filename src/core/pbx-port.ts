/**
 * The port between the domain core and a PBX. The core speaks only this: typed events in, typed
 * commands out. No XML, no sockets, no invoke ids. The CSTA adapter (src/pbx-adapters/csta)
 * implements it against any switch that speaks CSTA XML, the simulated OXO-style switch included.
 *
 * Switch call ids (`callId` here) are the switch's own and stay behind the core's call tracker;
 * clients only ever see the daemon's stable call ids.
 */

/** A device's part in a call, named by the switch's call id and the device (ECMA-269 connection). */
export interface ConnectionId {
  callId: string;
  deviceId: string;
}

/** ECMA-269 local connection states. */
export const LOCAL_CONNECTION_STATES = ['null', 'initiated', 'alerting', 'connected', 'hold', 'queued', 'fail'] as const;
export type LocalConnectionState = (typeof LOCAL_CONNECTION_STATES)[number];

export type MonitorMode = 'silent' | 'whisper' | 'barge';
export type AgentSwitchState = 'loggedOn' | 'loggedOff' | 'ready' | 'notReady' | 'workingAfterCall' | 'busy';

/** A connection as listed in a transfer or conference result. */
export interface ConnectionChange {
  old?: ConnectionId;
  new: ConnectionId;
}

/** Every event carries the device whose monitor reported it (the same switch event may arrive
 * once per monitored device in the call; consumers must be idempotent). */
interface Reported {
  monitoredDevice: string;
}

export type PbxCallEvent =
  | ({ kind: 'serviceInitiated'; callId: string; deviceId: string; cause?: string } & Reported)
  | ({ kind: 'originated'; callId: string; deviceId: string; calling: string; called: string; cause?: string } & Reported)
  | ({ kind: 'delivered'; callId: string; deviceId: string; calling: string; called: string; redirectedFrom?: string; callerName?: string; cause?: string } & Reported)
  | ({ kind: 'established'; callId: string; deviceId: string; calling: string; called: string; cause?: string } & Reported)
  | ({ kind: 'held'; callId: string; deviceId: string; cause?: string } & Reported)
  | ({ kind: 'retrieved'; callId: string; deviceId: string; cause?: string } & Reported)
  | ({ kind: 'diverted'; callId: string; deviceId: string; to: string; cause?: string } & Reported)
  | ({ kind: 'queued'; callId: string; deviceId: string; queue: string; calling: string; called: string; numberQueued?: number; cause?: string } & Reported)
  | ({ kind: 'transferred'; primaryCallId: string; secondaryCallId?: string; transferringDevice: string; transferredTo: string; connections: ConnectionChange[]; cause?: string } & Reported)
  | ({ kind: 'conferenced'; primaryCallId: string; secondaryCallId?: string; conferencingDevice: string; addedParty: string; connections: ConnectionChange[]; participation?: MonitorMode; cause?: string } & Reported)
  | ({ kind: 'connectionCleared'; callId: string; deviceId: string; cause: string } & Reported)
  | ({ kind: 'callCleared'; callId: string; cause: string } & Reported)
  | ({ kind: 'failed'; callId: string; deviceId: string; called?: string; cause: string } & Reported)
  | ({ kind: 'digits'; callId: string; deviceId: string; digits: string } & Reported)
  | ({ kind: 'agentState'; deviceId: string; agentId?: string; state: AgentSwitchState } & Reported)
  /** The device went out of service (phone unplugged) or came back. */
  | ({ kind: 'deviceService'; deviceId: string; inService: boolean } & Reported)
  /** Voice units (ECMA-269 voice services, docs/csta-profile.md "Voice units"): a message began
   * playing on a connection (PlayEvent), a recording began (RecordEvent), a play or recording
   * ended (StopEvent). `message` is the message id of the play (`PlayRequest.message`) or the
   * recording's file path (`recordMessage`'s answer). */
  | ({ kind: 'voicePlaying'; callId: string; deviceId: string; message: string } & Reported)
  | ({ kind: 'voiceRecording'; callId: string; deviceId: string; message: string } & Reported)
  | ({ kind: 'voiceStopped'; callId: string; deviceId: string; message: string; cause: VoiceStopCause; lengthMs?: number; bytes?: number } & Reported);

/** Why a play or a recording ended: it ran to its end; a key stopped it (barge-in, or the key that
 * ends a recording); it ran past its maximum duration; the CTI stopped it (`stopMessage`); the
 * connection or call went away. */
export type VoiceStopCause = 'endOfMessage' | 'dtmf' | 'durationExceeded' | 'stopped' | 'cleared';

/**
 * A message to play on a voice unit's connection (an IVR port, or a queue device announcing to a
 * waiting caller). `message` is the id the switch plays (ECMA-323 `messageToBePlayed`):
 * - `prompt:<name>` a prompt the switch holds;
 * - `file:<absolute path>` an 8 kHz mono WAV file the daemon wrote (recorded prompts, speech);
 * - `tts:<id>` text the switch synthesises itself (`text` and `lang` required);
 * - `tone:<name>` a tone (`beep` before a recording);
 * - `silence:<ms>` silence.
 * `text`/`lang` describe what the message says (sent as private data; for a `file:` of rendered
 * speech they let the switch's log say what was heard). `bargeIn`: a key the caller presses stops
 * the play (ECMA-323 `termination/dTMFDigitDetected`).
 */
export interface PlayRequest {
  conn: ConnectionId;
  message: string;
  bargeIn: boolean;
  text?: string;
  lang?: string;
}

export interface RecordRequest {
  /** The voice unit's connection that records the caller; or an outside party's connection,
   * which records the whole call (every party mixed) until that party leaves or the call ends. */
  conn: ConnectionId;
  /** The recording stops by itself after this long (StopEvent cause durationExceeded). */
  maxDurationMs: number;
  /** A key the caller presses ends the recording (StopEvent cause dtmf; the key is reported too). */
  stopOnKey: boolean;
}

export type PbxEvent =
  | PbxCallEvent
  /** The link is up and the wanted monitors and routing registrations are set up. `snapshot` lists
   * every call the switch has at the monitored devices (on the first connect too), except the
   * devices in `unsnapshotted`, whose snapshot the switch refused or did not answer: nothing can be
   * concluded about calls there (query them again). */
  | { kind: 'linkUp'; reconnect: boolean; snapshot: DeviceSnapshot[]; unsnapshotted: string[] }
  /** A device's monitor was started, refused (with the switch's error) or stopped. Every monitor
   * is gone when the link goes down; they are reported again once it is back. */
  | { kind: 'monitor'; deviceId: string; monitored: boolean; error?: { category: string; value: string } }
  | { kind: 'linkDown'; reason: string }
  | { kind: 'routeRequest'; crossRefId: string; routingDevice: string; callId: string; calling: string; callerName?: string }
  | { kind: 'routeEnd'; crossRefId: string; error?: string };

export interface DeviceSnapshot {
  deviceId: string;
  calls: { callId: string; state: LocalConnectionState }[];
}

export type PbxErrorCode = 'PBX_UNAVAILABLE' | 'PBX_REJECTED';

/** A command the switch refused (`PBX_REJECTED`, with the CSTA error) or could not get
 * (`PBX_UNAVAILABLE`: link down or no answer in time). */
export class PbxError extends Error {
  constructor(
    readonly code: PbxErrorCode,
    message: string,
    readonly cstaError?: { category: string; value: string },
  ) {
    super(message);
    this.name = 'PbxError';
  }
}

export interface PbxPort {
  readonly linkUp: boolean;
  /** Subscribe to events; returns an unsubscribe function. */
  onEvent(listener: (event: PbxEvent) => void): () => void;
  /** Connect and keep connected (reconnecting with backoff) until close(). Resolves once first up. */
  start(): Promise<void>;
  close(): Promise<void>;

  /** The devices to monitor and the routing devices to register; kept across reconnects. A monitor
   * the switch refuses is tried again now and then (and at every reconnect). */
  setMonitoredDevices(deviceIds: Iterable<string>): Promise<void>;
  /** True while the switch reports events of this device to us (its monitor is in place). */
  isMonitored(deviceId: string): boolean;
  /** Adds the device to the monitored set and resolves once its monitor is in place; rejects with
   * PBX_REJECTED (the switch's error) or PBX_UNAVAILABLE (no link). */
  monitorNow(deviceId: string): Promise<void>;
  setRoutingDevices(deviceIds: Iterable<string>): Promise<void>;
  snapshotDevice(deviceId: string): Promise<DeviceSnapshot>;

  makeCall(from: string, to: string): Promise<ConnectionId>;
  answerCall(conn: ConnectionId): Promise<void>;
  clearConnection(conn: ConnectionId): Promise<void>;
  clearCall(callId: string): Promise<void>;
  holdCall(conn: ConnectionId): Promise<void>;
  retrieveCall(conn: ConnectionId): Promise<void>;
  consultationCall(existing: ConnectionId, to: string): Promise<ConnectionId>;
  transferCall(held: ConnectionId, active: ConnectionId): Promise<void>;
  singleStepTransfer(active: ConnectionId, to: string): Promise<void>;
  conferenceCall(held: ConnectionId, active: ConnectionId): Promise<void>;
  singleStepConference(active: ConnectionId, deviceToJoin: string, mode: MonitorMode): Promise<ConnectionId>;
  deflectCall(conn: ConnectionId, to: string): Promise<void>;
  generateDigits(conn: ConnectionId, digits: string): Promise<void>;
  setAgentState(deviceId: string, state: 'loggedOn' | 'loggedOff' | 'ready' | 'notReady' | 'workingAfterCall', agentId?: string): Promise<void>;
  routeSelect(crossRefId: string, destination: string): Promise<void>;
  routeEnd(crossRefId: string, reason?: string): Promise<void>;

  /** Voice units (docs/csta-profile.md "Voice units"): PlayMessage, Stop, RecordMessage. A play
   * resolves once the switch accepted it; its start and end come as voicePlaying / voiceStopped
   * events of the connection's device. */
  playMessage(req: PlayRequest): Promise<void>;
  /** Stops what the connection plays or records (all of it when `message` is not given). */
  stopMessage(conn: ConnectionId, message?: string): Promise<void>;
  /** Starts recording the caller on a voice unit; resolves with the file the switch writes to
   * (the message id of the recording's events). */
  recordMessage(req: RecordRequest): Promise<{ message: string }>;
  /** ECMA-269 Suspend / Resume of a recording (`message`: its id, the file path): the switch
   * writes silence for the paused span. Rejects PBX_REJECTED when nothing records there. */
  suspendMessage(conn: ConnectionId, message: string): Promise<void>;
  resumeMessage(conn: ConnectionId, message: string): Promise<void>;
}
