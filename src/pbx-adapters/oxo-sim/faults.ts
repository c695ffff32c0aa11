/**
 * Fault injection (simulator.md v2, `POST /sim/faults`): what a real switch and a real link do to a
 * CTI on a bad day. Pure data; the model reads `snapshotFails` and `monitorFails`, the CSTA server
 * reads `responseDelayMs` and `dropEventsPercent`.
 *
 * - `responseDelayMs`: every answer to a CTI request is written this much later. The events the
 *   request caused are not held back, so they reach the CTI before the answer, as on a loaded switch.
 * - `snapshotFails`: `SnapshotDevice` of these devices is refused (CSTAErrorCode).
 * - `monitorFails`: `MonitorStart` on these devices is refused (CSTAErrorCode).
 * - `dropEventsPercent`: this share of events (never answers, never RouteRequest/RouteEnd) is lost
 *   on the way to the CTI, at random.
 */

export interface Faults {
  responseDelayMs: number;
  snapshotFails: ReadonlySet<string>;
  monitorFails: ReadonlySet<string>;
  dropEventsPercent: number;
}

export interface FaultsView {
  responseDelayMs: number;
  snapshotFails: string[];
  monitorFails: string[];
  dropEventsPercent: number;
}

export const NO_FAULTS: Faults = Object.freeze({ responseDelayMs: 0, snapshotFails: new Set<string>(), monitorFails: new Set<string>(), dropEventsPercent: 0 });

export const FAULT_LIMITS = { maxResponseDelayMs: 60_000, maxDevices: 10_000 } as const;

/** Applies a `POST /sim/faults` body (already schema-checked) over the current faults. */
export function withFaults(current: Faults, patch: Partial<FaultsView>): Faults {
  return {
    responseDelayMs: patch.responseDelayMs ?? current.responseDelayMs,
    snapshotFails: patch.snapshotFails ? new Set(patch.snapshotFails) : current.snapshotFails,
    monitorFails: patch.monitorFails ? new Set(patch.monitorFails) : current.monitorFails,
    dropEventsPercent: patch.dropEventsPercent ?? current.dropEventsPercent,
  };
}

export function faultsView(f: Faults): FaultsView {
  return { responseDelayMs: f.responseDelayMs, snapshotFails: [...f.snapshotFails], monitorFails: [...f.monitorFails], dropEventsPercent: f.dropEventsPercent };
}
