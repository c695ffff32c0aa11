/**
 * Configuration: read once from the environment by the entry point, validated, frozen. Tests build
 * a Config directly. Every variable is documented in README.md (units in the names or here).
 */
import { resolve } from 'node:path';

/** The switch: the embedded simulator, CSTA XML in Annex G frames over TCP (`csta://`), or
 * CSTA XML in SIP dialogs (`sip-csta://`, uaCSTA / ECMA TR/87) over UDP or TCP. */
export type PbxTarget =
  | { kind: 'sim' }
  | { kind: 'csta'; host: string; port: number }
  | { kind: 'sip-csta'; host: string; port: number; transport: 'udp' | 'tcp' };

export interface Config {
  /** HTTP + WebSocket port of the daemon (0 = any free port). */
  port: number;
  host: string;
  dataDir: string;
  /** Control API port of the embedded simulator (PBX=sim). */
  simPort: number;
  /** CSTA port of the embedded simulator (PBX=sim). */
  cstaPort: number;
  pbx: PbxTarget;
  logLevel: string;
  /** Numbers matching this are inside the switch; everything else goes out over a trunk. */
  internalNumberPattern: string;
  /** Lifetime of a login token, seconds. */
  tokenTtlS: number;
  /** How long a WebSocket session can be resumed after its socket dropped, seconds. */
  resumeGraceS: number;
  /** WebSocket liveness pings every this many seconds; 0: none (WS_PING_S). */
  wsPingS: number;
  /** Load the demo centre of embedded-default.md into an empty database (default: when PBX=sim). */
  demo: boolean;
  /** Initial admin password for a non-demo deployment (else a random one is printed once). */
  adminPassword: string | null;
  /** CSTA keep-alive interval, ms (SystemStatus after this long without traffic). */
  cstaKeepAliveMs: number;
  /** SQLite WAL checkpoints on a worker thread every this many ms; 0: SQLite's automatic
   * checkpoint, inside a commit on the event loop (storage/checkpointer.ts). */
  walCheckpointMs: number;
  /** How long a write waits for a lock another process holds, ms, before it fails and the write
   * queue keeps it for a retry (storage/write-queue.ts). */
  dbBusyTimeoutMs: number;
  /** History writes (call rows, agent states, routing decisions, audit) kept in memory at most
   * while the database refuses them; beyond it the oldest of the least valuable kind is dropped. */
  dbBacklogMax: number;
  /** History writes of one turn of the event loop in one transaction (storage/write-queue.ts),
   * WebSocket frames held until it is committed (gateway/turn-outbox.ts); off: one commit per
   * write, frames sent at once. */
  dbGroupCommit: boolean;
  /** How long history is kept, in days; 0 keeps it for ever. */
  retention: Readonly<RetentionDays>;
  /** Local time of the daily housekeeping run (expired tokens, retention), `HH:MM`. */
  housekeepingAt: string;
  /** Start even though HOST is not loopback and demo accounts still have their published
   * passwords (auth/known-passwords.ts). */
  allowDemoPasswords: boolean;
  /** Memory held for all WebSocket clients at most (unsent bytes + resume buffers), MiB. */
  wsBufferBudgetMiB: number;
  /** How often monitors the switch refused are asked for again, ms. */
  cstaMonitorRetryMs: number;
  /** The call audit runs every this many ms (0: never); it checks calls silent for `callAuditSilenceMs`. */
  callAuditMs: number;
  callAuditSilenceMs: number;
  /** URLs each new voicemail is POSTed to (`voicemail.created`), with retries (VOICEMAIL_WEBHOOKS). */
  voicemailWebhooks: readonly string[];
  /** A recording pause left open resumes by itself after this many seconds (recordings.md). */
  recordingPauseMaxS: number;
  /** The HMAC key of signed play URLs (docs/recording.md, "Playback"), at least 32 characters;
   * null: a random key per start (a restart voids the URLs given out, and daemons behind one
   * balancer refuse each other's). */
  recordingUrlSecret: string | null;
  /** The bearer token `GET /metrics` asks for (METRICS_TOKEN, http/metrics-routes.ts); null: the
   * metrics are served to loopback clients only, without a token. */
  metricsToken: string | null;
  /** IVR (docs/ivr.md): where flow files are, the switch's IVR ports, recorded prompts (optional),
   * the time zone of flow conditions, and a speed-up of flow timers for tests and demos. */
  ivr: Readonly<IvrConfig>;
  /** Recordings' archive and retention (docs/recording.md, "Archive, retention, legal hold"). */
  recordingArchive: Readonly<RecordingArchiveConfig>;
  /** Admission control of new calls under overload (docs/overload.md). */
  overload: Readonly<OverloadConfig>;
}

/** Where new calls start to be refused (high water marks; each signal comes back a fixed distance
 * under its mark: services/overload/admission.ts). */
