/**
 * QA reports, pure, over score rows. A correction is a new row naming the row it corrects; a chain
 * A ← B ← C counts once, as its latest row (C). Rows given: those submitted in the report's window
 * plus, to know which are superseded, the ids of every row corrected by any later row.
 */

export interface ScoreRow {
  id: number;
  recordingId: string;
  agent: string;
  grader: string;
  items: { itemId: string; score: number }[];
  /** Centi-points. */
  total: number;
  corrects: number | null;
  submittedAt: number;
}

export interface AgentReport {
  agent: string;
  callsScored: number;
  averageTotal: number;
  minTotal: number;
  maxTotal: number;
  /** itemId → average score (two decimals) over the scores that have it. */
  items: Record<string, number>;
}

export interface GraderReport {
  grader: string;
  /** First scores (not corrections) submitted in the window. */
  scoresGiven: number;
  /** Average total of the grader's current (latest-of-chain) scores in the window. */
  averageTotal: number | null;
  correctionsMade: number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** The rows no other row corrects. */
export function latestOfChains(rows: readonly ScoreRow[], corrected: ReadonlySet<number>): ScoreRow[] {
  return rows.filter((r) => !corrected.has(r.id));
}

export function agentReports(rows: readonly ScoreRow[], corrected: ReadonlySet<number>): AgentReport[] {
  const by = new Map<string, ScoreRow[]>();
  for (const r of latestOfChains(rows, corrected)) by.set(r.agent, [...(by.get(r.agent) ?? []), r]);
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([agent, list]) => {
      const totals = list.map((r) => r.total);
      const sums = new Map<string, { sum: number; n: number }>();
      for (const r of list) {
        for (const it of r.items) {
          const s = sums.get(it.itemId) ?? { sum: 0, n: 0 };
          s.sum += it.score;
          s.n += 1;
          sums.set(it.itemId, s);
        }
      }
      return {
        agent,
        callsScored: list.length,
        averageTotal: round2(totals.reduce((a, b) => a + b, 0) / list.length / 100),
        minTotal: Math.min(...totals) / 100,
        maxTotal: Math.max(...totals) / 100,
        items: Object.fromEntries([...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, s]) => [id, round2(s.sum / s.n)])),
      };
    });
}

export function graderReports(rows: readonly ScoreRow[], corrected: ReadonlySet<number>): GraderReport[] {
  const latest = new Set(latestOfChains(rows, corrected).map((r) => r.id));
  const by = new Map<string, { given: number; corrections: number; totals: number[] }>();
  for (const r of rows) {
    const g = by.get(r.grader) ?? { given: 0, corrections: 0, totals: [] };
    if (r.corrects === null) g.given += 1;
    else g.corrections += 1;
    if (latest.has(r.id)) g.totals.push(r.total);
    by.set(r.grader, g);
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([grader, g]) => ({
      grader,
      scoresGiven: g.given,
      averageTotal: g.totals.length ? round2(g.totals.reduce((a, b) => a + b, 0) / g.totals.length / 100) : null,
      correctionsMade: g.corrections,
    }));
}
