// @ts-check
/**
 * The Recordings page's HTTP side (shared/spec/recordings.md, docs/api.md): the search (keyset
 * pages), one recording (a `view` ledger row), its waveform peaks, a signed play URL for the
 * <audio> element (which cannot send the bearer header; each fetch of it is a `play` ledger row),
 * legal hold, and QA: forms, the queue, claiming, scores.
 */
import { apiFetch, HttpApiError, queryOf } from '../http.js';

// The shared helpers, under the names the Recordings page imports them by.
export { HttpApiError as RecordingsApiError, queryOf };

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

const enc = encodeURIComponent;

/** @param {string} query the filters, without cursor @param {string | null} cursor @param {string} token @returns {Promise<SearchPage>} */
export function searchRecordings(query, cursor, token) {
  const q = [query, cursor ? queryOf({ cursor }) : ''].filter(Boolean).join('&');
  return apiFetch('GET', `/api/v1/recordings${q ? `?${q}` : ''}`, token);
}

/** @param {string} id @param {string} token @returns {Promise<Recording>} */
export function getRecording(id, token) {
  return apiFetch('GET', `/api/v1/recordings/${enc(id)}`, token);
}

/** @param {string} id @param {number} points @param {string} token @returns {Promise<Peaks>} */
export function getPeaks(id, points, token) {
  return apiFetch('GET', `/api/v1/recordings/${enc(id)}/peaks?points=${points}`, token);
}

/** @param {string} id @param {string} token @returns {Promise<{url: string, expiresAt: string}>} */
export function playUrl(id, token) {
  return apiFetch('POST', `/api/v1/recordings/${enc(id)}/play-url`, token);
}

/** @param {string} id @param {boolean} hold @param {string} reason @param {string} token @returns {Promise<{id: string, legalHold: boolean}>} */
export function setLegalHold(id, hold, reason, token) {
  return apiFetch('PUT', `/api/v1/recordings/${enc(id)}/legal-hold`, token, { hold, ...(reason ? { reason } : {}) });
}

/** @param {string} token @returns {Promise<QaForm[]>} */
export async function qaForms(token) {
  return /** @type {{items: QaForm[]}} */ (await apiFetch('GET', '/api/v1/qa/forms', token)).items;
}

/** The open entries of the QA queue, oldest pick first. @param {string} token @returns {Promise<QaQueueEntry[]>} */
export async function qaQueue(token) {
  return /** @type {{items: QaQueueEntry[]}} */ (await apiFetch('GET', '/api/v1/qa/queue?status=open&limit=100', token)).items;
}

/** @param {number} id @param {string} token @returns {Promise<QaQueueEntry>} */
export function claimEntry(id, token) {
  return apiFetch('POST', `/api/v1/qa/queue/${id}/claim`, token);
}

/** @param {ScoreSubmission} s @param {string} token @returns {Promise<QaScore>} */
export function submitScore(s, token) {
  return apiFetch('POST', '/api/v1/qa/scores', token, s);
}

/** @param {string} token @returns {Promise<{id: string, name: string}[]>} */
export async function queueChoices(token) {
  return /** @type {{items: {id: string, name: string}[]}} */ (await apiFetch('GET', '/api/v1/queues', token)).items;
}
