// @ts-check
/** What a user sees where their roles do not reach: a page they may not open, or no page at all. */
import { html } from 'htm/preact';
import { useI18n } from '../i18n/index.js';

/** @param {{why: 'page' | 'none'}} props */
export function NotAllowed({ why }) {
  const { t } = useI18n();
  return html`<section class="not-allowed" data-test="not-allowed" data-why=${why}>
    <h2>${t('notAllowed.title')}</h2>
    <p>${why === 'page' ? t('notAllowed.page') : t('notAllowed.none')}</p>
  </section>`;
}
