// @ts-check
/** The login form: POST /api/v1/auth/login; the failure shown in the form, in the chosen language. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { LoginError, login } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { LocaleSwitch } from './locale-switch.js';

/** @typedef {import('../api.js').Session} Session */
/** @typedef {import('../api.js').LoginFailure | {kind: 'expired'}} Notice */

/** @param {{onLoggedIn: (s: Session) => void, notice: Notice | null}} props */
export function LoginForm({ onLoggedIn, notice }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(/** @type {Notice | null} */ (notice));

  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      onLoggedIn(await login(username.trim(), password));
    } catch (err) {
      setFailure(err instanceof LoginError ? err.failure : { kind: 'network' });
      setBusy(false);
    }
  };

  /** @param {Notice} f */
  const message = (f) => {
    switch (f.kind) {
      case 'invalid':
        return t('login.error.invalid');
      case 'rateLimited':
        return t('login.error.rateLimited', { seconds: f.seconds });
      case 'network':
        return t('login.error.network');
      case 'expired':
        return t('login.error.expired');
      case 'unexpected':
        return t('login.error.unexpected', { status: f.status });
    }
  };

  /** @param {(v: string) => void} set */
  const bind = (set) => (/** @type {Event} */ e) => set(/** @type {HTMLInputElement} */ (e.currentTarget).value);

  return html`<div class="login-page">
    <div class="login-locale"><${LocaleSwitch} /></div>
    <form class="login-form" data-test="login-form" onSubmit=${submit}>
      <h1>${t('login.heading')}</h1>
      <label>
        <span>${t('login.username')}</span>
        <input name="username" autocomplete="username" required value=${username} onInput=${bind(setUsername)} />
      </label>
      <label>
        <span>${t('login.password')}</span>
        <input name="password" type="password" autocomplete="current-password" required value=${password} onInput=${bind(setPassword)} />
      </label>
      ${failure && html`<p class="error" role="alert" data-test="login-error">${message(failure)}</p>`}
      <button type="submit" disabled=${busy}>${busy ? t('login.submitting') : t('login.submit')}</button>
    </form>
  </div>`;
}
