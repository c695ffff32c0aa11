// @ts-check
/**
 * The IVR page (issue 9; docs/console-ivr-routing.md), for admins and supervisors: the flows with
 * the version serving and their state (`GET /api/v1/ivr/flows`); the statistics of a period and
 * interval per flow and node (`GET /api/v1/ivr/stats`) as tables and bar charts; the voicemail
 * list with playback (voicemail.js). Figures are asked for when the page opens and on "Show":
 * the API has no event for them, and the page does not poll.
 */
import { html } from 'htm/preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ChartView } from '../components/chart.js';
import { tOr, useI18n } from '../i18n/index.js';
import { ApiError, OUTCOMES, dateInputValue, duration, ivrFlows, ivrStats, localTime, periodRange } from './ivr-api.js';
import { VoicemailList } from './voicemail.js';

/** @typedef {import('./ivr-api.js').FlowStatus} FlowStatus */
/** @typedef {import('./ivr-api.js').FlowStats} FlowStats */
/** @typedef {import('./ivr-api.js').IvrStats} IvrStats */
/** @typedef {import('./ivr-api.js').PeriodKind} PeriodKind */
/** @typedef {import('../i18n/index.js').MessageKey} MessageKey */

/** @type {readonly PeriodKind[]} */
export const PERIODS = ['today', 'yesterday', 'last7', 'custom'];
const INTERVALS = ['15m', '1h', '1d'];
/** Counts: whole numbers only (the axis's fractional ticks stay unlabelled). */
const countFormat = (/** @type {number} */ v) => (Number.isInteger(v) ? String(v) : '');

/** @param {import('./index.js').PageProps} props */
export function Ivr({ session, onAuthLost }) {
  const { t } = useI18n();
  const [flows, setFlows] = useState(/** @type {FlowStatus[] | null} */ (null));
  const [flowsError, setFlowsError] = useState(/** @type {string | null} */ (null));

  /** @param {unknown} err @param {(m: string) => void} set */
  const report = (err, set) => {
    if (err instanceof ApiError && err.status === 401) return onAuthLost();
    set(err instanceof Error ? err.message : String(err));
  };

  const loadFlows = () => {
    ivrFlows(session.token).then(
      (f) => {
        setFlows(f);
        setFlowsError(null);
      },
      (err) => report(err, setFlowsError),
    );
  };
  useEffect(loadFlows, [session.token]);

  return html`<section class="ivr" data-test="ivr">
    <h2>${t('page.ivr.title')}</h2>
    <section class="ivr-section" data-test="ivr-flows">
      <div class="ivr-head">
        <h3>${t('ivr.flows.title')}</h3>
        <button type="button" data-test="flows-refresh" onClick=${loadFlows}>${t('ivr.refresh')}</button>
      </div>
      ${flowsError && html`<p class="error" role="alert" data-test="flows-error">${t('ivr.error', { message: flowsError })}</p>`}
      ${flows && html`<${FlowTable} flows=${flows} />`}
    </section>
    <${IvrStatistics} session=${session} flows=${flows} report=${report} />
    <${VoicemailList} session=${session} report=${report} />
  </section>`;
}

