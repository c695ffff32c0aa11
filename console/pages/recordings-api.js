// @ts-check
/**
 * The Recordings page's HTTP side (shared/spec/recordings.md, docs/api.md): the search (keyset
 * pages), one recording (a `view` ledger row), its waveform peaks, a signed play URL for the
 * <audio> element (which cannot send the bearer header; each fetch of it is a `play` ledger row),
 * legal hold, and QA: forms, the queue, claiming, scores.
 */

/**
 * @typedef {object} Recording
 * @property {string} id
 * @property {string} callId
 * @property {string} startedAt ISO-8601
 * @property {string | null} endedAt
 * @property {number | null} durationMs
 * @property {string} direction
 * @property {string} caller
 * @property {string} callee
 * @property {{agentId: string, extension: string, fromMs: number, toMs: number | null}[]} agents
 * @property {string | null} queue
 * @property {string | null} pilot
 * @property {number | null} customer
 * @property {'hot' | 'archive'} tier
 * @property {number | null} bytes
 * @property {{fromMs: number, toMs: number | null}[]} paused ms from the start
 * @property {boolean} legalHold
 * @property {string[]} tags
 */
/** @typedef {{items: Recording[], next: string | null}} SearchPage */
/** @typedef {{points: number, durationMs: number, min: number[], max: number[]}} Peaks */
/** @typedef {{id: number, name: string, items: {id: string, label: string, weight: number}[], version: number}} QaForm */
/**
 * @typedef {object} QaQueueEntry
 * @property {number} id
 * @property {string} recordingId
 * @property {number} planId
 * @property {number | null} [formId] the form its plan scores on
 * @property {string} agent
 * @property {string} week
 * @property {'random' | 'flagged'} reason
 * @property {string | null} assignedTo
 * @property {'open' | 'scored'} status
 */
/** @typedef {{id: number, recordingId: string, agent: string, grader: string, total: number}} QaScore */
/**
 * @typedef {object} ScoreSubmission
 * @property {string} recordingId
 * @property {number} [queueId]
 * @property {number} [formId]
 * @property {string} [agent]
 * @property {{itemId: string, score: number}[]} items
 * @property {{atMs: number, text: string}[]} [comments]
 */

/** An answer that is not a success: the status, the API's code and reason, its message. */
export class RecordingsApiError extends Error {
  /** @param {number} status @param {string} code @param {string | null} reason @param {string} message */
  constructor(status, code, reason, message) {
    super(message);
    this.status = status;
    this.code = code;
    this.reason = reason;
  }
}

/**
 * A query string of the values given, in order (empty ones left out).
 * @param {Record<string, string | number | null | undefined>} q
 */
export function queryOf(q) {
  const kept = /** @type {[string, string][]} */ (Object.entries(q).flatMap(([k, v]) => (v === null || v === undefined || v === '' ? [] : [[k, String(v)]])));
  return new URLSearchParams(kept).toString();
}

/** @param {Response} res @returns {Promise<never>} */
async function fail(res) {
  /** @type {{error?: {code?: string, message?: string, details?: {reason?: string, validation?: {path: string, message: string}[]}}} | null} */
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const e = body?.error;
  const why = e?.details?.validation?.map((v) => `${v.path.replace(/^\//, '')} ${v.message}`.trim()).join('; ');
  throw new RecordingsApiError(res.status, e?.code ?? `HTTP ${res.status}`, e?.details?.reason ?? null, [e?.message, why].filter(Boolean).join(': ') || res.statusText);
}

/**
 * @param {string} method @param {string} path @param {string} token @param {unknown} [body]
 * @returns {Promise<any>}
 */
async function call(method, path, token, body) {
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) return fail(res);
  return res.status === 204 ? null : res.json();
}

const enc = encodeURIComponent;

/** @param {string} query the filters, without cursor @param {string | null} cursor @param {string} token @returns {Promise<SearchPage>} */
export function searchRecordings(query, cursor, token) {
  const q = [query, cursor ? queryOf({ cursor }) : ''].filter(Boolean).join('&');
  return call('GET', `/api/v1/recordings${q ? `?${q}` : ''}`, token);
}

/** @param {string} id @param {string} token @returns {Promise<Recording>} */
export function getRecording(id, token) {
  return call('GET', `/api/v1/recordings/${enc(id)}`, token);
}

/** @param {string} id @param {number} points @param {string} token @returns {Promise<Peaks>} */
export function getPeaks(id, points, token) {
  return call('GET', `/api/v1/recordings/${enc(id)}/peaks?points=${points}`, token);
}

/** @param {string} id @param {string} token @returns {Promise<{url: string, expiresAt: string}>} */
export function playUrl(id, token) {
  return call('POST', `/api/v1/recordings/${enc(id)}/play-url`, token);
}

/** @param {string} id @param {boolean} hold @param {string} reason @param {string} token @returns {Promise<{id: string, legalHold: boolean}>} */
export function setLegalHold(id, hold, reason, token) {
  return call('PUT', `/api/v1/recordings/${enc(id)}/legal-hold`, token, { hold, ...(reason ? { reason } : {}) });
}

/** @param {string} token @returns {Promise<QaForm[]>} */
export async function qaForms(token) {
  return /** @type {{items: QaForm[]}} */ (await call('GET', '/api/v1/qa/forms', token)).items;
}

/** The open entries of the QA queue, oldest pick first. @param {string} token @returns {Promise<QaQueueEntry[]>} */
export async function qaQueue(token) {
  return /** @type {{items: QaQueueEntry[]}} */ (await call('GET', '/api/v1/qa/queue?status=open&limit=100', token)).items;
}

/** @param {number} id @param {string} token @returns {Promise<QaQueueEntry>} */
export function claimEntry(id, token) {
  return call('POST', `/api/v1/qa/queue/${id}/claim`, token);
}

/** @param {ScoreSubmission} s @param {string} token @returns {Promise<QaScore>} */
export function submitScore(s, token) {
  return call('POST', '/api/v1/qa/scores', token, s);
}

/** @param {string} token @returns {Promise<{id: string, name: string}[]>} */
export async function queueChoices(token) {
  return /** @type {{items: {id: string, name: string}[]}} */ (await call('GET', '/api/v1/queues', token)).items;
}
