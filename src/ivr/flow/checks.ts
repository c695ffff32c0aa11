/**
 * The static checks of a flow that passed the schema: what a schema cannot say. Each finds one
 * kind of mistake before a caller does (docs/ivr.md, "Flow files", lists them with an example
 * message each):
 *
 * - START_MISSING: `start` names no node.
 * - DANGLING_TARGET: a target field names no node (every target field: graph.ts `edges`).
 * - UNREACHABLE: a node no path from `start` leads to.
 * - COLLECT_LENGTHS: a collect's minLength above its maxLength, or 0 without a terminator (no
 *   empty input can ever be given).
 * - UNBOUNDED_LOOP: a cycle with no node that waits for the caller (menu, collect, voicemail) and
 *   no node with maxVisits — it would spin for ever; the cycle's nodes are named in order.
 * - UNKNOWN_PROMPT, PROMPT_MISSING_LANGUAGE: a prompt played that is not in the catalogue, or
 *   lacks one of the flow's languages; UNUSED_PROMPT (a warning): a prompt never played.
 * - LANGUAGE_NOT_IN_FLOW: a language node switching to a language the prompts are not in.
 * - BAD_TEMPLATE: a `${…}` that is not `${name}`.
 * - VAR_READ_BEFORE_SET: a template or a condition reads a variable that is not built in and
 *   not set on every path from `start` (a forward must-analysis over the graph; edge-specific:
 *   `found` of lookupCustomer/query sets `<into>.*`, `notFound` does not; a branch case
 *   `{var: x, set: true}` sets x on its `then`; `onMaxVisits` sets nothing, the node did not run).
 */
import { conditionReads, edgeSets, edges, promptUses, templateFields, waitsForCaller, type Edge } from './graph.ts';
import type { Positions, PathSegment } from './positions.ts';
import type { FlowProblem, ProblemCode, Severity } from './problems.ts';
import { covered, isAlwaysSet, parseTemplate } from './templates.ts';
import type { FlowDefinition, FlowNode } from './types.ts';

export interface CheckContext {
  file: string;
  positions: Positions;
}

