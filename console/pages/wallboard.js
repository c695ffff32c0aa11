// @ts-check
/**
 * The wallboard (supervisor, admin): every agent with state, reason, time in state and current
 * call; every queue with waiting calls, longest wait, agents ready and busy, service level and
 * abandon rate today; agents away too long; and the supervisor's actions (supervisor-actions.js,
 * announce-form.js). Over the WebSocket API as a supervisor console does (docs/api.md,
 * "Supervisor"): `supervisor.subscribe` first, then `supervisor.snapshot`. Requests are answered
 * in order and events are sent in order, so an event that arrives before the snapshot's answer is
 * older than the snapshot, which replaces it; every later one is applied on top. No polling.
 *
 * Fast with 500 agents and 50 calls a second: each event is applied to the store at once, O(1)
 * (wallboard-state.js); the page renders at most once per animation frame, and only the rows whose
 * agent changed re-render (wallboard-agents.js); durations tick by one clock (wallboard-clock.js).
 */
import { html } from 'htm/preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { tOr, useI18n } from '../i18n/index.js';
import { ApiError, ApiSocket } from '../ws-client.js';
import { AnnounceForm } from './announce-form.js';
import { MonitorPanel, useSupervisorActions } from './supervisor-actions.js';
import { AgentsTable, awayLimit } from './wallboard-agents.js';
import { Elapsed, clock } from './wallboard-clock.js';
import { QueuesTable } from './wallboard-queues.js';
import { alertsList, applyEvent, applySnapshot, createWallboardState, setMonitor } from './wallboard-state.js';

/** @typedef {import('../ws-client.js').SocketStatus} SocketStatus */

/** @type {Record<SocketStatus, import('../i18n/index.js').MessageKey>} */
const CONN_LABEL = { connecting: 'conn.connecting', live: 'conn.live', reconnecting: 'conn.reconnecting', replaced: 'conn.replaced', ended: 'login.error.expired' };

/** The states in the agents' summary line, in a shift's order. */
const SUMMARY_STATES = ['ready', 'reserved', 'busy', 'workingAfterCall', 'notReady', 'loggedOut'];