export interface OverloadConfig {
  /** Off: every call is admitted, whatever the load (OVERLOAD=0). */
  enabled: boolean;
  /** Calls in the ACD (waiting or offered) at which calls to queue pilots are refused. */
  maxCallsInRouting: number;
  /** Worst p99 event-loop delay over the window, ms. */
  loopDelayMs: number;
  /** Mean event-loop utilisation over the window, 0…1 (OVERLOAD_LOOP_UTILISATION_PCT): with the
   * delay, both must be over. */
  loopUtilisation: number;
  /** V8 heap used ÷ its limit, 0…1 (OVERLOAD_HEAP_PCT). */
  heapUsed: number;
  /** History writes kept in memory, as a share of DB_BACKLOG_MAX, 0…1 (OVERLOAD_DB_BACKLOG_PCT). */
  storageBacklog: number;
  /** The event-loop window, ms; the process is sampled four times in it. */
  windowMs: number;
}

export interface RecordingArchiveConfig {
  /** Closed recordings older than this many days move to `DATA_DIR/archive` (≥ 1). */
  archiveAfterDays: number;
  /** Recordings older than this many days are deleted unless on legal hold; 0 keeps them. */
  deleteAfterDays: number;
  /** Local time of the daily run, `HH:MM`. */
  at: string;
}

/** Where recordings live: the hot tier `DATA_DIR/recordings`, the archive `DATA_DIR/archive`. */
export function recordingDirs(config: Pick<Config, 'dataDir'>): { hot: string; archive: string } {
  return { hot: resolve(config.dataDir, 'recordings'), archive: resolve(config.dataDir, 'archive') };
}

export interface IvrConfig {
  flowsDir: string;
  ports: readonly string[];
  promptsDir: string | null;
  timeZone: string;
  timeScale: number;
  /** Publish edited flow files without a restart (a watch on the folder). */
  watch: boolean;
}

export interface RetentionDays {
  calls: number;
  agentStates: number;
  routingDecisions: number;
  audit: number;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number, errors: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    errors.push(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
    return def;
  }
  return n;
}

function hhmm(env: NodeJS.ProcessEnv, name: string, def: string, errors: string[]): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(raw)) {
    errors.push(`${name}=${JSON.stringify(raw)} must be a local time HH:MM (00:00 to 23:59)`);
    return def;
  }
  return raw;
}

/** The shortest RECORDING_URL_SECRET accepted, in characters: a floor against short, guessable
 * keys (`openssl rand -base64 48` gives 64 characters, 384 random bits). */
export const RECORDING_URL_SECRET_MIN = 32;

/** A secret of at least `min` characters; unset or empty: null. The error names the variable and
 * the length, never the value. */
function secret(env: NodeJS.ProcessEnv, name: string, min: number, errors: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (raw.length < min) {
    errors.push(`${name} must be at least ${min} characters long (it has ${raw.length}); e.g. openssl rand -base64 48`);
    return null;
  }
  return raw;
}

/** The shortest METRICS_TOKEN accepted, in characters (`openssl rand -hex 24` gives 48). */
export const METRICS_TOKEN_MIN = 24;

/** A bearer token: `secret()`, and only the characters a token may have in an Authorization
 * header (RFC 6750 b64token), so that a scraper can send it as it is. */
function bearerSecret(env: NodeJS.ProcessEnv, name: string, min: number, errors: string[]): string | null {
  const value = secret(env, name, min, errors);
  if (value !== null && !/^[A-Za-z0-9\-._~+/]+=*$/.test(value)) {
    errors.push(`${name} may hold only letters, digits and - . _ ~ + / (then = padding), e.g. openssl rand -hex 24`);
    return null;
  }
  return value;
}

