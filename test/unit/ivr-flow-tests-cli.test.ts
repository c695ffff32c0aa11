/** Flow tests through the offline command (`npm run ivr:check -- <folder>`): the demo flows' own
 * tests, a failing test (exit 1, its ✗ line and its problems), a test file for no flow. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  const dir = mkdtempSync(join(tmpdir(), 'ivr-tests-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'tests'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function run(dir: string): { code: number | null; out: string } {
  const r = spawnSync(TSX, [CLI, dir], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout };
}

const flow = `id: main
languages: [en-US]
start: m
prompts:
  m: { en-US: menu }
  ok: { en-US: ok }
nodes:
  m:
    type: menu
    prompt: m
    timeoutS: 5
    choices: { "1": q, "2": s }
    invalid: { max: 1, then: q }
    timeout: { max: 1, then: q }
  q: { type: queue, queue: sales, prompt: ok }
  s: { type: queue, queue: support }
`;

describe('ivr:check runs flow tests', () => {
  it("the demo flows' tests: every one passes and the command exits 0", () => {
    const r = run('flows');
    const lines = r.out.split('\n');
    const failed = lines.filter((l) => l.startsWith('✗ '));
    const passed = lines.filter((l) => l.startsWith('✓ '));
    expect(failed).toEqual([]);
    expect(passed.length).toBeGreaterThanOrEqual(30);
    expect(passed).toContain('✓ main: VIP caller goes straight to queue vip');
    expect(passed).toContain('✓ voicemail: a message ended with the pound key is thanked and the call cleared');
    expect(lines).toContain(`ivr:check: flow tests: 4 test files, ${passed.length} passed, 0 failed`);
    expect(r.code).toBe(0);
  });

  it('a passing folder exits 0 with its ✓ lines and the tests summary', () => {
    const dir = folder({
      'main.yaml': flow,
      'tests/main.test.yaml': 'flow: main\ntests:\n  - name: one is sales\n    caller: "1"\n    input: [{ in: m, key: "1" }]\n    expect: { end: { queue: sales }, heard: [m, ok], outcome: queue }\n',
    });
    const r = run(dir);
    expect(r.out).toBe(['✓ main: one is sales', 'ivr:check: flow tests: 1 test file, 1 passed, 0 failed', `ivr:check: 1 flow file in ${dir}, 0 refused; 0 errors, 0 warnings`, ''].join('\n'));
    expect(r.code).toBe(0);
  });

  it('a failing test exits 1: its problems at the test, its ✗ line', () => {
    const dir = folder({
      'main.yaml': flow,
      'tests/main.test.yaml': 'flow: main\ntests:\n  - name: two is sales\n    caller: "1"\n    input: [{ in: m, key: "2" }]\n    expect: { end: { queue: sales } }\n',
    });
    const r = run(dir);
    const file = join(dir, 'tests', 'main.test.yaml');
    expect(r.out).toBe(
      [
        `${file}:3:5: error: test "two is sales": end: expected queue sales, got queue support (priority 0) [TEST_FAILED]`,
        `${file}:3:5: error: test "two is sales": what happened: path [m, s]; heard [m]; end queue support (priority 0); outcome queue [TEST_FAILED]`,
        '✗ main: two is sales',
        'ivr:check: flow tests: 1 test file, 0 passed, 1 failed',
        `ivr:check: 1 flow file in ${dir}, 0 refused; 2 errors, 0 warnings`,
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(1);
  });

  it('a test file naming a flow that does not exist is an error', () => {
    const dir = folder({ 'main.yaml': flow, 'tests/other.test.yaml': 'flow: other\ntests:\n  - { name: a, caller: "1", expect: {} }\n' });
    const r = run(dir);
    expect(r.out).toContain(`${join(dir, 'tests', 'other.test.yaml')}:1:7: error: flow "other" does not exist: the folder's flows are main; its 1 test cannot run [TEST_FLOW]`);
    expect(r.code).toBe(1);
  });
});
