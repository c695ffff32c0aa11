// @ts-check
/**
 * One routing decision in words (docs/console-ivr-routing.md; the explanation's fields:
 * docs/acd.md "Every decision explained", src/acd/types.ts). Every kind the router records —
 * `assign` (with its explanation: direction, trigger, rule, lane, step, relaxation, candidates and
 * their sort keys, tie-break), `moved`, `fallback`, `unroutable` — and every rule (the five agent
 * orders, the preferred agent, cross-queue fairness) has its sentence; a kind or rule this page
 * does not know is shown by its code, with the raw JSON below it.
 */
import { html } from 'htm/preact';
import { tOr, useI18n } from '../i18n/index.js';
import { localTime } from './ivr-api.js';

/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {{id: string, key: (number | string)[]}} Candidate */
/**
 * @typedef {object} Explanation
 * @property {'callToAgent' | 'agentToCall'} direction
 * @property {string} trigger
 * @property {string} rule
 * @property {string} queue
 * @property {string} lane
 * @property {number} step
 * @property {number} relaxBy
 * @property {number} considered
 * @property {Candidate[]} top
 * @property {string[]} keyNames
 * @property {string} winner
 * @property {string} tieBreak
 */
/** @typedef {{kind: 'queue', queue: string} | {kind: 'ivr', flow: string} | {kind: 'voicemail', mailbox: string} | {kind: 'number', number: string}} Target */
/** @typedef {{at: string, kind: string, queueId: string | null, agent: string | null, detail: Record<string, any>}} Decision */

/** Key names whose values are instants (epoch ms). */
const INSTANT_KEYS = new Set(['idleSince', 'queuedAt']);

