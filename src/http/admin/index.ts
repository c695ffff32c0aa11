/**
 * The admin API under /api/v1/admin: configuration CRUD for users, agents, skills, queues, pilot
 * numbers, teams and customers, plus the audit log. Every request needs a bearer token of an
 * `admin`; every change writes the audit log in the same transaction and calls
 * `onDirectoryChanged`.
 * Encapsulated: its error and not-found handlers apply to these routes only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, RawServerDefault } from 'fastify';
import { AdminContext, type AdminRoutesOptions } from './admin-context.ts';
import { agentRoutes } from './agents.ts';
import { auditRoutes } from './audit.ts';
import { customerRoutes } from './customers.ts';
import { authenticate, requireRole } from './guard.ts';
import { errorHandler, notFoundHandler } from '../http-errors.ts';
import { pilotRoutes } from './pilots.ts';
import { queueRoutes } from './queues.ts';
import { skillRoutes } from './skills.ts';
import { teamRoutes } from './teams.ts';
import { userRoutes } from './users.ts';

export const ADMIN_PREFIX = '/api/v1/admin';

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, opts) => {
  const ctx = new AdminContext(opts);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onRequest', async (req) => {
    const user = authenticate(req, opts.auth);
    requireRole(user, 'admin');
    ctx.setActor(req, user);
  });
  userRoutes(app, ctx);
  agentRoutes(app, ctx);
  skillRoutes(app, ctx);
  queueRoutes(app, ctx);
  pilotRoutes(app, ctx);
  teamRoutes(app, ctx);
  customerRoutes(app, ctx);
  auditRoutes(app, ctx);
};

/** Registers the admin API on `app` under /api/v1/admin. Await it before `app.ready()`/`listen()`. */
export async function registerAdminRoutes<L extends FastifyBaseLogger>(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L>, opts: AdminRoutesOptions): Promise<void> {
  // Any logger type will do (the daemon passes a pino instance); the routes only use the base
  // logger methods, which fastify's generics cannot see through, hence the widening cast.
  await (app as unknown as FastifyInstance).register(adminRoutes, { ...opts, prefix: ADMIN_PREFIX });
}

export type { AdminRoutesOptions, DirectoryChange, DirectoryEntity, OnDirectoryChanged } from './admin-context.ts';
