/**
 * A flow file → a validated `FlowDefinition`, or the problems that refuse it, each at its
 * `file:line:column`.
 *
 * Steps, each stopping the next when it finds an error: the size (1 MiB at most); the parse
 * (YAML, or JSON read by the same parser, with positions; duplicate keys are errors); the root is
 * a mapping; the `id` is the file's name (main.yaml has id main — checked alongside the schema);
 * the JSON Schema (flow-schema.ts, ajv); the static checks (checks.ts). Warnings never refuse.
 *
 * Why eemeli/yaml: it keeps every node's source range (and a LineCounter turns offsets into
 * line:column), so that an ajv error's instancePath can be put back where the author wrote it;
 * it reports duplicate keys and reads JSON too. Why ajv: a JSON Schema validator already in the
 * tree (fastify's), and the same schema serves editors.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { checkFlow } from './checks.ts';
import { buildFlowSchema, ID_PATTERN, KEY_PATTERN, MESSAGES, NAME_PATTERN, TERMINATOR_PATTERN, VAR_PATTERN } from './flow-schema.ts';
import { Positions, type PathSegment } from './positions.ts';
import { sortProblems, type FlowProblem, type ProblemCode } from './problems.ts';
import type { FlowDefinition } from './types.ts';

/** The largest flow file read. */
export const MAX_FLOW_FILE_BYTES = 1024 * 1024;

/** The extensions of flow files: YAML or JSON. */
export const FLOW_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

export function isFlowFileName(name: string): boolean {
  return (FLOW_FILE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

/** The flow id a file must have: its name without the extension. */
export function flowIdOfFile(file: string): string {
  return basename(file, extname(file));
}

export interface FlowLoadResult {
  /** Present when the file has no error (warnings allowed). */
  def?: FlowDefinition;
  /** Errors and warnings, in file order. */
  problems: FlowProblem[];
  /** sha256 of the file's bytes, hex. */
  hash: string;
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, verbose: true, strictSchema: true, strictNumbers: true, strictTuples: true, strictTypes: false, strictRequired: false, allowUnionTypes: true }).compile(buildFlowSchema());
  return validator;
}

/** Read and check a flow file. A file that cannot be read is a READ_ERROR problem, not a throw. */
export async function loadFlowFile(path: string): Promise<FlowLoadResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return { problems: [readError(path, err)], hash: '' };
  }
  return loadFlowBytes(bytes, path);
}

export function readError(file: string, err: unknown): FlowProblem {
  const msg = err instanceof Error ? err.message : String(err);
  return { file, line: 1, column: 1, code: 'READ_ERROR', severity: 'error', message: `cannot read the file: ${msg}` };
}

/** Check a flow from its bytes (the registry reads them through its reader). */
export function loadFlowBytes(bytes: Uint8Array, fileName: string): FlowLoadResult {
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (bytes.byteLength > MAX_FLOW_FILE_BYTES) return { problems: [tooLarge(fileName, bytes.byteLength)], hash };
  const text = new TextDecoder('utf-8').decode(bytes);
  return { ...loadChecked(text, fileName), hash };
}

/** Check a flow from its text; `fileName` names it in problems and gives the id it must have. */
export function loadFlowText(text: string, fileName: string): FlowLoadResult {
  return loadFlowBytes(Buffer.from(text, 'utf8'), fileName);
}

function tooLarge(file: string, bytes: number): FlowProblem {
  const mib = (bytes / (1024 * 1024)).toFixed(1);
  return { file, line: 1, column: 1, code: 'FILE_TOO_LARGE', severity: 'error', message: `the file is ${mib} MiB (${bytes} bytes); a flow file is 1 MiB at most` };
}

