// @ts-check
/**
 * The Reports page (issue 9; docs/console.md, "Reports page"): pick one of the seven classic
 * reports (by its name in the chosen language) or the staffing what-if, a period of local days,
 * an interval, a queue; Run shows the table with its total and formulas beside its chart, and the
 * downloads carry the same query. The API labels a classic report's columns in the language
 * asked for, so a language switch runs the shown report again; the what-if's labels are ours.
 */
import { html } from 'htm/preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ChartView } from '../components/chart.js';
import { useI18n } from '../i18n/index.js';
import { ReportApiError, classicCatalogue, classicReport, dateInputValue, download, periodRange, queryOf, queueChoices, staffingReport } from './reports-api.js';
import { VALUE_FORMAT, intervalNames } from './reports-format.js';
import { ClassicTable, Formulas, StaffingTable } from './reports-table.js';

/** @typedef {import('./reports-api.js').ClassicEntry} ClassicEntry */
/** @typedef {import('./reports-api.js').ClassicView} ClassicView */
/** @typedef {import('./reports-api.js').StaffingReport} StaffingReport */
/** @typedef {import('./reports-api.js').PeriodKind} PeriodKind */
/** @typedef {import('../i18n/index.js').MessageKey} MessageKey */
/** @typedef {import('../i18n/index.js').Locale} Locale */

/** The what-if's id in the picker, beside the classic reports' ids. */
const STAFFING = 'staffing';
/** @type {readonly PeriodKind[]} */
const PERIODS = ['today', 'yesterday', 'thisWeek', 'custom'];
/** Intervals the classic interval report takes; the what-if takes the sub-day ones. */
const CLASSIC_INTERVALS = ['15m', '30m', '60m', 'day', 'week'];
const STAFFING_INTERVALS = ['15m', '30m', '60m'];

/**
 * @typedef {object} Form
 * @property {string} report
 * @property {PeriodKind} period
 * @property {string} fromDate
 * @property {string} toDate
 * @property {string} interval
 * @property {string} queue
 * @property {string} agent
 * @property {number} target % within T (what-if)
 * @property {number} slSeconds T, s (what-if)
 */
/** @typedef {{kind: 'classic', entry: ClassicEntry, view: ClassicView, query: string, locale: Locale} | {kind: 'perCall', entry: ClassicEntry, query: string} | {kind: 'staffing', report: StaffingReport, query: string, locale: Locale}} Result */