export function checkFlow(def: FlowDefinition, ctx: CheckContext): FlowProblem[] {
  const out: FlowProblem[] = [];
  const report = (code: ProblemCode, path: PathSegment[], message: string, opts: { node?: string; key?: boolean; severity?: Severity } = {}): void => {
    out.push({
      file: ctx.file,
      ...ctx.positions.at(path, { key: opts.key ?? false }),
      ...(opts.node !== undefined ? { node: opts.node } : {}),
      code,
      severity: opts.severity ?? 'error',
      message,
    });
  };
  const fieldPath = (node: string, field: string): PathSegment[] => ['nodes', node, ...(field ? field.split('.') : [])];
  const nodes = def.nodes;
  const names = Object.keys(nodes);
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(nodes, name);

  // The start, dangling targets.
  const startOk = has(def.start);
  if (!startOk) report('START_MISSING', ['start'], `start "${def.start}" is not a node`);
  for (const name of names) {
    for (const e of edges(nodes[name]!)) {
      if (!has(e.target)) report('DANGLING_TARGET', fieldPath(name, e.field), `${e.field} leads to "${e.target}", which is not a node`, { node: name });
    }
  }

  // Reachability.
  const reachable = new Set<string>();
  if (startOk) {
    const todo = [def.start];
    reachable.add(def.start);
    while (todo.length > 0) {
      const n = todo.pop()!;
      for (const e of edges(nodes[n]!)) {
        if (has(e.target) && !reachable.has(e.target)) {
          reachable.add(e.target);
          todo.push(e.target);
        }
      }
    }
    for (const name of names) {
      if (!reachable.has(name)) report('UNREACHABLE', fieldPath(name, ''), `is never reached: no path from start "${def.start}" leads here`, { node: name, key: true });
    }
  }

  // Node-local checks.
  const used = new Set<string>();
  for (const name of names) {
    const node = nodes[name]!;
    if (node.type === 'collect' && node.minLength > node.maxLength) {
      report('COLLECT_LENGTHS', fieldPath(name, 'minLength'), `minLength ${node.minLength} is greater than maxLength ${node.maxLength}`, { node: name });
    }
    if (node.type === 'collect' && node.minLength === 0 && node.terminator === undefined) {
      report('COLLECT_LENGTHS', fieldPath(name, 'minLength'), 'minLength 0 needs a terminator: without one an empty input cannot be keyed', { node: name });
    }
    if (node.type === 'language' && !def.languages.includes(node.lang)) {
      report('LANGUAGE_NOT_IN_FLOW', fieldPath(name, 'lang'), `switches to ${node.lang}, which is not one of the flow's languages (${def.languages.join(', ')})`, { node: name });
    }
    for (const u of promptUses(node)) {
      used.add(u.name);
      if (!Object.prototype.hasOwnProperty.call(def.prompts, u.name)) {
        report('UNKNOWN_PROMPT', fieldPath(name, u.field), `${u.field} plays prompt "${u.name}", which is not in prompts`, { node: name });
      }
    }
    for (const t of templateFields(node)) {
      for (const err of parseTemplate(t.value).errors) report('BAD_TEMPLATE', fieldPath(name, t.field), `${t.field}: ${err}`, { node: name });
    }
  }

  // Prompts: every prompt played has every language of the flow; one never played is a warning.
  for (const [pname, prompt] of Object.entries(def.prompts)) {
    if (!used.has(pname)) {
      report('UNUSED_PROMPT', ['prompts', pname], `prompt "${pname}" is never played`, { key: true, severity: 'warning' });
      continue;
    }
    for (const lang of def.languages) {
      const t = prompt[lang];
      const text = typeof t === 'string' ? t : t?.file === undefined ? t?.text : undefined;
      if (text === undefined) continue;
      const spoken = typeof t === 'object' && t.lang ? t.lang : lang;
      // Speech is given normalised text only: a digit may be read in another language (and a
      // Mandarin voice reads Latin letters as pinyin).
      if (/[0-9０-９]/.test(text)) {
        report('PROMPT_DIGITS', ['prompts', pname, lang], `prompt "${pname}" (${lang}) has digits in its text: write them as words (按一, press one) or read values with a say node`, { key: true });
      }
      if (spoken === 'zh-CN' && /[A-Za-z]{2,}/.test(text)) {
        report('PROMPT_LATIN_IN_MANDARIN', ['prompts', pname, lang], `prompt "${pname}" (${lang}) has Latin words in Mandarin text, which the Mandarin voice reads as pinyin: give that part its own prompt with lang: en-US`, { key: true, severity: 'warning' });
      }
    }
    const missing = def.languages.filter((l) => prompt[l] === undefined);
    if (missing.length > 0) {
      report('PROMPT_MISSING_LANGUAGE', ['prompts', pname], `prompt "${pname}" has no ${missing.join(', ')} text; the flow's languages are ${def.languages.join(', ')}`, { key: true });
    }
  }

  // Loops that never wait for the caller and have no maxVisits.
  for (const cycle of unboundedCycles(def)) {
    report('UNBOUNDED_LOOP', fieldPath(cycle[0]!, ''), `loop ${[...cycle, cycle[0]].join(' → ')} never waits for the caller (menu, collect, voicemail) and has no maxVisits: it could run for ever; give one of its nodes maxVisits and onMaxVisits`, { node: cycle[0]!, key: true });
  }

  // Variables read before they are set.
  if (startOk) {
    const inSets = definitelySet(def, reachable);
    for (const name of names) {
      const facts = inSets.get(name);
      if (!facts) continue;
      const node = nodes[name]!;
      const reads: { field: string; name: string }[] = [
        ...templateFields(node).flatMap((t) => parseTemplate(t.value).vars.map((v) => ({ field: t.field, name: v }))),
        ...conditionReads(node).filter((c) => !c.setTest),
      ];
      const said = new Set<string>();
      for (const r of reads) {
        if (isAlwaysSet(r.name) || covered(r.name, facts) || said.has(`${r.field}\0${r.name}`)) continue;
        said.add(`${r.field}\0${r.name}`);
        const path = unsetPath(def, name, r.name);
        report('VAR_READ_BEFORE_SET', fieldPath(name, r.field), `${r.field} reads "${r.name}", which is not set on every path from the start${path ? `: not on ${path}` : ''}`, { node: name });
      }
    }
  }
  return out;
}

/** Variables set on an edge: the node's own sets for that edge. */
function edgeFacts(node: FlowNode, e: Edge): string[] {
  return edgeSets(node, e.field);
}

/**
 * For each reachable node, the variables set on every path from the start to it (names and
 * `<prefix>.*`). Forward must-analysis: IN(start) = ∅, IN(n) = ∩ over incoming edges of
 * (IN(pred) ∪ sets(edge)); iterated from "everything" down to the fixpoint.
 */
