/**
 * `staffLogin` on the pure engine: the PIN leaves the call's variables once it is sent to be
 * checked; the answer sets <into>.user/.name and goes to ok; null, or a failed check, goes to
 * denied (nobody gets in on an error).
 */
import { describe, expect, it } from 'vitest';
import { IvrSession } from '../../src/ivr/engine/session.ts';
import type { IvrEffect } from '../../src/ivr/engine/types.ts';
import type { FlowDefinition, LoadedFlow } from '../../src/ivr/flow/types.ts';

const def: FlowDefinition = {
  id: 't',
  languages: ['en-US'],
  start: 'askPin',
  prompts: { pin: { 'en-US': 'Your PIN please.' } },
  nodes: {
    askPin: { type: 'collect', prompt: 'pin', into: 'staffPin', minLength: 4, maxLength: 8, terminator: '#', firstDigitTimeoutS: 5, interDigitTimeoutS: 5, sensitive: true, next: 'login', invalid: { max: 1, then: 'no' }, timeout: { max: 1, then: 'no' } },
    login: { type: 'staffLogin', phoneId: '7001', pin: '${staffPin}', into: 'staff', ok: 'yes', denied: 'no' },
    yes: { type: 'hangup' },
    no: { type: 'hangup' },
  },
};
const flow: LoadedFlow = { def, version: 1, file: 't.yaml', hash: 'x', loadedAt: 0 };

/** Up to the login's request: its effects and the session. */
function toLogin(): { s: IvrSession; reqId: number; request: Extract<IvrEffect, { kind: 'request' }>['request'] } {
  const s = new IvrSession(flow, { callId: 'c1', caller: '2902', called: '8009', timeZone: 'UTC' });
  let out = s.handle({ kind: 'start' }, 0);
  const play = out.find((e) => e.kind === 'play') as Extract<IvrEffect, { kind: 'play' }>;
  s.handle({ kind: 'playEnded', playId: play.playId, cause: 'endOfMessage' }, 1000);
  for (const key of '2468') s.handle({ kind: 'key', key }, 1500);
  out = s.handle({ kind: 'key', key: '#' }, 2000);
  const req = out.find((e) => e.kind === 'request') as Extract<IvrEffect, { kind: 'request' }>;
  return { s, reqId: req.reqId, request: req.request };
}

describe('staffLogin', () => {
  it('sends the PIN to be checked and drops it from the variables', () => {
    const { s, request } = toLogin();
    expect(request).toEqual({ kind: 'staffLogin', phoneId: '7001', pin: '2468' });
    expect(s.vars.has('staffPin')).toBe(false);
    expect(s.nodeId).toBe('login');
  });

  it('a user: <into>.user and .name set, to ok', () => {
    const { s, reqId } = toLogin();
    s.handle({ kind: 'result', reqId, ok: true, value: { user: 'qa1', name: 'Quality 1' } }, 2500);
    expect(s.nodeId).toBe('yes');
    expect(s.vars.get('staff.user')).toBe('qa1');
    expect(s.vars.get('staff.name')).toBe('Quality 1');
  });

  it('null or a failed check: to denied, counted as invalid input', () => {
    for (const answer of [{ ok: true, value: null }, { ok: false, error: 'hash pool busy' }]) {
      const { s, reqId } = toLogin();
      const out = s.handle({ kind: 'result', reqId, ...answer }, 2500);
      expect(s.nodeId).toBe('no');
      expect(s.vars.has('staff.user')).toBe(false);
      expect(out.some((e) => e.kind === 'stat' && e.event.kind === 'invalid')).toBe(true);
    }
  });
});
