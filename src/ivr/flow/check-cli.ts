/**
 * `npm run ivr:check -- <folder>`: check every flow file (*.yaml, *.yml, *.json) of a folder as
 * the daemon would load it, print each problem as `file:line:column: error|warning: [node "X":]
 * message [CODE]`, then a summary line. Exit 0 when there is no error (warnings allowed), 1 when
 * there is one, 2 on a usage error (no folder given, not a folder, no flow file in it).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFolder } from './check-folder.ts';
import { formatProblem } from './problems.ts';

export { checkFolder, FOLDER_CHECK_STEPS, type FolderCheckStep } from './check-folder.ts';

const USAGE = 'usage: npm run ivr:check -- <folder of flow files>\n';

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** The command, minus the process: returns the exit code. */
export async function main(args: readonly string[], io: CliIo = stdio): Promise<number> {
  const dirs = args.filter((a) => a !== '--');
  if (dirs.length !== 1 || dirs[0]!.startsWith('-')) {
    io.err(USAGE);
    return 2;
  }
  const dir = dirs[0]!;
  try {
    if (!(await stat(dir)).isDirectory()) {
      io.err(`ivr:check: ${dir} is not a folder\n${USAGE}`);
      return 2;
    }
  } catch {
    io.err(`ivr:check: ${dir} does not exist\n${USAGE}`);
    return 2;
  }
  const { flows, problems, report } = await checkFolder(dir);
  if (flows.length === 0) {
    io.err(`ivr:check: no flow files (*.yaml, *.yml, *.json) in ${dir}\n`);
    return 2;
  }
  for (const p of problems) io.out(`${formatProblem(p, { severity: true })}\n`);
  for (const line of report) io.out(`${line}\n`);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const refused = flows.filter((f) => f.status !== 'ok').length;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  io.out(`ivr:check: ${plural(flows.length, 'flow file')} in ${dir}, ${refused} refused; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`);
  return errors > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`ivr:check: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
