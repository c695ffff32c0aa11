/**
 * The daemon's storage side, opened once at start: the database (migrated), the repositories the
 * services use, authentication, the demo centre or the initial admin, and the HTTP routes that
 * live on storage (login, admin API). Also what a restart carries over (docs/operations.md,
 * "Restarts"): the previous run's end (its clean stop, or its last heartbeat after a crash), the
 * calls it left in progress (their rows stay open: the call service takes them back or closes
 * them once the switch has said which are still up), the agents it had signed in with the state
 * they last chose, and the WebSocket sessions that may still be resumed.
 *
 * The history ports the services write through (call rows, agent states, routing decisions,
 * audit) go through one write queue (storage/write-queue.ts): written at once while the database
 * takes writes, kept in order and retried while it refuses them (disk full, locked, read-only).
 * The daily housekeeping (services/housekeeping.ts) runs from here too.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AuthService } from '../auth/auth-service.ts';
import type { ScryptParams } from '../auth/password.ts';
import { ConfigError, type Config } from '../config.ts';
import { knownPasswordsRefusal } from '../auth/known-passwords.ts';
import type { AuthPort } from '../gateway/auth-port.ts';
import { registerAdminRoutes } from '../http/admin/index.ts';
import { registerAuthRoutes } from '../http/auth-routes.ts';
import type { DirectoryChange } from '../http/admin/index.ts';
import type { DirectoryAgent, DirectoryData } from '../services/directory.ts';
import { Housekeeping } from '../services/housekeeping.ts';
import { safeTimers, type AgentStateLog, type AuditLog, type CallRecords, type CallRowWithData, type Clock, type CustomerLookup, type RoutingDecisionLog } from '../services/ports.ts';
import type { SessionStore } from '../gateway/session-store.ts';
import { lastAlive } from '../storage/repositories/daemon-runs.ts';
import { historyWriteOptions, type HistoryWrite } from '../storage/history-writes.ts';
import { WriteQueue, type WriteQueueStatus } from '../storage/write-queue.ts';
import { startCheckpointer, type CheckpointStats } from '../storage/checkpointer.ts';
import { openDatabase, type Sqlite } from '../storage/database.ts';
import { DEMO_USERS, demoPassword, ensureInitialAdmin, seedDemoCentre } from '../storage/demo-seed.ts';
import { createRepositories, type Repositories } from '../storage/repositories/index.ts';
import { openIvrStorage, type IvrStorage } from './ivr-storage.ts';
import type { RecordingWrites } from '../recording/capture/capture-service.ts';

export interface Storage {
  repos: Repositories;
  authService: AuthService;
  auth: AuthPort;
  calls: CallRecords;
  stateLog: AgentStateLog;
  decisions: RoutingDecisionLog;
  audit: AuditLog;
  /** Recording rows of the capture (recording/capture) and the call's recording decision: through
   * the write queue, like the call rows they belong to; the restart's read goes to the database. */
  recordings: RecordingWrites;
  customers: CustomerLookup;
  loadDirectory(): DirectoryData;
  /** One agent's directory record (after an edit of that user or agent); null when the user is
   * gone, disabled or not an agent. */
  loadAgent(username: string): DirectoryAgent | null;
  /** Agents who were signed in when the previous run stopped or died, where, and the state they
   * last chose (ready, notReady with its reason, wrap-up; null if none is recorded). */
  signedInAtLastStop: { agent: string; extension: string; prior: { state: string; reason: string | null } | null }[];
  /** The calls the previous run left in progress (rows still open), with their call data. */
  openCalls: CallRowWithData[];
  /** When the previous run was last known alive (clean stop or last heartbeat); null: none. */
  previousRunEnd: number | null;
  /** Resumable WebSocket sessions, kept across restarts. */
  sessions: SessionStore;
  /** The IVR's storage side: named queries, business hours, voicemail, collected data, stats. */
  ivr: IvrStorage;
  healthy(): boolean;
  /** For /health: `ok`; `degraded` while history writes are kept in memory because the database
   * refuses them (calls go on; `backlog` writes wait); `error` when it cannot even be read. */
  health(): StorageHealth;
  /** The write queue: state, backlog and counters. */
  writes(): WriteQueueStatus;
  /** Told when history writes start being kept (degraded) and when they are all written (ok). */
  onWritesChanged(listener: (status: WriteQueueStatus) => void): void;
  /** Commits the history writes of this turn now (group commit): called before anything tells a
   * client that what it asked is done, so that nothing acknowledged is only in memory. */
  barrier(): void;
  /** The daily housekeeping job (expired tokens, retention); `run()` runs it now. */
  housekeeping: Housekeeping;
  /** The raw connection, for diagnostics and fault tests (the daemon itself uses `repos`). */
  readonly sqlite: Sqlite;
  /** Directory reads since start: whole loads and single agents (diagnostics, tests). */
  directoryReads(): { full: number; agent: number };
  registerHttp(app: FastifyInstance, onDirectoryChanged: (change: DirectoryChange) => void | Promise<void>): Promise<void>;
  /** The daemon is stopping with these agents signed in: their state log says so (loggedOut,
   * reason `daemonShutdown`, with the extension), and the next start signs them in again. */
  shutdown(now: number, signedIn: { agent: string; extension: string }[]): void;
  /** WAL checkpoints run by the worker thread; null when it is not running. */
  checkpoints(): CheckpointStats | null;
  close(): Promise<void>;
}

