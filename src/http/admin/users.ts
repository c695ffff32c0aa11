/**
 * /users: accounts with roles. Passwords are write-only (set on create or by PATCH, never
 * returned). Disabling a user or changing its password ends its sessions. The last enabled admin
 * cannot be disabled, demoted or deleted (CONFLICT), so the centre never locks itself out.
 */
import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../../auth/password.ts';
import { conflict, notFound } from '../../core/errors.ts';
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
      const passwordHash = await hashPassword(pw, repos.scrypt);
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
      if (!repos.users.findById(req.params.id)) notFoundUser(req.params.id);
      const passwordHash = pw === undefined ? undefined : await hashPassword(pw, repos.scrypt);
      return ctx.mutate(req, 'user', 'update', () => {
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
    },
  );

  app.delete<{ Params: IdParams }>('/users/:id', { schema: { params: idParam } }, async (req, reply) => {
    await ctx.mutate(req, 'user', 'delete', () => {
      const u = repos.users.findById(req.params.id) ?? notFoundUser(req.params.id);
      repos.users.delete(u.id);
      assertAdminRemains(ctx);
      return { result: u, audit: { action: 'user.delete', target: u.username, details: { id: u.id, roles: u.roles } } };
    });
    return reply.status(204).send();
  });
}

function notFoundUser(id: number): never {
  throw notFound(`no user ${id}`);
}

/** Inside the change's transaction: throwing rolls the change back. */
function assertAdminRemains(ctx: AdminContext): void {
  if (ctx.repos.users.countWithRole('admin') === 0) throw conflict('this would leave no enabled admin');
}
