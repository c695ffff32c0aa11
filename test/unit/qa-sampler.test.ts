import { describe, expect, it } from 'vitest';
import { isoWeekOf, isoWeekRange, previousIsoWeek, weeksInYear } from '../../src/recording/qa/iso-week.ts';
import { pickUniform, seededRandom } from '../../src/recording/qa/random.ts';
import { sample, type Candidate, type SamplePlan } from '../../src/recording/qa/sampler.ts';

const plan = (p: Partial<SamplePlan> = {}): SamplePlan => ({ perAgentPerWeek: 3, minDurationS: 30, queues: [], ...p });
const rec = (id: string, agent: string, o: Partial<Candidate> = {}): Candidate => ({ recordingId: id, agent, status: 'closed', durationMs: 60_000, queue: 'sales', ...o });
const many = (agent: string, n: number, o: Partial<Candidate> = {}) => Array.from({ length: n }, (_, i) => rec(`${agent}-${String(i).padStart(3, '0')}`, agent, o));

describe('ISO weeks', () => {
  it.each([
    ['2026-12-31T12:00:00Z', '2026-W53'],
    ['2027-01-01T00:00:00Z', '2026-W53'],
    ['2027-01-03T23:59:59Z', '2026-W53'],
    ['2027-01-04T00:00:00Z', '2027-W01'],
    ['2024-12-30T00:00:00Z', '2025-W01'],
    ['2021-01-03T00:00:00Z', '2020-W53'],
    ['2026-12-02T03:00:00Z', '2026-W49'],
    ['2026-01-01T00:00:00Z', '2026-W01'],
  ])('%s is in %s', (t, w) => {
    expect(isoWeekOf(Date.parse(t))).toBe(w);
  });

  it('ranges start on Monday 00:00 UTC, last 7 days, and round-trip', () => {
    const r = isoWeekRange('2026-W53')!;
    expect(new Date(r.start).toISOString()).toBe('2026-12-28T00:00:00.000Z');
    expect(new Date(r.end).toISOString()).toBe('2027-01-04T00:00:00.000Z');
    expect(isoWeekRange('2026-W54')).toBeNull();
    expect(isoWeekRange('2027-W53')).toBeNull();
    expect(isoWeekRange('2026-W00')).toBeNull();
    expect(weeksInYear(2026)).toBe(53);
    expect(weeksInYear(2025)).toBe(52);
    expect(previousIsoWeek('2027-W01')).toBe('2026-W53');
    expect(previousIsoWeek('2026-W01')).toBe('2025-W52');
    for (let t = Date.parse('2019-12-20T00:00:00Z'); t < Date.parse('2028-01-10T00:00:00Z'); t += 86_400_000 / 3) {
      const range = isoWeekRange(isoWeekOf(t))!;
      expect(t >= range.start && t < range.end).toBe(true);
    }
  });
});

