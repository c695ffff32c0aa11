/**
 * /users: accounts with roles. Passwords are write-only (set on create or by PATCH, never
 * returned). Disabling a user or changing its password ends its sessions (tokens revoked); once the
 * change is committed, disabling, deleting, a new password or new roles are published to the auth
 * service's subscribers, and the WebSocket gateway closes the user's live sessions (4003). The
 * last enabled admin cannot be disabled, demoted or deleted (CONFLICT), so the centre never locks
 * itself out.
 */
import type { FastifyInstance } from 'fastify';
import { conflict, notFound } from '../../core/errors.ts';
import type { User } from '../../storage/repositories/users.ts';
import type { Role } from '../../storage/schema.ts';
import type { AdminContext } from './admin-context.ts';
import { closed, displayName, idParam, password, patchOf, roles, username } from './schemas.ts';

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
