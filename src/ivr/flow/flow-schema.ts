/**
 * The JSON Schema (draft-07) of a flow file, built from the flow language of `types.ts` and with
 * its doc comments as `description`s, so that an editor (yaml-language-server, VS Code) shows
 * them. Published as docs/ivr-flow.schema.json (`npx tsx src/ivr/flow/write-schema.ts`; a unit
 * test fails when the published file is stale). A YAML file refers to it with
 * `# yaml-language-server: $schema=../docs/ivr-flow.schema.json`.
 *
 * Shape, for precise errors: every object is closed (`additionalProperties: false`); a node is
 * discriminated by `type` with one `if`/`then` per kind (an error in a `menu` says what is wrong
 * with that menu, not which of 17 alternatives it fails), a condition by its key (`all`, `any`,
 * `not`, `var`, `time`, `day`) the same way. No `oneOf`/`anyOf`: a value that may be a string or
 * a list is `type: [string, array]`.
 *
 * The loader (load.ts) gives some schema errors their own code and message (`MESSAGES` below and
 * `classify` in load.ts): a menu without `invalid`/`timeout`, a bad key, `maxVisits` without
 * `onMaxVisits`.
 */
import { DAYS, LANGS, NODE_KINDS, READ_OUT_KINDS, type NodeKind } from './types.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };

/** A node or prompt name: also how targets are spelled. */
export const NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';
/** A flow id (= the file's name without extension). */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]*$';
/** A variable name, as in `${name}` and `var:`. */
export const VAR_PATTERN = '^[A-Za-z_][A-Za-z0-9_.]*$';
/** One key of a phone's keypad. */
export const KEY_PATTERN = '^[0-9*#]$';
/** A key that may end digit input: a digit would be part of it. */
export const TERMINATOR_PATTERN = '^[*#]$';
const TIME_PATTERN = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', description, ...extra });
const bool = (description: string): Schema => ({ type: 'boolean', description });
const target = (description: string): Schema => ({ ...ref('target'), description });
const prompt = (description: string): Schema => ({ ...ref('promptRef'), description });
const template = (description: string): Schema => ({ type: 'string', description: `${description} A template: \${name} is replaced by the variable's value.` });
const templates = (description: string): Schema => ({
  type: 'object',
  description: `${description} Each value is a template: \${name} is replaced by the variable's value.`,
  propertyNames: { pattern: VAR_PATTERN },
  additionalProperties: { type: 'string' },
});

const BASE: Record<string, Schema> = {
  selfService: bool('The caller is served once this node runs: a caller hanging up later counts as self-service completed, not abandoned (statistics).'),
  maxVisits: int('A guard for loops: entering the node more than this many times in one call goes to `onMaxVisits` instead.', { minimum: 1 }),
  onMaxVisits: target('Where to go when the node is entered more than `maxVisits` times (required with maxVisits).'),
};

const BARGE_IN = bool('A key stops the prompt (default true); the key itself is then not used.');

