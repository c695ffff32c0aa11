/**
 * The control API of the simulated switch (simulator.md): HTTP+JSON for the outside world —
 * callers dialling, hanging up and pressing keys, hand-sets going off-hook and on-hook or
 * dialling — plus fault injection (link drop, restart), traffic generation and views of calls,
 * devices and links. Bodies are validated by JSON schema; every failure is a 4xx/5xx with
 * `{error: {code, message}}`.
 */
import { SIP_PROBES, SipProbeError, type SipProbe, type SipProbeResult } from '../csta/transport/sip-probes.ts';
import Fastify, { LogController, type FastifyError } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SimError } from './errors.ts';
import { FAULT_LIMITS, type FaultsView } from './faults.ts';
import { renderHeard } from './heard-audio.ts';
import type { SwitchModel } from './switch-model.ts';
import { TRAFFIC_LIMITS, type TrafficGenerator, type TrafficRequest } from './traffic.ts';
import type { VoiceUnits } from './voice-units.ts';

export interface ControlDeps {
  model: SwitchModel;
  traffic: TrafficGenerator;
  /** Voice units: the heard log, its audio, the recordings. */
  voice?: VoiceUnits;
  logger: Logger;
  links(): unknown[];
  dropLinks(): number;
  injectRaw(bytes: Buffer): number;
  /** SIP/CSTA links only: one misbehaving SIP request each, and the CTI's answers. */
  sipProbe?(probe: SipProbe): Promise<SipProbeResult[]>;
  restart(): void;
}

const NUMBER = { type: 'string', pattern: '^\\+?[0-9]{1,20}$' } as const;
const DIGITS = { type: 'string', pattern: '^[0-9*#A-Da-d]{1,64}$' } as const;
const CALL_PARAMS = { type: 'object', required: ['simCallId'], properties: { simCallId: { type: 'string', pattern: '^[0-9]{1,20}$' } } } as const;
const DEVICE_PARAMS = { type: 'object', required: ['ext'], properties: { ext: { type: 'string', minLength: 1, maxLength: 21 } } } as const;

const schemas = {
  placeCall: { body: { type: 'object', required: ['from', 'to'], properties: { from: NUMBER, to: NUMBER, callerName: { type: 'string', maxLength: 100 } } } },
  digits: { params: CALL_PARAMS, body: { type: 'object', required: ['digits'], properties: { digits: DIGITS } } },
  dial: { params: DEVICE_PARAMS, body: { type: 'object', required: ['to'], properties: { to: NUMBER } } },
  service: { params: DEVICE_PARAMS, body: { type: 'object', required: ['inService'], additionalProperties: false, properties: { inService: { type: 'boolean' } } } },
  faults: {
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        responseDelayMs: { type: 'integer', minimum: 0, maximum: FAULT_LIMITS.maxResponseDelayMs },
        snapshotFails: { type: 'array', maxItems: FAULT_LIMITS.maxDevices, items: { type: 'string', minLength: 1, maxLength: 21 } },
        monitorFails: { type: 'array', maxItems: FAULT_LIMITS.maxDevices, items: { type: 'string', minLength: 1, maxLength: 21 } },
        dropEventsPercent: { type: 'number', minimum: 0, maximum: 100 },
      },
    },
  },
  traffic: {
    body: {
      type: 'object',
      required: ['callsPerSecond', 'durationS', 'talkS', 'numbers'],
      properties: {
        callsPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: TRAFFIC_LIMITS.maxCallsPerSecond },
        durationS: { type: 'number', exclusiveMinimum: 0, maximum: TRAFFIC_LIMITS.maxDurationS },
        talkS: { type: 'number', minimum: 0, maximum: 86_400 },
        numbers: { type: 'array', minItems: 1, maxItems: 1000, items: NUMBER },
        maxWaitS: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 },
        answerAfterS: { type: 'number', minimum: 0, maximum: 3600 },
      },
    },
  },
} as const;

