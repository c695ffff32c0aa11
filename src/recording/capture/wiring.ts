/**
 * The recording policies and capture in the daemon (docs/recording.md, "Policies", "Capture"):
 * the repositories on the daemon's connection, the demo policies, the capture service listening to
 * calls and to the switch, and the admin routes of the policies.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { recordingDirs, type Config } from '../../config.ts';
import type { PbxPort } from '../../core/pbx-port.ts';
import { registerRecordingPolicyRoutes } from '../../http/admin/recording-policies.ts';
import type { CallService } from '../../services/call-service.ts';
import type { Directory } from '../../services/directory.ts';
import type { Clock, Notifier, Timers } from '../../services/ports.ts';
import type { PresenceService } from '../../services/presence-service.ts';
import { seedDemoRecordingPolicies } from '../../storage/demo-seed.ts';
import { RecordingPoliciesRepository } from '../../storage/repositories/recording-policies.ts';
import type { Storage } from '../../wiring/storage.ts';
import type { RecordingPolicy } from '../policies/decide.ts';
import { RecordingCapture } from './capture-service.ts';
import { FileMover } from './file-mover.ts';

export interface RecordingCaptureWiring {
  capture: RecordingCapture;
  policies: RecordingPoliciesRepository;
  registerHttp(app: FastifyInstance): Promise<void>;
  close(): Promise<void>;
}

export function startRecordingCapture(d: {
  config: Readonly<Config>;
  storage: Storage;
  pbx: PbxPort;
  calls: CallService;
  directory: Directory;
  presence: PresenceService;
  notifier: Notifier;
  clock: Clock;
  timers: Timers;
  log: Logger;
}): RecordingCaptureWiring {
  const policies = RecordingPoliciesRepository.onConnection(d.storage.sqlite, d.clock);
  if (d.config.demo && seedDemoRecordingPolicies(policies, d.storage.repos).seeded) d.log.info('demo recording policies loaded (embedded-default.md v2)');
  let cached: readonly RecordingPolicy[] = policies.list();
  const agentsOn = (call: { connections: Map<string, unknown> }) => [...call.connections.keys()].map((dev) => d.presence.agentAt(dev)).filter((a): a is string => a !== undefined);
  const files = new FileMover({ onError: (err) => d.log.error({ err }, 'recording file mover failed; starting another') });
  const capture = new RecordingCapture({
    pbx: d.pbx,
    calls: { subscribe: (l) => d.calls.subscribe(l), get: (id) => d.calls.get(id), pbxIdAt: (call) => d.calls.tracker.pbxIdAt(call) },
    deviceKind: (dev) => d.directory.deviceKind(dev),
    extensionOf: (agentId, call) => [...call.connections.keys()].find((dev) => d.presence.agentAt(dev) === agentId) ?? null,
    agentsOn,
    policies: () => cached,
    writes: d.storage.recordings,
    notify: (event, data, users) => d.notifier.publish(event, data, { users }),
    clock: d.clock,
    timers: d.timers,
    log: d.log,
    newId: () => randomUUID(),
    recordingsDir: recordingDirs(d.config).hot,
    files,
    pauseMaxMs: d.config.recordingPauseMaxS * 1000,
  });
  capture.attach();
  return {
    capture,
    policies,
    registerHttp: (app) =>
      registerRecordingPolicyRoutes(app, {
        policies,
        audit: d.storage.repos.audit,
        auth: d.storage.authService,
        transaction: (fn) => d.storage.repos.transaction(fn),
        onChanged: () => {
          cached = policies.list();
        },
      }),
    close: async () => {
      await capture.close();
      await files.close();
    },
  };
}
