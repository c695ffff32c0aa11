/** Helpers of the recording capture scenarios: a call answered by an agent, the rows, the WAV. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { WsClient } from './ws-client.ts';
import { eventually, type World } from './world.ts';

/** An outside caller dials `to`; the agent answers. */
export async function answeredCall(w: World, agent: WsClient, from: string, to: string): Promise<{ callId: string; simCallId: string }> {
  const simCallId = await w.dial(from, to);
  const { data } = await agent.waitFor('call.offered', (d) => d.from === from);
  await agent.call('call.answer', { callId: data.callId });
  await agent.waitFor('call.established', (d) => d.callId === data.callId);
  return { callId: data.callId as string, simCallId };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function callRow(w: World, callId: string): any {
  return w.daemon.storage.sqlite.prepare('SELECT recording_decision AS decision, recording_policy_id AS policyId, recording_policy_version AS policyVersion FROM calls WHERE id = ?').get(callId);
}

export function recordingRows(w: World, callId: string): any[] {
  return w.daemon.storage.sqlite.prepare('SELECT * FROM recordings WHERE call_id = ?').all(callId);
}

export function agentLegs(w: World, recordingId: string): any[] {
  return w.daemon.storage.sqlite.prepare('SELECT agent, extension, from_ms AS fromMs, to_ms AS toMs FROM recording_agents WHERE recording_id = ? ORDER BY from_ms').all(recordingId);
}

export function pauses(w: World, recordingId: string): any[] {
  return w.daemon.storage.sqlite.prepare('SELECT from_ms AS fromMs, to_ms AS toMs, by FROM recording_pauses WHERE recording_id = ? ORDER BY from_ms').all(recordingId);
}

/** The call's one recording once closed (or failed); its file checked against the row. */
export async function closedRecording(w: World, callId: string, status = 'closed'): Promise<any> {
  const row = await eventually(() => recordingRows(w, callId).find((r) => r.status === status), 8000);
  expect(recordingRows(w, callId)).toHaveLength(1);
  if (status === 'closed') {
    const file = readFileSync(row.path);
    expect(file.length).toBe(row.bytes);
    expect(createHash('sha256').update(file).digest('hex')).toBe(row.sha256);
    expect(row.path.startsWith(`${w.dataDir}/recordings/`)).toBe(true);
    expect(row.duration_ms).toBe(Math.round((row.bytes - 44) / 16));
  }
  return row;
}

/** RMS of the 16-bit samples of a WAV between two times (ms). */
export function rms(wav: Buffer, fromMs: number, toMs: number): number {
  const from = 44 + Math.max(0, Math.round(fromMs * 8)) * 2;
  const to = Math.min(wav.length, 44 + Math.round(toMs * 8) * 2);
  let sum = 0;
  let n = 0;
  for (let i = from; i + 1 < to; i += 2) {
    const s = wav.readInt16LE(i);
    sum += s * s;
    n++;
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}
