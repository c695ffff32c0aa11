/**
 * Test files → validated `FlowTestFile`s, or the problems that refuse them, each at its
 * `file:line:column` (the flow loader's way: eemeli/yaml with a LineCounter for positions, ajv
 * for the closed schema of format.ts). Test files are `<folder>/tests/**\/*.test.{yaml,yml,json}`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { Positions, type PathSegment, type Position } from '../flow/positions.ts';
import { readError } from '../flow/load.ts';
import { sortProblems, type FlowProblem, type ProblemCode } from '../flow/problems.ts';
import { buildTestFileSchema, isTestFileName, type FlowTest, type FlowTestFile, type InputStep } from './format.ts';

/** The largest test file read. */
export const MAX_TEST_FILE_BYTES = 1024 * 1024;

export interface LoadedTestFile {
  file: string;
  /** Present when the file has no error. */
  def?: FlowTestFile;
  /** Where each test starts (by index), and where its `flow` is named. */
  testAt: Position[];
  flowAt: Position;
  problems: FlowProblem[];
}

/** The test files of a flow folder (`<dir>/tests`, recursively), sorted; none when there is no
 * tests folder. */
export async function findTestFiles(dir: string): Promise<string[]> {
  const root = join(dir, 'tests');
  let names: string[];
  try {
    const entries = await readdir(root, { withFileTypes: true, recursive: true });
    names = entries.filter((e) => e.isFile() && isTestFileName(e.name)).map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
  return names.sort();
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, verbose: true, strictSchema: true, strictTypes: false, strictRequired: false, allowUnionTypes: true }).compile(buildTestFileSchema());
  return validator;
}

export async function loadTestFile(path: string): Promise<LoadedTestFile> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.byteLength > MAX_TEST_FILE_BYTES) {
      return { file: path, testAt: [], flowAt: { line: 1, column: 1 }, problems: [{ file: path, line: 1, column: 1, code: 'FILE_TOO_LARGE', severity: 'error', message: `the file is ${bytes.byteLength} bytes; a test file is 1 MiB at most` }] };
    }
    text = new TextDecoder('utf-8').decode(bytes);
  } catch (err) {
    return { file: path, testAt: [], flowAt: { line: 1, column: 1 }, problems: [readError(path, err)] };
  }
  return loadTestText(text, path);
}

/** Check a test file from its text; `file` names it in problems. */
export function loadTestText(text: string, file: string): LoadedTestFile {
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const positions = new Positions(doc, lines);
  const problem = (code: ProblemCode, path: PathSegment[], message: string, key = false): FlowProblem => ({ file, ...positions.at(path, { key }), code, severity: 'error', message });
  const result = (problems: FlowProblem[], def?: FlowTestFile): LoadedTestFile => {
    const n = def?.tests.length ?? 0;
    return { file, ...(def ? { def } : {}), testAt: Array.from({ length: n }, (_, i) => positions.at(['tests', i])), flowAt: positions.at(['flow']), problems: sortProblems(problems) };
  };

  if (doc.errors.length > 0) {
    return result(doc.errors.map((e) => ({ file, ...positions.pos(e.pos[0]), code: e.code === 'DUPLICATE_KEY' ? 'DUPLICATE_KEY' : 'SYNTAX', severity: 'error', message: e.message.replace(/\s+/g, ' ').trim() })));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return result([problem('SYNTAX', [], err instanceof Error ? err.message : String(err))]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return result([problem('NOT_A_MAPPING', [], 'a test file holds one mapping (flow, defaults, tests)')]);
  }
  const v = validate();
  if (!v(value)) return result(schemaProblems(v.errors ?? [], problem));

  const def = value as FlowTestFile;
  const problems: FlowProblem[] = [];
  const checkSetup = (at: PathSegment[], s: { at?: string }): void => {
    if (s.at !== undefined && Number.isNaN(Date.parse(s.at))) problems.push(problem('TEST_SCHEMA', [...at, 'at'], `at: "${s.at}" is not a real date and time`));
  };
  const checkZone = (at: PathSegment[], s: { timeZone?: string }): void => {
    if (s.timeZone === undefined) return;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: s.timeZone });
    } catch {
      problems.push(problem('TEST_SCHEMA', [...at, 'timeZone'], `timeZone: "${s.timeZone}" is not a time zone (e.g. Asia/Shanghai)`));
    }
  };
  if (def.defaults) {
    checkSetup(['defaults'], def.defaults);
    checkZone(['defaults'], def.defaults);
  }
  const names = new Map<string, number>();
  def.tests.forEach((t: FlowTest, i) => {
    const at: PathSegment[] = ['tests', i];
    checkSetup(at, t);
    checkZone(at, t);
    const first = names.get(t.name);
    if (first !== undefined) problems.push(problem('TEST_SCHEMA', [...at, 'name'], `test name "${t.name}" is used twice (also test ${first + 1}): names tell failures apart`));
    else names.set(t.name, i);
    if (t.caller === undefined && def.defaults?.caller === undefined) problems.push(problem('TEST_SCHEMA', at, `test "${t.name}" needs "caller" (or defaults.caller)`));
    (t.input ?? []).forEach((s, j) => {
      const msg = stepProblem(s);
      if (msg) problems.push(problem('TEST_SCHEMA', [...at, 'input', j], `input ${j + 1}: ${msg}`));
      if (s.key !== undefined) s.key = String(s.key);
      if (s.keys !== undefined) s.keys = String(s.keys);
    });
  });
  return problems.length > 0 ? result(problems) : result(problems, def);
}

