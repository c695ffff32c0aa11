/**
 * Voice units of the simulated switch under CTI control (docs/csta-profile.md "Voice units"):
 * IVR ports play messages and record callers, queue devices play music on hold and announcements.
 *
 * - `PlayMessage` over a port's connection (connected) or a queue device's (queued): PlayEvent when
 *   the message starts, StopEvent when it ends (endOfMessageDetected, durationExceeded past the
 *   request's `duration`, dTMFDigitDetected on barge-in, earlyStop on `Stop`, normalClearing when
 *   the caller or the unit leaves the call). Plays on one connection queue: a second one starts
 *   when the first ends. A queued play that never started gets no event.
 * - Barge-in (termination dTMFDigitDetected): the caller's first key stops the play and drops the
 *   plays queued behind it; the DtmfDetectedEvent of the key comes first.
 * - `RecordMessage`: RecordEvent at once, a WAV file written to the recordings folder; StopEvent
 *   (length, private bytes) when a key ends it, at maxDuration, on Stop, or when the call goes.
 *   Over an IVR port's or an extension's connection it records what that unit hears; over an
 *   outside party's connection it records the whole call (every party mixed, each its own voice,
 *   those who join later too) until that party leaves or the call ends — the recording a CTI asks
 *   for to follow a call through transfers and conferences; its events go to the monitors of the
 *   devices in the call.
 * - `Suspend` / `Resume` of a recording: SuspendRecordEvent / RecordEvent; the paused span is
 *   silence in the file, so the file's length is still the recorded span.
 * - A queue device plays music while a call is queued there; an announcement interrupts it and
 *   the music resumes after it. Everything heard goes to the heard log (heard-log.ts).
 *
 * Voice events go to the monitors of the unit's device. Time runs `voiceTimeScale` times faster
 * than the messages' own lengths (tests); lengths reported and heard are the messages' own.
 */
import type { Logger } from 'pino';
import type { MessageOf } from '../csta/protocol/catalogue.ts';
import type { ConnectionId } from '../csta/protocol/types.ts';
import { findConnection } from './call-services.ts';
import type { Notice, SwitchCore } from './core.ts';
import { fault } from './errors.ts';
import { HeardLog, heardMs, type HeardItem } from './heard-log.ts';
import { Recorder, type Recording } from './recorder.ts';
import { TimerSet } from './timers.ts';
import { parseMessageId, type PlaySpec } from './voice-messages.ts';

/** Plays waiting behind the current one on one connection, at most. */
export const MAX_QUEUED_PLAYS = 50;
const DTMF = 'dTMFDigitDetected';

interface Playing {
  spec: PlaySpec;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
  item: HeardItem | null;
  /** The queue device's own music (no CTI request, no events). */
  implicit: boolean;
}

interface Unit {
  readonly callId: string;
  readonly deviceId: string;
  readonly kind: 'ivr' | 'queue' | 'extension' | 'outside';
  /** The caller: when it leaves, what it hears and what records it end. */
  readonly calling: string;
  current: Playing | null;
  queue: PlaySpec[];
  recording: Recording | null;
}

type StopCause = 'endOfMessageDetected' | 'durationExceeded' | 'dTMFDigitDetected' | 'earlyStop' | 'normalClearing';

export interface VoiceDeps {
  core: SwitchCore;
  logger: Logger;
  recordingsDir: string;
}

export class VoiceUnits {
  readonly heard: HeardLog;
  readonly recorder: Recorder;
  private readonly core: SwitchCore;
  private readonly timers: TimerSet;
  private readonly byCall = new Map<string, Map<string, Unit>>();

  constructor(deps: VoiceDeps) {
    this.core = deps.core;
    this.timers = new TimerSet(deps.logger);
    this.heard = new HeardLog(deps.core.clock);
    this.recorder = new Recorder({ dir: deps.recordingsDir, logger: deps.logger, clock: deps.core.clock });
  }

