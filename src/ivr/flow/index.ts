/**
 * Flow files → validated flows (docs/ivr.md, "Flow files"): the loader, the static checks, the
 * versioned registry the daemon serves from, and the offline check (`npm run ivr:check`).
 */
export * from './types.ts';
export { formatProblem, hasErrors, sortProblems, PROBLEM_CODES, type FlowProblem, type ProblemCode, type Severity } from './problems.ts';
export { loadFlowFile, loadFlowText, loadFlowBytes, flowIdOfFile, isFlowFileName, MAX_FLOW_FILE_BYTES, FLOW_FILE_EXTENSIONS, type FlowLoadResult } from './load.ts';
export { checkFlow, definitelySet, unboundedCycles } from './checks.ts';
export { edges, edgeSets, promptUses, templateFields, conditionReads, waitsForCaller, type Edge } from './graph.ts';
export { parseTemplate, BUILT_IN_VARS, isAlwaysSet } from './templates.ts';
export { FlowRegistry, fsFlowReader, deepFreeze, type FlowReader, type FlowStatus, type FlowStatusKind, type ReloadSummary } from './registry.ts';
export { checkFolder, FOLDER_CHECK_STEPS, type FolderCheckStep, type FolderCheckContext, type FolderCheckResult } from './check-folder.ts';
export { buildFlowSchema, flowSchemaText } from './flow-schema.ts';
