/**
 * Explanations of decisions: plain data the daemon logs at debug and serves at
 * `GET /api/v1/calls/:callId/routing`. Built from the few best candidates a decision already
 * looked at, so explaining costs no extra search.
 *
 * Trade-off: only the top three candidates are kept with their keys, and `considered` is a count:
 * enough to answer "why this agent and not that one" without copying a 10,000-agent pool.
 */
import type { Explanation, ScoredCandidate } from './types.ts';

export const TOP_K = 3;

/** The name of the first key component where the winner and the runner-up differ. */
export function tieBreak(names: readonly string[], top: readonly ScoredCandidate[]): string {
  const [a, b] = top;
  if (!a || !b) return 'onlyCandidate';
  for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return names[i] ?? `key${i}`;
  return names[names.length - 1] ?? 'none';
}

/** Completes `e` (a fresh literal the caller gives up) with the winner and the tie-break. */
export function explanation(e: Omit<Explanation, 'winner' | 'tieBreak'>): Explanation {
  const x = e as Explanation;
  x.winner = e.top[0]?.id ?? '';
  x.tieBreak = tieBreak(e.keyNames, e.top);
  return x;
}
