/**
 * The flow language: what an IVR flow file holds once it has been read and validated. One flow
 * per file (YAML or JSON), named by its `id`. A flow is a set of named nodes; each node is one
 * step of a small state machine (src/ivr/nodes/, one file per kind) and names the node(s) it may
 * go to next. docs/ivr.md describes every field for authors; `flow-schema.ts` is the JSON Schema
 * derived from these types (published as docs/ivr-flow.schema.json for editors).
 *
 * Values that depend on the call are *templates*: strings with `${name}` placeholders naming a
 * variable. Built-in variables, always set: `caller` (the caller's number), `called` (the number
 * dialled), `callerName`, `lang` (the call's language), `flow`, `returnTo` (the agent a
 * `call.toIvr` came from, else empty). Nodes set others: `set.vars`, `collect.into`,
 * `lookupCustomer.into` (`<into>.customerNumber`, `.name`, `.vipLevel`, `.language`, `.balance`,
 * `.preferredAgent`), `query.into` (`<into>.<field>` for each field of the query's result),
 * `webhook.into` (`<into>.status`, `<into>.<field>` of a JSON object answer), and `callData.<key>`
 * holds the call data the call arrived with.
 */

export const LANGS = ['zh-CN', 'en-US'] as const;
export type Lang = (typeof LANGS)[number];

/** The name of a node of the same flow. */
export type Target = string;

/** A prompt of the flow's catalogue, or several played in a row. */
export type PromptRef = string | string[];

/** One prompt in one language: text the TTS engine says, or a recorded file (relative to the
 * flow's folder or the prompt library) with the text it says (for logs, tests and the fallback).
 * `lang`: the text is spoken in another language than the call's (a bilingual language menu:
 * "For English, press two" in a Mandarin call is spoken by the English voice). */
export type PromptText = string | { file?: string; text?: string; lang?: Lang };

/** A prompt in each of the flow's languages. */
export type Prompt = Partial<Record<Lang, PromptText>>;

export const READ_OUT_KINDS = ['number', 'digits', 'money', 'date', 'time', 'datetime', 'duration', 'phone', 'ordinal', 'percent', 'temperature'] as const;
export type ReadOutKind = (typeof READ_OUT_KINDS)[number];

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

/** A condition of a `branch` node: structured, never code. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | VarCondition
  /** The local time of day, `from` included, `to` excluded ("24:00" allowed); `from` > `to` spans midnight. */
  | { time: { from: string; to: string; timeZone?: string } }
  | { day: Day[]; timeZone?: string };

/** A test on a variable (`caller`, `lang`, `customer.vipLevel`, …). Exactly one test. Numbers
 * compare as numbers (a variable that is not a number fails gt/gte/lt/lte); `set`: the variable
 * has a non-empty value. */
export interface VarCondition {
  var: string;
  eq?: string | number;
  ne?: string | number;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  in?: (string | number)[];
  prefix?: string;
  set?: boolean;
}

/** What to do when the caller gives no or wrong input: the prompt to play each time (optional),
 * how many times (`max`, counting this one) before going to `then`. */
export interface RetryPolicy {
  prompt?: PromptRef;
  max: number;
  then: Target;
}

interface NodeBase {
  /** The caller is served once this node runs: a caller hanging up later counts as self-service
   * completed, not abandoned (statistics). */
  selfService?: boolean;
  /** A guard for loops: entering the node more than this many times in one call goes to
   * `onMaxVisits` instead. */
  maxVisits?: number;
  onMaxVisits?: Target;
}

export interface PlayNode extends NodeBase {
  type: 'play';
  prompt: PromptRef;
  /** A key stops the prompt (default true); the key itself is then not used. */
  bargeIn?: boolean;
  next: Target;
}

export interface SayNode extends NodeBase {
  type: 'say';
  /** Played before and after the value (e.g. "your balance is" … "thank you"). */
  before?: PromptRef;
  as: ReadOutKind;
  value: string;
  after?: PromptRef;
  bargeIn?: boolean;
  next: Target;
}

