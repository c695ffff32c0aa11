/**
 * A binary min-heap whose entries are handles that remember their own slot, so an entry can be
 * removed or re-sifted in O(log n) without a search. The router keeps one handle per membership
 * (an agent in a lane's bucket, a call in a sub-queue), allocated once, so toggling an agent free
 * and busy allocates nothing.
 *
 * Trade-off: a heap gives only the minimum cheaply. Ordered traversal (needed to skip the few
 * agents excluded from a call, or to list the top three for an explanation) is a best-first walk
 * over the heap's tree: O(k log k) for the first k entries, which stays small because k is.
 */

export interface HeapNode<T> {
  readonly value: T;
  /** Slot in the heap's array, -1 while not in a heap. */
  index: number;
}

export function heapNode<T>(value: T): HeapNode<T> {
  return { value, index: -1 };
}

export class IndexedHeap<T> {
  private readonly items: HeapNode<T>[] = [];

  /** `less(a, b)`: a comes first. Must be a strict total order over the values held. */
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0]?.value;
  }

  push(node: HeapNode<T>): void {
    node.index = this.items.length;
    this.items.push(node);
    this.up(node.index);
  }

  /** Removes `node` if it is in this heap. */
  remove(node: HeapNode<T>): void {
    const i = node.index;
    if (i < 0 || this.items[i] !== node) return;
    const last = this.items.pop()!;
    node.index = -1;
    if (last === node) return;
    this.items[i] = last;
    last.index = i;
    this.up(i);
    this.down(last.index);
  }

  /** Restores order after the node's value changed its key. */
  update(node: HeapNode<T>): void {
    if (node.index < 0 || this.items[node.index] !== node) return;
    this.up(node.index);
    this.down(node.index);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (!top) return undefined;
    this.remove(top);
    return top.value;
  }

  /**
   * Up to `k` values in heap order, skipping those `skip` rejects (best-first walk; the heap is
   * not changed). With no skip and k = 1 this is `peek`.
   */
  firstK(k: number, skip?: (v: T) => boolean): T[] {
    const out: T[] = [];
    const items = this.items;
    if (items.length === 0 || k <= 0) return out;
    if (!skip && k === 1) return [items[0]!.value];
    const frontier: number[] = [0];
    while (frontier.length > 0 && out.length < k) {
      // Frontier is tiny (≤ 2k + skipped), so a linear pick of its best is fine.
      let bi = 0;
      for (let j = 1; j < frontier.length; j++) if (this.less(items[frontier[j]!]!.value, items[frontier[bi]!]!.value)) bi = j;
      const i = frontier[bi]!;
      frontier[bi] = frontier[frontier.length - 1]!;
      frontier.pop();
      const v = items[i]!.value;
      if (!skip || !skip(v)) out.push(v);
      const l = 2 * i + 1;
      if (l < items.length) frontier.push(l);
      if (l + 1 < items.length) frontier.push(l + 1);
    }
    return out;
  }

  /** Every value, in no particular order. */
  values(): T[] {
    return this.items.map((n) => n.value);
  }

  clear(): void {
    for (const n of this.items) n.index = -1;
    this.items.length = 0;
  }

  private up(i: number): void {
    const items = this.items;
    const node = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!this.less(node.value, parent.value)) break;
      items[i] = parent;
      parent.index = i;
      i = p;
    }
    items[i] = node;
    node.index = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const node = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(items[r]!.value, items[l]!.value) ? r : l;
      const child = items[c]!;
      if (!this.less(child.value, node.value)) break;
      items[i] = child;
      child.index = i;
      i = c;
    }
    items[i] = node;
    node.index = i;
  }
}