export function definitelySet(def: FlowDefinition, reachable: ReadonlySet<string>): Map<string, Set<string>> {
  const ins = new Map<string, Set<string>>();
  ins.set(def.start, new Set());
  const todo: string[] = [def.start];
  const queued = new Set(todo);
  while (todo.length > 0) {
    const n = todo.shift()!;
    queued.delete(n);
    const node = def.nodes[n]!;
    const here = ins.get(n)!;
    for (const e of edges(node)) {
      if (!reachable.has(e.target)) continue;
      const out = new Set(here);
      for (const f of edgeFacts(node, e)) out.add(f);
      const before = ins.get(e.target);
      const next = before === undefined ? out : meet(before, out);
      if (before === undefined || !sameSet(before, next)) {
        ins.set(e.target, next);
        if (!queued.has(e.target)) {
          queued.add(e.target);
          todo.push(e.target);
        }
      }
    }
  }
  return ins;
}

/** What is set on both sides: a name is set where the other side has it or its `<prefix>.*`. */
function meet(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const f of a) if (b.has(f) || (!f.endsWith('.*') && covered(f, b))) out.add(f);
  for (const f of b) if (!f.endsWith('.*') && covered(f, a)) out.add(f);
  return out;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((f) => b.has(f));
}

/** A path from the start to `to` along which `name` is never set, for the message. */
function unsetPath(def: FlowDefinition, to: string, name: string): string | undefined {
  const prev = new Map<string, { from: string; field: string } | null>([[def.start, null]]);
  const todo = [def.start];
  while (todo.length > 0) {
    const n = todo.shift()!;
    if (n === to) break;
    const node = def.nodes[n]!;
    for (const e of edges(node)) {
      if (prev.has(e.target) || def.nodes[e.target] === undefined) continue;
      if (covered(name, new Set(edgeFacts(node, e)))) continue;
      prev.set(e.target, { from: n, field: e.field });
      todo.push(e.target);
    }
  }
  if (!prev.has(to)) return undefined;
  const steps: string[] = [];
  let at: string = to;
  for (;;) {
    const p = prev.get(at);
    if (!p) break;
    const node = def.nodes[p.from]!;
    const label = edges(node).length > 1 ? ` (${p.field})` : '';
    steps.unshift(`${p.from}${label} → `);
    at = p.from;
  }
  return `${steps.join('')}${to}`;
}

/**
 * Cycles among the nodes that neither wait for the caller nor have maxVisits: one cycle per
 * strongly connected component (Tarjan), starting at its first node in file order, shortest.
 */
export function unboundedCycles(def: FlowDefinition): string[][] {
  const names = Object.keys(def.nodes);
  const free = new Set(names.filter((n) => {
    const node = def.nodes[n]!;
    return !waitsForCaller(node) && node.maxVisits === undefined;
  }));
  const succ = (n: string): string[] => edges(def.nodes[n]!).map((e) => e.target).filter((t) => free.has(t));
  // Tarjan's SCC, iterative.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const comps: string[][] = [];
  for (const root of names) {
    if (!free.has(root) || idx.has(root)) continue;
    const work: { n: string; i: number; next: string[] }[] = [];
    const enter = (n: string): void => {
      idx.set(n, index);
      low.set(n, index);
      index++;
      stack.push(n);
      onStack.add(n);
      work.push({ n, i: 0, next: succ(n) });
    };
    enter(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.i < top.next.length) {
        const m = top.next[top.i++]!;
        if (!idx.has(m)) enter(m);
        else if (onStack.has(m)) low.set(top.n, Math.min(low.get(top.n)!, idx.get(m)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.n, Math.min(low.get(parent.n)!, low.get(top.n)!));
      if (low.get(top.n) === idx.get(top.n)) {
        const comp: string[] = [];
        for (;;) {
          const m = stack.pop()!;
          onStack.delete(m);
          comp.push(m);
          if (m === top.n) break;
        }
        comps.push(comp);
      }
    }
  }
  const order = new Map(names.map((n, i) => [n, i]));
  const cycles: string[][] = [];
  for (const comp of comps) {
    const inComp = new Set(comp);
    const first = [...comp].sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
    if (comp.length === 1 && !succ(first).includes(first)) continue;
    // Shortest path first → … → first within the component.
    const prev = new Map<string, string>();
    const todo = [first];
    const seen = new Set([first]);
    let last: string | undefined;
    while (todo.length > 0 && last === undefined) {
      const n = todo.shift()!;
      for (const m of succ(n)) {
        if (!inComp.has(m)) continue;
        if (m === first) {
          last = n;
          break;
        }
        if (!seen.has(m)) {
          seen.add(m);
          prev.set(m, n);
          todo.push(m);
        }
      }
    }
    const cycle: string[] = [];
    for (let at = last; at !== undefined && at !== first; at = prev.get(at)) cycle.unshift(at);
    cycles.push([first, ...cycle]);
  }
  return cycles.sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!);
}
