/**
 * Recording capture (docs/recording.md, "Capture"): decides, when a call is established with an
 * agent, whether it is recorded (policies/decide.ts), stores the decision on the call's row, and
 * asks the switch to record it — ONE recording per call, on the connection that stays for the
 * call's whole life (the outside party's), so it follows the call through transfers, consultation
 * and conference. The recordings row is inserted at the start; the agents' legs are appended as
 * agents connect and leave (ms from the recording's start); pauses are the switch's Suspend /
 * Resume with the spans stored; when the switch's StopEvent comes (or the call ends), the file is
 * moved to `DATA_DIR/recordings/YYYY/MM/DD/<id>.wav`, checked (sha256 streamed, off the call
 * path) and the row closed with path, bytes, sha256 and duration.
 *
 * Nothing here blocks a call: the decision is a few comparisons, the switch request and the file
 * work are async, and a failure (switch refusal, file gone) marks the row failed and is logged —
 * the call goes on.
 */
import type { Logger } from 'pino';
import { AppError, invalidState } from '../../core/errors.ts';
import type { TrackedCall } from '../../core/calls/call.ts';
import { PbxError, type ConnectionId, type LocalConnectionState, type PbxEvent, type PbxPort } from '../../core/pbx-port.ts';
import type { CallListener } from '../../services/call-service.ts';
import type { Clock, Timers } from '../../services/ports.ts';
import type { NewRecordingRow, ClosedRecording } from '../../storage/repositories/recordings-write.ts';
import { decideRecording, type RecordingDecision, type RecordingPolicy } from '../policies/decide.ts';
import { recordingPath, wavDurationMs } from './file-store.ts';
import type { RecordingFiles } from './file-mover.ts';

/** Where the capture's rows go (storage/repositories/recordings-write.ts). */
export interface RecordingWrites {
  insertStarted(row: NewRecordingRow): void;
  setPath(id: string, path: string): void;
  addAgentLeg(recordingId: string, leg: { agent: string; extension: string; fromMs: number; startedAt: number }): void;
  endAgentLegs(recordingId: string, toMs: number, agent?: string): void;
  addPause(recordingId: string, fromMs: number, by: string): void;
  endPause(recordingId: string, toMs: number): void;
  close(id: string, c: ClosedRecording): void;
  fail(id: string, endedAt: number): void;
  /** On the call's row; written after the row (the write queue keeps the order). */
  setCallDecision(callId: string, d: { decision: string; policyId: number | null; policyVersion: number | null }): void;
  /** Rows a previous run left `recording` (restart). */
  openRecordings?(): { id: string; callId: string; startedAt: number; path: string | null; callEnded: boolean }[];
  /** Commits the writes made so far (they may wait for the end of the turn: group commit) and
   * says whether they are on disk; false while the database refuses writes and they are kept in
   * memory. Absent: every write is on disk when it returns. */
  durable?(): boolean;
}

export interface CaptureDeps {
  pbx: Pick<PbxPort, 'onEvent' | 'recordMessage' | 'stopMessage' | 'suspendMessage' | 'resumeMessage'>;
  calls: { subscribe(l: CallListener): () => void; get(callId: string): TrackedCall | undefined; pbxIdAt(call: TrackedCall): string };
  /** What kind of device a number is (the outside party is `external`). */
  deviceKind(deviceId: string): string;
  /** The agent's phone in the call (their extension). */
  extensionOf(agentId: string, call: TrackedCall): string | null;
  /** Usernames of the agents now on the call. */
  agentsOn(call: TrackedCall): string[];
  /** The enabled and disabled policies as stored (re-read after every admin change). */
  policies(): readonly RecordingPolicy[];
  writes: RecordingWrites;
  notify(event: string, data: object, users: string[]): void;
  clock: Clock;
  timers: Timers;
  log: Logger;
  newId: () => string;
  /** DATA_DIR/recordings. */
  recordingsDir: string;
  /** Moves a closed recording's file there, verified (file-mover.ts: a worker thread). */
  files: Pick<RecordingFiles, 'move'>;
  /** A pause left open resumes by itself after this long. */
  pauseMaxMs: number;
  /** After the call ended, how long to wait for the switch's StopEvent before closing anyway. */
  closeGraceMs?: number;
  /** The recording stops by itself after this long at the switch (a safety net). */
  maxRecordingMs?: number;
}