  private get scale(): number {
    return this.core.config.voiceTimeScale;
  }

  /** Timers and voice units now running (tests: nothing leaks per call). */
  get active(): { timers: number; units: number } {
    let units = 0;
    for (const m of this.byCall.values()) units += m.size;
    return { timers: this.timers.size, units };
  }

  // ------------------------------------------------------------------ services

  play(msg: MessageOf<'PlayMessage'>): void {
    const target = this.voiceConnection(msg.overConnection, false);
    const spec = parseMessageId({
      id: msg.messageToBePlayed,
      ...(msg.text !== undefined ? { text: msg.text } : {}),
      ...(msg.lang !== undefined ? { lang: msg.lang } : {}),
      bargeIn: (msg.termination ?? []).includes(DTMF),
      promptDurationsMs: this.core.config.promptDurationsMs,
    });
    if (msg.duration !== undefined) {
      if (msg.duration < 1) throw fault.valueOutOfRange('duration must be at least 1 ms');
      spec.limitMs = msg.duration;
    }
    const unit = this.unit(target);
    if (unit.current && !unit.current.implicit) {
      if (unit.queue.length >= MAX_QUEUED_PLAYS) throw fault.resourceBusy(`${MAX_QUEUED_PLAYS} plays already wait on {${unit.callId}, ${unit.deviceId}}`);
      unit.queue.push(spec);
      return;
    }
    if (unit.current) this.finish(unit, 'earlyStop');
    this.start(unit, spec);
  }

  stop(msg: MessageOf<'Stop'>): void {
    const { call, conn } = findConnection(this.core, msg.connection);
    const unit = this.byCall.get(call.id)?.get(conn.deviceId);
    if (!unit) return; // nothing plays or records there: nothing to stop (the play may just have ended)
    const which = msg.messageToBeStopped;
    if (unit.recording && (which === undefined || which === unit.recording.path)) this.endRecording(unit, 'earlyStop');
    if (which === undefined) unit.queue = [];
    else unit.queue = unit.queue.filter((p) => p.id !== which);
    const cur = unit.current;
    if (cur && !cur.implicit && (which === undefined || cur.spec.id === which)) {
      this.finish(unit, 'earlyStop', 'stop');
      this.next(unit);
    }
    this.dropIfIdle(unit);
  }

  record(msg: MessageOf<'RecordMessage'>): string {
    const target = this.voiceConnection(msg.callToBeRecorded, true);
    if (msg.maxDuration !== undefined && msg.maxDuration < 1) throw fault.valueOutOfRange('maxDuration must be at least 1 ms');
    if (msg.samplingRate !== undefined && msg.samplingRate !== 8000) throw fault.valueOutOfRange('samplingRate: the switch records at 8000 Hz');
    const existing = this.byCall.get(target.callId)?.get(target.deviceId);
    if (existing?.recording) throw fault.resourceBusy(`{${target.callId}, ${target.deviceId}} is already recording`);
    const call = this.core.calls.get(target.callId)!;
    const speakers = [...call.connections.values()].filter((c) => (c.kind === 'outside' || c.kind === 'extension') && c.participation !== 'silent').map((c) => c.deviceId);
    const maxMs = msg.maxDuration ?? this.recorder.defaultMaxMs;
    const recording = this.recorder.start({ callId: target.callId, deviceId: target.deviceId, speakers, stopOnKey: (msg.termination ?? []).includes(DTMF), maxMs, scale: this.scale });
    // A call recording (outside party) follows the call: only that party leaving ends it.
    const unit = this.unit(target.kind === 'outside' ? { ...target, calling: target.deviceId } : target);
    unit.recording = recording;
    recording.timer = this.timers.after(this.real(maxMs), () => this.endRecording(unit, 'durationExceeded'));
    this.event(unit, { type: 'RecordEvent', connection: this.connOf(unit), message: recording.path });
    return recording.path;
  }

