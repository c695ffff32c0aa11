// @ts-check
/**
 * The wallboard's agents: one row per agent with state, reason, time in state, the current call
 * (number, queue, state, duration), the away-too-long alert, and the supervisor's action menu.
 * Rows are keyed by agentId and memoised on their row object: an event re-renders the one agent
 * it changed. Durations tick through wallboard-clock.js, not through renders.
 *
 * A big centre's table is windowed: past WINDOW_FROM agents, the rows live in a scrolling box and
 * only those in view (plus OVERSCAN on each side) are in the DOM, between two spacer rows of the
 * height of the rows left out. Rows have a fixed height and the table a fixed layout, so a change
 * in a row never makes the browser lay out the others. Measured with 500 agents at 50 calls/s
 * (docs/performance.md, "Wallboard under load"): the whole table, re-laid out on every frame, took
 * a third of the page's time.
 */
import { Component } from 'preact';
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { tOr, useI18n } from '../i18n/index.js';
import { Elapsed } from './wallboard-clock.js';
import { currentCall } from './wallboard-state.js';

/** @typedef {import('./wallboard-state.js').AgentRow} AgentRow */
/** @typedef {import('./wallboard-state.js').CallView} CallView */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {'silent' | 'whisper' | 'barge' | 'releaseAgent' | 'ready' | 'notReady' | 'loggedOut' | 'announce'} AgentAction */

/** The number a supervisor wants to see: the caller on a call that came in, the number dialled on one going out.
 * @param {CallView} c @param {string | null} extension */
export function callNumber(c, extension) {
  if (c.direction === 'outbound' || (c.direction === null && extension !== null && c.from === extension)) return c.to;
  return c.from;
}

/** A team's away limit in words: whole minutes as minutes, else seconds.
 * @param {Translate} t @param {number} seconds */
export function awayLimit(t, seconds) {
  return seconds >= 60 && seconds % 60 === 0 ? t('wallboard.alert.limitMin', { n: seconds / 60 }) : t('wallboard.alert.limitS', { n: seconds });
}

/** Which actions fit the agent's state now.
 * @param {AgentRow} a @returns {AgentAction[]} */
export function actionsFor(a) {
  const call = currentCall(a.calls);
  const talking = call !== null && (call.state === 'connected' || call.state === 'hold');
  /** @type {AgentAction[]} */
  const out = [];
  if (talking) out.push('silent', 'whisper', 'barge', 'releaseAgent');
  if (a.state !== 'loggedOut') {
    if (a.state !== 'ready') out.push('ready');
    if (a.state !== 'notReady') out.push('notReady');
    out.push('loggedOut');
  }
  out.push('announce');
  return out;
}

/** @type {Record<AgentAction, import('../i18n/index.js').MessageKey>} */
export const ACTION_LABEL = {
  silent: 'sup.action.silent',
  whisper: 'sup.action.whisper',
  barge: 'sup.action.barge',
  releaseAgent: 'sup.action.releaseAgent',
  ready: 'sup.action.ready',
  notReady: 'sup.action.notReady',
  loggedOut: 'sup.action.loggedOut',
  announce: 'sup.action.announce',
};

/**
 * @typedef {object} RowProps
 * @property {AgentRow} agent
 * @property {string} locale re-render on a language switch
 * @property {boolean} open its action menu is open
 * @property {(agentId: string | null) => void} onMenu
 * @property {(action: AgentAction, agent: AgentRow) => void} onAction
 */

/** @param {RowProps} props */
function AgentRowView({ agent: a, open, onMenu, onAction }) {
  const { t } = useI18n();
  const call = currentCall(a.calls);
  const more = a.calls.length > 1 ? a.calls.length - 1 : 0;
  return html`<tr data-agent=${a.agentId} data-state=${a.state} data-call=${call?.state ?? ''} class=${a.alert ? 'away-alert' : ''}>
    <td>${a.agentId}</td>
    <td>${a.displayName}</td>
    <td>${a.extension ?? ''}</td>
    <td><span class=${`state state-${a.state}`}>${tOr(t, `state.${a.state}`, a.state)}</span></td>
    <td>${a.reason ? tOr(t, `reason.${a.reason}`, a.reason) : ''}</td>
    <td class="time">
      <${Elapsed} since=${a.state === 'loggedOut' ? null : a.since} />
      ${a.alert && html` <span class="alert-badge" data-test="away-badge" title=${t('wallboard.alert.badgeTitle', { limit: awayLimit(t, a.alert.thresholdS) })}>${t('wallboard.alert.badge')}</span>`}
    </td>
    <td class="call-number" data-test="call-number">${call ? callNumber(call, a.extension) : ''}${more ? html` <span class="more">+${more}</span>` : ''}</td>
    <td data-test="call-queue">${call?.queue ?? ''}</td>
    <td data-test="call-state">
      ${call && html`<span class=${`call-state call-${call.state}`}>${tOr(t, `wallboard.callState.${call.state}`, call.state)}</span>`}
      ${call?.monitoredBy && html` <span class="monitored" data-test="monitored-by">${t('wallboard.call.monitoredBy', { supervisor: call.monitoredBy })}</span>`}
    </td>
    <td class="time" data-test="call-duration">${call && html`<${Elapsed} since=${call.since} />`}</td>
    <td class="row-actions">
      <button type="button" class="menu-button" data-test="agent-actions" aria-expanded=${open} onClick=${() => onMenu(open ? null : a.agentId)}>${t('sup.menu')}</button>
      ${open && html`<ul class="action-menu" role="menu" data-test="action-menu">
        ${actionsFor(a).map(
          (k) => html`<li key=${k} role="none"><button type="button" role="menuitem" data-action=${k} class=${k === 'releaseAgent' || k === 'loggedOut' ? 'danger' : ''} onClick=${() => { onMenu(null); onAction(k, a); }}>${t(ACTION_LABEL[k])}</button></li>`,
        )}
      </ul>`}
    </td>
  </tr>`;
}

