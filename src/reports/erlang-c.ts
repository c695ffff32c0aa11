/**
 * Erlang C staffing, pure: from the calls of an interval and their average handle time, the
 * probability that a caller waits, the average speed of answer, the service level and the
 * occupancy for N agents, and the fewest agents that reach a target service level.
 *
 * P(wait) comes from the Erlang B recursion B(k) = A·B(k−1) / (k + A·B(k−1)), then
 * C = N·B / (N − A·(1 − B)): every step stays in (0, 1], so there are no factorials or powers to
 * overflow, and 2,000 agents at 1,900 erlangs cost 2,000 multiply-adds. `agentsNeeded` carries B
 * forward one agent at a time, so the search costs no more than one evaluation at its answer.
 *
 * The model's assumptions (Poisson arrivals, exponential handle times, nobody abandons) are in
 * docs/reports.md; with abandons it overstates the agents needed.
 */

/** Offered traffic in erlangs: calls × AHT / interval length. 0 for an empty interval. */
export function trafficIntensity(calls: number, intervalSeconds: number, ahtSeconds: number): number {
  if (!(calls >= 0) || !(intervalSeconds > 0) || !(ahtSeconds >= 0)) {
    throw new RangeError(`trafficIntensity: need calls ≥ 0, intervalSeconds > 0, ahtSeconds ≥ 0 (got ${calls}, ${intervalSeconds}, ${ahtSeconds})`);
  }
  return (calls * ahtSeconds) / intervalSeconds;
}

/** One step of the Erlang B recursion: B(k) from B(k−1). */
const nextB = (b: number, k: number, a: number): number => (a * b) / (k + a * b);

/** Erlang B: the probability that a call finds all `n` servers busy and is lost (no queue). */
export function erlangB(n: number, a: number): number {
  checkAgents(n, a);
  let b = 1;
  for (let k = 1; k <= n; k++) b = nextB(b, k, a);
  return b;
}

/** C from B at the same N: N·B / (N − A·(1 − B)); 1 when N ≤ A (the queue grows without end). */
const cOfB = (b: number, n: number, a: number): number => (n <= a ? 1 : (n * b) / (n - a * (1 - b)));

/** Erlang C: the probability that a call waits at all. 1 when `n` ≤ `a`. */
export function erlangC(n: number, a: number): number {
  return cOfB(erlangB(n, a), n, a);
}

export interface StaffingFigures {
  agents: number;
  /** Offered traffic, erlangs. */
  erlangs: number;
  /** Probability that a call waits (Erlang C). */
  pWait: number;
  /** Average speed of answer over all calls, s; Infinity when agents ≤ erlangs. */
  asaSeconds: number;
  /** Share of calls answered within `targetSeconds`, 0–1; 0 when agents ≤ erlangs. */
  serviceLevel: number;
  targetSeconds: number;
  /** erlangs / agents, at most 1. */
  occupancy: number;
}

/** The figures for `agents` given P(wait) already known. */
function figuresOf(agents: number, a: number, ahtSeconds: number, targetSeconds: number, pWait: number): StaffingFigures {
  const stable = agents > a;
  return {
    agents,
    erlangs: a,
    pWait,
    asaSeconds: stable ? (pWait * ahtSeconds) / (agents - a) : Infinity,
    serviceLevel: stable ? 1 - pWait * Math.exp((-(agents - a) * targetSeconds) / ahtSeconds) : 0,
    targetSeconds,
    occupancy: agents === 0 ? (a === 0 ? 0 : 1) : Math.min(1, a / agents),
  };
}

/**
 * P(wait), ASA = P(wait)·AHT / (N − A), SL(t) = 1 − P(wait)·e^(−(N−A)·t/AHT) and occupancy A/N
 * for `agents` agents at `erlangs` of traffic.
 */
export function staffing(agents: number, erlangs: number, ahtSeconds: number, targetSeconds: number): StaffingFigures {
  checkTimes(ahtSeconds, targetSeconds);
  return figuresOf(agents, erlangs, ahtSeconds, targetSeconds, erlangC(agents, erlangs));
}

