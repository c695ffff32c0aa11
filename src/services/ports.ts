/**
 * What the services need from the outside world, as narrow interfaces. The daemon wires the real
 * adapters (database repositories, the WebSocket gateway, the PBX link, timers) into these.
 */
import type { CustomerRef } from '../core/calls/call.ts';

export interface Clock {
  now(): number;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Where a failure that has no caller to go to (a timer callback, a scheduled job) is reported. */
export interface FailureLog {
  error(obj: object, msg: string): void;
}

/**
 * Runs `fn`; an exception is logged with `what`, never thrown: for callbacks nobody awaits (timers,
 * scheduled jobs, event handlers), where a throw would reach the event loop and stop the daemon.
 * A returned promise is watched too.
 */
export function safely(log: FailureLog, what: string, fn: () => unknown): void {
  try {
    const r = fn();
    if (r instanceof Promise) r.catch((err: unknown) => log.error({ err, what }, 'background task failed'));
  } catch (err) {
    log.error({ err, what }, 'background task failed');
  }
}

/** Node's timers, unref'd (they never keep the process alive), with every callback run through
 * `safely`: no timer callback of a service can throw into the event loop. */
export function safeTimers(log: FailureLog): Timers {
  return {
    setTimeout: (fn, ms) => {
      const t = setTimeout(() => safely(log, 'timer', fn), ms);
      t.unref?.();
      return t;
    },
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

/** Who an event goes to. Sessions reached twice (a supervisor who is also the agent) get it once. */
export interface Audience {
  /** Every session of these users. */
  users?: Iterable<string>;
  /** Supervisors who asked for everything (`supervisor.subscribe`). */
  subscribers?: boolean;
  /** Every authenticated session. */
  all?: boolean;
  /** A periodic summary (queue figures): a large fan-out may be spread over a few turns of the
   * event loop, behind call events. */
  background?: boolean;
}

/** Delivers events to connected clients (the WebSocket gateway). */
export interface Notifier {
  publish(event: string, data: object, audience: Audience): void;
}

/** One call's row; its shape is the calls table's (storage owns it, type only). */
export type { CallRow, CallRowWithData } from '../storage/repositories/calls.ts';
import type { CallRow } from '../storage/repositories/calls.ts';

export interface CallRecords {
  insert(row: CallRow): void;
  update(id: string, patch: Partial<CallRow>): void;
  /** The call's data as JSON text (null: none), kept apart from the row. */
  saveData(id: string, json: string | null): void;
}

export interface AgentStateLog {
  append(entry: { agent: string; state: string; reason: string | null; startedAt: number; callId?: string | null; extension?: string | null }): void;
}

export interface AuditLog {
  append(entry: { actor: string; action: string; target: string; details?: unknown }): void;
}

export interface CustomerLookup {
  findByPhone(phone: string): CustomerRef | null;
  /** The agent who last answered a call from this number (call history); null: none. */
  lastAgentFor(phone: string): string | null;
}

/** Where the ACD's decisions are recorded, with their explanations. */
export interface RoutingDecisionLog {
  append(d: { callId: string; at: number; kind: string; queueId: string | null; agent: string | null; detail: Record<string, unknown> }): void;
}

/** How a RouteRequest to a queue pilot was answered: sent to an agent's phone at once, left to
 * wait on the queue's device, sent out of the router at once (a fallback, another queue), or
 * ended because the pilot's queue is gone. */
export type RouteOutcome = 'agent' | 'queue' | 'elsewhere' | 'noQueue';

/** Timings and counts of routing, for an adapter to export (src/metrics/routing.ts). Called on
 * the routing path: an implementation must be cheap and must not throw. */
export interface RoutingMeter {
  /** A monotonic clock in ms (performance.now()): durations only, never times of day. */
  now(): number;
  /** A RouteRequest answered (`outcome`) `ms` after it reached the routing service. */
  routeRequest(outcome: RouteOutcome, ms: number): void;
  /** One decision of the router carried out (an effect: assign, moved, fallback, unroutable). */
  decision(kind: 'assign' | 'moved' | 'fallback' | 'unroutable'): void;
}