export interface MenuNode extends NodeBase {
  type: 'menu';
  prompt: PromptRef;
  /** One key (0–9, *, #) → the node it leads to. */
  choices: Record<string, Target>;
  /** Seconds to wait for a key after the prompt ended. */
  timeoutS: number;
  bargeIn?: boolean;
  /** Played instead of `prompt` when the menu is said again after a wrong or missing key: the
   * n-th repetition plays the n-th (the last one from then on). */
  retryPrompts?: PromptRef[];
  invalid: RetryPolicy;
  timeout: RetryPolicy;
}

export interface CollectNode extends NodeBase {
  type: 'collect';
  prompt: PromptRef;
  /** The variable the digits go to. */
  into: string;
  minLength: number;
  maxLength: number;
  /** The key that ends the input (not part of it). Without one, input ends at `maxLength`. */
  terminator?: string;
  firstDigitTimeoutS: number;
  interDigitTimeoutS: number;
  /** Masked in logs, statistics and stored data (card numbers, PINs). */
  sensitive?: boolean;
  bargeIn?: boolean;
  next: Target;
  /** Too few or too many digits. */
  invalid: RetryPolicy;
  /** No digit at all. */
  timeout: RetryPolicy;
}

export interface SetNode extends NodeBase {
  type: 'set';
  vars?: Record<string, string>;
  /** Written to the call's data (seen by the agent who gets the call), values are templates. */
  callData?: Record<string, string>;
  next: Target;
}

export interface BranchNode extends NodeBase {
  type: 'branch';
  cases: { if: Condition; then: Target }[];
  else: Target;
}

export interface HoursNode extends NodeBase {
  type: 'hours';
  /** A business-hours schedule (admin API `/api/v1/ivr/schedules/:id`); an unknown one is open. */
  schedule: string;
  open: Target;
  closed: Target;
}

export interface LookupCustomerNode extends NodeBase {
  type: 'lookupCustomer';
  /** The number to look up (template; default `${caller}`). */
  phone?: string;
  into: string;
  found: Target;
  notFound: Target;
}

export interface QueryNode extends NodeBase {
  type: 'query';
  /** A named query of the daemon (docs/ivr.md lists them): never SQL. */
  query: string;
  params: Record<string, string>;
  into: string;
  found: Target;
  notFound: Target;
  /** The query failed (bad parameters, storage error); default: notFound. */
  error?: Target;
}

export interface SaveDataNode extends NodeBase {
  type: 'saveData';
  /** Stored with the call, flow and node (table ivr_collected). */
  name: string;
  value: string;
  sensitive?: boolean;
  next: Target;
}

export interface LanguageNode extends NodeBase {
  type: 'language';
  lang: Lang;
  next: Target;
}

export interface QueueNode extends NodeBase {
  type: 'queue';
  /** The ACD queue (template allowed). */
  queue: string;
  /** Caller priority in the queue (higher waits ahead). */
  priority?: number;
  /** The skills this call needs, instead of the queue's own (level 1 = best … 5: an agent
   * qualifies with a level ≤ minLevel). The ACD sees it as a business service of the flow. */
  skills?: { skill: string; minLevel: number }[];
  prompt?: PromptRef;
  /** While waiting: position and estimated wait every `everyS` seconds. */
  announce?: { everyS: number };
}

export interface TransferNode extends NodeBase {
  type: 'transfer';
  /** An extension or an outside number (template). */
  to: string;
  prompt?: PromptRef;
}

export interface VoicemailNode extends NodeBase {
  type: 'voicemail';
  mailbox: string;
  /** Played before the beep. */
  prompt?: PromptRef;
  maxS: number;
  /** The key that ends the message (default #). */
  stopKey?: string;
  next: Target;
}

