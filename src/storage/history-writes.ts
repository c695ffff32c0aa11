/**
 * The rows the daemon writes as things happen — call rows, agent state intervals, routing
 * decisions, audit entries of supervisor actions — as values the write queue (write-queue.ts) can
 * keep, merge and replay, and how each is written. A replayed write is idempotent: a call row is
 * upserted, an update sets the same values again, and a state interval, decision or audit entry
 * already there is not appended again.
 *
 * Recording rows (the capture's start, legs, pauses, close: recordings-write.ts) go the same
 * way, so a recorded call's rows commit with its call row in one transaction.
 *
 * Shed order when the backlog is full (docs/storage.md): routing decisions first (the call row
 * keeps where the call went), then agent state intervals (an interval lost extends the one before
 * it), then audit entries; call rows last. IVR statistics events (a burst per write, one
 * transaction) go before all of those, IVR collected values after audit entries, recording rows
 * after those (a recording row lost leaves its file unindexed).
 */
import type { IvrStatEvent } from '../ivr/statistics/types.ts';
import type { AuditEntry } from './repositories/audit.ts';
import type { IvrCollected } from './repositories/ivr-collected.ts';
import type { CallRow } from './repositories/calls.ts';
import type { Repositories } from './repositories/index.ts';
import type { RoutingDecision } from './repositories/routing-decisions.ts';
import type { StateLogEntry } from './repositories/agent-state-log.ts';
import type { ClosedRecording, NewRecordingRow } from './repositories/recordings-write.ts';
import type { WriteQueueOptions } from './write-queue.ts';

export type HistoryWrite =
  | { kind: 'call'; op: 'insert'; row: CallRow }
  | { kind: 'call'; op: 'update'; id: string; patch: Partial<CallRow> }
  /** A call's data (JSON text), written apart from its row: up to 1 MiB, and rarely. */
  | { kind: 'callData'; id: string; json: string | null }
  | { kind: 'stateLog'; entry: StateLogEntry }
  | { kind: 'decision'; decision: RoutingDecision }
  | { kind: 'audit'; entry: AuditEntry; at: number }
  /** A burst of IVR statistics events, written in one transaction (ivr/statistics/recorder.ts). */
  | { kind: 'ivrEvents'; events: IvrStatEvent[] }
  /** A value a caller keyed in the IVR. */
  | { kind: 'ivrCollected'; entry: IvrCollected }
  /** A recording's row, leg or pause (recording/capture). */
  | { kind: 'recording'; rec: RecordingWrite };

export type RecordingWrite =
  | { op: 'insert'; row: NewRecordingRow; createdAt: number }
  | { op: 'setPath'; id: string; path: string }
  | { op: 'addLeg'; id: string; leg: { agent: string; extension: string; fromMs: number; startedAt: number } }
  | { op: 'endLegs'; id: string; toMs: number; agent?: string }
  | { op: 'addPause'; id: string; fromMs: number; by: string }
  | { op: 'endPause'; id: string; toMs: number }
  | { op: 'close'; id: string; closed: ClosedRecording }
  | { op: 'fail'; id: string; endedAt: number }
  /** The recording decision on the call's row (`recorded`, `sampledOut`, `noPolicy`). */
  | { op: 'decision'; callId: string; decision: string; policyId: number | null; policyVersion: number | null };

/** IVR statistics go first (figures, not records); then as before. */
export const SHED_ORDER = ['ivrEvents', 'decision', 'stateLog', 'audit', 'ivrCollected', 'recording', 'callData', 'call'] as const;

type HistoryRepos = Pick<Repositories, 'calls' | 'stateLog' | 'routingDecisions' | 'audit'> & Partial<Pick<Repositories, 'ivrEvents' | 'ivrCollected' | 'recordingsWrite'>>;

function writeRecording(repo: NonNullable<HistoryRepos['recordingsWrite']>, r: RecordingWrite, replay: boolean): void {
  switch (r.op) {
    case 'insert':
      if (replay) repo.insertStartedOnce(r.row, r.createdAt);
      else repo.insertStarted(r.row, r.createdAt);
      return;
    case 'setPath':
      return repo.setPath(r.id, r.path);
    case 'addLeg':
      if (replay) repo.addAgentLegOnce(r.id, r.leg);
      else repo.addAgentLeg(r.id, r.leg);
      return;
    case 'endLegs':
      return repo.endAgentLegs(r.id, r.toMs, r.agent);
    case 'addPause':
      if (replay) repo.addPauseOnce(r.id, r.fromMs, r.by);
      else repo.addPause(r.id, r.fromMs, r.by);
      return;
    case 'endPause':
      return repo.endPause(r.id, r.toMs);
    case 'close':
      return repo.close(r.id, r.closed);
    case 'fail':
      return repo.fail(r.id, r.endedAt);
    case 'decision':
      repo.setCallDecision(r.callId, { decision: r.decision, policyId: r.policyId, policyVersion: r.policyVersion });
      return;
  }
}