interface CallParams {
  simCallId: string;
}
interface DeviceParams {
  ext: string;
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

export function buildControlApi(deps: ControlDeps) {
  const { model, traffic } = deps;
  const app = Fastify({ loggerInstance: deps.logger, logController: new LogController({ disableRequestLogging: true }) });

  // `{}` bodies are optional: an empty body with a JSON content type is an empty object.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      const e = err as FastifyError;
      e.statusCode = 400;
      done(e, undefined);
    }
  });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof SimError) return reply.code(err.status).send(errorBody(err.code, err.message));
    if (err.validation) return reply.code(400).send(errorBody('BAD_REQUEST', err.message));
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody('BAD_REQUEST', err.message));
    deps.logger.error({ err }, 'control API request failed');
    return reply.code(500).send(errorBody('INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${req.url}`)));

  // --- callers
  app.post<{ Body: { from: string; to: string; callerName?: string } }>('/sim/calls', { schema: schemas.placeCall }, async (req) => ({
    simCallId: model.placeCall(req.body.from, req.body.to, req.body.callerName),
  }));
  app.get('/sim/calls', async () => ({ calls: model.calls() }));
  app.get<{ Params: CallParams }>('/sim/calls/:simCallId', { schema: { params: CALL_PARAMS } }, async (req) => model.call(req.params.simCallId));
  app.post<{ Params: CallParams; Body: { digits: string } }>('/sim/calls/:simCallId/digits', { schema: schemas.digits }, async (req) => {
    model.pressDigits(req.params.simCallId, req.body.digits);
    return {};
  });
  app.post<{ Params: CallParams }>('/sim/calls/:simCallId/hangup', { schema: { params: CALL_PARAMS } }, async (req) => {
    model.hangup(req.params.simCallId);
    return {};
  });

  // --- what callers heard, recordings (voice units)
  const heardOf = (simCallId: string) => {
    const items = deps.voice?.heard.items(simCallId);
    if (items) return items;
    if (model.core.calls.get(simCallId)) return [];
    throw new SimError('UNKNOWN_CALL', `no call ${simCallId} (live, or ended within the last 10 minutes)`);
  };
  app.get<{ Params: CallParams }>('/sim/calls/:simCallId/heard', { schema: { params: CALL_PARAMS } }, async (req) => {
    heardOf(req.params.simCallId);
    return { items: deps.voice?.heard.view(req.params.simCallId) ?? [] };
  });
  app.get<{ Params: CallParams }>('/sim/calls/:simCallId/audio', { schema: { params: CALL_PARAMS } }, async (req, reply) => {
    const wav = await renderHeard(heardOf(req.params.simCallId), model.core.clock());
    return reply.type('audio/wav').send(wav);
  });
  app.get('/sim/recordings', async () => ({ items: deps.voice?.recorder.views() ?? [] }));

  // --- hand-sets
  app.post<{ Params: DeviceParams }>('/sim/devices/:ext/offhook', { schema: { params: DEVICE_PARAMS } }, async (req) => ({ simCallId: model.offhook(req.params.ext) }));
  app.post<{ Params: DeviceParams }>('/sim/devices/:ext/onhook', { schema: { params: DEVICE_PARAMS } }, async (req) => ({ simCallIds: model.onhook(req.params.ext) }));
  app.post<{ Params: DeviceParams; Body: { to: string } }>('/sim/devices/:ext/dial', { schema: schemas.dial }, async (req) => ({ simCallId: model.dial(req.params.ext, req.body.to) }));
  app.get<{ Querystring: { active?: boolean } }>(
    '/sim/devices',
    { schema: { querystring: { type: 'object', properties: { active: { type: 'boolean' } } } } },
    async (req) => ({ devices: model.devices({ activeOnly: req.query.active === true }) }),
  );
  app.get<{ Params: DeviceParams }>('/sim/devices/:ext', { schema: { params: DEVICE_PARAMS } }, async (req) => model.device(req.params.ext));

  app.post<{ Params: DeviceParams; Body: { inService: boolean } }>('/sim/devices/:ext/service', { schema: schemas.service }, async (req) => ({
    deviceId: req.params.ext,
    inService: req.body.inService,
    changed: model.setService(req.params.ext, req.body.inService),
  }));

  // --- faults and links
  app.get('/sim/faults', async () => model.faults());
  app.post<{ Body: Partial<FaultsView> }>('/sim/faults', { schema: schemas.faults }, async (req) => model.setFaults(req.body));
  app.delete('/sim/faults', async () => model.setFaults(null));
  app.get('/sim/links', async () => ({ links: deps.links() }));
  app.post('/sim/link/drop', async () => ({ dropped: deps.dropLinks() }));
  // Fault injection: raw bytes (base64) written to every CTI link as they are, e.g. a truncated
  // frame or malformed XML, to show that the CTI skips them and keeps the link.
  app.post<{ Body: { base64: string } }>(
    '/sim/link/inject',
    { schema: { body: { type: 'object', required: ['base64'], additionalProperties: false, properties: { base64: { type: 'string', minLength: 1, maxLength: 200_000, pattern: '^[A-Za-z0-9+/=]+$' } } } } },
    async (req) => ({ links: deps.injectRaw(Buffer.from(req.body.base64, 'base64')) }),
  );
  // SIP-level fault injection (SIP/CSTA links): a request RFC 3261 says how to answer, sent in (or
  // pointedly outside) each CTI's dialog; answers { results: [{ probe, status, reason, headers }] }.
  app.post<{ Body: { probe: SipProbe } }>(
    '/sim/link/sip-probe',
    { schema: { body: { type: 'object', required: ['probe'], additionalProperties: false, properties: { probe: { type: 'string', enum: [...SIP_PROBES] } } } } },
    async (req, reply) => {
      try {
        const results = deps.sipProbe ? await deps.sipProbe(req.body.probe) : [];
        if (results.length === 0) return reply.code(409).send({ error: { code: 'NO_SIP_LINK', message: 'no CTI is linked over SIP/CSTA' } });
        return { results };
      } catch (err) {
        if (err instanceof SipProbeError) return reply.code(409).send({ error: { code: err.code, message: err.message } });
        throw err;
      }
    },
  );
  app.post('/sim/restart', async () => {
    deps.restart();
    return {};
  });

  // --- traffic
  app.post<{ Body: TrafficRequest }>('/sim/traffic', { schema: schemas.traffic }, async (req) => traffic.start(req.body));
  app.get('/sim/traffic', async () => traffic.stats());
  app.delete('/sim/traffic', async () => traffic.stop());

  app.get('/sim/health', async () => ({ status: 'ok', links: deps.links().length, calls: model.core.calls.size }));
  return app;
}

/** Listens and resolves with the bound port. */
export type ControlApi = ReturnType<typeof buildControlApi>;

export async function listenControlApi(app: ControlApi, port: number, host: string): Promise<number> {
  await app.listen({ port, host });
  return (app.server.address() as AddressInfo).port;
}
