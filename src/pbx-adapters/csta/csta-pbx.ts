/**
 * `PbxPort` over a CSTA XML switch: keeps one link up (reconnecting with backoff), re-creates the
 * session, monitors and route registrations on every connect, and maps commands 1:1 to CSTA
 * services.
 *
 * Lifecycle contract:
 * - `start()` makes one connection attempt and resolves when it ends, up or not; when the switch
 *   is down it keeps retrying in the background (never rejects). Watch `linkUp` events.
 * - `linkUp` is emitted once the session, every monitor and route registration and the snapshot
 *   are done (on the first connect too: a daemon restarted while calls are up adopts them); every event of that link comes after it, in arrival order.
 * - `linkDown` is emitted at most once between two `linkUp`s (also when the very first attempt
 *   fails); pending requests then fail with PBX_UNAVAILABLE and reconnection starts at once
 *   (first retry after ~initialMs).
 * - Commands fail fast with PBX_UNAVAILABLE while there is no session; they are never queued.
 * - `close()` emits nothing, ends the session best-effort and leaves no timer or socket behind.
 */
import type { Logger } from 'pino';
import { PbxError } from '../../core/pbx-port.ts';
import type { ConnectionId, DeviceSnapshot, MonitorMode, PbxEvent, PbxPort, PlayRequest, RecordRequest } from '../../core/pbx-port.ts';
import { AGENT_STATE_REQUESTS, type AgentStateRequest } from './protocol/types.ts';
import type { CstaLink, CstaRequestMeter } from './link.ts';
import { Backoff } from './backoff.ts';
import type { CstaWire } from './transport/connect.ts';
import { CstaSession, DEFAULT_SETUP_CONCURRENCY, snapshotOn } from './session.ts';
import { checkConnection, checkDigits, checkOneOf, checkSpeech, checkText, PbxArgumentError } from './validate.ts';

export interface CstaPbxOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Idle time before we send SystemStatus (default 30 000). */
  keepAliveMs?: number;
  /** Wait for an answer before PBX_UNAVAILABLE (default 5 000). */
  requestTimeoutMs?: number;
  /** Wait for the TCP connection or the SIP dialog (default 3 000). */
  connectTimeoutMs?: number;
  /** The wire: Annex G over TCP (default) or SIP/CSTA over UDP or TCP. */
  transport?: CstaWire;
  reconnect?: { initialMs?: number; maxMs?: number };
  /** applicationID sent in StartApplicationSession (default "switchboard"). */
  applicationId?: string;
  /** Set-up requests in flight at once (default 32). */
  setupConcurrency?: number;
  /** How often monitors the switch refused are tried again (default 30 000). */
  monitorRetryMs?: number;
  /** Round trips of requests on every link (link.ts); none: not measured. */
  meter?: CstaRequestMeter;
}

const MONITOR_MODES: readonly MonitorMode[] = ['silent', 'whisper', 'barge'];
const DEFAULT_MONITOR_RETRY_MS = 30_000;
const STOP_SESSION_TIMEOUT_MS = 1_000;
/** Text to say fits in one frame with room to spare (64 KiB frames, UTF-8). */
const MAX_VOICE_TEXT = 8_000;
/** A message id may be a file path. */
const MAX_MESSAGE_ID = 4_096;
/** The wire's int is at most 9 digits. */
const MAX_RECORDING_MS = 999_999_999;
/** RouteEnd's error value for a call refused because the daemon is overloaded (ECMA-269's
 * performance management error: a limit of the application's performance is reached). */
