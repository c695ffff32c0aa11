// @ts-check
/**
 * The console's pages and the roles that open each (docs/console.md). The nav shows a user only
 * the pages their roles open; a page opened by address without the role shows "not allowed".
 * The daemon enforces the same roles on every API call: this is presentation, not security.
 */
import { Ivr } from './ivr.js';
import { Recordings } from './recordings.js';
import { Reports } from './reports.js';
import { Routing } from './routing.js';
import { Wallboard } from './wallboard.js';

/** @typedef {import('../api.js').Role} Role */
/** @typedef {import('../api.js').User} User */
/** @typedef {import('../i18n/index.js').MessageKey} MessageKey */
/**
 * @typedef {object} PageProps
 * @property {import('../api.js').Session} session
 * @property {() => void} onAuthLost
 */
/** @typedef {{id: string, roles: readonly Role[], titleKey: MessageKey, component: import('preact').FunctionComponent<PageProps>}} Page */

/** @type {readonly Page[]} */
export const PAGES = [
  { id: 'wallboard', roles: ['supervisor', 'admin'], titleKey: 'page.wallboard.title', component: Wallboard },
  { id: 'recordings', roles: ['qa', 'supervisor', 'admin'], titleKey: 'page.recordings.title', component: Recordings },
  { id: 'reports', roles: ['supervisor', 'admin'], titleKey: 'page.reports.title', component: Reports },
  { id: 'ivr', roles: ['admin', 'supervisor'], titleKey: 'page.ivr.title', component: Ivr },
  { id: 'routing', roles: ['supervisor', 'admin'], titleKey: 'page.routing.title', component: Routing },
];

/** @param {Page} page @param {User} user */
export function mayOpen(page, user) {
  return page.roles.some((r) => user.roles.includes(r));
}

/** @param {User} user */
export function pagesFor(user) {
  return PAGES.filter((p) => mayOpen(p, user));
}