/** Per kind: its description, fields (besides `type` and the common ones) and required fields. */
const KINDS: Record<NodeKind, { description: string; properties: Record<string, Schema>; required: string[] }> = {
  play: {
    description: 'Play a prompt, then go to `next`.',
    properties: { prompt: prompt('The prompt(s) to play.'), bargeIn: BARGE_IN, next: target('The node after the prompt.') },
    required: ['prompt', 'next'],
  },
  say: {
    description: 'Read a value out (智能报读): a number, money, a date … in the call\'s language.',
    properties: {
      before: prompt('Played before the value (e.g. "your balance is").'),
      as: { enum: [...READ_OUT_KINDS], description: 'How the value is read: number, digits, money, date, time, datetime, duration, phone, ordinal, percent, temperature.' },
      value: template('The value to read (e.g. "${customer.balance}").'),
      after: prompt('Played after the value (e.g. "thank you").'),
      bargeIn: BARGE_IN,
      next: target('The node after the read-out.'),
    },
    required: ['as', 'value', 'next'],
  },
  menu: {
    description: 'Play a prompt and wait for one key.',
    properties: {
      prompt: prompt('The menu prompt.'),
      choices: {
        type: 'object',
        description: 'One key (0–9, *, #) → the node it leads to. Quote * and # in YAML: "*": node.',
        propertyNames: { pattern: KEY_PATTERN },
        additionalProperties: ref('target'),
        minProperties: 1,
      },
      timeoutS: { type: 'number', exclusiveMinimum: 0, maximum: 60, description: 'Seconds to wait for a key after the prompt ended.' },
      bargeIn: BARGE_IN,
      retryPrompts: {
        type: 'array',
        items: ref('promptRef'),
        description: 'Played instead of `prompt` when the menu is said again after a wrong or missing key: the n-th repetition plays the n-th (the last one from then on).',
      },
      invalid: { ...ref('retryPolicy'), description: 'A key that is not a choice: the prompt to play, how many times (`max`, counting this one) before going to `then`.' },
      timeout: { ...ref('retryPolicy'), description: 'No key within `timeoutS`: the prompt to play, how many times (`max`, counting this one) before going to `then`.' },
    },
    required: ['prompt', 'choices', 'timeoutS', 'invalid', 'timeout'],
  },
  collect: {
    description: 'Play a prompt and collect digits into a variable.',
    properties: {
      prompt: prompt('The prompt asking for the digits.'),
      into: str('The variable the digits go to.', { pattern: VAR_PATTERN }),
      minLength: int('The fewest digits accepted (0: the terminator alone is an input, e.g. "empty # for today").', { minimum: 0, maximum: 64 }),
      maxLength: int('The most digits accepted.', { minimum: 1, maximum: 64 }),
      terminator: str('The key that ends the input (not part of it): * or #. Without one, input ends at `maxLength`.', { pattern: TERMINATOR_PATTERN }),
      firstDigitTimeoutS: { type: 'number', exclusiveMinimum: 0, maximum: 60, description: 'Seconds to wait for the first digit.' },
      interDigitTimeoutS: { type: 'number', exclusiveMinimum: 0, maximum: 60, description: 'Seconds to wait for each further digit.' },
      sensitive: bool('Masked in logs, statistics and stored data (card numbers, PINs).'),
      bargeIn: BARGE_IN,
      next: target('The node after a valid input.'),
      invalid: { ...ref('retryPolicy'), description: 'Too few or too many digits.' },
      timeout: { ...ref('retryPolicy'), description: 'No digit at all.' },
    },
    required: ['prompt', 'into', 'minLength', 'maxLength', 'firstDigitTimeoutS', 'interDigitTimeoutS', 'next', 'invalid', 'timeout'],
  },
  set: {
    description: 'Set variables and/or the call\'s data.',
    properties: {
      vars: templates('Variables to set.'),
      callData: templates('Written to the call\'s data (seen by the agent who gets the call).'),
      next: target('The next node.'),
    },
    required: ['next'],
  },
  branch: {
    description: 'Go to the `then` of the first case whose condition holds, else to `else`.',
    properties: {
      cases: {
        type: 'array',
        minItems: 1,
        description: 'Tried in order.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['if', 'then'],
          properties: { if: ref('condition'), then: target('Where to go when the condition holds.') },
        },
      },
      else: target('Where to go when no case holds.'),
    },
    required: ['cases', 'else'],
  },
  hours: {
    description: 'Business hours: go to `open` or `closed` by a schedule.',
    properties: {
      schedule: str('A business-hours schedule (admin API /api/v1/ivr/schedules/:id); an unknown one is open.', { minLength: 1 }),
      open: target('Where to go within the hours.'),
      closed: target('Where to go outside the hours.'),
    },
    required: ['schedule', 'open', 'closed'],
  },
  lookupCustomer: {
    description: 'Find the customer by phone number; `found` sets <into>.customerNumber, .name, .vipLevel, .language, .balance, .preferredAgent.',
    properties: {
      phone: template('The number to look up (default "${caller}").'),
      into: str('The variable prefix the customer\'s fields go to (e.g. customer → ${customer.balance}).', { pattern: VAR_PATTERN }),
      found: target('A customer has this number (its fields are set).'),
      notFound: target('No customer has this number (nothing is set).'),
    },
    required: ['into', 'found', 'notFound'],
  },
  query: {
    description: 'Run a named query of the daemon (docs/ivr.md lists them): never SQL. `found` sets <into>.<field> for each field of the result.',
    properties: {
      query: str('The named query.', { pattern: NAME_PATTERN }),
      params: templates('The query\'s parameters.'),
      into: str('The variable prefix the result\'s fields go to.', { pattern: VAR_PATTERN }),
      found: target('The query found a row (its fields are set).'),
      notFound: target('The query found nothing (nothing is set).'),
      error: target('The query failed (bad parameters, storage error); default: notFound.'),
    },
    required: ['query', 'params', 'into', 'found', 'notFound'],
  },
  saveData: {
    description: 'Store a value with the call, flow and node (table ivr_collected).',
    properties: {
      name: str('The name it is stored under.', { minLength: 1 }),
      value: template('The value stored.'),
      sensitive: bool('Stored masked.'),
      next: target('The next node.'),
    },
    required: ['name', 'value', 'next'],
  },
  language: {
    description: 'Set the call\'s language (the variable `lang`): prompts and read-outs from then on are in it.',
    properties: { lang: { enum: [...LANGS], description: 'zh-CN or en-US.' }, next: target('The next node.') },
    required: ['lang', 'next'],
  },
  queue: {
    description: 'Put the caller in an ACD queue (ends the flow).',
    properties: {
      queue: template('The ACD queue.'),
      priority: int('Caller priority in the queue (higher waits ahead).'),
      skills: {
        type: 'array',
        minItems: 1,
        maxItems: 20,
        description: 'The skills this call needs instead of the queue\'s own (level 1 = best … 5; an agent qualifies with a level ≤ minLevel).',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['skill', 'minLevel'],
          properties: { skill: { type: 'string', minLength: 1, maxLength: 64, description: 'A skill of the directory.' }, minLevel: int('The worst level accepted, 1–5.', { minimum: 1, maximum: 5 }) },
        },
      },
      prompt: prompt('Played before the caller joins the queue.'),
      announce: {
        type: 'object',
        additionalProperties: false,
        required: ['everyS'],
        description: 'While waiting: position and estimated wait every `everyS` seconds.',
        properties: { everyS: int('Seconds between announcements.', { minimum: 10 }) },
      },
    },
    required: ['queue'],
  },
  transfer: {
    description: 'Transfer the call (ends the flow).',
    properties: { to: template('An extension or an outside number.'), prompt: prompt('Played before the transfer.') },
    required: ['to'],
  },
  voicemail: {
    description: 'Record a voicemail message for a mailbox.',
    properties: {
      mailbox: str('The mailbox (quote it in YAML: "8120").', { minLength: 1 }),
      prompt: prompt('Played before the beep.'),
      maxS: int('The longest message, seconds.', { minimum: 1, maximum: 600 }),
      stopKey: str('The key that ends the message (default #).', { pattern: KEY_PATTERN }),
      next: target('The node after the recording.'),
    },
    required: ['mailbox', 'maxS', 'next'],
  },
  return: {
    description: 'End the flow with a result (call.toIvr: the caller goes back to the agent).',
    properties: {
      result: template('The flow\'s result, put in the call data as ivr.<flow>.result.'),
      prompt: prompt('Played before returning.'),
    },
    required: ['result'],
  },
  webhook: {
    description: 'POST to a URL; `next` sets <into>.status and <into>.<field> of a JSON object answer.',
    properties: {
      url: template('The URL (http or https).'),
      body: templates('JSON body.'),
      timeoutS: { type: 'number', exclusiveMinimum: 0, maximum: 30, description: 'Seconds to wait for the answer.' },
      into: str('The variable prefix the answer goes to.', { pattern: VAR_PATTERN }),
      next: target('The answer came (2xx).'),
      onError: target('No answer, a timeout or a non-2xx status.'),
    },
    required: ['url', 'timeoutS', 'next', 'onError'],
  },
  staffLogin: {
    description: 'Replay by phone: check the staff member\'s phone id and PIN (users with a phone id and the qa, supervisor or admin role); `ok` sets <into>.user and <into>.name. A refusal is written to the access ledger.',
    properties: {
      phoneId: template('The phone id keyed (e.g. "${staffId}").'),
      pin: template('The PIN keyed (e.g. "${staffPin}", from a sensitive collect).'),
      into: str('The variable prefix: <into>.user (username), <into>.name.', { pattern: VAR_PATTERN }),
      ok: target('Signed in.'),
      denied: target('Unknown phone id, wrong PIN, disabled user or no right to replay (bound the retries with maxVisits on the node it leads to).'),
    },
    required: ['phoneId', 'pin', 'into', 'ok', 'denied'],
  },
  replayRecordings: {
    description: 'Replay by phone: the recordings of the agent whose username digits are `agent`, on `date` (YYYYMMDD, empty: today) and `hour` (HH, empty: the whole day), newest first, each announced by its ordinal and start time; keys during playback 1 previous, 2 repeat, 3 next, 0 `back`. Each play is written to the access ledger for `user`.',
    properties: {
      user: template('Who listens: a username (e.g. "${staff.user}").'),
      agent: template('The digits of the agent\'s username (1001 finds a1001).'),
      date: template('YYYYMMDD, or empty for today (the engine\'s time zone).'),
      hour: template('HH (0–23), or empty for the whole day.'),
      limit: int('The most recordings played (default 20).', { minimum: 1, maximum: 100 }),
      intro: prompt('Said once before the first recording (e.g. which keys do what).'),
      label: prompt('Said after each recording\'s ordinal, before its start time.'),
      end: prompt('Said after the last recording (1 previous, 2 repeat and 0 still work).'),
      waitS: { type: 'number', exclusiveMinimum: 0, maximum: 60, description: 'Seconds to wait for a key after `end`.' },
      notFound: target('No recording matches.'),
      invalid: target('The date or hour is not one.'),
      back: target('Key 0: back to the agent choice.'),
      done: target('No key after `end`.'),
      error: target('The search failed; default notFound.'),
    },
    required: ['user', 'agent', 'date', 'hour', 'end', 'waitS', 'notFound', 'invalid', 'back', 'done'],
  },
  hangup: {
    description: 'Clear the call (ends the flow).',
    properties: { prompt: prompt('Played before the call is cleared.') },
    required: [],
  },
};

