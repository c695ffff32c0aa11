// @ts-check
/**
 * The supervisor's actions from the wallboard (docs/api.md, "Supervisor"): listen in (silent,
 * whisper, barge = 强插) from the supervisor's own extension, switch the mode, force-release
 * (强拆) the agent or the whole call, force an agent's state or sign the agent out. Each is asked
 * first (useConfirm) and written to the audit log by the daemon; a refusal is shown in the dialog
 * in words (INVALID_STATE, PBX_REJECTED, …) with the daemon's own message.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useConfirm } from '../components/confirm-dialog.js';
import { tOr, useI18n } from '../i18n/index.js';
import { ApiError } from '../ws-client.js';
import { callNumber } from './wallboard-agents.js';
import { currentCall } from './wallboard-state.js';

/** @typedef {import('./wallboard-state.js').AgentRow} AgentRow */
/** @typedef {import('./wallboard-state.js').MonitorSession} MonitorSession */
/** @typedef {import('./wallboard-agents.js').AgentAction} AgentAction */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {(op: string, data: object) => Promise<any>} Request */

/** @type {readonly ('silent' | 'whisper' | 'barge')[]} */
export const MODES = ['silent', 'whisper', 'barge'];

/** A refusal in the reader's words: what the code means, then what the daemon said.
 * @param {Translate} t @param {unknown} err */
export function readableError(t, err) {
  if (err instanceof ApiError) {
    const detail = err.message.startsWith(`${err.code}: `) ? err.message.slice(err.code.length + 2) : err.message;
    const what = tOr(t, `sup.error.${err.code}`, t('sup.error.other', { code: err.code }));
    return detail ? t('sup.error.withDetail', { what, detail }) : what;
  }
  return t('sup.error.other', { code: err instanceof Error ? err.message : String(err) });
}

/** @param {AgentRow} a */
const who = (a) => (a.displayName && a.displayName !== a.agentId ? `${a.displayName} (${a.agentId})` : a.agentId);

/**
 * @param {{request: Request, onMonitor: (m: MonitorSession | null) => void, onAnnounceTo: (agentId: string) => void}} deps
 * @returns {{onAction: (action: AgentAction, agent: AgentRow) => void, askMode: (m: MonitorSession, mode: string, agent: AgentRow | undefined) => void, leave: (m: MonitorSession) => Promise<void>,
 *   askReleaseCall: (m: MonitorSession, agent: AgentRow | undefined) => void, dialog: import('preact').VNode | null}}
 */
