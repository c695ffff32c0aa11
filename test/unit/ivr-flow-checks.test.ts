/**
 * The static checks, each shown by a broken flow file (test/fixtures/flows-broken/<case>.yaml)
 * with its exact message and line:column; and flows the checks must let through.
 */
import { describe, expect, it } from 'vitest';
import { edges, formatProblem, loadFlowFile, loadFlowText, type FlowNode } from '../../src/ivr/flow/index.ts';

const DIR = 'test/fixtures/flows-broken';

async function said(name: string): Promise<string[]> {
  const r = await loadFlowFile(`${DIR}/${name}.yaml`);
  expect(r.def, 'a broken flow is refused').toBeUndefined();
  return r.problems.map((p) => `${formatProblem(p)} [${p.code}]${p.severity === 'warning' ? ' (warning)' : ''}`);
}

describe('flow files: static checks', () => {
  it('START_MISSING', async () => {
    expect(await said('start-missing')).toEqual([`${DIR}/start-missing.yaml:3:8: start "welcome" is not a node [START_MISSING]`]);
  });

  it('DANGLING_TARGET: any target field, onMaxVisits too', async () => {
    expect(await said('dangling-target')).toEqual([
      `${DIR}/dangling-target.yaml:13:12: node "menu": choices.5 leads to "salez", which is not a node [DANGLING_TARGET]`,
      `${DIR}/dangling-target.yaml:22:18: node "bye": onMaxVisits leads to "gone", which is not a node [DANGLING_TARGET]`,
    ]);
  });

  it('UNREACHABLE', async () => {
    expect(await said('unreachable')).toEqual([`${DIR}/unreachable.yaml:13:3: node "forgotten": is never reached: no path from start "greeting" leads here [UNREACHABLE]`]);
  });

  it('UNBOUNDED_LOOP: the cycle\'s nodes in order', async () => {
    expect(await said('unbounded-loop')).toEqual([
      `${DIR}/unbounded-loop.yaml:14:3: node "ask": loop ask → busy → ask never waits for the caller (menu, collect, voicemail) and has no maxVisits: it could run for ever; give one of its nodes maxVisits and onMaxVisits [UNBOUNDED_LOOP]`,
    ]);
  });

  it('COLLECT_LENGTHS', async () => {
    expect(await said('collect-lengths')).toEqual([`${DIR}/collect-lengths.yaml:11:16: node "number": minLength 10 is greater than maxLength 8 [COLLECT_LENGTHS]`]);
  });

  it('PROMPT_MISSING_LANGUAGE, UNKNOWN_PROMPT, and UNUSED_PROMPT as a warning', async () => {
    expect(await said('prompts')).toEqual([
      `${DIR}/prompts.yaml:5:3: prompt "welcome" has no en-US text; the flow's languages are zh-CN, en-US [PROMPT_MISSING_LANGUAGE]`,
      `${DIR}/prompts.yaml:10:3: prompt "spare" is never played [UNUSED_PROMPT] (warning)`,
      `${DIR}/prompts.yaml:16:23: node "greeting": prompt.1 plays prompt "welcom", which is not in prompts [UNKNOWN_PROMPT]`,
    ]);
  });

  it('PROMPT_DIGITS (speech is given words, never digits) and PROMPT_LATIN_IN_MANDARIN as a warning; a text spoken in its own language (lang) is not flagged', async () => {
    expect(await said('prompt-text')).toEqual([
      `${DIR}/prompt-text.yaml:6:5: prompt "choose" (zh-CN) has digits in its text: write them as words (按一, press one) or read values with a say node [PROMPT_DIGITS]`,
      `${DIR}/prompt-text.yaml:9:5: prompt "welcome" (zh-CN) has Latin words in Mandarin text, which the Mandarin voice reads as pinyin: give that part its own prompt with lang: en-US [PROMPT_LATIN_IN_MANDARIN] (warning)`,
    ]);
  });

  it('LANGUAGE_NOT_IN_FLOW', async () => {
    expect(await said('language-not-in-flow')).toEqual([
      `${DIR}/language-not-in-flow.yaml:9:11: node "english": switches to en-US, which is not one of the flow's languages (zh-CN) [LANGUAGE_NOT_IN_FLOW]`,
    ]);
  });

  it('BAD_TEMPLATE: a name with a space, a placeholder never closed, spaces inside; a lone $ is a dollar', async () => {
    expect(await said('bad-template')).toEqual([
      `${DIR}/bad-template.yaml:9:15: node "note": callData.reason: "\${account balance}" is not a placeholder: a name is letters, digits, _ and . (not first), as in \${customer.balance} [BAD_TEMPLATE]`,
      `${DIR}/bad-template.yaml:10:15: node "note": callData.amount: "\${amount" is never closed: a placeholder is \${name} [BAD_TEMPLATE]`,
      `${DIR}/bad-template.yaml:15:9: node "bye": to: "\${ caller }" is not a placeholder: a name is letters, digits, _ and . (not first), as in \${customer.balance} [BAD_TEMPLATE]`,
    ]);
  });

  it('VAR_READ_BEFORE_SET: a branch condition, and a read the notFound edge does not satisfy; built-ins and callData.* are always set', async () => {
    expect(await said('var-read-before-set')).toEqual([
      `${DIR}/var-read-before-set.yaml:17:20: node "vip": cases.1.if.var reads "segment", which is not set on every path from the start: not on identify (found) → vip [VAR_READ_BEFORE_SET]`,
      `${DIR}/var-read-before-set.yaml:28:12: node "balance": value reads "customer.balance", which is not set on every path from the start: not on identify (notFound) → balance [VAR_READ_BEFORE_SET]`,
    ]);
  });
});