/** A sort key's value as a reader takes it. @param {Translate} t @param {string} name @param {number | string} v */
export function keyValue(t, name, v) {
  if (typeof v === 'string') return v;
  if (INSTANT_KEYS.has(name)) return localTime(v);
  if (name === 'wrapped') return t(v ? 'routing.key.wrapped.yes' : 'routing.key.wrapped.no');
  // (now − queuedAt) in ms × weight × (1 + priority): weighted seconds.
  if (name === 'weightedWait') return t('routing.seconds', { s: (v / 1000).toFixed(1) });
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** @param {Translate} t @param {Target | undefined} target */
export function targetText(t, target) {
  if (!target) return '—';
  switch (target.kind) {
    case 'queue':
      return t('routing.target.queue', { queue: target.queue });
    case 'ivr':
      return t('routing.target.ivr', { flow: target.flow });
    case 'voicemail':
      return t('routing.target.voicemail', { mailbox: target.mailbox });
    case 'number':
      return t('routing.target.number', { number: target.number });
    default:
      return JSON.stringify(target);
  }
}

/**
 * Why the winner won, in one sentence, by rule and direction.
 * @param {Translate} t @param {Explanation} ex @param {string | null} agent the agent of the decision
 */
export function reasonText(t, ex, agent) {
  const first = ex.top[0];
  const key = (/** @type {string} */ name) => {
    const i = ex.keyNames.indexOf(name);
    const v = i >= 0 ? first?.key[i] : undefined;
    return v === undefined ? '—' : keyValue(t, name, v);
  };
  const p = { winner: ex.winner, n: ex.considered, agent: agent ?? '—', queue: ex.queue };
  if (ex.direction === 'agentToCall') {
    if (ex.rule === 'preferredAgent') return t('routing.reason.heldForAgent', p);
    if (ex.rule === 'fairness') return t('routing.reason.fairness', { ...p, wait: key('weightedWait') });
  }
  switch (ex.rule) {
    case 'longestIdle':
      return t('routing.reason.longestIdle', { ...p, since: key('idleSince') });
    case 'skillBased':
      return t('routing.reason.skillBased', { ...p, score: key('skillScore') });
    case 'roundRobin':
      return t('routing.reason.roundRobin', p);
    case 'linear':
      return t('routing.reason.linear', { ...p, rank: key('rank') });
    case 'leastBusy':
      return t('routing.reason.leastBusy', { ...p, metric: key('busyMetric') });
    case 'preferredAgent':
      return t('routing.reason.preferredAgent', p);
    default:
      return t('routing.reason.other', { ...p, rule: ex.rule });
  }
}

/** The time-based rules in force: none, or step n with the relaxation. @param {Translate} t @param {Explanation} ex */
export function stepText(t, ex) {
  if (ex.step >= 0 && ex.relaxBy > 0) return t('routing.step.appliedRelaxed', { n: ex.step + 1, by: ex.relaxBy });
  if (ex.step >= 0) return t('routing.step.applied', { n: ex.step + 1 });
  if (ex.relaxBy > 0) return t('routing.step.relaxed', { by: ex.relaxBy });
  return t('routing.step.none');
}

/** @param {{decision: Decision}} props */
export function DecisionView({ decision }) {
  const { t } = useI18n();
  const d = decision.detail ?? {};
  const at = localTime(decision.at);
  /** @type {Explanation | undefined} */
  const ex = decision.kind === 'assign' ? d.explanation : undefined;
  let headline;
  switch (decision.kind) {
    case 'assign':
      headline = ex?.direction === 'agentToCall' ? t('routing.decision.assignAgentFree', { agent: decision.agent ?? '—', queue: d.queue ?? decision.queueId ?? '—' }) : t('routing.decision.assign', { agent: decision.agent ?? '—', queue: d.queue ?? decision.queueId ?? '—' });
      break;
    case 'moved':
      headline = t('routing.decision.moved', { from: d.from ?? '—', to: d.to ?? '—', reason: tOr(t, `routing.leave.${d.reason}`, String(d.reason)) });
      break;
    case 'fallback':
      headline = t('routing.decision.fallback', { queue: d.queue ?? '—', target: targetText(t, d.target), reason: tOr(t, `routing.leave.${d.reason}`, String(d.reason)) });
      break;
    case 'unroutable':
      headline = t('routing.decision.unroutable', { reason: tOr(t, `routing.unroutable.${d.reason}`, String(d.reason)) });
      break;
    default:
      headline = t('routing.decision.other', { kind: decision.kind });
  }

  return html`<li class=${`decision decision-${decision.kind}`} data-test="decision" data-kind=${decision.kind} data-agent=${decision.agent ?? ''} data-rule=${ex?.rule ?? ''}>
    <div class="decision-head"><time datetime=${decision.at}>${at}</time> <strong data-test="decision-headline">${headline}</strong></div>
    ${ex &&
    html`<dl class="decision-facts">
        <dt>${t('routing.why')}</dt>
        <dd data-test="decision-reason">${reasonText(t, ex, decision.agent)}</dd>
        <dt>${t('routing.strategy')}</dt>
        <dd data-test="decision-rule">${tOr(t, `routing.rule.${ex.rule}`, ex.rule)}</dd>
        <dt>${t('routing.when')}</dt>
        <dd data-test="decision-trigger">${tOr(t, `routing.trigger.${ex.trigger}`, ex.trigger)}</dd>
        <dt>${t('routing.tieBreak')}</dt>
        <dd data-test="decision-tiebreak">${ex.tieBreak === 'onlyCandidate' ? t('routing.tieBreak.only') : t('routing.tieBreak.by', { key: tOr(t, `routing.key.${ex.tieBreak}`, ex.tieBreak) })}</dd>
        <dt>${t('routing.steps')}</dt>
        <dd data-test="decision-steps">${stepText(t, ex)}</dd>
        ${ex.lane !== ex.queue &&
        html`<dt>${t('routing.lane')}</dt>
          <dd data-test="decision-lane">${ex.lane.includes('@') ? t('routing.lane.service', { dialled: ex.lane.slice(ex.lane.indexOf('@') + 1), queue: ex.lane.slice(0, ex.lane.indexOf('@')) }) : t('routing.lane.other', { lane: ex.lane })}</dd>`}
      </dl>
      <table class="report candidates" data-test="candidates">
        <caption>${ex.direction === 'agentToCall' ? t('routing.candidates.calls', { n: ex.considered }) : t('routing.candidates.agents', { n: ex.considered })}</caption>
        <thead>
          <tr>
            <th>${t('routing.candidates.rank')}</th>
            <th>${ex.direction === 'agentToCall' ? t('routing.candidates.call') : t('routing.candidates.agent')}</th>
            ${ex.keyNames.map((k) => html`<th key=${k}>${tOr(t, `routing.key.${k}`, k)}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${ex.top.map(
            (c, i) => html`<tr key=${c.id} data-test="candidate" data-candidate=${c.id} class=${c.id === ex.winner ? 'winner' : ''}>
              <td class="num">${i + 1}</td>
              <td class="text">${c.id}${c.id === ex.winner ? html` <span class="badge">${t('routing.candidates.chosen')}</span>` : ''}</td>
              ${ex.keyNames.map((k, j) => html`<td key=${k} class="text">${c.key[j] === undefined ? '—' : keyValue(t, k, /** @type {number | string} */ (c.key[j]))}</td>`)}
            </tr>`,
          )}
        </tbody>
      </table>`}
    <details class="raw" data-test="decision-raw">
      <summary>${t('routing.raw')}</summary>
      <pre>${JSON.stringify(decision, null, 2)}</pre>
    </details>
  </li>`;
}
