/**
 * A tracked call as its row in the calls table, and back (restart continuity): pure mappings.
 * The row is what the call service writes on every change (`toRow`, compared with `sameRow` so
 * that an unchanged call costs no write) and what a restarted daemon reads to take a call in
 * progress back under its id (`callFromRow`).
 */
import { newCall, outcomeOf, type Direction, type TrackedCall } from '../core/calls/call.ts';
import type { CallRow, CallRowWithData } from './ports.ts';

export function toRow(call: TrackedCall): CallRow {
  const ended = call.endedAt !== null;
  return {
    id: call.id,
    pbxCallIds: [...call.pbxCallIds],
    direction: call.direction,
    fromNumber: call.from,
    toNumber: call.to,
    dialledNumber: call.dialled,
    queueId: call.queue,
    customerId: call.customer?.id ?? null,
    agents: call.agents,
    firstAgent: call.agents[0] ?? null,
    offeredAt: call.offeredAt,
    queuedAt: call.queuedAt,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    waitMs: call.answeredAt !== null ? call.answeredAt - call.offeredAt : ended ? call.endedAt! - call.offeredAt : null,
    talkMs: ended && call.answeredAt !== null ? call.endedAt! - call.answeredAt : null,
    holdMs: call.holdMs,
    outcome: ended ? (call.outcome ?? outcomeOf(call)) : null,
    cause: call.cause,
    hasCallData: call.callData !== undefined,
    leftTo: call.leftTo,
    callerName: call.callerName,
  };
}

/** Field-by-field equality of two call rows (array fields element by element). */
export function sameRow(a: CallRow, b: CallRow): boolean {
  for (const k of Object.keys(b) as (keyof CallRow)[]) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/**
 * The call a row of the previous run describes: id, switch call ids, numbers, direction, queue,
 * agents, times, caller name and call data (the customer is looked up again by the caller). Its
 * connections come from the switch's snapshot. `dataUnreadable`: the stored call data was not JSON
 * (the call comes back without it).
 */
export function callFromRow(row: CallRowWithData): { call: TrackedCall; dataUnreadable: string | null } {
  const [first, ...more] = row.pbxCallIds.length > 0 ? row.pbxCallIds : [`restored-${row.id}`];
  const call = newCall(row.id, first!, row.offeredAt);
  for (const id of more) call.pbxCallIds.add(id);
  call.direction = row.direction as Direction;
  call.from = row.fromNumber;
  call.to = row.toNumber;
  call.dialled = row.dialledNumber;
  call.queue = row.queueId;
  call.agents = [...row.agents];
  call.queuedAt = row.queuedAt;
  call.answeredAt = row.answeredAt;
  call.callerName = row.callerName;
  call.holdMs = row.holdMs;
  let dataUnreadable: string | null = null;
  if (row.callData !== null) {
    try {
      call.callData = JSON.parse(row.callData) as unknown;
      call.callDataBytes = Buffer.byteLength(row.callData, 'utf8');
    } catch (err) {
      dataUnreadable = (err as Error).message;
    }
  }
  return { call, dataUnreadable };
}
