/**
 * Reconciling with the switch's snapshot (a link came up, devices queried again, the call audit).
 * The snapshot is the truth for the devices it covers: calls it lists there are ours (revived under
 * their old id if we had ended them), connections it does not list there are cleared, and a call
 * left at no monitored device ends. Devices whose snapshot failed prove nothing: their calls are
 * left as they are. A known call is never adopted under a new id.
 */
import type { DeviceSnapshot } from '../pbx-port.ts';
import type { TrackedCall } from './call.ts';
import type { CallBook, CallChange } from './call-book.ts';

export interface ReconcileScope {
  /** Devices whose snapshot failed: their calls are neither confirmed nor ended. */
  unproven?: ReadonlySet<string>;
  /** The snapshot covers every monitored device (a link came up): a call seen nowhere ends. */
  complete: boolean;
}

/**
 * Applies `snapshot` to the book: a call left at no monitored device ends with `cause` (or the
 * cause of its departure). With `scope.complete`, a call the snapshot lists nowhere ends too
 * (unless it is at an unproven device).
 */
export function reconcileSnapshot(book: CallBook, snapshot: DeviceSnapshot[], scope: ReconcileScope, cause: string, now: number, out: CallChange[]): void {
  const unproven = scope.unproven ?? new Set<string>();
  const covered = new Set(snapshot.map((d) => d.deviceId));
  const listed = new Map<string, Set<string>>(); // device → switch call ids there
  const seen = new Set<TrackedCall>();
  for (const dev of snapshot) {
    const ids = new Set<string>();
    listed.set(dev.deviceId, ids);
    for (const c of dev.calls) {
      ids.add(c.callId);
      const call = book.findOrRevive(c.callId, now, out);
      seen.add(call);
      call.lastEventAt = now;
      if (c.state !== 'null') book.setConn(call, dev.deviceId, c.state, now, 'reconcile', out);
    }
  }
  for (const call of [...book.calls.values()]) {
    for (const deviceId of [...call.connections.keys()]) {
      const there = listed.get(deviceId);
      if (!there || unproven.has(deviceId)) continue;
      if (![...call.pbxCallIds].some((id) => there.has(id))) book.setConn(call, deviceId, null, now, 'reconcile', out, cause);
    }
    // On its way to a device the snapshot covers, and not there: it never arrived.
    if (call.headingTo !== null && covered.has(call.headingTo) && !unproven.has(call.headingTo)) call.headingTo = null;
    const keys = [...call.connections.keys()];
    if (keys.some((d) => unproven.has(d)) || (call.headingTo !== null && unproven.has(call.headingTo))) continue; // nothing proven
    const present = seen.has(call) || (!scope.complete && (call.headingTo !== null || keys.some((d) => !covered.has(d) && book.deps.isMonitored(d))));
    if (present) continue;
    book.end(call, call.departing?.cause ?? cause, now, out, true, call.departing?.leftTo ?? null);
  }
}