export interface StaffingTarget {
  erlangs: number;
  ahtSeconds: number;
  /** Share of calls to answer within `targetSeconds`, 0 < x < 1 (0.8 for 80/20). */
  serviceLevel: number;
  targetSeconds: number;
  /** Highest acceptable occupancy, 0 < x ≤ 1 (often 0.85): adds agents when the SL target alone
   * would run them hotter than this. */
  maxOccupancy?: number;
  /** Share of paid time not on the phones (breaks, training, absence), 0 ≤ x < 1: only changes
   * `scheduled`. */
  shrinkage?: number;
  /** Give up above this many agents (default 100,000). */
  maxAgents?: number;
}

export interface StaffingAnswer extends StaffingFigures {
  /** Agents to schedule so that `agents` are on the phones: ⌈agents / (1 − shrinkage)⌉. */
  scheduled: number;
  /** What set `agents`: the service level, the occupancy cap, or nothing to answer. */
  boundBy: 'serviceLevel' | 'maxOccupancy' | 'noTraffic';
}

/** Guards a ceiling against float noise (48 / 0.8 is 60.000000000000014, and needs 60). */
const ceilSafe = (x: number): number => Math.ceil(x - 1e-9);

/**
 * The smallest N > A whose SL(targetSeconds) reaches `serviceLevel` (and whose occupancy is at
 * most `maxOccupancy`, when given), with its figures. No traffic needs no agents. Null when more
 * than `maxAgents` would be needed.
 */
export function agentsNeeded(t: StaffingTarget): StaffingAnswer | null {
  const { erlangs: a, ahtSeconds, targetSeconds } = t;
  checkTimes(ahtSeconds, targetSeconds);
  if (!(a >= 0) || !Number.isFinite(a)) throw new RangeError(`agentsNeeded: erlangs must be finite and ≥ 0 (got ${a})`);
  if (!(t.serviceLevel > 0 && t.serviceLevel < 1)) throw new RangeError(`agentsNeeded: serviceLevel must be in (0, 1) (got ${t.serviceLevel}); 1 is never reached`);
  const maxOcc = t.maxOccupancy ?? 1;
  if (!(maxOcc > 0 && maxOcc <= 1)) throw new RangeError(`agentsNeeded: maxOccupancy must be in (0, 1] (got ${maxOcc})`);
  const shrinkage = t.shrinkage ?? 0;
  if (!(shrinkage >= 0 && shrinkage < 1)) throw new RangeError(`agentsNeeded: shrinkage must be in [0, 1) (got ${shrinkage})`);
  const maxAgents = t.maxAgents ?? 100_000;
  const scheduledOf = (n: number): number => ceilSafe(n / (1 - shrinkage));

  if (a === 0) return { ...figuresOf(0, 0, ahtSeconds, targetSeconds, 0), asaSeconds: 0, serviceLevel: 1, scheduled: 0, boundBy: 'noTraffic' };

  let n = Math.floor(a) + 1;
  if (n > maxAgents) return null;
  let b = erlangB(n, a);
  for (;;) {
    const f = figuresOf(n, a, ahtSeconds, targetSeconds, cOfB(b, n, a));
    if (f.serviceLevel >= t.serviceLevel) {
      const byOcc = ceilSafe(a / maxOcc);
      if (byOcc <= n) return { ...f, scheduled: scheduledOf(n), boundBy: 'serviceLevel' };
      if (byOcc > maxAgents) return null;
      return { ...staffing(byOcc, a, ahtSeconds, targetSeconds), scheduled: scheduledOf(byOcc), boundBy: 'maxOccupancy' };
    }
    if (++n > maxAgents) return null;
    b = nextB(b, n, a);
  }
}

function checkAgents(n: number, a: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`agents must be an integer ≥ 0 (got ${n})`);
  if (!(a >= 0) || !Number.isFinite(a)) throw new RangeError(`erlangs must be finite and ≥ 0 (got ${a})`);
}

function checkTimes(ahtSeconds: number, targetSeconds: number): void {
  if (!(ahtSeconds > 0) || !Number.isFinite(ahtSeconds)) throw new RangeError(`ahtSeconds must be > 0 (got ${ahtSeconds})`);
  if (!(targetSeconds >= 0) || !Number.isFinite(targetSeconds)) throw new RangeError(`targetSeconds must be ≥ 0 (got ${targetSeconds})`);
}
