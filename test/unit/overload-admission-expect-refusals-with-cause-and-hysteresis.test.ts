import { describe, expect, it } from 'vitest';
import { AdmissionControl, lowOf, WaterMark, type AdmissionLimits, type LiveCounts, type LoadSample } from '../../src/services/overload/admission.ts';

const LIMITS: AdmissionLimits = { loopUtilisation: 0.95, loopDelayMs: 100, heapUsed: 0.85, storageBacklog: 1000, routeDialogues: 8000, callsInRouting: 10, windowMs: 1000 };
const IDLE: LiveCounts = { callsInRouting: 0, routeDialogues: 0 };

function sample(at: number, patch: Partial<LoadSample> = {}): LoadSample {
  return { at, loopUtilisation: 0.2, loopDelayP99Ms: 1, heapUsed: 0.3, storageBacklog: 0, counts: IDLE, ...patch };
}

/** A sample of a loop that never idles. */
const busySample = (at: number, patch: Partial<LoadSample> = {}): LoadSample => sample(at, { loopUtilisation: 0.99, ...patch });

describe('WaterMark', () => {
  it('goes over at the high mark, stays over until the low one, and says when it changed', () => {
    const m = new WaterMark(10, 5);
    expect(m.update(9)).toBe(false);
    expect(m.update(10)).toBe(true);
    expect(m.over).toBe(true);
    expect(m.update(6)).toBe(false);
    expect(m.over).toBe(true);
    expect(m.update(5)).toBe(true);
    expect(m.over).toBe(false);
  });
});

