/**
 * Skills: a flat list of names. Agents hold them with a level (1 best … 5); queues require them
 * with a weakest accepted level. A skill still held or required cannot be deleted.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import { badRequest } from '../../core/errors.ts';
import { skills } from '../schema.ts';
import { mapConstraints } from './constraint-errors.ts';
import type { RepoContext } from './context.ts';

export interface Skill {
  id: number;
  name: string;
}

export class SkillsRepository {
  constructor(private readonly ctx: RepoContext) {}

  list(): Skill[] {
    return this.ctx.db.select().from(skills).orderBy(asc(skills.name)).all();
  }

  findByName(name: string): Skill | null {
    return this.ctx.db.select().from(skills).where(eq(skills.name, name)).get() ?? null;
  }

  /** CONFLICT when the name is taken. */
  create(name: string): Skill {
    return mapConstraints(() => this.ctx.db.insert(skills).values({ name }).returning().get(), { unique: `skill ${name} exists` });
  }

  /** Null when there is no such skill; CONFLICT when `newName` is taken. */
  rename(name: string, newName: string): Skill | null {
    return mapConstraints(() => this.ctx.db.update(skills).set({ name: newName }).where(eq(skills.name, name)).returning().get() ?? null, {
      unique: `skill ${newName} exists`,
    });
  }

  /** False when there is no such skill; CONFLICT while an agent holds it or a queue requires it. */
  delete(name: string): boolean {
    return mapConstraints(() => this.ctx.db.delete(skills).where(eq(skills.name, name)).run().changes > 0, {
      foreignKey: `skill ${name} is held by agents or required by queues`,
      foreignKeyCode: 'CONFLICT',
    });
  }

  /** Ids of the named skills; BAD_REQUEST naming the unknown ones. */
  resolve(names: readonly string[]): Map<string, number> {
    const wanted = [...new Set(names)];
    if (wanted.length === 0) return new Map();
    const rows = this.ctx.db.select().from(skills).where(inArray(skills.name, wanted)).all();
    const ids = new Map(rows.map((r) => [r.name, r.id]));
    const unknown = wanted.filter((n) => !ids.has(n));
    if (unknown.length > 0) throw badRequest(`unknown skill: ${unknown.join(', ')}`, { unknownSkills: unknown });
    return ids;
  }
}
