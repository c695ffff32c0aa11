/**
 * The database schema (drizzle sqlite-core). drizzle-kit generates `migrations/` from this file;
 * the daemon applies them at start (database.ts).
 *
 * Conventions: every time is an integer of epoch milliseconds (UTC), never an ISO string, so that
 * durations are plain subtraction and indexes compare integers. Lists that are only ever read
 * whole (roles, a call's agents, a call's switch ids) are JSON text columns. History tables
 * (calls, agent_state_log, audit_log) carry usernames and queue ids as plain values, without
 * foreign keys, so that deleting a user or a queue never rewrites or blocks history and the hot
 * writes pay no foreign-key lookups.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const ROLES = ['agent', 'supervisor', 'qa', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const QUEUE_STRATEGIES = ['longestIdle', 'skillBased', 'roundRobin', 'linear', 'leastBusy', 'customerBased'] as const;
export type QueueStrategy = (typeof QUEUE_STRATEGIES)[number];

export const LEAST_BUSY_BY = ['calls', 'talkTime'] as const;
export type LeastBusyBy = (typeof LEAST_BUSY_BY)[number];

/** Customer-based rules of a queue: a VIP waits ahead, the preferred (or last) agent is tried first. */
/** A queue's report settings (docs/reports.md, "Settings per queue"); absent fields: the defaults. */
export interface QueueKpiJson {
  /** T: answered within this many seconds counts for the service level. */
  serviceLevelSeconds?: number;
  /** S: abandoned within this many seconds is a short abandon. */
  shortAbandonSeconds?: number;
  /** One of the service level formulas of src/reports/kpi.ts. */
  formula?: string;
  /** The queue's goal, 0–1 (0.8 for 80 %). */
  targetServiceLevel?: number;
}

export interface CustomerRulesJson {
  /** Added to the caller's priority per VIP level. */
  vipBoost: number;
  /** How long a call waits for its busy preferred agent before the queue's own order applies. */
  preferredWaitS: number;
}

/** A queue's time-based rule, `afterS` seconds after the call entered the queue. */
export type QueueStepJson =
  | { afterS: number; kind: 'relax'; by: number }
  | { afterS: number; kind: 'addQueue'; queue: string }
  /** `target`: another queue's id, or a number (an IVR pilot, a voicemail number, an extension). */
  | { afterS: number; kind: 'overflow'; target: string };

export const PILOT_KINDS = ['queue', 'ivr', 'replay'] as const;
export type PilotKind = (typeof PILOT_KINDS)[number];

export const CALL_DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

/** SQL list literal for a CHECK (x IN (...)); the values are our own constants, never input. */
const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

// ---------------------------------------------------------------------------------------------
// Configuration: people, skills, queues, numbers, customers
// ---------------------------------------------------------------------------------------------

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  /** `$scrypt$ln=..,r=..,p=..$salt$hash`, see src/auth/password.ts. */
  passwordHash: text('password_hash').notNull(),
  roles: text('roles', { mode: 'json' }).$type<Role[]>().notNull().default(sql`'[]'`),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** Replay by phone (pilot 8009): the numeric id keyed on the phone, unique when set. */
  phoneId: text('phone_id'),
  /** The replay PIN, hashed like passwords (src/auth/password.ts). */
  phonePinHash: text('phone_pin_hash'),
}, (t) => [uniqueIndex('users_phone_id_unique').on(t.phoneId)]);

/** One row per user holding the `agent` role (kept so by UsersRepository). */
export const agents = sqliteTable('agents', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The phone the agent normally signs in at; unique when set. */
  defaultExtension: text('default_extension').unique(),
  team: text('team'),
  /** Fixed order for the roundRobin and linear strategies: lower first (then username). */
  rank: integer('rank').notNull().default(0),
});

