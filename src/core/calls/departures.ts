/**
 * Calls that leave us: a real switch tells a CTI only about devices it monitors, so a call
 * transferred or diverted to an outside number or an unmonitored device ends without a
 * CallClearedEvent. After every event the tracker checks that the call is still at a monitored
 * device (or on its way to one); when it is not, the call is `departing`, and the sweep ends it
 * after a grace time (a CallClearedEvent usually follows within milliseconds and ends it the
 * ordinary way), with the cause and the device it left to. The end is soft: back at a monitored
 * device, the call is revived under its id.
 */
import type { PbxCallEvent } from '../pbx-port.ts';
import type { TrackedCall } from './call.ts';
import type { CallBook, CallChange } from './call-book.ts';

/** A call at no monitored device ends as departed after this long, unless it comes back. */
export const DEPARTURE_GRACE_MS = 1000;

/**
 * After an event: is the call still somewhere the switch will tell us about? A call diverted or
 * transferred to a monitored device is on its way there; one at no monitored device is departing.
 */
export function checkPresence(book: CallBook, call: TrackedCall, ev: PbxCallEvent, now: number): void {
  call.lastEventAt = now;
  if ('deviceId' in ev && call.headingTo === ev.deviceId) call.headingTo = null;
  const heading = ev.kind === 'diverted' ? ev.to : ev.kind === 'transferred' ? ev.transferredTo : null;
  if (heading && book.deps.isMonitored(heading) && !call.connections.has(heading)) call.headingTo = heading;
  const present = call.headingTo !== null || [...call.connections.keys()].some((d) => book.deps.isMonitored(d));
  if (present) {
    call.departing = null;
    book.departingCalls.delete(call);
    return;
  }
  if (call.departing) return;
  const cause = ev.kind === 'transferred' ? 'transferred' : ev.kind === 'diverted' ? (ev.cause ?? 'redirected') : 'cause' in ev && ev.cause ? ev.cause : 'normalClearing';
  const others = [...call.connections.keys()].filter((d) => d !== call.from);
  call.departing = { since: now, cause, leftTo: heading ?? others[0] ?? null };
  book.departingCalls.add(call);
}

/** Ends the calls that have been departing longer than `graceMs` (they left our devices). */
export function sweepDepartures(book: CallBook, now: number, graceMs: number, out: CallChange[]): void {
  for (const call of [...book.departingCalls]) {
    const d = call.departing;
    if (!d) book.departingCalls.delete(call);
    else if (now - d.since >= graceMs) book.end(call, d.cause, now, out, true, d.leftTo);
  }
}