/** @param {import('./index.js').PageProps} props */
export function Wallboard({ session, onAuthLost }) {
  const { t } = useI18n();
  const store = useRef(createWallboardState()).current;
  const [, setVersion] = useState(0);
  const [status, setStatus] = useState(/** @type {SocketStatus} */ ('connecting'));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [attempt, setAttempt] = useState(0);
  const [menuFor, setMenuFor] = useState(/** @type {string | null} */ (null));
  const [announceTo, setAnnounceTo] = useState(/** @type {{agentId: string, n: number} | null} */ (null));
  const [monitorHidden, setMonitorHidden] = useState(false);
  const socketRef = useRef(/** @type {ApiSocket | null} */ (null));
  const frame = useRef(0);

  // One render per animation frame, however many events came in since the last.
  const schedule = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setVersion(store.version);
    });
  }, [store]);

  useEffect(() => {
    const socket = new ApiSocket(session.token, {
      async onReady(s) {
        try {
          await s.request('supervisor.subscribe');
          const snap = await s.request('supervisor.snapshot');
          applySnapshot(store, snap, Date.now() + clock.skewMs);
          setError(null);
          schedule();
        } catch (err) {
          setError(err instanceof Error ? err.message : String(err));
        }
      },
      onEvent(e) {
        const ts = Date.parse(e.ts);
        if (Number.isFinite(ts)) clock.skewMs = ts - Date.now();
        if (applyEvent(store, e)) schedule();
      },
      onStatus: setStatus,
      onAuthLost,
    }).start();
    socketRef.current = socket;
    return () => {
      socket.close();
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [session.token, attempt]);

  const request = useCallback((/** @type {string} */ op, /** @type {object} */ data) => socketRef.current?.request(op, data) ?? Promise.reject(new ApiError('CLOSED', 'not connected')), []);
  const onMonitor = useCallback((/** @type {import('./wallboard-state.js').MonitorSession | null} */ m) => {
    setMonitor(store, m);
    setMonitorHidden(false);
    schedule();
  }, []);
  const onAnnounceTo = useCallback((/** @type {string} */ agentId) => setAnnounceTo((p) => ({ agentId, n: (p?.n ?? 0) + 1 })), []);
  const actions = useSupervisorActions({ request, onMonitor, onAnnounceTo });
  // The rows keep one callback for the page's life; it reaches today's actions through a ref.
  const actionsRef = useRef(actions);
  actionsRef.current = actions;
  const onAction = useCallback((/** @type {any} */ k, /** @type {any} */ a) => actionsRef.current.onAction(k, a), []);
  const onMenu = useCallback((/** @type {string | null} */ id) => setMenuFor(id), []);
  // An open menu closes on a click elsewhere or Escape. A layout effect: the listeners are in
  // place when the menu is drawn; a plain effect runs after paint, and an Escape pressed as soon
  // as the menu shows (under load) was lost.
  useLayoutEffect(() => {
    if (menuFor === null) return undefined;
    const close = (/** @type {Event} */ e) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !(e.target instanceof Element && e.target.closest('td.row-actions'))) setMenuFor(null);
    };
    document.addEventListener('click', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('click', close);
      document.removeEventListener('keydown', close);
    };
  }, [menuFor]);

  const alerts = alertsList(store);
  const monitor = store.monitor;
  const monitorAgent = monitor ? store.agents.get(monitor.agentId) : undefined;
  return html`<section class="wallboard" data-test="wallboard" data-status=${status}>
    <div class="wallboard-head">
      <h2>${t('page.wallboard.title')}</h2>
      <span class="count">${t('wallboard.count', { count: store.order.length })}</span>
      <span class=${`conn conn-${status}`} data-test="conn">${t(CONN_LABEL[status])}</span>
      ${status === 'replaced' && html`<button type="button" data-test="take-over" onClick=${() => setAttempt((n) => n + 1)}>${t('conn.takeOver')}</button>`}
      ${store.pbx === 'down' && html`<span class="conn conn-reconnecting" data-test="pbx-down">${t('conn.pbxDown')}</span>`}
    </div>
    ${error && html`<p class="error" role="alert">${t('wallboard.error', { message: error })}</p>`}
    ${alerts.length > 0 && html`<section class="away-alerts" role="alert" data-test="away-alerts">
      <strong>${t('wallboard.alert.heading', { count: alerts.length })}</strong>
      <ul>
        ${alerts.map((a) => html`<li key=${a.agentId} data-agent=${a.agentId}>
          ${t('wallboard.alert.item', { agent: store.agents.get(a.agentId)?.displayName ?? a.agentId, limit: awayLimit(t, a.thresholdS) })}
          <${Elapsed} since=${a.since} />
        </li>`)}
      </ul>
    </section>`}
    ${monitor && !monitorHidden && html`<${MonitorPanel} monitor=${monitor} agent=${monitorAgent}
      onMode=${(/** @type {string} */ m) => actions.askMode(monitor, m, monitorAgent)}
      onReleaseCall=${() => actions.askReleaseCall(monitor, monitorAgent)}
      onLeave=${() => actions.leave(monitor)}
      onHide=${() => setMonitorHidden(true)} />`}
    <h3>${t('wallboard.queues')}</h3>
    <${QueuesTable} queues=${store.queues} order=${store.queueOrder} />
    <${AnnounceForm} request=${request} agents=${store.agents} order=${store.order} queues=${store.queues} queueOrder=${store.queueOrder} preset=${announceTo} />
    <h3>${t('wallboard.agents')}</h3>
    <p class="state-summary" data-test="state-summary">
      ${SUMMARY_STATES.map((st) => html`<span key=${st} data-state=${st}>${tOr(t, `state.${st}`, st)} <strong>${store.stateCounts.get(st) ?? 0}</strong></span>`)}
    </p>
    <${AgentsTable} agents=${store.agents} order=${store.order} version=${store.version} menuFor=${menuFor} onMenu=${onMenu} onAction=${onAction} />
    ${actions.dialog}
  </section>`;
}
