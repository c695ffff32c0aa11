/**
 * Flow tests for authors (docs/ivr.md, "Flow tests"): test files in a flow folder's `tests/`
 * run on the pure engine by the offline command (`npm run ivr:check -- <folder>`), as one of its
 * `FOLDER_CHECK_STEPS`. Each test prints `✓ <flow>: <name>` or `✗ <flow>: <name>`; each
 * difference of a failing test is an error problem at the test's place (code TEST_FAILED); a test
 * file that is not valid (TEST_SCHEMA, or the loader's SYNTAX …) or names a flow that does not
 * exist or did not load (TEST_FLOW) is an error too.
 */
import type { FolderCheckContext } from '../flow/check-folder.ts';
import type { FlowProblem } from '../flow/problems.ts';
import { findTestFiles, loadTestFile, type LoadedTestFile } from './load-tests.ts';
import { runTest, type TestOutcome } from './runner.ts';

export * from './format.ts';
export { findTestFiles, loadTestFile, loadTestText, type LoadedTestFile } from './load-tests.ts';
export { runFlowTest, runTest, compare, withDefaults, itemMs, heardOf, describeEnd, type RunResult, type TestOutcome } from './runner.ts';

export interface TestFileReport {
  file: string;
  flow: string | undefined;
  outcomes: (TestOutcome & { line: number; column: number })[];
  problems: FlowProblem[];
}

/** Run the tests of one loaded test file against the folder's flows. */
export function runTestFile(t: LoadedTestFile, ctx: Pick<FolderCheckContext, 'flows' | 'statuses'>): TestFileReport {
  const report: TestFileReport = { file: t.file, flow: t.def?.flow, outcomes: [], problems: [...t.problems] };
  const def = t.def;
  if (!def) return report;
  const flow = ctx.flows.get(def.flow);
  if (!flow) {
    const status = ctx.statuses.find((s) => s.id === def.flow);
    const why = status ? `did not load (${status.file} has errors)` : `does not exist: the folder's flows are ${ctx.statuses.map((s) => s.id).join(', ') || 'none'}`;
    report.problems.push({ file: t.file, ...t.flowAt, code: 'TEST_FLOW', severity: 'error', message: `flow "${def.flow}" ${why}; its ${def.tests.length} test${def.tests.length === 1 ? '' : 's'} cannot run` });
    return report;
  }
  def.tests.forEach((test, i) => {
    const at = t.testAt[i] ?? { line: 1, column: 1 };
    const outcome = runTest(flow, def, test);
    report.outcomes.push({ ...outcome, ...at });
    for (const f of outcome.failures) report.problems.push({ file: t.file, ...at, code: 'TEST_FAILED', severity: 'error', message: `test "${test.name}": ${f}` });
  });
  return report;
}

/** The `FOLDER_CHECK_STEPS` entry: every test file of the folder. */
export async function runFlowTests(ctx: FolderCheckContext): Promise<FlowProblem[]> {
  const files = await findTestFiles(ctx.dir);
  if (files.length === 0) return [];
  const problems: FlowProblem[] = [];
  let passed = 0;
  let failed = 0;
  let broken = 0;
  for (const path of files) {
    const r = runTestFile(await loadTestFile(path), ctx);
    problems.push(...r.problems);
    if (r.outcomes.length === 0 && r.problems.length > 0) {
      broken++;
      ctx.report(`✗ ${r.file}: not run (see the errors above)`);
    }
    for (const o of r.outcomes) {
      if (o.passed) passed++;
      else failed++;
      ctx.report(`${o.passed ? '✓' : '✗'} ${r.flow ?? '?'}: ${o.name}`);
    }
  }
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  ctx.report(`ivr:check: flow tests: ${plural(files.length, 'test file')}, ${passed} passed, ${failed} failed${broken > 0 ? `, ${plural(broken, 'file')} not run` : ''}`);
  return problems;
}
