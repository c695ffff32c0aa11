/**
 * Flow tests: the file format (docs/ivr.md, "Flow tests"). A flow's folder may hold test files in
 * `<folder>/tests/` (`*.test.yaml`, `*.test.yml`, `*.test.json`): each names one flow and lists
 * tests — a simulated caller (number, customer, time of day, keys with timings), the world's
 * answers (customers, named queries, business hours, webhooks, the recording) and what must
 * happen (the path, what the caller heard, how the call leaves the flow, the statistics outcome).
 * `npm run ivr:check` runs them on the pure engine (runner.ts) after the flows' checks.
 *
 * The JSON Schema below is closed (no unknown field anywhere); load-tests.ts validates with it and
 * then checks what a schema cannot say well (one action per input step, a real date-time).
 */
import type { Lang } from '../flow/types.ts';
import type { RequestValue } from '../engine/types.ts';
import type { IvrOutcome } from '../statistics/types.ts';

/** A flat record the world answers with (a customer, a query's row, a webhook's JSON object). */
export type FixtureRecord = NonNullable<RequestValue>;

/** One answer of a named query: when `params` (those named) equal the request's, `result` (null:
 * not found), or a failure with `error: true`. Without `params`, any request matches. */
export interface QueryCase {
  params?: Record<string, string>;
  result?: FixtureRecord | null;
  error?: true;
}

export interface CustomerFixture {
  customerNumber?: string;
  name?: string;
  vipLevel?: number;
  language?: string;
  balance?: string | number | null;
  preferredAgent?: string | null;
}

/** The world a test's call meets. */
export interface World {
  /** Phone number → the customer `lookupCustomer` finds (any other number: not found). */
  customers?: Record<string, CustomerFixture>;
  /** Query name → its answers, the first that matches; none: null (not found). */
  queries?: Record<string, QueryCase | QueryCase[]>;
  /** Schedule id → open or closed (default open). */
  hours?: Record<string, 'open' | 'closed'>;
  /** URL → the JSON object answered, or `error` (the webhook fails). A URL not listed fails. */
  webhooks?: Record<string, FixtureRecord | 'error'>;
  /** The voicemail recording: it answers this long after it starts (default 5000 ms), or when the
   * caller presses the stop key. */
  recording?: { durationMs: number };
  /** Replay by phone: phone id → the staff member whose PIN it is (any other id or PIN: refused). */
  staff?: Record<string, StaffFixture>;
  /** Replay by phone: the call recordings a search can find. */
  recordings?: RecordingFixture[];
}

export interface StaffFixture {
  pin: string;
  user: string;
  name?: string;
}

export interface RecordingFixture {
  id: string;
  /** The agent's username (its digits are what the caller keys). */
  agent: string;
  /** ISO date-time with an offset. */
  startedAt: string;
  durationMs: number;
}

/** The caller and the call as the flow starts. */
export interface CallerSetup {
  caller?: string;
  called?: string;
  callerName?: string;
  /** ISO date-time with an offset (`2026-12-01T10:00:00+08:00`): the call's start, for time-of-day
   * conditions. Default 2026-12-01T10:00:00+08:00 (a Tuesday morning). */
  at?: string;
  /** The engine's time zone for conditions that name none (default Asia/Shanghai). */
  timeZone?: string;
  /** The call's language as it arrives (default the flow's first). */
  lang?: Lang;
  returnTo?: string;
  callData?: Record<string, string | number | boolean | null>;
  /** Every prompt item lasts this long (instead of the estimate from its text). */
  promptMs?: number;
}

/**
 * What the caller does, in order. A step fires the first time the session is in node `in` and
 * waiting for the caller (its prompt ended and a timer runs, or a recording runs) — or, with
 * `duringPrompt`, while the node's prompt plays (a barge-in if the prompt allows it). `after`:
 * seconds into that wait (default 1) or into the prompt (default 0.2). `keys` are pressed 300 ms
 * apart; `silence` does nothing in that wait; `hangup` without `in` hangs up in the next wait,
 * whatever the node.
 */
export interface InputStep {
  in?: string;
  key?: string;
  keys?: string;
  silence?: true;
  hangup?: true;
  after?: number;
  duringPrompt?: boolean;
}

export type ExpectedEnd =
  | { queue: string; priority?: number; announceEveryS?: number | null }
  | { transfer: string }
  | { return: string }
  | { hangup: true }
  /** The caller hung up: the call never left the flow. */
  | { callerHangup: true };

export interface Expectations {
  /** The nodes entered, in order, exactly. */
  path?: string[];
  /** These nodes entered in this order, others between allowed. */
  pathIncludes?: string[];
  /** What the caller heard, in order, exactly: prompt ids, `say:<text>` for read-outs, `tone:beep`. */
  heard?: string[];
  heardIncludes?: string[];
  end?: ExpectedEnd;
  outcome?: IvrOutcome;
  /** The call's language at the end. */
  lang?: Lang;
  /** The call data set by the flow (all `set.callData`, merged), exactly. */
  callData?: Record<string, string>;
  /** The values kept by `saveData` nodes, by name, exactly. */
  saved?: Record<string, string>;
  /** Recordings played by replay by phone (the access ledger's rows), in order, exactly. */
  replayed?: string[];
  /** The call's recording paused and resumed by the flow (`pause`, `resume`), in order, exactly. */
  recording?: ('pause' | 'resume')[];
  /** Statistics events counted over the call (those named). */
  stats?: { key?: number; timeout?: number; invalid?: number };
}

