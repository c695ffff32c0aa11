import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loggedOut, transition, type AgentInput, type AgentStatus } from '../../src/core/agents/agent-state.ts';
import { AppError } from '../../src/core/errors.ts';
import { holdsSlot, ShiftBook, type TeamRules } from '../../src/core/agents/shift-rules.ts';
import type { Audience, Timers } from '../../src/services/ports.ts';
import { ShiftRulesService } from '../../src/services/shift-rules.ts';

const T0 = 1_000_000;

/** A status reached from `start` by `inputs`, one second apart from its `since`. */
function status(inputs: AgentInput[], start: AgentStatus = loggedOut(T0)): AgentStatus {
  let s = start;
  let t = start.since;
  for (const i of inputs) {
    const r = transition(s, i, (t += 1000));
    if (!r.ok) throw new Error(r.message);
    s = r.status;
  }
  return s;
}
const signIn: AgentInput = { type: 'signIn', extension: '2001' };
const ready = status([signIn, { type: 'setState', state: 'ready' }]);
const away = (reason = 'break', start = ready) => status([{ type: 'setState', state: 'notReady', reason }], start);
const busy = status([{ type: 'phone', activity: 'active', wrapUpMs: 0 }], ready);

const rules = (r: Record<string, Partial<TeamRules>>) => new Map(Object.entries(r).map(([k, v]) => [k, { maxNotReady: null, awayAlertS: null, ...v }]));

describe('ShiftBook: notReady limit', () => {
  it('refuses an own notReady beyond the team’s limit, naming the team and the limit; other teams are apart', () => {
    const book = new ShiftBook();
    book.configure(rules({ red: { maxNotReady: 1 }, blue: { maxNotReady: 1 } }), () => null);
    expect(book.refusal('a1', 'red', away())).toBeNull();
    book.update('a1', 'red', away());
    expect(book.notReady('red')).toBe(1);
    const r = book.refusal('a2', 'red', away());
    expect(r).toMatchObject({ team: 'red', maxNotReady: 1, notReady: 1 });
    expect(r!.message).toMatch(/team red .*1.*maxNotReady 1/);
    expect(book.refusal('a3', 'blue', away())).toBeNull();
    // Going ready is never refused, and frees the slot.
    expect(book.refusal('a2', 'red', ready)).toBeNull();
    book.update('a1', 'red', ready);
    expect(book.notReady('red')).toBe(0);
    expect(book.refusal('a2', 'red', away())).toBeNull();
  });

  it('lets an agent already notReady change the reason', () => {
    const book = new ShiftBook();
    book.configure(rules({ red: { maxNotReady: 1 } }), () => null);
    book.update('a1', 'red', away('break'));
    expect(book.refusal('a1', 'red', away('lunch', away('break')))).toBeNull();
  });

  it('never refuses without a team, without rules, or with no limit; a limit of 0 refuses every own notReady', () => {
    const book = new ShiftBook();
    book.configure(rules({ red: { maxNotReady: null }, zero: { maxNotReady: 0 } }), () => null);
    for (const i of [1, 2, 3]) book.update(`a${i}`, 'red', away());
    expect(book.refusal('a9', 'red', away())).toBeNull();
    expect(book.refusal('a9', 'green', away())).toBeNull();
    expect(book.refusal('a9', null, away())).toBeNull();
    expect(book.refusal('a9', 'zero', away())?.maxNotReady).toBe(0);
  });

  it('counts notReady the rules did not check (sign-in, noAnswer, a supervisor) toward the total, past the limit', () => {
    const book = new ShiftBook();
    book.configure(rules({ red: { maxNotReady: 1 } }), () => null);
    book.update('a1', 'red', status([signIn]));
    book.update('a2', 'red', away('noAnswer'));
    expect(book.notReady('red')).toBe(2);
    expect(book.refusal('a3', 'red', away())).not.toBeNull();
    book.update('a1', 'red', ready);
    expect(book.refusal('a3', 'red', away())).not.toBeNull();
    book.update('a2', 'red', loggedOut(T0));
    expect(book.refusal('a3', 'red', away())).toBeNull();
  });

  it('holds a slot for notReady asked for during a call, and for an agent back to notReady after the call', () => {
    const pending = transition(busy, { type: 'setState', state: 'notReady', reason: 'lunch' }, T0 + 9000);
    if (!pending.ok) throw new Error(pending.message);
    expect(holdsSlot(pending.status)).toBe(true);
    const calledOut = status([{ type: 'phone', activity: 'active', wrapUpMs: 0 }], away('meeting'));
    expect(calledOut.state).toBe('busy');
    expect(holdsSlot(calledOut)).toBe(true);
    expect(holdsSlot(busy)).toBe(false);

    const book = new ShiftBook();
    book.configure(rules({ red: { maxNotReady: 1 } }), () => null);
    expect(book.refusal('a1', 'red', pending.status)).toBeNull();
    book.update('a1', 'red', pending.status);
    expect(book.refusal('a2', 'red', pending.status)).not.toBeNull();
    // The call ends: a1 takes the break it asked for, still one slot.
    book.update('a1', 'red', status([{ type: 'phone', activity: 'idle', wrapUpMs: 0 }], pending.status));
    expect(book.notReady('red')).toBe(1);
  });

  it('applies new limits and agents’ new teams on configure', () => {
    const book = new ShiftBook();
    const team: Record<string, string> = { a1: 'red', a2: 'red' };
    book.configure(rules({ red: { maxNotReady: 1 } }), (a) => team[a] ?? null);
    book.update('a1', 'red', away());
    expect(book.refusal('a2', 'red', away())).not.toBeNull();
    book.configure(rules({ red: { maxNotReady: 2 } }), (a) => team[a] ?? null);
    expect(book.refusal('a2', 'red', away())).toBeNull();
    team.a1 = 'blue';
    book.configure(rules({ red: { maxNotReady: 1 }, blue: { maxNotReady: 1 } }), (a) => team[a] ?? null);
    expect(book.notReady('red')).toBe(0);
    expect(book.notReady('blue')).toBe(1);
    expect(book.refusal('a2', 'red', away())).toBeNull();
  });
});

