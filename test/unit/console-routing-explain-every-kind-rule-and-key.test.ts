/**
 * The Routing page's words for the ACD's explanations (console/pages/routing-explain.js): every
 * rule the router can name (KEY_NAMES of src/acd/types.ts), every sort key, every trigger (the
 * RouterEvent kinds), every effect kind, leave reason and target kind has its label in both
 * languages, and each reason sentence comes out filled (the winner, the count, the key's value;
 * no placeholder left). A rule or key added to the router without words here fails this test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KEY_NAMES } from '../../src/acd/types.ts';

const ROOT = join(import.meta.dirname, '..', '..');
type Catalogue = Record<string, string>;
type Translate = (key: string, params?: Record<string, string | number>) => string;
const load = async (locale: string): Promise<Catalogue> => ((await import(pathToFileURL(join(ROOT, 'console', 'i18n', `${locale}.js`)).href)) as { default: Catalogue }).default;
const explain = (await import(pathToFileURL(join(ROOT, 'console', 'pages', 'routing-explain.js')).href)) as {
  reasonText(t: Translate, ex: object, agent: string | null): string;
  stepText(t: Translate, ex: object): string;
  targetText(t: Translate, target: object | undefined): string;
  keyValue(t: Translate, name: string, v: number | string): string;
};

const translator = (cat: Catalogue): Translate => (key, params) => {
  const text = cat[key];
  if (text === undefined) throw new Error(`no label ${key}`);
  return params ? text.replace(/\{(\w+)\}/g, (m, n: string) => (n in params ? String(params[n]) : m)) : text;
};

/** The RouterEvent kinds, read from the router's types (they are types only, not values). */
const TYPES = readFileSync(join(ROOT, 'src', 'acd', 'types.ts'), 'utf8');
const TRIGGERS = [...TYPES.slice(TYPES.indexOf('export type RouterEvent'), TYPES.indexOf('export type Effect')).matchAll(/kind: '(\w+)'/g)].map((m) => m[1]!);
const EFFECTS = [...TYPES.slice(TYPES.indexOf('export type Effect'), TYPES.indexOf('export type LeaveReason')).matchAll(/kind: '(\w+)'/g)].map((m) => m[1]!);

describe.each(['en-US', 'zh-CN'])('routing explanations in %s', async (locale) => {
  const cat = await load(locale);
  const t = translator(cat);

  it('name every rule, key, trigger, leave reason and effect kind', () => {
    expect(TRIGGERS).toContain('callQueued');
    expect(EFFECTS).toEqual(['assign', 'moved', 'fallback', 'unroutable']);
    for (const rule of Object.keys(KEY_NAMES)) expect(cat[`routing.rule.${rule}`], rule).toBeTruthy();
    for (const key of new Set(Object.values(KEY_NAMES).flat())) expect(cat[`routing.key.${key}`], key).toBeTruthy();
    for (const trigger of TRIGGERS) expect(cat[`routing.trigger.${trigger}`], trigger).toBeTruthy();
    for (const reason of ['overflow', 'maxWait']) expect(cat[`routing.leave.${reason}`], reason).toBeTruthy();
    expect(cat['routing.unroutable.unknownQueue']).toBeTruthy();
    for (const kind of EFFECTS) expect(cat[`routing.decision.${kind}`], kind).toBeTruthy();
  });

  it('give each rule its reason, filled', () => {
    const base = { trigger: 'callQueued', queue: 'sales', lane: 'sales', step: -1, relaxBy: 0, considered: 3, winner: 'a1003', tieBreak: 'idleSince' };
    const keys: Record<string, (number | string)[]> = {
      longestIdle: [1764410400012, 'a1003'],
      skillBased: [4, 1764410400012, 'a1003'],
      roundRobin: [0, 2, 'a1003'],
      linear: [2, 'a1003'],
      leastBusy: [7, 1764410400012, 'a1003'],
      preferredAgent: ['a1003'],
    };
    const seen = new Set<string>();
    for (const [rule, key] of Object.entries(keys)) {
      const ex = { ...base, direction: 'callToAgent', rule, top: [{ id: 'a1003', key }], keyNames: KEY_NAMES[rule as keyof typeof KEY_NAMES] };
      const text = explain.reasonText(t, ex, 'a1003');
      expect(text, rule).toContain('a1003');
      expect(text, rule).not.toMatch(/[{}]|—/);
      seen.add(text);
    }
    expect(explain.reasonText(t, { ...base, direction: 'callToAgent', rule: 'skillBased', top: [{ id: 'a1003', key: keys.skillBased }], keyNames: KEY_NAMES.skillBased }, 'a1003')).toContain('4');
    // A freed agent: the call held for them, or the fairest queue head (weighted wait in seconds).
    const fair = { ...base, direction: 'agentToCall', rule: 'fairness', winner: 'call-9', top: [{ id: 'call-9', key: [0, 12_345, 1764410400012, 17] }], keyNames: KEY_NAMES.fairness };
    const fairText = explain.reasonText(t, fair, 'a1004');
    expect(fairText).toContain('a1004');
    expect(fairText).toContain('12.3');
    const held = explain.reasonText(t, { ...fair, rule: 'preferredAgent' }, 'a1004');
    expect(held).toContain('a1004');
    seen.add(fairText).add(held);
    expect(seen.size).toBe(8);
    // A rule this console does not know is still said, by its code.
    expect(explain.reasonText(t, { ...base, direction: 'callToAgent', rule: 'newRule', top: [{ id: 'a1003', key: [] }], keyNames: [] }, 'a1003')).toContain('newRule');
  });

  it('say the time-based steps, the targets and the key values', () => {
    const texts = [
      explain.stepText(t, { step: -1, relaxBy: 0 }),
      explain.stepText(t, { step: 0, relaxBy: 0 }),
      explain.stepText(t, { step: 1, relaxBy: 2 }),
      explain.stepText(t, { step: -1, relaxBy: 1 }),
    ];
    expect(new Set(texts).size).toBe(4);
    expect(texts[2]).toContain('2');
    for (const s of texts) expect(s).not.toMatch(/[{}]/);
    expect(explain.targetText(t, { kind: 'queue', queue: 'support' })).toContain('support');
    expect(explain.targetText(t, { kind: 'ivr', flow: 'main' })).toContain('main');
    expect(explain.targetText(t, { kind: 'voicemail', mailbox: '8120' })).toContain('8120');
    expect(explain.targetText(t, { kind: 'number', number: '13912345678' })).toContain('13912345678');
    expect(explain.keyValue(t, 'wrapped', 1)).toBe(cat['routing.key.wrapped.yes']);
    expect(explain.keyValue(t, 'wrapped', 0)).toBe(cat['routing.key.wrapped.no']);
    expect(explain.keyValue(t, 'idleSince', Date.UTC(2026, 0, 2, 3, 4, 5))).toMatch(/\d\d:\d\d:\d\d$/);
    expect(explain.keyValue(t, 'agentId', 'a1001')).toBe('a1001');
    expect(explain.keyValue(t, 'skillScore', 4)).toBe('4');
  });
});
