/**
 * What every admin route file gets: the repositories, the acting admin of a request, and
 * `mutate`, which runs a change and its audit row in one transaction and then tells the daemon to
 * reload its directory. A failing reload is logged, not reported to the client: the change is
 * committed and the next reload (or restart) picks it up.
 */
import type { FastifyRequest } from 'fastify';
import type { AuthService, AuthUser } from '../../auth/auth-service.ts';
import type { Repositories } from '../../storage/repositories/index.ts';

export type DirectoryEntity = 'user' | 'agent' | 'skill' | 'queue' | 'pilot' | 'team' | 'customer';

export interface DirectoryChange {
  entity: DirectoryEntity;
  action: 'create' | 'update' | 'delete';
  /** The changed record's key (user id, username, skill name, queue id, number, team name,
   * customer id). */
  id: string;
}

/** The daemon reloads its in-memory directory. Customer changes need no reload (looked up per
 * call) but are reported too, so the daemon can drop a cache if it keeps one. */
export type OnDirectoryChanged = (change: DirectoryChange) => void | Promise<void>;

export interface AdminRoutesOptions {
  repos: Repositories;
  auth: AuthService;
  onDirectoryChanged: OnDirectoryChanged;
}

export interface AuditNote {
  action: string;
  target: string;
  details?: unknown;
}

export class AdminContext {
  private readonly actors = new WeakMap<FastifyRequest, AuthUser>();

  constructor(readonly opts: AdminRoutesOptions) {}

  get repos(): Repositories {
    return this.opts.repos;
  }

  setActor(req: FastifyRequest, user: AuthUser): void {
    this.actors.set(req, user);
  }

  actor(req: FastifyRequest): AuthUser {
    const user = this.actors.get(req);
    if (!user) throw new Error('admin route reached without an authenticated actor');
    return user;
  }

  /**
   * Runs `change` and writes the audit row in one transaction, then reports the change.
   * `change` returns the result and the note (which may depend on the result, e.g. a new id).
   */
  async mutate<T>(req: FastifyRequest, entity: DirectoryEntity, verb: DirectoryChange['action'], change: () => { result: T; audit: AuditNote }): Promise<T> {
    const actor = this.actor(req).username;
    const { result, audit } = this.repos.transaction(() => {
      const out = change();
      this.repos.audit.append({ actor, ...out.audit });
      return out;
    });
    try {
      await this.opts.onDirectoryChanged({ entity, action: verb, id: audit.target });
    } catch (err) {
      req.log.error({ err, entity, action: verb, id: audit.target }, 'directory reload after admin change failed');
    }
    return result;
  }
}
