// @ts-check
/**
 * Legal hold of one recording (PUT …/legal-hold; supervisor and admin): the state for everyone,
 * the switch and an optional reason (written in the audit row) for those who may change it, each
 * change asked first in the confirm dialog.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useConfirm } from '../components/confirm-dialog.js';
import { useI18n } from '../i18n/index.js';
import { setLegalHold } from './recordings-api.js';

/**
 * @param {object} props
 * @param {import('./recordings-api.js').Recording} props.recording
 * @param {import('../api.js').Session} props.session
 * @param {boolean} props.canHold
 * @param {(r: import('./recordings-api.js').Recording) => void} props.onChanged
 */
export function LegalHold({ recording, session, canHold, onChanged }) {
  const { t } = useI18n();
  const [ask, dialog] = useConfirm();
  const [reason, setReason] = useState('');
  const on = recording.legalHold;

  const toggle = () =>
    ask(
      {
        title: t(on ? 'recordings.hold.confirmOffTitle' : 'recordings.hold.confirmOnTitle'),
        message: t(on ? 'recordings.hold.confirmOff' : 'recordings.hold.confirmOn', { caller: recording.caller, id: recording.id }),
        confirmLabel: t(on ? 'recordings.hold.release' : 'recordings.hold.place'),
        danger: on,
        test: 'hold-confirm',
      },
      async () => {
        const r = await setLegalHold(recording.id, !on, reason.trim(), session.token);
        setReason('');
        onChanged({ ...recording, legalHold: r.legalHold });
      },
    );

  return html`<div class="legal-hold" data-test="legal-hold" data-hold=${String(on)}>
    <span class=${on ? 'hold-badge hold-on' : 'hold-badge'}>${t(on ? 'recordings.hold.on' : 'recordings.hold.off')}</span>
    ${canHold &&
    html`<input
        type="text"
        maxlength="500"
        data-test="hold-reason"
        placeholder=${t('recordings.hold.reason')}
        aria-label=${t('recordings.hold.reason')}
        value=${reason}
        onInput=${(/** @type {Event} */ e) => setReason(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
      />
      <button type="button" data-test="hold-toggle" onClick=${toggle}>${t(on ? 'recordings.hold.release' : 'recordings.hold.place')}</button>`}
    ${dialog}
  </div>`;
}