function loadChecked(text: string, file: string): Omit<FlowLoadResult, 'hash'> {
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const positions = new Positions(doc, lines);
  const problem = (code: ProblemCode, path: PathSegment[], message: string, opts: { key?: boolean; node?: string } = {}): FlowProblem => ({
    file,
    ...positions.at(path, opts),
    ...(opts.node !== undefined ? { node: opts.node } : {}),
    code,
    severity: 'error',
    message,
  });

  if (doc.errors.length > 0) {
    return {
      problems: sortProblems(
        doc.errors.map((e) => ({
          file,
          ...positions.pos(e.pos[0]),
          code: e.code === 'DUPLICATE_KEY' ? 'DUPLICATE_KEY' : 'SYNTAX',
          severity: 'error',
          message: e.code === 'DUPLICATE_KEY' ? duplicateKeyMessage(text, e.pos) : `${e.message.replace(/\s+/g, ' ').trim()}`,
        })),
      ),
    };
  }
  if (extname(file).toLowerCase() === '.json') {
    const bad = jsonSyntax(text);
    if (bad) return { problems: [{ file, ...positions.pos(bad.offset), code: 'SYNTAX', severity: 'error', message: `not JSON: ${bad.message}` }] };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { problems: [problem('SYNTAX', [], err instanceof Error ? err.message : String(err))] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = value === null || value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    return { problems: [problem('NOT_A_MAPPING', [], `a flow file holds one mapping (id, languages, start, prompts, nodes); this one holds ${what}`)] };
  }

  const problems: FlowProblem[] = [];
  const want = flowIdOfFile(file);
  const id = (value as { id?: unknown }).id;
  if (typeof id === 'string' && id !== want) {
    problems.push(problem('ID_MISMATCH', ['id'], `id "${id}" differs from the file's name: ${basename(file)} must have id: ${want}`));
  }
  const v = validate();
  if (!v(value)) {
    problems.push(...schemaProblems(v.errors ?? [], value as Record<string, unknown>, problem));
  }
  if (problems.length > 0) return { problems: sortProblems(problems) };

  const def = value as FlowDefinition;
  const found = sortProblems(checkFlow(def, { file, positions }));
  return found.some((p) => p.severity === 'error') ? { problems: found } : { def, problems: found };
}

/** A duplicate key: name it (yaml's message does not). */
function duplicateKeyMessage(text: string, pos: [number, number]): string {
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^:\s,{}[\]]+))/.exec(text.slice(pos[0]));
  const key = m?.[1] ?? m?.[2] ?? m?.[3];
  return key ? `key "${key}" appears twice in the same mapping` : 'a key appears twice in the same mapping';
}

function jsonSyntax(text: string): { offset: number; message: string } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const m = /position (\d+)/.exec(message);
    return { offset: m ? Number(m[1]) : 0, message: message.replace(/ in JSON at position \d+.*$/, '') };
  }
}

type MakeProblem = (code: ProblemCode, path: PathSegment[], message: string, opts?: { key?: boolean; node?: string }) => FlowProblem;

function decodePath(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The field named in a message: relative to its node (`choices.5`), or from the root (`languages.1`). */
function fieldOf(path: string[]): { node?: string; field: string } {
  if (path[0] === 'nodes' && path.length >= 2) return { node: path[1]!, field: path.slice(2).join('.') };
  return { field: path.join('.') };
}

function describeTypes(t: unknown): string {
  const list = Array.isArray(t) ? t : [t];
  const words: Record<string, string> = { string: 'a string', number: 'a number', integer: 'a whole number', boolean: 'true or false', object: 'a mapping', array: 'a list', null: 'null' };
  return list.map((x) => words[String(x)] ?? String(x)).join(' or ');
}

function typeOfValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v}"`;
  return String(v);
}

