// @ts-check
/** The bar above every page: who is signed in and with which roles, the language, sign-out. */
import { html } from 'htm/preact';
import { tOr, useI18n } from '../i18n/index.js';
import { LocaleSwitch } from './locale-switch.js';

/** @param {{user: import('../api.js').User, onLogout: () => void}} props */
export function TopBar({ user, onLogout }) {
  const { t } = useI18n();
  return html`<header class="top-bar">
    <span class="app-title">${t('app.title')}</span>
    <span class="user" data-test="user">
      <span class="caption">${t('topbar.user')}</span>
      <strong>${user.displayName}</strong> <span class="username">(${user.username})</span>
    </span>
    <span class="roles" data-test="roles">
      <span class="caption">${t('topbar.roles')}</span>
      ${user.roles.map((r) => html`<span key=${r} class="role" data-role=${r}>${tOr(t, `role.${r}`, r)}</span>`)}
    </span>
    <${LocaleSwitch} />
    <button type="button" class="logout" data-test="logout" onClick=${onLogout}>${t('topbar.logout')}</button>
  </header>`;
}