describe('ShiftBook: away alerts', () => {
  it('arms one timer at since + awayAlertS, keeps it through a reason change, and alerts once when due', () => {
    const book = new ShiftBook();
    book.configure(rules({ red: { awayAlertS: 60 } }), () => null);
    const s = away();
    expect(book.update('a1', 'red', s)).toEqual([{ type: 'arm', agentId: 'a1', dueAt: s.since + 60_000 }]);
    const lunch = away('lunch', s);
    expect(lunch.since).toBeGreaterThan(s.since);
    expect(book.update('a1', 'red', lunch)).toEqual([]);
    expect(book.due('a1', s.since + 59_999)).toBeNull();
    expect(book.due('a1', s.since + 60_000)).toEqual({ kind: 'awayTooLong', agentId: 'a1', team: 'red', state: 'notReady', reason: 'lunch', since: s.since, thresholdS: 60 });
    expect(book.due('a1', s.since + 120_000)).toBeNull();
    // Leaving after the alert needs no disarm; a new stretch away arms again.
    expect(book.update('a1', 'red', ready)).toEqual([]);
    expect(book.update('a1', 'red', away('break', ready))).toHaveLength(1);
  });

  it('disarms when the agent leaves notReady before the threshold (ready, on a call, signed out)', () => {
    const book = new ShiftBook();
    book.configure(rules({ red: { awayAlertS: 60 } }), () => null);
    const leave = [ready, status([{ type: 'phone', activity: 'active', wrapUpMs: 0 }], away()), loggedOut(T0)];
    for (const next of leave) {
      book.update('a1', 'red', away());
      expect(book.update('a1', 'red', next)).toEqual([{ type: 'disarm', agentId: 'a1' }]);
      expect(book.due('a1', T0 + 3_600_000)).toBeNull();
    }
  });

  it('arms nothing for a team without awayAlertS or an agent without a team', () => {
    const book = new ShiftBook();
    book.configure(rules({ red: { maxNotReady: 3 } }), () => null);
    expect(book.update('a1', 'red', away())).toEqual([]);
    expect(book.update('a2', null, away())).toEqual([]);
  });

  it('re-arms on configure: a new threshold moves the timer, a removed one disarms, an alerted stretch stays quiet', () => {
    const book = new ShiftBook();
    const teamOf = () => 'red';
    book.configure(rules({ red: { awayAlertS: 60 } }), teamOf);
    const s = away();
    book.update('a1', 'red', s);
    book.update('a2', 'red', s);
    expect(book.due('a2', s.since + 60_000)).not.toBeNull();
    expect(book.configure(rules({ red: { awayAlertS: 10 } }), teamOf)).toEqual([{ type: 'arm', agentId: 'a1', dueAt: s.since + 10_000 }]);
    expect(book.configure(rules({ red: { awayAlertS: 10 } }), teamOf)).toEqual([]);
    expect(book.configure(rules({ red: {} }), teamOf)).toEqual([{ type: 'disarm', agentId: 'a1' }]);
    expect(book.due('a1', s.since + 3_600_000)).toBeNull();
  });
});

