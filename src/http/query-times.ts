/**
 * Instants in query strings: ISO-8601 (`2026-12-01T10:00:00Z`, `2026-12-01T10:00:00.000+08:00`,
 * or a date `2026-12-01`, taken as UTC midnight) or epoch milliseconds (`1796176800000`). Anything
 * else is `400 BAD_REQUEST` with `details: {reason: 'BAD_TIME', field}`.
 */
import { badRequest } from '../core/errors.ts';

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function parseInstant(field: string, raw: string): number {
  let t = Number.NaN;
  if (/^\d{1,15}$/.test(raw)) t = Number(raw);
  else if (ISO.test(raw)) t = Date.parse(raw);
  if (!Number.isFinite(t)) throw badRequest(`${field}: ${JSON.stringify(raw)} is not an ISO-8601 time (with its offset) or epoch milliseconds`, { reason: 'BAD_TIME', field });
  return t;
}
