// @ts-check
/**
 * The recording search as a form (GET /api/v1/recordings: agent, number, from/to, customer,
 * queue, duration min/max, tag, callId) and its results, newest first, a page at a time: the
 * API's keyset cursor (`next`) leads to the older page, the cursors of the pages seen so far lead
 * back.
 */
import { html } from 'htm/preact';
import { tOr, useI18n } from '../i18n/index.js';
import { queryOf } from './recordings-api.js';
import { dateTime, duration, isoOfLocal } from './recordings-format.js';

/** @typedef {import('./recordings-api.js').Recording} Recording */
/** @typedef {import('../i18n/index.js').MessageKey} MessageKey */

/**
 * @typedef {object} SearchFields the form's values, as typed
 * @property {string} agent
 * @property {string} number
 * @property {string} from datetime-local
 * @property {string} to datetime-local
 * @property {string} customer
 * @property {string} queue
 * @property {string} minDurationS
 * @property {string} maxDurationS
 * @property {string} tag
 * @property {string} callId
 */

/** @type {SearchFields} */
export const EMPTY_FIELDS = { agent: '', number: '', from: '', to: '', customer: '', queue: '', minDurationS: '', maxDurationS: '', tag: '', callId: '' };

/** Results per page. */
export const PAGE_SIZE = 20;

/** The search's query string (no cursor): times as ISO-8601 of the browser's clock. @param {SearchFields} f */
export function searchQuery(f) {
  return queryOf({
    agent: f.agent.trim(),
    number: f.number.replace(/[\s-]/g, ''),
    from: isoOfLocal(f.from),
    to: isoOfLocal(f.to),
    customer: f.customer.trim(),
    queue: f.queue,
    minDurationS: f.minDurationS.trim(),
    maxDurationS: f.maxDurationS.trim(),
    tag: f.tag.trim(),
    callId: f.callId.trim(),
    limit: PAGE_SIZE,
  });
}

/** @type {readonly {name: keyof SearchFields, label: MessageKey, type: string, inputmode?: string}[]} */
const TEXT_FIELDS = [
  { name: 'number', label: 'recordings.field.number', type: 'search', inputmode: 'tel' },
  { name: 'agent', label: 'recordings.field.agent', type: 'search' },
  { name: 'from', label: 'recordings.field.from', type: 'datetime-local' },
  { name: 'to', label: 'recordings.field.to', type: 'datetime-local' },
  { name: 'customer', label: 'recordings.field.customer', type: 'number' },
  { name: 'minDurationS', label: 'recordings.field.minDuration', type: 'number' },
  { name: 'maxDurationS', label: 'recordings.field.maxDuration', type: 'number' },
  { name: 'tag', label: 'recordings.field.tag', type: 'search' },
  { name: 'callId', label: 'recordings.field.callId', type: 'search' },
];

/**
 * @param {object} props
 * @param {SearchFields} props.fields
 * @param {(patch: Partial<SearchFields>) => void} props.onChange
 * @param {() => void} props.onSearch
 * @param {() => void} props.onClear
 * @param {{id: string, name: string}[]} props.queues
 * @param {boolean} props.busy
 */
export function SearchForm({ fields, onChange, onSearch, onClear, queues, busy }) {
  const { t } = useI18n();
  /** @param {Event} e */
  const submit = (e) => {
    e.preventDefault();
    onSearch();
  };
  return html`<form class="recordings-form" data-test="recordings-search" onSubmit=${submit}>
    ${TEXT_FIELDS.map(
      (f) => html`<label>
        ${t(f.label)}
        <input
          name=${f.name}
          type=${f.type}
          inputmode=${f.inputmode}
          min=${f.type === 'number' ? 0 : undefined}
          data-test=${`search-${f.name}`}
          value=${fields[f.name]}
          onInput=${(/** @type {Event} */ e) => onChange({ [f.name]: /** @type {HTMLInputElement} */ (e.currentTarget).value })}
        />
      </label>`,
    )}
    <label>
      ${t('recordings.field.queue')}
      <select name="queue" data-test="search-queue" value=${fields.queue} onChange=${(/** @type {Event} */ e) => onChange({ queue: /** @type {HTMLSelectElement} */ (e.currentTarget).value })}>
        <option value="">${t('recordings.field.anyQueue')}</option>
        ${queues.map((q) => html`<option value=${q.id}>${q.name}</option>`)}
      </select>
    </label>
    <div class="recordings-form-buttons">
      <button type="submit" data-test="search-run" disabled=${busy}>${t('recordings.search.run')}</button>
      <button type="button" data-test="search-clear" onClick=${onClear}>${t('recordings.search.clear')}</button>
    </div>
  </form>`;
}

/**
 * @param {object} props
 * @param {Recording[]} props.items
 * @param {number} props.page 0-based
 * @param {boolean} props.hasOlder
 * @param {boolean} props.busy
 * @param {string | null} props.selectedId
 * @param {(r: Recording) => void} props.onOpen
 * @param {() => void} props.onNewer
 * @param {() => void} props.onOlder
 */
export function SearchResults({ items, page, hasOlder, busy, selectedId, onOpen, onNewer, onOlder }) {
  const { t, locale } = useI18n();
  return html`<div class="recordings-results" data-test="recordings-results" data-page=${page} data-busy=${String(busy)}>
    ${items.length === 0
      ? html`<p class="muted" data-test="recordings-none">${t('recordings.search.none')}</p>`
      : html`<table class="recordings-table">
          <thead>
            <tr>
              <th>${t('recordings.col.started')}</th>
              <th>${t('recordings.col.duration')}</th>
              <th>${t('recordings.col.caller')}</th>
              <th>${t('recordings.col.callee')}</th>
              <th>${t('recordings.col.agents')}</th>
              <th>${t('recordings.col.queue')}</th>
              <th>${t('recordings.col.tags')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${items.map(
              (r) => html`<tr
                key=${r.id}
                data-test="recording-row"
                data-id=${r.id}
                data-caller=${r.caller}
                aria-selected=${String(r.id === selectedId)}
                class=${r.id === selectedId ? 'selected' : ''}
              >
                <td>${dateTime(r.startedAt, locale)}</td>
                <td class="num">${duration(r.durationMs)}</td>
                <td>${r.caller}</td>
                <td>${r.callee}</td>
                <td>${[...new Set(r.agents.map((a) => a.agentId))].join(', ') || '—'}</td>
                <td>${r.queue ?? '—'}</td>
                <td>
                  ${r.tags.join(', ')}
                  ${r.legalHold && html` <span class="hold-badge hold-on" data-test="row-hold">${t('recordings.hold.short')}</span>`}
                  ${r.paused.length > 0 && html` <span class="legend legend-paused" title=${t('recordings.player.legendPaused')}>${t('recordings.col.paused', { n: r.paused.length })}</span>`}
                  ${r.tier === 'archive' && html` <span class="muted">${tOr(t, 'recordings.tier.archive', r.tier)}</span>`}
                </td>
                <td><button type="button" data-test="recording-open" onClick=${() => onOpen(r)}>${t('recordings.search.open')}</button></td>
              </tr>`,
            )}
          </tbody>
        </table>`}
    <div class="recordings-pager">
      <button type="button" data-test="page-newer" disabled=${busy || page === 0} onClick=${onNewer}>${t('recordings.search.newer')}</button>
      <span class="muted">${t('recordings.search.page', { n: page + 1 })}</span>
      <button type="button" data-test="page-older" disabled=${busy || !hasOlder} onClick=${onOlder}>${t('recordings.search.older')}</button>
    </div>
  </div>`;
}
