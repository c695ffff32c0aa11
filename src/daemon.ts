/**
 * buildDaemon(config): the whole daemon as one object with close(). The entry point (main.ts)
 * calls it with the environment's config; every integration test calls it with port 0 and a temp
 * data dir. Wiring only: storage, the PBX link (and the embedded simulator when PBX=sim), the
 * services, the HTTP API and the WebSocket gateway.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import type { ScryptParams } from './auth/password.ts';
import { CstaPbx } from './pbx-adapters/csta/csta-pbx.ts';
import type { CstaWire } from './pbx-adapters/csta/transport/connect.ts';
import type { PbxPort } from './core/pbx-port.ts';
import { startSimProcess, type SimProcess } from './pbx-adapters/sim-process.ts';
import { CallAudit } from './services/call-audit.ts';
import { CallControl } from './services/call-control.ts';
import { CallService } from './services/call-service.ts';
import { Directory } from './services/directory.ts';
import { applyDirectoryChange } from './services/directory-changes.ts';
import { announceWriteStatus } from './services/storage-status.ts';
import { safeTimers, safely, type Clock } from './services/ports.ts';
import { Phones } from './services/phones.ts';
import { PresenceService } from './services/presence-service.ts';
import { RouteDispatcher } from './services/route-dispatch.ts';
import { SwitchLink } from './services/switch-link.ts';
import { QueueStatsService } from './services/queue-stats.ts';
import { startQueueToday } from './wiring/queue-today.ts';
import { ShiftRulesService } from './services/shift-rules.ts';
import { RoutingService } from './services/routing-service.ts';
import { atEveryMidnight } from './services/daily-run.ts';
import { Hub } from './gateway/hub.ts';
import { WsGateway } from './gateway/ws-gateway.ts';
import { errorHandler, notFoundHandler } from './http/http-errors.ts';
import { openStorage, type Storage } from './wiring/storage.ts';
import { registerCallRoutes } from './http/call-routes.ts';
import { openRecordingReads, registerRecordingHttp } from './http/recording-routes.ts';
import { PhoneReplayService, REPLAY_FLOW } from './recording/replay/phone-replay.ts';
import type { RecordingCapture } from './recording/capture/capture-service.ts';
import { registerIvrRoutes } from './http/ivr-routes.ts';
import { registerReportRoutes } from './http/report-routes.ts';
import { registerClassicReportRoutes } from './http/classic-report-routes.ts';
import { ReportRunner } from './reports/data/report-runner.ts';
import type { KpiConfig } from './reports/kpi.ts';
import { registerQaRoutes } from './http/qa-routes.ts';
import { scheduleQaSampling } from './recording/qa/run.ts';
import { QaRepository } from './storage/repositories/qa.ts';
import { buildIvr } from './wiring/ivr.ts';
import { startRecordingCapture } from './recording/capture/wiring.ts';
import { startRecordingArchive } from './recording/archive/wiring.ts';
import { registerRecordingHoldRoutes } from './http/recording-hold-routes.ts';
import { registerConsoleRoutes } from './http/console-routes.ts';
import { registerMetricsRoutes } from './http/metrics-routes.ts';
import { DaemonMetrics } from './metrics/index.ts';
import { watchDaemon } from './wiring/metrics.ts';
import { startOverload } from './wiring/overload.ts';

export interface Daemon {
  readonly config: Readonly<Config>;
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly log: Logger;
  /** The embedded simulator's ports when PBX=sim. */
  readonly sim: { controlPort: number; cstaPort: number } | null;
  readonly app: FastifyInstance;
  readonly pbx: PbxPort;
  readonly storage: Storage;
  close(): Promise<void>;
}

export interface BuildOptions {
  logger?: Logger;
  clock?: Clock;
  /** Password hashing cost; tests pass a cheap one (never lower it in production). */
  scrypt?: ScryptParams;
  /** prom-client's process metrics on GET /metrics (default on; one set per process, shared by
   * the daemons a test builds: metrics/registry.ts). */
  defaultMetrics?: boolean;
  /** Group commit: runs the end of a turn's history commit (default setImmediate). Tests hold it
   * back to show that an answer to a client never waits on it (docs/storage.md). */
  groupCommitDefer?: (fn: () => void) => void;
}

