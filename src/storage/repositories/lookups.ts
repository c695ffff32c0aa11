/**
 * Name-to-id lookups shared by the configuration repositories: usernames of agents and queue ids,
 * each failing with BAD_REQUEST that names what is unknown, so a request that refers to missing
 * records is refused before anything is written.
 */
import { eq, inArray } from 'drizzle-orm';
import { badRequest } from '../../core/errors.ts';
import type { Db } from '../database.ts';
import { agents, queues, users } from '../schema.ts';

/** User ids of the named agents (users holding the agent role). */
export function resolveAgentIds(db: Db, usernames: readonly string[]): Map<string, number> {
  const wanted = [...new Set(usernames)];
  if (wanted.length === 0) return new Map();
  const rows = db
    .select({ username: users.username, id: users.id })
    .from(users)
    .innerJoin(agents, eq(agents.userId, users.id))
    .where(inArray(users.username, wanted))
    .all();
  const ids = new Map(rows.map((r) => [r.username, r.id]));
  const unknown = wanted.filter((n) => !ids.has(n));
  if (unknown.length > 0) throw badRequest(`unknown agent: ${unknown.join(', ')}`, { unknownAgents: unknown });
  return ids;
}

export function assertQueuesExist(db: Db, ids: readonly string[]): void {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return;
  const found = new Set(db.select({ id: queues.id }).from(queues).where(inArray(queues.id, wanted)).all().map((r) => r.id));
  const unknown = wanted.filter((q) => !found.has(q));
  if (unknown.length > 0) throw badRequest(`unknown queue: ${unknown.join(', ')}`, { unknownQueues: unknown });
}

/** The user id of an agent, or null. */
export function agentUserId(db: Db, username: string): number | null {
  const row = db
    .select({ id: users.id })
    .from(users)
    .innerJoin(agents, eq(agents.userId, users.id))
    .where(eq(users.username, username))
    .get();
  return row?.id ?? null;
}
