/**
 * Wiring of the IVR: the flows folder (registry with versions), speech, the runtime on the
 * switch's IVR ports with its requests and departures, and the queue announcer. Everything the
 * runtime needs of the rest of the daemon is passed in here as plain functions.
 */
import { resolve as resolvePath } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { PbxPort } from '../core/pbx-port.ts';
import type { TrackedCall } from '../core/calls/call.ts';
import type { CallControl } from '../services/call-control.ts';
import type { CallService } from '../services/call-service.ts';
import type { Directory } from '../services/directory.ts';
import type { PresenceService } from '../services/presence-service.ts';
import type { CustomerLookup, Timers } from '../services/ports.ts';
import type { RoutingService } from '../services/routing-service.ts';
import { watch, type FSWatcher } from 'node:fs';
import { FlowRegistry, type ReloadSummary } from '../ivr/flow/registry.ts';
import { flowServices } from '../ivr/flow/acd-services.ts';
import type { PlayItem, RequestValue } from '../ivr/engine/types.ts';
import { createSpeech } from '../ivr/speech/index.ts';
import { QueueAnnouncer } from '../ivr/runtime/announcer.ts';
import { Departures } from '../ivr/runtime/departures.ts';
import { IvrRuntime } from '../ivr/runtime/ivr-runtime.ts';
import { IvrRequests, type PhoneReplayPort, type VoicemailRecord } from '../ivr/runtime/requests.ts';
import type { PromptSource, ResolvedItem } from '../ivr/runtime/voice.ts';
import type { IvrStatEvent } from '../ivr/statistics/types.ts';

export interface IvrWiringDeps {
  config: Readonly<Config>;
  pbx: PbxPort;
  directory: Directory;
  calls: CallService;
  callControl: CallControl;
  routing: RoutingService;
  presence: PresenceService;
  customers: CustomerLookup;
  customerByPhone(phone: string): RequestValue;
  query(name: string, params: Record<string, string>): RequestValue;
  hoursOpen(schedule: string, now: number): boolean;
  storeVoicemail(v: VoicemailRecord): void;
  recordStat(e: IvrStatEvent): void;
  saveCollected(row: { callId: string; flow: string; node: string; name: string; value: string; masked: boolean; at: number }): void;
  /** Replay by phone (src/recording/replay/phone-replay.ts); without it the replay nodes fail. */
  replay?: PhoneReplayPort & { fileOf(recordingId: string): string | null; played(recordingId: string, user: string, call: { callId: string; caller: string }): void };
  /** Pause or resume a call's recording (sensitive input); a call not recorded is no error. */
  pauseRecording?(callId: string, paused: boolean): Promise<void>;
  timers: Timers;
  clock: { now(): number };
  log: Logger;
}

export interface Ivr {
  registry: FlowRegistry;
  /** Reads the flows folder again (the admin API and the file watch): logs what changed and
   * prepares the new prompts. */
  reload(): Promise<ReloadSummary>;
  reloaded(summary: ReloadSummary): void;
  runtime: IvrRuntime;
  announcer: QueueAnnouncer;
  close(): Promise<void>;
}