type Status = 'starting' | 'recording' | 'closing' | 'done';

interface Active {
  id: string;
  callId: string;
  startedAt: number;
  conn: ConnectionId;
  /** The switch's message id (the file path), once it accepted the RecordMessage. */
  message: string | null;
  status: Status;
  legs: Set<string>;
  pause: { at: number; by: string; timer: unknown } | null;
  closeTimer: unknown;
  /** The call ended: the recording closes when the switch says it stopped (or after the grace). */
  callEnded: boolean;
}

export interface PauseResult {
  callId: string;
  at: string;
}

const DEFAULT_MAX_RECORDING_MS = 4 * 3600_000;
/** A recording left open by the previous run is checked this often until its call is over (the
 * call tracker's restore wait is 60 s). */
const RESTORE_CHECK_MS = 65_000;

export class RecordingCapture implements CallListener {
  private readonly byCall = new Map<string, Active>();
  private readonly byMessage = new Map<string, Active>();
  /** The decision stored for each call in progress (a re-decision writes only a change). */
  private readonly decided = new Map<string, string>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly d: CaptureDeps) {}

  attach(): void {
    this.unsubscribe.push(this.d.calls.subscribe(this));
    this.unsubscribe.push(this.d.pbx.onEvent((ev) => this.onPbxEvent(ev)));
    this.adoptLeftOpen();
  }

  /**
   * Recordings the previous run left open (the daemon stopped during their call): one whose
   * RecordMessage was never answered failed; one whose call has ended is closed from the switch's
   * file now; one whose call may go on waits for its StopEvent (by file), and is closed once its
   * call row says it ended (checked after RESTORE_CHECK_MS) — pause is not offered for it.
   */
  private adoptLeftOpen(): void {
    let open: ReturnType<NonNullable<RecordingWrites['openRecordings']>> = [];
    try {
      open = this.d.writes.openRecordings?.() ?? [];
    } catch (err) {
      this.d.log.error({ err }, 'recordings left open by the previous run not read');
    }
    for (const r of open) {
      const a: Active = { id: r.id, callId: r.callId, startedAt: r.startedAt, conn: { callId: '', deviceId: '' }, message: r.path, status: 'recording', legs: new Set(), pause: null, closeTimer: null, callEnded: true };
      if (r.path === null) {
        this.failed(a, new Error('left open by the previous run before the switch answered'));
        continue;
      }
      this.d.log.info({ callId: r.callId, recordingId: r.id, callEnded: r.callEnded }, 'recording left open by the previous run');
      this.byMessage.set(r.path, a);
      // Its call, if it comes back, keeps this recording (a later agent is a leg, not a second one).
      this.byCall.set(r.callId, a);
      if (r.callEnded) this.finish(a);
      else a.closeTimer = this.d.timers.setTimeout(() => this.closeIfOver(a), RESTORE_CHECK_MS);
    }
  }

  private closeIfOver(a: Active): void {
    a.closeTimer = null;
    if (a.status !== 'recording') return;
    const call = this.d.calls.get(a.callId);
    if (call && call.endedAt === null) {
      a.closeTimer = this.d.timers.setTimeout(() => this.closeIfOver(a), RESTORE_CHECK_MS);
      return;
    }
    this.finish(a);
  }

  /** Stops listening; waits for file work under way. */
  async close(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const a of this.byCall.values()) {
      if (a.pause) this.d.timers.clearTimeout(a.pause.timer);
      if (a.closeTimer !== null) this.d.timers.clearTimeout(a.closeTimer);
    }
    await Promise.allSettled([...this.pending]);
  }

  /** The recording in progress of a call (tests, the IVR). */
  recordingOf(callId: string): { id: string; status: Status; paused: boolean } | null {
    const a = this.byCall.get(callId);
    return a ? { id: a.id, status: a.status, paused: a.pause !== null } : null;
  }

  /** Resolves once the file work started so far is done (tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  // --------------------------------------------------------------------------- call listener

  agentConnection(agentId: string, call: TrackedCall, from: LocalConnectionState | null, to: LocalConnectionState | null): void {
    if (call.endedAt !== null) return;
    const active = this.byCall.get(call.id);
    if (to === 'connected' && from !== 'hold' && from !== 'connected') {
      if (active) this.addLeg(active, agentId, call);
      else if (call.consultOf === null) this.decide(call, agentId);
      return;
    }
    if ((to === null || to === 'fail') && active?.legs.has(agentId)) {
      active.legs.delete(agentId);
      this.write(active, 'agent leg end', () => this.d.writes.endAgentLegs(active.id, this.msOf(active), agentId));
    }
  }

  callEnded(call: TrackedCall): void {
    this.decided.delete(call.id);
    const a = this.byCall.get(call.id);
    if (!a) return;
    a.callEnded = true;
    const now = this.msOf(a);
    if (a.pause) this.endPause(a, now);
    a.legs.clear();
    this.write(a, 'agent legs end', () => this.d.writes.endAgentLegs(a.id, now));
    if (a.status === 'recording') this.stopAtSwitch(a);
  }

  /** The call is over here but the switch has not said the recording stopped (the call left our
   * devices, or its StopEvent went to no monitor of ours): Stop it, so the switch completes the
   * file, then close; at the latest after the grace time. */
  private stopAtSwitch(a: Active): void {
    if (a.closeTimer === null) a.closeTimer = this.d.timers.setTimeout(() => this.finish(a), this.d.closeGraceMs ?? 2000);
    this.track(
      this.d.pbx.stopMessage(a.conn, a.message!).then(
        () => this.finish(a),
        (err: unknown) => this.d.log.debug({ callId: a.callId, recordingId: a.id, err }, 'Stop of the recording refused (it ended with the call)'),
      ),
    );
  }

  // ------------------------------------------------------------------------- pause and resume

  /** Pauses the call's recording (the agent, a supervisor, an IVR node collecting card numbers).
   * INVALID_STATE when the call is not being recorded. A pause already open is answered as is. */
  async pause(callId: string, by: string): Promise<PauseResult> {
    const a = this.recording(callId);
    if (a.pause) return { callId, at: new Date(a.pause.at).toISOString() };
    await this.command(this.d.pbx.suspendMessage(a.conn, a.message!));
    const open = a.pause as Active['pause'];
    if (open || a.status !== 'recording') return { callId, at: new Date(open?.at ?? this.d.clock.now()).toISOString() };
    const at = this.d.clock.now();
    a.pause = { at, by, timer: this.d.timers.setTimeout(() => void this.autoResume(a), this.d.pauseMaxMs) };
    this.write(a, 'pause', () => this.d.writes.addPause(a.id, at - a.startedAt, by));
    this.d.log.info({ callId, recordingId: a.id, by }, 'recording paused');
    this.tell(a, 'recording.paused', at);
    return { callId, at: new Date(at).toISOString() };
  }

  /** Resumes it; INVALID_STATE when not recorded; a recording not paused is answered as is. */
  async resume(callId: string, by: string): Promise<PauseResult> {
    const a = this.recording(callId);
    if (!a.pause) return { callId, at: new Date(this.d.clock.now()).toISOString() };
    await this.command(this.d.pbx.resumeMessage(a.conn, a.message!));
    const at = this.d.clock.now();
    if (a.pause) this.endPause(a, at - a.startedAt);
    this.d.log.info({ callId, recordingId: a.id, by }, 'recording resumed');
    this.tell(a, 'recording.resumed', at);
    return { callId, at: new Date(at).toISOString() };
  }

  private async autoResume(a: Active): Promise<void> {
    if (!a.pause || a.status !== 'recording') return;
    a.pause.timer = null;
    try {
      await this.resume(a.callId, 'system');
      this.d.log.info({ callId: a.callId, recordingId: a.id }, 'pause over its maximum: recording resumed by itself');
    } catch (err) {
      this.d.log.warn({ callId: a.callId, recordingId: a.id, err }, 'automatic resume failed');
    }
  }

  private recording(callId: string): Active {
    const a = this.byCall.get(callId);
    if (!a || a.status !== 'recording' || a.message === null || a.callEnded) throw invalidState(`call ${callId} is not being recorded`);
    return a;
  }

  private endPause(a: Active, toMs: number): void {
    if (!a.pause) return;
    if (a.pause.timer !== null) this.d.timers.clearTimeout(a.pause.timer);
    a.pause = null;
    this.write(a, 'pause end', () => this.d.writes.endPause(a.id, toMs));
  }

  private tell(a: Active, event: string, at: number): void {
    const call = this.d.calls.get(a.callId);
    const users = call ? this.d.agentsOn(call) : [];
    if (users.length > 0) this.d.notify(event, { callId: a.callId, at: new Date(at).toISOString() }, users);
  }

  private async command<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof AppError) throw err;
      const e = err as { code?: string; message?: string };
      throw new AppError(e.code === 'PBX_UNAVAILABLE' ? 'PBX_UNAVAILABLE' : 'PBX_REJECTED', e.message ?? 'the switch refused');
    }
  }

  // --------------------------------------------------------------------------------- decision

  private decide(call: TrackedCall, agentId: string): void {
    const facts = { callId: call.id, caller: call.from, callee: call.to, pilot: call.dialled || null, queue: call.queue, service: call.service, agents: call.agents };
    let d: RecordingDecision;
    try {
      d = decideRecording(this.d.policies(), facts);
    } catch (err) {
      this.d.log.error({ callId: call.id, err }, 'recording decision failed: not recorded');
      return;
    }
    if (this.decided.get(call.id) !== `${d.decision}:${d.policyId ?? ''}:${d.policyVersion ?? ''}`) {
      this.decided.set(call.id, `${d.decision}:${d.policyId ?? ''}:${d.policyVersion ?? ''}`);
      this.storeDecision(call.id, d);
    }
    this.d.log.debug({ callId: call.id, agentId, decision: d.decision, policyId: d.policyId }, 'recording decision');
    if (d.record) this.start(call, d, agentId);
  }

  private storeDecision(callId: string, d: RecordingDecision): void {
    try {
      this.d.writes.setCallDecision(callId, { decision: d.decision, policyId: d.policyId ?? null, policyVersion: d.policyVersion ?? null });
    } catch (err) {
      this.d.log.error({ callId, err }, 'recording decision not stored');
    }
  }

  // ---------------------------------------------------------------------------------- capture

  /** The connection that stays for the call's whole life: the outside party's (the caller of an
   * inbound call, the called party of an outbound one); for an internal call, the caller's. */
  private connectionToRecord(call: TrackedCall): ConnectionId | null {
    const devices = [...call.connections.keys()];
    const outside = devices.filter((dev) => this.d.deviceKind(dev) === 'external');
    const pick = call.direction === 'inbound' && outside.includes(call.from) ? call.from : call.direction === 'outbound' && outside.includes(call.to) ? call.to : (outside[0] ?? (call.connections.has(call.from) ? call.from : null));
    return pick === null ? null : { callId: this.d.calls.pbxIdAt(call), deviceId: pick };
  }

  private start(call: TrackedCall, d: RecordingDecision, agentId: string): void {
    const conn = this.connectionToRecord(call);
    const startedAt = this.d.clock.now();
    const a: Active = { id: this.d.newId(), callId: call.id, startedAt, conn: conn ?? { callId: this.d.calls.pbxIdAt(call), deviceId: '' }, message: null, status: 'starting', legs: new Set(), pause: null, closeTimer: null, callEnded: false };
    try {
      this.d.writes.insertStarted({
        id: a.id,
        callId: call.id,
        startedAt,
        direction: call.direction,
        caller: call.from,
        callee: call.to,
        queue: call.queue,
        pilot: call.dialled || null,
        customerId: call.customer?.id ?? null,
        policyId: d.policyId ?? null,
        policyVersion: d.policyVersion ?? null,
        path: null,
      });
    } catch (err) {
      this.d.log.error({ callId: call.id, err }, 'recording row not written: call not recorded');
      return;
    }
    this.byCall.set(call.id, a);
    for (const agent of new Set([agentId, ...this.d.agentsOn(call)])) this.addLeg(a, agent, call);
    if (!conn) return this.failed(a, new Error('no connection in the call to record on'));
    this.d.log.info({ callId: call.id, recordingId: a.id, agentId, policyId: d.policyId, device: conn.deviceId }, 'recording the call');
    this.track(
      this.d.pbx.recordMessage({ conn, maxDurationMs: this.d.maxRecordingMs ?? DEFAULT_MAX_RECORDING_MS, stopOnKey: false }).then(
        ({ message }) => {
          if (a.status !== 'starting') return;
          a.message = message;
          a.status = 'recording';
          this.byMessage.set(message, a);
          this.write(a, 'path', () => this.d.writes.setPath(a.id, message));
          // The call may have ended while the switch answered.
          if (a.callEnded) this.stopAtSwitch(a);
        },
        (err: unknown) => this.failed(a, err),
      ),
    );
  }

  private addLeg(a: Active, agentId: string, call: TrackedCall): void {
    if (a.legs.has(agentId) || a.status === 'closing' || a.status === 'done') return;
    const ext = this.d.extensionOf(agentId, call);
    if (!ext) return;
    a.legs.add(agentId);
    const fromMs = this.msOf(a);
    this.write(a, 'agent leg', () => this.d.writes.addAgentLeg(a.id, { agent: agentId, extension: ext, fromMs, startedAt: a.startedAt }));
  }

  private failed(a: Active, err: unknown): void {
    if (a.status === 'done') return;
    a.status = 'done';
    this.forget(a);
    if (callGone(err)) {
      // The call left the switch before the recording could start (a short call, or one kept
      // waiting under overload): expected, and one line per call, so no stack and no error.
      this.d.log.warn({ callId: a.callId, recordingId: a.id, cstaError: (err as PbxError).cstaError }, 'recording not started: the call had already gone at the switch');
    } else this.d.log.error({ callId: a.callId, recordingId: a.id, err }, 'recording failed; the call goes on unrecorded');
    this.write(a, 'failed', () => this.d.writes.fail(a.id, this.d.clock.now()));
  }

  private onPbxEvent(ev: PbxEvent): void {
    if (ev.kind !== 'voiceStopped') return;
    const a = this.byMessage.get(ev.message);
    if (a) this.finish(a);
  }

  /** The switch stopped (or the call is over): the file is moved, checked and the row closed. */
  private finish(a: Active): void {
    if (a.status !== 'recording') return;
    a.status = 'closing';
    if (a.closeTimer !== null) this.d.timers.clearTimeout(a.closeTimer);
    a.closeTimer = null;
    const endedAt = this.d.clock.now();
    if (a.pause) this.endPause(a, endedAt - a.startedAt);
    if (a.legs.size > 0) {
      a.legs.clear();
      this.write(a, 'agent legs end', () => this.d.writes.endAgentLegs(a.id, endedAt - a.startedAt));
    }
    this.forget(a);
    const source = a.message!;
    this.track(
      (async () => {
        const { file, dropSource, error } = await this.d.files.move(source, recordingPath(this.d.recordingsDir, a.id, a.startedAt));
        if (error) this.d.log.warn({ callId: a.callId, recordingId: a.id, err: error }, 'recording file not moved: it stays where the switch wrote it');
        this.d.writes.close(a.id, { endedAt, durationMs: wavDurationMs(file.bytes), path: file.path, bytes: file.bytes, sha256: file.sha256 });
        a.status = 'done';
        // The switch's file goes only once the row naming the copy is on disk: a crash in between
        // must leave a row that names a file that exists.
        if (this.d.writes.durable?.() ?? true) await dropSource();
        else if (file.moved) this.d.log.warn({ callId: a.callId, recordingId: a.id, source }, "recording's row not yet on disk (database degraded): the switch's file is kept");
        this.d.log.info({ callId: a.callId, recordingId: a.id, bytes: file.bytes }, 'recording closed');
      })().catch((err: unknown) => {
        a.status = 'recording';
        this.failed(a, err);
      }),
    );
  }

  private forget(a: Active): void {
    if (this.byCall.get(a.callId) === a) this.byCall.delete(a.callId);
    if (a.message !== null && this.byMessage.get(a.message) === a) this.byMessage.delete(a.message);
  }

  private msOf(a: Active): number {
    return Math.max(0, this.d.clock.now() - a.startedAt);
  }

  private write(a: Active, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.d.log.error({ callId: a.callId, recordingId: a.id, err }, `recording ${what} not written`);
    }
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}

/** The switch refused the request because the call or connection no longer exists. */
function callGone(err: unknown): boolean {
  return err instanceof PbxError && err.code === 'PBX_REJECTED' && (err.cstaError?.value === 'invalidCallID' || err.cstaError?.value === 'invalidConnectionID');
}