  /** Suspend: the recording on the connection pauses (silence is written for the paused span). */
  suspend(msg: MessageOf<'Suspend'>): void {
    const { unit, rec } = this.recordingAt(msg.connection, msg.message);
    if (rec.pauses.some((p) => p.to === undefined)) throw fault.invalidConnectionState(`the recording ${rec.path} is already suspended`);
    rec.pauses.push({ from: this.core.clock() });
    const at = this.recordedMs(rec);
    this.event(unit, { type: 'SuspendRecordEvent', connection: this.connOf(unit), message: rec.path, length: at, currentPosition: at });
  }

  /** Resume: a suspended recording goes on (RecordEvent). */
  resume(msg: MessageOf<'Resume'>): void {
    const { unit, rec } = this.recordingAt(msg.connection, msg.messageToResume);
    const open = rec.pauses.find((p) => p.to === undefined);
    if (!open) throw fault.invalidConnectionState(`the recording ${rec.path} is not suspended`);
    open.to = this.core.clock();
    const at = this.recordedMs(rec);
    this.event(unit, { type: 'RecordEvent', connection: this.connOf(unit), message: rec.path, length: at, currentPosition: at });
  }

  private recordingAt(id: ConnectionId, message: string | undefined): { unit: Unit; rec: Recording } {
    const { call, conn } = findConnection(this.core, id);
    const unit = this.byCall.get(call.id)?.get(conn.deviceId);
    const rec = unit?.recording;
    if (!unit || !rec || (message !== undefined && message !== rec.path)) throw fault.invalidConnectionState(`nothing records ${message ?? ''} on {${call.id}, ${conn.deviceId}}`);
    return { unit, rec };
  }

  private recordedMs(rec: Recording): number {
    return Math.max(0, Math.round((this.core.clock() - rec.startedAt) * rec.scale));
  }

  /** The caller pressed `key` (after its DtmfDetectedEvent went out): barge-in and key-ended recordings. */
  keyPressed(callId: string, key: string): void {
    const units = this.byCall.get(callId);
    if (!units) return;
    for (const unit of [...units.values()]) {
      if (unit.recording?.stopOnKey) this.endRecording(unit, DTMF);
      const cur = unit.current;
      if (cur && !cur.implicit && cur.spec.bargeIn) {
        unit.queue = [];
        this.finish(unit, DTMF, key);
        this.next(unit);
      }
      this.dropIfIdle(unit);
    }
  }

  // ------------------------------------------------------------------ the switch's notices

  onNotice(n: Notice): void {
    switch (n.kind) {
      case 'connectionState':
        // A party joining a recorded call (transfer, conference) is heard from now on.
        if ((n.deviceKind === 'extension' || n.deviceKind === 'outside') && n.state === 'connected') {
          for (const unit of this.byCall.get(n.callId)?.values() ?? []) {
            const rec = unit.recording;
            if (unit.kind !== 'outside' || !rec || rec.speakers.includes(n.deviceId)) continue;
            if (this.core.calls.get(n.callId)?.connections.get(n.deviceId)?.participation === 'silent') continue;
            rec.speakers.push(n.deviceId);
          }
        }
        if (n.deviceKind === 'queue' && n.state === 'queued') {
          const call = this.core.calls.get(n.callId);
          if (!call) return;
          const unit = this.unit({ callId: n.callId, deviceId: n.deviceId, kind: 'queue', calling: call.calling });
          if (!unit.current) this.next(unit);
        }
        return;
      case 'connectionGone': {
        const units = this.byCall.get(n.callId);
        if (!units) return;
        const call = this.core.calls.get(n.callId);
        for (const unit of [...units.values()]) {
          // The unit's device left (deflected, transferred away) or the caller did (hung up). The
          // queue's own music just ends when the caller moves on to an agent.
          if (unit.deviceId === n.deviceId) this.endUnit(unit, 'hangup', call?.connections.has(unit.calling) ?? false);
          else if (unit.calling === n.deviceId) this.endUnit(unit, 'hangup');
        }
        return;
      }
      case 'callEnded':
        for (const unit of [...(this.byCall.get(n.callId)?.values() ?? [])]) this.endUnit(unit, 'hangup');
        this.heard.end(n.callId);
        return;
      case 'restarted':
        this.reset();
        return;
      default:
        return;
    }
  }

