// @ts-check
/**
 * The QA queue (GET /api/v1/qa/queue?status=open): the open picks, oldest first — agent, ISO
 * week, why picked (random or flagged), who has it. Open loads the recording into the player
 * (and the scoring form scores that entry); Claim (role qa) takes an unclaimed one.
 */
import { html } from 'htm/preact';
import { tOr, useI18n } from '../i18n/index.js';

/** @typedef {import('./recordings-api.js').QaQueueEntry} QaQueueEntry */

/**
 * @param {object} props
 * @param {QaQueueEntry[] | null} props.entries null while loading
 * @param {string} props.username
 * @param {boolean} props.canClaim
 * @param {string | null} props.selectedId the recording in the player
 * @param {(e: QaQueueEntry) => void} props.onOpen
 * @param {(e: QaQueueEntry) => void} props.onClaim
 * @param {() => void} props.onReload
 */
export function QaQueue({ entries, username, canClaim, selectedId, onOpen, onClaim, onReload }) {
  const { t } = useI18n();
  return html`<section class="qa-queue" data-test="qa-queue" data-count=${entries?.length ?? ''}>
    <header class="qa-head">
      <h3>${t('recordings.qa.queueTitle')}</h3>
      <button type="button" data-test="qa-queue-reload" onClick=${onReload}>${t('recordings.qa.reload')}</button>
    </header>
    ${entries === null
      ? html`<p class="muted">${t('recordings.loading')}</p>`
      : entries.length === 0
        ? html`<p class="muted" data-test="qa-queue-empty">${t('recordings.qa.queueEmpty')}</p>`
        : html`<table class="recordings-table">
            <thead>
              <tr>
                <th>${t('recordings.col.agents')}</th>
                <th>${t('recordings.qa.week')}</th>
                <th>${t('recordings.qa.reason')}</th>
                <th>${t('recordings.qa.assignedTo')}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${entries.map(
                (e) => html`<tr
                  key=${e.id}
                  data-test="qa-entry"
                  data-entry=${e.id}
                  data-recording=${e.recordingId}
                  class=${e.recordingId === selectedId ? 'selected' : ''}
                >
                  <td>${e.agent}</td>
                  <td>${e.week}</td>
                  <td>${tOr(t, `recordings.qa.reason.${e.reason}`, e.reason)}</td>
                  <td data-test="qa-assigned">${e.assignedTo === null ? '—' : e.assignedTo === username ? t('recordings.qa.me') : e.assignedTo}</td>
                  <td class="qa-actions">
                    <button type="button" data-test="qa-open" onClick=${() => onOpen(e)}>${t('recordings.search.open')}</button>
                    ${canClaim && e.assignedTo === null && html`<button type="button" data-test="qa-claim" onClick=${() => onClaim(e)}>${t('recordings.qa.claim')}</button>`}
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}
  </section>`;
}