export function useSupervisorActions({ request, onMonitor, onAnnounceTo }) {
  const { t } = useI18n();
  const [ask, dialog] = useConfirm();

  /** Runs a request; a refusal becomes an Error the dialog shows. @param {string} op @param {object} data */
  const act = async (op, data) => {
    try {
      return await request(op, data);
    } catch (err) {
      throw new Error(readableError(t, err));
    }
  };

  /** @param {AgentAction} action @param {AgentRow} a */
  const onAction = (action, a) => {
    const name = who(a);
    const call = currentCall(a.calls);
    const number = call ? callNumber(call, a.extension) : '';
    switch (action) {
      case 'silent':
      case 'whisper':
      case 'barge':
        ask(
          { title: t(`sup.confirm.${action}.title`, { agent: name }), message: t(`sup.confirm.${action}.message`, { agent: name, number }), confirmLabel: t(`sup.action.${action}`), danger: action === 'barge', test: `confirm-${action}` },
          async () => {
            const r = await act('supervisor.monitor', { agentId: a.agentId, mode: action });
            onMonitor({ callId: r.callId, agentId: a.agentId, mode: r.mode });
          },
        );
        return;
      case 'releaseAgent':
        ask(
          { title: t('sup.confirm.releaseAgent.title', { agent: name }), message: t('sup.confirm.releaseAgent.message', { agent: name, number }), confirmLabel: t('sup.action.releaseAgent'), danger: true, test: 'confirm-releaseAgent' },
          () => act('supervisor.forceRelease', { agentId: a.agentId }),
        );
        return;
      case 'ready':
      case 'notReady':
      case 'loggedOut':
        ask(
          {
            title: t(`sup.confirm.${action}.title`, { agent: name }),
            message: t(`sup.confirm.${action}.message`, { agent: name }),
            confirmLabel: t(`sup.action.${action}`),
            danger: action === 'loggedOut',
            test: `confirm-${action}`,
          },
          () => act('supervisor.setAgentState', action === 'notReady' ? { agentId: a.agentId, state: action, reason: 'supervisor' } : { agentId: a.agentId, state: action }),
        );
        return;
      case 'announce':
        onAnnounceTo(a.agentId);
    }
  };

  /** @param {MonitorSession} m @param {string} mode @param {AgentRow | undefined} a */
  const askMode = (m, mode, a) => {
    const name = a ? who(a) : m.agentId;
    ask(
      { title: t('sup.confirm.mode.title', { agent: name }), message: t('sup.confirm.mode.message', { mode: tOr(t, `sup.mode.${mode}`, mode) }), confirmLabel: t(/** @type {any} */ (`sup.action.${mode}`)), danger: mode === 'barge', test: `confirm-mode-${mode}` },
      async () => {
        const r = await act('supervisor.setMode', { callId: m.callId, mode });
        onMonitor({ ...m, mode: r.mode });
      },
    );
  };

  /** @param {MonitorSession} m @param {AgentRow | undefined} a */
  const askReleaseCall = (m, a) => {
    const call = a?.calls.find((c) => c.callId === m.callId);
    ask(
      { title: t('sup.confirm.releaseCall.title'), message: t('sup.confirm.releaseCall.message', { number: call && a ? callNumber(call, a.extension) : m.callId }), confirmLabel: t('sup.action.releaseCall'), danger: true, test: 'confirm-releaseCall' },
      () => act('supervisor.forceRelease', { callId: m.callId }),
    );
  };

  /** Leaves the call (the supervisor's phone only; not destructive, so not asked). @param {MonitorSession} m */
  const leave = async (m) => {
    await act('supervisor.stopMonitor', { callId: m.callId });
    onMonitor(null);
  };

  return { onAction, askMode, askReleaseCall, leave, dialog };
}

/**
 * The supervisor's current listening-in: whose call, the mode, a switch to the other modes, and
 * force-release of the whole call, and leaving it (`supervisor.stopMonitor`: the supervisor's
 * phone leaves, the agent and the caller talk on). "Hide" only hides the panel.
 * @param {{monitor: MonitorSession, agent: AgentRow | undefined, onMode: (mode: string) => void, onReleaseCall: () => void, onLeave: () => Promise<void>, onHide: () => void}} props
 */
export function MonitorPanel({ monitor, agent, onMode, onReleaseCall, onLeave, onHide }) {
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const { t } = useI18n();
  const call = agent?.calls.find((c) => c.callId === monitor.callId);
  const name = agent ? who(agent) : monitor.agentId;
  return html`<section class="monitor-panel" data-test="monitor" data-mode=${monitor.mode} data-call=${monitor.callId} aria-live="polite">
    <strong>${t('sup.monitor.heading', { agent: name })}</strong>
    ${call && agent && html`<span class="monitor-number">${callNumber(call, agent.extension)}</span>`}
    <span class="monitor-mode">${t('sup.monitor.mode', { mode: tOr(t, `sup.mode.${monitor.mode}`, monitor.mode) })}</span>
    <span class="mode-switch" role="group" aria-label=${t('sup.monitor.switch')}>
      ${MODES.map(
        (m) => html`<button key=${m} type="button" data-mode=${m} aria-pressed=${m === monitor.mode} disabled=${m === monitor.mode} onClick=${() => onMode(m)}>${t(`sup.mode.${m}`)}</button>`,
      )}
    </span>
    <button type="button" class="danger" data-test="release-call" onClick=${onReleaseCall}>${t('sup.action.releaseCall')}</button>
    <button type="button" data-test="monitor-leave" disabled=${leaving} onClick=${() => {
      setLeaving(true);
      setError(null);
      onLeave().catch((/** @type {unknown} */ err) => {
        setLeaving(false);
        setError(err instanceof Error ? err.message : String(err));
      });
    }}>${t('sup.monitor.leave')}</button>
    <button type="button" data-test="monitor-hide" onClick=${onHide}>${t('sup.monitor.hide')}</button>
    ${error && html`<p class="error" role="alert" data-test="monitor-error">${error}</p>`}
  </section>`;
}