/** A row re-renders only when its agent, its menu or the language changed (preact/compat's
 * memo, without loading compat). @extends {Component<RowProps>} */
class AgentRowMemo extends Component {
  /** @param {RowProps} n */
  shouldComponentUpdate(n) {
    const p = this.props;
    return p.agent !== n.agent || p.open !== n.open || p.locale !== n.locale || p.onAction !== n.onAction || p.onMenu !== n.onMenu;
  }

  /** @param {RowProps} props */
  render(props) {
    return html`<${AgentRowView} ...${props} />`;
  }
}

/** Past this many agents the table is windowed. */
export const WINDOW_FROM = 60;
/** A row's height, px (wallboard.css: table.agents.windowed tbody tr). */
export const ROW_PX = 34;
/** Rows drawn beyond the view on each side, so a scroll shows drawn rows at once. */
const OVERSCAN = 10;

/**
 * @param {{agents: Map<string, AgentRow>, order: readonly string[], version: number, menuFor: string | null,
 *   onMenu: (agentId: string | null) => void, onAction: (action: AgentAction, agent: AgentRow) => void}} props
 */
export function AgentsTable({ agents, order, menuFor, onMenu, onAction }) {
  const { t, locale } = useI18n();
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));
  const [view, setView] = useState({ top: 0, height: 0 });
  const windowed = order.length > WINDOW_FROM;

  useEffect(() => {
    const el = box.current;
    if (!el || !windowed) return undefined;
    let frame = 0;
    const measure = () => {
      frame = 0;
      setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    el.addEventListener('scroll', onScroll, { passive: true });
    const resized = new ResizeObserver(onScroll);
    resized.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      resized.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [windowed]);

  if (order.length === 0) return html`<p class="empty">${t('wallboard.empty')}</p>`;
  // The rows in view, or all of them in a small centre. Before the box is measured, a screenful.
  const height = view.height || 800;
  const first = windowed ? Math.max(0, Math.floor(view.top / ROW_PX) - OVERSCAN) : 0;
  const last = windowed ? Math.min(order.length, Math.ceil((view.top + height) / ROW_PX) + OVERSCAN) : order.length;
  const table = html`<table class=${windowed ? 'agents windowed' : 'agents'} data-test="agents" data-rows=${order.length} data-first=${first} data-last=${last}>
    <thead>
      <tr>
        <th>${t('wallboard.col.agent')}</th>
        <th>${t('wallboard.col.name')}</th>
        <th>${t('wallboard.col.extension')}</th>
        <th>${t('wallboard.col.state')}</th>
        <th>${t('wallboard.col.reason')}</th>
        <th>${t('wallboard.col.time')}</th>
        <th>${t('wallboard.col.callNumber')}</th>
        <th>${t('wallboard.col.callQueue')}</th>
        <th>${t('wallboard.col.callState')}</th>
        <th>${t('wallboard.col.callDuration')}</th>
        <th><span class="sr-only">${t('sup.menu')}</span></th>
      </tr>
    </thead>
    <tbody>
      ${first > 0 && html`<tr class="spacer" aria-hidden="true" style=${`height: ${first * ROW_PX}px`}><td colspan="11"></td></tr>`}
      ${order.slice(first, last).map((id) => {
        const a = agents.get(id);
        return a && html`<${AgentRowMemo} key=${id} agent=${a} locale=${locale} open=${menuFor === id} onMenu=${onMenu} onAction=${onAction} />`;
      })}
      ${last < order.length && html`<tr class="spacer" aria-hidden="true" style=${`height: ${(order.length - last) * ROW_PX}px`}><td colspan="11"></td></tr>`}
    </tbody>
  </table>`;
  return windowed ? html`<div class="agents-scroll" data-test="agents-scroll" ref=${box}>${table}</div>` : table;
}