export interface ReturnNode extends NodeBase {
  type: 'return';
  /** The flow's result, put in the call data as `ivr.<flow>.result` (template). */
  result: string;
  prompt?: PromptRef;
}

export interface WebhookNode extends NodeBase {
  type: 'webhook';
  url: string;
  /** JSON body: each value a template. */
  body?: Record<string, string>;
  timeoutS: number;
  into?: string;
  next: Target;
  onError: Target;
}

/** Replay by phone: the staff member's phone id and PIN checked by the daemon (users with the qa,
 * supervisor or admin role and a phone id, admin API); a refusal is written to the access ledger. */
export interface StaffLoginNode extends NodeBase {
  type: 'staffLogin';
  /** Templates, e.g. `${staffId}` and `${staffPin}` from collect nodes (the PIN one sensitive). */
  phoneId: string;
  pin: string;
  /** `ok` sets `<into>.user` (the username) and `<into>.name`. */
  into: string;
  ok: Target;
  /** Unknown phone id, wrong PIN, disabled user or no right to replay (bound the retries with
   * `maxVisits` on the node `denied` leads to). */
  denied: Target;
}

/**
 * Replay by phone: the recordings of an agent on a day (and hour), newest first, each announced by
 * its ordinal and start time; during playback 1 previous, 2 repeat, 3 next, 0 back.
 */
export interface ReplayRecordingsNode extends NodeBase {
  type: 'replayRecordings';
  /** Who listens (a username; written to the access ledger with each play). Template. */
  user: string;
  /** The digits of the agent's username (`1001` finds a1001). Template. */
  agent: string;
  /** `YYYYMMDD`, or empty for today (in the engine's time zone). Template. */
  date: string;
  /** `HH` (0–23), or empty for the whole day. Template. */
  hour: string;
  /** The most recordings played (default 20). */
  limit?: number;
  /** Said once before the first recording (e.g. which keys do what). */
  intro?: PromptRef;
  /** Said after each recording's ordinal, before its start time ("条录音" / "recording"). */
  label?: PromptRef;
  /** Said after the last recording (the keys still work: 1 previous, 2 repeat, 0 back). */
  end: PromptRef;
  /** Seconds to wait for a key after `end`. */
  waitS: number;
  notFound: Target;
  /** The date or hour is not one. */
  invalid: Target;
  /** Key 0: back to the agent choice. */
  back: Target;
  /** No key after `end`. */
  done: Target;
  /** The search failed; default notFound. */
  error?: Target;
}

export interface HangupNode extends NodeBase {
  type: 'hangup';
  prompt?: PromptRef;
}

export type FlowNode =
  | PlayNode
  | SayNode
  | MenuNode
  | CollectNode
  | SetNode
  | BranchNode
  | HoursNode
  | LookupCustomerNode
  | QueryNode
  | SaveDataNode
  | LanguageNode
  | QueueNode
  | TransferNode
  | VoicemailNode
  | ReturnNode
  | WebhookNode
  | StaffLoginNode
  | ReplayRecordingsNode
  | HangupNode;

export type NodeKind = FlowNode['type'];

export const NODE_KINDS: readonly NodeKind[] = [
  'play', 'say', 'menu', 'collect', 'set', 'branch', 'hours', 'lookupCustomer', 'query', 'saveData',
  'language', 'queue', 'transfer', 'voicemail', 'return', 'webhook', 'staffLogin', 'replayRecordings', 'hangup',
];

/** A flow file as written. */
export interface FlowDefinition {
  id: string;
  description?: string;
  /** The languages every prompt must exist in; the first is the default. */
  languages: Lang[];
  start: Target;
  prompts: Record<string, Prompt>;
  nodes: Record<string, FlowNode>;
}

/** A loaded flow: the definition plus where it came from. */
export interface LoadedFlow {
  def: FlowDefinition;
  /** 1, 2, …: a new version each time the file's content changes. */
  version: number;
  file: string;
  /** sha256 of the file's bytes. */
  hash: string;
  loadedAt: number;
}
