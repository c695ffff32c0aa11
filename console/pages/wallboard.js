// @ts-check
/**
 * The wallboard, first part: every agent with state, reason and time in state, live. Over the
 * WebSocket API as a supervisor console does (docs/api.md, "Supervisor"): `supervisor.subscribe`
 * first, then `supervisor.snapshot`. Requests are answered in order and events are sent in
 * order, so any agent.state that arrives before the snapshot's answer is older than the snapshot,
 * which replaces it; every later one is applied on top. No polling.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { tOr, useI18n } from '../i18n/index.js';
import { ApiSocket } from '../ws-client.js';

/** @typedef {{agentId: string, displayName: string, state: string, reason: string | null, since: string, extension: string | null}} AgentRow */
/** @typedef {import('../ws-client.js').SocketStatus} SocketStatus */

/** @type {Record<SocketStatus, import('../i18n/index.js').MessageKey>} */
const CONN_LABEL = { connecting: 'conn.connecting', live: 'conn.live', reconnecting: 'conn.reconnecting', replaced: 'conn.replaced', ended: 'login.error.expired' };

/** @param {number} ms */
export function formatDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Re-renders every `ms` for the times in state. @param {number} ms */
function useNow(ms) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** @param {import('./index.js').PageProps} props */
export function Wallboard({ session, onAuthLost }) {
  const { t } = useI18n();
  const [agents, setAgents] = useState(/** @type {Map<string, AgentRow>} */ (new Map()));
  const [status, setStatus] = useState(/** @type {SocketStatus} */ ('connecting'));
  const [pbx, setPbx] = useState(/** @type {'up' | 'down' | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [attempt, setAttempt] = useState(0);
  // The daemon's clock minus ours, from each event's `ts`: times in state are counted on the
  // daemon's clock, so a PC whose clock is off still shows them right.
  const skewMs = useRef(0);
  const now = useNow(1000);

  useEffect(() => {
    const socket = new ApiSocket(session.token, {
      async onReady(s) {
        try {
          await s.request('supervisor.subscribe');
          const snap = await s.request('supervisor.snapshot');
          setAgents(new Map(/** @type {AgentRow[]} */ (snap.agents).map((a) => [a.agentId, a])));
          setPbx(snap.pbx);
          setError(null);
        } catch (err) {
          setError(err instanceof Error ? err.message : String(err));
        }
      },
      onEvent(e) {
        const ts = Date.parse(e.ts);
        if (Number.isFinite(ts)) skewMs.current = ts - Date.now();
        if (e.event === 'agent.state') {
          const d = e.data;
          setAgents((prev) => {
            const next = new Map(prev);
            const old = prev.get(d.agentId);
            next.set(d.agentId, { agentId: d.agentId, displayName: old?.displayName ?? d.agentId, extension: d.extension ?? old?.extension ?? null, state: d.state, reason: d.reason, since: d.since });
            return next;
          });
        } else if (e.event === 'link.status') {
          setPbx(e.data.pbx);
        }
      },
      onStatus: setStatus,
      onAuthLost,
    }).start();
    return () => socket.close();
  }, [session.token, attempt]);

  const rows = [...agents.values()].sort((a, b) => a.agentId.localeCompare(b.agentId));
  return html`<section class="wallboard" data-test="wallboard" data-status=${status}>
    <div class="wallboard-head">
      <h2>${t('wallboard.agents')}</h2>
      <span class="count">${t('wallboard.count', { count: rows.length })}</span>
      <span class=${`conn conn-${status}`} data-test="conn">${t(CONN_LABEL[status])}</span>
      ${status === 'replaced' && html`<button type="button" data-test="take-over" onClick=${() => setAttempt((n) => n + 1)}>${t('conn.takeOver')}</button>`}
      ${pbx === 'down' && html`<span class="conn conn-reconnecting" data-test="pbx-down">${t('conn.pbxDown')}</span>`}
    </div>
    ${error && html`<p class="error" role="alert">${t('wallboard.error', { message: error })}</p>`}
    ${rows.length === 0
      ? html`<p class="empty">${t('wallboard.empty')}</p>`
      : html`<table class="agents">
          <thead>
            <tr>
              <th>${t('wallboard.col.agent')}</th>
              <th>${t('wallboard.col.name')}</th>
              <th>${t('wallboard.col.extension')}</th>
              <th>${t('wallboard.col.state')}</th>
              <th>${t('wallboard.col.reason')}</th>
              <th>${t('wallboard.col.time')}</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (a) => html`<tr key=${a.agentId} data-agent=${a.agentId} data-state=${a.state}>
                <td>${a.agentId}</td>
                <td>${a.displayName}</td>
                <td>${a.extension ?? ''}</td>
                <td><span class=${`state state-${a.state}`}>${tOr(t, `state.${a.state}`, a.state)}</span></td>
                <td>${a.reason ? tOr(t, `reason.${a.reason}`, a.reason) : ''}</td>
                <td class="time">${a.state === 'loggedOut' ? '' : formatDuration(now + skewMs.current - Date.parse(a.since))}</td>
              </tr>`,
            )}
          </tbody>
        </table>`}
  </section>`;
}
