// @ts-check
/**
 * Asking before an action that cannot be taken back (force-release, signing an agent out, a legal
 * hold lifted, …): a modal <dialog> with the question, what it will do, and two buttons. Escape and
 * "Cancel" cancel; "Confirm" runs `onConfirm`, which may be async: the buttons wait for it and an
 * error it throws is shown in the dialog instead of closing it.
 *
 * Usage: const [ask, dialog] = useConfirm(); … ask({title, message, confirmLabel, danger}, () => act());
 * and put `${dialog}` in the page.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';

/**
 * @typedef {object} ConfirmRequest
 * @property {string} title
 * @property {string} message
 * @property {string} [confirmLabel] default: t('confirm.ok')
 * @property {boolean} [danger] the confirm button in the error colour
 * @property {string} [test] data-test of the dialog (default `confirm`)
 */

/** @returns {[(req: ConfirmRequest, action: () => unknown) => void, import('preact').VNode | null]} */
export function useConfirm() {
  const [pending, setPending] = useState(/** @type {{req: ConfirmRequest, action: () => unknown} | null} */ (null));
  const ask = (/** @type {ConfirmRequest} */ req, /** @type {() => unknown} */ action) => setPending({ req, action });
  const dialog = pending ? html`<${ConfirmDialog} ...${pending.req} onConfirm=${pending.action} onClose=${() => setPending(null)} />` : null;
  return [ask, dialog];
}

/** @param {ConfirmRequest & {onConfirm: () => unknown, onClose: () => void}} props */
export function ConfirmDialog({ title, message, confirmLabel, danger = false, test = 'confirm', onConfirm, onClose }) {
  const { t } = useI18n();
  const ref = useRef(/** @type {HTMLDialogElement | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return html`<dialog ref=${ref} class="confirm-dialog" data-test=${test} onCancel=${(/** @type {Event} */ e) => (busy ? e.preventDefault() : onClose())}>
    <h3>${title}</h3>
    <p>${message}</p>
    ${error && html`<p class="error" role="alert" data-test="confirm-error">${error}</p>`}
    <div class="confirm-buttons">
      <button type="button" data-test="confirm-cancel" disabled=${busy} onClick=${onClose}>${t('confirm.cancel')}</button>
      <button type="button" data-test="confirm-ok" class=${danger ? 'danger' : 'primary'} disabled=${busy} onClick=${() => void confirm()}>${confirmLabel ?? t('confirm.ok')}</button>
    </div>
  </dialog>`;
}
