/**
 * The engine's statistics sink: `record(event)` is synchronous and cheap (a push); events are
 * handed on in batches — everything recorded in one turn of the event loop, or `maxBatch` at
 * once — to `submit`, which the daemon points at the history write queue
 * (storage/history-writes.ts, kind `ivrEvents`: one transaction per batch, kept and retried while
 * the database refuses writes). A malformed event is dropped here, counted and logged, so that it
 * cannot make the database refuse its whole batch.
 */
import type { FailureLog, Timers } from '../../services/ports.ts';
import { IVR_OUTCOMES, IVR_STAT_KINDS, type IvrStatEvent, type IvrStatsSink } from './types.ts';

export interface IvrEventBatcherOptions {
  submit(events: IvrStatEvent[]): void;
  timers: Timers;
  log: FailureLog & { warn(obj: object, msg: string): void };
  /** Default 500. */
  maxBatch?: number;
  /** How long the first event of a batch waits for others, ms (default 0: the next turn). */
  delayMs?: number;
}

export class IvrEventBatcher implements IvrStatsSink {
  private buffer: IvrStatEvent[] = [];
  private timer: unknown = null;
  private dropped = 0;

  constructor(private readonly o: IvrEventBatcherOptions) {}

  record(e: IvrStatEvent): void {
    const problem = problemOf(e);
    if (problem) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.o.log.warn({ problem, dropped: this.dropped }, 'malformed IVR statistics event dropped');
      return;
    }
    this.buffer.push(e.durationMs === undefined ? { ...e } : { ...e, durationMs: Math.round(e.durationMs) });
    if (this.buffer.length >= (this.o.maxBatch ?? 500)) this.flush();
    else if (this.timer === null) this.timer = this.o.timers.setTimeout(() => this.flush(), this.o.delayMs ?? 0);
  }

  /** Hands on what is buffered now. */
  flush(): void {
    if (this.timer !== null) this.o.timers.clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      this.o.submit(batch);
    } catch (err) {
      this.o.log.error({ err, events: batch.length }, 'IVR statistics batch not submitted');
    }
  }

  /** Events refused as malformed since start. */
  droppedCount(): number {
    return this.dropped;
  }

  close(): void {
    this.flush();
  }
}

function problemOf(e: IvrStatEvent): string | null {
  if (typeof e !== 'object' || e === null) return 'not an object';
  if (!Number.isSafeInteger(e.at)) return 'at must be epoch ms';
  if (typeof e.callId !== 'string' || e.callId === '') return 'callId';
  if (typeof e.flow !== 'string' || e.flow === '') return 'flow';
  if (!Number.isSafeInteger(e.version)) return 'version';
  if (e.node !== null && typeof e.node !== 'string') return 'node';
  if (!IVR_STAT_KINDS.includes(e.kind)) return `kind ${String(e.kind)}`;
  if (e.outcome !== undefined && !IVR_OUTCOMES.includes(e.outcome)) return `outcome ${String(e.outcome)}`;
  if (e.durationMs !== undefined && !(Number.isFinite(e.durationMs) && e.durationMs >= 0)) return 'durationMs';
  return null;
}