  /** Stops everything without events (switch restart, simulator closing); recordings are kept. */
  reset(): void {
    for (const units of this.byCall.values()) {
      for (const unit of units.values()) {
        if (unit.recording) this.recorder.finish(unit.recording);
        this.closeItem(unit.current, 'hangup');
      }
    }
    this.byCall.clear();
    this.timers.clear();
    this.heard.endAll();
  }

  // ------------------------------------------------------------------ internals

  /** Checks that `id` is a voice unit's connection in a state to play (or record) on. */
  private voiceConnection(id: ConnectionId, recording: boolean): { callId: string; deviceId: string; kind: Unit['kind']; calling: string } {
    const { call, conn } = findConnection(this.core, id);
    const ok = conn.kind === 'ivr' || (conn.kind === 'queue' && !recording) || ((conn.kind === 'extension' || conn.kind === 'outside') && recording);
    if (!ok) throw fault.invalidConnectionId(`${conn.deviceId} is a ${conn.kind} device: no voice unit ${recording ? 'records' : 'plays'} there`);
    const wanted = conn.kind === 'queue' ? 'queued' : 'connected';
    if (conn.state !== wanted) throw fault.invalidConnectionState(`connection {${call.id}, ${conn.deviceId}} is ${conn.state}, not ${wanted}`);
    return { callId: call.id, deviceId: conn.deviceId, kind: conn.kind as Unit['kind'], calling: call.calling };
  }

  private unit(t: { callId: string; deviceId: string; kind: Unit['kind']; calling: string }): Unit {
    let units = this.byCall.get(t.callId);
    if (!units) this.byCall.set(t.callId, (units = new Map()));
    let unit = units.get(t.deviceId);
    if (!unit) units.set(t.deviceId, (unit = { ...t, current: null, queue: [], recording: null }));
    return unit;
  }

  private real(ms: number): number {
    return Math.max(1, Math.round(ms / this.scale));
  }

  private connOf(unit: Unit): ConnectionId {
    return { callId: unit.callId, deviceId: unit.deviceId };
  }

  private event(unit: Unit, body: Parameters<SwitchCore['deviceEvent']>[1]): void {
    if (unit.kind !== 'outside') return this.core.deviceEvent(unit.deviceId, body);
    // A call recording: to the monitors of the devices in the call, and of those it recorded
    // (the call may be clearing already).
    const call = this.core.calls.get(unit.callId);
    const heard = unit.recording?.speakers ?? this.lastSpeakers.get(unit) ?? [];
    if (call) this.core.callEvent(call, body, heard);
    else for (const d of new Set(heard)) this.core.deviceEvent(d, body);
  }

  /** The parties of a call recording that just ended (for its StopEvent). */
  private readonly lastSpeakers = new WeakMap<Unit, string[]>();

  private start(unit: Unit, spec: PlaySpec, implicit = false): void {
    const now = this.core.clock();
    const nominal = spec.limitMs !== undefined ? Math.min(spec.limitMs, spec.nominalMs ?? Infinity) : spec.nominalMs;
    const item = this.heard.add(unit.callId, {
      at: now,
      port: unit.deviceId,
      kind: spec.kind,
      ...(spec.ref !== undefined ? { ref: spec.ref } : {}),
      ...(spec.text !== undefined ? { text: spec.text } : {}),
      ...(spec.lang !== undefined ? { lang: spec.lang } : {}),
      ...(spec.file !== undefined ? { file: spec.file } : {}),
      durationMs: null,
      nominalMs: nominal,
      scale: this.scale,
    });
    const playing: Playing = { spec, startedAt: now, timer: undefined, item, implicit };
    unit.current = playing;
    if (nominal !== null) {
      const cause: StopCause = spec.limitMs !== undefined && (spec.nominalMs === null || spec.limitMs < spec.nominalMs) ? 'durationExceeded' : 'endOfMessageDetected';
      playing.timer = this.timers.after(this.real(nominal), () => {
        if (unit.current !== playing) return;
        this.finish(unit, cause);
        this.next(unit);
        this.dropIfIdle(unit);
      });
    }
    if (!implicit) this.event(unit, { type: 'PlayEvent', connection: this.connOf(unit), message: spec.id, ...(spec.nominalMs !== null ? { length: nominal ?? spec.nominalMs } : {}) });
  }

