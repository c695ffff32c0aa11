/**
 * Erlang C staffing (src/reports/erlang-c.ts): the issue's worked example (360 calls in 30 min,
 * AHT 240 s, 48 erlangs), two figures published by other packages' documentation (the R package
 * ErlangC: 100 calls in 30 min at 180 s with 14 agents; the Python call-center-tools: 1,000
 * calls an hour at 120 s, 80/20, occupancy ≤ 85 %, shrinkage 30 % → 40 agents, 58 scheduled),
 * the textbook factorial formula as an independent oracle up to 20 agents, a log-space oracle for
 * large N, and the edges (N ≤ A, no traffic, 1,500 and 1,900 erlangs).
 */
import { describe, expect, it } from 'vitest';
import { agentsNeeded, erlangB, erlangC, staffing, trafficIntensity } from '../../src/reports/erlang-c.ts';

/** The textbook formula with factorials: fine in doubles up to ~20 agents. */
function erlangCByFactorials(n: number, a: number): number {
  let fact = 1;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) fact *= k;
    sum += a ** k / fact;
  }
  const top = (a ** n / (fact * n)) * (n / (n - a));
  return top / (sum + top);
}

/** The same sum in log space (log-sum-exp), for N in the thousands. */
function erlangCByLogs(n: number, a: number): number {
  const terms: number[] = [];
  let logFact = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) logFact += Math.log(k);
    terms.push(k * Math.log(a) - logFact);
  }
  const logTop = n * Math.log(a) - (logFact + Math.log(n)) + Math.log(n / (n - a));
  const m = Math.max(logTop, ...terms);
  const sum = terms.reduce((s, t) => s + Math.exp(t - m), 0);
  const top = Math.exp(logTop - m);
  return top / (sum + top);
}

describe('the worked example: 360 calls in 30 min, AHT 240 s', () => {
  const a = trafficIntensity(360, 1800, 240);

  it('is 48 erlangs', () => {
    expect(a).toBe(48);
  });

  it('55 agents: P(wait) ≈ 0.2387, ASA ≈ 8.2 s, SL(15 s) ≈ 84.6 %, occupancy 87.3 %', () => {
    const s = staffing(55, a, 240, 15);
    expect(s.pWait).toBeCloseTo(0.2387, 4);
    expect(s.asaSeconds).toBeCloseTo(8.18, 2);
    expect(s.serviceLevel).toBeCloseTo(0.846, 3);
    expect(s.occupancy).toBeCloseTo(48 / 55, 12);
  });

  it('54 agents: SL(20 s) ≈ 81.7 %', () => {
    expect(staffing(54, a, 240, 20).serviceLevel).toBeCloseTo(0.817, 3);
  });

  it('80/20 needs 54 agents (53 fall short); 80/15 needs 55', () => {
    expect(staffing(53, a, 240, 20).serviceLevel).toBeLessThan(0.8);
    const r = agentsNeeded({ erlangs: a, ahtSeconds: 240, serviceLevel: 0.8, targetSeconds: 20 });
    expect(r).toMatchObject({ agents: 54, scheduled: 54, boundBy: 'serviceLevel' });
    expect(r!.serviceLevel).toBeCloseTo(0.817, 3);
    expect(staffing(54, a, 240, 15).serviceLevel).toBeLessThan(0.8);
    expect(agentsNeeded({ erlangs: a, ahtSeconds: 240, serviceLevel: 0.8, targetSeconds: 15 })?.agents).toBe(55);
  });
});

describe('figures published elsewhere', () => {
  it('R ErlangC: 100 calls / 30 min, AHT 180 s, 14 agents → 10 erlangs, P(wait) 0.1741319, SL(20) 0.88835, ASA 7.8359 s, occupancy 0.7142857', () => {
    const a = trafficIntensity(100, 1800, 180);
    expect(a).toBe(10);
    const s = staffing(14, a, 180, 20);
    expect(s.pWait).toBeCloseTo(0.1741319, 7);
    expect(s.serviceLevel).toBeCloseTo(0.88835, 5);
    expect(s.asaSeconds).toBeCloseTo(7.835937, 6);
    expect(s.occupancy).toBeCloseTo(0.7142857, 7);
  });

  it('call-center-tools: 1,000 calls/h, AHT 120 s, 80/20, occupancy ≤ 85 %, shrinkage 30 % → 40 agents (the occupancy cap), 58 scheduled', () => {
    const a = trafficIntensity(1000, 3600, 120);
    const r = agentsNeeded({ erlangs: a, ahtSeconds: 120, serviceLevel: 0.8, targetSeconds: 20, maxOccupancy: 0.85, shrinkage: 0.3 });
    expect(r).toMatchObject({ agents: 40, scheduled: 58, boundBy: 'maxOccupancy' });
    expect(r!.pWait).toBeCloseTo(0.1907, 4);
    expect(r!.serviceLevel).toBeCloseTo(0.9372, 4);
    expect(r!.asaSeconds).toBeCloseTo(3.43, 2);
    expect(r!.occupancy).toBeCloseTo(0.8333, 4);
    // Without the cap the service level alone is met with fewer.
    expect(agentsNeeded({ erlangs: a, ahtSeconds: 120, serviceLevel: 0.8, targetSeconds: 20 })!.agents).toBeLessThan(40);
  });

  it('occupancy cap and shrinkage need no float luck: 48 erlangs at ≤ 80 % is 60 agents, 25 % shrinkage schedules 80', () => {
    const r = agentsNeeded({ erlangs: 48, ahtSeconds: 240, serviceLevel: 0.8, targetSeconds: 20, maxOccupancy: 0.8, shrinkage: 0.25 });
    expect(r).toMatchObject({ agents: 60, scheduled: 80, boundBy: 'maxOccupancy' });
  });
});