function schemaProblems(errors: ErrorObject[], root: Record<string, unknown>, problem: MakeProblem): FlowProblem[] {
  const out: FlowProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if' || e.propertyName !== undefined) continue;
    const path = decodePath(e.instancePath);
    const { node, field } = fieldOf(path);
    const the = field ? `${field} ` : '';
    const at = (code: ProblemCode, message: string, p: PathSegment[] = path, key = false): void => {
      const prob = problem(code, p, message, { key, ...(node !== undefined ? { node } : {}) });
      const k = `${prob.line}:${prob.column}:${prob.message}`;
      if (!seen.has(k)) out.push(prob);
      seen.add(k);
    };
    const custom = MESSAGES[`${(e.parentSchema as { $comment?: string } | undefined)?.$comment ?? ''} ${e.keyword}`];
    if (custom !== undefined) {
      at('SCHEMA', field ? `${field}: ${custom}` : custom);
      continue;
    }
    const nodeType = node !== undefined ? nodeTypeOf(root, node) : undefined;
    switch (e.keyword) {
      case 'required': {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        const onNode = node !== undefined && path.length === 2;
        if (onNode && nodeType === 'menu' && missing === 'invalid') {
          at('MENU_NO_INVALID_BRANCH', 'menu has no "invalid" branch: say where a wrong key leads (invalid: {prompt, max, then})', path, true);
        } else if (onNode && nodeType === 'menu' && missing === 'timeout') {
          at('MENU_NO_TIMEOUT_BRANCH', 'menu has no "timeout" branch: say where silence leads (timeout: {prompt, max, then})', path, true);
        } else {
          const owner = onNode ? `a ${nodeType ?? 'node'} node` : field ? field : 'a flow';
          at('SCHEMA', `${owner} needs "${missing}"`, path, path.length > 0);
        }
        break;
      }
      case 'additionalProperties': {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}).filter((k) => k !== '$schema');
        const owner = node !== undefined && path.length === 2 ? `a ${nodeType ?? 'node'} node` : field ? field : 'a flow';
        at('SCHEMA', `unknown field "${extra}": ${owner} has ${allowed.join(', ')}`, [...path, extra], true);
        break;
      }
      case 'propertyNames': {
        const name = (e.params as { propertyName: string }).propertyName;
        const pattern = (e.schema as { pattern?: string } | undefined)?.pattern;
        if (pattern === KEY_PATTERN) at('BAD_KEY', `${the}key "${name}" is not a key: one of 0-9, * and # (one key each)`, [...path, name], true);
        else if (pattern === VAR_PATTERN) at('BAD_NAME', `${the}name "${name}" is not a variable name: letters, digits, _ and . (not first)`, [...path, name], true);
        else {
          const what = path.length === 1 && path[0] === 'nodes' ? 'node name' : path.length === 1 && path[0] === 'prompts' ? 'prompt name' : `${the}name`;
          const prob = problem('BAD_NAME', [...path, name], `${what} "${name}" is not a name: letters, digits, _ and -, not starting with a digit or -`, { key: true, ...(what === 'node name' ? { node: name } : {}) });
          out.push(prob);
        }
        break;
      }
      case 'pattern': {
        const pattern = (e.params as { pattern: string }).pattern;
        const value = typeOfValue(e.data);
        if (pattern === KEY_PATTERN) at('BAD_KEY', `${the}${value} is not a key: one of 0-9, * and #`);
        else if (pattern === TERMINATOR_PATTERN) at('BAD_KEY', `${the}${value} is not a terminator: * or # (a digit would be part of the input)`);
        else if (pattern === VAR_PATTERN) at('BAD_NAME', `${the}${value} is not a variable name: letters, digits, _ and . (not first)`);
        else if (pattern === NAME_PATTERN) at('BAD_NAME', `${the}${value} is not a name: letters, digits, _ and -, not starting with a digit or -`);
        else if (pattern === ID_PATTERN) at('BAD_NAME', `${the}${value} is not a flow id: letters, digits, _ and -`);
        else at('SCHEMA', `${the}${value} must be HH:MM (00:00 to 24:00)`);
        break;
      }
      case 'type': {
        const want = describeTypes((e.params as { type: unknown }).type);
        const hint = typeof e.data === 'number' && want.startsWith('a string') ? ` (quote it: "${e.data}")` : '';
        at('SCHEMA', `${the}must be ${want}, not ${typeOfValue(e.data)}${hint}`);
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
        if (field === 'type' && node !== undefined) at('SCHEMA', `type ${typeOfValue(e.data)} is not a node kind: one of ${allowed.join(', ')}`);
        else at('SCHEMA', `${the}${typeOfValue(e.data)} is not one of ${allowed.join(', ')}`);
        break;
      }
      case 'dependencies':
        at('MAX_VISITS_NO_TARGET', 'maxVisits needs onMaxVisits: where to go once the node has been entered maxVisits times', [...path, 'maxVisits'], true);
        break;
      default:
        at('SCHEMA', `${the}${e.message ?? 'is not valid'}`);
    }
  }
  return out;
}

function nodeTypeOf(root: Record<string, unknown>, node: string): string | undefined {
  const nodes = root.nodes;
  if (nodes === null || typeof nodes !== 'object') return undefined;
  const n = (nodes as Record<string, unknown>)[node];
  const t = n !== null && typeof n === 'object' ? (n as { type?: unknown }).type : undefined;
  return typeof t === 'string' ? t : undefined;
}
