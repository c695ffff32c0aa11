/**
 * An ordered set (a treap with subtree sizes): insert, delete, rank and in-order scans from a
 * point, each O(log n) expected. The router uses it where a heap is not enough: round-robin pools
 * ("the first agent after the last one served", a successor query) and each queue's waiting
 * calls in queue order (a caller's position is a rank query).
 *
 * Trade-off: slower than the indexed heap by a constant (pointer chasing), so the hot
 * longest-idle/skill pools use the heap and only these two uses pay for it. Nodes of deleted
 * values are kept for the next insert (a set holds as many nodes as it ever held values at
 * once), so a set that only changes allocates nothing and leaves the collector nothing to move.
 * Node priorities come from a fixed-seed generator, so the shape (and speed) is reproducible.
 */

interface TreapNode<T> {
  v: T;
  l: TreapNode<T> | null;
  r: TreapNode<T> | null;
  p: number;
  n: number;
}

export class OrderedSet<T> {
  private root: TreapNode<T> | null = null;
  private seed = 0x2545f491;
  /** Nodes of deleted values, reused by `add`. */
  private spare: TreapNode<T> | null = null;

  /** `cmp` must be a strict total order over the values held (distinct values never compare 0). */
  constructor(private readonly cmp: (a: T, b: T) => number) {}

  get size(): number {
    return this.root?.n ?? 0;
  }

  add(v: T): void {
    let node = this.spare;
    if (node) {
      this.spare = node.r;
      node.v = v;
      node.r = null;
      node.p = this.rand();
      node.n = 1;
    } else node = { v, l: null, r: null, p: this.rand(), n: 1 };
    this.root = this.insert(this.root, node);
  }

  /** Removes the value equal (cmp 0) to `v`; false when none is held. */
  delete(v: T): boolean {
    const before = this.size;
    this.root = this.remove(this.root, v);
    return this.size < before;
  }

  /** Number of values strictly before `v`. */
  rank(v: T): number {
    let t = this.root;
    let k = 0;
    while (t) {
      const c = this.cmp(v, t.v);
      if (c < 0) t = t.l;
      else if (c > 0) {
        k += size(t.l) + 1;
        t = t.r;
      } else return k + size(t.l);
    }
    return k;
  }

  min(): T | undefined {
    let t = this.root;
    if (!t) return undefined;
    while (t.l) t = t.l;
    return t.v;
  }

  /**
   * Visits values in order, starting at the first value for which `from` is true (`from` must be
   * monotone: false … false true … true), or at the minimum when `from` is null. Stops when
   * `visit` returns false.
   */
  scan(from: ((v: T) => boolean) | null, visit: (v: T) => boolean): void {
    const stack: TreapNode<T>[] = [];
    let t = this.root;
    // Descend to the first qualifying value, keeping the path of nodes still to visit.
    while (t) {
      if (!from || from(t.v)) {
        stack.push(t);
        t = t.l;
      } else t = t.r;
    }
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (!visit(node.v)) return;
      let c = node.r;
      while (c) {
        stack.push(c);
        c = c.l;
      }
    }
  }

  values(): T[] {
    const out: T[] = [];
    this.scan(null, (v) => {
      out.push(v);
      return true;
    });
    return out;
  }

  clear(): void {
    this.root = null;
    this.spare = null;
  }

  private insert(t: TreapNode<T> | null, node: TreapNode<T>): TreapNode<T> {
    if (!t) return node;
    t.n++;
    if (this.cmp(node.v, t.v) < 0) {
      const l = (t.l = this.insert(t.l, node));
      if (l.p > t.p) return rotateRight(t);
    } else {
      const r = (t.r = this.insert(t.r, node));
      if (r.p > t.p) return rotateLeft(t);
    }
    return t;
  }

  private remove(t: TreapNode<T> | null, v: T): TreapNode<T> | null {
    if (!t) return null;
    const c = this.cmp(v, t.v);
    if (c === 0) {
      const rest = this.merge(t.l, t.r);
      // Kept for the next add: chained through `r`, the value let go.
      t.v = undefined as T;
      t.l = null;
      t.r = this.spare;
      this.spare = t;
      return rest;
    }
    if (c < 0) t.l = this.remove(t.l, v);
    else t.r = this.remove(t.r, v);
    t.n = 1 + size(t.l) + size(t.r);
    return t;
  }

  private merge(a: TreapNode<T> | null, b: TreapNode<T> | null): TreapNode<T> | null {
    if (!a) return b;
    if (!b) return a;
    if (a.p > b.p) {
      a.r = this.merge(a.r, b);
      a.n = 1 + size(a.l) + size(a.r);
      return a;
    }
    b.l = this.merge(a, b.l);
    b.n = 1 + size(b.l) + size(b.r);
    return b;
  }

  private rand(): number {
    // xorshift32: reproducible priorities.
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }
}

function size<T>(t: TreapNode<T> | null): number {
  return t ? t.n : 0;
}

function rotateRight<T>(t: TreapNode<T>): TreapNode<T> {
  const l = t.l!;
  t.l = l.r;
  l.r = t;
  l.n = t.n;
  t.n = 1 + size(t.l) + size(t.r);
  return l;
}

function rotateLeft<T>(t: TreapNode<T>): TreapNode<T> {
  const r = t.r!;
  t.r = r.l;
  r.l = t;
  r.n = t.n;
  t.n = 1 + size(t.l) + size(t.r);
  return r;
}