export async function buildIvr(d: IvrWiringDeps): Promise<Ivr> {
  const log = d.log;
  const { ivr } = d.config;
  d.directory.setIvrPorts(ivr.ports);

  const registry = new FlowRegistry({ now: () => d.clock.now() });
  try {
    await registry.loadDir(ivr.flowsDir);
  } catch (err) {
    log.warn({ flowsDir: ivr.flowsDir, err: (err as Error).message }, 'IVR flows folder cannot be read; no flow is served (POST /api/v1/ivr/flows/reload once it is there)');
  }
  for (const f of registry.list()) {
    if (f.status === 'ok') log.info({ flow: f.id, version: f.version, file: f.file }, 'IVR flow loaded');
    else log.warn({ flow: f.id, file: f.file, problems: f.problems.map((p) => p.message) }, 'IVR flow refused');
  }

  const speech = createSpeech({ dataDir: d.config.dataDir, ...(ivr.promptsDir ? { promptsDir: ivr.promptsDir } : {}), logger: log.child({ component: 'speech' }) });
  const source: PromptSource = {
    async resolve(item: PlayItem): Promise<ResolvedItem> {
      if (item.kind === 'tone') return { message: `tone:${item.tone}` };
      if (item.kind === 'recording') {
        // Replay by phone: the recording's file where it is now (hot or archive tier).
        const path = d.replay?.fileOf(item.recordingId) ?? null;
        if (!path) throw new Error(`the file of recording ${item.recordingId} is missing`);
        return { message: `file:${path}` };
      }
      if (item.kind === 'prompt' && item.file) return { message: `file:${resolvePath(ivr.flowsDir, item.file)}`, text: item.text, lang: item.lang };
      const r = await speech.resolver.resolve(item.kind === 'prompt' ? { promptId: item.promptId, text: item.text, lang: item.lang } : { text: item.text, lang: item.lang });
      return { message: r.message, text: r.text, lang: r.lang };
    },
  };

  const announcer = new QueueAnnouncer({
    pbx: d.pbx,
    speech: source,
    estimate: (callId) => {
      const est = d.routing.waitEstimate(callId);
      return est ? { position: est.position, estimatedWaitS: est.estimatedWaitS ?? null } : null;
    },
    timers: d.timers,
    timeScale: ivr.timeScale,
    log: log.child({ component: 'queue-announcer' }),
  });

  const setCallData = (callId: string, data: Record<string, string>) => {
    const call = d.calls.get(callId);
    if (!call) return;
    const merged = mergeDotted(call.callData, data);
    try {
      d.callControl.setData('ivr', callId, merged, true);
    } catch (err) {
      log.warn({ callId, err: (err as Error).message }, 'IVR call data not set');
    }
  };

  const departures = new Departures({
    pbx: d.pbx,
    queueDevice: (queueId) => d.directory.queue(queueId)?.queueDevice ?? null,
    setPriority: (callId, priority, service) => {
      const call = d.calls.get(callId);
      if (!call) return;
      call.priority = priority;
      call.service = service;
      if (!call.customer && call.from) call.customer = d.customers.findByPhone(call.from);
    },
    setCallData,
    returnDevice: (agent) => returnDevice(d, agent),
    announcer,
    log: log.child({ component: 'ivr' }),
  });

  const requests = new IvrRequests({
    pbx: d.pbx,
    customerByPhone: d.customerByPhone,
    query: d.query,
    hoursOpen: d.hoursOpen,
    storeVoicemail: d.storeVoicemail,
    clock: d.clock,
    log: log.child({ component: 'ivr' }),
    ...(d.replay ? { replay: d.replay } : {}),
  });

  const runtime = new IvrRuntime({
    pbx: d.pbx,
    flows: { get: (id) => registry.get(id) },
    speech: source,
    requests,
    departures,
    stats: { record: d.recordStat },
    collected: { save: d.saveCollected },
    callOf: (pbxCallId) => d.calls.tracker.byPbx(pbxCallId) as TrackedCall | undefined,
    setCallData,
    clock: d.clock,
    timers: d.timers,
    log: log.child({ component: 'ivr' }),
    ports: ivr.ports,
    timeScale: ivr.timeScale,
    timeZone: ivr.timeZone,
    ...(d.replay ? { replayed: (id: string, user: string, call: { callId: string; caller: string }) => d.replay!.played(id, user, call) } : {}),
    ...(d.pauseRecording ? { pauseRecording: d.pauseRecording } : {}),
  });
  runtime.attach();
  // The ACD's fallbacks into flows: `ivr:<flow>` runs that flow, `voicemail:<mailbox>` the flow
  // `voicemail` (whose voicemail node names the mailbox), each on a port reserved for the call.
  d.routing.useFlowPorts((call, target) => {
    const flow = target.kind === 'ivr' ? target.flow : target.kind === 'voicemail' ? 'voicemail' : null;
    return flow ? runtime.reserveFor(d.calls.tracker.pbxIdAt(call), flow) : null;
  });

  // Prompts rendered once at start, so that the first caller does not wait for speech. A stop
  // waits for the render under way (nothing is written into DATA_DIR after close).
  let closed = false;
  let warming: Promise<void> = Promise.resolve();
  const warm = () => {
    warming = warming.then(() => warmPrompts(registry, source, log, () => closed));
  };
  warm();

  // Queue nodes with skills of their own are business services of the ACD (src/ivr/flow/acd-services.ts).
  let servicesKey = '[]';
  const publishServices = () => {
    const defs = registry.list().flatMap((f) => registry.get(f.id)?.def ?? []);
    const { services, warnings } = flowServices(defs);
    for (const w of warnings) log.warn(w);
    const key = JSON.stringify(services);
    if (key === servicesKey) return;
    servicesKey = key;
    d.routing.setExtraServices(services);
    log.info({ services: services.map((s) => s.dialled) }, 'IVR queue nodes with their own skills published to the ACD');
  };
  publishServices();

  const reloaded = (summary: ReloadSummary) => {
    for (const f of registry.list()) {
      if (summary.changed.includes(f.id)) log.info({ flow: f.id, version: f.version, file: f.file }, 'IVR flow published');
      if (summary.refused.includes(f.id)) log.warn({ flow: f.id, file: f.file, servingVersion: f.version, problems: f.problems.filter((p) => p.severity === 'error').map((p) => p.message) }, 'IVR flow refused; the last good version keeps serving');
      if (summary.removed.includes(f.id)) log.warn({ flow: f.id, file: f.file, servingVersion: f.version }, 'IVR flow file removed; its last version keeps serving');
    }
    if (summary.changed.length) {
      warm();
      publishServices();
    }
  };
  const reload = async () => {
    const summary = await registry.reload();
    reloaded(summary);
    return summary;
  };

  // A file watch publishes edits without a restart (debounced: editors write in several steps).
  let watcher: FSWatcher | null = null;
  let debounce: unknown = null;
  if (ivr.watch) {
    try {
      watcher = watch(ivr.flowsDir, () => {
        d.timers.clearTimeout(debounce);
        debounce = d.timers.setTimeout(() => {
          reload().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'IVR flows reload failed'));
        }, 300);
      });
      watcher.on('error', (err) => log.warn({ err: err.message }, 'IVR flows folder watch stopped'));
    } catch (err) {
      log.warn({ flowsDir: ivr.flowsDir, err: (err as Error).message }, 'IVR flows folder not watched; use POST /api/v1/ivr/flows/reload');
    }
  }

  return {
    registry,
    runtime,
    announcer,
    reload,
    reloaded,
    async close() {
      closed = true;
      watcher?.close();
      d.timers.clearTimeout(debounce);
      runtime.close();
      announcer.close();
      await warming;
      await speech.renderer.idle();
    },
  };
}

