/**
 * Agent profiles: the agent-specific part of a user (default extension, team), its skills with
 * levels and its explicit queue memberships. Agents are created and removed through the user's
 * `agent` role (UsersRepository); this repository edits what hangs off them.
 */
import { asc, eq } from 'drizzle-orm';
import { agents, agentSkills, queueAgents, skills, users } from '../schema.ts';
import { mapConstraints } from './constraint-errors.ts';
import { inTransaction, type RepoContext } from './context.ts';
import { groupBy } from './group-by.ts';
import { agentUserId, assertQueuesExist } from './lookups.ts';
import type { SkillsRepository } from './skills.ts';

export interface AgentSkill {
  skill: string;
  /** 1 best … 5. */
  level: number;
}

export interface AgentProfile {
  userId: number;
  username: string;
  displayName: string;
  disabled: boolean;
  defaultExtension: string | null;
  team: string | null;
  /** Order in roundRobin and linear queues: lower first (then username). */
  rank: number;
  skills: AgentSkill[];
  /** Explicit memberships only (queue ids). */
  queues: string[];
}

export interface AgentPatch {
  defaultExtension?: string | null;
  team?: string | null;
  rank?: number;
  /** Replaces all skills. */
  skills?: AgentSkill[];
  /** Replaces all explicit memberships. */
  queues?: string[];
}

export class AgentsRepository {
  constructor(
    private readonly ctx: RepoContext,
    private readonly skills: SkillsRepository,
  ) {}

  list(): AgentProfile[] {
    return this.load();
  }

  get(username: string): AgentProfile | null {
    return this.load(username)[0] ?? null;
  }

  /** Null when `username` is not an agent; BAD_REQUEST for unknown skills or queues; CONFLICT
   * when the extension is another agent's. */
  update(username: string, patch: AgentPatch): AgentProfile | null {
    return mapConstraints(
      () =>
        inTransaction(this.ctx.db, () => {
          const userId = agentUserId(this.ctx.db, username);
          if (userId === null) return null;
          const set: Partial<typeof agents.$inferInsert> = {};
          if (patch.defaultExtension !== undefined) set.defaultExtension = patch.defaultExtension;
          if (patch.team !== undefined) set.team = patch.team;
          if (patch.rank !== undefined) set.rank = patch.rank;
          if (Object.keys(set).length > 0) this.ctx.db.update(agents).set(set).where(eq(agents.userId, userId)).run();
          if (patch.skills) this.replaceSkills(userId, patch.skills);
          if (patch.queues) this.replaceQueues(userId, patch.queues);
          return this.get(username);
        }),
      { unique: `extension ${patch.defaultExtension ?? ''} is another agent's default extension`, check: 'skill levels are 1 to 5' },
    );
  }

  private replaceSkills(userId: number, list: readonly AgentSkill[]): void {
    const ids = this.skills.resolve(list.map((s) => s.skill));
    this.ctx.db.delete(agentSkills).where(eq(agentSkills.userId, userId)).run();
    if (list.length === 0) return;
    const rows = new Map(list.map((s) => [s.skill, { userId, skillId: ids.get(s.skill)!, level: s.level }]));
    this.ctx.db.insert(agentSkills).values([...rows.values()]).run();
  }

  private replaceQueues(userId: number, queueIds: readonly string[]): void {
    assertQueuesExist(this.ctx.db, queueIds);
    this.ctx.db.delete(queueAgents).where(eq(queueAgents.userId, userId)).run();
    const unique = [...new Set(queueIds)];
    if (unique.length === 0) return;
    this.ctx.db
      .insert(queueAgents)
      .values(unique.map((queueId) => ({ queueId, userId })))
      .run();
  }

  private load(only?: string): AgentProfile[] {
    const { db } = this.ctx;
    const filter = only === undefined ? undefined : eq(users.username, only);
    const rows = db
      .select({
        userId: agents.userId,
        username: users.username,
        displayName: users.displayName,
        disabled: users.disabled,
        defaultExtension: agents.defaultExtension,
        team: agents.team,
        rank: agents.rank,
      })
      .from(agents)
      .innerJoin(users, eq(users.id, agents.userId))
      .where(filter)
      .orderBy(asc(users.username))
      .all();
    if (rows.length === 0) return [];
    const skillRows = db
      .select({ userId: agentSkills.userId, skill: skills.name, level: agentSkills.level })
      .from(agentSkills)
      .innerJoin(skills, eq(skills.id, agentSkills.skillId))
      .innerJoin(users, eq(users.id, agentSkills.userId))
      .where(filter)
      .orderBy(asc(skills.name))
      .all();
    const queueRows = db
      .select({ userId: queueAgents.userId, queueId: queueAgents.queueId })
      .from(queueAgents)
      .innerJoin(users, eq(users.id, queueAgents.userId))
      .where(filter)
      .orderBy(asc(queueAgents.queueId))
      .all();
    const skillsBy = groupBy(skillRows, (r) => String(r.userId), (r) => ({ skill: r.skill, level: r.level }));
    const queuesBy = groupBy(queueRows, (r) => String(r.userId), (r) => r.queueId);
    return rows.map((r) => ({ ...r, skills: skillsBy.get(String(r.userId)) ?? [], queues: queuesBy.get(String(r.userId)) ?? [] }));
  }
}
