// @ts-check
/**
 * The scoring form beside the player (qa, admin): a QA form's items (GET /api/v1/qa/forms), each
 * scored 0–100, the weighted total as it will be stored, comments at the play position, and
 * Submit (POST /api/v1/qa/scores). Opened from the QA queue it scores that entry (`queueId`: the
 * server takes the plan's form); opened from the search it is a score of its own with the chosen
 * form and, when the call had more than one agent, the agent scored. A score is final; the
 * answer's total is shown.
 */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import { submitScore } from './recordings-api.js';
import { position } from './recordings-format.js';

/** @typedef {import('./recordings-api.js').QaForm} QaForm */
/** @typedef {import('./recordings-api.js').QaQueueEntry} QaQueueEntry */
/** @typedef {import('./recordings-api.js').Recording} Recording */
/** @typedef {import('./recordings-api.js').QaScore} QaScore */

/** @param {string} v */
const scoreOf = (v) => (/^\d{1,3}$/.test(v.trim()) && Number(v) <= 100 ? Number(v) : null);

/**
 * @param {object} props
 * @param {Recording} props.recording
 * @param {QaQueueEntry | null} props.entry the queue entry being scored, if any
 * @param {QaForm[]} props.forms
 * @param {import('../api.js').Session} props.session
 * @param {number} props.currentMs the play position, for a comment
 * @param {(s: QaScore) => void} props.onScored
 * @param {(err: unknown) => string} props.describe an error as the page writes it
 */
