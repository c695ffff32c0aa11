/**
 * The one catalogue of client-facing error codes (ws-api.md "Error codes"). Every failing request
 * gets exactly one of these. Expected outcomes ("no agent ready") are values, not errors; this is
 * for requests that cannot be carried out.
 *
 * Extensions to the contract's list, documented in docs/api.md ("Error codes", marked ➕):
 * `SEARCH_TIMEOUT` (HTTP 503), a recording search that did not answer within its time and was
 * cancelled; the caller may retry, better with narrower filters. Only the HTTP recording search
 * raises it; no WebSocket op does.
 */

export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNKNOWN_OP',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_STATE',
  'CONFLICT',
  'TOO_LARGE',
  'PBX_UNAVAILABLE',
  'PBX_REJECTED',
  'RATE_LIMITED',
  'INTERNAL',
  'SEARCH_TIMEOUT',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (msg: string, details?: Record<string, unknown>) => new AppError('BAD_REQUEST', msg, details);
export const notFound = (msg: string) => new AppError('NOT_FOUND', msg);
export const invalidState = (msg: string) => new AppError('INVALID_STATE', msg);
export const forbidden = (msg: string) => new AppError('FORBIDDEN', msg);
export const conflict = (msg: string) => new AppError('CONFLICT', msg);
export const tooLarge = (msg: string) => new AppError('TOO_LARGE', msg);

/** HTTP status for each code, for the HTTP API. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNKNOWN_OP: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  CONFLICT: 409,
  TOO_LARGE: 413,
  PBX_UNAVAILABLE: 503,
  PBX_REJECTED: 502,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SEARCH_TIMEOUT: 503,
};
