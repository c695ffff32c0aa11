/**
 * Queues with their required skills and explicit members. Writes replace the whole list of
 * required skills or members when one is given, inside one transaction with the queue row.
 */
import { asc, eq } from 'drizzle-orm';
import { queueAgents, queues, queueSkills, skills, users, type CustomerRulesJson, type LeastBusyBy, type QueueKpiJson, type QueueStepJson, type QueueStrategy } from '../schema.ts';
import { mapConstraints } from './constraint-errors.ts';
import { inTransaction, type RepoContext } from './context.ts';
import { groupBy } from './group-by.ts';
import { assertQueuesExist, resolveAgentIds } from './lookups.ts';
import { badRequest } from '../../core/errors.ts';
import type { SkillsRepository } from './skills.ts';

export interface RequiredSkill {
  skill: string;
  /** Weakest accepted level: an agent qualifies with level <= minLevel (1 best … 5). */
  minLevel: number;
}

export interface QueueSettings {
  name: string;
  strategy: QueueStrategy;
  queueDevice: string;
  ringTimeoutS: number;
  wrapUpS: number;
  maxWaitS: number | null;
  overflowTarget: string | null;
  priority: number;
  weight: number;
  leastBusyBy: LeastBusyBy;
  maxMisses: number;
  retryS: number;
  customerRules: CustomerRulesJson | null;
  steps: QueueStepJson[];
  /** Report settings; null: the defaults (docs/reports.md). */
  kpi: QueueKpiJson | null;
}

export interface QueueConfig extends QueueSettings {
  id: string;
  requiredSkills: RequiredSkill[];
  /** Usernames of the explicit members (agents may also serve the queue through their skills). */
  members: string[];
}

export type NewQueue = Pick<QueueSettings, 'name' | 'strategy' | 'queueDevice'> &
  Partial<QueueSettings> & { id: string; requiredSkills?: RequiredSkill[]; members?: string[] };

export type QueuePatch = Partial<QueueSettings> & { requiredSkills?: RequiredSkill[]; members?: string[] };

/** The columns of a queue's own settings (no time stamps), for every reader of queues. */
export const settingsColumns = {
  id: queues.id,
  name: queues.name,
  strategy: queues.strategy,
  queueDevice: queues.queueDevice,
  ringTimeoutS: queues.ringTimeoutS,
  wrapUpS: queues.wrapUpS,
  maxWaitS: queues.maxWaitS,
  overflowTarget: queues.overflowTarget,
  priority: queues.priority,
  weight: queues.weight,
  leastBusyBy: queues.leastBusyBy,
  maxMisses: queues.maxMisses,
  retryS: queues.retryS,
  customerRules: queues.customerRules,
  steps: queues.steps,
  kpi: queues.kpi,
};

export class QueuesRepository {
  constructor(
    private readonly ctx: RepoContext,
    private readonly skills: SkillsRepository,
  ) {}

  list(): QueueConfig[] {
    const rows = this.ctx.db.select(settingsColumns).from(queues).orderBy(asc(queues.id)).all();
    const required = this.requiredSkillsByQueue();
    const members = this.membersByQueue();
    return rows.map((q) => ({ ...q, requiredSkills: required.get(q.id) ?? [], members: members.get(q.id) ?? [] }));
  }

  get(id: string): QueueConfig | null {
    const q = this.ctx.db.select(settingsColumns).from(queues).where(eq(queues.id, id)).get();
    if (!q) return null;
    return { ...q, requiredSkills: this.requiredSkillsByQueue(id).get(id) ?? [], members: this.membersByQueue(id).get(id) ?? [] };
  }

  /** CONFLICT when the id or queue device is taken; BAD_REQUEST for unknown skills or agents. */
  create(input: NewQueue): QueueConfig {
    const now = this.ctx.clock.now();
    return mapConstraints(
      () =>
        inTransaction(this.ctx.db, () => {
          const { requiredSkills, members, ...settings } = input;
          if (settings.steps) settings.steps = this.checkSteps(input.id, settings.steps);
          this.ctx.db
            .insert(queues)
            .values({ ...settings, createdAt: now, updatedAt: now })
            .run();
          if (requiredSkills) this.replaceRequiredSkills(input.id, requiredSkills);
          if (members) this.replaceMembers(input.id, members);
          return this.get(input.id)!;
        }),
      { unique: `queue ${input.id} or queue device ${input.queueDevice} exists`, check: 'a queue setting is out of range' },
    );
  }