describe('AdmissionControl', () => {
  it('admits every call while no signal is over', () => {
    const c = new AdmissionControl(LIMITS);
    c.sample(sample(0));
    expect(c.admit(IDLE, 'queue')).toEqual({ admit: true });
    expect(c.admit({ callsInRouting: 9, routeDialogues: 7999 }, 'queue')).toEqual({ admit: true });
    expect(c.over()).toEqual([]);
  });

  it('refuses calls to queue pilots at the maximum of calls in routing, and admits again only under the low mark', () => {
    const c = new AdmissionControl(LIMITS);
    expect(lowOf(LIMITS).callsInRouting).toEqual([10, 9]);
    expect(c.admit({ callsInRouting: 10, routeDialogues: 0 }, 'queue')).toEqual({ admit: false, cause: 'callsInRouting' });
    // An IVR pilot's call is not held back by the ACD's count.
    expect(c.admit({ callsInRouting: 10, routeDialogues: 0 }, 'other')).toEqual({ admit: true });
    expect(c.admit({ callsInRouting: 9, routeDialogues: 0 }, 'queue')).toEqual({ admit: true });
    const tiny = new AdmissionControl({ ...LIMITS, callsInRouting: 2 });
    expect(tiny.admit({ callsInRouting: 2, routeDialogues: 0 }, 'queue').admit).toBe(false);
    expect(tiny.admit({ callsInRouting: 1, routeDialogues: 0 }, 'queue').admit).toBe(true);
  });

  it('does not flap: between the marks the last state holds', () => {
    const c = new AdmissionControl({ ...LIMITS, callsInRouting: 100 });
    expect(lowOf({ ...LIMITS, callsInRouting: 100 }).callsInRouting).toEqual([100, 90]);
    expect(c.admit({ callsInRouting: 95, routeDialogues: 0 }, 'queue').admit).toBe(true);
    expect(c.admit({ callsInRouting: 100, routeDialogues: 0 }, 'queue').admit).toBe(false);
    for (const n of [99, 95, 91]) expect(c.admit({ callsInRouting: n, routeDialogues: 0 }, 'queue').admit).toBe(false);
    expect(c.admit({ callsInRouting: 90, routeDialogues: 0 }, 'queue').admit).toBe(true);
    for (const n of [91, 95, 99]) expect(c.admit({ callsInRouting: n, routeDialogues: 0 }, 'queue').admit).toBe(true);
  });

  it('refuses only on an event loop late all window long (and busy), names it first, and recovers only once on time all window long', () => {
    const c = new AdmissionControl(LIMITS);
    const sample = (at: number, patch: Partial<LoadSample> = {}) => busySample(at, patch);
    // One pause (a major GC, the start's own work) is not overload.
    c.sample(sample(0));
    c.sample(sample(250, { loopDelayP99Ms: 400 }));
    for (const t of [500, 750, 1000, 1250]) c.sample(sample(t, { loopDelayP99Ms: 2 }));
    expect(c.isOver('eventLoop')).toBe(false);
    // Late for a whole window (1 s of samples, all at or over 100 ms): overloaded.
    for (const t of [1500, 1750, 2000]) c.sample(sample(t, { loopDelayP99Ms: 150 }));
    expect(c.isOver('eventLoop')).toBe(false);
    c.sample(sample(2250, { loopDelayP99Ms: 150 }));
    expect(c.isOver('eventLoop')).toBe(true);
    expect(c.admit({ callsInRouting: 50, routeDialogues: 0 }, 'queue')).toEqual({ admit: false, cause: 'eventLoop' });
    expect(c.admit(IDLE, 'other')).toEqual({ admit: false, cause: 'eventLoop' });
    // On time again, but not yet for a whole window: still refusing.
    for (const t of [2500, 2750, 3000]) c.sample(sample(t, { loopDelayP99Ms: 2 }));
    expect(c.isOver('eventLoop')).toBe(true);
    // Between the marks (40 ms … 100 ms) counts as late for recovery.
    c.sample(sample(3250, { loopDelayP99Ms: 60 }));
    expect(c.isOver('eventLoop')).toBe(true);
    for (const t of [3500, 3750, 4000]) c.sample(sample(t, { loopDelayP99Ms: 2 }));
    expect(c.isOver('eventLoop')).toBe(true);
    c.sample(sample(4250, { loopDelayP99Ms: 2 }));
    expect(c.isOver('eventLoop')).toBe(false);
    expect(c.admit(IDLE, 'queue')).toEqual({ admit: true });
  });

  it('judges the event loop only over a full window (a daemon just started has none)', () => {
    const c = new AdmissionControl(LIMITS);
    c.sample(sample(0, { loopDelayP99Ms: 500, loopUtilisation: 1 }));
    c.sample(sample(500, { loopDelayP99Ms: 500, loopUtilisation: 1 }));
    expect(c.isOver('eventLoop')).toBe(false);
    c.sample(sample(1000, { loopDelayP99Ms: 500, loopUtilisation: 1 }));
    expect(c.isOver('eventLoop')).toBe(true);
  });

  it('needs the loop both late and busy: busy and on time keeps up, late and idle is a starved process', () => {
    const busy = new AdmissionControl(LIMITS);
    for (let t = 0; t <= 2000; t += 250) busy.sample(sample(t, { loopUtilisation: 0.99, loopDelayP99Ms: 25 }));
    expect(busy.admit(IDLE, 'queue').admit).toBe(true);
    const starved = new AdmissionControl(LIMITS);
    for (let t = 0; t <= 2000; t += 250) starved.sample(sample(t, { loopUtilisation: 0.3, loopDelayP99Ms: 300 }));
    expect(starved.admit(IDLE, 'queue').admit).toBe(true);
    // Late and busy: refused; then idle enough again (mean under 0.80) while still late: admitted.
    for (let t = 2250; t <= 3250; t += 250) starved.sample(sample(t, { loopUtilisation: 0.99, loopDelayP99Ms: 300 }));
    expect(starved.admit(IDLE, 'queue')).toEqual({ admit: false, cause: 'eventLoop' });
    for (let t = 3500; t <= 4250; t += 250) starved.sample(sample(t, { loopUtilisation: 0.9, loopDelayP99Ms: 300 }));
    expect(starved.admit(IDLE, 'queue').admit).toBe(false);
    for (let t = 4500; t <= 5500; t += 250) starved.sample(sample(t, { loopUtilisation: 0.5, loopDelayP99Ms: 300 }));
    expect(starved.admit(IDLE, 'queue').admit).toBe(true);
  });

  it('refuses on heap, storage backlog and open dialogues, each with its cause', () => {
    const heap = new AdmissionControl(LIMITS);
    heap.sample(sample(0, { heapUsed: 0.9 }));
    expect(heap.admit(IDLE, 'queue')).toEqual({ admit: false, cause: 'memory' });
    heap.sample(sample(250, { heapUsed: 0.8 }));
    expect(heap.admit(IDLE, 'queue').admit).toBe(false);
    heap.sample(sample(500, { heapUsed: 0.74 }));
    expect(heap.admit(IDLE, 'queue').admit).toBe(true);

    const backlog = new AdmissionControl(LIMITS);
    backlog.sample(sample(0, { storageBacklog: 1000 }));
    expect(backlog.admit(IDLE, 'other')).toEqual({ admit: false, cause: 'storageBacklog' });
    backlog.sample(sample(250, { storageBacklog: 500 }));
    expect(backlog.admit(IDLE, 'other').admit).toBe(true);

    const dialogues = new AdmissionControl(LIMITS);
    expect(dialogues.admit({ callsInRouting: 0, routeDialogues: 8000 }, 'queue')).toEqual({ admit: false, cause: 'routeDialogues' });
    expect(dialogues.admit({ callsInRouting: 0, routeDialogues: 6000 }, 'queue')).toEqual({ admit: true });
  });

  it('names the first signal over in cause order when several are, and lists them all', () => {
    const c = new AdmissionControl(LIMITS);
    c.sample(sample(0, { heapUsed: 0.9, storageBacklog: 2000, counts: { callsInRouting: 10, routeDialogues: 0 } }));
    expect(c.over()).toEqual(['memory', 'storageBacklog', 'callsInRouting']);
    expect(c.admit({ callsInRouting: 10, routeDialogues: 0 }, 'queue')).toEqual({ admit: false, cause: 'memory' });
  });

  it('counts every change of a signal, and a sample brings a count back with no call to ask', () => {
    const c = new AdmissionControl(LIMITS);
    const before = c.changes;
    c.admit({ callsInRouting: 10, routeDialogues: 0 }, 'queue');
    expect(c.changes).toBe(before + 1);
    c.admit({ callsInRouting: 10, routeDialogues: 0 }, 'queue');
    expect(c.changes).toBe(before + 1);
    c.sample(sample(0));
    expect(c.changes).toBe(before + 2);
    expect(c.over()).toEqual([]);
    expect(c.figures()).toMatchObject({ callsInRouting: 0, routeDialogues: 0, loopDelayP99Ms: 1 });
  });
});