  /** Ends the current play with `cause`: its heard length fixed, StopEvent (not for the queue's own music). */
  private finish(unit: Unit, cause: StopCause, interruptedBy?: string): void {
    const cur = unit.current;
    if (!cur) return;
    unit.current = null;
    this.timers.cancel(cur.timer);
    const complete = cause === 'endOfMessageDetected' || cause === 'durationExceeded';
    const ms = this.closeItem(cur, complete ? undefined : interruptedBy, complete);
    if (!cur.implicit) this.event(unit, { type: 'StopEvent', connection: this.connOf(unit), message: cur.spec.id, length: ms, currentPosition: ms, cause });
  }

  /** Fixes the heard item's length; returns it (ms of the message's own time). */
  private closeItem(cur: Playing | null, interruptedBy: string | undefined, complete = false): number {
    if (!cur) return 0;
    const item = cur.item;
    const now = this.core.clock();
    const ms = item ? (complete && item.nominalMs !== null ? item.nominalMs : heardMs(item, now)) : Math.round((now - cur.startedAt) * this.scale);
    if (item && item.durationMs === null) {
      item.durationMs = ms;
      // The queue's own music ends quietly when an announcement or an agent takes over.
      if (interruptedBy !== undefined && !(cur.implicit && interruptedBy !== 'hangup')) item.interruptedBy = interruptedBy;
    }
    return ms;
  }

  /** Starts the next queued play; a queue device with nothing to announce goes back to music. */
  private next(unit: Unit): void {
    const spec = unit.queue.shift();
    if (spec) return this.start(unit, spec);
    if (unit.kind === 'queue' && this.core.calls.get(unit.callId)?.connections.get(unit.deviceId)?.state === 'queued') {
      this.start(unit, { id: 'music', kind: 'music', nominalMs: null, bargeIn: false }, true);
    }
  }

  private endRecording(unit: Unit, cause: StopCause): void {
    const rec = unit.recording;
    if (!rec) return;
    unit.recording = null;
    this.lastSpeakers.set(unit, rec.speakers);
    this.timers.cancel(rec.timer);
    const done = this.recorder.finish(rec);
    this.event(unit, { type: 'StopEvent', connection: this.connOf(unit), message: rec.path, length: done.lengthMs, currentPosition: done.lengthMs, cause, bytes: done.bytes });
  }

  /** The unit's connection or its caller left: everything running there ends (normalClearing). */
  private endUnit(unit: Unit, by: string, quietMusic = false): void {
    unit.queue = [];
    if (unit.recording) this.endRecording(unit, 'normalClearing');
    this.finish(unit, 'normalClearing', unit.current?.implicit && quietMusic ? undefined : by);
    this.byCall.get(unit.callId)?.delete(unit.deviceId);
    if (this.byCall.get(unit.callId)?.size === 0) this.byCall.delete(unit.callId);
  }

  private dropIfIdle(unit: Unit): void {
    if (unit.current || unit.queue.length > 0 || unit.recording) return;
    const units = this.byCall.get(unit.callId);
    if (units?.get(unit.deviceId) !== unit) return;
    units.delete(unit.deviceId);
    if (units.size === 0) this.byCall.delete(unit.callId);
  }
}