export interface FlowTest extends CallerSetup, World {
  name: string;
  input?: InputStep[];
  expect: Expectations;
}

/** A test file. `defaults` (caller and world) apply to every test; a test's own fields win (its
 * customers, queries, hours and webhooks are added to the defaults' by key). */
export interface FlowTestFile {
  flow: string;
  description?: string;
  defaults?: CallerSetup & World;
  tests: FlowTest[];
}

export const TEST_FILE_SUFFIXES = ['.test.yaml', '.test.yml', '.test.json'] as const;

export function isTestFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return TEST_FILE_SUFFIXES.some((s) => lower.endsWith(s));
}

export const OUTCOMES: readonly IvrOutcome[] = ['queue', 'agent', 'selfService', 'voicemail', 'transfer', 'abandoned', 'hangup', 'error', 'returned'];

// ------------------------------------------------------------------------------------ the schema

type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const scalar: Schema = { type: ['string', 'number', 'boolean', 'null'] };
const record: Schema = { type: 'object', additionalProperties: scalar };
const stringMap: Schema = { type: 'object', additionalProperties: str };
const closed = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required, additionalProperties: false });
const list = (items: Schema, minItems = 0): Schema => ({ type: 'array', items, minItems });

export const DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2})$';
export const KEYS_PATTERN = '^[0-9*#]+$';

const queryCase = closed({ params: stringMap, result: { type: ['object', 'null'], additionalProperties: scalar }, error: { const: true } });

const customer = closed({
  customerNumber: str,
  name: str,
  vipLevel: { type: 'integer', minimum: 0 },
  language: str,
  balance: { type: ['string', 'number', 'null'] },
  preferredAgent: { type: ['string', 'null'] },
});

const worldProps: Record<string, Schema> = {
  customers: { type: 'object', additionalProperties: customer },
  queries: { type: 'object', additionalProperties: { anyOf: [queryCase, list(queryCase)] } },
  hours: { type: 'object', additionalProperties: { enum: ['open', 'closed'] } },
  webhooks: { type: 'object', additionalProperties: { anyOf: [record, { const: 'error' }] } },
  recording: closed({ durationMs: { type: 'integer', minimum: 0 } }, ['durationMs']),
  staff: { type: 'object', additionalProperties: closed({ pin: { type: 'string', pattern: '^[0-9]+$' }, user: str, name: str }, ['pin', 'user']) },
  recordings: list(closed({ id: { type: 'string', pattern: '^[^,]+$' }, agent: str, startedAt: { type: 'string', pattern: DATE_TIME_PATTERN }, durationMs: { type: 'integer', minimum: 0 } }, ['id', 'agent', 'startedAt', 'durationMs'])),
};

const callerProps: Record<string, Schema> = {
  caller: str,
  called: str,
  callerName: str,
  at: { type: 'string', pattern: DATE_TIME_PATTERN },
  timeZone: { type: 'string', minLength: 1 },
  lang: { enum: ['zh-CN', 'en-US'] },
  returnTo: str,
  callData: record,
  promptMs: { type: 'integer', minimum: 1 },
};

const step = closed({
  in: { type: 'string', minLength: 1 },
  key: { type: ['string', 'integer'], pattern: '^[0-9*#]$', minimum: 0, maximum: 9 },
  keys: { type: ['string', 'integer'], pattern: KEYS_PATTERN, minimum: 0 },
  silence: { const: true },
  hangup: { const: true },
  after: { type: 'number', minimum: 0 },
  duringPrompt: { type: 'boolean' },
});

const end: Schema = {
  anyOf: [
    closed({ queue: str, priority: { type: 'integer' }, announceEveryS: { type: ['integer', 'null'] } }, ['queue']),
    closed({ transfer: str }, ['transfer']),
    closed({ return: str }, ['return']),
    closed({ hangup: { const: true } }, ['hangup']),
    closed({ callerHangup: { const: true } }, ['callerHangup']),
  ],
};

const expectations = closed({
  path: list(str),
  pathIncludes: list(str),
  heard: list(str),
  heardIncludes: list(str),
  replayed: list(str),
  recording: list({ enum: ['pause', 'resume'] }),
  end,
  outcome: { enum: [...OUTCOMES] },
  lang: { enum: ['zh-CN', 'en-US'] },
  callData: stringMap,
  saved: stringMap,
  stats: closed({ key: { type: 'integer', minimum: 0 }, timeout: { type: 'integer', minimum: 0 }, invalid: { type: 'integer', minimum: 0 } }),
});

export function buildTestFileSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Switchboard IVR flow tests',
    ...closed(
      {
        $schema: str,
        flow: { type: 'string', minLength: 1 },
        description: str,
        defaults: closed({ ...callerProps, ...worldProps }),
        tests: list(closed({ name: { type: 'string', minLength: 1 }, ...callerProps, ...worldProps, input: list(step), expect: expectations }, ['name', 'expect']), 1),
      },
      ['flow', 'tests'],
    ),
  };
}