export interface StorageHealth {
  db: 'ok' | 'degraded' | 'error';
  /** History writes waiting for the database. */
  backlog: number;
  /** The SQLite code of the last refusal while degraded, e.g. `SQLITE_FULL`. */
  lastError: string | null;
}

/** Told how long each history write took (GET /metrics); cheap and never throwing. `replay`: a
 * write from the backlog, inside its batch's transaction (its commit is not in `ms`). */
export interface HistoryWriteMeter {
  now(): number;
  written(kind: HistoryWrite['kind'], replay: boolean, ms: number): void;
}

export async function openStorage(
  config: Readonly<Config>,
  log: Logger,
  clock: Clock,
  scrypt?: ScryptParams,
  meter?: HistoryWriteMeter,
  groupCommitDefer: (fn: () => void) => void = (fn) => void setImmediate(fn),
): Promise<Storage> {
  const file = join(config.dataDir, 'switchboard.db');
  const opened = openDatabase({ file, busyTimeoutMs: config.dbBusyTimeoutMs });
  // Checkpoints off the event loop (storage/checkpointer.ts): the commits on the call path only
  // append to the WAL.
  const checkpointer = config.walCheckpointMs > 0 ? startCheckpointer({ file, sqlite: opened.sqlite, intervalMs: config.walCheckpointMs, log: log.child({ component: 'storage' }) }) : null;
  const repos = createRepositories(opened.db, scrypt ? { clock, scrypt } : { clock });
  const authService = new AuthService({ users: repos.users, tokens: repos.tokens, clock, tokenTtlMs: config.tokenTtlS * 1000, log: log.child({ component: 'auth' }), ...(scrypt ? { scrypt } : {}) });
  // The hashing threads start now, not in the first login flood (hash-workers.ts `warm`).
  await authService.hashPool.warm();
  log.info({ file }, 'database open');
  const storageLog = log.child({ component: 'storage' });
  const history = historyWriteOptions(repos);
  const writes = new WriteQueue<HistoryWrite>({
    ...history,
    // Timed only when it succeeds: a refused write is the write queue's business, not latency.
    ...(meter
      ? {
          write: (w: HistoryWrite, replay: boolean) => {
            const t0 = meter.now();
            history.write(w, replay);
            meter.written(w.kind, replay, meter.now() - t0);
          },
        }
      : {}),
    maxBacklog: config.dbBacklogMax,
    // Group commit: a turn's writes in one transaction at its end (write-queue.ts, docs/storage.md).
    ...(config.dbGroupCommit ? { perTurn: { defer: groupCommitDefer } } : {}),
    // A retry waits for a lock briefly: while degraded, a long wait at every attempt would hold
    // the event loop each time.
    aroundRetry: (fn) => withBusyTimeout(opened.sqlite, Math.min(50, config.dbBusyTimeoutMs), config.dbBusyTimeoutMs, fn),
    timers: safeTimers(storageLog),
    clock,
    log: storageLog,
  });
  const submit = (w: HistoryWrite) => writes.submit(w);
  const reads = { full: 0, agent: 0 };

  if (config.demo) {
    const { seeded } = await seedDemoCentre(repos);
    if (seeded) log.info('demo centre loaded (embedded-default.md)');
  } else {
    const r = await ensureInitialAdmin(repos, config.adminPassword ? { password: config.adminPassword } : {});
    if (r.action !== 'none') {
      // Shown once, on purpose, at warn so it is seen; it is stored nowhere but as a hash.
      log.warn({ username: r.username, password: r.generatedPassword ?? '(from ADMIN_PASSWORD)' }, `initial admin account ${r.action}`);
    }
  }

  // The demo centre's published passwords must not be reachable from the network (known-passwords.ts).
  const refusal = await knownPasswordsRefusal({ host: config.host, allow: config.allowDemoPasswords, users: repos.users, known: DEMO_USERS.map((u) => ({ username: u.username, password: demoPassword(u.username) })) });
  if (refusal) {
    await checkpointer?.close();
    opened.close();
    throw new ConfigError(refusal);
  }

  // The previous run, and this one (a heartbeat every few seconds says it is alive).
  const startedAt = clock.now();
  const previousRunEnd = lastAlive(repos.runs.latest());
  const runId = repos.runs.start(startedAt);
  repos.runs.trim();
  let heartbeatFailing = false;
  const heartbeat = setInterval(() => {
    try {
      repos.runs.alive(runId, clock.now());
      heartbeatFailing = false;
    } catch (err) {
      // Once per failing spell (the database refusing writes is reported by the write queue).
      if (!heartbeatFailing) storageLog.warn({ err: (err as Error).message }, 'daemon heartbeat not written');
      heartbeatFailing = true;
    }
  }, RUN_HEARTBEAT_MS);
  heartbeat.unref();

  // Who was signed in when the previous run ended (its open state intervals say so), and the
  // state each had last chosen (a clean stop wrote loggedOut/daemonShutdown after it).
  const signedInAtLastStop: Storage['signedInAtLastStop'] = [];
  for (const a of repos.directory.loadDirectory().agents) {
    const row = repos.stateLog.current(a.username);
    const wasIn = row && (row.state !== 'loggedOut' || row.reason === 'daemonShutdown');
    if (row && wasIn && row.extension) signedInAtLastStop.push({ agent: a.username, extension: row.extension, prior: repos.stateLog.lastChosen(a.username) });
  }

  // Calls the previous run left in progress keep their rows open: the call service takes back
  // those the switch still has, under the same id, and closes the others (daemonRestart).
  const openCalls = repos.calls.listOpen();
  let closedStates = 0;
  try {
    closedStates = repos.stateLog.closeOpen(startedAt);
  } catch (err) {
    // Harmless to leave: each agent's next state closes its open interval.
    log.error({ err }, 'could not close the state intervals left open by the previous run');
  }
  const resumeGraceMs = config.resumeGraceS * 1000;
  const staleSessions = repos.wsSessions.purge(startedAt, startedAt - resumeGraceMs, previousRunEnd);
  if (previousRunEnd !== null) {
    log.info({ awayMs: startedAt - previousRunEnd, callsInProgress: openCalls.length, agentStates: closedStates, resumableSessions: repos.wsSessions.count(), staleSessions }, 'previous run found');
  }

  const housekeeping = new Housekeeping({
    targets: [
      // 200 call rows are ~10 ms of deletes (eight indexes and call_agents): docs/storage.md.
      { name: 'calls', days: config.retention.calls, batch: 200, deleteOlderThan: (b, n) => repos.calls.deleteOlderThan(b, n) },
      { name: 'routingDecisions', days: config.retention.routingDecisions, deleteOlderThan: (b, n) => repos.routingDecisions.deleteOlderThan(b, n) },
      { name: 'agentStates', days: config.retention.agentStates, deleteOlderThan: (b, n) => repos.stateLog.deleteOlderThan(b, n) },
      { name: 'audit', days: config.retention.audit, deleteOlderThan: (b, n) => repos.audit.deleteOlderThan(b, n) },
    ],
    purgeTokens: () => authService.purgeExpired(),
    writable: () => writes.status().state === 'ok',
    clock,
    log: log.child({ component: 'housekeeping' }),
  });
  housekeeping.start(config.housekeepingAt);
  const ivr = openIvrStorage({ config, repos, submit, clock, timers: safeTimers(storageLog), log });
  const health = (): StorageHealth => {
    const w = writes.status();
    let readable = true;
    try {
      readable = opened.sqlite.prepare('select 1 as ok').get() !== undefined;
    } catch {
      readable = false;
    }
    return { db: !readable ? 'error' : w.state === 'degraded' ? 'degraded' : 'ok', backlog: w.backlog, lastError: w.state === 'degraded' ? w.lastError : null };
  };

  return {
    repos,
    authService,
    auth: { login: (u, p, a) => authService.attemptLogin(u, p, a), verifyToken: (t) => authService.checkToken(t), verifyTokenHash: (h) => authService.checkTokenHash(h), onAccessChanged: (l) => authService.onAccessChanged(l) },
    calls: {
      insert: (row) => submit({ kind: 'call', op: 'insert', row }),
      update: (id, patch) => submit({ kind: 'call', op: 'update', id, patch }),
      saveData: (id, json) => submit({ kind: 'callData', id, json }),
    },
    stateLog: { append: (entry) => submit({ kind: 'stateLog', entry }) },
    decisions: { append: (decision) => submit({ kind: 'decision', decision }) },
    audit: { append: (entry) => submit({ kind: 'audit', entry, at: clock.now() }) },
    recordings: {
      insertStarted: (row) => submit({ kind: 'recording', rec: { op: 'insert', row, createdAt: clock.now() } }),
      setPath: (id, path) => submit({ kind: 'recording', rec: { op: 'setPath', id, path } }),
      addAgentLeg: (id, leg) => submit({ kind: 'recording', rec: { op: 'addLeg', id, leg } }),
      endAgentLegs: (id, toMs, agent) => submit({ kind: 'recording', rec: { op: 'endLegs', id, toMs, ...(agent !== undefined ? { agent } : {}) } }),
      addPause: (id, fromMs, by) => submit({ kind: 'recording', rec: { op: 'addPause', id, fromMs, by } }),
      endPause: (id, toMs) => submit({ kind: 'recording', rec: { op: 'endPause', id, toMs } }),
      close: (id, closed) => submit({ kind: 'recording', rec: { op: 'close', id, closed } }),
      fail: (id, endedAt) => submit({ kind: 'recording', rec: { op: 'fail', id, endedAt } }),
      // Behind the call's row in the queue, so the row is there when it lands.
      setCallDecision: (callId, d) => submit({ kind: 'recording', rec: { op: 'decision', callId, ...d } }),
      openRecordings: () => repos.recordingsWrite.openRecordings(),
      durable: () => {
        writes.barrier();
        return writes.status().state === 'ok';
      },
    },
    customers: {
      findByPhone(phone) {
        const c = repos.customers.findByPhone(phone);
        return c ? { id: c.id, name: c.name, vipLevel: c.vipLevel, preferredAgent: c.preferredAgent } : null;
      },
      lastAgentFor: (phone) => repos.calls.lastAgentFor(phone),
    },
    loadDirectory: () => {
      reads.full++;
      return repos.directory.loadDirectory();
    },
    loadAgent: (username) => {
      reads.agent++;
      return repos.directory.loadAgent(username);
    },
    signedInAtLastStop,
    openCalls,
    previousRunEnd,
    sessions: sessionStore(repos, storageLog),
    ivr,
    healthy: () => health().db !== 'error',
    health,
    writes: () => writes.status(),
    onWritesChanged: (listener) => writes.onChange(listener),
    barrier: () => writes.barrier(),
    housekeeping,
    sqlite: opened.sqlite,
    directoryReads: () => ({ ...reads }),
    async registerHttp(app, onDirectoryChanged) {
      await registerAuthRoutes(app, { auth: authService });
      await registerAdminRoutes(app, { repos, auth: authService, onDirectoryChanged: (change) => onDirectoryChanged(change) });
      ivr.registerHttp(app, authService);
    },
    shutdown(t, signedIn) {
      // Behind whatever is still queued, like every state change.
      for (const a of signedIn) submit({ kind: 'stateLog', entry: { agent: a.agent, state: 'loggedOut', reason: 'daemonShutdown', startedAt: t, extension: a.extension } });
    },
    checkpoints: () => (checkpointer?.running ? checkpointer.stats() : null),
    async close() {
      clearInterval(heartbeat);
      try {
        repos.runs.stopped(runId, clock.now());
      } catch (err) {
        storageLog.warn({ err: (err as Error).message }, 'clean stop not recorded (the next start will take this run for a crash)');
      }
      await authService.close();
      await ivr.close();
      await housekeeping.close();
      // A last attempt at the backlog; what the database still refuses is logged as lost.
      writes.close();
      await checkpointer?.close();
      opened.close();
    },
  };
}