describe('against independent oracles', () => {
  it('equals the factorial formula for every N ≤ 20 and A < N', () => {
    for (let n = 1; n <= 20; n++) {
      for (const a of [0.1, 0.5, 1, 2.5, n / 2, n - 1, n - 0.3, n - 0.01].filter((x) => x > 0 && x < n)) {
        expect(erlangC(n, a)).toBeCloseTo(erlangCByFactorials(n, a), 12);
      }
    }
  });

  it('Erlang B: A = 1, N = 1 → 1/2; A = 2, N = 2 → 2/5 (by hand)', () => {
    expect(erlangB(1, 1)).toBe(0.5);
    expect(erlangB(2, 2)).toBeCloseTo(0.4, 15);
    expect(erlangB(0, 7)).toBe(1);
  });

  it('equals a log-space computation at 1,950 agents and 1,900 erlangs', () => {
    const got = erlangC(1950, 1900);
    expect(Number.isFinite(got)).toBe(true);
    expect(got).toBeGreaterThan(0);
    expect(got).toBeCloseTo(erlangCByLogs(1950, 1900), 10);
  });
});

describe('edges and large centres', () => {
  it('N ≤ A: every call waits, the queue never drains (ASA ∞, SL 0, occupancy 1)', () => {
    for (const n of [40, 47, 48]) {
      const s = staffing(n, 48, 240, 20);
      expect(s).toMatchObject({ pWait: 1, asaSeconds: Infinity, serviceLevel: 0, occupancy: 1 });
    }
  });

  it('no calls: no agents needed, and nobody waits', () => {
    const a = trafficIntensity(0, 1800, 240);
    expect(a).toBe(0);
    expect(agentsNeeded({ erlangs: a, ahtSeconds: 240, serviceLevel: 0.8, targetSeconds: 20, shrinkage: 0.3 })).toMatchObject({ agents: 0, scheduled: 0, pWait: 0, asaSeconds: 0, boundBy: 'noTraffic' });
  });

  it('a small A still needs one agent, never zero', () => {
    expect(agentsNeeded({ erlangs: 0.01, ahtSeconds: 60, serviceLevel: 0.8, targetSeconds: 20 })?.agents).toBe(1);
  });

  it('1,500 erlangs: P(wait) finite, in (0, 1] and falling, SL never falling (it reaches 1 in doubles), for N = 1,501 … 1,700', () => {
    let lastC = 1;
    let lastSl = -1;
    for (let n = 1501; n <= 1700; n++) {
      const s = staffing(n, 1500, 180, 20);
      expect(Number.isFinite(s.pWait) && s.pWait > 0 && s.pWait <= 1).toBe(true);
      expect(s.pWait).toBeLessThan(lastC);
      expect(s.serviceLevel).toBeGreaterThanOrEqual(lastSl);
      lastC = s.pWait;
      lastSl = s.serviceLevel;
    }
    expect(staffing(1550, 1500, 180, 20).serviceLevel).toBeGreaterThan(staffing(1530, 1500, 180, 20).serviceLevel);
  });

  it('1,900 erlangs, 80/20 at 180 s: the answer meets the target and one agent fewer does not, under 2,000 agents', () => {
    const r = agentsNeeded({ erlangs: 1900, ahtSeconds: 180, serviceLevel: 0.8, targetSeconds: 20 })!;
    expect(r.agents).toBeGreaterThan(1900);
    expect(r.agents).toBeLessThan(2000);
    expect(r.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(staffing(r.agents - 1, 1900, 180, 20).serviceLevel).toBeLessThan(0.8);
    expect(erlangC(2000, 1900)).toBeGreaterThan(0);
  });

  it('gives up (null) past maxAgents', () => {
    expect(agentsNeeded({ erlangs: 48, ahtSeconds: 240, serviceLevel: 0.8, targetSeconds: 20, maxAgents: 53 })).toBeNull();
    expect(agentsNeeded({ erlangs: 48, ahtSeconds: 240, serviceLevel: 0.8, targetSeconds: 20, maxAgents: 54 })?.agents).toBe(54);
  });

  it('refuses meaningless input with RangeError', () => {
    expect(() => trafficIntensity(10, 0, 180)).toThrow(RangeError);
    expect(() => erlangC(2.5, 1)).toThrow(RangeError);
    expect(() => staffing(10, 5, 0, 20)).toThrow(RangeError);
    expect(() => agentsNeeded({ erlangs: 5, ahtSeconds: 180, serviceLevel: 1, targetSeconds: 20 })).toThrow(RangeError);
    expect(() => agentsNeeded({ erlangs: 5, ahtSeconds: 180, serviceLevel: 0.8, targetSeconds: 20, shrinkage: 1 })).toThrow(RangeError);
  });
});
