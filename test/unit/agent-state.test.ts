import { describe, expect, it } from 'vitest';
import { loggedOut, transition, type AgentStatus, type AgentInput } from '../../src/core/agents/agent-state.ts';

function run(inputs: AgentInput[], start = loggedOut(0)): AgentStatus {
  let s = start;
  let t = 1;
  for (const i of inputs) {
    const r = transition(s, i, t++ * 1000);
    if (!r.ok) throw new Error(r.message);
    s = r.status;
  }
  return s;
}

describe('agent state machine', () => {
  it('signs in notReady and becomes ready', () => {
    const s = run([{ type: 'signIn', extension: '2001' }]);
    expect(s).toMatchObject({ state: 'notReady', reason: 'signedIn', extension: '2001' });
    expect(run([{ type: 'setState', state: 'ready' }], s).state).toBe('ready');
  });

  it('refuses setState before sign-in and sign-out while on a call', () => {
    expect(transition(loggedOut(0), { type: 'setState', state: 'ready' }, 1).ok).toBe(false);
    const busy = run([{ type: 'signIn', extension: '2001' }, { type: 'setState', state: 'ready' }, { type: 'phone', activity: 'active', wrapUpMs: 0 }]);
    expect(busy.state).toBe('busy');
    const r = transition(busy, { type: 'signOut' }, 10_000);
    expect(r).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    expect(transition(busy, { type: 'signOut', force: true }, 10_000)).toMatchObject({ ok: true, status: { state: 'loggedOut' } });
  });

  it('goes reserved while ringing, busy when answered, and back to ready without wrap-up', () => {
    const ready = run([{ type: 'signIn', extension: '2001' }, { type: 'setState', state: 'ready' }]);
    const reserved = run([{ type: 'phone', activity: 'alerting', wrapUpMs: 0 }], ready);
    expect(reserved.state).toBe('reserved');
    const busy = run([{ type: 'phone', activity: 'active', wrapUpMs: 0 }], reserved);
    expect(busy.state).toBe('busy');
    expect(run([{ type: 'phone', activity: 'idle', wrapUpMs: 0 }], busy).state).toBe('ready');
  });

  it('enters wrap-up with a deadline when the queue has wrap-up time, and leaves it on expiry', () => {
    const busy = run([{ type: 'signIn', extension: '2001' }, { type: 'setState', state: 'ready' }, { type: 'phone', activity: 'active', wrapUpMs: 0 }]);
    const r = transition(busy, { type: 'phone', activity: 'idle', wrapUpMs: 5000 }, 100_000);
    expect(r).toMatchObject({ ok: true, status: { state: 'workingAfterCall', wrapUpUntil: 105_000 } });
    const s = (r as { status: AgentStatus }).status;
    expect(transition(s, { type: 'wrapUpExpired' }, 104_999)).toMatchObject({ changed: false });
    expect(transition(s, { type: 'wrapUpExpired' }, 105_000)).toMatchObject({ status: { state: 'ready' } });
  });

  it('keeps a state asked for during a call and takes it when the call ends', () => {
    const busy = run([{ type: 'signIn', extension: '2001' }, { type: 'setState', state: 'ready' }, { type: 'phone', activity: 'active', wrapUpMs: 0 }]);
    const r = transition(busy, { type: 'setState', state: 'notReady', reason: 'lunch' }, 50_000);
    expect(r).toMatchObject({ ok: true, pending: true, status: { state: 'busy' } });
    const after = run([{ type: 'phone', activity: 'idle', wrapUpMs: 3000 }], (r as { status: AgentStatus }).status);
    expect(after).toMatchObject({ state: 'notReady', reason: 'lunch', pending: null });
  });

  it('returns an agent who called out while notReady to notReady', () => {
    const s = run([{ type: 'signIn', extension: '2001' }, { type: 'setState', state: 'notReady', reason: 'meeting' }, { type: 'phone', activity: 'active', wrapUpMs: 0 }, { type: 'phone', activity: 'idle', wrapUpMs: 0 }]);
    expect(s).toMatchObject({ state: 'notReady', reason: 'meeting' });
  });

  it('does not reserve a notReady agent whose phone rings', () => {
    const s = run([{ type: 'signIn', extension: '2001' }, { type: 'phone', activity: 'alerting', wrapUpMs: 0 }]);
    expect(s.state).toBe('notReady');
  });
});