export function QaScoring({ recording, entry, forms, session, currentMs, onScored, describe }) {
  const { t } = useI18n();
  const agents = [...new Set(recording.agents.map((a) => a.agentId))];
  // A queue pick is scored on its plan's form; anything else on the newest, which the grader may change.
  const defaultForm = () => (entry?.formId != null && forms.some((f) => f.id === entry.formId) ? entry.formId : (forms[forms.length - 1]?.id ?? null));
  const [formId, setFormId] = useState(/** @type {number | null} */ (defaultForm()));
  const [scores, setScores] = useState(/** @type {Record<string, string>} */ ({}));
  const [agent, setAgent] = useState(agents[0] ?? '');
  const [comments, setComments] = useState(/** @type {{atMs: number, text: string}[]} */ ([]));
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [done, setDone] = useState(/** @type {QaScore | null} */ (null));

  // A new recording or entry: a blank form.
  useEffect(() => {
    setScores({});
    setComments([]);
    setDraft('');
    setError(null);
    setDone(null);
    setAgent(entry?.agent ?? agents[0] ?? '');
    setFormId(defaultForm());
  }, [recording.id, entry?.id]);
  useEffect(() => {
    if (formId === null || !forms.some((f) => f.id === formId)) setFormId(defaultForm());
  }, [forms]);

  const form = forms.find((f) => f.id === formId) ?? null;
  if (forms.length === 0) {
    return html`<section class="qa-scoring" data-test="qa-scoring" data-state="noForm"><h3>${t('recordings.qa.scoreTitle')}</h3><p class="muted">${t('recordings.qa.noForms')}</p></section>`;
  }
  const values = form ? form.items.map((it) => ({ it, score: scoreOf(scores[it.id] ?? '') })) : [];
  const complete = values.length > 0 && values.every((v) => v.score !== null);
  const total = values.reduce((s, v) => s + v.it.weight * (v.score ?? 0), 0) / 100;

  const addComment = () => {
    const text = draft.trim();
    if (!text) return;
    setComments((c) => [...c, { atMs: Math.round(currentMs), text }].sort((a, b) => a.atMs - b.atMs));
    setDraft('');
  };

  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    if (!form || !complete) return;
    setBusy(true);
    setError(null);
    try {
      const items = values.map((v) => ({ itemId: v.it.id, score: /** @type {number} */ (v.score) }));
      const base = { recordingId: recording.id, items, ...(comments.length > 0 ? { comments } : {}) };
      const s = await submitScore(entry ? { ...base, queueId: entry.id } : { ...base, formId: form.id, ...(agent ? { agent } : {}) }, session.token);
      setDone(s);
      onScored(s);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return html`<section class="qa-scoring" data-test="qa-scoring" data-state="scored" data-score-id=${done.id}>
      <h3>${t('recordings.qa.scoreTitle')}</h3>
      <p data-test="qa-scored">${t('recordings.qa.scored', { total: done.total.toFixed(2), agent: done.agent })}</p>
    </section>`;
  }

  return html`<form class="qa-scoring" data-test="qa-scoring" data-state="open" onSubmit=${(/** @type {Event} */ e) => void submit(e)}>
    <h3>${t('recordings.qa.scoreTitle')}</h3>
    ${entry && html`<p class="muted" data-test="qa-scoring-entry">${t('recordings.qa.forEntry', { agent: entry.agent, week: entry.week })}</p>`}
    <div class="qa-scoring-pick">
      <label>
        ${t('recordings.qa.form')}
        <select data-test="qa-form" value=${String(formId ?? '')} onChange=${(/** @type {Event} */ e) => setFormId(Number(/** @type {HTMLSelectElement} */ (e.currentTarget).value))}>
          ${forms.map((f) => html`<option value=${String(f.id)}>${f.name} (v${f.version})</option>`)}
        </select>
      </label>
      ${!entry &&
      agents.length > 1 &&
      html`<label>
        ${t('recordings.qa.agent')}
        <select data-test="qa-agent" value=${agent} onChange=${(/** @type {Event} */ e) => setAgent(/** @type {HTMLSelectElement} */ (e.currentTarget).value)}>
          ${agents.map((a) => html`<option value=${a}>${a}</option>`)}
        </select>
      </label>`}
    </div>
    <table class="qa-items">
      <thead><tr><th>${t('recordings.qa.item')}</th><th class="num">${t('recordings.qa.weight')}</th><th class="num">${t('recordings.qa.score')}</th></tr></thead>
      <tbody>
        ${values.map(
          ({ it, score }) => html`<tr key=${it.id}>
            <td>${it.label}</td>
            <td class="num">${it.weight}</td>
            <td class="num">
              <input
                type="number"
                min="0"
                max="100"
                step="1"
                required
                data-test="qa-item"
                data-item=${it.id}
                aria-label=${it.label}
                aria-invalid=${String((scores[it.id] ?? '') !== '' && score === null)}
                value=${scores[it.id] ?? ''}
                onInput=${(/** @type {Event} */ e) => setScores((s) => ({ ...s, [it.id]: /** @type {HTMLInputElement} */ (e.currentTarget).value }))}
              />
            </td>
          </tr>`,
        )}
      </tbody>
      <tfoot><tr><th>${t('recordings.qa.total')}</th><td></td><td class="num" data-test="qa-total">${total.toFixed(2)}</td></tr></tfoot>
    </table>
    <div class="qa-comments">
      <ul>
        ${comments.map((c) => html`<li data-test="qa-comment"><span class="mono">${position(c.atMs)}</span> ${c.text}</li>`)}
      </ul>
      <input
        type="text"
        maxlength="4000"
        data-test="qa-comment-text"
        placeholder=${t('recordings.qa.commentAt', { at: position(currentMs) })}
        aria-label=${t('recordings.qa.commentAt', { at: position(currentMs) })}
        value=${draft}
        onInput=${(/** @type {Event} */ e) => setDraft(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
        onKeyDown=${(/** @type {KeyboardEvent} */ e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            addComment();
          }
        }}
      />
      <button type="button" data-test="qa-comment-add" disabled=${!draft.trim()} onClick=${addComment}>${t('recordings.qa.addComment')}</button>
    </div>
    ${error && html`<p class="error" role="alert" data-test="qa-error">${error}</p>`}
    <button type="submit" data-test="qa-submit" disabled=${busy || !complete}>${t('recordings.qa.submit')}</button>
    <span class="muted">${t('recordings.qa.final')}</span>
  </form>`;
}
