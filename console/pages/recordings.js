// @ts-check
/**
 * The Recordings page (issue 9; docs/console-recordings.md), for qa, supervisor and admin: the
 * search as a form and its results a page at a time; a recording opened (a `view` ledger row)
 * in the player — waveform, paused spans shaded, agent legs, seek by clicking, each play a `play`
 * ledger row; legal hold (supervisor, admin); the QA queue and, for qa and admin, the scoring form
 * beside the player. The API checks every role again; what is hidden here is only presentation.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import { QaQueue } from './qa-queue.js';
import { QaScoring } from './qa-scoring.js';
import { RecordingPlayer } from './recording-player.js';
import { RecordingsApiError, claimEntry, getRecording, qaForms, qaQueue, queueChoices, searchRecordings } from './recordings-api.js';
import { EMPTY_FIELDS, SearchForm, SearchResults, searchQuery } from './recordings-search.js';

/** @typedef {import('./recordings-api.js').Recording} Recording */
/** @typedef {import('./recordings-api.js').QaQueueEntry} QaQueueEntry */
/** @typedef {import('./recordings-api.js').QaForm} QaForm */
/** @typedef {import('./recordings-search.js').SearchFields} SearchFields */
/** @typedef {{items: Recording[], query: string, cursors: (string | null)[], page: number, next: string | null}} Results */

/** @param {import('./index.js').PageProps} props */
export function Recordings({ session, onAuthLost }) {
  const { t } = useI18n();
  const roles = session.user.roles;
  const canHold = roles.includes('supervisor') || roles.includes('admin');
  const canScore = roles.includes('qa') || roles.includes('admin');
  const canClaim = roles.includes('qa');

  const [fields, setFields] = useState(/** @type {SearchFields} */ (EMPTY_FIELDS));
  const [queues, setQueues] = useState(/** @type {{id: string, name: string}[]} */ ([]));
  const [results, setResults] = useState(/** @type {Results | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {{text: string, code: string} | null} */ (null));
  const [selected, setSelected] = useState(/** @type {Recording | null} */ (null));
  const [entry, setEntry] = useState(/** @type {QaQueueEntry | null} */ (null));
  const [entries, setEntries] = useState(/** @type {QaQueueEntry[] | null} */ (null));
  const [forms, setForms] = useState(/** @type {QaForm[]} */ ([]));
  const [currentMs, setCurrentMs] = useState(0);
  // Answers to an older search are dropped when a newer one was asked.
  const ask = useRef(0);

  /** An error as the page says it: the known codes in the chosen language, else the API's message. @param {unknown} err */
  const describe = (err) => {
    if (err instanceof RecordingsApiError) {
      if (err.code === 'SEARCH_TIMEOUT') return t('recordings.error.searchTimeout');
      if (err.reason === 'FILE_MISSING') return t('recordings.error.fileMissing');
      if (err.status === 403) return t('recordings.error.forbidden', { message: err.message });
      if (err.status === 404) return t('recordings.error.notFound', { message: err.message });
      return t('recordings.error.api', { code: err.code, message: err.message });
    }
    if (err instanceof TypeError) return t('recordings.error.network');
    return err instanceof Error ? err.message : String(err);
  };
  /** @param {unknown} err */
  const show = (err) => {
    if (err instanceof RecordingsApiError && err.status === 401) return onAuthLost();
    setError({ text: describe(err), code: err instanceof RecordingsApiError ? err.code : 'ERROR' });
  };

  /** One page of a query: `page` and the cursors that led to it. @param {string} query @param {(string | null)[]} cursors @param {number} page */
  const load = async (query, cursors, page) => {
    const n = ++ask.current;
    setBusy(true);
    setError(null);
    try {
      const r = await searchRecordings(query, cursors[page] ?? null, session.token);
      if (n !== ask.current) return;
      setResults({ items: r.items, query, cursors, page, next: r.next });
    } catch (err) {
      if (n === ask.current) show(err);
    } finally {
      if (n === ask.current) setBusy(false);
    }
  };

  const reloadQueue = () => qaQueue(session.token).then(setEntries, show);

  useEffect(() => {
    void load(searchQuery(EMPTY_FIELDS), [null], 0);
    queueChoices(session.token).then(setQueues, () => undefined);
    void reloadQueue();
    if (canScore) qaForms(session.token).then(setForms, show);
  }, [session.token]);

  /** @param {string} id @param {QaQueueEntry | null} e */
  const open = async (id, e) => {
    setError(null);
    try {
      const r = await getRecording(id, session.token);
      setSelected(r);
      setEntry(e);
      setCurrentMs(0);
    } catch (err) {
      show(err);
    }
  };
  /** From the results: scored as its open queue entry if there is one free to this user. @param {Recording} r */
  const openRow = (r) => void open(r.id, entries?.find((x) => x.recordingId === r.id && (x.assignedTo === null || x.assignedTo === session.user.username)) ?? null);

  /** @param {QaQueueEntry} e */
  const claim = async (e) => {
    try {
      await claimEntry(e.id, session.token);
    } catch (err) {
      show(err);
    }
    await reloadQueue();
  };

  /** @param {Recording} r */
  const changed = (r) => {
    setSelected(r);
    setResults((res) => (res ? { ...res, items: res.items.map((x) => (x.id === r.id ? r : x)) } : res));
  };

  return html`<section class="recordings" data-test="recordings-page">
    <h2>${t('page.recordings.title')}</h2>
    <${SearchForm}
      fields=${fields}
      queues=${queues}
      busy=${busy}
      onChange=${(/** @type {Partial<SearchFields>} */ p) => setFields((f) => ({ ...f, ...p }))}
      onSearch=${() => void load(searchQuery(fields), [null], 0)}
      onClear=${() => {
        setFields(EMPTY_FIELDS);
        void load(searchQuery(EMPTY_FIELDS), [null], 0);
      }}
    />
    ${error && html`<p class="error" role="alert" data-test="recordings-error" data-code=${error.code}>${error.text}</p>`}
    <div class="recordings-main">
      <div class="recordings-list">
        ${results
          ? html`<${SearchResults}
              items=${results.items}
              page=${results.page}
              hasOlder=${results.next !== null}
              busy=${busy}
              selectedId=${selected?.id ?? null}
              onOpen=${openRow}
              onNewer=${() => void load(results.query, results.cursors, results.page - 1)}
              onOlder=${() => void load(results.query, [...results.cursors.slice(0, results.page + 1), results.next], results.page + 1)}
            />`
          : html`<p class="muted">${t('recordings.loading')}</p>`}
        <${QaQueue}
          entries=${entries}
          username=${session.user.username}
          canClaim=${canClaim}
          selectedId=${selected?.id ?? null}
          onOpen=${(/** @type {QaQueueEntry} */ e) => void open(e.recordingId, e)}
          onClaim=${(/** @type {QaQueueEntry} */ e) => void claim(e)}
          onReload=${() => void reloadQueue()}
        />
      </div>
      <div class="recordings-detail">
        ${selected
          ? html`<${RecordingPlayer} recording=${selected} session=${session} canHold=${canHold} onChanged=${changed} onError=${show} onPosition=${setCurrentMs} />
              ${canScore &&
              html`<${QaScoring}
                recording=${selected}
                entry=${entry}
                forms=${forms}
                session=${session}
                currentMs=${currentMs}
                describe=${describe}
                onScored=${() => void reloadQueue()}
              />`}`
          : html`<p class="muted recordings-hint" data-test="player-empty">${t('recordings.player.none')}</p>`}
      </div>
    </div>
  </section>`;
}
