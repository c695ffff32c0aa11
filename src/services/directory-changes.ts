/**
 * An admin change (docs/admin-api.md: `{entity, action, id}` after the commit) applied to what
 * the daemon holds in memory, reading back only what it touched:
 *
 * - a user or an agent: that agent's record alone; the router configures that agent alone, and
 *   the switch monitors change only if its phone did;
 * - a queue, a pilot number or a skill: the directory is read whole (a handful of queries) because
 *   which agents serve which queue follows from skills; the router rebuilds its queue
 *   configuration and configures again only the agents whose own record changed with it;
 * - a team: the shift rules alone;
 * - a customer: nothing (customers are looked up per call).
 *
 * Before, every change re-read everything and configured every agent again in the router: an
 * edit of one agent cost O(agents), and with thousands of agents that is felt on the event loop.
 */
import type { Logger } from 'pino';
import type { Directory, DirectoryAgent, DirectoryData } from './directory.ts';

export type DirectoryEntity = 'user' | 'agent' | 'skill' | 'queue' | 'pilot' | 'team' | 'customer';

export interface DirectoryChangeNote {
  entity: DirectoryEntity;
  action: 'create' | 'update' | 'delete';
  /** The changed record's key: a username for users and agents. */
  id: string;
}

export interface DirectoryChangeDeps {
  directory: Directory;
  loadAgent(username: string): DirectoryAgent | null;
  loadDirectory(): DirectoryData;
  routing: {
    /** One agent's record changed (or it is gone). */
    agentChanged(username: string): void;
    /** Queues, pilots or skills changed; `agents`: whose own record changed with them. */
    queuesChanged(agents: readonly string[]): void;
  };
  /** The teams' shift rules are read again (a team changed, or an agent changed team). */
  reloadShiftRules(): void;
  /** The switch monitors follow agents' phones, queue devices and pilots. */
  updateMonitors(): void;
  log: Logger;
}

export type DirectoryChangeScope = 'none' | 'agent' | 'queues' | 'teams';

/** Applies the change; returns what was read again (for the log and tests). */
export function applyDirectoryChange(change: DirectoryChangeNote, d: DirectoryChangeDeps): DirectoryChangeScope {
  switch (change.entity) {
    case 'customer':
      return 'none';
    case 'team':
      d.reloadShiftRules();
      d.log.info({ ...change }, 'directory change applied: team rules');
      return 'teams';
    case 'user':
    case 'agent': {
      const before = d.directory.agent(change.id);
      const record = d.loadAgent(change.id);
      if (record) d.directory.upsertAgent(record);
      else d.directory.removeAgent(change.id);
      d.routing.agentChanged(change.id);
      if ((before?.team ?? null) !== (record?.team ?? null)) d.reloadShiftRules();
      if ((before?.defaultExtension ?? null) !== (record?.defaultExtension ?? null)) d.updateMonitors();
      d.log.info({ ...change, inDirectory: record !== null }, 'directory change applied: one agent');
      return 'agent';
    }
    case 'queue':
    case 'pilot':
    case 'skill': {
      const changed = d.directory.load(d.loadDirectory());
      d.routing.queuesChanged(changed);
      d.updateMonitors();
      d.log.info({ ...change, agentsChanged: changed.length }, 'directory change applied: queues');
      return 'queues';
    }
  }
}
