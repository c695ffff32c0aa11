/** `npm run ivr:check -- <folder>`: output and exit codes, the command spawned as authors run it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const TSX = 'node_modules/.bin/tsx';
const CLI = 'src/ivr/flow/check-cli.ts';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ivr-check-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(TSX, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const good = `id: main
languages: [en-US]
start: a
prompts:
  hi: { en-US: hello }
  spare: { en-US: spare }
nodes:
  a:
    type: hangup
    prompt: hi
`;

describe('ivr:check', () => {
  it('exit 0 on flows with warnings only; every problem marked, then the summary', () => {
    const dir = folder({ 'main.yaml': good, 'notes.txt': 'not a flow' });
    const r = run(dir);
    expect(r.out).toBe(`${dir}/main.yaml:6:3: warning: prompt "spare" is never played [UNUSED_PROMPT]\nivr:check: 1 flow file in ${dir}, 0 refused; 0 errors, 1 warning\n`);
    expect(r.code).toBe(0);
  });

  it('exit 1 on an error, with the same message the loader gives', () => {
    const dir = folder({ 'main.yaml': good.replace('prompt: hi', 'prompt: hi\n    next: b'), 'other.yaml': good.replace('id: main', 'id: other').replace('  spare: { en-US: spare }\n', '') });
    const r = run('--', dir);
    expect(r.out).toBe(
      [
        `${dir}/main.yaml:11:5: error: node "a": unknown field "next": a hangup node has type, prompt, selfService, maxVisits, onMaxVisits [SCHEMA]`,
        `ivr:check: 2 flow files in ${dir}, 1 refused; 1 error, 0 warnings`,
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(1);
  });

  it('exit 2 on a usage error: no folder, not a folder, no flow file in it', () => {
    const none = run();
    expect([none.code, none.err]).toEqual([2, 'usage: npm run ivr:check -- <folder of flow files>\n']);
    const missing = run('/nonexistent/flows');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('/nonexistent/flows does not exist');
    const empty = folder({ 'README.md': '#' });
    const e = run(empty);
    expect([e.code, e.err]).toEqual([2, `ivr:check: no flow files (*.yaml, *.yml, *.json) in ${empty}\n`]);
  });

  it('the demo flows pass their checks (their flow tests: test/unit/ivr-flow-tests-cli.test.ts)', () => {
    const r = run('flows');
    const lines = r.out.split('\n');
    // No problem from the checks themselves: any problem line is a flow test's.
    expect(lines.filter((l) => /: (error|warning): /.test(l) && !/\[TEST_FAILED\]$/.test(l))).toEqual([]);
    expect(lines.some((l) => l.startsWith('ivr:check: 4 flow files in flows, 0 refused; '))).toBe(true);
  });
});