/** How often a running daemon records that it is alive (daemon_runs.alive_at). */
const RUN_HEARTBEAT_MS = 5000;

/** The gateway's session store on the ws_sessions table. A failed write only costs the chance to
 * resume after a restart: logged, never thrown at a login. */
function sessionStore(repos: Repositories, log: Logger): SessionStore {
  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      log.warn({ err: (err as Error).message }, `session store: ${what} not written`);
    }
  };
  return {
    saved: (s) => guard('new session', () => repos.wsSessions.save(s)),
    detached: (hash, at) => guard('detach', () => repos.wsSessions.setDetached(hash, at)),
    attached: (hash) => guard('attach', () => repos.wsSessions.setDetached(hash, null)),
    removed: (hash) => guard('end', () => repos.wsSessions.remove(hash)),
    find: (hash) => {
      try {
        return repos.wsSessions.find(hash);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'session store: not readable');
        return null;
      }
    },
  };
}

/** Runs `fn` with SQLite's busy timeout at `ms`, then back at `normalMs`. */
function withBusyTimeout(sqlite: Sqlite, ms: number, normalMs: number, fn: () => void): void {
  sqlite.pragma(`busy_timeout = ${ms}`);
  try {
    fn();
  } finally {
    sqlite.pragma(`busy_timeout = ${normalMs}`);
  }
}
