/**
 * The IVR's storage side, built with the rest of storage (wiring/storage.ts) and exposed as
 * `storage.ivr`: everything the IVR engine calls through ports, synchronously, and the HTTP routes
 * on that data.
 *
 * - `queries.run(name, params)`: named read-only queries (customerByPhone, customerByNumber);
 * - `schedules`: the business-hours ScheduleBook, loaded at start and kept current by the admin
 *   API's PUT (`schedules.isOpen('main', now)`);
 * - `voicemail.store({...})`: the row, and its webhooks (durable outbox, retried);
 * - `collected.insert({...})`: a value the caller keyed, through the history write queue;
 * - `stats.record(event)`: statistics events, batched, one transaction per batch, through the
 *   history write queue.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/auth-service.ts';
import type { Config } from '../config.ts';
import { ScheduleBook } from '../ivr/business-hours/index.ts';
import { IvrEventBatcher } from '../ivr/statistics/batcher.ts';
import type { IvrStatsSink } from '../ivr/statistics/types.ts';
import { registerIvrAdminRoutes } from '../http/ivr-admin-routes.ts';
import { registerVoicemailAudioRoutes } from '../http/voicemail-audio-routes.ts';
import { registerVoicemailRoutes } from '../http/voicemail-routes.ts';
import { PlayUrlSigner } from '../recording/playback/signed-url.ts';
import type { Clock, Timers } from '../services/ports.ts';
import { VoicemailService } from '../services/voicemail-service.ts';
import { WebhookNotifier } from '../services/webhook-notifier.ts';
import { DEMO_SCHEDULES } from '../storage/demo-seed.ts';
import type { HistoryWrite } from '../storage/history-writes.ts';
import { ivrQueries, type IvrQueries } from '../storage/repositories/ivr-queries.ts';
import type { IvrCollected } from '../storage/repositories/ivr-collected.ts';
import type { Repositories } from '../storage/repositories/index.ts';

export interface IvrStorage {
  queries: IvrQueries;
  schedules: ScheduleBook;
  voicemail: VoicemailService;
  collected: { insert(entry: IvrCollected): void };
  stats: IvrStatsSink & { flush(): void };
  notifier: WebhookNotifier;
  registerHttp(app: FastifyInstance, auth: AuthService): void;
  close(): Promise<void>;
}

export interface IvrStorageDeps {
  config: Readonly<Config>;
  repos: Repositories;
  /** The history write queue. */
  submit(w: HistoryWrite): void;
  clock: Clock;
  timers: Timers;
  log: Logger;
}

export function openIvrStorage(d: IvrStorageDeps): IvrStorage {
  const { repos } = d;
  // The demo's `main` schedule also for a demo database seeded before schedules existed.
  if (d.config.demo) for (const s of DEMO_SCHEDULES) if (repos.ivrSchedules.ensure(s.id, s.schedule, 'system')) d.log.info({ schedule: s.id }, 'demo business-hours schedule created');
  const schedules = new ScheduleBook();
  schedules.reload(repos.ivrSchedules);
  const notifier = new WebhookNotifier({ outbox: repos.webhookDeliveries, urls: d.config.voicemailWebhooks, clock: d.clock, timers: d.timers, log: d.log.child({ component: 'webhooks' }) });
  notifier.start();
  const voicemail = new VoicemailService({ voicemails: repos.voicemails, notifier, transaction: (fn) => repos.transaction(fn) });
  const stats = new IvrEventBatcher({ submit: (events) => d.submit({ kind: 'ivrEvents', events }), timers: d.timers, log: d.log.child({ component: 'ivr-stats' }) });
  return {
    queries: ivrQueries({ customers: repos.customers }),
    schedules,
    voicemail,
    collected: { insert: (entry) => d.submit({ kind: 'ivrCollected', entry: { ...entry } }) },
    stats,
    notifier,
    registerHttp(app, auth) {
      registerIvrAdminRoutes(app, { repos, auth, schedules, clock: d.clock });
      registerVoicemailRoutes(app, { repos, auth });
      // Play URLs for an <audio> element, signed like the recordings' (same secret when configured).
      registerVoicemailAudioRoutes(app, { repos, auth, clock: d.clock, signer: new PlayUrlSigner(d.config.recordingUrlSecret ?? undefined) });
    },
    async close() {
      stats.close();
      await notifier.close();
    },
  };
}