function stepProblem(s: InputStep): string | undefined {
  const actions = (['key', 'keys', 'silence', 'hangup'] as const).filter((a) => s[a] !== undefined);
  if (actions.length !== 1) return `a step does one thing: key, keys, silence or hangup (${actions.length === 0 ? 'none given' : `given ${actions.join(', ')}`})`;
  if (s.in === undefined && s.hangup === undefined) return `a ${actions[0]} step needs "in": the node it happens in`;
  if (s.silence !== undefined && s.duringPrompt) return 'silence happens in a wait, not during a prompt';
  return undefined;
}

const ANY_OF_MESSAGES: Record<string, string> = {
  end: 'end is one of {queue, priority?, announceEveryS?}, {transfer}, {return}, {hangup: true}, {callerHangup: true}',
  queries: "a query's answer is {params?, result?, error?: true} or a list of them",
  webhooks: "a webhook's answer is a JSON object (a flat mapping) or error",
};

function decodePath(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v}"`;
  return String(v);
}

function schemaProblems(errors: ErrorObject[], problem: (code: ProblemCode, path: PathSegment[], message: string, key?: boolean) => FlowProblem): FlowProblem[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const inside = (e: ErrorObject): boolean => anyOfs.some((a) => a !== e && e.schemaPath.startsWith(a.schemaPath.replace(/\/anyOf$/, '/anyOf/')) && e.instancePath.startsWith(a.instancePath));
  const out: FlowProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (inside(e)) continue;
    const path = decodePath(e.instancePath);
    const field = path.join('.');
    const the = field ? `${field}: ` : '';
    let message: string;
    let at: PathSegment[] = path;
    let key = false;
    switch (e.keyword) {
      case 'required':
        message = `${field ? field : 'a test file'} needs "${(e.params as { missingProperty: string }).missingProperty}"`;
        key = path.length > 0;
        break;
      case 'additionalProperties': {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}).filter((k) => k !== '$schema');
        message = `unknown field "${extra}": ${field ? field : 'a test file'} has ${allowed.join(', ')}`;
        at = [...path, extra];
        key = true;
        break;
      }
      case 'type': {
        const want = String((e.params as { type: unknown }).type).replace(/,/g, ' or ');
        const hint = typeof e.data === 'number' && want.includes('string') ? ` (quote it: "${e.data}")` : '';
        message = `${the}must be ${want}, not ${describe(e.data)}${hint}`;
        break;
      }
      case 'enum':
        message = `${the}${describe(e.data)} is not one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
        break;
      case 'const':
        message = `${the}must be ${String((e.params as { allowedValue: unknown }).allowedValue)}`;
        break;
      case 'pattern': {
        const last = path[path.length - 1];
        message =
          last === 'at'
            ? `${the}${describe(e.data)} is not an ISO date-time with an offset (2026-12-01T10:00:00+08:00)`
            : last === 'key'
              ? `${the}${describe(e.data)} is not a key: one of 0-9, * and # (quote "*" and "#")`
              : `${the}${describe(e.data)} is not a list of keys: 0-9, * and # (quote it)`;
        break;
      }
      case 'anyOf': {
        const kind = path.includes('end') ? 'end' : path.includes('queries') ? 'queries' : path.includes('webhooks') ? 'webhooks' : '';
        message = `${the}${ANY_OF_MESSAGES[kind] ?? 'is not valid'}`;
        break;
      }
      default:
        message = `${the}${e.message ?? 'is not valid'}`;
    }
    const p = problem('TEST_SCHEMA', at, message, key);
    const k = `${p.line}:${p.column}:${p.message}`;
    if (!seen.has(k)) out.push(p);
    seen.add(k);
  }
  return out;
}
