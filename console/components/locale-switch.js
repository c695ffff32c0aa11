// @ts-check
/** The language switch: each language named in itself (中文, English), on every screen. */
import { html } from 'htm/preact';
import { LOCALES, isLocale, translate, useI18n } from '../i18n/index.js';

export function LocaleSwitch() {
  const { locale, t, setLocale } = useI18n();
  /** @param {Event} e */
  const change = (e) => {
    const v = /** @type {HTMLSelectElement} */ (e.currentTarget).value;
    if (isLocale(v)) setLocale(v);
  };
  return html`<label class="locale-switch">
    <span>${t('locale.label')}</span>
    <select name="locale" data-test="locale-switch" value=${locale} onChange=${change}>
      ${LOCALES.map((l) => html`<option key=${l} value=${l} lang=${l}>${translate(l, `locale.${l}`)}</option>`)}
    </select>
  </label>`;
}
