/**
 * The daemon's storage side, opened once at start: the database (migrated), the repositories the
 * services use, authentication, the demo centre or the initial admin, and the HTTP routes that
 * live on storage (login, admin API). Also the start-up repair after a crash: call rows and state
 * log rows left open by a process that died are closed with cause `daemonRestart`.
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
import type { DirectoryData } from '../services/directory.ts';
import type { AgentStateLog, AuditLog, CallRecords, Clock, CustomerLookup, RoutingDecisionLog } from '../services/ports.ts';
import { startCheckpointer, type CheckpointStats } from '../storage/checkpointer.ts';
import { openDatabase } from '../storage/database.ts';
import { DEMO_USERS, demoPassword, ensureInitialAdmin, seedDemoCentre } from '../storage/demo-seed.ts';
import { createRepositories, type Repositories } from '../storage/repositories/index.ts';

export interface Storage {
  repos: Repositories;
  authService: AuthService;
  auth: AuthPort;
  calls: CallRecords;
  stateLog: AgentStateLog;
  decisions: RoutingDecisionLog;
  audit: AuditLog;
  customers: CustomerLookup;
  loadDirectory(): DirectoryData;
  /** Agents who were signed in when the previous run stopped or died, and where. */
  signedInAtLastStop: { agent: string; extension: string }[];
  healthy(): boolean;
  registerHttp(app: FastifyInstance, onDirectoryChanged: () => void): Promise<void>;
  /** The daemon is stopping with these agents signed in: their state log says so (loggedOut,
   * reason `daemonShutdown`, with the extension), and the next start signs them in again. */
  shutdown(now: number, signedIn: { agent: string; extension: string }[]): void;
  /** WAL checkpoints run by the worker thread; null when it is not running. */
  checkpoints(): CheckpointStats | null;
  close(): Promise<void>;
}

export async function openStorage(config: Readonly<Config>, log: Logger, clock: Clock, scrypt?: ScryptParams): Promise<Storage> {
  const file = join(config.dataDir, 'switchboard.db');
  const opened = openDatabase({ file });
  // Checkpoints off the event loop (storage/checkpointer.ts): the commits on the call path only
  // append to the WAL.
  const checkpointer = config.walCheckpointMs > 0 ? startCheckpointer({ file, sqlite: opened.sqlite, intervalMs: config.walCheckpointMs, log: log.child({ component: 'storage' }) }) : null;
  const repos = createRepositories(opened.db, scrypt ? { clock, scrypt } : { clock });
  const authService = new AuthService({ users: repos.users, tokens: repos.tokens, clock, tokenTtlMs: config.tokenTtlS * 1000, log: log.child({ component: 'auth' }), ...(scrypt ? { scrypt } : {}) });
  log.info({ file }, 'database open');

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

  // Who was signed in when the previous run ended (its open state intervals say so).
  const signedInAtLastStop: { agent: string; extension: string }[] = [];
  for (const a of repos.directory.loadDirectory().agents) {
    const row = repos.stateLog.current(a.username);
    const wasIn = row && (row.state !== 'loggedOut' || row.reason === 'daemonShutdown');
    if (row && wasIn && row.extension) signedInAtLastStop.push({ agent: a.username, extension: row.extension });
  }

  // Crash repair: a call row or state interval left open by a process that died.
  const now = clock.now();
  const open = repos.calls.listOpen();
  for (const row of open) {
    repos.calls.update(row.id, {
      endedAt: now,
      outcome: row.answeredAt !== null ? 'answered' : 'lost',
      cause: 'daemonRestart',
      talkMs: row.answeredAt !== null ? now - row.answeredAt : null,
    });
  }
  const closedStates = repos.stateLog.closeOpen(now);
  if (open.length || closedStates) log.warn({ calls: open.length, agentStates: closedStates }, 'closed records left open by the previous run');

  return {
    repos,
    authService,
    auth: { login: (u, p, a) => authService.attemptLogin(u, p, a), verifyToken: (t) => authService.checkToken(t), onAccessChanged: (l) => authService.onAccessChanged(l) },
    calls: { insert: (r) => repos.calls.insert(r), update: (id, p) => void repos.calls.update(id, p) },
    stateLog: { append: (e) => repos.stateLog.append(e) },
    decisions: { append: (d) => repos.routingDecisions.append(d) },
    audit: { append: (e) => void repos.audit.append(e) },
    customers: {
      findByPhone(phone) {
        const c = repos.customers.findByPhone(phone);
        return c ? { id: c.id, name: c.name, vipLevel: c.vipLevel, preferredAgent: c.preferredAgent } : null;
      },
      lastAgentFor: (phone) => repos.calls.lastAgentFor(phone),
    },
    loadDirectory: () => repos.directory.loadDirectory(),
    signedInAtLastStop,
    healthy() {
      try {
        return opened.sqlite.prepare('select 1 as ok').get() !== undefined;
      } catch {
        return false;
      }
    },
    async registerHttp(app, onDirectoryChanged) {
      await registerAuthRoutes(app, { auth: authService });
      await registerAdminRoutes(app, { repos, auth: authService, onDirectoryChanged: () => onDirectoryChanged() });
    },
    shutdown(t, signedIn) {
      repos.transaction(() => {
        for (const a of signedIn) repos.stateLog.append({ agent: a.agent, state: 'loggedOut', reason: 'daemonShutdown', startedAt: t, extension: a.extension });
      });
    },
    checkpoints: () => (checkpointer?.running ? checkpointer.stats() : null),
    async close() {
      await checkpointer?.close();
      opened.close();
    },
  };
}
