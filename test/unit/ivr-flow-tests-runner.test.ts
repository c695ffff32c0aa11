/** Flow tests: the runner on small inline flows — each node kind's behaviour under a simulated
 * caller, on the pure engine with a virtual clock — and how a failing expectation is reported. */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadFlowText, type LoadedFlow } from '../../src/ivr/flow/index.ts';
import { loadTestText, runFlowTest, runTest, runTestFile, type FlowTest, type RunResult } from '../../src/ivr/flow-tests/index.ts';

function flowOf(nodes: string, extraPrompts = ''): LoadedFlow {
  const text = `id: t
languages: [en-US, zh-CN]
start: m
prompts:
  m: { en-US: menu, zh-CN: 菜单 }
  m2: { en-US: again, zh-CN: 再来 }
  bad: { en-US: wrong, zh-CN: 错 }
  bye: { en-US: bye, zh-CN: 再见 }
  ok: { en-US: ok, zh-CN: 好 }
${extraPrompts}nodes:
${nodes}`;
  const r = loadFlowText(text, 't.yaml');
  if (!r.def) throw new Error(r.problems.map((p) => formatProblem(p)).join('\n'));
  return { def: r.def, version: 1, file: 't.yaml', hash: r.hash, loadedAt: 0 };
}

const run = (flow: LoadedFlow, test: Partial<FlowTest>): RunResult => runFlowTest(flow, { name: 't', caller: '13800000002', promptMs: 1000, expect: {}, ...test });

const TAIL = `  q: { type: queue, queue: sales, prompt: ok }
  gone: { type: hangup, prompt: bye }
`;

const MENU = flowOf(`  m:
    type: menu
    prompt: m
    retryPrompts: [m2]
    timeoutS: 5
    choices: { "1": q }
    invalid: { prompt: bad, max: 2, then: gone }
    timeout: { max: 3, then: q }
${TAIL}`);

describe('flow tests: menu', () => {
  it('a wrong key: the policy prompt and the retry prompt; the max-th: its then', () => {
    const r = run(MENU, { input: [{ in: 'm', key: '7' }, { in: 'm', key: '8' }] });
    expect(r.heard).toEqual(['m', 'bad', 'm2', 'bye']);
    expect([r.end, r.outcome, r.stats.invalid, r.errors]).toEqual([{ kind: 'hangup' }, 'hangup', 2, []]);
  });

  it('silence: the menu again up to max, on the virtual clock (1 s prompts, 5 s waits)', () => {
    const r = run(MENU, {});
    expect(r.heard).toEqual(['m', 'm2', 'm2', 'ok']);
    expect(r.path).toEqual(['m', 'q']);
    expect(r.stats).toEqual({ key: 0, timeout: 3, invalid: 0 });
    expect(r.durationMs).toBe(3 * (1000 + 5000) + 1000);
  });

  it('a key during a barge-in prompt stops it; during a prompt without barge-in it is not heard', () => {
    const barge = run(MENU, { input: [{ in: 'm', key: '1', duringPrompt: true }] });
    expect([barge.heard, barge.end]).toEqual([['m', 'ok'], { kind: 'queue', queue: 'sales', priority: 0, announceEveryS: null, service: null }]);
    expect(barge.durationMs).toBe(200 + 1000);
    const noBarge = flowOf(`  m:
    type: menu
    prompt: m
    bargeIn: false
    timeoutS: 5
    choices: { "1": q }
    invalid: { max: 1, then: gone }
    timeout: { max: 1, then: gone }
${TAIL}`);
    const r = run(noBarge, { input: [{ in: 'm', key: '1', duringPrompt: true }, { in: 'm', key: '1', after: 2 }] });
    expect([r.heard, r.stats.key, r.durationMs]).toEqual([['m', 'ok'], 2, 1000 + 2000 + 1000]);
  });

  it('a step fires only in its node: a key meant for a later node waits; silence consumes one wait', () => {
    const r = run(MENU, { input: [{ in: 'm', silence: true }, { in: 'm', key: '1', after: 0.5 }] });
    expect([r.heard, r.stats.timeout]).toEqual([['m', 'm2', 'ok'], 1]);
  });

  it('the prompt estimate: 65 ms a letter, 220 ms a CJK character, at least 400 ms an item', () => {
    const r = runFlowTest(MENU, { name: 't', caller: '1', lang: 'zh-CN', input: [{ in: 'm', key: '1', after: 0 }], expect: {} });
    // 菜单 = 440 ms, 好 = 400 ms (the minimum).
    expect(r.durationMs).toBe(440 + 400);
    const en = runFlowTest(MENU, { name: 't', caller: '1', input: [{ in: 'm', key: '1', after: 0 }], expect: {} });
    expect(en.durationMs).toBe(400 + 400); // "menu" = 260 ms → 400
  });
});