export async function buildDaemon(config: Readonly<Config>, opts: BuildOptions = {}): Promise<Daemon> {
  const log = opts.logger ?? pino({ level: config.logLevel, base: { service: 'switchboard' } });
  const clock = opts.clock ?? { now: () => Date.now() };
  // Every timer callback of the services runs through safely(): an exception is logged, never
  // thrown into the event loop.
  const realTimers = safeTimers(log.child({ component: 'timers' }));
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn({ err }, 'error while closing');
      }
    }
  };

  try {
    // GET /metrics (docs/metrics.md): the meters go to the hot paths as they are built.
    const wire = config.pbx.kind === 'sip-csta' ? `sip-csta-${config.pbx.transport}` : 'annex-g';
    const metrics = new DaemonMetrics({ defaultMetrics: opts.defaultMetrics ?? true, transport: wire });
    closers.push(() => metrics.close());
    // ------------------------------------------------------------------ storage and directory
    const storage = await openStorage(config, log, clock, opts.scrypt, metrics.storage, opts.groupCommitDefer);
    closers.push(() => storage.close());
    // Recordings' archive and retention (docs/recording.md): half-done moves are finished first.
    const recordingArchive = await startRecordingArchive({ config, sqlite: storage.sqlite, clock, log: log.child({ component: 'recording-archive' }), writable: () => storage.writes().state === 'ok' });
    closers.push(() => recordingArchive.close());
    const directory = new Directory({ internalNumber: new RegExp(config.internalNumberPattern) });
    directory.load(storage.loadDirectory());

    // ---------------------------------------------------------------------------- the switch
    let sim: SimProcess | null = null;
    let target: { host: string; port: number; transport: CstaWire } | null =
      config.pbx.kind === 'csta' ? { host: config.pbx.host, port: config.pbx.port, transport: { kind: 'annex-g' } }
      : config.pbx.kind === 'sip-csta' ? { host: config.pbx.host, port: config.pbx.port, transport: { kind: 'sip-csta', transport: config.pbx.transport } }
      : null;
    if (config.pbx.kind === 'sim') {
      // The embedded switch keeps what it records (voicemail) in DATA_DIR, like a real switch's disk.
      sim = await startSimProcess({ simPort: config.simPort, cstaPort: config.cstaPort, host: config.host, logLevel: config.logLevel, log, recordingsDir: join(config.dataDir, 'switch-recordings') });
      closers.push(() => sim!.stop());
      target = { host: '127.0.0.1', port: sim.cstaPort, transport: { kind: 'annex-g' } };
      log.info({ cstaPort: sim.cstaPort, controlPort: sim.controlPort }, 'embedded simulator started');
    }
    const pbx = new CstaPbx({ host: target!.host, port: target!.port, transport: target!.transport, logger: log, keepAliveMs: config.cstaKeepAliveMs, monitorRetryMs: config.cstaMonitorRetryMs, meter: metrics.csta });

    // ------------------------------------------------------------------------------ services
    const hub = new Hub(clock);
    // The database refusing writes (disk full, locked, read-only) and taking them again.
    storage.onWritesChanged(announceWriteStatus(hub));
    const shiftRules = new ShiftRulesService({ teamOf: (a) => directory.agent(a)?.team ?? null, notifier: hub, clock, timers: realTimers, log: log.child({ component: 'shift-rules' }) });
    shiftRules.load(storage.repos.teams.list());
    closers.push(() => shiftRules.close());
    const phones = new Phones({ pbx, directory, log: log.child({ component: 'phones' }), ivrPorts: config.ivr.ports });
    directory.setIvrPorts(config.ivr.ports);
    let routing: RoutingService;
    let queueStats: QueueStatsService;
    const presence = new PresenceService({
      directory,
      pbx,
      stateLog: storage.stateLog,
      notifier: hub,
      clock,
      timers: realTimers,
      log: log.child({ component: 'presence' }),
      onChange: (agentId, status) => {
        routing.presenceChanged(agentId, status);
        if (status.extension) phones.ensureWatched(status.extension);
      },
      shiftRules,
      checkPhone: (ext) => phones.checkUsable(ext),
      phoneOutOfService: (ext) => phones.isOutOfService(ext),
    });
    phones.tell(presence);
    const queueKpi = () => Object.fromEntries(storage.repos.queues.list().flatMap((q) => (q.kpi ? [[q.id, q.kpi as Partial<KpiConfig>]] : [])));
    // Each queue's calls, service level and abandon rate today, live in queue.stats (docs/api.md).
    const queueToday = startQueueToday({ sqlite: storage.sqlite, queueKpi, timeZone: config.ivr.timeZone, clock, timers: realTimers, log: log.child({ component: 'queue-today' }), onChange: (q) => queueStats?.changed(q) });
    closers.push(() => queueToday.close());
    const calls = new CallService({
      directory,
      presence,
      records: queueToday.records(storage.calls),
      customers: storage.customers,
      notifier: hub,
      clock,
      timers: realTimers,
      log: log.child({ component: 'calls' }),
      newCallId: () => randomUUID(),
      isMonitored: (d) => pbx.isMonitored(d),
    });
    const callControl = new CallControl({ pbx, calls, presence, notifier: hub });
    routing = new RoutingService({
      pbx,
      directory,
      calls,
      presence,
      customers: storage.customers,
      decisions: storage.decisions,
      clock,
      timers: realTimers,
      log: log.child({ component: 'routing' }),
      onQueueChanged: (q) => queueStats.changed(q),
      meter: metrics.routing,
    });
    queueStats = new QueueStatsService({ directory, router: () => routing.router, presence: () => presence, notifier: hub, clock, timers: realTimers, today: { tally: queueToday.tally, kpiOf: queueToday.kpiOf } });
    // The consumers of calls and of route requests (IVR and recording plug in here too).
    calls.subscribe(routing);
    // Admission control (docs/overload.md): beyond capacity a new call takes its pilot's fallback.
    const overload = startOverload({
      config,
      counts: () => ({ callsInRouting: routing.callsInRouting(), routeDialogues: routes.openDialogues }),
      writes: () => storage.writes(),
      pbx,
      calls,
      decisions: storage.decisions,
      metrics: metrics.overload,
      clock,
      timers: realTimers,
      log: log.child({ component: 'overload' }),
    });
    closers.push(() => overload.close());
    const routes: RouteDispatcher = new RouteDispatcher({ directory, pbx, log: log.child({ component: 'routing' }), ...(overload.gate ? { gate: overload.gate } : {}) });
    routes.register('queue', routing);
    // Recordings' read side (search worker, access ledger), shared by HTTP and replay by phone.
    const recordingReads = openRecordingReads({ sqlite: storage.sqlite, file: join(config.dataDir, 'switchboard.db'), clock, log });
    closers.push(() => recordingReads.close());
    const phoneReplay = new PhoneReplayService({
      verifyPin: (phoneId, pin) => storage.authService.verifyPhonePin(phoneId, pin),
      usernames: () => storage.repos.users.list().map((u) => u.username),
      search: (q) => recordingReads.search.search(q),
      pathOf: (id) => recordingReads.recordings.get(id)?.path ?? null,
      ledger: recordingReads.ledger,
      log: log.child({ component: 'phone-replay' }),
    });
    // Set once capture starts (below); an IVR sensitive input pauses the call's recording.
    let recordingCapture: RecordingCapture | null = null;
    // The IVR (docs/ivr.md): flows on the switch's IVR ports; its data through storage.ivr.
    const { queries, schedules, voicemail, collected, stats } = storage.ivr;
    const ivr = await buildIvr({
      config,
      pbx,
      directory,
      calls,
      callControl,
      routing,
      presence,
      customers: storage.customers,
      customerByPhone: (phone) => queries.run('customerByPhone', { phone }),
      query: (name, params) => queries.run(name, params),
      hoursOpen: (id, now) => schedules.isOpen(id, now)?.open ?? true,
      storeVoicemail: (v) => voicemail.store(v),
      recordStat: (e) => stats.record(e),
      saveCollected: (row) => collected.insert(row),
      replay: phoneReplay,
      pauseRecording: async (callId, paused) => {
        const capture = recordingCapture;
        if (!capture?.recordingOf(callId)) return; // not recorded: nothing to pause
        await (paused ? capture.pause(callId, 'ivr') : capture.resume(callId, 'ivr'));
      },
      timers: realTimers,
      clock,
      log: log.child({ component: 'ivr' }),
    });
    closers.push(() => ivr.close());
    routes.register('ivr', ivr.runtime);
    // The replay number runs the flow `replay` (flows/replay.yaml: replay by phone).
    routes.register('replay', { routeRequest: (ev, pilot) => ivr.runtime.routeRequest(ev, { ...pilot, ivrFlow: REPLAY_FLOW }), routeEnd: (id, error) => ivr.runtime.routeEnd(id, error) });
    const link = new SwitchLink({ pbx, calls, presence, phones, routes, notifier: hub, timers: realTimers, log: log.child({ component: 'switch' }) });
    link.attach();
    // Recording policies and capture (docs/recording.md, "Policies", "Capture").
    const recording = startRecordingCapture({ config, storage, pbx, calls, directory, presence, notifier: hub, clock, timers: realTimers, log: log.child({ component: 'recording' }) });
    closers.push(() => recording.close());
    recordingCapture = recording.capture;
    const audit = new CallAudit({ pbx, calls, clock, timers: realTimers, log: log.child({ component: 'call-audit' }) }, { intervalMs: config.callAuditMs, silenceMs: config.callAuditSilenceMs });
    audit.start();
    // leastBusy counts calls and talk time "today": they start again at the centre's midnight
    // (IVR_TIME_ZONE, the day of the reports and the wallboard), not the server's.
    const dailyReset = atEveryMidnight(config.ivr.timeZone, () =>
      safely(log, 'ACD daily reset', () => {
        routing.resetDailyStats();
        log.info('ACD daily figures reset');
      }),
    );
    closers.push(() => {
      dailyReset?.cancel();
      audit.close();
      link.close();
      presence.close();
      routing.close();
      queueStats.close();
      calls.close();
    });
    const updateMonitors = () => phones.update();

    // ---------------------------------------------------------------------------------- HTTP
    // Typed as the base instance: our routes use only the base logger methods.
    const app = Fastify({ loggerInstance: log.child({ component: 'http' }), bodyLimit: 2 * 1024 * 1024 }) as unknown as FastifyInstance;
    app.setErrorHandler(errorHandler);
    app.setNotFoundHandler(notFoundHandler);
    // Group commit: what a request wrote to the history is committed before its response leaves.
    app.addHook('onSend', async () => {
      storage.barrier();
    });
    // 200 while calls are served, even with history writes kept in memory (db "degraded");
    // 503 only when the database cannot be read at all (docs/api.md).
    app.get('/health', async (_req, reply) => {
      const h = storage.health();
      const body = { status: h.db === 'ok' ? 'ok' : 'degraded', pbx: pbx.linkUp ? 'up' : 'down', db: h.db, ...(h.db === 'ok' ? {} : { dbBacklog: h.backlog, dbError: h.lastError }) };
      return reply.status(h.db === 'error' ? 503 : 200).send(body);
    });
    // An admin change reads back only what it touched (services/directory-changes.ts).
    const reloadDirectory = (change: Parameters<typeof applyDirectoryChange>[0]) => {
      applyDirectoryChange(change, {
        directory,
        loadAgent: (username) => storage.loadAgent(username),
        loadDirectory: () => storage.loadDirectory(),
        routing,
        reloadShiftRules: () => shiftRules.load(storage.repos.teams.list()),
        updateMonitors,
        log,
      });
      if (change.entity === 'queue') queueToday.queuesChanged();
    };
    await storage.registerHttp(app, reloadDirectory);
    registerRecordingHoldRoutes(app, { auth: storage.authService, repo: recordingArchive.repo, audit: storage.repos.audit, runArchive: () => recordingArchive.service.run() });
    registerCallRoutes(app, { repos: storage.repos, auth: storage.authService, waitEstimate: (callId) => routing.waitEstimate(callId), waitingCalls: (queueId) => routing.waitingCalls(queueId) });
    // Recording search (on a worker thread), playback and the access ledger (docs/recording.md).
    registerRecordingHttp(app, { sqlite: storage.sqlite, file: join(config.dataDir, 'switchboard.db'), dataDir: config.dataDir, auth: storage.authService, clock, log, playUrlSecret: config.recordingUrlSecret ?? undefined, reads: recordingReads });
    registerIvrRoutes(app, { auth: storage.authService, flows: ivr.registry, reloaded: ivr.reloaded });
    await recording.registerHttp(app);
    // Reports (docs/reports.md): KPIs and the staffing what-if, on the report worker.
    const reportRunner = new ReportRunner({ file: join(config.dataDir, 'switchboard.db') });
    closers.push(() => reportRunner.close());
    registerReportRoutes(app, {
      auth: storage.authService,
      runner: reportRunner,
      timeZone: config.ivr.timeZone,
      queueKpi,
      file: join(config.dataDir, 'switchboard.db'), // the call detail export (report-export-routes.ts)
    });
    registerClassicReportRoutes(app, { auth: storage.authService, runner: reportRunner, timeZone: config.ivr.timeZone, queueKpi });
    // QA sampling and scoring (docs/recording.md, "Quality (QA)"), and its daily sampling run.
    const qa = QaRepository.onConnection(storage.sqlite, clock);
    registerQaRoutes(app, { qa, audit: storage.repos.audit, auth: storage.authService });
    closers.push(scheduleQaSampling(qa, clock, log.child({ component: 'qa' })));
    registerConsoleRoutes(app); // the web console at /console/ (docs/console.md)

    const gateway = new WsGateway({
      auth: storage.auth,
      services: { directory, presence, calls, callControl, routing, queueStats, audit: storage.audit, pbx, clock, log, ivr: ivr.runtime, recording: recording.capture },
      hub,
      log: log.child({ component: 'ws' }),
      resumeGraceMs: config.resumeGraceS * 1000,
      pingIntervalMs: config.wsPingS * 1000,
      memoryBudgetBytes: config.wsBufferBudgetMiB * 1024 * 1024,
      sessions: storage.sessions,
      previousRunEnd: storage.previousRunEnd,
      // Group commit: frames wait for the turn's commit, answers commit first (docs/storage.md).
      ...(config.dbGroupCommit ? { commit: { barrier: () => storage.barrier(), defer: opts.groupCommitDefer ?? ((fn: () => void) => void setImmediate(fn)) } } : {}),
    });
    gateway.attach(app.server);
    watchDaemon(metrics, { directory, routing, calls, presence, hub, gateway, pbx, writes: () => storage.writes(), clock });
    registerMetricsRoutes(app, { token: config.metricsToken, contentType: metrics.contentType, scrape: () => metrics.scrape() });
    // Closers run last-in first-out: the WebSocket sockets go before the HTTP server, whose
    // close() would otherwise wait for the upgraded sockets it still counts.
    closers.push(() => app.close());
    closers.push(() => gateway.close());

    // What the previous run left (docs/operations.md, "Restarts"): agents stay signed in, calls in
    // progress wait for the switch's first snapshot to say which are still up.
    const restored = storage.signedInAtLastStop.filter((r) => presence.restore(r.agent, r.extension, r.prior)).length;
    if (restored) log.info({ agents: restored }, 'agents signed in before the restart kept signed in (notReady until their session resumes)');
    calls.restore(storage.openCalls, storage.previousRunEnd);
    updateMonitors();
    closers.push(async () => {
      // Calls in progress keep their open rows: the next start takes them back (same callId).
      await pbx.close();
      const signedIn = [...presence.signedIn()].filter(([, st]) => st.state !== 'loggedOut' && st.extension).map(([agent, st]) => ({ agent, extension: st.extension! }));
      storage.shutdown(clock.now(), signedIn);
    });
    await pbx.start();

    const address = await app.listen({ port: config.port, host: config.host });
    const port = app.server.address() && typeof app.server.address() === 'object' ? (app.server.address() as { port: number }).port : config.port;
    const hostForUrl = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    log.info({ address, pbx: pbx.linkUp ? 'up' : 'down' }, 'switchboard listening');

    return {
      config,
      url: `http://${hostForUrl}:${port}`,
      wsUrl: `ws://${hostForUrl}:${port}/ws`,
      port,
      log,
      sim: sim ? { controlPort: sim.controlPort, cstaPort: sim.cstaPort } : null,
      app,
      pbx,
      storage,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
