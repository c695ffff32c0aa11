// @ts-check
/**
 * Announcements (`announce.send`) from the wallboard: a text to every agent, to chosen agents, or
 * to the agents of chosen queues; asked first, audited by the daemon. The agents' softphones get
 * the `announce` event. The form is folded until opened, so its 500-option list costs nothing
 * while the wallboard runs.
 */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { useConfirm } from '../components/confirm-dialog.js';
import { useI18n } from '../i18n/index.js';
import { readableError } from './supervisor-actions.js';

/** @typedef {'all' | 'agents' | 'queues'} Audience */
/** @typedef {(op: string, data: object) => Promise<any>} Request */

/** The `to` of announce.send, or null when nothing is chosen.
 * @param {Audience} audience @param {readonly string[]} agentIds @param {readonly string[]} queues */
export function announceTarget(audience, agentIds, queues) {
  if (audience === 'all') return { all: true };
  if (audience === 'agents') return agentIds.length ? { agentIds: [...agentIds] } : null;
  return queues.length ? { queues: [...queues] } : null;
}

/**
 * @param {{request: Request, agents: Map<string, import('./wallboard-state.js').AgentRow>, order: readonly string[],
 *   queues: Map<string, import('./wallboard-state.js').QueueRow>, queueOrder: readonly string[],
 *   preset: {agentId: string, n: number} | null}} props
 */
export function AnnounceForm({ request, agents, order, queues, queueOrder, preset }) {
  const { t } = useI18n();
  const [ask, dialog] = useConfirm();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [audience, setAudience] = useState(/** @type {Audience} */ ('all'));
  const [agentIds, setAgentIds] = useState(/** @type {string[]} */ ([]));
  const [queueIds, setQueueIds] = useState(/** @type {string[]} */ ([]));
  const [sent, setSent] = useState(/** @type {number | null} */ (null));

  // "Announce to this agent" from a row's menu opens the form with the agent chosen.
  useEffect(() => {
    if (!preset) return;
    setOpen(true);
    setAudience('agents');
    setAgentIds([preset.agentId]);
    setSent(null);
  }, [preset]);

  const to = announceTarget(audience, agentIds, queueIds);
  const canSend = text.trim() !== '' && to !== null;

  const describe = () =>
    audience === 'all' ? t('announce.to.allAgents') : audience === 'agents' ? t('announce.to.someAgents', { list: agentIds.join(', ') }) : t('announce.to.someQueues', { list: queueIds.map((q) => queues.get(q)?.name ?? q).join(', ') });

  /** @param {Event} e */
  const submit = (e) => {
    e.preventDefault();
    if (!canSend) return;
    ask({ title: t('announce.confirm.title'), message: t('announce.confirm.message', { to: describe(), text: text.trim() }), confirmLabel: t('announce.send'), test: 'confirm-announce' }, async () => {
      try {
        const r = await request('announce.send', { text: text.trim(), to });
        setSent(Number(r.recipients) || 0);
        setText('');
      } catch (err) {
        throw new Error(readableError(t, err));
      }
    });
  };

  if (!open) {
    return html`<div class="announce-closed">
      <button type="button" data-test="announce-open" onClick=${() => setOpen(true)}>${t('announce.open')}</button>
      ${sent !== null && html`<span class="sent" data-test="announce-sent">${t('announce.sent', { count: sent })}</span>`}
    </div>`;
  }
  return html`<form class="announce-form" data-test="announce-form" onSubmit=${submit}>
    <h3>${t('announce.heading')}</h3>
    <label class="announce-text">${t('announce.text')}
      <textarea name="text" rows="2" maxLength="4000" value=${text} onInput=${(/** @type {any} */ e) => setText(e.currentTarget.value)}></textarea>
    </label>
    <fieldset>
      <legend>${t('announce.to')}</legend>
      ${/** @type {Audience[]} */ (['all', 'agents', 'queues']).map(
        (a) => html`<label key=${a} class="radio"><input type="radio" name="audience" value=${a} checked=${audience === a} onChange=${() => setAudience(a)} /> ${t(`announce.audience.${a}`)}</label>`,
      )}
    </fieldset>
    ${audience === 'agents' && html`<label>${t('announce.chooseAgents')}
      <select multiple name="agents" size="6" data-test="announce-agents" onChange=${(/** @type {any} */ e) => setAgentIds([...e.currentTarget.selectedOptions].map((o) => o.value))}>
        ${order.map((id) => html`<option key=${id} value=${id} selected=${agentIds.includes(id)}>${id} ${agents.get(id)?.displayName ?? ''}</option>`)}
      </select>
    </label>`}
    ${audience === 'queues' && html`<fieldset data-test="announce-queues">
      <legend>${t('announce.chooseQueues')}</legend>
      ${queueOrder.map(
        (id) => html`<label key=${id} class="radio"><input type="checkbox" name="queue" value=${id} checked=${queueIds.includes(id)}
          onChange=${(/** @type {any} */ e) => setQueueIds(e.currentTarget.checked ? [...queueIds, id] : queueIds.filter((q) => q !== id))} /> ${queues.get(id)?.name ?? id}</label>`,
      )}
    </fieldset>`}
    <div class="announce-buttons">
      <button type="submit" class="primary" data-test="announce-send" disabled=${!canSend}>${t('announce.send')}</button>
      <button type="button" onClick=${() => setOpen(false)}>${t('announce.close')}</button>
      ${sent !== null && html`<span class="sent" data-test="announce-sent">${t('announce.sent', { count: sent })}</span>`}
    </div>
    ${dialog}
  </form>`;
}
