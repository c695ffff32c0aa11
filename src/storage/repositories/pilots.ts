/**
 * Pilot numbers: the numbers callers dial, each routed to a queue, an IVR flow or recording
 * replay. The database checks that a `queue` pilot names a queue and an `ivr` pilot a flow.
 */
import { asc, eq } from 'drizzle-orm';
import { badRequest } from '../../core/errors.ts';
import { pilotNumbers, type PilotKind } from '../schema.ts';
import { mapConstraints } from './constraint-errors.ts';
import type { RepoContext } from './context.ts';
import { assertQueuesExist } from './lookups.ts';
import type { SkillsRepository } from './skills.ts';

export interface Pilot {
  number: string;
  kind: PilotKind;
  queueId: string | null;
  ivrFlow: string | null;
  description: string | null;
  /** Business-based routing: caller priority of calls to this number (higher waits ahead). */
  priority: number;
  /** Business-based routing: skills that calls to this number need instead of the queue's. */
  requiredSkills: { skill: string; minLevel: number }[] | null;
}

export type NewPilot = Pick<Pilot, 'number' | 'kind'> & Partial<Omit<Pilot, 'number' | 'kind'>>;
export type PilotPatch = Partial<Omit<Pilot, 'number'>>;

export class PilotsRepository {
  constructor(
    private readonly ctx: RepoContext,
    private readonly skills: SkillsRepository,
  ) {}

  list(): Pilot[] {
    return this.ctx.db.select().from(pilotNumbers).orderBy(asc(pilotNumbers.number)).all();
  }

  get(number: string): Pilot | null {
    return this.ctx.db.select().from(pilotNumbers).where(eq(pilotNumbers.number, number)).get() ?? null;
  }

  /** CONFLICT when the number exists; BAD_REQUEST when the target does not fit the kind. */
  create(input: NewPilot): Pilot {
    const row = normalise({ queueId: null, ivrFlow: null, description: null, priority: 0, requiredSkills: null, ...input });
    if (row.queueId) assertQueuesExist(this.ctx.db, [row.queueId]);
    this.checkSkills(row);
    return mapConstraints(() => this.ctx.db.insert(pilotNumbers).values(row).returning().get(), {
      unique: `pilot number ${input.number} exists`,
    });
  }

  /** Null when there is no such pilot. */
  update(number: string, patch: PilotPatch): Pilot | null {
    const current = this.get(number);
    if (!current) return null;
    const row = normalise({ ...current, ...patch });
    if (row.queueId) assertQueuesExist(this.ctx.db, [row.queueId]);
    this.checkSkills(row);
    return mapConstraints(() => this.ctx.db.update(pilotNumbers).set(row).where(eq(pilotNumbers.number, number)).returning().get() ?? null, {});
  }

  /** Required skills must exist, each once (BAD_REQUEST otherwise). */
  private checkSkills(p: Pilot): void {
    if (!p.requiredSkills) return;
    const names = p.requiredSkills.map((r) => r.skill);
    if (new Set(names).size !== names.length) throw badRequest('a skill is required twice');
    this.skills.resolve(names);
  }

  delete(number: string): boolean {
    return this.ctx.db.delete(pilotNumbers).where(eq(pilotNumbers.number, number)).run().changes > 0;
  }
}

/** A pilot keeps only the target its kind uses; a missing one is BAD_REQUEST. */
function normalise(p: Pilot): Pilot {
  switch (p.kind) {
    case 'queue':
      if (!p.queueId) throw badRequest('a queue pilot needs queueId');
      return { ...p, ivrFlow: null };
    case 'ivr':
      if (!p.ivrFlow) throw badRequest('an ivr pilot needs ivrFlow');
      return { ...p, queueId: null };
    case 'replay':
      return { ...p, queueId: null, ivrFlow: null };
  }
}