const COLLECT = (extra: string): LoadedFlow =>
  flowOf(`  m:
    type: collect
    prompt: m
    into: n
    minLength: 3
    maxLength: 5
${extra}    firstDigitTimeoutS: 4
    interDigitTimeoutS: 2
    next: s
    invalid: { prompt: bad, max: 3, then: gone }
    timeout: { max: 2, then: gone }
  s: { type: say, as: digits, value: "\${n}", next: q }
${TAIL}`);

describe('flow tests: collect and say', () => {
  const withHash = COLLECT('    terminator: "#"\n');
  it('the terminator ends the input; the read-out is heard as say:<text>', () => {
    const r = run(withHash, { input: [{ in: 'm', keys: '1234#' }] });
    expect(r.heard).toEqual(['m', 'say:one two three four', 'ok']);
    expect(r.path).toEqual(['m', 's', 'q']);
  });

  it('too few or too many digits is invalid, then asked again', () => {
    const r = run(withHash, { input: [{ in: 'm', keys: '12#' }, { in: 'm', keys: '123456#' }, { in: 'm', keys: '123#' }] });
    expect(r.heard).toEqual(['m', 'bad', 'm', 'bad', 'm', 'say:one two three', 'ok']);
    expect(r.stats.invalid).toBe(2);
  });

  it('the inter-digit timeout ends the input', () => {
    const r = run(withHash, { input: [{ in: 'm', keys: '987' }] });
    expect(r.heard).toEqual(['m', 'say:nine eight seven', 'ok']);
    expect(r.durationMs).toBe(1000 + 1000 + 600 + 2000 + 1000 + 1000);
  });

  it('without a terminator, maxLength ends the input; 300 ms between keys', () => {
    const r = run(COLLECT(''), { input: [{ in: 'm', keys: '12345', after: 0 }] });
    expect(r.heard).toEqual(['m', 'say:one two three four five', 'ok']);
    expect(r.durationMs).toBe(1000 + 4 * 300 + 1000 + 1000);
  });

  it('no digit: the timeout policy', () => {
    const r = run(withHash, {});
    expect([r.heard, r.stats.timeout, r.outcome]).toEqual([['m', 'm', 'bye'], 2, 'hangup']);
  });
});