  /** Null when there is no such queue. */
  update(id: string, patch: QueuePatch): QueueConfig | null {
    return mapConstraints(
      () =>
        inTransaction(this.ctx.db, () => {
          const { requiredSkills, members, ...settings } = patch;
          if (settings.steps) settings.steps = this.checkSteps(id, settings.steps);
          const res = this.ctx.db
            .update(queues)
            .set({ ...settings, updatedAt: this.ctx.clock.now() })
            .where(eq(queues.id, id))
            .run();
          if (res.changes === 0) return null;
          if (requiredSkills) this.replaceRequiredSkills(id, requiredSkills);
          if (members) this.replaceMembers(id, members);
          return this.get(id);
        }),
      { unique: `queue device ${patch.queueDevice ?? ''} is used by another queue`, check: 'a queue setting is out of range' },
    );
  }

  /** False when there is no such queue; CONFLICT while a pilot number routes to it. */
  delete(id: string): boolean {
    return mapConstraints(() => this.ctx.db.delete(queues).where(eq(queues.id, id)).run().changes > 0, {
      foreignKey: `queue ${id} is the target of a pilot number`,
      foreignKeyCode: 'CONFLICT',
    });
  }

  /** Steps sorted by afterS (stable); an addQueue step must name an existing queue, an overflow
   * step must wait (afterS > 0: a call moved the moment it enters could bounce forever). */
  private checkSteps(queueId: string, steps: QueueStepJson[]): QueueStepJson[] {
    const sorted = steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.afterS - b.s.afterS || a.i - b.i).map((x) => x.s);
    const named = sorted.filter((s) => s.kind === 'addQueue').map((s) => s.queue).filter((q) => q !== queueId);
    if (named.length) assertQueuesExist(this.ctx.db, named);
    for (const s of sorted) if (s.kind === 'overflow' && !(s.afterS > 0)) throw badRequest('an overflow step needs afterS > 0');
    return sorted;
  }

  private replaceRequiredSkills(queueId: string, required: readonly RequiredSkill[]): void {
    const ids = this.skills.resolve(required.map((r) => r.skill));
    this.ctx.db.delete(queueSkills).where(eq(queueSkills.queueId, queueId)).run();
    if (required.length === 0) return;
    const rows = new Map(required.map((r) => [r.skill, { queueId, skillId: ids.get(r.skill)!, minLevel: r.minLevel }]));
    this.ctx.db.insert(queueSkills).values([...rows.values()]).run();
  }

  private replaceMembers(queueId: string, usernames: readonly string[]): void {
    const ids = resolveAgentIds(this.ctx.db, usernames);
    this.ctx.db.delete(queueAgents).where(eq(queueAgents.queueId, queueId)).run();
    if (ids.size === 0) return;
    this.ctx.db
      .insert(queueAgents)
      .values([...ids.values()].map((userId) => ({ queueId, userId })))
      .run();
  }

  private requiredSkillsByQueue(only?: string): Map<string, RequiredSkill[]> {
    const rows = this.ctx.db
      .select({ queueId: queueSkills.queueId, skill: skills.name, minLevel: queueSkills.minLevel })
      .from(queueSkills)
      .innerJoin(skills, eq(skills.id, queueSkills.skillId))
      .where(only === undefined ? undefined : eq(queueSkills.queueId, only))
      .orderBy(asc(skills.name))
      .all();
    return groupBy(rows, (r) => r.queueId, (r) => ({ skill: r.skill, minLevel: r.minLevel }));
  }

  private membersByQueue(only?: string): Map<string, string[]> {
    const rows = this.ctx.db
      .select({ queueId: queueAgents.queueId, username: users.username })
      .from(queueAgents)
      .innerJoin(users, eq(users.id, queueAgents.userId))
      .where(only === undefined ? undefined : eq(queueAgents.queueId, only))
      .orderBy(asc(users.username))
      .all();
    return groupBy(rows, (r) => r.queueId, (r) => r.username);
  }
}