/** @param {import('./index.js').PageProps} props */
export function Reports({ session, onAuthLost }) {
  const { t, locale } = useI18n();
  const today = dateInputValue(new Date());
  const [catalogue, setCatalogue] = useState(/** @type {ClassicEntry[] | null} */ (null));
  const [form, setForm] = useState(/** @type {Form} */ ({ report: 'abandonment', period: 'today', fromDate: today, toDate: today, interval: '60m', queue: '', agent: '', target: 80, slSeconds: 20 }));
  const [result, setResult] = useState(/** @type {Result | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [queues, setQueues] = useState(/** @type {import('./reports-api.js').QueueChoice[]} */ ([]));
  // Answers to an older Run (or language) are dropped when a newer one was asked.
  const ask = useRef(0);

  /** @param {unknown} err */
  const show = (err) => {
    if (err instanceof ReportApiError && err.status === 401) return onAuthLost();
    setError(err instanceof Error ? err.message : String(err));
  };

  useEffect(() => {
    classicCatalogue(session.token).then(setCatalogue, show);
    // The picker's queues; without them the field still takes an id typed in.
    queueChoices(session.token).then(setQueues, () => undefined);
  }, [session.token]);

  const entry = catalogue?.find((c) => c.id === form.report) ?? null;
  const isStaffing = form.report === STAFFING;
  const intervals = isStaffing ? STAFFING_INTERVALS : entry?.grouping === 'interval' ? CLASSIC_INTERVALS : null;

  /** @param {Partial<Form>} patch */
  const change = (patch) => setForm((f) => ({ ...f, ...patch }));

  /** @param {ClassicEntry} e @param {string} query @param {Locale} lang */
  const runClassic = async (e, query, lang) => {
    const n = ++ask.current;
    setBusy(true);
    try {
      const view = await classicReport(e.id, `${query}&lang=${lang}`, session.token);
      if (n !== ask.current) return;
      setResult({ kind: 'classic', entry: e, view, query, locale: lang });
      setError(null);
    } catch (err) {
      if (n === ask.current) show(err);
    } finally {
      if (n === ask.current) setBusy(false);
    }
  };

  /** @param {string} query @param {Locale} lang the language of the printed model and formulas */
  const runStaffing = async (query, lang) => {
    const n = ++ask.current;
    setBusy(true);
    try {
      const report = await staffingReport(`${query}&lang=${lang}`, session.token);
      if (n !== ask.current) return;
      setResult({ kind: 'staffing', report, query, locale: lang });
      setError(null);
    } catch (err) {
      if (n === ask.current) show(err);
    } finally {
      if (n === ask.current) setBusy(false);
    }
  };

  /** @param {Event} ev */
  const run = (ev) => {
    ev.preventDefault();
    const range = periodRange({ kind: form.period, fromDate: form.fromDate, toDate: form.toDate });
    if (!range) return setError(t('reports.error.period'));
    if (isStaffing) {
      void runStaffing(queryOf({ ...range, interval: form.interval, queue: form.queue.trim(), target: form.target, slSeconds: form.slSeconds }), locale);
    } else if (entry && entry.export !== null) {
      // One row per call: a file from the call export, not a table to show.
      ask.current++;
      setBusy(false);
      setResult({ kind: 'perCall', entry, query: queryOf({ ...range, queue: form.queue.trim(), agent: form.agent.trim() }) });
      setError(null);
    } else if (entry) {
      void runClassic(entry, queryOf({ ...range, interval: intervals ? form.interval : null, queue: form.queue.trim(), agent: form.agent.trim() }), locale);
    }
  };

  // A classic report's labels and the formulas printed with any report are the API's, in the
  // language asked for: ask again on a switch.
  useEffect(() => {
    if (result?.kind === 'classic' && result.locale !== locale) void runClassic(result.entry, result.query, locale);
    if (result?.kind === 'staffing' && result.locale !== locale) void runStaffing(result.query, locale);
  }, [locale]);

  /** @param {'csv' | 'xlsx'} format */
  const save = (format) => {
    if (!result) return;
    const tail = `lang=${locale}&format=${format}`;
    let url = `/api/v1/reports/staffing?${result.query}&${tail}`;
    // A classic report's CSV and XLSX are its own (labels in `lang`); the per-call one's, the call
    // export the classic route redirects to.
    if (result.kind !== 'staffing') url = `/api/v1/reports/classic/${result.entry.id}?${result.query}&${tail}`;
    download(url, session.token, `${result.kind === 'staffing' ? STAFFING : result.entry.id}.${format}`).then(() => setError(null), show);
  };

  return html`<section class="reports" data-test="reports">
    <h2>${t('page.reports.title')}</h2>
    <form class="report-form" data-test="report-form" onSubmit=${run}>
      <label
        >${t('reports.report')}
        <select name="report" data-test="report-picker" value=${form.report} onChange=${(/** @type {any} */ e) => change({ report: e.currentTarget.value, interval: e.currentTarget.value === STAFFING ? '60m' : (catalogue?.find((c) => c.id === e.currentTarget.value)?.interval ?? form.interval) })}>
          ${(catalogue ?? []).map((c) => html`<option key=${c.id} value=${c.id}>${c.name[locale]}</option>`)}
          <option value=${STAFFING}>${t('reports.staffing')}</option>
        </select>
      </label>
      <label
        >${t('reports.period')}
        <select name="period" data-test="period" value=${form.period} onChange=${(/** @type {any} */ e) => change({ period: e.currentTarget.value })}>
          ${PERIODS.map((p) => html`<option key=${p} value=${p}>${t(/** @type {MessageKey} */ (`reports.period.${p}`))}</option>`)}
        </select>
      </label>
      ${form.period === 'custom' &&
      html`<label>${t('reports.from')} <input type="date" name="from" data-test="from" value=${form.fromDate} onInput=${(/** @type {any} */ e) => change({ fromDate: e.currentTarget.value })} /></label>
        <label>${t('reports.to')} <input type="date" name="to" data-test="to" value=${form.toDate} onInput=${(/** @type {any} */ e) => change({ toDate: e.currentTarget.value })} /></label>`}
      ${intervals &&
      html`<label
        >${t('reports.interval')}
        <select name="interval" data-test="interval" value=${intervals.includes(form.interval) ? form.interval : '60m'} onChange=${(/** @type {any} */ e) => change({ interval: e.currentTarget.value })}>
          ${intervals.map((i) => html`<option key=${i} value=${i}>${t(/** @type {MessageKey} */ (`reports.interval.${i}`))}</option>`)}
        </select>
      </label>`}
      <label
        >${t('reports.queue')}
        <input name="queue" data-test="queue" list="report-queues" placeholder=${t('reports.queue.all')} value=${form.queue} onInput=${(/** @type {any} */ e) => change({ queue: e.currentTarget.value })} />
        <datalist id="report-queues">${queues.map((q) => html`<option key=${q.id} value=${q.id}>${q.name}</option>`)}</datalist>
      </label>
      ${!isStaffing &&
      html`<label
        >${t('reports.agent')}
        <input name="agent" data-test="agent" placeholder=${t('reports.agent.all')} value=${form.agent} onInput=${(/** @type {any} */ e) => change({ agent: e.currentTarget.value })} />
      </label>`}
      ${isStaffing &&
      html`<label>${t('reports.staffing.target')} <input type="number" name="target" data-test="target" min="1" max="99" step="1" value=${form.target} onInput=${(/** @type {any} */ e) => change({ target: Number(e.currentTarget.value) })} /></label>
        <label>${t('reports.staffing.t')} <input type="number" name="slSeconds" data-test="sl-seconds" min="1" max="3600" step="1" value=${form.slSeconds} onInput=${(/** @type {any} */ e) => change({ slSeconds: Number(e.currentTarget.value) })} /></label>`}
      <button type="submit" data-test="run" disabled=${busy || !catalogue}>${busy ? t('reports.running') : t('reports.run')}</button>
    </form>
    ${error && html`<p class="error" role="alert" data-test="report-error">${t('reports.error', { message: error })}</p>`}
    ${result?.kind === 'classic' && html`<${ClassicResult} entry=${result.entry} view=${result.view} onSave=${save} />`}
    ${result?.kind === 'perCall' &&
    html`<div class="report-result" data-test="report-result" data-report=${result.entry.id}>
      <div class="report-head">
        <h3>${result.entry.name[locale]}</h3>
        <${Downloads} onSave=${save} />
      </div>
      <p>${t('reports.perCall')}</p>
    </div>`}
    ${result?.kind === 'staffing' && html`<${StaffingResult} report=${result.report} onSave=${save} />`}
  </section>`;
}