describe('flow tests: branch, hours, maxVisits, lookups', () => {
  const byTime = flowOf(`  m:
    type: branch
    cases:
      - if: { time: { from: "09:00", to: "18:00" } }
        then: q
    else: gone
${TAIL}`);
  it('a time-of-day branch follows `at`, in the engine time zone (default Asia/Shanghai)', () => {
    expect(run(byTime, { at: '2026-12-01T10:00:00+08:00' }).end?.kind).toBe('queue');
    expect(run(byTime, { at: '2026-12-01T20:00:00+08:00' }).end?.kind).toBe('hangup');
    // 10:00 in London is 18:00 in Shanghai.
    expect(run(byTime, { at: '2026-12-01T10:00:00Z' }).end?.kind).toBe('hangup');
    expect(run(byTime, { at: '2026-12-01T10:00:00Z', timeZone: 'Europe/London' }).end?.kind).toBe('queue');
  });

  const hours = flowOf(`  m: { type: hours, schedule: main, open: q, closed: gone }
${TAIL}`);
  it('hours: open unless the test says closed', () => {
    expect(run(hours, {}).path).toEqual(['m', 'q']);
    expect(run(hours, { hours: { main: 'closed' } }).path).toEqual(['m', 'gone']);
  });

  it('maxVisits: the node past its visits goes to onMaxVisits (and is not entered)', () => {
    const f = flowOf(`  m:
    type: menu
    prompt: m
    timeoutS: 5
    choices: { "1": p }
    invalid: { max: 1, then: gone }
    timeout: { max: 1, then: gone }
  p: { type: play, prompt: ok, maxVisits: 2, onMaxVisits: q, next: m }
  q: { type: queue, queue: sales }
  gone: { type: hangup, prompt: bye }
`);
    const r = run(f, { input: [{ in: 'm', key: '1' }, { in: 'm', key: '1' }, { in: 'm', key: '1' }] });
    expect(r.path).toEqual(['m', 'p', 'm', 'p', 'm', 'q']);
  });

  it('customers, queries (first matching case, else null, error: true), webhooks, call data and saved data', () => {
    const f = flowOf(`  m: { type: lookupCustomer, into: c, found: qy, notFound: gone }
  qy:
    type: query
    query: byNumber
    params: { n: "\${c.customerNumber}" }
    into: a
    found: w
    notFound: gone
    error: gone
  w:
    type: webhook
    url: "https://crm.example/hook"
    body: { who: "\${c.name}" }
    timeoutS: 2
    into: h
    next: sd
    onError: gone
  sd: { type: saveData, name: ticket, value: "\${h.ticket}", next: st }
  st: { type: set, callData: { balance: "\${a.balance}", vip: "\${c.vipLevel}" }, next: q }
${TAIL}`);
    const world: Partial<FlowTest> = {
      customers: { '13800000002': { customerNumber: '10000002', name: 'Han', vipLevel: 1 } },
      queries: { byNumber: [{ params: { n: '99' }, result: { balance: '1' } }, { params: { n: '10000002' }, result: { balance: '12.50' } }] },
      webhooks: { 'https://crm.example/hook': { ticket: 'T-7' } },
    };
    const r = run(f, world);
    expect(r.path).toEqual(['m', 'qy', 'w', 'sd', 'st', 'q']);
    expect([r.callData, r.saved]).toEqual([{ balance: '12.50', vip: '1' }, { ticket: 'T-7' }]);
    expect(run(f, { ...world, caller: '1' }).path).toEqual(['m', 'gone']);
    expect(run(f, { ...world, queries: { byNumber: { params: { n: 'x' } } } }).path).toEqual(['m', 'qy', 'gone']);
    expect(run(f, { ...world, queries: { byNumber: { error: true } } }).warnings).toEqual(['IVR query failed (node qy)']);
    expect(run(f, { ...world, webhooks: { 'https://crm.example/hook': 'error' } }).path).toEqual(['m', 'qy', 'w', 'gone']);
  });
});

describe('flow tests: hang-ups and outcomes', () => {
  const f = flowOf(`  m:
    type: menu
    prompt: m
    timeoutS: 5
    choices: { "1": s, "9": vm }
    invalid: { max: 1, then: gone }
    timeout: { max: 1, then: gone }
  s: { type: say, before: ok, as: money, value: "12.5", selfService: true, next: m }
  vm: { type: voicemail, mailbox: "8120", prompt: m2, maxS: 60, next: gone }
  gone: { type: hangup, prompt: bye }
`);
  it('hanging up in a menu: abandoned; after a self-service node: selfService', () => {
    expect(run(f, { input: [{ in: 'm', hangup: true }] }).outcome).toBe('abandoned');
    const r = run(f, { input: [{ in: 'm', key: '1' }, { in: 'm', hangup: true }] });
    expect([r.outcome, r.end, r.heard]).toEqual(['selfService', null, ['m', 'ok', 'say:twelve dollars and fifty cents', 'm']]);
  });

  it('voicemail: a hang-up during the prompt is abandoned, after the beep voicemail; # ends the recording', () => {
    expect(run(f, { input: [{ in: 'm', key: '9' }, { in: 'vm', hangup: true, duringPrompt: true }] }).outcome).toBe('abandoned');
    const rec = run(f, { input: [{ in: 'm', key: '9' }, { in: 'vm', hangup: true, after: 3 }], recording: { durationMs: 10_000 } });
    expect([rec.outcome, rec.heard]).toEqual(['voicemail', ['m', 'm2', 'tone:beep']]);
    const stop = run(f, { input: [{ in: 'm', key: '9' }, { in: 'vm', key: '#', after: 4 }], recording: { durationMs: 60_000 } });
    // 1 s menu + 1 s wait + 1 s prompt + 1 s beep, 4 s of message, 1 s goodbye.
    expect([stop.heard, stop.durationMs]).toEqual([['m', 'm2', 'tone:beep', 'bye'], 1000 + 1000 + 2000 + 4000 + 1000]);
  });

  it('a call that never ends fails after an hour of virtual time; a step that never fires is said', () => {
    const loop = flowOf(`  m:
    type: menu
    prompt: m
    timeoutS: 5
    choices: { "1": q }
    invalid: { max: 1, then: gone }
    timeout: { max: 1, then: m }
${TAIL}`);
    const r = run(loop, {});
    expect(r.errors).toEqual(['the call never ended: still in node m after an hour']);
    expect(run(MENU, { input: [{ in: 'gone', key: '1' }] }).errors).toEqual(['input step 1 (key 1 in gone) never fired: the call ended first']);
  });

  it('deterministic: the same test gives the same result', () => {
    const t: Partial<FlowTest> = { input: [{ in: 'm', key: '1' }, { in: 'm', hangup: true }] };
    expect(run(f, t)).toEqual(run(f, t));
  });
});

