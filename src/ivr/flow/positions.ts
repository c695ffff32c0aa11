/**
 * Where a value of a flow file is in its source: a path (`['nodes', 'menu', 'choices', '5']`) →
 * line and column (1-based), from the YAML document's ranges and a LineCounter. JSON files are
 * read by the same YAML parser (JSON is YAML 1.2), so they get positions too.
 *
 * A path that does not exist (a missing field) falls back to the nearest existing ancestor.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode, type Pair } from 'yaml';

export type PathSegment = string | number;

export interface Position {
  line: number;
  column: number;
}

export class Positions {
  constructor(
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter,
  ) {}

  /** Where the value at `path` starts (its key, with `key: true`: `menu:` rather than what follows). */
  at(path: readonly PathSegment[], opts: { key?: boolean } = {}): Position {
    const root = this.doc?.contents;
    if (!root) return { line: 1, column: 1 };
    let node: unknown = root;
    let pair: Pair | undefined;
    let found: { offset: number } | undefined = offsetOf(root);
    for (const seg of path) {
      pair = undefined;
      if (isMap(node)) {
        const p = node.items.find((it) => isPair(it) && keyText(it.key) === String(seg));
        if (!p) break;
        pair = p;
        node = p.value;
        found = offsetOf(p.value) ?? offsetOf(p.key) ?? found;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined) break;
        node = item;
        found = offsetOf(item) ?? found;
      } else break;
    }
    const last = path.length > 0 ? path[path.length - 1] : undefined;
    if (opts.key && pair && keyText(pair.key) === String(last)) found = offsetOf(pair.key) ?? found;
    return found ? this.pos(found.offset) : { line: 1, column: 1 };
  }

  pos(offset: number): Position {
    const lp = this.lines.linePos(offset);
    return { line: lp.line, column: lp.col };
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

function offsetOf(node: unknown): { offset: number } | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? { offset: range[0] } : undefined;
}