const OVERLOAD_ERROR = { category: 'performanceManagement', value: 'performanceLimitExceeded' } as const;
const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class CstaPbx implements PbxPort {
  private readonly log: Logger;
  private readonly listeners = new Set<(event: PbxEvent) => void>();
  private readonly backoff: Backoff;
  private wantedMonitors = new Set<string>();
  private wantedRouting = new Set<string>();
  private session: CstaSession | null = null;
  private up = false;
  private everUp = false;
  private downReported = false;
  private closed = false;
  private starting: Promise<void> | null = null;
  private connecting: AbortController | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private monitorRetry: NodeJS.Timeout | null = null;

  constructor(private readonly opts: CstaPbxOptions) {
    this.log = opts.logger.child({ component: 'csta' });
    this.backoff = new Backoff({ initialMs: opts.reconnect?.initialMs ?? 100, maxMs: opts.reconnect?.maxMs ?? 5_000 });
  }

  get linkUp(): boolean {
    return this.up;
  }

  onEvent(listener: (event: PbxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('CstaPbx.start() after close()'));
    this.starting ??= this.attempt();
    return this.starting;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.monitorRetry) clearInterval(this.monitorRetry);
    this.monitorRetry = null;
    this.connecting?.abort();
    const session = this.session;
    this.session = null;
    this.up = false;
    if (session) await session.stop(Math.min(STOP_SESSION_TIMEOUT_MS, this.opts.requestTimeoutMs ?? STOP_SESSION_TIMEOUT_MS));
  }

  async setMonitoredDevices(deviceIds: Iterable<string>): Promise<void> {
    this.wantedMonitors = new Set([...deviceIds].map((d) => checkText(d, 'device id')));
    await this.reconcile();
  }

  async setRoutingDevices(deviceIds: Iterable<string>): Promise<void> {
    this.wantedRouting = new Set([...deviceIds].map((d) => checkText(d, 'routing device id')));
    await this.reconcile();
  }

  isMonitored(deviceId: string): boolean {
    return this.up && (this.session?.monitors.has(deviceId) ?? false);
  }

  async monitorNow(deviceId: string): Promise<void> {
    const device = checkText(deviceId, 'device id');
    this.wantedMonitors.add(device);
    const session = this.session;
    if (!session?.established) throw new PbxError('PBX_UNAVAILABLE', 'CSTA link is down');
    if (session.monitors.has(device)) return;
    await session.reconcile();
    if (session.monitors.has(device)) return;
    if (!session.isUp) throw new PbxError('PBX_UNAVAILABLE', 'CSTA link is down');
    const error = session.monitorFailures.get(device);
    if (!error) throw new PbxError('PBX_UNAVAILABLE', `the switch did not answer the monitor request for ${device}`);
    throw new PbxError('PBX_REJECTED', `the switch refuses to monitor ${device}${error ? `: ${error.category}/${error.value}` : ''}`, error);
  }

  async snapshotDevice(deviceId: string): Promise<DeviceSnapshot> {
    return snapshotOn(this.link(), checkText(deviceId, 'device id'));
  }

  // ------------------------------------------------------------------------------- commands

  async makeCall(from: string, to: string): Promise<ConnectionId> {
    const r = await this.link().request({ type: 'MakeCall', callingDevice: checkText(from, 'from'), calledDirectoryNumber: checkText(to, 'to') });
    return r.callingDevice;
  }

  async answerCall(conn: ConnectionId): Promise<void> {
    await this.link().request({ type: 'AnswerCall', callToBeAnswered: checkConnection(conn, 'connection') });
  }

  async clearConnection(conn: ConnectionId): Promise<void> {
    await this.link().request({ type: 'ClearConnection', connectionToBeCleared: checkConnection(conn, 'connection') });
  }

  async clearCall(callId: string): Promise<void> {
    await this.link().request({ type: 'ClearCall', callToBeCleared: { callId: checkText(callId, 'call id'), deviceId: '' } });
  }

  async holdCall(conn: ConnectionId): Promise<void> {
    await this.link().request({ type: 'HoldCall', callToBeHeld: checkConnection(conn, 'connection') });
  }

  async retrieveCall(conn: ConnectionId): Promise<void> {
    await this.link().request({ type: 'RetrieveCall', callToBeRetrieved: checkConnection(conn, 'connection') });
  }

  async consultationCall(existing: ConnectionId, to: string): Promise<ConnectionId> {
    const r = await this.link().request({ type: 'ConsultationCall', existingCall: checkConnection(existing, 'existing'), consultedDevice: checkText(to, 'to') });
    return r.initiatedCall;
  }

  async transferCall(held: ConnectionId, active: ConnectionId): Promise<void> {
    await this.link().request({ type: 'TransferCall', heldCall: checkConnection(held, 'held'), activeCall: checkConnection(active, 'active') });
  }

  async singleStepTransfer(active: ConnectionId, to: string): Promise<void> {
    await this.link().request({ type: 'SingleStepTransferCall', activeCall: checkConnection(active, 'active'), transferredTo: checkText(to, 'to') });
  }

  async conferenceCall(held: ConnectionId, active: ConnectionId): Promise<void> {
    await this.link().request({ type: 'ConferenceCall', heldCall: checkConnection(held, 'held'), activeCall: checkConnection(active, 'active') });
  }

  async singleStepConference(active: ConnectionId, deviceToJoin: string, mode: MonitorMode): Promise<ConnectionId> {
    const activeCall = checkConnection(active, 'active');
    const joining = checkText(deviceToJoin, 'device to join');
    const m = checkOneOf(mode, MONITOR_MODES, 'mode');
    const r = await this.link().request({
      type: 'SingleStepConferenceCall',
      activeCall,
      deviceToJoin: joining,
      participationType: m === 'barge' ? 'active' : 'silent',
      ...(m === 'whisper' ? { privateData: { whisper: 'true' } } : {}),
    });
    return r.conferencedCall;
  }

  async deflectCall(conn: ConnectionId, to: string): Promise<void> {
    await this.link().request({ type: 'DeflectCall', callToBeDiverted: checkConnection(conn, 'connection'), newDestination: checkText(to, 'to') });
  }

  async generateDigits(conn: ConnectionId, digits: string): Promise<void> {
    await this.link().request({ type: 'GenerateDigits', connectionToSendDigits: checkConnection(conn, 'connection'), charactersToSend: checkDigits(digits) });
  }

  async setAgentState(deviceId: string, state: AgentStateRequest, agentId?: string): Promise<void> {
    const device = checkText(deviceId, 'device id');
    const requestedAgentState = checkOneOf(state, AGENT_STATE_REQUESTS, 'agent state');
    const agent = agentId === undefined ? {} : { agentId: checkText(agentId, 'agent id') };
    await this.link().request({ type: 'SetAgentState', device, requestedAgentState, ...agent });
  }

  /** RouteSelect has no answer in this profile: resolves once written. */
  async routeSelect(crossRefId: string, destination: string): Promise<void> {
    const { session, reqId } = this.dialogue(crossRefId);
    const routeSelected = checkText(destination, 'destination');
    await this.linkOf(session).post({ type: 'RouteSelect', routingCrossRefId: crossRefId, ...(reqId !== undefined ? { routeRegisterReqId: reqId } : {}), routeSelected });
  }

  /** RouteEnd: this application will not route the call (the switch applies its default route).
   * A `reason` is logged and sent as an error value: `overload` as ECMA-323's
   * performanceManagement/performanceLimitExceeded (docs/overload.md), any other as the generic
   * operation error. */
  async routeEnd(crossRefId: string, reason?: string): Promise<void> {
    const { session, reqId } = this.dialogue(crossRefId);
    if (reason !== undefined) this.log.debug({ crossRefId, reason: checkText(reason, 'reason') }, 'RouteEnd sent');
    session.endDialogue(crossRefId);
    await this.linkOf(session).post({
      type: 'RouteEnd',
      routingCrossRefId: crossRefId,
      ...(reqId !== undefined ? { routeRegisterReqId: reqId } : {}),
      ...(reason !== undefined ? { errorValue: reason === 'overload' ? OVERLOAD_ERROR : { category: 'operation', value: 'generic' } } : {}),
    });
  }

  // ------------------------------------------------------------------------------- voice units

  /** PlayMessage (docs/csta-profile.md "Voice units"): resolves once the switch accepted it; the
   * play's start and end come as voicePlaying / voiceStopped. */
  async playMessage(req: PlayRequest): Promise<void> {
    const overConnection = checkConnection(req.conn, 'connection');
    const messageToBePlayed = checkText(req.message, 'message id', MAX_MESSAGE_ID);
    const text = req.text === undefined ? {} : { text: checkSpeech(req.text, 'text', MAX_VOICE_TEXT) };
    const lang = req.lang === undefined ? {} : { lang: checkText(req.lang, 'lang') };
    await this.link().request({
      type: 'PlayMessage',
      messageToBePlayed,
      overConnection,
      ...(req.bargeIn ? { termination: ['dTMFDigitDetected'] } : {}),
      ...text,
      ...lang,
    });
  }

  async stopMessage(conn: ConnectionId, message?: string): Promise<void> {
    const connection = checkConnection(conn, 'connection');
    await this.link().request({ type: 'Stop', connection, ...(message === undefined ? {} : { messageToBeStopped: checkText(message, 'message id', MAX_MESSAGE_ID) }) });
  }

  async recordMessage(req: RecordRequest): Promise<{ message: string }> {
    const callToBeRecorded = checkConnection(req.conn, 'connection');
    if (!Number.isSafeInteger(req.maxDurationMs) || req.maxDurationMs < 1 || req.maxDurationMs > MAX_RECORDING_MS) {
      throw new PbxArgumentError(`maxDurationMs must be an integer in 1..${MAX_RECORDING_MS}`);
    }
    const r = await this.link().request({
      type: 'RecordMessage',
      callToBeRecorded,
      maxDuration: req.maxDurationMs,
      ...(req.stopOnKey ? { termination: ['dTMFDigitDetected'] } : {}),
    });
    return { message: r.resultingMessage };
  }

  async suspendMessage(conn: ConnectionId, message: string): Promise<void> {
    const connection = checkConnection(conn, 'connection');
    await this.link().request({ type: 'Suspend', connection, message: checkText(message, 'message id', MAX_MESSAGE_ID) });
  }

  async resumeMessage(conn: ConnectionId, message: string): Promise<void> {
    const connection = checkConnection(conn, 'connection');
    await this.link().request({ type: 'Resume', connection, messageToResume: checkText(message, 'message id', MAX_MESSAGE_ID) });
  }

  // ------------------------------------------------------------------------------- internals

  private link(): CstaLink {
    const session = this.session;
    if (!session?.established) throw new PbxError('PBX_UNAVAILABLE', 'CSTA link is down');
    return this.linkOf(session);
  }

  private linkOf(session: CstaSession): CstaLink {
    if (!session.link?.isUp) throw new PbxError('PBX_UNAVAILABLE', 'CSTA link is down');
    return session.link;
  }

  private dialogue(crossRefId: string): { session: CstaSession; reqId: string | undefined } {
    checkText(crossRefId, 'routing cross-reference id');
    const session = this.session;
    if (!session?.established) throw new PbxError('PBX_UNAVAILABLE', 'CSTA link is down');
    const d = session.dialogue(crossRefId);
    if (!d) throw new PbxError('PBX_REJECTED', `no open routing dialogue ${crossRefId} (already ended, or from a previous link)`);
    return { session, reqId: d.reqId };
  }

  private monitorSet(): Set<string> {
    // Routing devices are monitored too (the profile's DeliveredEvent/DivertedEvent at the pilot).
    return new Set([...this.wantedMonitors, ...this.wantedRouting]);
  }

  private async reconcile(): Promise<void> {
    if (this.session?.established) await this.session.reconcile();
  }

  private emit(event: PbxEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, kind: event.kind }, 'PBX event listener threw');
      }
    }
  }

  /** One connect + set-up; on failure a retry is scheduled (via reportDown / onDown). */
  private async attempt(): Promise<void> {
    const session = new CstaSession({
      logger: this.log,
      concurrency: this.opts.setupConcurrency ?? DEFAULT_SETUP_CONCURRENCY,
      emit: (event) => this.emit(event),
      onDown: (s, reason) => this.onDown(s, reason),
      wanted: () => ({ monitors: this.monitorSet(), routing: this.wantedRouting }),
      routingWanted: (device) => this.wantedRouting.has(device),
    });
    const abort = new AbortController();
    this.connecting = abort;
    try {
      await session.connect({ ...this.opts, logger: this.log, signal: abort.signal });
    } catch (err) {
      if (this.closed) return;
      this.reportDown(reasonOf(err));
      return this.scheduleRetry();
    } finally {
      this.connecting = null;
    }
    if (this.closed) return session.destroy('closed by the application');
    this.session = session;
    const t0 = performance.now();
    try {
      await session.establish(this.opts.applicationId ?? 'switchboard');
      await session.reconcile();
      const reconnect = this.everUp;
      const { snapshots, failed } = await session.snapshotAll();
      if (this.session !== session || !session.isUp) return; // lost during set-up: onDown handled it
      this.up = true;
      this.everUp = true;
      this.downReported = false;
      this.backoff.reset();
      this.log.info(
        { reconnect, monitors: session.monitors.size, refused: session.monitorFailures.size, unsnapshotted: failed.length, setupMs: Math.round(performance.now() - t0) },
        'CSTA link up',
      );
      this.emit({ kind: 'linkUp', reconnect, snapshot: snapshots, unsnapshotted: failed });
      session.release();
      this.armMonitorRetry();
    } catch (err) {
      if (this.session === session) session.destroy(`session set-up failed: ${reasonOf(err)}`);
    }
  }

  /** Monitors the switch refused (or did not answer for) are asked for again now and then: a
   * phone plugged back in, a monitor slot freed. */
  private armMonitorRetry(): void {
    if (this.monitorRetry) return;
    this.monitorRetry = setInterval(() => {
      const session = this.session;
      if (!session?.established) return;
      const missing = session.monitorFailures.size > 0 || [...this.wantedMonitors].some((d) => !session.monitors.has(d));
      if (!missing) return;
      void session.reconcile();
    }, this.opts.monitorRetryMs ?? DEFAULT_MONITOR_RETRY_MS);
    this.monitorRetry.unref();
  }

  private onDown(session: CstaSession, reason: string): void {
    if (session !== this.session) return; // an old link, or close()
    this.session = null;
    this.up = false;
    this.log.warn({ reason }, 'CSTA link down');
    this.reportDown(reason);
    this.scheduleRetry();
  }

  private reportDown(reason: string): void {
    if (this.downReported) return;
    this.downReported = true;
    this.emit({ kind: 'linkDown', reason });
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.backoff.next();
    this.log.debug({ delayMs: delay }, 'CSTA reconnect scheduled');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.attempt().catch((err: unknown) => this.log.error({ err }, 'CSTA reconnect attempt threw'));
    }, delay);
  }
}
