/**
 * The console's two catalogues (console/i18n/): the same keys, the same placeholders, nothing
 * empty, and nothing left in English in the Chinese one — except the few values that are the same
 * in every language (each language's own name). That every key the console uses exists is the
 * console's type check (console/tsconfig.json: t() takes only catalogue keys).
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const I18N = join(import.meta.dirname, '..', '..', 'console', 'i18n');
type Catalogue = Record<string, string>;
const load = async (locale: string): Promise<Catalogue> => ((await import(pathToFileURL(join(I18N, `${locale}.js`)).href)) as { default: Catalogue }).default;

/** Keys whose value is rightly the same in both: a language is named in itself in the switch. */
const SAME_IN_ALL = new Set(['locale.en-US', 'locale.zh-CN']);
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const HAN = /\p{Script=Han}/u;

describe('console message catalogues', async () => {
  const en = await load('en-US');
  const zh = await load('zh-CN');

  it('have the same keys', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty label', () => {
    for (const [locale, cat] of [['en-US', en], ['zh-CN', zh]] as const) {
      for (const [k, v] of Object.entries(cat)) expect(v.trim(), `${locale} ${k}`).not.toBe('');
    }
  });

  it('leave nothing of the English untranslated in the Chinese', () => {
    const left = Object.keys(en).filter((k) => !SAME_IN_ALL.has(k) && (zh[k] === en[k] || !HAN.test(zh[k] ?? '')));
    expect(left).toEqual([]);
  });

  it('fill the same placeholders in both languages', () => {
    for (const k of Object.keys(en)) expect(placeholders(zh[k] ?? ''), k).toEqual(placeholders(en[k]!));
  });

  it('print every service level formula as the reports do (the wallboard\'s tooltips)', async () => {
    const { SL_FORMULA_IDS, kpiConfig, printFormula } = await import('../../src/reports/kpi.ts');
    const { formulaText } = await import('../../src/reports/formula-text.ts');
    const fill = (s: string) => s.replaceAll('{t}', '20').replaceAll('{s}', '5');
    for (const id of SL_FORMULA_IDS) {
      const printed = printFormula(kpiConfig({ formula: id, serviceLevelSeconds: 20, shortAbandonSeconds: 5 }));
      expect(fill(en[`wallboard.formula.${id}`] ?? ''), id).toBe(printed);
      expect(fill(zh[`wallboard.formula.${id}`] ?? ''), id).toBe(formulaText(printed, 'zh-CN'));
    }
  });
});
