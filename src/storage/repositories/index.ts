/**
 * Builds every repository over one database handle. Services should take only the repositories
 * they use (e.g. the call service gets `calls`), not this whole bag; it exists for the entry
 * point, the admin routes and tests.
 */
import type { ScryptParams } from '../../auth/password.ts';
import type { Db } from '../database.ts';
import { AgentStateLogRepository } from './agent-state-log.ts';
import { AgentsRepository } from './agents.ts';
import { AuditRepository } from './audit.ts';
import { AuthTokensRepository } from './auth-tokens.ts';
import { CallsRepository } from './calls.ts';
import { systemClock, inTransaction, type Clock } from './context.ts';
import { CustomersRepository } from './customers.ts';
import { DaemonRunsRepository } from './daemon-runs.ts';
import { DirectoryRepository } from './directory.ts';
import { PilotsRepository } from './pilots.ts';
import { QueuesRepository } from './queues.ts';
import { RoutingDecisionsRepository } from './routing-decisions.ts';
import { SkillsRepository } from './skills.ts';
import { TeamsRepository } from './teams.ts';
import { UsersRepository } from './users.ts';
import { WriteBatchesRepository } from './write-batches.ts';
import { WsSessionsRepository } from './ws-sessions.ts';
import { RecordingsWriteRepository } from './recordings-write.ts';
import { IvrCollectedRepository } from './ivr-collected.ts';
import { IvrEventsRepository } from './ivr-events.ts';
import { IvrSchedulesRepository } from './ivr-schedules.ts';
import { VoicemailsRepository } from './voicemails.ts';
import { WebhookDeliveriesRepository } from './webhook-deliveries.ts';

export interface RepositoryOptions {
  clock?: Clock;
  /** Password hashing cost; tests pass a cheap one. */
  scrypt?: ScryptParams;
}

export interface Repositories {
  users: UsersRepository;
  agents: AgentsRepository;
  skills: SkillsRepository;
  queues: QueuesRepository;
  pilots: PilotsRepository;
  teams: TeamsRepository;
  customers: CustomersRepository;
  directory: DirectoryRepository;
  calls: CallsRepository;
  routingDecisions: RoutingDecisionsRepository;
  stateLog: AgentStateLogRepository;
  audit: AuditRepository;
  tokens: AuthTokensRepository;
  writeBatches: WriteBatchesRepository;
  /** One row per daemon run (restart continuity). */
  runs: DaemonRunsRepository;
  /** Resumable WebSocket sessions, across restarts. */
  wsSessions: WsSessionsRepository;
  /** IVR: business-hours schedules, voicemail, the webhook outbox, collected data, statistics. */
  ivrSchedules: IvrSchedulesRepository;
  voicemails: VoicemailsRepository;
  webhookDeliveries: WebhookDeliveriesRepository;
  ivrCollected: IvrCollectedRepository;
  ivrEvents: IvrEventsRepository;
  /** Recording rows written by the capture (through the write queue: history-writes.ts). */
  recordingsWrite: RecordingsWriteRepository;
  clock: Clock;
  scrypt: ScryptParams | undefined;
  /** Runs `fn` atomically (nests as a savepoint). */
  transaction<T>(fn: () => T): T;
}

export function createRepositories(db: Db, opts: RepositoryOptions = {}): Repositories {
  const ctx = { db, clock: opts.clock ?? systemClock };
  const skills = new SkillsRepository(ctx);
  return {
    users: new UsersRepository(ctx, opts.scrypt ? { scrypt: opts.scrypt } : {}),
    agents: new AgentsRepository(ctx, skills),
    skills,
    queues: new QueuesRepository(ctx, skills),
    pilots: new PilotsRepository(ctx, skills),
    teams: new TeamsRepository(ctx),
    customers: new CustomersRepository(ctx),
    directory: new DirectoryRepository(ctx),
    calls: new CallsRepository(ctx),
    routingDecisions: new RoutingDecisionsRepository(ctx),
    stateLog: new AgentStateLogRepository(ctx),
    audit: new AuditRepository(ctx),
    tokens: new AuthTokensRepository(ctx),
    writeBatches: new WriteBatchesRepository(ctx),
    runs: new DaemonRunsRepository(ctx),
    wsSessions: new WsSessionsRepository(ctx),
    ivrSchedules: new IvrSchedulesRepository(ctx),
    voicemails: new VoicemailsRepository(ctx),
    webhookDeliveries: new WebhookDeliveriesRepository(ctx),
    ivrCollected: new IvrCollectedRepository(ctx),
    ivrEvents: new IvrEventsRepository(ctx),
    recordingsWrite: new RecordingsWriteRepository(ctx),
    clock: ctx.clock,
    scrypt: opts.scrypt,
    transaction: (fn) => inTransaction(db, fn),
  };
}

export { AgentStateLogRepository, AgentsRepository, AuditRepository, AuthTokensRepository, CallsRepository, CustomersRepository, DirectoryRepository, PilotsRepository, QueuesRepository, RoutingDecisionsRepository, SkillsRepository, TeamsRepository, UsersRepository, WriteBatchesRepository, DaemonRunsRepository, WsSessionsRepository };
export type { Clock } from './context.ts';
export type { DaemonRun } from './daemon-runs.ts';
export type { StoredSession } from './ws-sessions.ts';
export type { AgentProfile, AgentPatch, AgentSkill } from './agents.ts';
export type { AuditEntry, AuditRecord, AuditQuery } from './audit.ts';
export type { CallRow, CallSearch } from './calls.ts';
export type { Customer, NewCustomer, CustomerPatch, CustomerQuery } from './customers.ts';
export type { Voicemail, NewVoicemail, VoicemailQuery } from './voicemails.ts';
export type { WebhookDelivery } from './webhook-deliveries.ts';
export type { IvrCollected } from './ivr-collected.ts';
export type { DirectorySnapshot, DirectoryAgentRecord, DirectoryQueueRecord, DirectoryPilotRecord } from './directory.ts';
export type { Pilot, NewPilot, PilotPatch } from './pilots.ts';
export type { QueueConfig, NewQueue, QueuePatch, RequiredSkill } from './queues.ts';
export type { Skill } from './skills.ts';
export type { Team, NewTeam, TeamPatch } from './teams.ts';
export type { StateLogEntry, StateLogRow } from './agent-state-log.ts';
export type { User, NewUser, UserPatch } from './users.ts';
