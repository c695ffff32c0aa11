// @ts-check
/**
 * Languages of the console: the two catalogues, the choice (remembered in localStorage, else the
 * browser's language), and t() through a context so that a switch re-renders every label. The
 * page's <html lang> and title follow the choice.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import enUS from './en-US.js';
import zhCN from './zh-CN.js';

/** @typedef {'zh-CN' | 'en-US'} Locale */
/** @typedef {keyof typeof enUS} MessageKey */
/** @typedef {(key: MessageKey, params?: Record<string, string | number>) => string} Translate */

/** @type {readonly Locale[]} */
export const LOCALES = ['zh-CN', 'en-US'];
/** @type {Record<Locale, Record<MessageKey, string>>} */
export const CATALOGUES = { 'en-US': enUS, 'zh-CN': zhCN };
export const LOCALE_STORAGE_KEY = 'switchboard.console.locale';

/** @param {unknown} v @returns {v is Locale} */
export function isLocale(v) {
  return typeof v === 'string' && /** @type {readonly string[]} */ (LOCALES).includes(v);
}

/** The remembered choice, else the first of the browser's languages we have, else English. */
export function initialLocale() {
  let stored = null;
  try {
    stored = localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    // Storage refused (privacy mode): the choice lasts as long as the page.
  }
  if (isLocale(stored)) return stored;
  for (const lang of navigator.languages ?? [navigator.language]) {
    if (lang.toLowerCase().startsWith('zh')) return 'zh-CN';
    if (lang.toLowerCase().startsWith('en')) return 'en-US';
  }
  return 'en-US';
}

/** @param {Locale} locale */
export function rememberLocale(locale) {
  try {
    localStorage.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // As above.
  }
}

/** @param {Locale} locale @param {MessageKey} key @param {Record<string, string | number>} [params] */
export function translate(locale, key, params) {
  const text = CATALOGUES[locale][key] ?? CATALOGUES['en-US'][key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** For keys built from data (a state, a role, a reason code): the label when the catalogue has
 * one, else the code itself.
 * @param {Translate} t @param {string} key @param {string} fallback @param {Record<string, string | number>} [params] */
export function tOr(t, key, fallback, params) {
  return key in enUS ? t(/** @type {MessageKey} */ (key), params) : fallback;
}

/** @param {Locale} locale */
export function applyLocale(locale) {
  document.documentElement.lang = locale;
  document.title = translate(locale, 'app.title');
}

/** @typedef {{locale: Locale, t: Translate, setLocale: (l: Locale) => void}} I18nValue */
/** @type {import('preact').Context<I18nValue>} */
export const I18n = createContext(/** @type {I18nValue} */ ({ locale: 'en-US', t: (k, p) => translate('en-US', k, p), setLocale: () => {} }));

export function useI18n() {
  return useContext(I18n);
}