/** Comma-separated http(s) URLs, at most 10; empty or unset: none. */
export function parseWebhookUrls(name: string, raw: string | undefined, errors: string[]): readonly string[] {
  if (raw === undefined || raw.trim() === '') return Object.freeze([]);
  const urls = raw.split(',').map((u) => u.trim()).filter((u) => u !== '');
  for (const u of urls) {
    let ok = false;
    try {
      const parsed = new URL(u);
      ok = (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
    } catch {
      ok = false;
    }
    if (!ok) errors.push(`${name}: ${JSON.stringify(u)} is not an http:// or https:// URL`);
  }
  if (urls.length > 10) errors.push(`${name}: at most 10 URLs`);
  return Object.freeze(urls);
}

export function parsePbx(raw: string | undefined, errors: string[]): PbxTarget {
  if (raw === undefined || raw === '' || raw === 'sim') return { kind: 'sim' };
  const fail = (): PbxTarget => {
    errors.push(`PBX=${JSON.stringify(raw)} must be "sim", "csta://host:port" or "sip-csta://host:port[;transport=udp|tcp]"`);
    return { kind: 'sim' };
  };
  const m = /^(csta|sip-csta):\/\/([^:/;]+):(\d{1,5})\/?((?:;[^;]*)*)$/.exec(raw);
  if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) return fail();
  const host = m[2]!;
  const port = Number(m[3]);
  const params = m[4]!.split(';').filter((p) => p !== '');
  if (m[1] === 'csta') return params.length === 0 ? { kind: 'csta', host, port } : fail();
  // SIP's own default transport is UDP (RFC 3261 18); the parameter is spelled as in a SIP URI.
  let transport: 'udp' | 'tcp' = 'udp';
  for (const p of params) {
    const t = /^transport=(udp|tcp)$/i.exec(p);
    if (!t) return fail();
    transport = t[1]!.toLowerCase() as 'udp' | 'tcp';
  }
  return { kind: 'sip-csta', host, port, transport };
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv): Readonly<Config> {
  const errors: string[] = [];
  const pbx = parsePbx(env.PBX, errors);
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(logLevel)) errors.push(`LOG_LEVEL=${JSON.stringify(logLevel)} must be one of ${LEVELS.join(', ')}`);
  const internal = env.INTERNAL_NUMBER_PATTERN ?? '^[0-9]{2,6}$';
  try {
    new RegExp(internal);
  } catch {
    errors.push(`INTERNAL_NUMBER_PATTERN is not a valid regular expression`);
  }
  const demoRaw = env.DEMO;
  if (demoRaw !== undefined && !['0', '1', 'true', 'false'].includes(demoRaw)) errors.push(`DEMO must be 1/0/true/false`);
  const groupCommitRaw = env.DB_GROUP_COMMIT;
  if (groupCommitRaw !== undefined && groupCommitRaw !== '' && !['0', '1', 'true', 'false'].includes(groupCommitRaw)) errors.push(`DB_GROUP_COMMIT must be 1/0/true/false`);
  const overloadRaw = env.OVERLOAD;
  if (overloadRaw !== undefined && overloadRaw !== '' && !['0', '1', 'true', 'false'].includes(overloadRaw)) errors.push(`OVERLOAD must be 1/0/true/false`);
  const allowDemoRaw = env.ALLOW_DEMO_PASSWORDS;
  if (allowDemoRaw !== undefined && allowDemoRaw !== '' && !['0', '1', 'true', 'false'].includes(allowDemoRaw)) errors.push(`ALLOW_DEMO_PASSWORDS must be 1/0/true/false`);
  const config: Config = {
    port: int(env, 'PORT', 8080, 0, 65535, errors),
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.DATA_DIR || './data'),
    simPort: int(env, 'SIM_PORT', 7070, 0, 65535, errors),
    cstaPort: int(env, 'CSTA_PORT', 2555, 0, 65535, errors),
    pbx,
    logLevel,
    internalNumberPattern: internal,
    tokenTtlS: int(env, 'TOKEN_TTL_S', 12 * 3600, 60, 30 * 86400, errors),
    resumeGraceS: int(env, 'RESUME_GRACE_S', 120, 0, 86400, errors),
    wsPingS: int(env, 'WS_PING_S', 30, 0, 3600, errors),
    demo: demoRaw === undefined ? pbx.kind === 'sim' : demoRaw === '1' || demoRaw === 'true',
    adminPassword: env.ADMIN_PASSWORD || null,
    cstaKeepAliveMs: int(env, 'CSTA_KEEPALIVE_MS', 30_000, 100, 600_000, errors),
    walCheckpointMs: int(env, 'WAL_CHECKPOINT_MS', 200, 0, 60_000, errors),
    dbBusyTimeoutMs: int(env, 'DB_BUSY_TIMEOUT_MS', 1000, 0, 60_000, errors),
    dbBacklogMax: int(env, 'DB_BACKLOG_MAX', 50_000, 100, 10_000_000, errors),
    dbGroupCommit: groupCommitRaw === undefined || groupCommitRaw === '' || groupCommitRaw === '1' || groupCommitRaw === 'true',
    retention: Object.freeze({
      calls: int(env, 'RETAIN_CALLS_DAYS', 400, 0, 36_500, errors),
      agentStates: int(env, 'RETAIN_AGENT_STATES_DAYS', 400, 0, 36_500, errors),
      routingDecisions: int(env, 'RETAIN_ROUTING_DECISIONS_DAYS', 90, 0, 36_500, errors),
      audit: int(env, 'RETAIN_AUDIT_DAYS', 0, 0, 36_500, errors),
    }),
    housekeepingAt: hhmm(env, 'HOUSEKEEPING_AT', '03:30', errors),
    allowDemoPasswords: allowDemoRaw === '1' || allowDemoRaw === 'true',
    wsBufferBudgetMiB: int(env, 'WS_BUFFER_BUDGET_MB', 256, 16, 65_536, errors),
    cstaMonitorRetryMs: int(env, 'CSTA_MONITOR_RETRY_MS', 30_000, 100, 3_600_000, errors),
    callAuditMs: int(env, 'CALL_AUDIT_S', 30, 0, 86_400, errors) * 1000,
    callAuditSilenceMs: int(env, 'CALL_AUDIT_SILENCE_S', 60, 1, 86_400, errors) * 1000,
    voicemailWebhooks: parseWebhookUrls('VOICEMAIL_WEBHOOKS', env.VOICEMAIL_WEBHOOKS, errors),
    recordingPauseMaxS: int(env, 'RECORDING_PAUSE_MAX_S', 180, 1, 86_400, errors),
    recordingUrlSecret: secret(env, 'RECORDING_URL_SECRET', RECORDING_URL_SECRET_MIN, errors),
    metricsToken: bearerSecret(env, 'METRICS_TOKEN', METRICS_TOKEN_MIN, errors),
    recordingArchive: Object.freeze({
      archiveAfterDays: int(env, 'RECORDING_ARCHIVE_AFTER_DAYS', 30, 1, 36_500, errors),
      deleteAfterDays: int(env, 'RECORDING_DELETE_AFTER_DAYS', 0, 0, 36_500, errors),
      at: hhmm(env, 'RECORDING_ARCHIVE_AT', '02:30', errors),
    }),
    overload: Object.freeze({
      enabled: overloadRaw === undefined || overloadRaw === '' || overloadRaw === '1' || overloadRaw === 'true',
      maxCallsInRouting: int(env, 'OVERLOAD_MAX_CALLS_IN_ROUTING', 5000, 1, 1_000_000, errors),
      loopDelayMs: int(env, 'OVERLOAD_LOOP_DELAY_MS', 100, 5, 60_000, errors),
      loopUtilisation: int(env, 'OVERLOAD_LOOP_UTILISATION_PCT', 90, 20, 100, errors) / 100,
      heapUsed: int(env, 'OVERLOAD_HEAP_PCT', 85, 20, 99, errors) / 100,
      storageBacklog: int(env, 'OVERLOAD_DB_BACKLOG_PCT', 50, 1, 100, errors) / 100,
      windowMs: int(env, 'OVERLOAD_WINDOW_MS', 1000, 100, 60_000, errors),
    }),
    ivr: Object.freeze({
      flowsDir: resolve(env.FLOWS_DIR || './flows'),
      ports: portRange(env.IVR_PORTS ?? '8100-8129', errors),
      promptsDir: env.PROMPTS_DIR ? resolve(env.PROMPTS_DIR) : null,
      timeZone: timeZone(env.IVR_TIME_ZONE, errors),
      timeScale: int(env, 'IVR_TIME_SCALE', 1, 1, 100, errors),
      watch: env.IVR_WATCH_FLOWS !== '0' && env.IVR_WATCH_FLOWS !== 'false',
    }),
  };
  const ra = config.recordingArchive;
  if (ra.deleteAfterDays > 0 && ra.deleteAfterDays <= ra.archiveAfterDays) {
    errors.push(`RECORDING_DELETE_AFTER_DAYS=${ra.deleteAfterDays} must be more than RECORDING_ARCHIVE_AFTER_DAYS=${ra.archiveAfterDays} (or 0: keep for ever)`);
  }
  if (errors.length) throw new ConfigError(`invalid configuration:\n  ${errors.join('\n  ')}`);
  return Object.freeze(config);
}

/** `8100-8129` or `8100,8101`: the IVR ports, at most 1,000. */
function portRange(text: string, errors: string[]): string[] {
  const out: string[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([0-9]{2,10})(?:-([0-9]{2,10}))?$/.exec(part);
    if (!m) {
      errors.push(`IVR_PORTS: ${JSON.stringify(part)} is not a number or a range like 8100-8129`);
      continue;
    }
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    if (to < from || to - from >= 1000 || m[1]!.length !== (m[2] ?? m[1]!).length) {
      errors.push(`IVR_PORTS: ${part} is not a range of at most 1000 numbers of one length`);
      continue;
    }
    for (let n = from; n <= to; n++) out.push(String(n).padStart(m[1]!.length, '0'));
  }
  if (out.length > 1000) errors.push('IVR_PORTS: at most 1000 ports');
  return out;
}

function timeZone(text: string | undefined, errors: string[]): string {
  const tz = text || Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    errors.push(`IVR_TIME_ZONE=${JSON.stringify(tz)} is not an IANA time zone`);
  }
  return tz;
}

/** Defaults for tests and embedding: every field, overridable. */
export function defaultConfig(patch: Partial<Config> = {}): Readonly<Config> {
  return Object.freeze({ ...loadConfig({}), ...patch });
}
