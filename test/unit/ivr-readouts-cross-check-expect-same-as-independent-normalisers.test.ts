/**
 * The read-outs of whole numbers cross-checked against two normalisers we did not write, on
 * random numbers (fast-check): `nzh` (Chinese numerals: 万/亿 grouping, 零 runs, 十 at the start)
 * and `number-to-words` (English cardinals). Where the two differ from us on purpose, the
 * difference is written out: nzh says 二 where a person says 两 before 百/千/万/亿 (two hundred 两百),
 * and in a 万 or 亿 group after 零 it drops the 一 of 一十 (…亿零十万, though it says 一千零一十 itself),
 * where we keep 一十 after 零 as the contract's 1010 一千零一十 does; number-to-words puts commas
 * between groups.
 *
 * This check found a real mistake: 201000 was read 二十万零一千 (the zero at the end of the 万 group
 * read as a skipped place); a person, and nzh, says 二十万一千.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readOut } from '../../src/ivr/readouts/index.ts';

const require = createRequire(import.meta.url);
const Nzh = require('nzh') as { cn: { encodeS(n: number | string): string } };
const n2w = require('number-to-words') as { toWords(n: number): string };

/** Whole numbers of every size up to 10^15, small ones more often (where the 零/十 rules bite). */
const wholeNumbers = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 0, max: 10 ** 15 }));

describe('read-outs against independent normalisers', () => {
  it('zh-CN numbers read as nzh reads them, but for 两 where a person says it', () => {
    fc.assert(
      fc.property(wholeNumbers, (n) => {
        const ours = readOut('zh-CN', 'number', String(n)).text;
        const same = (t: string) => t.replaceAll('零一十', '零十');
        expect(same(ours.replaceAll('两', '二'))).toBe(same(Nzh.cn.encodeS(n)));
        // 两 only where it stands for a leading 2 before 百/千/万/亿.
        for (const m of ours.matchAll(/两/g)) expect(ours[m.index + 1]).toMatch(/[百千万亿]/);
      }),
      { numRuns: 3000 },
    );
  });

  it('en-US numbers read as number-to-words reads them, without its commas', () => {
    fc.assert(
      fc.property(wholeNumbers, (n) => {
        expect(readOut('en-US', 'number', String(n)).text).toBe(n2w.toWords(n).replaceAll(',', ''));
      }),
      { numRuns: 3000 },
    );
  });
});
