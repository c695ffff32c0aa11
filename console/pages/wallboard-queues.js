// @ts-check
/**
 * The wallboard's queues: waiting calls, the longest wait (counting), agents ready and busy, and
 * today's figures — offered, answered, abandoned, service level and abandon rate — from
 * `queue.stats` (sent at most once a second per queue) and the snapshot. Today's figures show "—"
 * until the daemon sends them, and a ratio with nothing to divide by is "—" too.
 */
import { html } from 'htm/preact';
import { tOr, useI18n } from '../i18n/index.js';
import { Elapsed } from './wallboard-clock.js';

/** @typedef {import('./wallboard-state.js').QueueRow} QueueRow */

export const DASH = '—';

/**
 * The queue's SL formula in the chosen language, from its id with T and S filled in; the
 * daemon's English text where the id is one this console does not know.
 * @param {import('../i18n/index.js').Translate} t @param {{formulaId?: string, formula?: string, slThresholdS?: number, shortAbandonS?: number}} d
 */
function formulaText(t, d) {
  return tOr(t, `wallboard.formula.${d.formulaId ?? ''}`, d.formula ?? DASH, { t: d.slThresholdS ?? '', s: d.shortAbandonS ?? '' });
}

/** @param {number | null | undefined} r 0..1 */
export function percent(r) {
  return typeof r === 'number' && Number.isFinite(r) ? `${(r * 100).toFixed(1)}%` : DASH;
}

/** @param {number | null | undefined} n */
export function count(n) {
  return typeof n === 'number' && Number.isFinite(n) ? String(n) : DASH;
}

/** @param {{queues: Map<string, QueueRow>, order: readonly string[]}} props */
export function QueuesTable({ queues, order }) {
  const { t } = useI18n();
  if (order.length === 0) return html`<p class="empty">${t('wallboard.queues.empty')}</p>`;
  return html`<table class="queues" data-test="queues">
    <thead>
      <tr>
        <th>${t('wallboard.queues.col.queue')}</th>
        <th>${t('wallboard.queues.col.waiting')}</th>
        <th>${t('wallboard.queues.col.longestWait')}</th>
        <th>${t('wallboard.queues.col.ready')}</th>
        <th>${t('wallboard.queues.col.busy')}</th>
        <th>${t('wallboard.queues.col.offered')}</th>
        <th>${t('wallboard.queues.col.answered')}</th>
        <th>${t('wallboard.queues.col.abandoned')}</th>
        <th>${t('wallboard.queues.col.serviceLevel')}</th>
        <th>${t('wallboard.queues.col.abandonRate')}</th>
      </tr>
    </thead>
    <tbody>
      ${order.map((id) => {
        const q = queues.get(id);
        if (!q) return null;
        const d = q.today;
        const slTitle = d && typeof d.slThresholdS === 'number' ? t('wallboard.queues.slTitle', { seconds: d.slThresholdS, formula: formulaText(t, d) }) : undefined;
        const abTitle = d && typeof d.shortAbandonS === 'number' ? t('wallboard.queues.abandonTitle', { seconds: d.shortAbandonS, short: count(d.shortAbandoned) }) : undefined;
        return html`<tr key=${id} data-queue=${id} data-waiting=${q.waiting} class=${q.waiting > 0 ? 'has-waiting' : ''}>
          <td>${q.name}</td>
          <td class="num" data-test="waiting">${q.waiting}</td>
          <td class="num time" data-test="longest-wait">${q.longestSince === null ? DASH : html`<${Elapsed} since=${q.longestSince} />`}</td>
          <td class="num" data-test="ready">${q.agentsReady}</td>
          <td class="num" data-test="busy">${q.agentsBusy}</td>
          <td class="num" data-test="offered">${count(d?.offered)}</td>
          <td class="num" data-test="answered">${count(d?.answered)}</td>
          <td class="num" data-test="abandoned">${count(d?.abandoned)}</td>
          <td class="num" data-test="service-level" title=${slTitle}>${percent(d?.serviceLevel)}</td>
          <td class="num" data-test="abandon-rate" title=${abTitle}>${percent(d?.abandonRate)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}
