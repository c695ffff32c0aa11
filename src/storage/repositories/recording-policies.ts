/**
 * Recording policies (docs/recording.md, "Policies"): stored, versioned — every change bumps
 * `version`, and the calls row keeps the policy and version that decided it.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { RecordingPolicy } from '../../recording/policies/decide.ts';
import { recordingPolicies } from '../schema.ts';
import { mapConstraints } from './constraint-errors.ts';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Sqlite } from '../database.ts';
import * as schema from '../schema.ts';
import type { Clock, RepoContext } from './context.ts';

export type StoredRecordingPolicy = RecordingPolicy & { updatedAt: number; updatedBy: string };

export type NewRecordingPolicy = Pick<RecordingPolicy, 'name' | 'mode'> & Partial<Pick<RecordingPolicy, 'numbers' | 'agents' | 'services' | 'samplePercent' | 'priority' | 'enabled'>>;
export type RecordingPolicyPatch = Partial<Omit<NewRecordingPolicy, never>>;

export class RecordingPoliciesRepository {
  constructor(private readonly ctx: RepoContext) {}

  /** On the daemon's connection (storage.sqlite): its writes join the same transactions. */
  static onConnection(sqlite: Sqlite, clock: Clock): RecordingPoliciesRepository {
    return new RecordingPoliciesRepository({ db: drizzle({ client: sqlite, schema }), clock });
  }

  /** Lowest priority first, then id. */
  list(): StoredRecordingPolicy[] {
    return this.ctx.db.select().from(recordingPolicies).orderBy(asc(recordingPolicies.priority), asc(recordingPolicies.id)).all();
  }

  get(id: number): StoredRecordingPolicy | null {
    return this.ctx.db.select().from(recordingPolicies).where(eq(recordingPolicies.id, id)).get() ?? null;
  }

  count(): number {
    return this.ctx.db.select({ n: sql<number>`count(*)` }).from(recordingPolicies).get()?.n ?? 0;
  }

  /** CONFLICT when the name is taken. */
  create(input: NewRecordingPolicy, by: string): StoredRecordingPolicy {
    const row = { numbers: [], agents: [], services: [], samplePercent: 100, priority: 100, enabled: true, ...input, version: 1, updatedAt: this.ctx.clock.now(), updatedBy: by };
    return mapConstraints(() => this.ctx.db.insert(recordingPolicies).values(row).returning().get(), { unique: `a recording policy named ${input.name} exists` });
  }

  /** Null when there is no such policy; the version goes up by one. */
  update(id: number, patch: RecordingPolicyPatch, by: string): StoredRecordingPolicy | null {
    const set = { ...patch, version: sql`${recordingPolicies.version} + 1`, updatedAt: this.ctx.clock.now(), updatedBy: by };
    return mapConstraints(() => this.ctx.db.update(recordingPolicies).set(set).where(eq(recordingPolicies.id, id)).returning().get() ?? null, { unique: `a recording policy named ${patch.name ?? ''} exists` });
  }

  delete(id: number): boolean {
    return this.ctx.db.delete(recordingPolicies).where(eq(recordingPolicies.id, id)).run().changes > 0;
  }
}
