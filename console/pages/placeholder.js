// @ts-check
/** A page still to be built: its title and what it will hold. */
import { html } from 'htm/preact';
import { useI18n } from '../i18n/index.js';

/** @typedef {import('../i18n/index.js').MessageKey} MessageKey */

/** @param {MessageKey} titleKey @param {MessageKey} textKey */
export function placeholder(titleKey, textKey) {
  return function Placeholder() {
    const { t } = useI18n();
    return html`<section class="placeholder">
      <h2>${t(titleKey)}</h2>
      <p class="soon">${t('page.placeholder.soon')}</p>
      <p>${t(textKey)}</p>
    </section>`;
  };
}
