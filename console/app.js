// @ts-check
/**
 * The console's shell: the login form, or the top bar, the nav of the pages the user's roles open
 * and the page named by the address (#/wallboard). The language and the session live here.
 */
import { html } from 'htm/preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { loadSession, logout, saveSession, whoAmI } from './api.js';
import { LoginForm } from './components/login-form.js';
import { NotAllowed } from './components/not-allowed.js';
import { TopBar } from './components/top-bar.js';
import { I18n, applyLocale, initialLocale, rememberLocale, translate, useI18n } from './i18n/index.js';
import { PAGES, mayOpen, pagesFor } from './pages/index.js';

/** @typedef {import('./api.js').Session} Session */
/** @typedef {import('./i18n/index.js').Locale} Locale */

function routeFromHash() {
  return location.hash.replace(/^#\/?/, '').split('/')[0] ?? '';
}

export function App() {
  const [locale, setLocale] = useState(initialLocale);
  const [session, setSession] = useState(loadSession);
  const [notice, setNotice] = useState(/** @type {{kind: 'expired'} | null} */ (null));
  const [route, setRoute] = useState(routeFromHash);

  const i18n = useMemo(
    () => ({
      locale,
      t: /** @type {import('./i18n/index.js').Translate} */ ((key, params) => translate(locale, key, params)),
      /** @param {Locale} l */
      setLocale: (l) => {
        rememberLocale(l);
        setLocale(l);
      },
    }),
    [locale],
  );
  useEffect(() => applyLocale(locale), [locale]);

  useEffect(() => {
    const onHash = () => setRoute(routeFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  /** @param {Session | null} s @param {{kind: 'expired'} | null} [why] */
  const changeSession = (s, why = null) => {
    saveSession(s);
    setSession(s);
    setNotice(why);
  };

  // A session kept from before a reload: the roles may have changed, the token may be gone.
  useEffect(() => {
    if (!session) return;
    whoAmI(session.token)
      .then((user) => (user ? changeSession({ ...session, user }) : changeSession(null, { kind: 'expired' })))
      .catch(() => undefined); // the server is away: keep the session, the page will say so
  }, []);

  const signOut = () => {
    if (session) void logout(session.token);
    changeSession(null);
  };

  return html`<${I18n.Provider} value=${i18n}>
    ${session
      ? html`<${Shell} session=${session} route=${route} onLogout=${signOut} onAuthLost=${() => changeSession(null, { kind: 'expired' })} />`
      : html`<${LoginForm} onLoggedIn=${(/** @type {Session} */ s) => changeSession(s)} notice=${notice} />`}
  <//>`;
}

/** @param {{session: Session, route: string, onLogout: () => void, onAuthLost: () => void}} props */
function Shell({ session, route, onLogout, onAuthLost }) {
  const { t } = useI18n();
  const allowed = pagesFor(session.user);
  const first = allowed[0];
  // No page named: the first one the user may open.
  useEffect(() => {
    if (!route && first) location.replace(`#/${first.id}`);
  }, [route, first]);

  const page = PAGES.find((p) => p.id === route);
  let body = null;
  if (route && !page) body = html`<p class="error" data-test="not-found">${t('notFound.page')}</p>`;
  else if (page && !mayOpen(page, session.user)) body = html`<${NotAllowed} why="page" />`;
  else if (page) body = html`<${page.component} session=${session} onAuthLost=${onAuthLost} />`;
  else if (!allowed.length) body = html`<${NotAllowed} why="none" />`;

  return html`<div class="shell">
    <${TopBar} user=${session.user} onLogout=${onLogout} />
    <div class="body">
      ${allowed.length > 0 &&
      html`<nav aria-label=${t('nav.label')} data-test="nav">
        <ul>
          ${allowed.map((p) => html`<li key=${p.id}><a href=${`#/${p.id}`} data-page=${p.id} aria-current=${p.id === route ? 'page' : undefined}>${t(p.titleKey)}</a></li>`)}
        </ul>
      </nav>`}
      <main data-page=${page && mayOpen(page, session.user) ? page.id : ''}>${body}</main>
    </div>
  </div>`;
}