describe('the sampler', () => {
  it('picks N per agent, skipping short, open and other queues', () => {
    const candidates = [...many('a1', 10), ...many('a2', 2), rec('short', 'a2', { durationMs: 29_999 }), rec('open', 'a2', { status: 'recording', durationMs: null }), rec('other', 'a2', { queue: 'support' })];
    const picks = sample({ plan: plan({ queues: ['sales'] }), candidates, picked: [], flagged: new Set(), random: seededRandom(1) });
    expect(picks.filter((p) => p.agent === 'a1')).toHaveLength(3);
    expect(picks.filter((p) => p.agent === 'a2').map((p) => p.recordingId).sort()).toEqual(['a2-000', 'a2-001']);
    expect(picks.every((p) => p.reason === 'random')).toBe(true);
    // No queue filter: "other" becomes eligible.
    const all = sample({ plan: plan({ perAgentPerWeek: 10 }), candidates, picked: [], flagged: new Set(), random: seededRandom(1) });
    expect(all.filter((p) => p.agent === 'a2').map((p) => p.recordingId).sort()).toEqual(['a2-000', 'a2-001', 'other']);
  });

  it('always takes flagged recordings, whatever N, duration or queue, and not counted towards N', () => {
    const candidates = [...many('a1', 10), rec('flag-short', 'a1', { durationMs: 1000, queue: 'support' })];
    const picks = sample({ plan: plan({ perAgentPerWeek: 1, queues: ['sales'] }), candidates, picked: [], flagged: new Set(['flag-short', 'a1-004']), random: seededRandom(7) });
    expect(picks.filter((p) => p.reason === 'flagged').map((p) => p.recordingId).sort()).toEqual(['a1-004', 'flag-short']);
    expect(picks.filter((p) => p.reason === 'random')).toHaveLength(1);
  });

  it('a recording with two agents is a candidate for each but queued once', () => {
    const candidates = [rec('shared', 'a1'), rec('shared', 'a2')];
    const picks = sample({ plan: plan({ perAgentPerWeek: 1 }), candidates, picked: [], flagged: new Set(), random: seededRandom(3) });
    expect(picks).toEqual([{ recordingId: 'shared', agent: 'a1', reason: 'random' }]);
  });

  it('is idempotent: running again tops up to N, never beyond', () => {
    const candidates = many('a1', 10);
    const first = sample({ plan: plan({ perAgentPerWeek: 3 }), candidates: candidates.slice(0, 2), picked: [], flagged: new Set(), random: seededRandom(1) });
    expect(first).toHaveLength(2);
    const second = sample({ plan: plan({ perAgentPerWeek: 3 }), candidates, picked: first, flagged: new Set(), random: seededRandom(2) });
    expect(second).toHaveLength(1);
    expect(first.map((p) => p.recordingId)).not.toContain(second[0]!.recordingId);
    const third = sample({ plan: plan({ perAgentPerWeek: 3 }), candidates, picked: [...first, ...second], flagged: new Set(), random: seededRandom(3) });
    expect(third).toEqual([]);
    // A flagged pick already queued is not taken again and does not use up N.
    const flaggedPicked = [{ recordingId: 'a1-009', agent: 'a1', reason: 'flagged' }];
    const again = sample({ plan: plan({ perAgentPerWeek: 3 }), candidates, picked: flaggedPicked, flagged: new Set(['a1-009']), random: seededRandom(4) });
    expect(again.map((p) => p.recordingId)).not.toContain('a1-009');
    expect(again).toHaveLength(3);
  });

  it('is reproducible with a seed', () => {
    const candidates = many('a1', 50);
    const a = sample({ plan: plan(), candidates, picked: [], flagged: new Set(), random: seededRandom(42) });
    const b = sample({ plan: plan(), candidates, picked: [], flagged: new Set(), random: seededRandom(42) });
    expect(a).toEqual(b);
  });

  it('is uniform without replacement: each of M recordings picked with frequency N/M within binomial bounds', () => {
    const M = 20;
    const N = 5;
    const runs = 4000;
    const candidates = many('a1', M);
    const counts = new Map<string, number>();
    const random = seededRandom(12345);
    for (let r = 0; r < runs; r++) {
      const picks = sample({ plan: plan({ perAgentPerWeek: N }), candidates, picked: [], flagged: new Set(), random });
      expect(new Set(picks.map((p) => p.recordingId)).size).toBe(N);
      for (const p of picks) counts.set(p.recordingId, (counts.get(p.recordingId) ?? 0) + 1);
    }
    const p = N / M;
    const mean = runs * p;
    const sd = Math.sqrt(runs * p * (1 - p));
    expect(counts.size).toBe(M);
    for (const c of counts.values()) expect(Math.abs(c - mean)).toBeLessThan(4.5 * sd);
    // and the chi-square over all M stays within reason (df 19: p=0.001 at 43.8)
    const chi = [...counts.values()].reduce((s, c) => s + (c - mean) ** 2 / mean, 0) * (1 / (1 - p));
    expect(chi).toBeLessThan(43.8);
  });

  it('pickUniform: pairs are uniform too (every 2-subset of 4 about 1/6)', () => {
    const random = seededRandom(9);
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const k = pickUniform(['a', 'b', 'c', 'd'], 2, random).sort().join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(4.5 * Math.sqrt(6000 * (1 / 6) * (5 / 6)));
  });
});
