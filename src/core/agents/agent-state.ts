/**
 * The agent state machine of the client API (ws-api.md "Agent states"), pure: it takes an input and
 * `now` and returns the next status, or a refusal. Call activity at the agent's phone drives
 * `reserved` and `busy`; the agent drives `ready`, `notReady` and `workingAfterCall`; wrap-up ends
 * by the agent or by its timer (the timer itself is the caller's effect: `wrapUpUntil`).
 *
 * A state asked for while the agent is reserved or on a call does not interrupt the call: it is
 * kept as `pending` and taken when the phone is idle again (what Genesys calls "not ready after
 * call"). Without one, an agent returns to the state held before the call (a ready agent is ready
 * again; an agent who made a call while notReady stays notReady), or to wrap-up when the call's
 * queue has a wrap-up time.
 */

export const AGENT_STATES = ['loggedOut', 'notReady', 'ready', 'reserved', 'busy', 'workingAfterCall'] as const;
export type AgentState = (typeof AGENT_STATES)[number];
export type SelectableState = 'ready' | 'notReady' | 'workingAfterCall';

/** What is going on at the agent's phone, derived from its connections. */
export type PhoneActivity = 'idle' | 'alerting' | 'active';

export interface AgentStatus {
  state: AgentState;
  reason: string | null;
  since: number;
  extension: string | null;
  /** State to take when the phone goes idle (asked for during a call, or held before it). */
  after: { state: SelectableState; reason: string | null } | null;
  /** Explicitly requested while on a call; wins over `after`. */
  pending: { state: SelectableState; reason: string | null } | null;
  /** Wrap-up deadline (ms epoch) when in workingAfterCall by timer. */
  wrapUpUntil: number | null;
}

export type AgentInput =
  | { type: 'signIn'; extension: string }
  | { type: 'signOut'; force?: boolean }
  | { type: 'setState'; state: SelectableState; reason?: string | null; wrapUpMs?: number }
  | { type: 'phone'; activity: PhoneActivity; wrapUpMs: number }
  | { type: 'wrapUpExpired' };

export type AgentTransition =
  | { ok: true; status: AgentStatus; changed: boolean; pending?: boolean }
  | { ok: false; code: 'INVALID_STATE'; message: string };

export function loggedOut(now: number): AgentStatus {
  return { state: 'loggedOut', reason: null, since: now, extension: null, after: null, pending: null, wrapUpUntil: null };
}

function to(prev: AgentStatus, now: number, state: AgentState, reason: string | null, patch: Partial<AgentStatus> = {}): AgentTransition {
  const changed = prev.state !== state || prev.reason !== reason;
  const status: AgentStatus = { ...prev, ...patch, state, reason, since: changed ? now : prev.since };
  if (state !== 'workingAfterCall') status.wrapUpUntil = patch.wrapUpUntil ?? null;
  return { ok: true, status, changed };
}

const refuse = (message: string): AgentTransition => ({ ok: false, code: 'INVALID_STATE', message });

export function transition(prev: AgentStatus, input: AgentInput, now: number): AgentTransition {
  switch (input.type) {
    case 'signIn':
      if (prev.state !== 'loggedOut') {
        if (prev.extension === input.extension) return { ok: true, status: prev, changed: false };
        return refuse(`already signed in at ${prev.extension}; sign out first`);
      }
      return to(prev, now, 'notReady', 'signedIn', { extension: input.extension, after: null, pending: null });

    case 'signOut':
      if (prev.state === 'loggedOut') return { ok: true, status: prev, changed: false };
      if (!input.force && (prev.state === 'busy' || prev.state === 'reserved')) {
        return refuse(`cannot sign out while ${prev.state === 'busy' ? 'on a call' : 'a call is being offered'}`);
      }
      return to(prev, now, 'loggedOut', null, { extension: null, after: null, pending: null });

    case 'setState': {
      const reason = input.state === 'notReady' ? (input.reason ?? 'break') : (input.reason ?? null);
      switch (prev.state) {
        case 'loggedOut':
          return refuse('sign in first');
        case 'busy':
        case 'reserved': {
          const r = to(prev, now, prev.state, prev.reason, { pending: { state: input.state, reason } });
          return r.ok ? { ...r, pending: true } : r;
        }
        case 'notReady':
        case 'ready':
        case 'workingAfterCall': {
          const wrapUpUntil = input.state === 'workingAfterCall' && input.wrapUpMs ? now + input.wrapUpMs : null;
          return to(prev, now, input.state, reason, { wrapUpUntil, after: null, pending: null });
        }
      }
      return exhaustive(prev.state);
    }

    case 'phone':
      return onPhone(prev, input.activity, input.wrapUpMs, now);

    case 'wrapUpExpired':
      if (prev.state !== 'workingAfterCall' || prev.wrapUpUntil === null || prev.wrapUpUntil > now) {
        return { ok: true, status: prev, changed: false };
      }
      return to(prev, now, 'ready', null);
  }
}

function onPhone(prev: AgentStatus, activity: PhoneActivity, wrapUpMs: number, now: number): AgentTransition {
  if (prev.state === 'loggedOut') return { ok: true, status: prev, changed: false };
  const inCall = prev.state === 'busy' || prev.state === 'reserved';
  switch (activity) {
    case 'active': {
      const after = inCall ? prev.after : remembered(prev);
      return to(prev, now, 'busy', null, { after });
    }
    case 'alerting': {
      if (prev.state === 'busy') return { ok: true, status: prev, changed: false };
      if (prev.state === 'ready' || prev.state === 'reserved') {
        return to(prev, now, 'reserved', null, { after: inCall ? prev.after : remembered(prev) });
      }
      return { ok: true, status: prev, changed: false }; // an internal call ringing a notReady agent
    }
    case 'idle': {
      if (!inCall) return { ok: true, status: prev, changed: false };
      const wasBusy = prev.state === 'busy';
      const next = prev.pending ?? (wasBusy && wrapUpMs > 0 ? { state: 'workingAfterCall' as const, reason: null } : prev.after) ?? { state: 'ready' as const, reason: null };
      const wrapUpUntil = next.state === 'workingAfterCall' && wasBusy && wrapUpMs > 0 ? now + wrapUpMs : null;
      return to(prev, now, next.state, next.reason, { after: null, pending: null, wrapUpUntil });
    }
  }
}

function remembered(prev: AgentStatus): AgentStatus['after'] {
  switch (prev.state) {
    case 'ready':
    case 'notReady':
      return { state: prev.state, reason: prev.reason };
    case 'workingAfterCall':
      return { state: 'ready', reason: null };
    default:
      return prev.after;
  }
}

function exhaustive(x: never): never {
  throw new Error(`unhandled ${String(x)}`);
}
