/**
 * /users: accounts with roles. Passwords are write-only (set on create or by PATCH, never
 * returned). Disabling a user or changing its password ends its sessions (tokens revoked); once the
 * change is committed, disabling, deleting, a new password or new roles are published to the auth
 * service's subscribers, and the WebSocket gateway closes the user's live sessions (4003). The
 * last enabled admin cannot be disabled, demoted or deleted (CONFLICT), so the centre never locks
 * itself out.
 */
import type { FastifyInstance } from 'fastify';
import { conflict, invalidState, notFound } from '../../core/errors.ts';
import type { User } from '../../storage/repositories/users.ts';
import type { Role } from '../../storage/schema.ts';
import type { AdminContext } from './admin-context.ts';
import { closed, displayName, idParam, password, patchOf, roles, str, username } from './schemas.ts';

interface CreateUser {
  username: string;
  displayName: string;
  password: string;
  roles: Role[];
  disabled?: boolean;
}

interface PatchUser {
  displayName?: string;
  roles?: Role[];
  disabled?: boolean;
  password?: string;
}

type IdParams = { id: number };

/** Who may replay recordings by phone (shared/spec/recordings.md: the readers of recordings). */
export const PHONE_REPLAY_ROLES: readonly Role[] = ['qa', 'supervisor', 'admin'];

export function userRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { repos } = ctx;

  app.get('/users', async () => ({ items: repos.users.list() }));

  app.get<{ Params: IdParams }>('/users/:id', { schema: { params: idParam } }, async (req) => {
    return repos.users.findById(req.params.id) ?? notFoundUser(req.params.id);
  });

  app.post<{ Body: CreateUser }>(
    '/users',
    { schema: { body: closed({ username, displayName, password, roles, disabled: { type: 'boolean' } }, ['username', 'displayName', 'password', 'roles']) } },
    async (req, reply) => {
      const { password: pw, ...rest } = req.body;
      if (repos.users.findByUsername(rest.username)) throw conflict(`username ${rest.username} is taken`);
      const passwordHash = await ctx.opts.auth.hashPassword(pw, repos.scrypt);
      const user = await ctx.mutate(req, 'user', 'create', () => {
        const u = repos.users.createWithHash({ ...rest, passwordHash });
        return { result: u, audit: { action: 'user.create', target: u.username, details: { id: u.id, roles: u.roles, disabled: u.disabled } } };
      });
      return reply.status(201).send(user);
    },
  );

  app.patch<{ Params: IdParams; Body: PatchUser }>(
    '/users/:id',
    { schema: { params: idParam, body: patchOf({ displayName, roles, disabled: { type: 'boolean' }, password }) } },
    async (req) => {
      const { password: pw, ...patch } = req.body;
      const before = repos.users.findById(req.params.id) ?? notFoundUser(req.params.id);
      const passwordHash = pw === undefined ? undefined : await ctx.opts.auth.hashPassword(pw, repos.scrypt);
      const after = await ctx.mutate(req, 'user', 'update', () => {
        const u = Object.keys(patch).length > 0 ? repos.users.update(req.params.id, patch) : repos.users.findById(req.params.id);
        if (!u) return notFoundUser(req.params.id);
        assertAdminRemains(ctx);
        if (passwordHash !== undefined) repos.users.setPasswordHash(u.id, passwordHash);
        const endSessions = passwordHash !== undefined || patch.disabled === true;
        if (endSessions) repos.tokens.revokeAllForUser(u.id, repos.clock.now());
        return {
          result: repos.users.findById(u.id)!,
          audit: { action: 'user.update', target: u.username, details: { ...patch, ...(passwordHash ? { passwordChanged: true } : {}), sessionsEnded: endSessions } },
        };
      });
      publishUserChange(ctx, before, after, passwordHash !== undefined);
      return after;
    },
  );

  // Replay by phone (pilot 8009): a numeric phone id and a PIN, stored hashed like passwords. The
  // PIN is write-only; only users who may read recordings get one.
  app.put<{ Params: IdParams; Body: { phoneId: string; pin: string } }>(
    '/users/:id/phone-replay',
    { schema: { params: idParam, body: closed({ phoneId: str(3, 12, '^[0-9]+$'), pin: str(4, 12, '^[0-9]+$') }, ['phoneId', 'pin']) } },
    async (req) => {
      const u0 = repos.users.findById(req.params.id) ?? notFoundUser(req.params.id);
      if (!u0.roles.some((r) => PHONE_REPLAY_ROLES.includes(r))) throw invalidState(`replay by phone needs the ${PHONE_REPLAY_ROLES.join(', ')} role; ${u0.username} has none`);
      const other = repos.users.findPhoneCredentials(req.body.phoneId);
      if (other && other.user.id !== u0.id) throw conflict(`phone id ${req.body.phoneId} is taken`);
      const pinHash = await ctx.opts.auth.hashPassword(req.body.pin, repos.scrypt);
      return ctx.mutate(req, 'user', 'update', () => {
        if (!repos.users.setPhoneReplay(u0.id, { phoneId: req.body.phoneId, pinHash })) return notFoundUser(u0.id);
        return { result: repos.users.findById(u0.id)!, audit: { action: 'user.phoneReplay.set', target: u0.username, details: { phoneId: req.body.phoneId } } };
      });
    },
  );

  app.delete<{ Params: IdParams }>('/users/:id/phone-replay', { schema: { params: idParam } }, async (req) => {
    return ctx.mutate(req, 'user', 'update', () => {
      const u = repos.users.findById(req.params.id) ?? notFoundUser(req.params.id);
      repos.users.setPhoneReplay(u.id, null);
      return { result: repos.users.findById(u.id)!, audit: { action: 'user.phoneReplay.clear', target: u.username, details: { phoneId: u.phoneId } } };
    });
  });

  app.delete<{ Params: IdParams }>('/users/:id', { schema: { params: idParam } }, async (req, reply) => {
    const gone = await ctx.mutate(req, 'user', 'delete', () => {
      const u = repos.users.findById(req.params.id) ?? notFoundUser(req.params.id);
      repos.users.delete(u.id);
      assertAdminRemains(ctx);
      return { result: u, audit: { action: 'user.delete', target: u.username, details: { id: u.id, roles: u.roles } } };
    });
    ctx.opts.auth.publishAccessChange({ kind: 'userChanged', userId: gone.id, change: 'deleted' });
    return reply.status(204).send();
  });
}

/** After the commit: what the live sessions of the user must feel (the gateway closes them). */
function publishUserChange(ctx: AdminContext, before: User, after: User, passwordChanged: boolean): void {
  const auth = ctx.opts.auth;
  if (after.disabled && !before.disabled) auth.publishAccessChange({ kind: 'userChanged', userId: after.id, change: 'disabled' });
  else if (passwordChanged) auth.publishAccessChange({ kind: 'userChanged', userId: after.id, change: 'passwordChanged' });
  else if (!sameRoles(before.roles, after.roles)) auth.publishAccessChange({ kind: 'userChanged', userId: after.id, change: 'rolesChanged', roles: after.roles });
}

function sameRoles(a: readonly Role[], b: readonly Role[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}

function notFoundUser(id: number): never {
  throw notFound(`no user ${id}`);
}

/** Inside the change's transaction: throwing rolls the change back. */
function assertAdminRemains(ctx: AdminContext): void {
  if (ctx.repos.users.countWithRole('admin') === 0) throw conflict('this would leave no enabled admin');
}
