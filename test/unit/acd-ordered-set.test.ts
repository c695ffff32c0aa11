/**
 * The ordered set (a treap) reuses the nodes of deleted values: whatever the order of adds and
 * deletes, it must hold exactly the values a sorted list would, with the same ranks and order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderedSet } from '../../src/acd/ordered-set.ts';

// Few distinct values, so that deletes mostly hit and runs of deletes (several spare nodes) are
// common.
const value = fc.integer({ min: 0, max: 12 });
const op = fc.oneof(fc.record({ add: value }), fc.record({ del: value }));

describe('OrderedSet with reused nodes', () => {
  it('agrees with a sorted list after any adds and deletes', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 300 }), (ops) => {
        const set = new OrderedSet<number>((a, b) => a - b);
        const list: number[] = [];
        for (const o of ops) {
          if ('add' in o) {
            if (list.includes(o.add)) continue; // distinct values only (the set's contract)
            set.add(o.add);
            list.push(o.add);
            list.sort((a, b) => a - b);
          } else {
            const had = list.includes(o.del);
            expect(set.delete(o.del)).toBe(had);
            if (had) list.splice(list.indexOf(o.del), 1);
          }
          expect(set.size).toBe(list.length);
        }
        // toStrictEqual: a stale node would show up as an extra `undefined`, which toEqual ignores.
        expect(set.values()).toStrictEqual(list);
        for (const [i, v] of list.entries()) expect(set.rank(v)).toBe(i);
        expect(set.min()).toBe(list[0]);
      }),
      { numRuns: 300 },
    );
  });

  it('lets go of deleted values (a spare node holds no value)', () => {
    const set = new OrderedSet<{ id: number }>((a, b) => a.id - b.id);
    const a = { id: 1 };
    set.add(a);
    set.delete(a);
    const spare = (set as unknown as { spare: { v: unknown } | null }).spare;
    expect(spare).not.toBeNull();
    expect(spare!.v).toBeUndefined();
    set.add({ id: 2 });
    expect((set as unknown as { spare: unknown }).spare).toBeNull();
    expect(set.values()).toStrictEqual([{ id: 2 }]);
  });
});
