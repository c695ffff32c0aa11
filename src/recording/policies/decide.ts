/**
 * Recording policies (docs/recording.md, "Policies"): which calls are recorded. Pure: the caller
 * gives the enabled policies and what is known of the call; nothing here reads a clock, a
 * database or Math.random.
 *
 * A policy matches a call by its mode:
 * - `all`: every call;
 * - `numbers`: the caller's or the callee's number starts with one of the entries (a full number
 *   is its own prefix);
 * - `agents`: one of the call's agents so far (usernames);
 * - `services`: the call's queue, the pilot it was dialled on, or its ACD business service.
 * The first enabled policy that matches, lowest `priority` first (then lowest id), decides: the
 * call is `recorded` when its draw is under the policy's `samplePercent`, else `sampledOut`; a
 * call no policy matches is `noPolicy`. (So a 100 % policy that must win over a sampled one is
 * given a lower priority number: the demo's do.)
 *
 * The draw is deterministic per call and policy (sha256 of both → 0..99), so a decision taken
 * again for the same call (a later agent in a transfer) agrees with the first one.
 */
import { createHash } from 'node:crypto';

export const POLICY_MODES = ['all', 'numbers', 'agents', 'services'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

export interface RecordingPolicy {
  id: number;
  name: string;
  mode: PolicyMode;
  numbers: string[];
  agents: string[];
  services: string[];
  samplePercent: number;
  priority: number;
  enabled: boolean;
  version: number;
}

/** What is known of the call when it is decided (established with an agent). */
export interface CallFacts {
  callId: string;
  caller: string;
  callee: string;
  /** The number dialled (a pilot, for a call that came in on one). */
  pilot: string | null;
  queue: string | null;
  /** The ACD business service (an IVR queue node, `ivr:<flow>/<node>`), if any. */
  service?: string | null;
  /** Usernames of the call's agents so far. */
  agents: readonly string[];
}

export type RecordingDecisionKind = 'recorded' | 'sampledOut' | 'noPolicy';

export interface RecordingDecision {
  record: boolean;
  decision: RecordingDecisionKind;
  policyId?: number;
  policyVersion?: number;
}

/** A number in [0, 100) for the call and the policy. */
export type Draw = (callId: string, policyId: number) => number;

/** sha256(callId ‖ policyId) → 0..99: uniform, and the same every time for the same call. */
export const hashDraw: Draw = (callId, policyId) => createHash('sha256').update(`${callId}\u0000${policyId}`).digest().readUInt32BE(0) % 100;

export function matches(p: RecordingPolicy, call: CallFacts): boolean {
  switch (p.mode) {
    case 'all':
      return true;
    case 'numbers':
      return p.numbers.some((n) => n !== '' && ((call.caller !== '' && call.caller.startsWith(n)) || (call.callee !== '' && call.callee.startsWith(n))));
    case 'agents':
      return p.agents.some((a) => call.agents.includes(a));
    case 'services':
      return p.services.some((s) => s === call.queue || s === call.pilot || (call.service != null && s === call.service));
  }
}

/** Lowest priority first, then lowest id: the order policies are tried in. */
export function byPriority(a: RecordingPolicy, b: RecordingPolicy): number {
  return a.priority - b.priority || a.id - b.id;
}

export function decideRecording(policies: readonly RecordingPolicy[], call: CallFacts, draw: Draw = hashDraw): RecordingDecision {
  const p = [...policies].sort(byPriority).find((q) => q.enabled && matches(q, call));
  if (!p) return { record: false, decision: 'noPolicy' };
  const record = p.samplePercent >= 100 || (p.samplePercent > 0 && draw(call.callId, p.id) < p.samplePercent);
  return { record, decision: record ? 'recorded' : 'sampledOut', policyId: p.id, policyVersion: p.version };
}