describe('flow tests: the report of a failing test', () => {
  it('each difference a line, then what happened', () => {
    const t = loadTestText(
      `flow: t
tests:
  - name: one goes to vip
    caller: "1"
    promptMs: 1000
    input: [{ in: m, key: "1" }]
    expect:
      heard: [m, vipWelcome]
      end: { queue: vip }
      outcome: queue
`,
      'tests/t.test.yaml',
    );
    expect(t.problems).toEqual([]);
    const out = runTest(MENU, t.def!, t.def!.tests[0]!);
    expect(out.passed).toBe(false);
    expect(out.failures).toEqual([
      'heard: expected [m, vipWelcome], got [m, ok] — #2 is ok, expected vipWelcome',
      'end: expected queue vip, got queue sales (priority 0)',
      'what happened: path [m, q]; heard [m, ok]; end queue sales (priority 0); outcome queue',
    ]);
    const rep = runTestFile(t, { flows: new Map([['t', MENU]]), statuses: [] });
    expect(rep.problems.map((p) => formatProblem(p))[1]).toBe('tests/t.test.yaml:3:5: test "one goes to vip": end: expected queue vip, got queue sales (priority 0)');
  });

  it('a test file that is not valid: closed schema, at file:line:column', () => {
    const t = loadTestText(
      `flow: t
tests:
  - name: a
    caller: 13800000002
    input:
      - { in: m, key: "12" }
      - { in: m, key: "1", hangup: true }
    expect: { end: { queue: 1, extra: 2 }, heard: [m] }
    colour: blue
`,
      'tests/t.test.yaml',
    );
    expect(t.def).toBeUndefined();
    expect(t.problems.map((p) => formatProblem(p))).toEqual([
      'tests/t.test.yaml:4:13: tests.0.caller: must be string, not 13800000002 (quote it: "13800000002")',
      'tests/t.test.yaml:6:23: tests.0.input.0.key: "12" is not a key: one of 0-9, * and # (quote "*" and "#")',
      'tests/t.test.yaml:8:20: tests.0.expect.end: end is one of {queue, priority?, announceEveryS?}, {transfer}, {return}, {hangup: true}, {callerHangup: true}',
      'tests/t.test.yaml:9:5: unknown field "colour": tests.0 has name, caller, called, callerName, at, timeZone, lang, returnTo, callData, promptMs, customers, queries, hours, webhooks, recording, staff, recordings, input, expect',
    ]);
    const steps = loadTestText('flow: t\ntests:\n  - name: a\n    caller: "1"\n    input:\n      - { in: m, key: "1", hangup: true }\n      - { key: "1" }\n    expect: {}\n', 'x.test.yaml');
    expect(steps.problems.map((p) => p.message)).toEqual(['input 1: a step does one thing: key, keys, silence or hangup (given key, hangup)', 'input 2: a key step needs "in": the node it happens in']);
  });

  it('a test file naming a flow that does not exist or did not load', () => {
    const t = loadTestText('flow: nope\ntests:\n  - { name: a, caller: "1", expect: {} }\n', 'x.test.yaml');
    const missing = runTestFile(t, { flows: new Map(), statuses: [] });
    expect(missing.problems.map((p) => `${p.code} ${p.line}:${p.column} ${p.message}`)).toEqual(['TEST_FLOW 1:7 flow "nope" does not exist: the folder\'s flows are none; its 1 test cannot run']);
    const broken = runTestFile(t, { flows: new Map(), statuses: [{ id: 'nope', file: 'flows/nope.yaml', version: null, status: 'error', problems: [], loadedAt: null }] });
    expect(broken.problems[0]!.message).toBe('flow "nope" did not load (flows/nope.yaml has errors); its 1 test cannot run');
  });
});