function kindSchema(kind: NodeKind): Schema {
  const k = KINDS[kind];
  return {
    type: 'object',
    description: `A ${kind} node: ${k.description}`,
    additionalProperties: false,
    required: ['type', ...k.required],
    properties: { type: { const: kind, description: k.description }, ...k.properties, ...BASE },
    dependencies: { maxVisits: ['onMaxVisits'] },
  };
}

const CONDITION_KEYS = ['all', 'any', 'not', 'var', 'time', 'day'] as const;
const VAR_TESTS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'prefix', 'set'] as const;
const TIME_ZONE = str('An IANA time zone (default: the daemon\'s).', { minLength: 1 });

const conditionForms: Record<(typeof CONDITION_KEYS)[number], Schema> = {
  all: { additionalProperties: false, properties: { all: { type: 'array', minItems: 1, items: ref('condition'), description: 'Every condition holds.' } } },
  any: { additionalProperties: false, properties: { any: { type: 'array', minItems: 1, items: ref('condition'), description: 'At least one condition holds.' } } },
  not: { additionalProperties: false, properties: { not: { ...ref('condition'), description: 'The condition does not hold.' } } },
  var: {
    $comment: 'var-condition',
    additionalProperties: false,
    minProperties: 2,
    maxProperties: 2,
    properties: {
      var: str('The variable tested (caller, lang, customer.vipLevel …).', { pattern: VAR_PATTERN }),
      eq: { type: ['string', 'number'], description: 'Equal to.' },
      ne: { type: ['string', 'number'], description: 'Not equal to.' },
      gt: { type: 'number', description: 'Greater than (a variable that is not a number fails).' },
      gte: { type: 'number', description: 'Greater than or equal to.' },
      lt: { type: 'number', description: 'Less than.' },
      lte: { type: 'number', description: 'Less than or equal to.' },
      in: { type: 'array', items: { type: ['string', 'number'] }, minItems: 1, description: 'One of.' },
      prefix: { type: 'string', description: 'Starts with.' },
      set: bool('true: the variable has a non-empty value; false: it has none.'),
    },
  },
  time: {
    additionalProperties: false,
    properties: {
      time: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        description: 'The local time of day, `from` included, `to` excluded ("24:00" allowed); `from` > `to` spans midnight.',
        properties: { from: str('HH:MM', { pattern: TIME_PATTERN }), to: str('HH:MM', { pattern: TIME_PATTERN }), timeZone: TIME_ZONE },
      },
    },
  },
  day: {
    additionalProperties: false,
    properties: {
      day: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...DAYS] }, description: 'The day of the week is one of these (mon … sun).' },
      timeZone: TIME_ZONE,
    },
  },
};

