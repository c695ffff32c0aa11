/**
 * QA forms and scores, pure: form validation, score validation against a form and a recording's
 * duration, and the weighted total. Weights are positive integers summing to 100 and item scores
 * integers 0–100, so the total in centi-points, Σ weight × score, is exact (0–10000; 8725 is
 * 87.25).
 */
import { badRequest } from '../../core/errors.ts';

export interface FormItem {
  id: string;
  label: string;
  weight: number;
}

export interface ItemScore {
  itemId: string;
  score: number;
}

export interface Comment {
  atMs: number;
  text: string;
}

/** BAD_REQUEST with `details.reason` `DUPLICATE_ITEM` or `WEIGHTS_NOT_100`. */
export function validateForm(items: readonly FormItem[]): void {
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.id)) throw badRequest(`items: item id ${JSON.stringify(it.id)} appears twice`, { reason: 'DUPLICATE_ITEM', itemId: it.id });
    seen.add(it.id);
    if (!Number.isInteger(it.weight) || it.weight < 1) throw badRequest(`items: the weight of ${JSON.stringify(it.id)} must be a positive integer`, { reason: 'BAD_WEIGHT', itemId: it.id });
  }
  const sum = items.reduce((s, it) => s + it.weight, 0);
  if (sum !== 100) throw badRequest(`items: the weights sum to ${sum}, not 100`, { reason: 'WEIGHTS_NOT_100', sum });
}

/**
 * Every form item scored exactly once (`UNKNOWN_ITEM`, `DUPLICATE_ITEM`, `MISSING_ITEMS`), each
 * score an integer 0–100 (`BAD_SCORE`), every comment within the recording (`COMMENT_OUT_OF_RANGE`:
 * 0 ≤ atMs ≤ durationMs). Returns the total in centi-points.
 */
export function validateScore(form: readonly FormItem[], items: readonly ItemScore[], comments: readonly Comment[], durationMs: number): number {
  const weights = new Map(form.map((f) => [f.id, f.weight]));
  const seen = new Set<string>();
  for (const s of items) {
    if (!weights.has(s.itemId)) throw badRequest(`items: ${JSON.stringify(s.itemId)} is not an item of the form`, { reason: 'UNKNOWN_ITEM', itemId: s.itemId });
    if (seen.has(s.itemId)) throw badRequest(`items: ${JSON.stringify(s.itemId)} is scored twice`, { reason: 'DUPLICATE_ITEM', itemId: s.itemId });
    seen.add(s.itemId);
    if (!Number.isInteger(s.score) || s.score < 0 || s.score > 100) throw badRequest(`items: the score of ${JSON.stringify(s.itemId)} must be an integer 0–100`, { reason: 'BAD_SCORE', itemId: s.itemId });
  }
  const missing = form.filter((f) => !seen.has(f.id)).map((f) => f.id);
  if (missing.length > 0) throw badRequest(`items: not scored: ${missing.join(', ')}`, { reason: 'MISSING_ITEMS', missing });
  comments.forEach((c, i) => {
    if (!Number.isInteger(c.atMs) || c.atMs < 0 || c.atMs > durationMs) {
      throw badRequest(`comments/${i}: atMs ${c.atMs} is outside the recording (0–${durationMs} ms)`, { reason: 'COMMENT_OUT_OF_RANGE', index: i, durationMs });
    }
  });
  return totalCenti(form, items);
}

/** Σ weight × score: the total (0–100) in centi-points. */
export function totalCenti(form: readonly FormItem[], items: readonly ItemScore[]): number {
  const weights = new Map(form.map((f) => [f.id, f.weight]));
  return items.reduce((s, it) => s + (weights.get(it.itemId) ?? 0) * it.score, 0);
}

/** Centi-points as the API's number with two decimals (8725 → 87.25). */
export const fromCenti = (centi: number): number => Math.round(centi) / 100;
