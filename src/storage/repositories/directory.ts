/**
 * The daemon's read model of the centre: enabled agents with extension, skills and the queues
 * they serve; queues with their required skills; pilot numbers. Read at start and after every
 * admin edit (a handful of queries, whatever the size of the centre). Customers are not here:
 * they are looked up per call (CustomersRepository.findByPhone).
 *
 * An agent serves a queue when it is an explicit member, or when the queue requires at least one
 * skill and the agent holds every required skill at `minLevel` or better (level <= minLevel).
 * `queues` on each agent is that union; `memberOf` is the explicit part alone.
 */
import { and, asc, eq } from 'drizzle-orm';
import { agents, agentSkills, pilotNumbers, queueAgents, queues, queueSkills, skills, users, type PilotKind, type Role } from '../schema.ts';
import type { RepoContext } from './context.ts';
import { groupBy } from './group-by.ts';
import { settingsColumns, type QueueConfig } from './queues.ts';

export interface DirectoryAgentRecord {
  userId: number;
  username: string;
  displayName: string;
  roles: Role[];
  defaultExtension: string | null;
  team: string | null;
  rank: number;
  skills: { skill: string; level: number }[];
  /** Queues the agent serves: explicit memberships plus queues its skills qualify it for. */
  queues: string[];
  /** Explicit memberships only. */
  memberOf: string[];
}

/** A queue as the daemon reads it: its settings and required skills (members are on the agents). */
export type DirectoryQueueRecord = Omit<QueueConfig, 'members'>;

export interface DirectoryPilotRecord {
  number: string;
  kind: PilotKind;
  queueId: string | null;
  ivrFlow: string | null;
  priority: number;
  requiredSkills: { skill: string; minLevel: number }[] | null;
}

export interface DirectorySnapshot {
  agents: DirectoryAgentRecord[];
  queues: DirectoryQueueRecord[];
  pilots: DirectoryPilotRecord[];
}

export class DirectoryRepository {
  constructor(private readonly ctx: RepoContext) {}

  loadDirectory(): DirectorySnapshot {
    const { db } = this.ctx;
    // One read transaction: a consistent picture even if an admin write lands in between.
    return db.$client.transaction(() => {
      const queueRows = db.select(settingsColumns).from(queues).orderBy(asc(queues.id)).all();
      const required = groupBy(
        db
          .select({ queueId: queueSkills.queueId, skill: skills.name, minLevel: queueSkills.minLevel })
          .from(queueSkills)
          .innerJoin(skills, eq(skills.id, queueSkills.skillId))
          .orderBy(asc(skills.name))
          .all(),
        (r) => r.queueId,
        (r) => ({ skill: r.skill, minLevel: r.minLevel }),
      );
      const queueList: DirectoryQueueRecord[] = queueRows.map((q) => ({ ...q, customerRules: q.customerRules ?? null, requiredSkills: required.get(q.id) ?? [] }));
      return { agents: this.loadAgents(queueList), queues: queueList, pilots: this.loadPilots() };
    })();
  }

  /** One agent's record, as `loadDirectory` would give it (after an admin edit of that user or
   * agent); null when the user is gone, disabled or not an agent. A few indexed reads, whatever
   * the size of the centre. */
  loadAgent(username: string): DirectoryAgentRecord | null {
    const { db } = this.ctx;
    return db.$client.transaction(() => {
      const required = groupBy(
        db
          .select({ queueId: queueSkills.queueId, skill: skills.name, minLevel: queueSkills.minLevel })
          .from(queueSkills)
          .innerJoin(skills, eq(skills.id, queueSkills.skillId))
          .orderBy(asc(skills.name))
          .all(),
        (r) => r.queueId,
        (r) => ({ skill: r.skill, minLevel: r.minLevel }),
      );
      const queueIds = db.select({ id: queues.id }).from(queues).orderBy(asc(queues.id)).all();
      const queueList = queueIds.map((q) => ({ id: q.id, requiredSkills: required.get(q.id) ?? [] }));
      return this.loadAgents(queueList, username)[0] ?? null;
    })();
  }

  /** Every enabled agent, or the one named. */
  private loadAgents(queueList: readonly Pick<DirectoryQueueRecord, 'id' | 'requiredSkills'>[], only?: string): DirectoryAgentRecord[] {
    const { db } = this.ctx;
    const rows = db
      .select({
        userId: users.id,
        username: users.username,
        displayName: users.displayName,
        roles: users.roles,
        defaultExtension: agents.defaultExtension,
        team: agents.team,
        rank: agents.rank,
      })
      .from(agents)
      .innerJoin(users, eq(users.id, agents.userId))
      .where(only === undefined ? eq(users.disabled, false) : and(eq(users.disabled, false), eq(users.username, only)))
      .orderBy(asc(users.username))
      .all();
    const one = only === undefined ? undefined : rows[0]?.userId;
    if (only !== undefined && one === undefined) return [];
    const skillsBy = groupBy(
      db
        .select({ userId: agentSkills.userId, skill: skills.name, level: agentSkills.level })
        .from(agentSkills)
        .innerJoin(skills, eq(skills.id, agentSkills.skillId))
        .where(one === undefined ? undefined : eq(agentSkills.userId, one))
        .orderBy(asc(skills.name))
        .all(),
      (r) => String(r.userId),
      (r) => ({ skill: r.skill, level: r.level }),
    );
    const memberBy = groupBy(
      db
        .select()
        .from(queueAgents)
        .where(one === undefined ? undefined : eq(queueAgents.userId, one))
        .orderBy(asc(queueAgents.queueId))
        .all(),
      (r) => String(r.userId),
      (r) => r.queueId,
    );
    return rows.map((a) => {
      const agentSkillList = skillsBy.get(String(a.userId)) ?? [];
      const memberOf = memberBy.get(String(a.userId)) ?? [];
      const served = new Set(memberOf);
      for (const q of queueList) if (qualifies(agentSkillList, q.requiredSkills)) served.add(q.id);
      return { ...a, skills: agentSkillList, memberOf, queues: queueList.map((q) => q.id).filter((id) => served.has(id)) };
    });
  }

  private loadPilots(): DirectoryPilotRecord[] {
    return this.ctx.db
      .select({
        number: pilotNumbers.number,
        kind: pilotNumbers.kind,
        queueId: pilotNumbers.queueId,
        ivrFlow: pilotNumbers.ivrFlow,
        priority: pilotNumbers.priority,
        requiredSkills: pilotNumbers.requiredSkills,
      })
      .from(pilotNumbers)
      .orderBy(asc(pilotNumbers.number))
      .all();
  }
}

/** True when the queue requires skills and the agent holds each at the required level or better. */
export function qualifies(held: readonly { skill: string; level: number }[], required: readonly { skill: string; minLevel: number }[]): boolean {
  if (required.length === 0) return false;
  return required.every((r) => held.some((h) => h.skill === r.skill && h.level <= r.minLevel));
}