/** A returning caller goes to the agent's phone when the agent is signed in and on no call, else
 * to the agent's first queue (where the router offers it like any waiting call). */
function returnDevice(d: IvrWiringDeps, agent: string): string | null {
  const status = d.presence.status(agent);
  const busy = status.state === 'loggedOut' || !status.extension || d.calls.callsAtDevice(status.extension).length > 0;
  if (!busy && status.extension) return status.extension;
  const firstQueue = d.directory.agent(agent)?.queues[0];
  return firstQueue ? (d.directory.queue(firstQueue)?.queueDevice ?? null) : null;
}

/** `{"ivr.verify.result": "passed"}` into `{ivr: {verify: {result: "passed"}}}`, over the data the
 * call already has (an object; anything else is kept under `data`). */
export function mergeDotted(existing: unknown, dotted: Record<string, string>): Record<string, unknown> {
  const base: Record<string, unknown> = existing && typeof existing === 'object' && !Array.isArray(existing) ? structuredClone(existing as Record<string, unknown>) : existing === undefined || existing === null ? {} : { data: existing };
  for (const [key, value] of Object.entries(dotted)) {
    const parts = key.split('.');
    let at = base;
    for (const part of parts.slice(0, -1)) {
      const next = at[part];
      if (!next || typeof next !== 'object' || Array.isArray(next)) at[part] = {};
      at = at[part] as Record<string, unknown>;
    }
    at[parts[parts.length - 1]!] = value;
  }
  return base;
}

async function warmPrompts(registry: FlowRegistry, source: PromptSource, log: Logger, stopped: () => boolean): Promise<void> {
  let n = 0;
  for (const status of registry.list()) {
    if (stopped()) return;
    const flow = registry.get(status.id);
    if (!flow) continue;
    for (const [promptId, prompt] of Object.entries(flow.def.prompts)) {
      for (const lang of flow.def.languages) {
        const t = prompt[lang];
        if (t === undefined || stopped()) continue;
        const text = typeof t === 'string' ? t : t.file === undefined ? t.text : undefined;
        if (text === undefined) continue;
        try {
          await source.resolve({ kind: 'prompt', promptId, lang: typeof t === 'object' && t.lang ? t.lang : lang, text });
          n++;
        } catch {
          // logged by the resolver
        }
      }
    }
  }
  log.info({ prompts: n }, 'IVR prompts ready');
}
