// @ts-check
/**
 * The console's HTTP calls (POST /api/v1/auth/login, /me, /logout) and where the session is kept:
 * sessionStorage, so that a reload keeps it and closing the tab forgets it.
 */

/** @typedef {'agent' | 'supervisor' | 'qa' | 'admin'} Role */
/** @typedef {{id: number | string, username: string, displayName: string, roles: Role[]}} User */
/** @typedef {{token: string, user: User, expiresAt: string}} Session */
/** @typedef {{kind: 'invalid'} | {kind: 'rateLimited', seconds: number} | {kind: 'network'} | {kind: 'unexpected', status: number}} LoginFailure */

const SESSION_KEY = 'switchboard.console.session';

export class LoginError extends Error {
  /** @param {LoginFailure} failure */
  constructor(failure) {
    super(failure.kind);
    this.failure = failure;
  }
}

/** @param {string} username @param {string} password @returns {Promise<Session>} */
export async function login(username, password) {
  let res;
  try {
    res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  } catch {
    throw new LoginError({ kind: 'network' });
  }
  if (res.ok) return /** @type {Session} */ (await res.json());
  // A 400 is a form the schema refuses (e.g. an empty field): to the user, a wrong login.
  if (res.status === 401 || res.status === 400) throw new LoginError({ kind: 'invalid' });
  if (res.status === 429) throw new LoginError({ kind: 'rateLimited', seconds: Number(res.headers.get('retry-after') ?? 1) });
  throw new LoginError({ kind: 'unexpected', status: res.status });
}

/** The token's user now (roles may have changed), or null when the token is no longer valid.
 * @param {string} token @returns {Promise<User | null>} */
export async function whoAmI(token) {
  const res = await fetch('/api/v1/auth/me', { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`GET /api/v1/auth/me: HTTP ${res.status}`);
  return /** @type {{user: User}} */ (await res.json()).user;
}

/** @param {string} token */
export async function logout(token) {
  await fetch('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
}

/** @returns {Session | null} */
export function loadSession() {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? /** @type {Session} */ (JSON.parse(raw)) : null;
  } catch {
    return null;
  }
}

/** @param {Session | null} s */
export function saveSession(s) {
  if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION_KEY);
}
