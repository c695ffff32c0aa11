/**
 * IVR statistics events: what the engine records as callers go through flows, and what
 * `GET /api/v1/ivr/stats` aggregates (aggregate.ts). `flowExit` carries the outcome and the time
 * in the flow (`durationMs`), with `node` the node the caller left from.
 */
export type IvrOutcome = 'queue' | 'agent' | 'selfService' | 'voicemail' | 'transfer' | 'abandoned' | 'hangup' | 'error' | 'returned';
export interface IvrStatEvent { at: number; callId: string; flow: string; version: number; node: string | null;
  kind: 'flowEnter' | 'nodeEnter' | 'key' | 'timeout' | 'invalid' | 'flowExit'; outcome?: IvrOutcome; durationMs?: number; }

export const IVR_OUTCOMES: readonly IvrOutcome[] = ['queue', 'agent', 'selfService', 'voicemail', 'transfer', 'abandoned', 'hangup', 'error', 'returned'];
export const IVR_STAT_KINDS: readonly IvrStatEvent['kind'][] = ['flowEnter', 'nodeEnter', 'key', 'timeout', 'invalid', 'flowExit'];

/** Where the engine records events: synchronous, never throws, never waits for the disk. */
export interface IvrStatsSink {
  record(event: IvrStatEvent): void;
}