describe('ShiftRulesService', () => {
  function setup(teams: { name: string; maxNotReady?: number | null; awayAlertS?: number | null }[]) {
    let now = T0;
    const pending: { at: number; fn: () => void; id: number }[] = [];
    let nextId = 1;
    const timers: Timers = {
      setTimeout: (fn, ms) => {
        const t = { at: now + ms, fn, id: nextId++ };
        pending.push(t);
        return t.id;
      },
      clearTimeout: (h) => {
        const i = pending.findIndex((t) => t.id === h);
        if (i >= 0) pending.splice(i, 1);
      },
    };
    const published: { event: string; data: any; audience: Audience }[] = [];
    const team: Record<string, string> = { a1: 'red', a2: 'red' };
    const svc = new ShiftRulesService({
      teamOf: (a) => team[a] ?? null,
      notifier: { publish: (event, data, audience) => void published.push({ event, data, audience }) },
      clock: { now: () => now },
      timers,
      log: pino({ level: 'silent' }),
    });
    const load = (t: typeof teams) => svc.load(t.map((x) => ({ maxNotReady: null, awayAlertS: null, ...x })));
    load(teams);
    const advance = (ms: number) => {
      now += ms;
      for (;;) {
        pending.sort((a, b) => a.at - b.at);
        if (!pending[0] || pending[0].at > now) break;
        pending.shift()!.fn();
      }
    };
    return { svc, published, pending, advance, load, at: (ms: number) => (now = ms) };
  }

  it('throws CONFLICT with details for an own notReady past the limit', () => {
    const { svc } = setup([{ name: 'red', maxNotReady: 1 }]);
    svc.changed('a1', away());
    let err: unknown;
    try {
      svc.admit('a2', away());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'CONFLICT', details: { team: 'red', maxNotReady: 1, notReady: 1 } });
    expect(() => svc.admit('a1', away('lunch'))).not.toThrow();
  });

  it('publishes supervisor.alert to subscribed supervisors when the timer goes off, and none for an agent back in time', () => {
    const h = setup([{ name: 'red', awayAlertS: 30 }]);
    const s = away();
    h.at(s.since);
    h.svc.changed('a1', s);
    h.svc.changed('a2', s);
    h.advance(10_000);
    h.svc.changed('a2', ready);
    expect(h.pending).toHaveLength(1);
    h.advance(19_999);
    expect(h.published).toEqual([]);
    h.advance(1);
    expect(h.published).toEqual([
      {
        event: 'supervisor.alert',
        data: { kind: 'awayTooLong', agentId: 'a1', team: 'red', state: 'notReady', reason: 'break', since: new Date(s.since).toISOString(), thresholdS: 30 },
        audience: { subscribers: true },
      },
    ]);
    h.advance(600_000);
    expect(h.published).toHaveLength(1);
  });

  it('re-arms timers when the teams are reloaded; close clears them', () => {
    const h = setup([{ name: 'red', awayAlertS: 600 }]);
    const s = away();
    h.at(s.since);
    h.svc.changed('a1', s);
    h.advance(5_000);
    h.load([{ name: 'red', awayAlertS: 3 }]); // already past: due at once
    h.advance(0);
    expect(h.published.map((p) => p.data.agentId)).toEqual(['a1']);
    h.svc.changed('a2', s);
    h.load([{ name: 'red', awayAlertS: 6000 }]);
    expect(h.pending).toHaveLength(1);
    h.svc.close();
    expect(h.pending).toHaveLength(0);
  });
});
