// @ts-check
/**
 * The Routing page (issue 9; docs/console-ivr-routing.md), for supervisors and admins: why a call
 * went where it went. Find the call by its id, or by number, agent, queue and day
 * (`GET /api/v1/calls`); then `GET /api/v1/calls/:callId/routing` lists every decision the ACD
 * made about it, each in words (routing-explain.js), with the candidates it compared and the raw
 * JSON for engineers. The call to explain is kept in the address (`#/routing/<callId>`), so a
 * link to it can be passed on.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { tOr, useI18n } from '../i18n/index.js';
import { ApiError, apiGet, dateInputValue, duration, localMidnight, localTime, queryOf } from './ivr-api.js';
import { DecisionView } from './routing-explain.js';

/** @typedef {import('./routing-explain.js').Decision} Decision */
/**
 * @typedef {object} CallRow `GET /api/v1/calls` (src/storage/repositories/calls.ts)
 * @property {string} id
 * @property {string} direction
 * @property {string} fromNumber
 * @property {string} toNumber
 * @property {string} dialledNumber
 * @property {string | null} queueId
 * @property {string[]} agents
 * @property {string | null} firstAgent
 * @property {number} offeredAt
 * @property {number | null} answeredAt
 * @property {number | null} waitMs
 * @property {string | null} outcome
 */
/** @typedef {{callId: string, queue: string | null, waiting: {queue: string, position: number, estimatedWaitS: number | null} | null, decisions: Decision[]}} Routing */
/** @typedef {{callId: string, number: string, agent: string, queue: string, day: string}} Form */

