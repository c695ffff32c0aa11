/**
 * Teams and their shift rules, by the team name agents carry (`agents.team`, free text): how many
 * of the team may be notReady at once, and after how long away supervisors are alerted. A team
 * name without a row has no rules; deleting a row leaves the agents' team names as they are.
 */
import { asc, eq } from 'drizzle-orm';
import { teams } from '../schema.ts';
import { mapConstraints } from './constraint-errors.ts';
import type { RepoContext } from './context.ts';

export interface Team {
  name: string;
  /** At most this many agents of the team notReady at once; null: no limit. */
  maxNotReady: number | null;
  /** Alert supervisors when an agent stays notReady longer than this, seconds; null: never. */
  awayAlertS: number | null;
  createdAt: number;
  updatedAt: number;
}

export type TeamRulesFields = Pick<Team, 'maxNotReady' | 'awayAlertS'>;
export type NewTeam = Pick<Team, 'name'> & Partial<TeamRulesFields>;
/** The name cannot change: agents refer to it. */
export type TeamPatch = Partial<TeamRulesFields>;

export class TeamsRepository {
  constructor(private readonly ctx: RepoContext) {}

  list(): Team[] {
    return this.ctx.db.select().from(teams).orderBy(asc(teams.name)).all();
  }

  get(name: string): Team | null {
    return this.ctx.db.select().from(teams).where(eq(teams.name, name)).get() ?? null;
  }

  /** CONFLICT when the team exists. */
  create(input: NewTeam): Team {
    const now = this.ctx.clock.now();
    const row = { maxNotReady: null, awayAlertS: null, ...input, createdAt: now, updatedAt: now };
    return mapConstraints(() => this.ctx.db.insert(teams).values(row).returning().get(), { unique: `team ${input.name} exists` });
  }

  /** Null when there is no such team. */
  update(name: string, patch: TeamPatch): Team | null {
    const set = { ...patch, updatedAt: this.ctx.clock.now() };
    return mapConstraints(() => this.ctx.db.update(teams).set(set).where(eq(teams.name, name)).returning().get() ?? null, {});
  }

  delete(name: string): boolean {
    return this.ctx.db.delete(teams).where(eq(teams.name, name)).run().changes > 0;
  }
}
