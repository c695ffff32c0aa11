/**
 * The offline check of a folder of flow files (`npm run ivr:check -- <folder>`, check-cli.ts):
 * the same loader and checks as the daemon (through the same FlowRegistry), so the messages are
 * the same.
 *
 * Extension point: `FOLDER_CHECK_STEPS`. A later step (flow tests kept in the same folder, say)
 * is one entry: `FOLDER_CHECK_STEPS.push(runFlowTests)` from the module that provides it, or one
 * line in the array below. A step gets the folder and the flows that loaded, and returns more
 * problems (errors fail the command, warnings do not).
 */
import { runFlowTests } from '../flow-tests/index.ts';
import { FlowRegistry, type FlowReader, type FlowStatus } from './registry.ts';
import { sortProblems, type FlowProblem } from './problems.ts';
import type { LoadedFlow } from './types.ts';

export interface FolderCheckContext {
  dir: string;
  /** The flows that loaded (no error), by id. */
  flows: ReadonlyMap<string, LoadedFlow>;
  /** Every flow file, loaded or not (a step can tell "no such flow" from "did not load"). */
  statuses: readonly FlowStatus[];
  /** A line for the command's output (flow tests: `✓ main: …`), printed after the problems. */
  report(line: string): void;
}

export type FolderCheckStep = (ctx: FolderCheckContext) => Promise<FlowProblem[]>;

/** Steps run after the files are loaded and checked, in order. */
export const FOLDER_CHECK_STEPS: FolderCheckStep[] = [
  // Flow tests: <folder>/tests/*.test.yaml, run on the pure engine (src/ivr/flow-tests).
  runFlowTests,
];

export interface FolderCheckResult {
  /** Every flow file: id, file, status (ok | error), problems. */
  flows: FlowStatus[];
  /** Every problem, in file order. */
  problems: FlowProblem[];
  /** The steps' report lines, in order. */
  report: string[];
}

export async function checkFolder(dir: string, opts: { reader?: FlowReader; steps?: readonly FolderCheckStep[] } = {}): Promise<FolderCheckResult> {
  const registry = new FlowRegistry(opts.reader ? { reader: opts.reader } : {});
  await registry.loadDir(dir);
  const flows = registry.list();
  const problems = registry.problems();
  const loaded = new Map<string, LoadedFlow>();
  for (const f of flows) {
    const flow = f.status === 'ok' ? registry.get(f.id) : undefined;
    if (flow) loaded.set(f.id, flow);
  }
  const report: string[] = [];
  for (const step of opts.steps ?? FOLDER_CHECK_STEPS) problems.push(...(await step({ dir, flows: loaded, statuses: flows, report: (line) => report.push(line) })));
  return { flows, problems: sortProblems(problems), report };
}
