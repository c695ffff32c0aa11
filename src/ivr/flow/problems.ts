/**
 * What is wrong with a flow file, said once and the same way everywhere: the loader, the static
 * checks, the registry (which keeps the last good version serving and lists the problems) and the
 * offline command (`npm run ivr:check`) all speak `FlowProblem`.
 *
 * A problem names its place (`file:line:column`, 1-based, the place in the YAML or JSON source),
 * the node when it belongs to one, a stable `code` (tests, tools and dashboards key on it; the
 * text may improve) and a message for the author. Warnings (a prompt nobody plays) never refuse a
 * flow; errors do.
 */

export const PROBLEM_CODES = [
  // reading the file
  'READ_ERROR',
  'FILE_TOO_LARGE',
  'SYNTAX',
  'DUPLICATE_KEY',
  'NOT_A_MAPPING',
  // the schema
  'SCHEMA',
  'MENU_NO_INVALID_BRANCH',
  'MENU_NO_TIMEOUT_BRANCH',
  'MAX_VISITS_NO_TARGET',
  'BAD_KEY',
  'BAD_NAME',
  // the flow as a whole
  'ID_MISMATCH',
  'DUPLICATE_ID',
  // static checks
  'START_MISSING',
  'DANGLING_TARGET',
  'UNREACHABLE',
  'COLLECT_LENGTHS',
  'UNBOUNDED_LOOP',
  'UNKNOWN_PROMPT',
  'PROMPT_MISSING_LANGUAGE',
  'UNUSED_PROMPT',
  'PROMPT_DIGITS',
  'PROMPT_LATIN_IN_MANDARIN',
  'LANGUAGE_NOT_IN_FLOW',
  'BAD_TEMPLATE',
  'VAR_READ_BEFORE_SET',
  // flow tests (src/ivr/flow-tests): a test file that is not valid, names no loaded flow, or fails
  'TEST_SCHEMA',
  'TEST_FLOW',
  'TEST_FAILED',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export type Severity = 'error' | 'warning';

export interface FlowProblem {
  /** The file as it was named to the loader (e.g. `flows/main.yaml`). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** The node the problem belongs to, when it belongs to one. */
  node?: string;
  code: ProblemCode;
  severity: Severity;
  message: string;
}

/**
 * `flows/main.yaml:42:7: node "menu": choices.5 leads to "salez", which is not a node`. With
 * `severity: true` (the offline command), errors and warnings are marked after the place:
 * `flows/main.yaml:42:7: error: node "menu": …`, and the code follows in brackets.
 */
export function formatProblem(p: FlowProblem, opts: { severity?: boolean } = {}): string {
  const where = `${p.file}:${p.line}:${p.column}: `;
  const mark = opts.severity ? `${p.severity}: ` : '';
  const node = p.node !== undefined ? `node "${p.node}": ` : '';
  const code = opts.severity ? ` [${p.code}]` : '';
  return `${where}${mark}${node}${p.message}${code}`;
}

export function hasErrors(problems: readonly FlowProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** In file order: by file, line, column; then as found. */
export function sortProblems(problems: FlowProblem[]): FlowProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.file < b.p.file ? -1 : a.p.file > b.p.file ? 1 : a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i))
    .map(({ p }) => p);
}
