import pino from 'pino';
import { expect, it } from 'vitest';
import type { TrackedCall } from '../../src/core/calls/call.ts';
import type { DirectoryPilot } from '../../src/services/directory.ts';
import { AdmissionGate } from '../../src/services/overload/admission-gate.ts';
import { AdmissionControl, type LiveCounts, type OverloadCause } from '../../src/services/overload/admission.ts';
import { SHED_SUMMARY_MS } from '../../src/services/overload/shed-log.ts';
import type { RouteRequestEvent } from '../../src/services/route-dispatch.ts';

const PILOT: DirectoryPilot = { number: '8000', kind: 'queue', queueId: 'sales', ivrFlow: null, priority: 0, requiredSkills: null };

/** A gate over stubs: the switch's RouteEnds, the decisions, the log lines, one manual timer. */
function setUp() {
  const routeEnds: [string, string | undefined][] = [];
  const decisions: { callId: string; kind: string; queueId: string | null; detail: Record<string, unknown> }[] = [];
  const lines: Record<string, unknown>[] = [];
  const shed: OverloadCause[] = [];
  const timers: (() => void)[] = [];
  const calls = new Map<string, TrackedCall>();
  const counts: LiveCounts = { callsInRouting: 0, routeDialogues: 0 };
  const log = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  const gate = new AdmissionGate({
    control: new AdmissionControl({ loopUtilisation: 0.95, loopDelayMs: 100, heapUsed: 0.85, storageBacklog: 1000, routeDialogues: 8000, callsInRouting: 2, windowMs: 1000 }),
    counts: () => counts,
    pbx: { routeEnd: async (crossRefId, reason) => void routeEnds.push([crossRefId, reason]) },
    calls: { tracker: { byPbx: (id: string) => calls.get(id) } } as never,
    decisions: { append: (d) => void decisions.push(d) },
    meter: { shed: (c) => void shed.push(c) },
    clock: { now: () => 1000 },
    timers: { setTimeout: (fn) => timers.push(fn), clearTimeout: () => {} },
    log,
  });
  const request = (n: number): RouteRequestEvent => {
    calls.set(`p${n}`, { id: `c${n}`, queue: null, outcome: null } as TrackedCall);
    return { kind: 'routeRequest', crossRefId: `x${n}`, routingDevice: '8000', callId: `p${n}`, calling: `139${n}` };
  };
  return { gate, routeEnds, decisions, lines, shed, timers, calls, counts, request };
}

it('admits under capacity; refuses beyond it with RouteEnd(overload), a shed decision, the call marked, a count', () => {
  const t = setUp();
  expect(t.gate.admit(t.request(1), PILOT)).toBe(true);
  t.counts.callsInRouting = 2;
  expect(t.gate.admit(t.request(2), PILOT)).toBe(false);
  expect(t.routeEnds).toEqual([['x2', 'overload']]);
  expect(t.shed).toEqual(['callsInRouting']);
  expect(t.decisions).toEqual([expect.objectContaining({ callId: 'c2', kind: 'shed', queueId: 'sales', detail: expect.objectContaining({ cause: 'callsInRouting', pilot: '8000' }) })]);
  expect(t.calls.get('p2')).toMatchObject({ queue: 'sales', outcome: 'overload' });
});

it('logs the first refusal of a spell at warn, the next at debug and in a summary a second later; then admitting again', () => {
  const t = setUp();
  t.counts.callsInRouting = 2;
  for (let n = 1; n <= 5; n++) t.gate.admit(t.request(n), PILOT);
  const refusing = t.lines.filter((l) => l.msg === 'overload: refusing new calls');
  expect(refusing).toHaveLength(1);
  const warns = t.lines.filter((l) => l.level === 40 && typeof l.msg === 'string' && l.msg.startsWith('overload: new call refused'));
  expect(warns).toEqual([expect.objectContaining({ callId: 'c1', cause: 'callsInRouting', pilot: '8000' })]);
  expect(t.lines.filter((l) => l.level === 20)).toHaveLength(4);
  expect(t.timers).toHaveLength(1);
  expect(SHED_SUMMARY_MS).toBe(1000);
  t.timers.shift()!();
  expect(t.lines.at(-1)).toMatchObject({ level: 40, refused: 4, byCause: { callsInRouting: 4 }, spell: 5 });
  // A quiet second ends the spell: no line, no timer.
  t.timers.shift()!();
  expect(t.timers).toHaveLength(0);
  const before = t.lines.length;
  t.counts.callsInRouting = 0;
  expect(t.gate.admit(t.request(6), PILOT)).toBe(true);
  expect(t.lines.slice(before)).toEqual([expect.objectContaining({ level: 30, msg: 'overload: admitting new calls again', refused: 5 })]);
});
