/**
 * Transfers and conferences merge the consultation call into the surviving call, so the client's
 * call id of the customer's call stays the same through both: the absorbed call's connections,
 * switch ids and agents move over to the survivor, and the absorbed call ends (`transferred` or
 * `conferenced`).
 */
import type { ConnectionChange, MonitorMode } from '../pbx-port.ts';
import type { TrackedCall } from './call.ts';
import type { CallBook, CallChange } from './call-book.ts';

export interface Merge {
  how: 'transferred' | 'conferenced';
  primaryId: string;
  secondaryId: string | undefined;
  /** The device that left (the transferring device). */
  leaving: string | undefined;
  /** Every remaining connection, as the event lists them. */
  connections: ConnectionChange[];
  addedParty: string | undefined;
  participation: MonitorMode | undefined;
}

export function mergeCalls(book: CallBook, m: Merge, now: number, out: CallChange[]): TrackedCall {
  const { how, leaving } = m;
  const survivor = book.ensure(m.primaryId, now, out);
  const absorbed = m.secondaryId ? book.byPbxId.get(m.secondaryId) : undefined;
  if (leaving) book.setConn(survivor, leaving, null, now, how, out, how);
  if (absorbed && absorbed !== survivor) {
    if (leaving) book.setConn(absorbed, leaving, null, now, how, out, how);
    for (const [deviceId, conn] of [...absorbed.connections]) {
      if (!survivor.connections.has(deviceId)) book.setConn(survivor, deviceId, conn.state, now, how, out, undefined, absorbed.id);
      absorbed.connections.delete(deviceId);
    }
    for (const id of absorbed.pbxCallIds) {
      survivor.pbxCallIds.add(id);
      book.byPbxId.set(id, survivor);
    }
    for (const a of absorbed.agents) if (!survivor.agents.includes(a)) survivor.agents.push(a);
    absorbed.outcome = how;
    if (absorbed.heldSince !== null) {
      absorbed.holdMs += Math.max(0, now - absorbed.heldSince);
      absorbed.heldSince = null;
    }
    absorbed.endedAt = now;
    absorbed.departing = null;
    book.departingCalls.delete(absorbed);
    book.calls.delete(absorbed.id);
    out.push({ type: 'merged', call: survivor, absorbed, how });
    out.push({ type: 'ended', call: absorbed, cause: how });
  }
  // The result lists every remaining connection; take their states where the event implies one.
  for (const c of m.connections) {
    const dev = c.new.deviceId;
    if (!dev || dev === leaving) continue;
    if (!survivor.connections.has(dev)) {
      book.setConn(survivor, dev, how === 'conferenced' ? 'connected' : 'alerting', now, how, out);
    } else if (how === 'conferenced' && survivor.connections.get(dev)!.state === 'hold') {
      book.setConn(survivor, dev, 'connected', now, how, out);
    }
  }
  if (m.addedParty && how === 'conferenced') {
    const addedParty = m.addedParty;
    if (!survivor.connections.has(addedParty)) book.setConn(survivor, addedParty, 'connected', now, how, out);
    const conn = survivor.connections.get(addedParty)!;
    if (m.participation && conn.participation !== m.participation) {
      conn.participation = m.participation;
      out.push({ type: 'connection', call: survivor, deviceId: addedParty, from: conn.state, to: conn.state, via: how });
    }
  }
  return survivor;
}
