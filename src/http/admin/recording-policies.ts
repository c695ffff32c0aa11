/**
 * /api/v1/admin/recording-policies (docs/admin-api.md, "Recording policies"): CRUD of the
 * recording policies (recording/policies/decide.ts). Admins only; request bodies are closed
 * schemas; every change writes the audit log in the same transaction, bumps the policy's version,
 * and is applied to calls established from then on (`onChanged`).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AuthService } from '../../auth/auth-service.ts';
import { badRequest, notFound } from '../../core/errors.ts';
import type { AuditRepository } from '../../storage/repositories/audit.ts';
import type { NewRecordingPolicy, RecordingPoliciesRepository, RecordingPolicyPatch, StoredRecordingPolicy } from '../../storage/repositories/recording-policies.ts';
import { RECORDING_POLICY_MODES } from '../../storage/schema.ts';
import { errorHandler, notFoundHandler } from '../http-errors.ts';
import { authenticate, requireRole } from './guard.ts';
import { closed, idParam, int, number, patchOf, queueId, str, username } from './schemas.ts';

export interface RecordingPolicyRoutesOptions {
  policies: RecordingPoliciesRepository;
  audit: Pick<AuditRepository, 'append'>;
  auth: AuthService;
  transaction<T>(fn: () => T): T;
  /** The policies changed: the capture re-reads them. */
  onChanged(): void;
}

const list = (items: object) => ({ type: 'array', maxItems: 1000, uniqueItems: true, items });
const fields = {
  name: str(1, 128),
  mode: { type: 'string', enum: [...RECORDING_POLICY_MODES] },
  /** Numbers or prefixes (digits, * # +), matched against the caller and the callee. */
  numbers: list(number),
  agents: list(username),
  /** Queue ids or pilot numbers (or an IVR business service `ivr:<flow>/<node>`). */
  services: list({ anyOf: [queueId, number, str(1, 200, '^ivr:[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$')] }),
  samplePercent: int(0, 100),
  priority: int(0, 1_000_000),
  enabled: { type: 'boolean' },
};

type Params = { id: number };

export const recordingPolicyRoutes: FastifyPluginAsync<RecordingPolicyRoutesOptions> = async (app, opts) => {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  const actors = new WeakMap<object, string>();
  app.addHook('onRequest', async (req) => {
    const user = authenticate(req, opts.auth);
    requireRole(user, 'admin');
    actors.set(req, user.username);
  });
  const { policies } = opts;
  const mutate = <T>(req: object, action: string, target: (r: T) => string, details: unknown, change: () => T): T => {
    const actor = actors.get(req) ?? 'unknown';
    const out = opts.transaction(() => {
      const r = change();
      opts.audit.append({ actor, action, target: target(r), details });
      return r;
    });
    opts.onChanged();
    return out;
  };

  app.get('/', async () => ({ items: policies.list() }));

  app.get<{ Params: Params }>('/:id', { schema: { params: idParam } }, async (req) => policies.get(req.params.id) ?? missing(req.params.id));

  app.post<{ Body: NewRecordingPolicy }>('/', { schema: { body: closed(fields, ['name', 'mode']) } }, async (req, reply) => {
    checkTargets(req.body);
    const p = mutate(req, 'recordingPolicy.create', (r: StoredRecordingPolicy) => String(r.id), req.body, () => policies.create(req.body, actors.get(req) ?? 'unknown'));
    return reply.status(201).send(p);
  });

  app.patch<{ Params: Params; Body: RecordingPolicyPatch }>('/:id', { schema: { params: idParam, body: patchOf(fields) } }, async (req) => {
    const before = policies.get(req.params.id) ?? missing(req.params.id);
    checkTargets({ ...before, ...req.body });
    return mutate(req, 'recordingPolicy.update', () => String(req.params.id), req.body, () => policies.update(req.params.id, req.body, actors.get(req) ?? 'unknown') ?? missing(req.params.id));
  });

  app.delete<{ Params: Params }>('/:id', { schema: { params: idParam } }, async (req, reply) => {
    mutate(req, 'recordingPolicy.delete', () => String(req.params.id), undefined, () => policies.delete(req.params.id) || missing(req.params.id));
    return reply.status(204).send();
  });
};

/** A mode that names targets needs at least one (`numbers`, `agents`, `services`). */
function checkTargets(p: Partial<NewRecordingPolicy>): void {
  const need = p.mode === 'numbers' ? 'numbers' : p.mode === 'agents' ? 'agents' : p.mode === 'services' ? 'services' : null;
  if (need && (p[need]?.length ?? 0) === 0) throw badRequest(`a policy of mode ${p.mode} needs at least one entry in ${need}`, { field: need, reason: 'EMPTY_TARGETS' });
}

function missing(id: number): never {
  throw notFound(`no recording policy ${id}`);
}

export const RECORDING_POLICIES_PREFIX = '/api/v1/admin/recording-policies';

export async function registerRecordingPolicyRoutes(app: FastifyInstance, opts: RecordingPolicyRoutesOptions): Promise<void> {
  await app.register(recordingPolicyRoutes, { ...opts, prefix: RECORDING_POLICIES_PREFIX });
}
