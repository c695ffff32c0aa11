// @ts-check
/**
 * The HTTP API for pages: JSON with the session's bearer token, and an answer that is not a
 * success turned into an HttpApiError carrying the API's status, code, `details.reason` and
 * message (with each field a schema refused, and why). Shared by the pages' API modules
 * (pages/reports-api.js, recordings-api.js, ivr-api.js).
 */

/** An answer of the API that is not a success, with the API's own code, reason and message. */
export class HttpApiError extends Error {
  /** @param {number} status @param {string} code @param {string | null} reason @param {string} message */
  constructor(status, code, reason, message) {
    super(message);
    this.status = status;
    this.code = code;
    this.reason = reason;
  }
}

/** Throws the HttpApiError of an answer that is not a success. @param {Response} res @returns {Promise<never>} */
export async function failure(res) {
  /** @type {{error?: {code?: string, message?: string, details?: {reason?: string, validation?: {path: string, message: string}[]}}} | null} */
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const e = body?.error;
  // A query the schema refused: say which field and why.
  const why = e?.details?.validation?.map((v) => `${v.path.replace(/^\//, '')} ${v.message}`.trim()).join('; ');
  throw new HttpApiError(res.status, e?.code ?? `HTTP ${res.status}`, e?.details?.reason ?? null, [e?.message, why].filter(Boolean).join(': ') || res.statusText);
}

/**
 * A request with the token; the JSON answer (null for 204), or the HttpApiError.
 * @param {string} method @param {string} path @param {string} token @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function apiFetch(method, path, token, body) {
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) return failure(res);
  return res.status === 204 ? null : res.json();
}

/**
 * A query string of the defined values, in order (empty ones left out).
 * @param {Record<string, string | number | null | undefined>} q
 */
export function queryOf(q) {
  const kept = /** @type {[string, string][]} */ (Object.entries(q).flatMap(([k, v]) => (v === null || v === undefined || v === '' ? [] : [[k, String(v)]])));
  return new URLSearchParams(kept).toString();
}

/** A date input's value (`YYYY-MM-DD`) of a local day. @param {Date} d */
export function dateInputValue(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
