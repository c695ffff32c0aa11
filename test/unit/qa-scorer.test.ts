import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { agentReports, graderReports, type ScoreRow } from '../../src/recording/qa/reports.ts';
import { fromCenti, totalCenti, validateForm, validateScore } from '../../src/recording/qa/scorer.ts';

const form = [
  { id: 'greet', label: 'Greeting', weight: 20 },
  { id: 'solve', label: 'Solved it', weight: 50 },
  { id: 'close', label: 'Closing', weight: 30 },
];

function reasonOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_REQUEST');
    return (err as AppError).details?.reason;
  }
  throw new Error('did not throw');
}

describe('forms', () => {
  it('weights must be positive integers summing to 100, ids unique', () => {
    expect(() => validateForm(form)).not.toThrow();
    expect(reasonOf(() => validateForm([{ id: 'a', label: 'A', weight: 99 }]))).toBe('WEIGHTS_NOT_100');
    expect(reasonOf(() => validateForm([...form.slice(0, 2), { id: 'greet', label: 'x', weight: 30 }]))).toBe('DUPLICATE_ITEM');
    expect(reasonOf(() => validateForm([{ id: 'a', label: 'A', weight: 0 }, { id: 'b', label: 'B', weight: 100 }]))).toBe('BAD_WEIGHT');
  });
});

describe('scores', () => {
  it('total = Σ weight × score / 100, exact in centi-points', () => {
    const items = [
      { itemId: 'greet', score: 100 },
      { itemId: 'solve', score: 75 },
      { itemId: 'close', score: 33 },
    ];
    // 20 + 37.5 + 9.9 = 67.4
    expect(totalCenti(form, items)).toBe(6740);
    expect(fromCenti(6740)).toBe(67.4);
    expect(validateScore(form, items, [{ atMs: 0, text: 'hi' }, { atMs: 60_000, text: 'end' }], 60_000)).toBe(6740);
    expect(totalCenti(form, form.map((f) => ({ itemId: f.id, score: 100 })))).toBe(10_000);
    expect(totalCenti(form, form.map((f) => ({ itemId: f.id, score: 0 })))).toBe(0);
    expect(fromCenti(totalCenti([{ id: 'a', label: 'A', weight: 33 }, { id: 'b', label: 'B', weight: 67 }], [{ itemId: 'a', score: 1 }, { itemId: 'b', score: 0 }]))).toBe(0.33);
  });

  it('every item exactly once, scores 0–100, comments within the recording', () => {
    const ok = form.map((f) => ({ itemId: f.id, score: 50 }));
    expect(reasonOf(() => validateScore(form, ok.slice(1), [], 1000))).toBe('MISSING_ITEMS');
    expect(reasonOf(() => validateScore(form, [...ok, { itemId: 'greet', score: 1 }], [], 1000))).toBe('DUPLICATE_ITEM');
    expect(reasonOf(() => validateScore(form, [...ok, { itemId: 'nope', score: 1 }], [], 1000))).toBe('UNKNOWN_ITEM');
    expect(reasonOf(() => validateScore(form, [{ itemId: 'greet', score: 101 }, ...ok.slice(1)], [], 1000))).toBe('BAD_SCORE');
    expect(reasonOf(() => validateScore(form, ok, [{ atMs: 1001, text: 'late' }], 1000))).toBe('COMMENT_OUT_OF_RANGE');
    expect(reasonOf(() => validateScore(form, ok, [{ atMs: -1, text: 'early' }], 1000))).toBe('COMMENT_OUT_OF_RANGE');
  });
});

describe('reports', () => {
  const row = (id: number, agent: string, grader: string, total: number, items: [string, number][], corrects: number | null = null): ScoreRow => ({
    id,
    recordingId: `r${id}`,
    agent,
    grader,
    total,
    items: items.map(([itemId, score]) => ({ itemId, score })),
    corrects,
    submittedAt: id,
  });
  const rows = [
    row(1, 'a1', 'qa1', 8000, [['x', 80], ['y', 80]]),
    row(2, 'a1', 'qa1', 5000, [['x', 40], ['y', 60]]),
    row(3, 'a2', 'qa2', 9050, [['x', 90], ['y', 91]]),
    // 4 corrects 2, 5 corrects 4: the chain 2 ← 4 ← 5 counts once, as 5.
    row(4, 'a1', 'qa1', 6000, [['x', 60], ['y', 60]], 2),
    row(5, 'a1', 'admin', 7033, [['x', 70], ['y', 71]], 4),
  ];
  const corrected = new Set([2, 4]);

  it('per agent: latest of each chain, average/min/max total and per item averages', () => {
    expect(agentReports(rows, corrected)).toEqual([
      { agent: 'a1', callsScored: 2, averageTotal: 75.17, minTotal: 70.33, maxTotal: 80, items: { x: 75, y: 75.5 } },
      { agent: 'a2', callsScored: 1, averageTotal: 90.5, minTotal: 90.5, maxTotal: 90.5, items: { x: 90, y: 91 } },
    ]);
  });

  it('per grader: scores given, average of their current scores, corrections made', () => {
    expect(graderReports(rows, corrected)).toEqual([
      { grader: 'admin', scoresGiven: 0, averageTotal: 70.33, correctionsMade: 1 },
      { grader: 'qa1', scoresGiven: 2, averageTotal: 80, correctionsMade: 1 },
      { grader: 'qa2', scoresGiven: 1, averageTotal: 90.5, correctionsMade: 0 },
    ]);
  });
});