export function writeHistory(repos: HistoryRepos, w: HistoryWrite, replay: boolean): void {
  switch (w.kind) {
    case 'call':
      if (w.op === 'update') repos.calls.update(w.id, w.patch);
      else if (replay) repos.calls.upsert(w.row);
      else repos.calls.insert(w.row);
      return;
    case 'callData':
      repos.calls.setCallData(w.id, w.json);
      return;
    case 'stateLog':
      if (replay) repos.stateLog.appendOnce(w.entry);
      else repos.stateLog.append(w.entry);
      return;
    case 'decision':
      if (replay) repos.routingDecisions.appendOnce(w.decision);
      else repos.routingDecisions.append(w.decision);
      return;
    case 'audit':
      if (replay) repos.audit.appendOnce(w.entry, w.at);
      else repos.audit.append(w.entry, w.at);
      return;
    case 'ivrEvents':
      if (!repos.ivrEvents) throw new Error('no ivrEvents repository');
      repos.ivrEvents.insertMany(w.events, replay);
      return;
    case 'ivrCollected':
      if (!repos.ivrCollected) throw new Error('no ivrCollected repository');
      if (replay) repos.ivrCollected.insertOnce(w.entry);
      else repos.ivrCollected.insert(w.entry);
      return;
    case 'recording':
      if (!repos.recordingsWrite) throw new Error('no recordingsWrite repository');
      writeRecording(repos.recordingsWrite, w.rec, replay);
      return;
  }
}

/** The patch's fields that are set (undefined means "not in this patch"). */
function definedOf(patch: Partial<CallRow>): Partial<CallRow> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) out[k] = v;
  return out as Partial<CallRow>;
}

/** A kept write must not change when the caller changes its objects afterwards. Decisions are
 * stored as JSON anyway: a JSON copy is exactly what the database will get. */
function keep(w: HistoryWrite): HistoryWrite {
  switch (w.kind) {
    case 'call':
      return w.op === 'insert'
        ? { ...w, row: { ...w.row, pbxCallIds: [...w.row.pbxCallIds], agents: [...w.row.agents] } }
        : { ...w, patch: { ...definedOf(w.patch), ...(w.patch.pbxCallIds ? { pbxCallIds: [...w.patch.pbxCallIds] } : {}), ...(w.patch.agents ? { agents: [...w.patch.agents] } : {}) } };
    case 'callData':
      return w;
    case 'stateLog':
      return { ...w, entry: { ...w.entry } };
    case 'decision':
      return { ...w, decision: { ...w.decision, detail: JSON.parse(JSON.stringify(w.decision.detail)) as Record<string, unknown> } };
    case 'audit':
      return { ...w, entry: { ...w.entry, details: w.entry.details === undefined ? undefined : (JSON.parse(JSON.stringify(w.entry.details)) as unknown) } };
    case 'ivrEvents':
      return { ...w, events: w.events.map((e) => ({ ...e })) };
    case 'ivrCollected':
      return { ...w, entry: { ...w.entry } };
    case 'recording': {
      const r = w.rec;
      return { kind: 'recording', rec: r.op === 'insert' ? { ...r, row: { ...r.row } } : r.op === 'addLeg' ? { ...r, leg: { ...r.leg } } : r.op === 'close' ? { ...r, closed: { ...r.closed } } : { ...r } };
    }
  }
}

function merge(queued: HistoryWrite, later: HistoryWrite): HistoryWrite | null {
  if (queued.kind === 'callData' && later.kind === 'callData') return later;
  if (queued.kind !== 'call' || later.kind !== 'call' || later.op !== 'update') return null;
  if (queued.op === 'insert') return { kind: 'call', op: 'insert', row: { ...queued.row, ...definedOf(later.patch), id: queued.row.id } };
  return { kind: 'call', op: 'update', id: queued.id, patch: { ...queued.patch, ...definedOf(later.patch) } };
}

function describe(w: HistoryWrite): Record<string, unknown> {
  switch (w.kind) {
    case 'call':
      return { kind: 'call', op: w.op, callId: w.op === 'insert' ? w.row.id : w.id };
    case 'callData':
      return { kind: 'callData', callId: w.id, bytes: w.json?.length ?? 0 };
    case 'stateLog':
      return { kind: 'stateLog', agentId: w.entry.agent, state: w.entry.state, startedAt: w.entry.startedAt };
    case 'decision':
      return { kind: 'decision', callId: w.decision.callId, decision: w.decision.kind, at: w.decision.at };
    case 'audit':
      return { kind: 'audit', actor: w.entry.actor, action: w.entry.action, target: w.entry.target };
    case 'ivrEvents':
      return { kind: 'ivrEvents', events: w.events.length, from: w.events[0]?.at ?? null };
    case 'ivrCollected':
      return { kind: 'ivrCollected', callId: w.entry.callId, node: w.entry.node, name: w.entry.name };
    case 'recording':
      if (w.rec.op === 'insert') return { kind: 'recording', op: 'insert', recordingId: w.rec.row.id, callId: w.rec.row.callId };
      if (w.rec.op === 'decision') return { kind: 'recording', op: 'decision', callId: w.rec.callId, decision: w.rec.decision };
      return { kind: 'recording', op: w.rec.op, recordingId: w.rec.id };
  }
}

/** The write queue's options for history rows, minus what the wiring supplies (timers, log…). */
export function historyWriteOptions(repos: HistoryRepos & Pick<Repositories, 'writeBatches' | 'transaction'>): Pick<
  WriteQueueOptions<HistoryWrite>,
  'write' | 'transaction' | 'markBatch' | 'lastBatch' | 'keep' | 'kindOf' | 'mergeKey' | 'merge' | 'describe' | 'shedOrder'
> {
  return {
    write: (w, replay) => writeHistory(repos, w, replay),
    transaction: (fn) => repos.transaction(fn),
    markBatch: (seq) => repos.writeBatches.mark(seq),
    lastBatch: () => repos.writeBatches.last(),
    keep,
    kindOf: (w) => w.kind,
    mergeKey: (w) => (w.kind === 'call' ? `call:${w.op === 'insert' ? w.row.id : w.id}` : w.kind === 'callData' ? `callData:${w.id}` : null),
    merge,
    describe,
    shedOrder: SHED_ORDER,
  };
}