const callFromHash = () => decodeURIComponent(location.hash.replace(/^#\/?routing\/?/, '').split('/')[0] ?? '');

/** @param {import('./index.js').PageProps} props */
export function Routing({ session, onAuthLost }) {
  const { t } = useI18n();
  const [form, setForm] = useState(/** @type {Form} */ ({ callId: '', number: '', agent: '', queue: '', day: dateInputValue(new Date()) }));
  const [calls, setCalls] = useState(/** @type {CallRow[] | null} */ (null));
  const [routing, setRouting] = useState(/** @type {Routing | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);
  const ask = useRef(0);

  /** @param {unknown} err */
  const show = (err) => {
    if (err instanceof ApiError && err.status === 401) return onAuthLost();
    setError(err instanceof ApiError && err.status === 404 ? t('routing.error.noCall') : err instanceof Error ? err.message : String(err));
  };

  /** @template T @param {() => Promise<T>} fn @param {(v: T) => void} done */
  const request = async (fn, done) => {
    const n = ++ask.current;
    setBusy(true);
    try {
      const v = await fn();
      if (n !== ask.current) return;
      done(v);
      setError(null);
    } catch (err) {
      if (n === ask.current) show(err);
    } finally {
      if (n === ask.current) setBusy(false);
    }
  };

  /** @param {string} callId */
  const explain = (callId) => request(() => apiGet(`/api/v1/calls/${encodeURIComponent(callId)}/routing`, session.token), (/** @type {Routing} */ r) => setRouting(r));

  // The call named in the address: explained when the page opens and when the address changes.
  useEffect(() => {
    const fromHash = () => {
      const id = callFromHash();
      if (id) void explain(id);
      else setRouting(null);
    };
    fromHash();
    addEventListener('hashchange', fromHash);
    return () => removeEventListener('hashchange', fromHash);
  }, [session.token]);

  /** @param {string} callId */
  const open = (callId) => {
    const hash = `#/routing/${encodeURIComponent(callId)}`;
    if (location.hash === hash) void explain(callId);
    else location.hash = hash;
  };

  /** @param {Event} ev */
  const find = (ev) => {
    ev.preventDefault();
    if (form.callId.trim()) return open(form.callId.trim());
    const from = localMidnight(form.day);
    if (!Number.isFinite(from)) return setError(t('routing.error.day'));
    const q = queryOf({ number: form.number.trim(), agent: form.agent.trim(), queue: form.queue.trim(), from: new Date(from).toISOString(), to: new Date(localMidnight(form.day, 1)).toISOString(), limit: 100 });
    void request(() => apiGet(`/api/v1/calls?${q}`, session.token), (/** @type {{calls: CallRow[]}} */ r) => setCalls(r.calls));
  };

  /** @param {Partial<Form>} patch */
  const change = (patch) => setForm((f) => ({ ...f, ...patch }));

  return html`<section class="routing" data-test="routing">
    <h2>${t('page.routing.title')}</h2>
    <p class="muted">${t('routing.intro')}</p>
    <form class="report-form" data-test="routing-form" onSubmit=${find}>
      <label>${t('routing.form.callId')} <input name="callId" data-test="routing-call-id" maxlength="64" value=${form.callId} onInput=${(/** @type {any} */ e) => change({ callId: e.currentTarget.value })} /></label>
      <span class="or">${t('routing.form.or')}</span>
      <label>${t('routing.form.number')} <input name="number" data-test="routing-number" maxlength="32" value=${form.number} onInput=${(/** @type {any} */ e) => change({ number: e.currentTarget.value })} /></label>
      <label>${t('routing.form.agent')} <input name="agent" data-test="routing-agent" maxlength="64" value=${form.agent} onInput=${(/** @type {any} */ e) => change({ agent: e.currentTarget.value })} /></label>
      <label>${t('routing.form.queue')} <input name="queue" data-test="routing-queue" maxlength="64" value=${form.queue} onInput=${(/** @type {any} */ e) => change({ queue: e.currentTarget.value })} /></label>
      <label>${t('routing.form.day')} <input type="date" name="day" data-test="routing-day" value=${form.day} onInput=${(/** @type {any} */ e) => change({ day: e.currentTarget.value })} /></label>
      <button type="submit" data-test="routing-find" disabled=${busy}>${t('routing.form.find')}</button>
    </form>
    ${error && html`<p class="error" role="alert" data-test="routing-error">${t('routing.error', { message: error })}</p>`}
    ${calls && html`<${CallList} calls=${calls} selected=${routing?.callId ?? null} onOpen=${open} />`}
    ${routing && html`<${RoutingView} key=${routing.callId} routing=${routing} />`}
  </section>`;
}

/** @param {{calls: CallRow[], selected: string | null, onOpen: (id: string) => void}} props */
function CallList({ calls, selected, onOpen }) {
  const { t } = useI18n();
  if (!calls.length) return html`<p class="muted" data-test="routing-no-calls">${t('routing.calls.none')}</p>`;
  return html`<table class="report routing-calls" data-test="routing-calls">
    <thead>
      <tr>
        <th>${t('routing.calls.offeredAt')}</th>
        <th>${t('routing.calls.from')}</th>
        <th>${t('routing.calls.to')}</th>
        <th>${t('routing.calls.queue')}</th>
        <th>${t('routing.calls.agents')}</th>
        <th>${t('routing.calls.wait')}</th>
        <th>${t('routing.calls.outcome')}</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${calls.map(
        (c) => html`<tr key=${c.id} data-test="routing-call" data-call=${c.id} data-from=${c.fromNumber} class=${c.id === selected ? 'selected' : ''}>
          <td class="text" title=${new Date(c.offeredAt).toISOString()}>${localTime(c.offeredAt)}</td>
          <td class="text">${c.fromNumber}</td>
          <td class="text">${c.dialledNumber || c.toNumber}</td>
          <td class="text">${c.queueId ?? '—'}</td>
          <td class="text">${c.agents.length ? c.agents.join(', ') : '—'}</td>
          <td class="num">${duration(c.waitMs)}</td>
          <td class="text">${c.outcome === null ? t('routing.calls.inProgress') : tOr(t, `routing.outcome.${c.outcome}`, c.outcome)}</td>
          <td><button type="button" data-test="routing-explain" onClick=${() => onOpen(c.id)}>${t('routing.calls.explain')}</button></td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** @param {{routing: Routing}} props */
function RoutingView({ routing }) {
  const { t } = useI18n();
  const w = routing.waiting;
  return html`<section class="routing-result" data-test="routing-result" data-call=${routing.callId}>
    <h3>${t('routing.result.title', { callId: routing.callId })}</h3>
    <p>
      ${routing.queue ? t('routing.result.queue', { queue: routing.queue }) : t('routing.result.noQueue')}
      ${w && html` <span data-test="routing-waiting">${t('routing.result.waiting', { queue: w.queue, position: w.position, wait: w.estimatedWaitS === null ? t('routing.result.unknown') : duration(w.estimatedWaitS * 1000) })}</span>`}
    </p>
    ${routing.decisions.length === 0
      ? html`<p class="muted" data-test="routing-no-decisions">${t('routing.result.none')}</p>`
      : html`<ol class="decisions" data-test="decisions">
          ${routing.decisions.map((d, i) => html`<${DecisionView} key=${i} decision=${d} />`)}
        </ol>`}
  </section>`;
}