/** @param {{flows: FlowStatus[]}} props */
function FlowTable({ flows }) {
  const { t } = useI18n();
  if (!flows.length) return html`<p class="muted" data-test="flows-empty">${t('ivr.flows.none')}</p>`;
  return html`<table class="report ivr-flows">
    <thead>
      <tr>
        <th>${t('ivr.flows.flow')}</th>
        <th>${t('ivr.flows.version')}</th>
        <th>${t('ivr.flows.status')}</th>
        <th>${t('ivr.flows.loadedAt')}</th>
        <th>${t('ivr.flows.file')}</th>
        <th>${t('ivr.flows.problems')}</th>
      </tr>
    </thead>
    <tbody>
      ${flows.map(
        (f) => html`<tr key=${f.id} data-test="flow-row" data-flow=${f.id} data-version=${f.version ?? ''} data-status=${f.status}>
          <td class="text data">${f.id}</td>
          <td class="num" data-col="version">${f.version === null ? '—' : t('ivr.flows.versionN', { n: f.version })}</td>
          <td class=${`text flow-status flow-status-${f.status}`}>${tOr(t, `ivr.flows.status.${f.status}`, f.status)}</td>
          <td class="text">${f.loadedAt === null ? '—' : localTime(f.loadedAt)}</td>
          <td class="text muted">${f.file}</td>
          <td class="text">
            ${f.problems.length === 0
              ? '—'
              : html`<details>
                  <summary>${t('ivr.flows.problemCount', { n: f.problems.length })}</summary>
                  <ul class="flow-problems">
                    ${f.problems.map((p, i) => html`<li key=${i}><code>${p.code ?? ''}</code> ${p.message ?? ''}</li>`)}
                  </ul>
                </details>`}
          </td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/**
 * @typedef {object} StatsForm
 * @property {string} flow '' = every flow
 * @property {PeriodKind} period
 * @property {string} fromDate
 * @property {string} toDate
 * @property {string} interval
 */

/** @param {{session: import('../api.js').Session, flows: FlowStatus[] | null, report: (err: unknown, set: (m: string) => void) => void}} props */
function IvrStatistics({ session, flows, report }) {
  const { t } = useI18n();
  const today = dateInputValue(new Date());
  const [form, setForm] = useState(/** @type {StatsForm} */ ({ flow: '', period: 'today', fromDate: today, toDate: today, interval: '1h' }));
  const [stats, setStats] = useState(/** @type {IvrStats | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);
  const ask = useRef(0);

  /** @param {Partial<StatsForm>} patch */
  const change = (patch) => setForm((f) => ({ ...f, ...patch }));

  const run = async () => {
    const range = periodRange(form.period, form.fromDate, form.toDate);
    if (!range) return setError(t('ivr.error.period'));
    const n = ++ask.current;
    setBusy(true);
    try {
      const s = await ivrStats({ ...(form.flow ? { flow: form.flow } : {}), from: range.from, to: range.to, interval: form.interval }, session.token);
      if (n !== ask.current) return;
      setStats(s);
      setError(null);
    } catch (err) {
      if (n === ask.current) report(err, setError);
    } finally {
      if (n === ask.current) setBusy(false);
    }
  };
  useEffect(() => void run(), [session.token]);

  return html`<section class="ivr-section" data-test="ivr-stats">
    <h3>${t('ivr.stats.title')}</h3>
    <form
      class="report-form"
      data-test="stats-form"
      onSubmit=${(/** @type {Event} */ e) => {
        e.preventDefault();
        void run();
      }}
    >
      <label
        >${t('ivr.stats.flow')}
        <select name="flow" data-test="stats-flow" value=${form.flow} onChange=${(/** @type {any} */ e) => change({ flow: e.currentTarget.value })}>
          <option value="">${t('ivr.stats.flow.all')}</option>
          ${(flows ?? []).map((f) => html`<option key=${f.id} value=${f.id} class="data">${f.id}</option>`)}
        </select>
      </label>
      <label
        >${t('ivr.period')}
        <select name="period" data-test="stats-period" value=${form.period} onChange=${(/** @type {any} */ e) => change({ period: e.currentTarget.value })}>
          ${PERIODS.map((p) => html`<option key=${p} value=${p}>${t(/** @type {MessageKey} */ (`ivr.period.${p}`))}</option>`)}
        </select>
      </label>
      ${form.period === 'custom' &&
      html`<label>${t('ivr.from')} <input type="date" name="from" data-test="stats-from" value=${form.fromDate} onInput=${(/** @type {any} */ e) => change({ fromDate: e.currentTarget.value })} /></label>
        <label>${t('ivr.to')} <input type="date" name="to" data-test="stats-to" value=${form.toDate} onInput=${(/** @type {any} */ e) => change({ toDate: e.currentTarget.value })} /></label>`}
      <label
        >${t('ivr.stats.interval')}
        <select name="interval" data-test="stats-interval" value=${form.interval} onChange=${(/** @type {any} */ e) => change({ interval: e.currentTarget.value })}>
          ${INTERVALS.map((i) => html`<option key=${i} value=${i}>${t(/** @type {MessageKey} */ (`ivr.interval.${i}`))}</option>`)}
        </select>
      </label>
      <button type="submit" data-test="stats-run" disabled=${busy}>${busy ? t('ivr.loading') : t('ivr.show')}</button>
    </form>
    ${error && html`<p class="error" role="alert" data-test="stats-error">${t('ivr.error', { message: error })}</p>`}
    ${stats &&
    html`<div data-test="stats-result" data-from=${stats.from} data-to=${stats.to} data-interval=${stats.interval}>
      ${stats.flows.length === 0 ? html`<p class="muted" data-test="stats-empty">${t('ivr.stats.none')}</p>` : stats.flows.map((f) => html`<${FlowFigures} key=${f.flow} stats=${f} interval=${stats.interval} />`)}
    </div>`}
  </section>`;
}

/** @param {{stats: FlowStats, interval: string}} props */
function FlowFigures({ stats, interval }) {
  const { t } = useI18n();
  const totals = stats.totals;
  // Outcomes any node had exits with, in the API's order: the node table's exit columns.
  const outcomes = useMemo(() => OUTCOMES.filter((o) => totals.nodes.some((n) => (n.exits[o] ?? 0) > 0)), [stats]);
  const exitSum = (/** @type {Record<string, number>} */ exits) => Object.values(exits).reduce((a, b) => a + b, 0);
  const nodePoints = useMemo(() => totals.nodes.map((n) => ({ label: n.node, value: n.entries })), [stats]);
  const intervalLabel = (/** @type {string} */ start) => {
    const d = new Date(start);
    const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    return interval === '1d' ? dateInputValue(d) : stats.intervals.every((i) => dateInputValue(new Date(i.start)) === dateInputValue(d)) ? hm : `${dateInputValue(d)} ${hm}`;
  };
  const intervalPoints = useMemo(() => stats.intervals.map((i) => ({ label: intervalLabel(i.start), value: i.entries })), [stats]);

  return html`<article class="flow-figures" data-test="flow-stats" data-flow=${stats.flow}>
    <h4>${t('ivr.stats.flowHeading', { flow: stats.flow, versions: stats.versions.join(', ') })}</h4>
    <dl class="ivr-totals" data-test="flow-totals">
      <div><dt>${t('ivr.stats.entries')}</dt><dd data-col="entries">${totals.entries}</dd></div>
      <div><dt>${t('ivr.stats.exits')}</dt><dd data-col="exits">${exitSum(totals.exits)}</dd></div>
      ${OUTCOMES.filter((o) => (totals.exits[o] ?? 0) > 0).map((o) => html`<div key=${o}><dt>${t('ivr.stats.exitsTo', { outcome: tOr(t, `ivr.outcome.${o}`, o) })}</dt><dd data-col=${`exit-${o}`}>${totals.exits[o]}</dd></div>`)}
      <div><dt>${t('ivr.stats.keys')}</dt><dd data-col="keys">${totals.keys}</dd></div>
      <div><dt>${t('ivr.stats.timeouts')}</dt><dd data-col="timeouts">${totals.timeouts}</dd></div>
      <div><dt>${t('ivr.stats.invalid')}</dt><dd data-col="invalid">${totals.invalid}</dd></div>
      <div><dt>${t('ivr.stats.avgTime')}</dt><dd data-col="avgTime">${duration(totals.avgTimeInFlowMs)}</dd></div>
    </dl>
    <div class="report-body">
      <div class="report-table">
        <table class="report" data-test="node-table">
          <caption>${t('ivr.stats.nodes')}</caption>
          <thead>
            <tr>
              <th>${t('ivr.stats.node')}</th>
              <th>${t('ivr.stats.entered')}</th>
              <th>${t('ivr.stats.keys')}</th>
              <th>${t('ivr.stats.timeouts')}</th>
              <th>${t('ivr.stats.invalid')}</th>
              ${outcomes.map((o) => html`<th key=${o}>${t('ivr.stats.exitsTo', { outcome: tOr(t, `ivr.outcome.${o}`, o) })}</th>`)}
              <th>${t('ivr.stats.exits')}</th>
            </tr>
          </thead>
          <tbody>
            ${totals.nodes.map(
              (n) => html`<tr key=${n.node} data-test="node-row" data-node=${n.node}>
                <td class="text data">${n.node}</td>
                <td class="num" data-col="entries">${n.entries}</td>
                <td class="num" data-col="keys">${n.keys}</td>
                <td class="num" data-col="timeouts">${n.timeouts}</td>
                <td class="num" data-col="invalid">${n.invalid}</td>
                ${outcomes.map((o) => html`<td key=${o} class="num" data-col=${`exit-${o}`}>${n.exits[o] ?? 0}</td>`)}
                <td class="num" data-col="exits">${exitSum(n.exits)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${nodePoints.length > 0 && html`<${ChartView} kind="bar" title=${t('ivr.chart.nodes')} points=${nodePoints} format=${countFormat} test="node-chart" />`}
    </div>
    <div class="report-body">
      <div class="report-table">
        <table class="report" data-test="interval-table">
          <caption>${t('ivr.stats.byInterval')}</caption>
          <thead>
            <tr>
              <th>${t('ivr.stats.intervalStart')}</th>
              <th>${t('ivr.stats.entries')}</th>
              <th>${t('ivr.stats.exits')}</th>
              <th>${t('ivr.stats.keys')}</th>
              <th>${t('ivr.stats.timeouts')}</th>
              <th>${t('ivr.stats.invalid')}</th>
              <th>${t('ivr.stats.avgTime')}</th>
            </tr>
          </thead>
          <tbody>
            ${stats.intervals.map(
              (i) => html`<tr key=${i.start} data-test="interval-row" data-start=${i.start}>
                <td class="text" title=${i.start}>${intervalLabel(i.start)}</td>
                <td class="num" data-col="entries">${i.entries}</td>
                <td class="num" data-col="exits">${exitSum(i.exits)}</td>
                <td class="num" data-col="keys">${i.keys}</td>
                <td class="num" data-col="timeouts">${i.timeouts}</td>
                <td class="num" data-col="invalid">${i.invalid}</td>
                <td class="num" data-col="avgTime">${duration(i.avgTimeInFlowMs)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${intervalPoints.length > 0 && html`<${ChartView} kind="bar" title=${t('ivr.chart.intervals')} points=${intervalPoints} format=${countFormat} test="interval-chart" />`}
    </div>
  </article>`;
}