/**
 * Messages for schema errors whose generic ajv text would not help: by the `$comment` of the
 * schema object that failed, and the keyword.
 */
export const MESSAGES: Record<string, string> = {
  'condition-without-key not': `a condition needs one of: ${CONDITION_KEYS.join(', ')}`,
  'var-condition minProperties': `a condition on a variable takes exactly one test: ${VAR_TESTS.join(', ')}`,
  'var-condition maxProperties': `a condition on a variable takes exactly one test: ${VAR_TESTS.join(', ')}`,
};

export function buildFlowSchema(): Schema {
  const nodeDefs: Record<string, Schema> = {};
  for (const kind of NODE_KINDS) nodeDefs[`${kind}Node`] = kindSchema(kind);
  const promptText: Schema = {
    type: ['string', 'object'],
    description: 'Text the TTS engine says, or a recorded file (relative to the flow\'s folder or the prompt library) with the text it says (for logs, tests and the fallback); `lang` when the text is spoken in another language than the call\'s.',
    additionalProperties: false,
    minProperties: 1,
    anyOf: [{ required: ['file'] }, { required: ['text'] }],
    properties: { file: str('The recorded file.', { minLength: 1 }), text: str('What the prompt says.'), lang: { type: 'string', enum: [...LANGS], description: 'The language the text is spoken in, when not the call\'s.' } },
  };
  const langProps: Record<string, Json> = {};
  for (const l of LANGS) langProps[l] = { ...ref('promptText'), description: `The prompt in ${l}.` };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Switchboard IVR flow',
    description:
      'An IVR flow: one flow per file (YAML or JSON), named by its `id` (= the file name). A set of named nodes, each one step that names the node(s) it may go to next. docs/ivr.md, "Flow files".',
    type: 'object',
    additionalProperties: false,
    required: ['id', 'languages', 'start', 'prompts', 'nodes'],
    properties: {
      $schema: { type: 'string', description: 'The schema this file follows (for editors); ignored.' },
      id: str('The flow\'s name: the file\'s name without its extension (main.yaml has id main).', { pattern: ID_PATTERN }),
      description: str('What the flow is for.'),
      languages: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { enum: [...LANGS] },
        description: 'The languages every prompt must exist in; the first is the default.',
      },
      start: target('The first node.'),
      prompts: {
        type: 'object',
        description: 'The flow\'s prompt catalogue: name → the prompt in each of the flow\'s languages.',
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: ref('prompt'),
      },
      nodes: {
        type: 'object',
        description: 'The flow\'s nodes, by name.',
        minProperties: 1,
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: ref('node'),
      },
    },
    definitions: {
      target: { type: 'string', pattern: NAME_PATTERN, description: 'The name of a node of the same flow.' },
      promptRef: {
        type: ['string', 'array'],
        minItems: 1,
        items: { type: 'string', pattern: NAME_PATTERN },
        pattern: NAME_PATTERN,
        description: 'A prompt of the flow\'s catalogue, or several played in a row.',
      },
      promptText,
      prompt: {
        type: 'object',
        additionalProperties: false,
        properties: langProps,
        description: 'A prompt in each of the flow\'s languages.',
      },
      retryPolicy: {
        type: 'object',
        additionalProperties: false,
        required: ['max', 'then'],
        description: 'What to do when the caller gives no or wrong input: the prompt to play each time (optional), how many times (`max`, counting this one) before going to `then`.',
        properties: {
          prompt: prompt('Played each time.'),
          max: int('How many times, counting this one, before going to `then`.', { minimum: 1, maximum: 10 }),
          then: target('Where to go the `max`-th time.'),
        },
      },
      condition: {
        type: 'object',
        description: 'A condition: structured, never code. One of {all: […]}, {any: […]}, {not: …}, {var, <one test>}, {time: {from, to}}, {day: […]}.',
        allOf: [
          ...CONDITION_KEYS.map((k): Json => ({ if: { required: [k] }, then: conditionForms[k] })),
          { if: { not: { anyOf: CONDITION_KEYS.map((k) => ({ required: [k] })) } }, then: { $comment: 'condition-without-key', not: {} } },
        ],
      },
      node: {
        type: 'object',
        description: 'A node: `type` says which kind (play, say, menu, collect, set, branch, hours, lookupCustomer, query, saveData, language, queue, transfer, voicemail, return, webhook, staffLogin, replayRecordings, hangup).',
        required: ['type'],
        properties: { type: { enum: [...NODE_KINDS], description: 'The kind of node.' } },
        allOf: NODE_KINDS.map((k): Json => ({ if: { required: ['type'], properties: { type: { const: k } } }, then: ref(`${k}Node`) })),
      },
      ...nodeDefs,
    },
  };
}

/** The published text of docs/ivr-flow.schema.json. */
export function flowSchemaText(): string {
  return `${JSON.stringify(buildFlowSchema(), null, 2)}\n`;
}