const flow = (nodes: string, prompts = '  hi: { en-US: hello }\n'): string => `id: t\nlanguages: [en-US]\nstart: a\nprompts:\n${prompts}nodes:\n${nodes}`;
const problemsOf = (text: string): string[] => loadFlowText(text, 't.yaml').problems.map((p) => `${formatProblem(p)} [${p.code}]`);

describe('flow files: what the checks let through', () => {
  it('a loop bounded by maxVisits, and one through a menu', () => {
    expect(
      problemsOf(
        flow(`  a:
    type: webhook
    url: https://crm.example/x
    timeoutS: 2
    next: m
    onError: busy
  busy:
    type: play
    prompt: hi
    maxVisits: 3
    onMaxVisits: bye
    next: a
  m:
    type: menu
    prompt: hi
    timeoutS: 5
    choices: { "0": m, "1": a }
    invalid: { max: 3, then: m2 }
    timeout: { max: 3, then: bye }
  m2:
    type: play
    prompt: hi
    next: m
  bye:
    type: hangup
`),
      ),
    ).toEqual([]);
  });

  it('a variable set on every path (set, collect, found) is read; {var, set: true} proves it on its then; onMaxVisits sets nothing', () => {
    const nodes = `  a:
    type: set
    vars: { greeting: hello }
    next: look
  look:
    type: lookupCustomer
    phone: \${caller}
    into: customer
    found: known
    notFound: known
  known:
    type: branch
    cases:
      - if: { all: [{ var: customer.balance, set: true }, { var: lang, eq: en-US }] }
        then: say
    else: ask
  say:
    type: say
    as: money
    value: \${customer.balance}
    next: ask
  ask:
    type: collect
    prompt: hi
    into: digits
    minLength: 1
    maxLength: 4
    firstDigitTimeoutS: 5
    interDigitTimeoutS: 5
    next: save
    invalid: { max: 1, then: bye }
    timeout: { max: 1, then: bye }
  save:
    type: saveData
    name: digits
    value: \${digits} \${greeting} \${callData.account} \${returnTo}
    maxVisits: 2
    onMaxVisits: late
    next: ask
  late:
    type: return
    result: \${digits}
  bye:
    type: hangup
`;
    expect(problemsOf(flow(nodes))).toEqual([]);
  });

  it('a flow with only warnings loads', () => {
    const r = loadFlowText(flow('  a:\n    type: hangup\n', '  hi: { en-US: hello }\n'), 't.yaml');
    expect(r.def).toBeDefined();
    expect(r.problems.map((p) => [p.code, p.severity])).toEqual([['UNUSED_PROMPT', 'warning']]);
  });
});

describe('graph: edges per node kind', () => {
  it('lists every target field', () => {
    const nodes: FlowNode[] = [
      { type: 'menu', prompt: 'p', choices: { '1': 'x', '*': 'y' }, timeoutS: 5, invalid: { max: 1, then: 'i' }, timeout: { max: 1, then: 't' }, maxVisits: 2, onMaxVisits: 'm' },
      { type: 'collect', prompt: 'p', into: 'n', minLength: 1, maxLength: 2, firstDigitTimeoutS: 1, interDigitTimeoutS: 1, next: 'x', invalid: { max: 1, then: 'i' }, timeout: { max: 1, then: 't' } },
      { type: 'branch', cases: [{ if: { var: 'a', eq: 1 }, then: 'c0' }], else: 'e' },
      { type: 'hours', schedule: 'main', open: 'o', closed: 'c' },
      { type: 'lookupCustomer', into: 'c', found: 'f', notFound: 'n' },
      { type: 'query', query: 'q', params: {}, into: 'r', found: 'f', notFound: 'n', error: 'e' },
      { type: 'webhook', url: 'u', timeoutS: 1, next: 'x', onError: 'e' },
      { type: 'queue', queue: 'sales' },
    ];
    expect(nodes.map((n) => edges(n).map((e) => `${e.field}→${e.target}`))).toEqual([
      ['choices.1→x', 'choices.*→y', 'invalid.then→i', 'timeout.then→t', 'onMaxVisits→m'],
      ['next→x', 'invalid.then→i', 'timeout.then→t'],
      ['cases.0.then→c0', 'else→e'],
      ['open→o', 'closed→c'],
      ['found→f', 'notFound→n'],
      ['found→f', 'notFound→n', 'error→e'],
      ['next→x', 'onError→e'],
      [],
    ]);
  });
});