/** A team's shift rules, by the team name agents carry (`agents.team`). */
export const teams = sqliteTable('teams', {
  name: text('name').primaryKey(),
  /** At most this many agents of the team notReady at once (an agent's request beyond it is
   * refused with CONFLICT; a supervisor may override); null: no limit. */
  maxNotReady: integer('max_not_ready'),
  /** Supervisors are alerted when an agent of the team stays notReady longer than this; null: never. */
  awayAlertS: integer('away_alert_s'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const skills = sqliteTable('skills', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
});

/** Level 1 is the best, 5 the weakest. */
export const agentSkills = sqliteTable(
  'agent_skills',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => agents.userId, { onDelete: 'cascade' }),
    skillId: integer('skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'restrict' }),
    level: integer('level').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.skillId] }),
    index('agent_skills_skill_idx').on(t.skillId),
    check('agent_skills_level_range', sql`${t.level} BETWEEN 1 AND 5`),
  ],
);

export const queues = sqliteTable(
  'queues',
  {
    /** A slug, e.g. `sales`. */
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    strategy: text('strategy').$type<QueueStrategy>().notNull(),
    /** The switch's queue (parking) device where waiting calls sit, e.g. `8900`. */
    queueDevice: text('queue_device').notNull().unique(),
    ringTimeoutS: integer('ring_timeout_s').notNull().default(15),
    wrapUpS: integer('wrap_up_s').notNull().default(0),
    maxWaitS: integer('max_wait_s'),
    overflowTarget: text('overflow_target'),
    /** Higher is served first when an agent serves several queues. */
    priority: integer('priority').notNull().default(0),
    /** Among queues of the same priority, an agent serving several takes the call with the
     * longest wait × weight (× 1 + caller priority). */
    weight: integer('weight').notNull().default(1),
    /** leastBusy: fewest calls today, or least talk time today. */
    leastBusyBy: text('least_busy_by').$type<LeastBusyBy>().notNull().default('calls'),
    /** Unanswered offers in a row after which the agent is made notReady (reason noAnswer). */
    maxMisses: integer('max_misses').notNull().default(1),
    /** Seconds before a call an agent let ring unanswered may be offered to that agent again. */
    retryS: integer('retry_s').notNull().default(30),
    /** Customer-based rules (VIP ahead, preferred agent first); null: none. */
    customerRules: text('customer_rules', { mode: 'json' }).$type<CustomerRulesJson | null>(),
    /** Time-based steps, sorted by afterS: relax proficiency, add a queue, overflow. */
    steps: text('steps', { mode: 'json' }).$type<QueueStepJson[]>().notNull().default(sql`'[]'`),
    /** Report settings (service level T and formula, short abandons, goal); null: the defaults. */
    kpi: text('kpi', { mode: 'json' }).$type<QueueKpiJson | null>(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    check('queues_strategy_known', sql`${t.strategy} IN (${inList(QUEUE_STRATEGIES)})`),
    check('queues_ring_timeout_positive', sql`${t.ringTimeoutS} > 0`),
    check('queues_wrap_up_not_negative', sql`${t.wrapUpS} >= 0`),
    // weight >= 1, maxMisses >= 1 and leastBusyBy are held by the admin API's schema: a CHECK
    // added here would make drizzle-kit rebuild the table, whose DROP cascades to its members.
  ],
);

/** Every listed skill is required; `min_level` is the weakest level accepted (agent level <= min_level). */
export const queueSkills = sqliteTable(
  'queue_skills',
  {
    queueId: text('queue_id')
      .notNull()
      .references(() => queues.id, { onDelete: 'cascade', onUpdate: 'cascade' }),
    skillId: integer('skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'restrict' }),
    minLevel: integer('min_level').notNull().default(5),
  },
  (t) => [
    primaryKey({ columns: [t.queueId, t.skillId] }),
    index('queue_skills_skill_idx').on(t.skillId),
    check('queue_skills_level_range', sql`${t.minLevel} BETWEEN 1 AND 5`),
  ],
);

/** Explicit membership: the agent serves the queue whatever its skills. */
export const queueAgents = sqliteTable(
  'queue_agents',
  {
    queueId: text('queue_id')
      .notNull()
      .references(() => queues.id, { onDelete: 'cascade', onUpdate: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => agents.userId, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.queueId, t.userId] }), index('queue_agents_user_idx').on(t.userId)],
);

export const pilotNumbers = sqliteTable(
  'pilot_numbers',
  {
    number: text('number').primaryKey(),
    kind: text('kind').$type<PilotKind>().notNull(),
    queueId: text('queue_id').references(() => queues.id, { onDelete: 'restrict', onUpdate: 'cascade' }),
    ivrFlow: text('ivr_flow'),
    description: text('description'),
    /** Business-based routing: caller priority of calls to this number (higher waits ahead). */
    priority: integer('priority').notNull().default(0),
    /** Business-based routing: the skills calls to this number need, instead of the queue's own;
     * null: the queue's. */
    requiredSkills: text('required_skills', { mode: 'json' }).$type<{ skill: string; minLevel: number }[] | null>(),
  },
  (t) => [
    check('pilot_numbers_kind_known', sql`${t.kind} IN (${inList(PILOT_KINDS)})`),
    check('pilot_numbers_queue_has_queue', sql`${t.kind} <> 'queue' OR ${t.queueId} IS NOT NULL`),
    check('pilot_numbers_ivr_has_flow', sql`${t.kind} <> 'ivr' OR ${t.ivrFlow} IS NOT NULL`),
    index('pilot_numbers_queue_idx').on(t.queueId),
  ],
);

export const CUSTOMER_LANGUAGES = ['zh-CN', 'en-US'] as const;
export type CustomerLanguage = (typeof CUSTOMER_LANGUAGES)[number];

export const customers = sqliteTable(
  'customers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** Null: no phone number on file (such a customer is found by `customer_number` only). */
    phone: text('phone').unique(),
    vipLevel: integer('vip_level').notNull().default(0),
    /** Username of the agent who should get this customer's calls when ready. */
    preferredAgent: text('preferred_agent').references(() => users.username, { onDelete: 'set null' }),
    notes: text('notes'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** The customer's own number (what a caller keys in the IVR), e.g. `10000001`. Null only for
     * a customer created without one; rows from before migration 0007 got `10000000 + id`. */
    customerNumber: text('customer_number').unique(),
    /** Account balance in integer cents (exact; the API shows a decimal string, "1005.30"). */
    balanceCents: integer('balance_cents').notNull().default(0),
    /** The customer's language for the IVR; null: ask. */
    language: text('language').$type<CustomerLanguage | null>(),
    /** The customer's telephone PIN (the IVR's identity check), never stored as keyed:
     * `s1:<salt hex>:<sha256(salt ‖ pin) hex>`; null: no PIN set. */
    pinHash: text('pin_hash'),
  },
  // `language` is held to CUSTOMER_LANGUAGES by the admin API's schema, not by a CHECK (a CHECK
  // would make drizzle-kit rebuild the table again).
  (t) => [index('customers_preferred_agent_idx').on(t.preferredAgent)],
);

// ---------------------------------------------------------------------------------------------
// History: calls, agent states, audit
// ---------------------------------------------------------------------------------------------

export const calls = sqliteTable(
  'calls',
  {
    /** The daemon's own call id. */
    id: text('id').primaryKey(),
    pbxCallIds: text('pbx_call_ids', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    direction: text('direction').$type<CallDirection>().notNull(),
    fromNumber: text('from_number').notNull(),
    toNumber: text('to_number').notNull(),
    dialledNumber: text('dialled_number').notNull(),
    queueId: text('queue_id'),
    customerId: integer('customer_id'),
    /** Usernames in the order they handled the call. */
    agents: text('agents', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    firstAgent: text('first_agent'),
    offeredAt: integer('offered_at').notNull(),
    queuedAt: integer('queued_at'),
    answeredAt: integer('answered_at'),
    endedAt: integer('ended_at'),
    waitMs: integer('wait_ms'),
    /** Answered to ended, ms: hold included (hold_ms says how much). */
    talkMs: integer('talk_ms'),
    /** Time on hold at an agent's phone, ms (any of the call's connections held; overlaps once). */
    holdMs: integer('hold_ms').notNull().default(0),
    outcome: text('outcome'),
    cause: text('cause'),
    hasCallData: integer('has_call_data', { mode: 'boolean' }).notNull().default(false),
    /** Where the call went when it left the devices the daemon monitors (a number, a device). */
    leftTo: text('left_to'),
    /** The caller's name as the switch presented it. */
    callerName: text('caller_name'),
    /** The call data as last set (JSON text, up to 1 MiB), so that a restarted daemon gives a call
     * still in progress its data back. Written when the data is set, never on the hot path. */
    callData: text('call_data'),
    /** Recording (recordings.md): `recorded`, `sampledOut` (a policy matched, its draw did not),
     * `noPolicy`; with the policy and its version that decided. Null: not decided (yet). */
    recordingDecision: text('recording_decision'),
    recordingPolicyId: integer('recording_policy_id'),
    recordingPolicyVersion: integer('recording_policy_version'),
  },
  (t) => [
    index('calls_offered_at_idx').on(t.offeredAt),
    index('calls_first_agent_idx').on(t.firstAgent, t.offeredAt),
    index('calls_from_number_idx').on(t.fromNumber, t.offeredAt),
    index('calls_to_number_idx').on(t.toNumber, t.offeredAt),
    /** Small: only calls in progress (or left open by a crash). */
    index('calls_open_idx').on(t.offeredAt).where(sql`${t.endedAt} IS NULL`),
    /** Call history by queue (`GET /api/v1/calls?queue=`), newest first. */
    index('calls_queue_idx').on(t.queueId, t.offeredAt),
  ],
);

/**
 * Every agent who handled a call, one row each: `calls.agents` (JSON) made searchable, so that
 * "calls agent X handled" is an index range read, newest first, instead of a scan of every call
 * through json_each. Kept in step with `calls.agents` by triggers (appended by hand to migration
 * 0004, see docs/storage.md): on insert, on an update that changes `agents`, and on delete. The
 * hot path stays one statement per call write, and nothing that writes `calls` can forget it.
 */
export const callAgents = sqliteTable(
  'call_agents',
  {
    agent: text('agent').notNull(),
    /** The call's offered_at (never changes), so the index answers time ranges and order. */
    offeredAt: integer('offered_at').notNull(),
    callId: text('call_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.agent, t.offeredAt, t.callId] }), index('call_agents_call_idx').on(t.callId)],
);

/** Every routing decision about a call (assignments, moves, fallbacks) with its explanation:
 * strategy, rule step, candidates considered, winner and tie-break. Append-only. */
export const routingDecisions = sqliteTable(
  'routing_decisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: text('call_id').notNull(),
    at: integer('at').notNull(),
    /** assign | moved | fallback | unroutable */
    kind: text('kind').notNull(),
    queueId: text('queue_id'),
    agent: text('agent'),
    /** The router's effect as it was returned (explanation included). */
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    index('routing_decisions_call_idx').on(t.callId, t.at),
    /** Retention: the oldest decisions, in batches. */
    index('routing_decisions_at_idx').on(t.at),
  ],
);

export const agentStateLog = sqliteTable(
  'agent_state_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    agent: text('agent').notNull(),
    state: text('state').notNull(),
    reason: text('reason'),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at'),
    durationMs: integer('duration_ms'),
    callId: text('call_id'),
    extension: text('extension'),
  },
  (t) => [
    index('agent_state_log_agent_idx').on(t.agent, t.startedAt),
    /** At most one open row per agent; this finds it without touching history. */
    uniqueIndex('agent_state_log_open_idx').on(t.agent).where(sql`${t.endedAt} IS NULL`),
    /** Retention: intervals that ended before the cut-off, in batches (an open row is never
     * deleted). */
    index('agent_state_log_ended_idx').on(t.endedAt),
  ],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    details: text('details', { mode: 'json' }).$type<unknown>(),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_actor_idx').on(t.actor, t.at)],
);

export const authTokens = sqliteTable(
  'auth_tokens',
  {
    /** sha256 of the token, hex; the token itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('auth_tokens_user_idx').on(t.userId), index('auth_tokens_expires_idx').on(t.expiresAt)],
);

/**
 * The write queue's last retry batch (one row, id 1): written in the batch's own transaction, so
 * after a batch whose commit reported a failure the queue can tell whether it landed anyway and
 * must not be written again (storage/write-queue.ts).
 */
export const writeBatches = sqliteTable('write_batches', {
  id: integer('id').primaryKey(),
  seq: integer('seq').notNull(),
  at: integer('at').notNull(),
});

/**
 * One row per daemon run: when it started, when it was last alive (a heartbeat every few
 * seconds) and when it stopped cleanly. After a crash, `alive_at` of the previous run tells how
 * long the daemon was away, which decides whether agents get their state back (RESUME_GRACE_S).
 */
export const daemonRuns = sqliteTable('daemon_runs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  startedAt: integer('started_at').notNull(),
  aliveAt: integer('alive_at').notNull(),
  stoppedAt: integer('stopped_at'),
});

/**
 * WebSocket sessions that can be resumed (`session.resume`), kept so that a restarted daemon still
 * knows them: a softphone that resumes within RESUME_GRACE_S of the outage gets its session (a
 * snapshot, numbering continued from its `lastSeq`) and its agent the state it had. The resume
 * token is stored only as its sha256, like bearer tokens. Written when a session starts, loses
 * and regains its socket and ends — never per event.
 */
export const wsSessions = sqliteTable(
  'ws_sessions',
  {
    resumeHash: text('resume_hash').primaryKey(),
    userId: integer('user_id').notNull(),
    username: text('username').notNull(),
    /** sha256 of the bearer token the session was opened with: checked again on resume. */
    tokenHash: text('token_hash').notNull(),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull(),
    /** When its socket went away; null while attached. */
    detachedAt: integer('detached_at'),
    /** The kind of client (`softphone`, `console`): a new session replaces only the user's
     * sessions of its own kind (docs/api.md, "Session"). */
    client: text('client').$type<'softphone' | 'console'>().notNull().default('softphone'),
  },
  (t) => [index('ws_sessions_user_idx').on(t.userId)],
);

// ---------------------------------------------------------------------------------------------
// IVR: business hours, voicemail (and its webhook outbox), collected data, statistics
// ---------------------------------------------------------------------------------------------

/** A business-hours schedule (src/ivr/business-hours), by id (e.g. `main`), edited by admins. */
export const ivrSchedules = sqliteTable('ivr_schedules', {
  id: text('id').primaryKey(),
  /** The schedule as validated by `validateSchedule` (JSON). */
  schedule: text('schedule', { mode: 'json' }).$type<unknown>().notNull(),
  /** 1 at creation, +1 at every change. */
  version: integer('version').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** Username of the admin who made the change (`system` for the demo seed). */
  updatedBy: text('updated_by').notNull(),
});

/** Voicemail messages: one row per recorded message (the audio is the file at `path`). */
export const voicemails = sqliteTable(
  'voicemails',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: text('call_id').notNull(),
    /** The caller's number (may be empty when withheld). */
    caller: text('caller').notNull(),
    mailbox: text('mailbox').notNull(),
    /** The IVR flow that recorded it. */
    flow: text('flow').notNull(),
    recordedAt: integer('recorded_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    path: text('path').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    /** GET /api/v1/voicemail?mailbox=: newest first, keyset-paged by (recorded_at, id). */
    index('voicemails_mailbox_idx').on(t.mailbox, t.recordedAt, t.id),
    /** The same without a mailbox. */
    index('voicemails_recorded_idx').on(t.recordedAt, t.id),
  ],
);

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** The webhook outbox: one row per (event, URL), written with the event's own row, so that a
 * delivery still pending when the daemon stops is resumed at the next start. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** e.g. `voicemail.created`. */
    event: text('event').notNull(),
    url: text('url').notNull(),
    /** The JSON body POSTed, exactly. */
    payload: text('payload').notNull(),
    status: text('status').$type<WebhookDeliveryStatus>().notNull(),
    /** Attempts made so far. */
    attempts: integer('attempts').notNull().default(0),
    /** When the next attempt is due (pending rows). */
    nextAttemptAt: integer('next_attempt_at').notNull(),
    /** The last failure: an HTTP status or a network error. */
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    check('webhook_deliveries_status_known', sql`${t.status} IN (${inList(WEBHOOK_DELIVERY_STATUSES)})`),
    /** Small: what the notifier resumes at start. */
    index('webhook_deliveries_pending_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

/** What callers keyed in the IVR (a customer number, a choice…). `masked`: the engine stored
 * the value redacted (a PIN, a card number); it is stored as given either way. */
export const ivrCollected = sqliteTable(
  'ivr_collected',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: text('call_id').notNull(),
    flow: text('flow').notNull(),
    node: text('node').notNull(),
    name: text('name').notNull(),
    value: text('value').notNull(),
    masked: integer('masked', { mode: 'boolean' }).notNull().default(false),
    at: integer('at').notNull(),
  },
  (t) => [index('ivr_collected_call_idx').on(t.callId, t.at)],
);

/** IVR statistics events (src/ivr/statistics/types.ts), append-only, written in batches. */
export const ivrEvents = sqliteTable(
  'ivr_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    callId: text('call_id').notNull(),
    flow: text('flow').notNull(),
    version: integer('version').notNull(),
    node: text('node'),
    /** flowEnter | nodeEnter | key | timeout | invalid | flowExit */
    kind: text('kind').notNull(),
    /** flowExit only. */
    outcome: text('outcome'),
    /** flowExit only: time in the flow. */
    durationMs: integer('duration_ms'),
  },
  (t) => [
    /** GET /api/v1/ivr/stats?flow=: an index range read. */
    index('ivr_events_flow_at_idx').on(t.flow, t.at),
    /** The same for every flow, and retention. */
    index('ivr_events_at_idx').on(t.at),
  ],
);

// ---------------------------------------------------------------------------------------------
// Recording and quality (../shared/spec/recordings.md; docs/recording.md)
// ---------------------------------------------------------------------------------------------

export const RECORDING_POLICY_MODES = ['all', 'numbers', 'agents', 'services'] as const;
export type RecordingPolicyMode = (typeof RECORDING_POLICY_MODES)[number];

/** Who is recorded. A call is recorded when an enabled policy matches it and its sampling draw
 * falls within `samplePercent`; the first matching policy in `priority` order decides. Versioned:
 * every change bumps `version` (the call keeps the version that decided). */
export const recordingPolicies = sqliteTable(
  'recording_policies',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull().unique(),
    mode: text('mode').$type<RecordingPolicyMode>().notNull(),
    /** mode numbers: numbers or prefixes (`1380000`), matched against the caller and the callee. */
    numbers: text('numbers', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** mode agents: usernames. */
    agents: text('agents', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** mode services: queue ids or pilot numbers. */
    services: text('services', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** 0–100: the share of matching calls recorded. */
    samplePercent: integer('sample_percent').notNull().default(100),
    /** Lower first. */
    priority: integer('priority').notNull().default(100),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    version: integer('version').notNull().default(1),
    updatedAt: integer('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [check('recording_policies_mode_known', sql`${t.mode} IN (${inList(RECORDING_POLICY_MODES)})`), check('recording_policies_sample', sql`${t.samplePercent} BETWEEN 0 AND 100`)],
);

export const RECORDING_TIERS = ['hot', 'archive'] as const;
export type RecordingTier = (typeof RECORDING_TIERS)[number];
export const RECORDING_STATUSES = ['recording', 'closed', 'failed', 'deleted'] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

/** One row per recording (one per call: it follows the call through transfers and conferences).
 * Search columns are denormalised so that every filter is an index range read, newest first:
 * `(started_at, id)` is the keyset of every page. */
export const recordings = sqliteTable(
  'recordings',
  {
    id: text('id').primaryKey(),
    callId: text('call_id').notNull(),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at'),
    durationMs: integer('duration_ms'),
    direction: text('direction').$type<CallDirection>().notNull(),
    caller: text('caller').notNull(),
    callee: text('callee').notNull(),
    queue: text('queue'),
    pilot: text('pilot'),
    customerId: integer('customer_id'),
    tier: text('tier').$type<RecordingTier>().notNull().default('hot'),
    status: text('status').$type<RecordingStatus>().notNull().default('recording'),
    /** Absolute path of the WAV file (hot or archive tier); the switch's path while recording. */
    path: text('path'),
    bytes: integer('bytes'),
    sha256: text('sha256'),
    /** The policy (and its version) that decided to record, and why (`policy`, `sampled`). */
    policyId: integer('policy_id'),
    policyVersion: integer('policy_version'),
    legalHold: integer('legal_hold', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('recordings_started_idx').on(t.startedAt, t.id),
    index('recordings_call_idx').on(t.callId),
    index('recordings_caller_idx').on(t.caller, t.startedAt, t.id),
    index('recordings_callee_idx').on(t.callee, t.startedAt, t.id),
    index('recordings_customer_idx').on(t.customerId, t.startedAt, t.id),
    index('recordings_queue_idx').on(t.queue, t.startedAt, t.id),
    index('recordings_tier_idx').on(t.tier, t.startedAt),
  ],
);

/** The agents' legs of a recording (ms from its start), searchable by agent and time. */
export const recordingAgents = sqliteTable(
  'recording_agents',
  {
    recordingId: text('recording_id')
      .notNull()
      .references(() => recordings.id, { onDelete: 'cascade' }),
    agent: text('agent').notNull(),
    extension: text('extension').notNull(),
    fromMs: integer('from_ms').notNull(),
    toMs: integer('to_ms'),
    /** The recording's start, copied: agent + time is one index range. */
    startedAt: integer('started_at').notNull(),
  },
  (t) => [index('recording_agents_agent_idx').on(t.agent, t.startedAt, t.recordingId), index('recording_agents_recording_idx').on(t.recordingId)],
);

/** Paused spans (ms from the recording's start); `to_ms` null while paused. */
export const recordingPauses = sqliteTable(
  'recording_pauses',
  {
    recordingId: text('recording_id')
      .notNull()
      .references(() => recordings.id, { onDelete: 'cascade' }),
    fromMs: integer('from_ms').notNull(),
    toMs: integer('to_ms'),
    by: text('by').notNull(),
  },
  (t) => [index('recording_pauses_recording_idx').on(t.recordingId)],
);

export const recordingTags = sqliteTable(
  'recording_tags',
  {
    recordingId: text('recording_id')
      .notNull()
      .references(() => recordings.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
    startedAt: integer('started_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.recordingId, t.tag] }), index('recording_tags_tag_idx').on(t.tag, t.startedAt, t.recordingId)],
);

export const LEDGER_ACTIONS = ['view', 'play', 'download', 'phone', 'denied'] as const;
export type LedgerAction = (typeof LEDGER_ACTIONS)[number];
export const LEDGER_VIA = ['http', 'phone', 'console'] as const;
export type LedgerVia = (typeof LEDGER_VIA)[number];

/** The access ledger: append-only, each row's hash chains it to the previous one
 * (hash = sha256(prev_hash ‖ canonical row)). Nothing in the API edits or deletes a row. */
export const accessLedger = sqliteTable(
  'access_ledger',
  {
    seq: integer('seq').primaryKey(),
    at: integer('at').notNull(),
    user: text('user').notNull(),
    recordingId: text('recording_id'),
    action: text('action').$type<LedgerAction>().notNull(),
    range: text('range'),
    via: text('via').$type<LedgerVia>().notNull(),
    detail: text('detail'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('access_ledger_recording_idx').on(t.recordingId, t.seq), index('access_ledger_user_idx').on(t.user, t.at), index('access_ledger_at_idx').on(t.at)],
);

/** A move of a recording's file between tiers, journalled so that a kill at any step is recovered
 * at start: copy → verify → update row → delete (src/recording/archive). */
export const recordingMoves = sqliteTable(
  'recording_moves',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recordingId: text('recording_id').notNull(),
    fromPath: text('from_path').notNull(),
    toPath: text('to_path').notNull(),
    sha256: text('sha256').notNull(),
    /** copying → copied (verified) → updated (row points at to_path) → done (source deleted). */
    step: text('step').notNull(),
    startedAt: integer('started_at').notNull(),
  },
  (t) => [index('recording_moves_step_idx').on(t.step)],
);

/** A supervisor flags a recording for QA (always taken by a QA plan). */
export const recordingFlags = sqliteTable(
  'recording_flags',
  {
    recordingId: text('recording_id')
      .notNull()
      .references(() => recordings.id, { onDelete: 'cascade' }),
    by: text('by').notNull(),
    at: integer('at').notNull(),
    reason: text('reason'),
  },
  (t) => [primaryKey({ columns: [t.recordingId, t.by] })],
);

/** A QA scoring form: weighted items; versioned (a score keeps the version it was given on). */
export const qaForms = sqliteTable('qa_forms', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** `[{id, label, weight}]`: weights sum to 100; each item is scored 0–100. */
  items: text('items', { mode: 'json' }).$type<{ id: string; label: string; weight: number }[]>().notNull(),
  version: integer('version').notNull().default(1),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

/** A QA plan: N calls per agent per week at random, skipping short ones, flagged ones always. */
export const qaPlans = sqliteTable('qa_plans', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  formId: integer('form_id')
    .notNull()
    .references(() => qaForms.id),
  perAgentPerWeek: integer('per_agent_per_week').notNull(),
  minDurationS: integer('min_duration_s').notNull().default(0),
  /** Queue ids the plan samples from; empty: every queue. */
  queues: text('queues', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

/** Calls picked for QA, one per recording and plan. */
export const qaQueue = sqliteTable(
  'qa_queue',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recordingId: text('recording_id').notNull(),
    planId: integer('plan_id').notNull(),
    agent: text('agent').notNull(),
    /** ISO week the pick counts for, `2026-W49`. */
    week: text('week').notNull(),
    reason: text('reason').notNull(),
    assignedTo: text('assigned_to'),
    status: text('status').notNull().default('open'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('qa_queue_pick_idx').on(t.recordingId, t.planId), index('qa_queue_status_idx').on(t.status, t.createdAt), index('qa_queue_agent_week_idx').on(t.agent, t.week)],
);

/** Scores: final once submitted; a correction is a new row naming the one it corrects. */
export const qaScores = sqliteTable(
  'qa_scores',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recordingId: text('recording_id').notNull(),
    queueId: integer('queue_id'),
    agent: text('agent').notNull(),
    grader: text('grader').notNull(),
    formId: integer('form_id').notNull(),
    formVersion: integer('form_version').notNull(),
    /** `[{itemId, score}]`, each 0–100. */
    items: text('items', { mode: 'json' }).$type<{ itemId: string; score: number }[]>().notNull(),
    /** Weighted total, 0–100 (two decimals). */
    total: integer('total_centi').notNull(),
    /** `[{atMs, text}]`: comments at a time offset in the recording. */
    comments: text('comments', { mode: 'json' }).$type<{ atMs: number; text: string }[]>().notNull().default(sql`'[]'`),
    corrects: integer('corrects'),
    submittedAt: integer('submitted_at').notNull(),
  },
  (t) => [index('qa_scores_agent_idx').on(t.agent, t.submittedAt), index('qa_scores_grader_idx').on(t.grader, t.submittedAt), index('qa_scores_recording_idx').on(t.recordingId)],
);
