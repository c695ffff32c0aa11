/**
 * Flow files that cannot be loaded, one per kind of load error and per schema error with its own
 * code: the exact message and line:column of each.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadFlowText, MAX_FLOW_FILE_BYTES } from '../../src/ivr/flow/index.ts';

const said = (text: string, file = 'flows/t.yaml'): string[] => loadFlowText(text, file).problems.map((p) => `${formatProblem(p)} [${p.code}]`);

const HEAD = `id: t
languages: [zh-CN, en-US]
start: a
prompts:
  hi: { zh-CN: 你好, en-US: hello }
nodes:
`;

describe('flow files: loading', () => {
  it('loads a good YAML flow, with its hash and no problem', () => {
    const r = loadFlowText(`${HEAD}  a:\n    type: hangup\n    prompt: hi\n`, 'flows/t.yaml');
    expect(r.problems).toEqual([]);
    expect(r.def?.nodes.a).toEqual({ type: 'hangup', prompt: 'hi' });
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('loads a good JSON flow', () => {
    const json = JSON.stringify({ id: 't', languages: ['en-US'], start: 'a', prompts: { hi: { 'en-US': 'hello' } }, nodes: { a: { type: 'hangup', prompt: 'hi' } } }, null, 2);
    const r = loadFlowText(json, 'flows/t.json');
    expect(r.problems).toEqual([]);
    expect(r.def?.start).toBe('a');
  });

  it('SYNTAX: a YAML syntax error, where it is', () => {
    expect(said(`${HEAD}  a:\n    type: hangup\n   prompt: [hi\n`)).toEqual([
      'flows/t.yaml:9:1: All mapping items must start at the same column [SYNTAX]',
      expect.stringMatching(/^flows\/t\.yaml:\d+:\d+: .* \[SYNTAX\]$/),
    ]);
  });

  it('SYNTAX: a JSON file that is not JSON (a trailing comma), where it is', () => {
    expect(said('{\n  "id": "t",\n}\n', 'flows/t.json')).toEqual([expect.stringMatching(/^flows\/t\.json:3:1: not JSON: .* \[SYNTAX\]$/)]);
  });

  it('DUPLICATE_KEY: a key twice in one mapping (the second one is named)', () => {
    expect(said(`${HEAD}  a:\n    type: hangup\n  a:\n    type: hangup\n`)).toEqual(['flows/t.yaml:9:3: key "a" appears twice in the same mapping [DUPLICATE_KEY]']);
  });

  it('DUPLICATE_KEY in a JSON file too', () => {
    expect(said('{\n  "id": "t",\n  "id": "u"\n}\n', 'flows/t.json')).toEqual(['flows/t.json:3:3: key "id" appears twice in the same mapping [DUPLICATE_KEY]']);
  });

  it('NOT_A_MAPPING: a list, a scalar, an empty file', () => {
    expect(said('- a\n- b\n')).toEqual(['flows/t.yaml:1:1: a flow file holds one mapping (id, languages, start, prompts, nodes); this one holds a list [NOT_A_MAPPING]']);
    expect(said('hello\n')).toEqual(['flows/t.yaml:1:1: a flow file holds one mapping (id, languages, start, prompts, nodes); this one holds a string [NOT_A_MAPPING]']);
    expect(said('')).toEqual(['flows/t.yaml:1:1: a flow file holds one mapping (id, languages, start, prompts, nodes); this one holds nothing [NOT_A_MAPPING]']);
  });

  it('FILE_TOO_LARGE: over 1 MiB, refused before it is parsed', () => {
    const big = `# ${'x'.repeat(MAX_FLOW_FILE_BYTES)}\n`;
    expect(said(big)).toEqual(['flows/t.yaml:1:1: the file is 1.0 MiB (1048579 bytes); a flow file is 1 MiB at most [FILE_TOO_LARGE]']);
  });

  it('ID_MISMATCH: main.yaml must have id main', () => {
    expect(said(`${HEAD}  a:\n    type: hangup\n    prompt: hi\n`, 'flows/main.yaml')).toEqual([
      'flows/main.yaml:1:5: id "t" differs from the file\'s name: main.yaml must have id: main [ID_MISMATCH]',
    ]);
  });

  it('SCHEMA: a missing field, an unknown one, a wrong type, an unknown kind, a number where a string goes', () => {
    expect(
      said(`${HEAD}  a:
    type: play
    prompt: hi
    nxt: b
  b:
    type: collect
    prompt: hi
    into: n
    minLength: 1
    maxLength: "4"
    firstDigitTimeoutS: 5
    interDigitTimeoutS: 5
    next: c
    invalid: { max: 1, then: c }
    timeout: { max: 1, then: c }
  c:
    type: dial
  d:
    type: voicemail
    mailbox: 8120
    maxS: 60
    next: c
`),
    ).toEqual([
      'flows/t.yaml:7:3: node "a": a play node needs "next" [SCHEMA]',
      'flows/t.yaml:10:5: node "a": unknown field "nxt": a play node has type, prompt, bargeIn, next, selfService, maxVisits, onMaxVisits [SCHEMA]',
      'flows/t.yaml:16:16: node "b": maxLength must be a whole number, not "4" [SCHEMA]',
      'flows/t.yaml:23:11: node "c": type "dial" is not a node kind: one of play, say, menu, collect, set, branch, hours, lookupCustomer, query, saveData, language, queue, transfer, voicemail, return, webhook, staffLogin, replayRecordings, hangup [SCHEMA]',
      'flows/t.yaml:26:14: node "d": mailbox must be a string, not 8120 (quote it: "8120") [SCHEMA]',
    ]);
  });

  it('SCHEMA: a flow without nodes, a language that is not served', () => {
    expect(said('id: t\nlanguages: [zh-CN, fr-FR]\nstart: a\nprompts: {}\n')).toEqual([
      'flows/t.yaml:1:1: a flow needs "nodes" [SCHEMA]',
      'flows/t.yaml:2:20: languages.1 "fr-FR" is not one of zh-CN, en-US [SCHEMA]',
    ]);
  });

  it('SCHEMA: conditions say what a condition is', () => {
    expect(
      said(`${HEAD}  a:
    type: branch
    cases:
      - if: { var: x }
        then: b
      - if: { when: 1 }
        then: b
      - if: { var: y, eq: 1, gt: 2 }
        then: b
    else: b
  b:
    type: hangup
`),
    ).toEqual([
      'flows/t.yaml:10:13: node "a": cases.0.if: a condition on a variable takes exactly one test: eq, ne, gt, gte, lt, lte, in, prefix, set [SCHEMA]',
      'flows/t.yaml:12:13: node "a": cases.1.if: a condition needs one of: all, any, not, var, time, day [SCHEMA]',
      'flows/t.yaml:14:13: node "a": cases.2.if: a condition on a variable takes exactly one test: eq, ne, gt, gte, lt, lte, in, prefix, set [SCHEMA]',
    ]);
  });

  const menu = (branches: string): string => `${HEAD}  a:
    type: menu
    prompt: hi
    timeoutS: 5
    choices: { "1": b }
${branches}  b:
    type: hangup
`;

  it('MENU_NO_INVALID_BRANCH / MENU_NO_TIMEOUT_BRANCH: the schema requires both; each has its own code and message', () => {
    expect(said(menu('    timeout: { max: 1, then: b }\n'))).toEqual([
      'flows/t.yaml:7:3: node "a": menu has no "invalid" branch: say where a wrong key leads (invalid: {prompt, max, then}) [MENU_NO_INVALID_BRANCH]',
    ]);
    expect(said(menu('    invalid: { max: 1, then: b }\n'))).toEqual([
      'flows/t.yaml:7:3: node "a": menu has no "timeout" branch: say where silence leads (timeout: {prompt, max, then}) [MENU_NO_TIMEOUT_BRANCH]',
    ]);
  });

  it('BAD_KEY: a menu key that is not one key, a terminator that is a digit, a stop key of two', () => {
    expect(
      said(`${HEAD}  a:
    type: menu
    prompt: hi
    timeoutS: 5
    choices: { "1": b, "10": b, "*": b }
    invalid: { max: 1, then: b }
    timeout: { max: 1, then: b }
  b:
    type: collect
    prompt: hi
    into: n
    minLength: 1
    maxLength: 4
    terminator: "5"
    firstDigitTimeoutS: 5
    interDigitTimeoutS: 5
    next: c
    invalid: { max: 1, then: c }
    timeout: { max: 1, then: c }
  c:
    type: voicemail
    mailbox: "8120"
    maxS: 60
    stopKey: "##"
    next: d
  d:
    type: hangup
`),
    ).toEqual([
      'flows/t.yaml:11:24: node "a": choices key "10" is not a key: one of 0-9, * and # (one key each) [BAD_KEY]',
      'flows/t.yaml:20:17: node "b": terminator "5" is not a terminator: * or # (a digit would be part of the input) [BAD_KEY]',
      'flows/t.yaml:30:14: node "c": stopKey "##" is not a key: one of 0-9, * and # [BAD_KEY]',
    ]);
  });

  it('BAD_NAME: a node name with a space, a target that cannot be a name, an into that is not a variable', () => {
    expect(
      said(`${HEAD}  a b:
    type: hangup
  c:
    type: play
    prompt: hi
    next: 9lives
  d:
    type: lookupCustomer
    into: "cust omer"
    found: c
    notFound: c
`),
    ).toEqual([
      'flows/t.yaml:7:3: node "a b": node name "a b" is not a name: letters, digits, _ and -, not starting with a digit or - [BAD_NAME]',
      'flows/t.yaml:12:11: node "c": next "9lives" is not a name: letters, digits, _ and -, not starting with a digit or - [BAD_NAME]',
      'flows/t.yaml:15:11: node "d": into "cust omer" is not a variable name: letters, digits, _ and . (not first) [BAD_NAME]',
    ]);
  });

  it('MAX_VISITS_NO_TARGET: maxVisits without onMaxVisits', () => {
    expect(said(`${HEAD}  a:\n    type: play\n    prompt: hi\n    maxVisits: 2\n    next: a\n`)).toEqual([
      'flows/t.yaml:10:5: node "a": maxVisits needs onMaxVisits: where to go once the node has been entered maxVisits times [MAX_VISITS_NO_TARGET]',
    ]);
  });
});
