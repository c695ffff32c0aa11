// @ts-check
/**
 * The IVR page's voicemail list (docs/console-ivr-routing.md): `GET /api/v1/voicemail` with its
 * filters (mailbox, a period of local days) and keyset paging (older: the page's `nextCursor`;
 * newer: the cursors of the pages seen, kept in a stack), and playback. An <audio> element sends
 * no Authorization header, so Play asks `POST /api/v1/voicemail/:id/play-url` for a URL signed for
 * this user (valid 5 minutes) and plays that.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import { dateInputValue, duration, localTime, periodRange, voicemailPlayUrl, voicemails } from './ivr-api.js';

/** @typedef {import('./ivr-api.js').Voicemail} Voicemail */
/** @typedef {import('../i18n/index.js').MessageKey} MessageKey */
/** @typedef {'any' | import('./ivr-api.js').PeriodKind} VoicemailPeriod */

export const PAGE_SIZE = 20;
/** @type {readonly VoicemailPeriod[]} */
const PERIODS = ['any', 'today', 'yesterday', 'last7', 'custom'];

/**
 * @typedef {object} Filters
 * @property {string} mailbox
 * @property {VoicemailPeriod} period
 * @property {string} fromDate
 * @property {string} toDate
 */

/** @param {{session: import('../api.js').Session, report: (err: unknown, set: (m: string) => void) => void}} props */
export function VoicemailList({ session, report }) {
  const { t } = useI18n();
  const today = dateInputValue(new Date());
  const [filters, setFilters] = useState(/** @type {Filters} */ ({ mailbox: '', period: 'any', fromDate: today, toDate: today }));
  // The filters of the list shown (paging keeps them while the form is edited).
  const [shown, setShown] = useState(/** @type {Filters | null} */ (null));
  const [page, setPage] = useState(/** @type {{items: Voicemail[], nextCursor: string | null} | null} */ (null));
  // Cursors of the pages before the one shown (null: the first page).
  const [back, setBack] = useState(/** @type {(string | null)[]} */ ([]));
  const [cursor, setCursor] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [playing, setPlaying] = useState(/** @type {{id: number, url: string} | null} */ (null));
  const ask = useRef(0);

  /** @param {Filters} f @param {string | null} c @param {(string | null)[]} stack */
  const load = async (f, c, stack) => {
    let range = null;
    if (f.period !== 'any') {
      range = periodRange(f.period, f.fromDate, f.toDate);
      if (!range) return setError(t('ivr.error.period'));
    }
    const n = ++ask.current;
    try {
      // `to` is inclusive in this API: the last millisecond of the last day.
      const p = await voicemails({ mailbox: f.mailbox.trim() || undefined, from: range?.from, to: range ? range.to - 1 : undefined, limit: PAGE_SIZE, cursor: c }, session.token);
      if (n !== ask.current) return;
      setPage(p);
      setShown(f);
      setCursor(c);
      setBack(stack);
      setError(null);
    } catch (err) {
      if (n === ask.current) report(err, setError);
    }
  };
  useEffect(() => void load(filters, null, []), [session.token]);

  /** @param {Voicemail} v */
  const play = async (v) => {
    try {
      const { url } = await voicemailPlayUrl(v.id, session.token);
      setPlaying({ id: v.id, url });
      setError(null);
    } catch (err) {
      report(err, setError);
    }
  };

  /** @param {Partial<Filters>} patch */
  const change = (patch) => setFilters((f) => ({ ...f, ...patch }));

  return html`<section class="ivr-section" data-test="voicemail">
    <div class="ivr-head">
      <h3>${t('ivr.voicemail.title')}</h3>
      <button type="button" data-test="voicemail-refresh" onClick=${() => shown && void load(shown, null, [])}>${t('ivr.refresh')}</button>
    </div>
    <form
      class="report-form"
      data-test="voicemail-form"
      onSubmit=${(/** @type {Event} */ e) => {
        e.preventDefault();
        void load(filters, null, []);
      }}
    >
      <label
        >${t('ivr.voicemail.mailbox')}
        <input name="mailbox" data-test="voicemail-mailbox" inputmode="numeric" pattern="[0-9*#+]*" maxlength="32" placeholder=${t('ivr.voicemail.mailbox.all')} value=${filters.mailbox} onInput=${(/** @type {any} */ e) => change({ mailbox: e.currentTarget.value })} />
      </label>
      <label
        >${t('ivr.period')}
        <select name="period" data-test="voicemail-period" value=${filters.period} onChange=${(/** @type {any} */ e) => change({ period: e.currentTarget.value })}>
          ${PERIODS.map((p) => html`<option key=${p} value=${p}>${t(/** @type {MessageKey} */ (`ivr.period.${p}`))}</option>`)}
        </select>
      </label>
      ${filters.period === 'custom' &&
      html`<label>${t('ivr.from')} <input type="date" name="from" data-test="voicemail-from" value=${filters.fromDate} onInput=${(/** @type {any} */ e) => change({ fromDate: e.currentTarget.value })} /></label>
        <label>${t('ivr.to')} <input type="date" name="to" data-test="voicemail-to" value=${filters.toDate} onInput=${(/** @type {any} */ e) => change({ toDate: e.currentTarget.value })} /></label>`}
      <button type="submit" data-test="voicemail-search">${t('ivr.show')}</button>
    </form>
    ${error && html`<p class="error" role="alert" data-test="voicemail-error">${t('ivr.error', { message: error })}</p>`}
    ${playing &&
    html`<div class="voicemail-player" data-test="voicemail-player">
      <span>${t('ivr.voicemail.playing', { id: playing.id })}</span>
      <audio key=${playing.url} data-test="voicemail-audio" data-voicemail=${playing.id} src=${playing.url} controls autoplay preload="auto"></audio>
    </div>`}
    ${page &&
    html`${page.items.length === 0
        ? html`<p class="muted" data-test="voicemail-empty">${t('ivr.voicemail.none')}</p>`
        : html`<table class="report voicemail-table" data-test="voicemail-table">
            <thead>
              <tr>
                <th>${t('ivr.voicemail.recordedAt')}</th>
                <th>${t('ivr.voicemail.caller')}</th>
                <th>${t('ivr.voicemail.mailbox')}</th>
                <th>${t('ivr.voicemail.flow')}</th>
                <th>${t('ivr.voicemail.duration')}</th>
                <th>${t('ivr.voicemail.listen')}</th>
              </tr>
            </thead>
            <tbody>
              ${page.items.map(
                (v) => html`<tr key=${v.id} data-test="voicemail-row" data-voicemail=${v.id} data-caller=${v.caller} data-mailbox=${v.mailbox} class=${playing?.id === v.id ? 'playing' : ''}>
                  <td class="text" title=${v.recordedAt}>${localTime(v.recordedAt)}</td>
                  <td class="text data">${v.caller}</td>
                  <td class="text data">${v.mailbox}</td>
                  <td class="text data">${v.flow}</td>
                  <td class="num">${duration(v.durationMs)}</td>
                  <td><button type="button" data-test="voicemail-play" onClick=${() => void play(v)}>${t('ivr.voicemail.play')}</button></td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      <div class="pager">
        <button type="button" data-test="voicemail-newer" disabled=${back.length === 0} onClick=${() => shown && void load(shown, back[back.length - 1] ?? null, back.slice(0, -1))}>${t('ivr.voicemail.newer')}</button>
        <button type="button" data-test="voicemail-older" disabled=${!page.nextCursor} onClick=${() => shown && page.nextCursor && void load(shown, page.nextCursor, [...back, cursor])}>${t('ivr.voicemail.older')}</button>
      </div>`}
  </section>`;
}