/** @param {{onSave: (format: 'csv' | 'xlsx') => void}} props */
function Downloads({ onSave }) {
  const { t } = useI18n();
  return html`<div class="downloads">
    <button type="button" data-test="download-csv" onClick=${() => onSave('csv')}>${t('reports.download.csv')}</button>
    <button type="button" data-test="download-xlsx" onClick=${() => onSave('xlsx')}>${t('reports.download.xlsx')}</button>
  </div>`;
}

/** @param {{entry: ClassicEntry, view: ClassicView, onSave: (format: 'csv' | 'xlsx') => void}} props */
function ClassicResult({ entry, view, onSave }) {
  const chartFormat = VALUE_FORMAT[view.columns.find((c) => c.id === view.chart.column)?.format ?? 'count'];
  const names = useMemo(() => (entry.grouping === 'interval' ? intervalNames(view.rows.map((r) => String(r[0]))) : null), [entry, view]);
  const points = useMemo(() => (names ? view.chart.points.map((p) => ({ ...p, label: names.get(p.label) ?? p.label })) : view.chart.points), [names, view]);
  return html`<div class="report-result" data-test="report-result" data-report=${view.id}>
    <div class="report-head">
      <h3>${view.name}</h3>
      <${Downloads} onSave=${onSave} />
    </div>
    <div class="report-body">
      <div class="report-table"><${ClassicTable} view=${view} names=${names} /></div>
      ${points.length > 0 && html`<${ChartView} kind=${view.chart.kind} title=${view.chart.label} points=${points} format=${chartFormat} />`}
    </div>
    <${Formulas} formulas=${view.formulas} />
  </div>`;
}

/** @param {{report: StaffingReport, onSave: (format: 'csv' | 'xlsx') => void}} props */
function StaffingResult({ report, onSave }) {
  const { t } = useI18n();
  const names = useMemo(() => intervalNames(report.rows.map((r) => r.key)), [report]);
  const points = useMemo(() => report.rows.map((r) => ({ label: names.get(r.key) ?? r.key, value: r.agentsNeeded ?? 0 })), [report, names]);
  return html`<div class="report-result" data-test="staffing-result">
    <div class="report-head">
      <h3>${t('reports.staffing')}</h3>
      <${Downloads} onSave=${onSave} />
    </div>
    <p class="muted">${t('reports.staffing.goal', { target: Math.round(report.targetServiceLevel * 100), seconds: report.serviceLevelSeconds })}</p>
    <div class="report-body">
      <div class="report-table"><${StaffingTable} report=${report} names=${names} /></div>
      <${ChartView} kind="bar" title=${t('reports.staffing.col.agentsNeeded')} points=${points} format=${VALUE_FORMAT.count} test="staffing-chart" />
    </div>
    <${Formulas} formulas=${[report.model, ...report.formulas]} />
  </div>`;
}
